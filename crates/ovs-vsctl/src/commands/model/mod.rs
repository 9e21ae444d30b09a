//! Bridges, ports and interfaces as the switch commands see them: real bridges,
//! fake (VLAN) bridges made of a port, the bridge each port is on and the port each
//! interface is in, with the reference's rules for a database that contradicts
//! itself (a port in two bridges, a fake bridge named like a real one, two fake
//! bridges on one VLAN of a bridge).
//!
//! The reference reads the whole Bridge, Port and Interface tables into a cache
//! before the first such command, which costs time for every port in the database.
//! This model answers in one of two ways:
//! - by lookups (the usual way): only the rows a command names are fetched, found
//!   by name, and the rows that refer to them by what their `ports` or
//!   `interfaces` include. Every lookup is guarded: the commit checks that the rows
//!   it found are still the ones that match, where the reference checks whole
//!   tables. A lookup that meets one of the contradictions above, which only the
//!   whole cache decides the reference's way, asks for everything instead.
//! - from the whole cache ([`Whole`]), built exactly as the reference builds it
//!   (its warnings included), when everything was fetched: for the commands that
//!   list or delete everything on a bridge, and after such a contradiction.
//!
//! Changes go through [`Model::insert_port`] and [`Model::delete_port`], which
//! write the whole `ports` set as the reference does when the cache is whole, and
//! otherwise add or remove the one element (a `mutate`, cheap on a bridge with
//! thousands of ports; later reads see it all the same).

mod lookup;
mod whole;

pub use whole::Whole;

use crate::command::{Ctx, Failure, PassState};
use crate::db::{Db, Need, Rows};
use lookup::Lookup;
use ovsdb::{Atom, Datum, Uuid};
use std::cell::Cell;
use std::collections::HashSet;

/// A bridge: real (with its own Bridge row) or fake (a port of its parent, whose
/// tagged ports it holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Br {
    pub name: String,
    /// The bridge's own Bridge row (None for a fake bridge).
    pub cfg: Option<Uuid>,
    /// A fake bridge's parent.
    pub parent: Option<Box<Br>>,
    /// A fake bridge's VLAN (0 for a real one).
    pub vlan: i64,
}

impl Br {
    /// The Bridge row that holds this bridge's ports: its own, or its parent's.
    pub fn ports_row(&self) -> Option<Uuid> {
        match &self.parent {
            Some(parent) => parent.cfg,
            None => self.cfg,
        }
    }

    /// The real bridge: itself, or its parent.
    pub fn real(&self) -> &Br {
        self.parent.as_deref().unwrap_or(self)
    }
}

/// A port and the bridge it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortRef {
    pub row: Uuid,
    pub name: String,
    pub br: Br,
}

/// An interface and the port it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfaceRef {
    pub row: Uuid,
    pub name: String,
    pub port: PortRef,
}

/// What a command is about to create under the name it checks is free: a port, an
/// interface, or both. The server's index on names rejects a second row of a
/// table with that name, so a lookup of that name in that table need not be
/// fetched (see `Db::find_or_assume`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Creating {
    pub port: bool,
    pub iface: bool,
}

/// The columns the reference's switch commands register (its `pre_get_info`).
pub const INFO_COLUMNS: &[(&str, &str)] = &[
    ("Open_vSwitch", "bridges"),
    ("Bridge", "name"),
    ("Bridge", "controller"),
    ("Bridge", "fail_mode"),
    ("Bridge", "ports"),
    ("Port", "name"),
    ("Port", "fake_bridge"),
    ("Port", "tag"),
    ("Port", "interfaces"),
    ("Interface", "name"),
    ("Interface", "ofport"),
    ("Interface", "error"),
];

/// What the whole cache is built from.
const WHOLE: &[(&str, &[&str])] = &[
    ("Bridge", &["name", "ports"]),
    ("Port", &["name", "fake_bridge", "tag", "interfaces"]),
    ("Interface", &["name"]),
];

/// Everything the whole cache needs.
pub fn need_whole() -> Failure {
    let mut needs = Vec::new();
    for (table, columns) in WHOLE {
        needs.push(Need::Rows(table.to_string(), Rows::All));
        for c in *columns {
            needs.push(Need::Column(table.to_string(), c.to_string()));
        }
    }
    Failure::Need(Need::Several(needs))
}

