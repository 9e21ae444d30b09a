//! What gets printed: a table of cells, each cell carrying every rendering a
//! `--data` option can ask for.

use std::borrow::Cow;

use ovs_json::Json;

use crate::printer::Printer;
use crate::style::{DataFormat, Style};

/// One cell, in the three renderings `--data` chooses between. For an OVSDB
/// datum the caller fills in `string` with the `[a, b]`/`{k=v}`/`"quoted"`
/// syntax, `bare` with the punctuation-free form and `json` with the RFC 7047
/// JSON; plain text cells use [`Cell::text`].
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// `--data=string`.
    pub string: String,
    /// `--data=bare`.
    pub bare: String,
    /// `--data=json`, and every cell of `--format=json`.
    pub json: Json,
}

impl Cell {
    /// A cell with its three renderings given explicitly.
    pub fn new(string: impl Into<String>, bare: impl Into<String>, json: Json) -> Cell {
        Cell {
            string: string.into(),
            bare: bare.into(),
            json,
        }
    }

    /// A plain text cell (a monitor's `action` column, say): the same text in
    /// string and bare form, a JSON string in JSON form.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            string: s.clone(),
            bare: s.clone(),
            json: Json::String(s),
        }
    }

    /// The text shown for `data`; JSON is always compact inside text layouts,
    /// whatever `--pretty` says.
    pub fn render(&self, data: DataFormat) -> Cow<'_, str> {
        match data {
            DataFormat::String => Cow::Borrowed(&self.string),
            DataFormat::Bare => Cow::Borrowed(&self.bare),
            DataFormat::Json => Cow::Owned(self.json.to_compact()),
        }
    }
}

/// A table: an optional caption (`ovsdb-client dump` says `Bridge table`;
/// `ovs-vsctl list` has none), one heading per column and rows of cells.
///
/// Every row should have one cell per heading. A short row prints as if
/// padded with empty cells and extra cells are not printed; [`Table::add_row`]
/// checks the shape in debug builds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub caption: Option<String>,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these column headings and no caption.
    pub fn new<I, S>(headings: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            caption: None,
            headings: headings.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Sets the caption.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    /// Appends a row.
    pub fn add_row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(
            cells.len(),
            self.headings.len(),
            "row has {} cells for {} headings",
            cells.len(),
            self.headings.len()
        );
        self.rows.push(cells);
    }

    /// Appends this table alone to `out`, as the only table a program prints.
    /// Programs that print several tables keep one [`Printer`] instead, so
    /// that the tables are separated the way the reference separates them.
    pub fn print(&self, style: &Style, out: &mut String) {
        Printer::new(style.clone()).print(self, out);
    }

    /// The cell at (`row`, `column`), or `None` past the end of a short row.
    pub(crate) fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.rows.get(row).and_then(|r| r.get(column))
    }

    /// The text at (`row`, `column`) for `data`, empty for a missing cell.
    pub(crate) fn text(&self, row: usize, column: usize, data: DataFormat) -> Cow<'_, str> {
        match self.cell(row, column) {
            Some(cell) => cell.render(data),
            None => Cow::Borrowed(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_are_the_same_text_in_every_rendering() {
        let c = Cell::text("a b");
        assert_eq!(c.render(DataFormat::String), "a b");
        assert_eq!(c.render(DataFormat::Bare), "a b");
        assert_eq!(c.render(DataFormat::Json), "\"a b\"");
    }

    #[test]
    fn json_rendering_is_compact() {
        let c = Cell::new(
            "[1, 2]",
            "1 2",
            Json::array([Json::string("set"), Json::array([1.into(), 2.into()])]),
        );
        assert_eq!(c.render(DataFormat::Json), r#"["set",[1,2]]"#);
        assert_eq!(c.render(DataFormat::String), "[1, 2]");
        assert_eq!(c.render(DataFormat::Bare), "1 2");
    }

    #[test]
    fn missing_cells_read_as_empty() {
        let mut t = Table::new(["a", "b"]);
        t.rows.push(vec![Cell::text("x")]);
        assert_eq!(t.text(0, 0, DataFormat::String), "x");
        assert_eq!(t.text(0, 1, DataFormat::String), "");
        assert_eq!(t.text(5, 0, DataFormat::String), "");
    }
}
