//! Answering by lookups: the bridge, port or interface of a name, and the bridge
//! or port that holds it, each found by a `select` of its own (see [`super`]).

use super::{
    fake_vlan, name_datum, need_whole, read_string, read_uuids, tag, Br, IfaceRef, PortRef,
};
use crate::command::Failure;
use crate::db::Db;
use ovsdb::{Atom, Datum, Uuid};
use std::collections::HashSet;

/// Answers by lookups. Anything only the whole cache can decide the reference's
/// way asks for the whole cache ([`need_whole`]).
pub(super) struct Lookup {
    /// The bridges the Open_vSwitch row lists (only those count).
    live: HashSet<Uuid>,
    /// Ports that make fake bridges: (row, name, VLAN).
    fakes: Vec<(Uuid, String, i64)>,
}

impl Lookup {
    pub(super) fn new(db: &mut Db, root: Uuid) -> Result<Lookup, Failure> {
        // Only the bridges listed by the root row count.
        let live = read_uuids(db, "Open_vSwitch", &root, "bridges")?
            .into_iter()
            .collect();
        let mut fakes = Vec::new();
        // Guarded only when there are fake bridges: when there are none, a new one
        // made meanwhile could only matter through a name, which the lookups by
        // name guard, or by being named like a real bridge, which only the whole
        // cache sorts out anyway. (Each guard costs the server a pass over the
        // table, which counts with tens of thousands of ports.)
        let marked = db.find_where(
            "Port",
            "fake_bridge",
            &Datum::scalar(Atom::Boolean(true)),
            false,
        )?;
        if !marked.is_empty() {
            db.find_where(
                "Port",
                "fake_bridge",
                &Datum::scalar(Atom::Boolean(true)),
                true,
            )?;
        }
        for p in marked {
            if let Some(vlan) = fake_vlan(db, &p)? {
                fakes.push((p, read_string(db, "Port", &p, "name")?, vlan));
            }
        }
        Ok(Lookup { live, fakes })
    }

    /// The live bridge whose ports include `port`, if exactly one does.
    fn home(&self, db: &mut Db, port: &Uuid) -> Result<Option<Uuid>, Failure> {
        let bridges = db.find_including("Bridge", "ports", &Atom::Uuid(*port), true)?;
        let homes: Vec<Uuid> = bridges
            .into_iter()
            .filter(|b| self.live.contains(b))
            .collect();
        match homes.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(need_whole()),
        }
    }

    /// The live real bridge called `name`.
    fn real(&self, db: &mut Db, name: &str) -> Result<Option<Uuid>, Failure> {
        let rows = db.find_where("Bridge", "name", &name_datum(name), true)?;
        let live: Vec<Uuid> = rows.into_iter().filter(|b| self.live.contains(b)).collect();
        match live.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(need_whole()),
        }
    }

    /// Real bridge row `row` as a bridge. A fake bridge of the same name would
    /// take its place or be dropped depending on row order: the whole cache says.
    fn real_br(&self, db: &Db, row: Uuid) -> Result<Br, Failure> {
        let name = read_string(db, "Bridge", &row, "name")?;
        if self.fakes.iter().any(|(_, n, _)| *n == name) {
            return Err(need_whole());
        }
        Ok(Br {
            name,
            cfg: Some(row),
            parent: None,
            vlan: 0,
        })
    }

    /// The fake bridge of `parent` (Bridge row `row`) on `vlan`.
    pub(super) fn child(
        &self,
        db: &mut Db,
        parent: &Br,
        row: Uuid,
        vlan: i64,
    ) -> Result<Option<Br>, Failure> {
        let mut found: Option<&(Uuid, String, i64)> = None;
        for f in &self.fakes {
            if f.2 != vlan || self.home(db, &f.0)? != Some(row) {
                continue;
            }
            if found.is_some() || self.real(db, &f.1)?.is_some() {
                return Err(need_whole());
            }
            found = Some(f);
        }
        Ok(found.map(|(_, name, vlan)| Br {
            name: name.clone(),
            cfg: None,
            parent: Some(Box::new(parent.clone())),
            vlan: *vlan,
        }))
    }

    pub(super) fn bridge(&self, db: &mut Db, name: &str) -> Result<Option<Br>, Failure> {
        let real = self.real(db, name)?;
        let mut fake = None;
        for (p, n, vlan) in &self.fakes {
            if n == name {
                if fake.is_some() {
                    return Err(need_whole());
                }
                if let Some(home) = self.home(db, p)? {
                    fake = Some((*vlan, home));
                }
            }
        }
        match (real, fake) {
            (Some(_), Some(_)) => Err(need_whole()),
            (Some(row), None) => self.real_br(db, row).map(Some),
            (None, Some((vlan, home))) => {
                let parent = self.real_br(db, home)?;
                let child = self.child(db, &parent, home, vlan)?;
                // The loser of two fake bridges on one VLAN holds no ports.
                if child.as_ref().map(|c| c.name.as_str()) != Some(name) {
                    return Err(need_whole());
                }
                Ok(child)
            }
            (None, None) => Ok(None),
        }
    }

    /// Port `name`; with `creating`, this transaction is about to create one.
    pub(super) fn port_as(
        &self,
        db: &mut Db,
        name: &str,
        creating: bool,
    ) -> Result<Option<PortRef>, Failure> {
        let rows = if creating {
            db.find_or_assume("Port", "name", &name_datum(name))?
        } else {
            db.find_where("Port", "name", &name_datum(name), true)?
        };
        match rows.as_slice() {
            [] => Ok(None),
            [one] => self.port_ref(db, *one, name.to_owned()),
            _ => Err(need_whole()),
        }
    }

    /// Port row `row` (called `name`) and the bridge it is on, if it counts.
    fn port_ref(&self, db: &mut Db, row: Uuid, name: String) -> Result<Option<PortRef>, Failure> {
        let Some(home) = self.home(db, &row)? else {
            return Ok(None);
        };
        if self.fakes.iter().any(|(p, _, _)| *p == row) && self.real(db, &name)?.is_some() {
            return Err(need_whole());
        }
        let base = self.real_br(db, home)?;
        let br = match tag(db, &row)? {
            Some(vlan) => match self.child(db, &base, home, vlan)? {
                Some(child) => child,
                None => base,
            },
            None => base,
        };
        Ok(Some(PortRef { row, name, br }))
    }

    /// Interface `name`; with `creating`, this transaction is about to create one.
    pub(super) fn iface_as(
        &self,
        db: &mut Db,
        name: &str,
        creating: bool,
    ) -> Result<Option<IfaceRef>, Failure> {
        let rows = if creating {
            db.find_or_assume("Interface", "name", &name_datum(name))?
        } else {
            db.find_where("Interface", "name", &name_datum(name), true)?
        };
        let row = match rows.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            _ => return Err(need_whole()),
        };
        let ports = db.find_including("Port", "interfaces", &Atom::Uuid(row), true)?;
        let port = match ports.as_slice() {
            [] => return Ok(None),
            [one] => *one,
            _ => return Err(need_whole()),
        };
        let port_name = read_string(db, "Port", &port, "name")?;
        Ok(self.port_ref(db, port, port_name)?.map(|port| IfaceRef {
            row,
            name: name.to_owned(),
            port,
        }))
    }
}