fn whole_fetched(db: &Db) -> bool {
    WHOLE.iter().all(|(t, c)| db.has_all(t, c))
}

fn name_datum(name: &str) -> Datum {
    Datum::scalar(Atom::string(name))
}

/// A string column's value ("" when empty).
pub fn read_string(db: &Db, table: &str, u: &Uuid, column: &str) -> Result<String, Failure> {
    Ok(db
        .read_effective(table, u, column)?
        .first()
        .and_then(Atom::as_str)
        .unwrap_or("")
        .to_owned())
}

/// The UUIDs in a reference column, in order.
pub fn read_uuids(db: &Db, table: &str, u: &Uuid, column: &str) -> Result<Vec<Uuid>, Failure> {
    Ok(db
        .read_effective(table, u, column)?
        .keys()
        .iter()
        .filter_map(Atom::as_uuid)
        .collect())
}

/// The VLAN of a port that makes a fake bridge, if it does.
fn fake_vlan(db: &Db, port: &Uuid) -> Result<Option<i64>, Failure> {
    let fake =
        db.read_effective("Port", port, "fake_bridge")?.first() == Some(&Atom::Boolean(true));
    Ok(if fake { tag(db, port)? } else { None })
}

/// A port's tag, if it is a VLAN (0 to 4095).
fn tag(db: &Db, port: &Uuid) -> Result<Option<i64>, Failure> {
    Ok(db
        .read_effective("Port", port, "tag")?
        .first()
        .and_then(Atom::as_i64)
        .filter(|t| (0..=4095).contains(t)))
}

/// The model for one command's run.
pub struct Model {
    root: Uuid,
    /// Whether it answers from the whole cache (kept in [`PassState`], where the
    /// commands that change bridges and ports keep it up to date as the
    /// reference's commands do theirs).
    whole: bool,
    /// Whether the whole cache's rows were verified in this command already.
    verified: Cell<bool>,
}

impl Model {
    /// The whole cache when everything was fetched, lookups otherwise.
    pub fn new(ctx: &mut Ctx) -> Result<Model, Failure> {
        if whole_fetched(ctx.db) {
            Self::whole(ctx)
        } else {
            Ok(Model {
                root: ctx.root,
                whole: false,
                verified: Cell::new(false),
            })
        }
    }

    /// The whole cache (fetching everything first if needed), filled as the
    /// reference fills it, logging what it finds wrong each time it is filled.
    pub fn whole(ctx: &mut Ctx) -> Result<Model, Failure> {
        if !whole_fetched(ctx.db) {
            return Err(need_whole());
        }
        if ctx.pass.whole.is_none() {
            let (whole, complaints) = Whole::build(ctx.db, &ctx.root)?;
            if !complaints.is_empty() && !ctx.pass.probing {
                if ctx.pass.complaining_fills >= ctx.pass.quiet_fills {
                    for (error, text) in &complaints {
                        if *error {
                            crate::log::vsctl_err(text);
                        } else {
                            crate::log::vsctl_warn(text);
                        }
                    }
                }
                ctx.pass.complaining_fills += 1;
            }
            ctx.pass.whole = Some(whole);
        }
        Ok(Model {
            root: ctx.root,
            whole: true,
            verified: Cell::new(false),
        })
    }

