//! How a record argument names a row: by UUID, as `.` when the table has exactly one
//! row, by a per-table name (possibly the name of a row in another table that refers
//! to it: a Controller is named by its bridge), or by a UUID prefix of at least four
//! hex digits. The rules and the order in which they are tried are the reference's.

use crate::command::{Failure, Pre};
use crate::db::{Db, Need, Rows};
use ovsdb::atom::parse_uuid;
use ovsdb::schema::TableSchema;
use ovsdb::{Atom, Datum, Uuid};

/// One way to name rows of a table: rows of `table` whose `name_column` equals the
/// record argument; if `uuid_column` is set, the row is the one that column of the
/// matching row refers to.
#[derive(Clone, Copy, Debug)]
pub struct RowId {
    pub table: &'static str,
    pub name_column: &'static str,
    pub uuid_column: Option<&'static str>,
}

const fn by_name(table: &'static str, name_column: &'static str) -> RowId {
    RowId {
        table,
        name_column,
        uuid_column: None,
    }
}

const fn via(table: &'static str, name_column: &'static str, column: &'static str) -> RowId {
    RowId {
        table,
        name_column,
        uuid_column: Some(column),
    }
}

/// The naming rules of a table of the `Open_vSwitch` schema.
pub fn row_ids(table: &str) -> &'static [RowId] {
    const BRIDGE: &[RowId] = &[by_name("Bridge", "name")];
    const CONTROLLER: &[RowId] = &[via("Bridge", "name", "controller")];
    const INTERFACE: &[RowId] = &[by_name("Interface", "name")];
    const MIRROR: &[RowId] = &[by_name("Mirror", "name")];
    const MANAGER: &[RowId] = &[by_name("Manager", "target")];
    const NETFLOW: &[RowId] = &[via("Bridge", "name", "netflow")];
    const PORT: &[RowId] = &[by_name("Port", "name")];
    const QOS: &[RowId] = &[via("Port", "name", "qos")];
    const SFLOW: &[RowId] = &[via("Bridge", "name", "sflow")];
    const FLOW_TABLE: &[RowId] = &[by_name("Flow_Table", "name")];
    const IPFIX: &[RowId] = &[via("Bridge", "name", "ipfix")];
    const AUTO_ATTACH: &[RowId] = &[via("Bridge", "name", "auto_attach")];
    const FSCS: &[RowId] = &[by_name("Flow_Sample_Collector_Set", "id")];
    match table {
        "Bridge" => BRIDGE,
        "Controller" => CONTROLLER,
        "Interface" => INTERFACE,
        "Mirror" => MIRROR,
        "Manager" => MANAGER,
        "NetFlow" => NETFLOW,
        "Port" => PORT,
        "QoS" => QOS,
        "sFlow" => SFLOW,
        "Flow_Table" => FLOW_TABLE,
        "IPFIX" => IPFIX,
        "AutoAttach" => AUTO_ATTACH,
        "Flow_Sample_Collector_Set" => FSCS,
        _ => &[],
    }
}

/// The reference's pre-step for a table that commands will look records up in: the
/// table itself, and the columns its naming rules read.
pub fn pre_get_table(pre: &mut Pre, table: &TableSchema) {
    pre.add_table(&table.name);
    for id in row_ids(&table.name) {
        pre.add_column(id.table, id.name_column);
        if let Some(c) = id.uuid_column {
            pre.add_column(id.table, c);
        }
    }
}

/// Beyond the reference: which rows a lookup of `record` in `table` will read, so that
/// only those are fetched. Everything else is fetched on demand.
pub fn pre_hint_record(pre: &mut Pre, table: &TableSchema, record: &str) {
    if let Some(u) = parse_uuid(record) {
        pre.want_rows(&table.name, Rows::uuid(u));
    }
    if record == "." {
        pre.want_rows(&table.name, Rows::All);
    }
    for id in row_ids(&table.name) {
        if let Some(value) = name_value(id, record) {
            pre.want_rows(id.table, Rows::eq(id.name_column, value));
        }
        if id.uuid_column.is_some() {
            // The rows such names lead to are few (controllers, QoS, ...): take all.
            pre.want_rows(&table.name, Rows::All);
        }
    }
}

