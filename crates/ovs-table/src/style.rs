//! How to print tables: the layout (`-f`), the cell rendering (`-d`) and the
//! other table options, with parsers for their command-line values.

use std::fmt;

/// The layout, `-f`/`--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns under a line of dashes (`ovsdb-client`'s default).
    Table,
    /// `heading: value` lines, rows separated by blank lines (`ovs-vsctl`'s default).
    List,
    Html,
    /// RFC 4180 comma-separated values.
    Csv,
    /// One JSON object per table.
    Json,
}

impl Format {
    /// Parses a `--format` value. Only the exact lower-case names are
    /// accepted, as in the reference.
    pub fn from_arg(value: &str) -> Result<Format, StyleError> {
        Ok(match value {
            "table" => Format::Table,
            "list" => Format::List,
            "html" => Format::Html,
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => return Err(StyleError::UnknownFormat(value.to_string())),
        })
    }

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::List => "list",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The cell rendering, `-d`/`--data`. `--format=json` ignores it and always
/// uses JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    /// `[a, b]`, `{k=v}`, `"quoted"`.
    String,
    /// Punctuation stripped: `a b`, `k=v`, strings never quoted.
    Bare,
    /// Compact RFC 7047 JSON.
    Json,
}

impl DataFormat {
    /// Parses a `--data` value (exact lower-case names only).
    pub fn from_arg(value: &str) -> Result<DataFormat, StyleError> {
        Ok(match value {
            "string" => DataFormat::String,
            "bare" => DataFormat::Bare,
            "json" => DataFormat::Json,
            _ => return Err(StyleError::UnknownDataFormat(value.to_string())),
        })
    }

    /// The name `--data` takes.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::String => "string",
            DataFormat::Bare => "bare",
            DataFormat::Json => "json",
        }
    }
}

/// A bad table option value. Its text is what the reference prints after
/// `<program>: ` before exiting with status 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StyleError {
    UnknownFormat(String),
    UnknownDataFormat(String),
}

impl fmt::Display for StyleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StyleError::UnknownFormat(v) => write!(f, "unknown output format \"{v}\""),
            StyleError::UnknownDataFormat(v) => write!(f, "unknown data format \"{v}\""),
        }
    }
}

impl std::error::Error for StyleError {}

/// Everything the table options decide. Options apply in command-line order
/// (`--bare -f table` prints a table; `-f table --bare` prints a list), so a
/// parser calls the setters as it meets the options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    pub format: Format,
    pub data: DataFormat,
    /// Print headings (`--no-headings` clears it). JSON output always has them.
    pub headings: bool,
    /// `--pretty`: the JSON layout prints its objects indented. JSON inside
    /// cells of other layouts stays compact.
    pub pretty: bool,
    /// `--timestamp`: a `YYYY-MM-DD HH:MM:SS.mmm` (UTC) line above each table
    /// (in JSON, a `time` member). `ovsdb-client` sets it only for its
    /// monitor commands; `dump` ignores the option.
    pub timestamp: bool,
    /// `--max-column-width`: in the table layout, cells are cut to this many
    /// bytes (columns stay wide enough for their headings). `None`: no limit.
    pub max_column_width: Option<usize>,
}

impl Style {
    /// The defaults with `format` as the layout: string data, headings on.
    pub fn new(format: Format) -> Style {
        Style {
            format,
            data: DataFormat::String,
            headings: true,
            pretty: false,
            timestamp: false,
            max_column_width: None,
        }
    }

    /// `-f VALUE` / `--format=VALUE`.
    pub fn set_format_arg(&mut self, value: &str) -> Result<(), StyleError> {
        self.format = Format::from_arg(value)?;
        Ok(())
    }

    /// `-d VALUE` / `--data=VALUE`.
    pub fn set_data_arg(&mut self, value: &str) -> Result<(), StyleError> {
        self.data = DataFormat::from_arg(value)?;
        Ok(())
    }

    /// `--bare`: list layout, bare data, no headings.
    pub fn set_bare(&mut self) {
        self.format = Format::List;
        self.data = DataFormat::Bare;
        self.headings = false;
    }

    /// `--max-column-width=VALUE`, read as [`parse_max_column_width`] does.
    pub fn set_max_column_width_arg(&mut self, value: &str) {
        self.max_column_width = parse_max_column_width(value);
    }
}

impl Default for Style {
    /// `ovsdb-client`'s defaults (table layout). `ovs-vsctl` starts from
    /// `Style::new(Format::List)`.
    fn default() -> Style {
        Style::new(Format::Table)
    }
}

/// Reads a `--max-column-width` value the way the reference does, which never
/// rejects anything: like C's `atoi` (leading blanks, an optional sign, then
/// digits up to the first non-digit; no digits reads as 0), the result taken
/// as a 32-bit `int`. Zero or negative means no limit, so `abc` and `-5` both
/// turn the limit off while `5x` is 5.
pub fn parse_max_column_width(value: &str) -> Option<usize> {
    let s = value.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    // strtol saturates at the range of a 64-bit long; atoi then keeps the low
    // 32 bits.
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative {
        n = n.checked_neg().unwrap_or(i64::MIN);
    }
    let as_int = n as i32;
    usize::try_from(as_int).ok().filter(|&w| w > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_are_case_sensitive() {
        for f in [
            Format::Table,
            Format::List,
            Format::Html,
            Format::Csv,
            Format::Json,
        ] {
            assert_eq!(Format::from_arg(f.name()), Ok(f));
        }
        for d in [DataFormat::String, DataFormat::Bare, DataFormat::Json] {
            assert_eq!(DataFormat::from_arg(d.name()), Ok(d));
        }
        for bad in ["TABLE", "Table", "t", "tab", "", "tables"] {
            assert!(Format::from_arg(bad).is_err(), "{bad}");
        }
        for bad in ["b", "Str", "", "strings"] {
            assert!(DataFormat::from_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_read_like_the_reference() {
        assert_eq!(
            Format::from_arg("foo").unwrap_err().to_string(),
            "unknown output format \"foo\""
        );
        assert_eq!(
            Format::from_arg("").unwrap_err().to_string(),
            "unknown output format \"\""
        );
        assert_eq!(
            DataFormat::from_arg("foo").unwrap_err().to_string(),
            "unknown data format \"foo\""
        );
    }

    #[test]
    fn options_apply_in_order() {
        let mut s = Style::default();
        s.set_bare();
        s.set_format_arg("table").unwrap();
        assert_eq!(s.format, Format::Table);
        assert_eq!(s.data, DataFormat::Bare);
        assert!(!s.headings);

        let mut s = Style::default();
        s.set_format_arg("table").unwrap();
        s.set_bare();
        assert_eq!(s.format, Format::List);

        let mut s = Style::new(Format::List);
        assert!(s.set_data_arg("nope").is_err());
        assert_eq!(s.data, DataFormat::String, "a bad value changes nothing");
    }

    #[test]
    fn max_column_width_reads_like_atoi() {
        // Each pair was checked against `ovsdb-client dump --max-column-width=`.
        let cases: &[(&str, Option<usize>)] = &[
            ("5", Some(5)),
            (" 5", Some(5)),
            ("+5", Some(5)),
            ("5x", Some(5)),
            ("3abc", Some(3)),
            ("0x10", None),
            ("0", None),
            ("-5", None),
            ("abc", None),
            ("", None),
            ("4294967297", Some(1)),
            ("99999999999", Some(1_215_752_191)),
            ("99999999999999999999999", None),
        ];
        for &(arg, want) in cases {
            assert_eq!(parse_max_column_width(arg), want, "{arg:?}");
        }
    }
}