    /// The whole cache, when answering from it.
    fn cache<'c>(&self, pass: &'c PassState) -> Option<&'c Whole> {
        if self.whole {
            pass.whole.as_ref()
        } else {
            None
        }
    }

    /// The whole cache, for commands that need it.
    fn need_cache<'c>(&self, pass: &'c PassState) -> Result<&'c Whole, Failure> {
        self.cache(pass).ok_or_else(need_whole)
    }

    /// The bridge called `name`, as `find_bridge` finds it (and, like it, checks at
    /// commit that the set of bridges did not change).
    pub fn find_bridge(
        &self,
        ctx: &mut Ctx,
        name: &str,
        must_exist: bool,
    ) -> Result<Option<Br>, Failure> {
        let br = self.bridge(ctx, name)?;
        if must_exist && br.is_none() {
            return Err(Failure::Error(format!("no bridge named {name}")));
        }
        ctx.db.verify("Open_vSwitch", &self.root, "bridges")?;
        Ok(br)
    }

    /// Like [`Model::find_bridge`], refusing a fake bridge.
    pub fn find_real_bridge(
        &self,
        ctx: &mut Ctx,
        name: &str,
        must_exist: bool,
    ) -> Result<Option<Br>, Failure> {
        let br = self.find_bridge(ctx, name, must_exist)?;
        if br.as_ref().is_some_and(|b| b.parent.is_some()) {
            return Err(Failure::Error(format!("{name} is a fake bridge")));
        }
        Ok(br)
    }

    /// The port called `name` (not a bridge's own port).
    pub fn find_port(
        &self,
        ctx: &mut Ctx,
        name: &str,
        must_exist: bool,
    ) -> Result<Option<PortRef>, Failure> {
        let port = self.port(ctx, name)?.filter(|p| p.br.name != name);
        if must_exist && port.is_none() {
            return Err(Failure::Error(format!("no port named {name}")));
        }
        self.verify_ports(ctx)?;
        Ok(port)
    }

    /// The interface called `name` (not a bridge's own interface).
    pub fn find_iface(
        &self,
        ctx: &mut Ctx,
        name: &str,
        must_exist: bool,
    ) -> Result<Option<IfaceRef>, Failure> {
        let iface = self.iface(ctx, name)?.filter(|i| i.port.br.name != name);
        if must_exist && iface.is_none() {
            return Err(Failure::Error(format!("no interface named {name}")));
        }
        self.verify_ports(ctx)?;
        Ok(iface)
    }

    /// Fails with `msg` if a bridge, port or interface is called `name`; the
    /// command is about to create what `creating` says under that name.
    pub fn check_conflicts(
        &self,
        ctx: &mut Ctx,
        name: &str,
        msg: &str,
        creating: Creating,
    ) -> Result<(), Failure> {
        self.verify_ports(ctx)?;
        if self.bridge(ctx, name)?.is_some() {
            return Err(Failure::Error(format!(
                "{msg} because a bridge named {name} already exists"
            )));
        }
        let port = match self.cache(ctx.pass) {
            Some(w) => w.port(name),
            None => Lookup::new(ctx.db, self.root)?.port_as(ctx.db, name, creating.port)?,
        };
        if let Some(port) = port {
            return Err(Failure::Error(format!(
                "{msg} because a port named {name} already exists on bridge {}",
                port.br.name
            )));
        }
        let iface = match self.cache(ctx.pass) {
            Some(w) => w.iface(name),
            None => Lookup::new(ctx.db, self.root)?.iface_as(ctx.db, name, creating.iface)?,
        };
        if let Some(iface) = iface {
            return Err(Failure::Error(format!(
                "{msg} because an interface named {name} already exists on bridge {}",
                iface.port.br.name
            )));
        }
        Ok(())
    }

    /// The fake bridge of real bridge `parent` on `vlan`, if any.
    pub fn vlan_child(&self, ctx: &mut Ctx, parent: &Br, vlan: i64) -> Result<Option<Br>, Failure> {
        if let Some(w) = self.cache(ctx.pass) {
            return Ok(w.vlan_child(&parent.name, vlan).and_then(|n| w.bridge(n)));
        }
        let Some(row) = parent.cfg else {
            return Ok(None);
        };
        let lookup = Lookup::new(ctx.db, self.root)?;
        lookup.child(ctx.db, parent, row, vlan)
    }

    /// The interfaces of a port as the model holds them.
    pub fn port_ifaces(&self, ctx: &mut Ctx, port: &PortRef) -> Result<Vec<Uuid>, Failure> {
        if let Some(w) = self.cache(ctx.pass) {
            return Ok(w.iface_rows(&port.name));
        }
        read_uuids(ctx.db, "Port", &port.row, "interfaces")
    }

    /// Adds `port` to the ports of Bridge row `bridge`.
    pub fn insert_port(&self, ctx: &mut Ctx, bridge: &Uuid, port: &Uuid) -> Result<(), Failure> {
        if self.whole {
            let mut ports = ctx.db.read("Bridge", bridge, "ports")?;
            ports.insert_key(Atom::Uuid(*port));
            ctx.db.write("Bridge", bridge, "ports", ports);
        } else {
            ctx.db
                .set_change_seen("Bridge", bridge, "ports", Atom::Uuid(*port), true);
        }
        Ok(())
    }

    /// Removes `port` from the ports of Bridge row `bridge`.
    pub fn delete_port(&self, ctx: &mut Ctx, bridge: &Uuid, port: &Uuid) -> Result<(), Failure> {
        self.delete_ports(ctx, bridge, std::slice::from_ref(port))
    }

    /// Removes `ports` from the ports of Bridge row `bridge` (in one rewrite of
    /// the set, not one per port: a bridge may have thousands).
    pub fn delete_ports(
        &self,
        ctx: &mut Ctx,
        bridge: &Uuid,
        ports: &[Uuid],
    ) -> Result<(), Failure> {
        if self.whole {
            let gone: HashSet<Uuid> = ports.iter().copied().collect();
            let mut set = ctx.db.read("Bridge", bridge, "ports")?;
            set.retain(|k, _| !k.as_uuid().is_some_and(|u| gone.contains(&u)));
            ctx.db.write("Bridge", bridge, "ports", set);
        } else {
            for port in ports {
                ctx.db
                    .set_change_seen("Bridge", bridge, "ports", Atom::Uuid(*port), false);
            }
        }
        Ok(())
    }

    /// The reference's `verify_ports`: the set of bridges, every bridge's ports and
    /// every port's interfaces must not change before the commit. Lookups guard
    /// what they found instead.
    pub fn verify_ports(&self, ctx: &mut Ctx) -> Result<(), Failure> {
        let db = &mut *ctx.db;
        db.verify("Open_vSwitch", &self.root, "bridges")?;
        if !self.whole || self.verified.get() {
            return Ok(());
        }
        for b in db.rows_unordered("Bridge")? {
            db.verify("Bridge", &b, "ports")?;
        }
        for p in db.rows_unordered("Port")? {
            db.verify("Port", &p, "interfaces")?;
        }
        self.verified.set(true);
        Ok(())
    }

    /// The bridge called `name`, fake ones included.
    fn bridge(&self, ctx: &mut Ctx, name: &str) -> Result<Option<Br>, Failure> {
        match self.cache(ctx.pass) {
            Some(w) => Ok(w.bridge(name)),
            None => Lookup::new(ctx.db, self.root)?.bridge(ctx.db, name),
        }
    }

    /// The port called `name`, a bridge's own port included.
    pub fn port(&self, ctx: &mut Ctx, name: &str) -> Result<Option<PortRef>, Failure> {
        match self.cache(ctx.pass) {
            Some(w) => Ok(w.port(name)),
            None => Lookup::new(ctx.db, self.root)?.port_as(ctx.db, name, false),
        }
    }

    fn iface(&self, ctx: &mut Ctx, name: &str) -> Result<Option<IfaceRef>, Failure> {
        match self.cache(ctx.pass) {
            Some(w) => Ok(w.iface(name)),
            None => Lookup::new(ctx.db, self.root)?.iface_as(ctx.db, name, false),
        }
    }

    // ---- whole cache only ----

    /// Every bridge, in no particular order.
    pub fn bridges(&self, ctx: &Ctx) -> Result<Vec<Br>, Failure> {
        Ok(self.need_cache(ctx.pass)?.bridges())
    }

    /// The fake bridges of bridge `name`.
    pub fn children(&self, ctx: &Ctx, name: &str) -> Result<Vec<Br>, Failure> {
        Ok(self.need_cache(ctx.pass)?.children(name))
    }

    /// The ports on bridge `name`, in the order the cache added them.
    pub fn ports_on(&self, ctx: &Ctx, name: &str) -> Result<Vec<PortRef>, Failure> {
        Ok(self.need_cache(ctx.pass)?.ports_on(name))
    }

    /// The names of the interfaces of port `name` in the cache.
    pub fn iface_names(&self, ctx: &Ctx, port: &str) -> Result<Vec<String>, Failure> {
        Ok(self.need_cache(ctx.pass)?.iface_names(port))
    }

    // ---- keeping the whole cache up to date, as the reference does ----

    /// A port was added to bridge `br` (to its fake bridge on the port's VLAN).
    pub fn added_port(
        &self,
        ctx: &mut Ctx,
        br: &Br,
        row: Uuid,
        name: &str,
        ifaces: &[(Uuid, String)],
    ) -> Result<(), Failure> {
        if !self.whole {
            return Ok(());
        }
        let tag = tag(ctx.db, &row)?;
        if let Some(w) = ctx.pass.whole.as_mut() {
            w.add_port(&br.name, row, name, tag);
            for (i, n) in ifaces {
                w.add_iface(name, *i, n);
            }
        }
        Ok(())
    }

    /// An interface was added to port `port`.
    pub fn added_iface(&self, ctx: &mut Ctx, port: &str, row: Uuid, name: &str) {
        if let (true, Some(w)) = (self.whole, ctx.pass.whole.as_mut()) {
            w.add_iface(port, row, name);
        }
    }

    /// Interface `name` was deleted.
    pub fn deleted_iface(&self, ctx: &mut Ctx, name: &str) {
        if let (true, Some(w)) = (self.whole, ctx.pass.whole.as_mut()) {
            w.del_iface(name);
        }
    }

    /// Port `name` was deleted, with its interfaces.
    pub fn deleted_port(&self, ctx: &mut Ctx, name: &str) {
        if let (true, Some(w)) = (self.whole, ctx.pass.whole.as_mut()) {
            w.del_port(name);
        }
    }

    /// Every port on bridge `name` was deleted, with its interfaces.
    pub fn deleted_ports_on(&self, ctx: &mut Ctx, name: &str) {
        if let (true, Some(w)) = (self.whole, ctx.pass.whole.as_mut()) {
            w.del_ports_on(name);
        }
    }

    /// Bridge `name` was deleted.
    pub fn deleted_bridge(&self, ctx: &mut Ctx, name: &str) {
        if let (true, Some(w)) = (self.whole, ctx.pass.whole.as_mut()) {
            w.del_bridge(name);
        }
    }
}

