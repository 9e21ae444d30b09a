//! SSL commands of `ovs-vsctl(8)`: `get-ssl`, `del-ssl` and `set-ssl`, on the
//! Open_vSwitch row's `ssl`.

use super::helpers::string_datum;
use crate::command::{Command, Ctx, Failure, Mode, Pre};
use crate::db::Rows;
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "get-ssl",
        min_args: 0,
        max_args: 0,
        arguments: "",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_get_ssl),
        run: Some(cmd_get_ssl),
        post: None,
    },
    Command {
        name: "del-ssl",
        min_args: 0,
        max_args: 0,
        arguments: "",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_ssl),
        run: Some(cmd_del_ssl),
        post: None,
    },
    Command {
        name: "set-ssl",
        min_args: 3,
        max_args: 3,
        arguments: "!PRIVATE-KEY !CERTIFICATE !CA-CERT",
        options: "--bootstrap",
        mode: ReadWrite,
        pre: Some(pre_ssl),
        run: Some(cmd_set_ssl),
        post: None,
    },
];

const COLUMNS: [&str; 4] = ["private_key", "certificate", "ca_cert", "bootstrap_ca_cert"];

fn pre_get_ssl(pre: &mut Pre) -> Result<(), String> {
    pre.add_column("Open_vSwitch", "ssl");
    for c in COLUMNS {
        pre.add_column("SSL", c);
    }
    Ok(())
}

fn pre_ssl(pre: &mut Pre) -> Result<(), String> {
    pre.add_column("Open_vSwitch", "ssl");
    // The reference reads the table the column refers to (its rows, no columns).
    pre.want_rows("SSL", Rows::All);
    Ok(())
}

fn current(ctx: &mut Ctx) -> Result<Option<Uuid>, Failure> {
    let root = ctx.root;
    Ok(ctx
        .db
        .read("Open_vSwitch", &root, "ssl")?
        .first()
        .and_then(Atom::as_uuid))
}

fn cmd_get_ssl(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let ssl = current(ctx)?;
    ctx.db.verify("Open_vSwitch", &root, "ssl")?;
    let Some(ssl) = ssl else {
        return Ok(());
    };
    for c in COLUMNS {
        ctx.db.verify("SSL", &ssl, c)?;
    }
    let text = |d: Datum| d.first().and_then(Atom::as_str).unwrap_or("").to_owned();
    let key = text(ctx.db.read("SSL", &ssl, "private_key")?);
    let cert = text(ctx.db.read("SSL", &ssl, "certificate")?);
    let ca = text(ctx.db.read("SSL", &ssl, "ca_cert")?);
    let bootstrap =
        ctx.db.read("SSL", &ssl, "bootstrap_ca_cert")?.first() == Some(&Atom::Boolean(true));
    ctx.output.push_str(&format!(
        "Private key: {key}\nCertificate: {cert}\nCA Certificate: {ca}\nBootstrap: {bootstrap}\n"
    ));
    Ok(())
}

fn cmd_del_ssl(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    if let Some(ssl) = current(ctx)? {
        ctx.db.verify("Open_vSwitch", &root, "ssl")?;
        ctx.db.delete("SSL", &ssl);
        ctx.db.write("Open_vSwitch", &root, "ssl", Datum::empty());
    }
    Ok(())
}

fn cmd_set_ssl(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let args = ctx.args().to_vec();
    let bootstrap = ctx.has("--bootstrap");
    let old = current(ctx)?;
    ctx.db.verify("Open_vSwitch", &root, "ssl")?;
    if let Some(old) = old {
        ctx.db.delete("SSL", &old);
    }
    let ssl = ovsdb::uuidgen::new_uuid();
    ctx.db.insert("SSL", ssl, false);
    ctx.db
        .write("SSL", &ssl, "private_key", string_datum(&args[1]));
    ctx.db
        .write("SSL", &ssl, "certificate", string_datum(&args[2]));
    ctx.db.write("SSL", &ssl, "ca_cert", string_datum(&args[3]));
    if bootstrap {
        ctx.db.write(
            "SSL",
            &ssl,
            "bootstrap_ca_cert",
            Datum::scalar(Atom::Boolean(true)),
        );
    }
    ctx.db
        .write("Open_vSwitch", &root, "ssl", Datum::scalar(Atom::Uuid(ssl)));
    Ok(())
}
