//! OVSDB, the Open vSwitch database, as a library.
//!
//! This crate knows databases, not switches: schemas and their type system, atoms and
//! datums with their JSON and string forms, conditions, mutations, transactions with
//! integrity rules, and the database file. The server, the tools and the IDL client are
//! thin layers over it.

pub mod atom;
pub mod datum;
pub mod db;
pub mod error;
pub mod schema;
pub mod types;

pub use atom::{Atom, Uuid};
pub use datum::Datum;
pub use db::{Changes, Database, Row, RowChange};
pub use error::{Error, Result};
pub use schema::{ColumnSchema, DatabaseSchema, TableSchema};
pub use types::{AtomicType, BaseType, RefType, Type};