/// Registers what the reference's switch commands register, and fetches what
/// lookups start from: the Open_vSwitch row's bridges and the ports that make fake
/// bridges. Commands add the rows they name ([`want_bridge`], [`want_port`],
/// [`want_iface`]) and the columns they read.
pub fn pre_get_info(pre: &mut crate::command::Pre) {
    for (table, column) in INFO_COLUMNS {
        pre.register_column(table, column);
    }
    pre.want_column("Open_vSwitch", "bridges");
    pre.want_rows("Open_vSwitch", Rows::All);
    pre.want_column("Bridge", "name");
    pre.want_rows("Bridge", Rows::none());
    for c in ["name", "fake_bridge", "tag", "interfaces"] {
        pre.want_column("Port", c);
    }
    pre.want_rows(
        "Port",
        Rows::eq("fake_bridge", Datum::scalar(Atom::Boolean(true))),
    );
    pre.want_column("Interface", "name");
    pre.want_rows("Interface", Rows::none());
}

/// Fetches what finding bridge `name` reads.
pub fn want_bridge(pre: &mut crate::command::Pre, name: &str) {
    pre.want_rows("Bridge", Rows::eq("name", name_datum(name)));
}

/// Fetches what finding port `name` reads first (then, if it exists, the bridge
/// that holds it).
pub fn want_port(pre: &mut crate::command::Pre, name: &str) {
    pre.want_rows("Port", Rows::eq("name", name_datum(name)));
    pre.may_look_up_home();
}

/// Fetches what finding interface `name` reads first (then, if it exists, its
/// port and the bridge that holds that).
pub fn want_iface(pre: &mut crate::command::Pre, name: &str) {
    pre.want_rows("Interface", Rows::eq("name", name_datum(name)));
    pre.may_look_up_home();
}

/// Fetches everything whole, for commands that list or delete all there is.
pub fn want_whole(pre: &mut crate::command::Pre) {
    for (table, columns) in WHOLE {
        for c in *columns {
            pre.want_column(table, c);
        }
        pre.want_rows(table, Rows::All);
    }
}
