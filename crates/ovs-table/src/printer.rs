//! Printing a sequence of tables: the blank line between tables and the
//! `--timestamp` line above each one.

use std::time::SystemTime;

use crate::cell::Table;
use crate::style::{Format, Style};
use crate::timestamp::format_timestamp;
use crate::{html, layout};

/// Prints tables one after another in one [`Style`].
///
/// In the table, list and CSV layouts every table but the first is preceded
/// by a blank line, even when the table before it printed nothing at all
/// (`ovs-vsctl -f table --no-headings find … -- list …` starts with a blank
/// line). HTML and JSON tables follow each other directly. Keep one
/// `Printer` for all the tables a program prints, including when other
/// output comes between them, as `ovs-vsctl` does with `get` between two
/// `list`s.
#[derive(Clone, Debug)]
pub struct Printer {
    style: Style,
    printed: usize,
}

impl Printer {
    pub fn new(style: Style) -> Printer {
        Printer { style, printed: 0 }
    }

    pub fn style(&self) -> &Style {
        &self.style
    }

    /// How many tables have been printed.
    pub fn tables_printed(&self) -> usize {
        self.printed
    }

    /// Appends `table` to `out`, stamped with the current time if the style
    /// asks for timestamps.
    pub fn print(&mut self, table: &Table, out: &mut String) {
        self.print_at(table, SystemTime::now(), out);
    }

    /// Like [`Printer::print`] with the timestamp taken from `time`.
    pub fn print_at(&mut self, table: &Table, time: SystemTime, out: &mut String) {
        let style = &self.style;
        let separated = matches!(style.format, Format::Table | Format::List | Format::Csv);
        if separated && self.printed > 0 {
            out.push('\n');
        }
        self.printed += 1;
        let stamp = style.timestamp.then(|| format_timestamp(time));
        if style.format != Format::Json {
            if let Some(stamp) = &stamp {
                out.push_str(stamp);
                out.push('\n');
            }
        }
        match style.format {
            Format::Table => layout::print_table(table, style, out),
            Format::List => layout::print_list(table, style, out),
            Format::Html => html::print(table, style, out),
            Format::Csv => layout::print_csv(table, style, out),
            Format::Json => layout::print_json(table, style, stamp.as_deref(), out),
        }
    }
}

/// Prints `tables` in order through one [`Printer`] and returns the text.
pub fn print_tables<'a, I>(tables: I, style: &Style) -> String
where
    I: IntoIterator<Item = &'a Table>,
{
    let mut printer = Printer::new(style.clone());
    let mut out = String::new();
    for table in tables {
        printer.print(table, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::Cell;
    use std::time::{Duration, UNIX_EPOCH};

    fn one_row(caption: Option<&str>, value: &str) -> Table {
        let mut t = Table::new(["name"]);
        t.caption = caption.map(str::to_string);
        t.add_row(vec![Cell::text(value)]);
        t
    }

    #[test]
    fn blank_line_between_tables_only_in_text_layouts() {
        let tables = [one_row(None, "a"), Table::new(["name"]), one_row(None, "b")];
        let mut style = Style::new(Format::List);
        style.headings = false;
        assert_eq!(print_tables(&tables, &style), "a\n\n\nb\n");
        style.format = Format::Table;
        assert_eq!(print_tables(&tables, &style), "a\n\n\nb\n");
        style.format = Format::Csv;
        assert_eq!(print_tables(&tables, &style), "a\n\n\nb\n");
        style.format = Format::Html;
        assert_eq!(
            print_tables(&tables, &style),
            "<table border=1>\n  <tr>\n    <td>a</td>\n  </tr>\n</table>\n\
             <table border=1>\n</table>\n\
             <table border=1>\n  <tr>\n    <td>b</td>\n  </tr>\n</table>\n"
        );
        style.format = Format::Json;
        assert_eq!(
            print_tables(&tables, &style),
            "{\"data\":[[\"a\"]],\"headings\":[\"name\"]}\n\
             {\"data\":[],\"headings\":[\"name\"]}\n\
             {\"data\":[[\"b\"]],\"headings\":[\"name\"]}\n"
        );
    }

    #[test]
    fn timestamp_goes_after_the_separator_and_before_everything_else() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_225_902_410);
        let mut style = Style::new(Format::Table);
        style.timestamp = true;
        let mut printer = Printer::new(style.clone());
        let mut out = String::new();
        printer.print_at(&one_row(Some("Other"), "a"), at, &mut out);
        printer.print_at(&one_row(Some("Other"), "b"), at, &mut out);
        assert_eq!(
            out,
            "2026-11-21 01:51:42.410\nOther\nname\n----\na\n\n\
             2026-11-21 01:51:42.410\nOther\nname\n----\nb\n"
        );
        assert_eq!(printer.tables_printed(), 2);

        style.format = Format::Html;
        let mut out = String::new();
        Printer::new(style.clone()).print_at(&one_row(Some("T"), "a"), at, &mut out);
        assert!(
            out.starts_with(
                "2026-11-21 01:51:42.410\n<table border=1>\n    <caption>T</caption>\n"
            ),
            "{out}"
        );

        style.format = Format::Json;
        let mut out = String::new();
        Printer::new(style).print_at(&one_row(None, "a"), at, &mut out);
        assert_eq!(
            out,
            "{\"data\":[[\"a\"]],\"headings\":[\"name\"],\"time\":\"2026-11-21 01:51:42.410\"}\n"
        );
    }

    #[test]
    fn a_lone_table_has_no_separator() {
        let mut out = String::from("before\n");
        one_row(None, "a").print(&Style::new(Format::List), &mut out);
        assert_eq!(out, "before\nname                : a\n");
    }
}
