//! The text layouts: aligned table, list, CSV and JSON (HTML lives in
//! `html.rs`). Each writes one table's body; separators and timestamps are
//! the printer's business.
//!
//! Widths count bytes, not characters, because the reference pads with
//! `printf`: a column holding `é` is one byte wider than it looks.

use ovs_json::Json;

use crate::cell::Table;
use crate::style::Style;

/// How wide `list` pads headings before the `: `; longer headings are not cut.
const LIST_HEADING_WIDTH: usize = 20;

/// Caption line; headings and a line of dashes; rows. Columns are separated
/// by one space and padded to their widest cell (or heading); every line
/// loses its trailing spaces, even those that were part of a cell.
pub(crate) fn print_table(table: &Table, style: &Style, out: &mut String) {
    if let Some(caption) = &table.caption {
        out.push_str(caption);
        out.push('\n');
    }
    let widths = column_widths(table, style);
    if style.headings {
        let mut line = String::new();
        for (column, heading) in table.headings.iter().enumerate() {
            push_cell(&mut line, column, heading, widths[column]);
        }
        end_line(line, out);
        let mut line = String::new();
        for (column, &width) in widths.iter().enumerate() {
            push_cell(&mut line, column, &"-".repeat(width), width);
        }
        end_line(line, out);
    }
    for row in 0..table.rows.len() {
        let mut line = String::new();
        for (column, &width) in widths.iter().enumerate() {
            let text = table.text(row, column, style.data);
            push_cell(&mut line, column, cut_to(&text, width), width);
        }
        end_line(line, out);
    }
}

/// Each column is as wide as its widest cell, at most `--max-column-width`,
/// but never narrower than its heading when headings are shown.
fn column_widths(table: &Table, style: &Style) -> Vec<usize> {
    let limit = style.max_column_width.unwrap_or(usize::MAX);
    table
        .headings
        .iter()
        .enumerate()
        .map(|(column, heading)| {
            let widest = (0..table.rows.len())
                .map(|row| table.text(row, column, style.data).len())
                .max()
                .unwrap_or(0);
            let width = widest.min(limit);
            if style.headings {
                width.max(heading.len())
            } else {
                width
            }
        })
        .collect()
}

/// Appends `text` left-justified in `width` bytes, after a separating space
/// unless it is the first column.
fn push_cell(line: &mut String, column: usize, text: &str, width: usize) {
    if column > 0 {
        line.push(' ');
    }
    line.push_str(text);
    line.extend(std::iter::repeat_n(' ', width.saturating_sub(text.len())));
}

fn end_line(line: String, out: &mut String) {
    out.push_str(line.trim_end_matches(' '));
    out.push('\n');
}

