//! Table cells for OVSDB data, in the three renderings `--data` chooses from.
//!
//! With `--data=json` the reference shows data cells as JSON but leaves plain text
//! cells (a monitor's `row` and `action`) as text and empty cells empty. Our table
//! printer renders every cell one way, so in that mode data cells carry their JSON
//! text as their string form and the printer is asked for strings
//! ([`crate::session::Ctx::printer`]); `json_text` below says whether that is so.

use ovs_json::Json;
use ovs_table::Cell;
use ovsdb::{Datum, Type};

/// A cell for a datum (`dump`): string and bare forms, and its JSON.
pub fn datum_cell(datum: &Datum, t: &Type, json_text: bool) -> Cell {
    let json = datum.to_json(t);
    if json_text {
        let text = json.to_compact();
        return Cell::new(text.clone(), text, json);
    }
    Cell::new(datum.to_string_form(t), datum.to_bare(), json)
}

/// A cell for a value as a server sent it (monitors): the JSON stays as received;
/// the string and bare forms come from reading it as a datum of type `t`, or, if it
/// is not a valid one (an update2 difference can break a column's size rules), are
/// the JSON text itself.
pub fn json_cell(json: &Json, t: &Type, json_text: bool) -> Cell {
    match parse_datum(json, t).filter(|_| !json_text) {
        Some(datum) => Cell::new(datum.to_string_form(t), datum.to_bare(), json.clone()),
        None => {
            let text = json.to_compact();
            Cell::new(text.clone(), text, json.clone())
        }
    }
}

/// A cell with nothing in it (a column an update did not mention).
pub fn empty_cell() -> Cell {
    Cell::new("", "", Json::Null)
}

/// Reads `json` as a datum of type `t` the way the reference does when it formats a
/// cell: sizes and constraints checked, no named UUIDs.
pub fn parse_datum(json: &Json, t: &Type) -> Option<Datum> {
    let datum = Datum::from_json(json, t, &mut |_| None).ok()?;
    datum.check_constraints(t).ok()?;
    Some(datum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovsdb::AtomicType;

    #[test]
    fn invalid_values_fall_back_to_json() {
        let t = Type::scalar(AtomicType::Integer);
        let c = json_cell(&Json::string("x"), &t, false);
        assert_eq!(c.string, "\"x\"");
        assert_eq!(c.bare, "\"x\"");
        let c = json_cell(&Json::Integer(5), &t, false);
        assert_eq!(c.string, "5");
    }
}
