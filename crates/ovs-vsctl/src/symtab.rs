//! `@name` row symbols: defined by `--id=@name` on `create` or `get`, usable as a UUID
//! anywhere in the same command line, before or after their definition.

use ovsdb::types::{BaseType, RefType};
use ovsdb::Uuid;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct Symbol {
    pub uuid: Uuid,
    /// Defined by an `--id` option.
    pub created: bool,
    /// Used as a value of a strong (weak) reference column.
    pub strong_ref: bool,
    pub weak_ref: bool,
}

/// The symbols of one run of the command list.
#[derive(Default)]
pub struct Symtab {
    symbols: HashMap<String, Symbol>,
    /// Names in order of first use (the reference's hash map order depends on it).
    order: Vec<String>,
}

impl Symtab {
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.symbols.get(name)
    }

    /// The symbol `name`, created with a fresh UUID if it is new.
    pub fn insert(&mut self, name: &str) -> &mut Symbol {
        if !self.symbols.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.symbols
            .entry(name.to_owned())
            .or_insert_with(|| Symbol {
                uuid: ovsdb::uuidgen::new_uuid(),
                created: false,
                strong_ref: false,
                weak_ref: false,
            })
    }

    /// Resolves `name` used where a UUID of type `base` is expected, noting the kind
    /// of reference.
    pub fn reference(&mut self, name: &str, base: &BaseType) -> Uuid {
        let symbol = self.insert(name);
        if base.ref_table.is_some() {
            match base.ref_type {
                RefType::Strong => symbol.strong_ref = true,
                RefType::Weak => symbol.weak_ref = true,
            }
        }
        symbol.uuid
    }

    /// Defines `id` (which must start with `@`): Ok((symbol, whether it was unused
    /// until now)).
    pub fn create(&mut self, id: &str) -> Result<(&mut Symbol, bool), String> {
        if !id.starts_with('@') {
            return Err(format!("row id \"{id}\" does not begin with \"@\""));
        }
        let new = !self.symbols.contains_key(id);
        let symbol = self.insert(id);
        if symbol.created {
            return Err(format!(
                "row id \"{id}\" may only be specified on one --id option"
            ));
        }
        symbol.created = true;
        Ok((symbol, new))
    }

    /// Every symbol, in the order the reference's hash map visits them.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Symbol)> {
        ovs_hash_order::name_order(self.order.iter().map(String::as_str))
            .into_iter()
            .filter_map(|n| self.symbols.get_key_value(n))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The UUIDs of symbols, for telling a symbol's placeholder UUID from a real one.
    pub fn uuids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.symbols.values().map(|s| s.uuid)
    }
}