/// The value a name column must hold to match `record`, or None if it cannot match.
/// Integer names match only records of decimal digits (so `05` is 5 but `+5` names
/// nothing), as in the reference.
fn name_value(id: &RowId, record: &str) -> Option<Datum> {
    let column = crate::schema::table(id.table).column(id.name_column)?;
    match column.type_.key.atomic {
        ovsdb::AtomicType::Integer => {
            if record.is_empty() || !record.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(Datum::scalar(Atom::Integer(saturating_decimal(record))))
        }
        _ => Some(Datum::scalar(Atom::string(record))),
    }
}

/// A string of digits as C's `strtoll` reads it: too large saturates.
fn saturating_decimal(digits: &str) -> i64 {
    digits.bytes().fold(0i64, |n, b| {
        n.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    })
}

/// Whether `s` could be the start of a UUID's text (hex digits, dashes in the right
/// places); returns its length, or 0.
fn uuid_partial_len(s: &str) -> usize {
    if s.len() > 36 {
        return 0;
    }
    let ok = s.bytes().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    if ok {
        s.len()
    } else {
        0
    }
}

/// Finds the row `record` names in `table`. Without `must_exist`, a record that names
/// nothing is `Ok(None)`.
pub fn get_row(
    db: &mut Db,
    table: &TableSchema,
    record: &str,
    must_exist: bool,
) -> Result<Option<Uuid>, Failure> {
    let tname = table.name.as_str();
    let mut row = None;
    if let Some(u) = parse_uuid(record) {
        if db.row_exists(tname, &u)? {
            row = Some(u);
        }
    }
    if row.is_none() && record == "." {
        let rows = db.rows_unordered(tname)?;
        if let [only] = rows.as_slice() {
            row = Some(*only);
        }
    }
    if row.is_none() {
        for id in row_ids(tname) {
            row = get_row_by_id(db, table, id, record)?;
            if row.is_some() {
                break;
            }
        }
    }
    if row.is_none() && uuid_partial_len(record) >= 4 && parse_uuid(record).is_none() {
        let mut found: Option<Uuid> = None;
        for u in db.rows(tname)? {
            if u.to_string().starts_with(record) {
                match found {
                    None => found = Some(u),
                    Some(first) => {
                        return Err(Failure::Error(format!(
                            "{tname} contains 2 or more rows whose UUIDs begin with {record}: \
                             at least {first} and {u}"
                        )))
                    }
                }
            }
        }
        row = found;
    }
    if must_exist && row.is_none() {
        return Err(Failure::Error(format!(
            "no row \"{record}\" in table {tname}"
        )));
    }
    Ok(row)
}

fn get_row_by_id(
    db: &mut Db,
    table: &TableSchema,
    id: &RowId,
    record: &str,
) -> Result<Option<Uuid>, Failure> {
    let Some(value) = name_value(id, record) else {
        return Ok(None);
    };
    let matches = db.rows_where(id.table, id.name_column, &value)?;
    let referrer = match matches.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => {
            return Err(Failure::Error(format!(
                "multiple rows in {} match \"{record}\"",
                id.table
            )))
        }
    };
    let Some(column) = id.uuid_column else {
        return Ok(Some(referrer));
    };
    db.verify(id.table, &referrer, column)?;
    let target = db.read(id.table, &referrer, column)?;
    match target.keys() {
        [Atom::Uuid(u)] => {
            let u = *u;
            if db.row_exists(&table.name, &u)? {
                Ok(Some(u))
            } else {
                Ok(None)
            }
        }
        _ => Ok(None),
    }
}

/// A Need for every row of `table`, for callers that must scan.
pub fn need_all(table: &str) -> Failure {
    Failure::Need(Need::Rows(table.to_owned(), Rows::All))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_uuids() {
        assert_eq!(uuid_partial_len("a6bb"), 4);
        assert_eq!(uuid_partial_len("a6bb0000-1"), 10);
        assert_eq!(uuid_partial_len("a6bb0000x"), 0);
        assert_eq!(uuid_partial_len("br0"), 0);
        assert_eq!(saturating_decimal("99999999999999999999999"), i64::MAX);
    }
}
