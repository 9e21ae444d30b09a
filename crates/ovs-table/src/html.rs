//! The HTML layout: one `<table border=1>` per table, cells escaped, UUIDs in
//! cells turned into links and the `_uuid` column into link targets, so a
//! dump of a whole database can be browsed by following references.

use crate::cell::Table;
use crate::layout::cut_to;
use crate::style::Style;

/// How much of a UUID a link shows, and of a `_uuid` cell its anchor shows.
const SHORT_UUID_LEN: usize = 8;
/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
const UUID_LEN: usize = 36;

pub(crate) fn print(table: &Table, style: &Style, out: &mut String) {
    out.push_str("<table border=1>\n");
    if let Some(caption) = &table.caption {
        out.push_str("    <caption>");
        escape(caption, out);
        out.push_str("</caption>\n");
    }
    if style.headings {
        out.push_str("  <tr>\n");
        for heading in &table.headings {
            out.push_str("    <th>");
            escape_linking_uuids(heading, out);
            out.push_str("</th>\n");
        }
        out.push_str("  </tr>\n");
    }
    for row in 0..table.rows.len() {
        out.push_str("  <tr>\n");
        for (column, heading) in table.headings.iter().enumerate() {
            let text = table.text(row, column, style.data);
            out.push_str("    <td>");
            if heading == "_uuid" {
                // A row's own UUID is where links to it lead.
                out.push_str("<a name=\"");
                escape(&text, out);
                out.push_str("\">");
                escape(cut_to(&text, SHORT_UUID_LEN), out);
                out.push_str("</a>");
            } else {
                escape_linking_uuids(&text, out);
            }
            out.push_str("</td>\n");
        }
        out.push_str("  </tr>\n");
    }
    out.push_str("</table>\n");
}

/// Escapes the four characters HTML cares about here; everything else
/// (apostrophes, control characters, non-ASCII) goes through as is.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// [`escape`], except that every UUID anywhere in the text (even glued to
/// other characters, in either case) becomes `<a href="#UUID">first 8</a>`.
fn escape_linking_uuids(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if is_uuid_prefix(rest) {
            let uuid = &rest[..UUID_LEN];
            out.push_str("<a href=\"#");
            out.push_str(uuid);
            out.push_str("\">");
            out.push_str(&uuid[..SHORT_UUID_LEN]);
            out.push_str("</a>");
            rest = &rest[UUID_LEN..];
        } else {
            let len = c.len_utf8();
            escape(&rest[..len], out);
            rest = &rest[len..];
        }
    }
}

/// Whether `s` starts with a UUID: hex digit groups of 8-4-4-4-12 joined by
/// dashes. Whatever follows does not matter.
fn is_uuid_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= UUID_LEN
        && b[..UUID_LEN].iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(s: &str) -> String {
        let mut out = String::new();
        escape_linking_uuids(s, &mut out);
        out
    }

    #[test]
    fn escapes_only_the_four_special_characters() {
        assert_eq!(linked(r#"<b>&"x"'y'"#), "&lt;b&gt;&amp;&quot;x&quot;'y'");
        assert_eq!(linked("é\t\r\n"), "é\t\r\n");
    }

    #[test]
    fn links_uuids_anywhere() {
        // Seen in the real ovsdb-client's HTML dump.
        assert_eq!(
            linked("a6af1bd86-947e-4e42-a433-fa782d016ce7&6af1bd86-947e-4e42-a433-fa782d016ceg"),
            "a<a href=\"#6af1bd86-947e-4e42-a433-fa782d016ce7\">6af1bd86</a>\
             &amp;6af1bd86-947e-4e42-a433-fa782d016ceg"
        );
        assert_eq!(
            linked("\"6AF1BD86-947E-4E42-A433-FA782D016CE7x\""),
            "&quot;<a href=\"#6AF1BD86-947E-4E42-A433-FA782D016CE7\">6AF1BD86</a>x&quot;"
        );
        assert_eq!(
            linked("00000000-0000-0000-0000-00000000000"),
            "00000000-0000-0000-0000-00000000000"
        );
    }

    #[test]
    fn uuid_anchor_cells_show_eight_bytes_without_splitting_characters() {
        let mut t = Table::new(["_uuid"]);
        t.add_row(vec![crate::Cell::text("éééééé")]);
        let mut out = String::new();
        print(&t, &Style::default(), &mut out);
        assert!(
            out.contains("<td><a name=\"éééééé\">éééé</a></td>"),
            "{out}"
        );
    }
}