/// The longest prefix of `s` that fits in `max` bytes without splitting a
/// character. (The reference cuts bytes; see the crate documentation.)
pub(crate) fn cut_to(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Caption line, then each row as `heading              : value` lines (or
/// bare values without headings), rows separated by blank lines.
pub(crate) fn print_list(table: &Table, style: &Style, out: &mut String) {
    if let Some(caption) = &table.caption {
        out.push_str(caption);
        out.push('\n');
    }
    for row in 0..table.rows.len() {
        if row > 0 {
            out.push('\n');
        }
        for (column, heading) in table.headings.iter().enumerate() {
            if style.headings {
                out.push_str(heading);
                let pad = LIST_HEADING_WIDTH.saturating_sub(heading.len());
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(": ");
            }
            out.push_str(&table.text(row, column, style.data));
            out.push('\n');
        }
    }
}

/// Caption line (as is), heading record, one record per row. A field is
/// quoted, with `"` doubled, only if it holds a comma, a quote or a newline
/// (a carriage return alone does not count, as in the reference).
pub(crate) fn print_csv(table: &Table, style: &Style, out: &mut String) {
    if let Some(caption) = &table.caption {
        out.push_str(caption);
        out.push('\n');
    }
    if style.headings {
        for (column, heading) in table.headings.iter().enumerate() {
            if column > 0 {
                out.push(',');
            }
            push_csv_field(heading, out);
        }
        out.push('\n');
    }
    for row in 0..table.rows.len() {
        for column in 0..table.headings.len() {
            if column > 0 {
                out.push(',');
            }
            push_csv_field(&table.text(row, column, style.data), out);
        }
        out.push('\n');
    }
}

fn push_csv_field(field: &str, out: &mut String) {
    if field.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// `{"caption":…,"data":[[cell…]…],"headings":[…]}` on one line (or pretty
/// with `--pretty`). Cells are always JSON; headings are always present;
/// `caption` only if there is one, `time` only with `--timestamp`.
pub(crate) fn print_json(table: &Table, style: &Style, time: Option<&str>, out: &mut String) {
    let mut object = ovs_json::Object::new();
    if let Some(caption) = &table.caption {
        object.insert("caption".into(), Json::string(caption.as_str()));
    }
    let data = table.rows.iter().map(|row| {
        Json::array(
            (0..table.headings.len()).map(|column| match row.get(column) {
                Some(cell) => cell.json.clone(),
                None => Json::string(""),
            }),
        )
    });
    object.insert("data".into(), Json::array(data));
    object.insert(
        "headings".into(),
        Json::array(table.headings.iter().map(|h| Json::string(h.as_str()))),
    );
    if let Some(time) = time {
        object.insert("time".into(), Json::string(time));
    }
    let json = Json::Object(object);
    out.push_str(&if style.pretty {
        json.to_pretty()
    } else {
        json.to_compact()
    });
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::Cell;
    use crate::style::{DataFormat, Format};

    fn sample() -> Table {
        let mut t = Table::new(["name", "v"]).with_caption("T table");
        t.add_row(vec![
            Cell::new("\"a b\"", "a b", Json::string("a b")),
            Cell::new("1", "1", Json::Integer(1)),
        ]);
        t.add_row(vec![
            Cell::new("x", "x", Json::string("x")),
            Cell::new(
                "[]",
                "",
                Json::array([Json::string("set"), Json::array([])]),
            ),
        ]);
        t
    }

    fn render(table: &Table, style: &Style) -> String {
        let mut out = String::new();
        match style.format {
            Format::Table => print_table(table, style, &mut out),
            Format::List => print_list(table, style, &mut out),
            Format::Csv => print_csv(table, style, &mut out),
            Format::Json => print_json(table, style, None, &mut out),
            Format::Html => crate::html::print(table, style, &mut out),
        }
        out
    }

    #[test]
    fn table_pads_by_bytes_and_trims_each_line() {
        let t = sample();
        assert_eq!(
            render(&t, &Style::new(Format::Table)),
            "T table\nname  v\n----- --\n\"a b\" 1\nx     []\n"
        );
        let mut bare = Style::new(Format::Table);
        bare.data = DataFormat::Bare;
        bare.headings = false;
        assert_eq!(render(&t, &bare), "T table\na b 1\nx\n");
        let mut json = Style::new(Format::Table);
        json.data = DataFormat::Json;
        assert_eq!(
            render(&t, &json),
            "T table\nname  v\n----- ----------\n\"a b\" 1\n\"x\"   [\"set\",[]]\n"
        );
    }

    #[test]
    fn table_width_limit_keeps_headings_whole() {
        let mut style = Style::new(Format::Table);
        style.max_column_width = Some(1);
        assert_eq!(
            render(&sample(), &style),
            "T table\nname v\n---- -\n\"a b 1\nx    [\n"
        );
        style.headings = false;
        assert_eq!(render(&sample(), &style), "T table\n\" 1\nx [\n");
    }

    #[test]
    fn width_limit_cuts_at_character_boundaries_and_pads_the_bytes() {
        let mut t = Table::new(["n", "v"]);
        t.add_row(vec![Cell::text("hé"), Cell::text("1")]);
        let mut style = Style::new(Format::Table);
        style.max_column_width = Some(2);
        // "hé" is 3 bytes; two bytes would split the é, so "h" plus a space.
        assert_eq!(render(&t, &style), "n  v\n-- -\nh  1\n");
    }

    #[test]
    fn list_pads_headings_to_twenty_bytes() {
        let mut t = Table::new(["a", "a_heading_of_22_bytes_"]);
        t.add_row(vec![Cell::text("1"), Cell::text("")]);
        t.add_row(vec![Cell::text("2"), Cell::text("x")]);
        assert_eq!(
            render(&t, &Style::new(Format::List)),
            "a                   : 1\na_heading_of_22_bytes_: \n\n\
             a                   : 2\na_heading_of_22_bytes_: x\n"
        );
    }

    #[test]
    fn csv_quotes_only_commas_quotes_and_newlines() {
        let mut t = Table::new(["h,1", "h"]);
        t.add_row(vec![Cell::text("a,b"), Cell::text("say \"hi\"")]);
        t.add_row(vec![Cell::text("l1\nl2"), Cell::text(" cr\r tab\t ")]);
        assert_eq!(
            render(&t, &Style::new(Format::Csv)),
            "\"h,1\",h\n\"a,b\",\"say \"\"hi\"\"\"\n\"l1\nl2\", cr\r tab\t \n"
        );
    }

    #[test]
    fn json_has_sorted_members_and_no_caption_when_there_is_none() {
        let mut t = sample();
        t.caption = None;
        let mut style = Style::new(Format::Json);
        style.headings = false;
        assert_eq!(
            render(&t, &style),
            "{\"data\":[[\"a b\",1],[\"x\",[\"set\",[]]]],\"headings\":[\"name\",\"v\"]}\n"
        );
        let mut out = String::new();
        print_json(&sample(), &style, Some("1970-01-01 00:00:00.000"), &mut out);
        assert!(
            out.starts_with("{\"caption\":\"T table\",\"data\":"),
            "{out}"
        );
        assert!(
            out.ends_with(",\"time\":\"1970-01-01 00:00:00.000\"}\n"),
            "{out}"
        );
    }
}
