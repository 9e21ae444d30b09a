//! Reading the real tool's CSV output back into cell texts (RFC 4180: a
//! field in double quotes may hold commas, newlines and doubled quotes).

/// What one table of CSV output looks like, known from its JSON twin.
pub struct TableLayout<'a> {
    /// A blank line comes first (every table but the first).
    pub separated: bool,
    /// A `--timestamp` line comes next.
    pub timestamped: bool,
    pub caption: Option<&'a str>,
    pub headings: &'a [String],
    pub rows: usize,
}

impl TableLayout<'_> {
    /// Consumes one table from the front of `rest` and returns its rows.
    /// Panics if the text does not have this layout.
    pub fn read(&self, rest: &mut &str) -> Vec<Vec<String>> {
        if self.separated {
            expect_line(rest, Some(""));
        }
        if self.timestamped {
            expect_line(rest, None);
        }
        if let Some(caption) = self.caption {
            expect_line(rest, Some(caption));
        }
        let headings = record(rest);
        assert_eq!(headings, self.headings, "CSV headings");
        (0..self.rows).map(|_| record(rest)).collect()
    }
}

fn expect_line(rest: &mut &str, want: Option<&str>) {
    let (line, after) = rest
        .split_once('\n')
        .unwrap_or_else(|| panic!("CSV ended early: {rest:?}"));
    if let Some(want) = want {
        assert_eq!(line, want, "CSV line");
    }
    *rest = after;
}

/// One record (a row) from the front of `rest`, through its newline.
pub fn record(rest: &mut &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = rest.char_indices();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some((i, c)) = chars.next() {
        if quoted {
            if c == '"' {
                if rest[i + 1..].starts_with('"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => quoted = true,
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                continue;
            }
            '\n' => {
                fields.push(field);
                *rest = &rest[i + 1..];
                return fields;
            }
            c => field.push(c),
        }
        at_field_start = false;
    }
    panic!("CSV record without a newline: {rest:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields() {
        let mut s = "a,\"b,\"\"c\"\"\nd\",,e\nnext\n";
        assert_eq!(record(&mut s), ["a", "b,\"c\"\nd", "", "e"]);
        assert_eq!(record(&mut s), ["next"]);
        assert_eq!(s, "");
        let mut s = "\n";
        assert_eq!(record(&mut s), [""]);
    }
}
