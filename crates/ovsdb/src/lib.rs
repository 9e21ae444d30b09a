//! OVSDB, the Open vSwitch database, as a library.
//!
//! This crate knows databases, not switches: schemas and their type system, atoms and
//! datums with their JSON and string forms, conditions, mutations, transactions with
//! integrity rules, and the database file. The server, the tools and the IDL client are
//! thin layers over it.

pub mod atom;
pub mod condition;
pub mod datum;
pub mod db;
pub mod error;
pub mod fasthash;
pub mod file;
pub mod mutation;
mod opparser;
pub mod schema;
pub mod storage;
pub mod string_syntax;
pub mod symtab;
pub mod transaction;
mod txn;
pub mod types;
pub mod uuidgen;

pub use atom::{Atom, Uuid};
pub use condition::{Combine, Condition, Conditions, Function};
pub use datum::Datum;
pub use db::{Changes, Database, Row, RowChange, Table};
pub use error::{Error, Result};
pub use mutation::{Mutation, Mutations, Mutator};
pub use schema::{ColumnSchema, DatabaseSchema, TableSchema};
pub use symtab::SymbolTable;
pub use transaction::{execute, execute_params, replay, ExecContext, Execution};
pub use types::{AtomicType, BaseType, RefType, Type};
