//! Shared by the fixture and live tests: the scenarios run against the real
//! tools, turning their output into [`Table`]s (the "model"), rendering a
//! model the way a case's options ask, and comparing.
//!
//! A scenario's model comes from the real tool itself: `--format=json` gives
//! the captions, headings and JSON cells, `--format=csv --data=string|bare`
//! the two text renderings of every cell. Every other output of the scenario
//! must then be reproduced from that model byte for byte.

#![allow(dead_code)] // each test binary uses a different part

pub mod capture;
pub mod csv;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ovs_json::Json;
use ovs_table::{Cell, Format, Printer, Style, Table};

/// One run of a real tool with some table options.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Part of the fixture file name: `<scenario>.<name>.txt`.
    pub name: &'static str,
    /// The table options, given before the tool's command.
    pub args: &'static [&'static str],
}

const fn case(name: &'static str, args: &'static [&'static str]) -> Case {
    Case { name, args }
}

/// What was run to get a set of tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// `ovsdb-client dump` of the custom database (`fixtures/t.ovsschema`
    /// filled by `fixtures/t-data.json`): five tables with captions.
    Dump,
    /// `ovs-vsctl list … -- find … -- list …` on the Open_vSwitch schema:
    /// three tables without captions in one invocation.
    Vsctl,
    /// `ovsdb-client monitor … T Events name n` through an initial state, an
    /// insert, a modify and a delete: four tables, timestamped.
    Monitor,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [Scenario::Dump, Scenario::Vsctl, Scenario::Monitor];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Dump => "dump",
            Scenario::Vsctl => "vsctl",
            Scenario::Monitor => "monitor",
        }
    }

    /// The tool's layout when no `--format` is given.
    pub fn default_format(self) -> Format {
        match self {
            Scenario::Vsctl => Format::List,
            Scenario::Dump | Scenario::Monitor => Format::Table,
        }
    }

    pub fn cases(self) -> &'static [Case] {
        match self {
            Scenario::Dump => DUMP_CASES,
            Scenario::Vsctl => VSCTL_CASES,
            Scenario::Monitor => MONITOR_CASES,
        }
    }
}

const DUMP_CASES: &[Case] = &[
    case("table", &[]),
    case("table-bare", &["--data=bare"]),
    case("table-json", &["--data=json"]),
    case("table-noheadings", &["--no-headings"]),
    case("table-bare-noheadings", &["--data=bare", "--no-headings"]),
    case("table-json-noheadings", &["-d", "json", "--no-headings"]),
    case("table-width9", &["--max-column-width=9"]),
    case(
        "table-width2-noheadings",
        &["--max-column-width=2", "--no-headings"],
    ),
    case("list", &["--format=list"]),
    case("list-width3", &["--format=list", "--max-column-width=3"]),
    case("list-bare", &["--format=list", "--data=bare"]),
    case("list-json", &["--format=list", "--data=json"]),
    case("list-noheadings", &["-f", "list", "--no-headings"]),
    case(
        "list-json-noheadings",
        &["--format=list", "--data=json", "--no-headings"],
    ),
    case("bare", &["--bare"]),
    case("bare-then-table", &["--bare", "--format=table"]),
    case("html", &["--format=html"]),
    case("html-width3", &["--format=html", "--max-column-width=3"]),
    case("html-bare", &["--format=html", "--data=bare"]),
    case("html-json", &["--format=html", "--data=json"]),
    case("html-noheadings", &["--format=html", "--no-headings"]),
    case("csv", &["--format=csv"]),
    case("csv-width3", &["--format=csv", "--max-column-width=3"]),
    case("csv-bare", &["--format=csv", "--data=bare"]),
    case("csv-json", &["--format=csv", "--data=json"]),
    case("csv-noheadings", &["--format=csv", "--no-headings"]),
    case("json", &["--format=json"]),
    case("json-pretty", &["--format=json", "--pretty"]),
    case(
        "json-bare-noheadings",
        &["--format=json", "--data=bare", "--no-headings"],
    ),
];

const VSCTL_CASES: &[Case] = &[
    case("list", &[]),
    case("list-json", &["--data=json"]),
    case("list-noheadings", &["--no-headings"]),
    case("bare", &["--bare"]),
    case("table", &["--format=table"]),
    case(
        "table-bare-noheadings",
        &["--format=table", "--data=bare", "--no-headings"],
    ),
    case("table-json", &["--format=table", "--data=json"]),
    case("table-width6", &["--format=table", "--max-column-width=6"]),
    case("html", &["--format=html"]),
    case("html-noheadings", &["--format=html", "--no-headings"]),
    case("csv", &["--format=csv"]),
    case("csv-bare", &["--format=csv", "--data=bare"]),
    case("csv-noheadings", &["--format=csv", "--no-headings"]),
    case("json", &["--format=json"]),
    case("json-pretty", &["--format=json", "--pretty"]),
];

/// The first three are also where the monitor's model comes from.
const MONITOR_CASES: &[Case] = &[
    case("csv", &["--timestamp", "--format=csv"]),
    case("csv-bare", &["--timestamp", "--format=csv", "--data=bare"]),
    case("json", &["--format=json"]),
    case("table", &["--timestamp"]),
    case("table-bare", &["--timestamp", "--data=bare"]),
    case("table-noheadings", &["--timestamp", "--no-headings"]),
    case("list", &["--timestamp", "--format=list"]),
    case(
        "list-bare",
        &["--timestamp", "--format=list", "--data=bare"],
    ),
    case("html", &["--timestamp", "--format=html"]),
];

/// `crates/ovs-table/tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The style a tool would build from `args`, applied in order through the
/// crate's own option setters.
pub fn style_from_args(default: Format, args: &[&str]) -> Style {
    let mut style = Style::new(default);
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (arg, None),
        };
        let mut value = || -> &str {
            match inline {
                Some(v) => v,
                None => args
                    .next()
                    .copied()
                    .unwrap_or_else(|| panic!("{arg} needs a value")),
            }
        };
        let result = match name {
            "-f" | "--format" => style.set_format_arg(value()),
            "-d" | "--data" => style.set_data_arg(value()),
            "--max-column-width" => {
                style.set_max_column_width_arg(value());
                Ok(())
            }
            "--no-headings" => {
                style.headings = false;
                Ok(())
            }
            "--pretty" => {
                style.pretty = true;
                Ok(())
            }
            "--bare" => {
                style.set_bare();
                Ok(())
            }
            "--timestamp" => {
                style.timestamp = true;
                Ok(())
            }
            other => panic!("test case uses unknown option {other}"),
        };
        if let Err(e) = result {
            panic!("{arg}: {e}");
        }
    }
    style
}

/// Prints `model` the way `case` asks. Timestamps are taken, in order, from
/// the `YYYY-MM-DD HH:MM:SS.mmm` lines of `expected`, since they record when
/// the real tool printed.
pub fn render(scenario: Scenario, model: &[Table], case: &Case, expected: &str) -> String {
    let style = style_from_args(scenario.default_format(), case.args);
    let mut times = expected.lines().filter_map(parse_timestamp_line);
    let mut printer = Printer::new(style.clone());
    let mut out = String::new();
    for table in model {
        let time = if style.timestamp {
            times.next().unwrap_or(UNIX_EPOCH)
        } else {
            UNIX_EPOCH
        };
        printer.print_at(table, time, &mut out);
    }
    out
}

/// Renders every case of `scenario` from `model` and compares each with
/// `expected(case)`. Returns one message per mismatch.
pub fn compare_all(
    scenario: Scenario,
    model: &[Table],
    mut expected: impl FnMut(&Case) -> String,
) -> Vec<String> {
    let mut failures = Vec::new();
    for case in scenario.cases() {
        let want = expected(case);
        let got = render(scenario, model, case, &want);
        if let Some(why) = difference(&want, &got) {
            failures.push(format!(
                "{}.{} ({:?}): {why}",
                scenario.name(),
                case.name,
                case.args
            ));
        }
    }
    failures
}

/// Where two texts first differ, or `None` if they are equal.
pub fn difference(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let want_lines: Vec<&str> = want.split_inclusive('\n').collect();
    let got_lines: Vec<&str> = got.split_inclusive('\n').collect();
    for i in 0..want_lines.len().max(got_lines.len()) {
        let w = want_lines.get(i).copied();
        let g = got_lines.get(i).copied();
        if w != g {
            return Some(format!(
                "line {}: real tool printed {w:?}, we printed {g:?}",
                i + 1
            ));
        }
    }
    Some("texts differ".into())
}

/// A `--timestamp` line's time.
pub fn parse_timestamp_line(line: &str) -> Option<SystemTime> {
    let b = line.as_bytes();
    let shape = b"dddd-dd-dd dd:dd:dd.ddd";
    if b.len() != shape.len()
        || !b.iter().zip(shape).all(|(&c, &s)| {
            if s == b'd' {
                c.is_ascii_digit()
            } else {
                c == s
            }
        })
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> i64 { line[r].parse().unwrap_or(0) };
    let days = days_from_civil(num(0..4), num(5..7), num(8..10));
    let ms =
        (((days * 24 + num(11..13)) * 60 + num(14..16)) * 60 + num(17..19)) * 1000 + num(20..23);
    Some(UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).ok()?))
}

/// Days from 1970-01-01 to a Gregorian date (after 1970 is enough here).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let is_leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum::<i64>();
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for m in 1..month {
        days += month_days[(m - 1) as usize] + i64::from(m == 2 && is_leap(year));
    }
    days + day - 1
}

/// Builds a scenario's model from the real tool's output for its `json`,
/// `csv` and `csv-bare` cases. (In the monitor scenario the CSV tables are
/// timestamped and the JSON ones are not.)
pub fn model_from_outputs(scenario: Scenario, output: impl Fn(&str) -> String) -> Vec<Table> {
    let json_out = output("json");
    let csv_string = output("csv");
    let csv_bare = output("csv-bare");
    let csv_has_timestamps = scenario == Scenario::Monitor;
    let mut tables = Vec::new();
    let mut string_rest = csv_string.as_str();
    let mut bare_rest = csv_bare.as_str();
    for (i, line) in json_out.lines().enumerate() {
        let json = ovs_json::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let caption = json
            .get("caption")
            .and_then(Json::as_str)
            .map(str::to_string);
        let headings: Vec<String> = json
            .get("headings")
            .and_then(Json::as_array)
            .unwrap_or_else(|| panic!("no headings in {line}"))
            .iter()
            .map(|h| {
                h.as_str()
                    .unwrap_or_else(|| panic!("heading {h}"))
                    .to_string()
            })
            .collect();
        let data = json
            .get("data")
            .and_then(Json::as_array)
            .unwrap_or_else(|| panic!("no data in {line}"));
        let layout = csv::TableLayout {
            separated: i > 0,
            timestamped: csv_has_timestamps,
            caption: caption.as_deref(),
            headings: &headings,
            rows: data.len(),
        };
        let strings = layout.read(&mut string_rest);
        let bares = layout.read(&mut bare_rest);
        let mut table = Table::new(headings.clone());
        table.caption = caption;
        for ((row, string_row), bare_row) in data.iter().zip(strings).zip(bares) {
            let cells = row.as_array().unwrap_or_else(|| panic!("row {row}"));
            assert_eq!(cells.len(), headings.len(), "{line}");
            table.add_row(
                cells
                    .iter()
                    .zip(string_row)
                    .zip(bare_row)
                    .map(|((json, string), bare)| Cell::new(string, bare, json.clone()))
                    .collect(),
            );
        }
        tables.push(table);
    }
    assert!(string_rest.is_empty(), "CSV left over: {string_rest:?}");
    assert!(bare_rest.is_empty(), "CSV left over: {bare_rest:?}");
    tables
}

/// The model as stored in `<scenario>.model.json`: `{"tables": [{"caption",
/// "headings", "rows": [[[string, bare, json], …], …]}, …]}`.
pub fn model_to_json(model: &[Table]) -> String {
    let tables = model.iter().map(|t| {
        let mut members = vec![
            (
                "headings",
                Json::array(t.headings.iter().map(|h| Json::string(h.as_str()))),
            ),
            (
                "rows",
                Json::array(t.rows.iter().map(|row| {
                    Json::array(row.iter().map(|c| {
                        Json::array([
                            Json::string(c.string.as_str()),
                            Json::string(c.bare.as_str()),
                            c.json.clone(),
                        ])
                    }))
                })),
            ),
        ];
        if let Some(c) = &t.caption {
            members.push(("caption", Json::string(c.as_str())));
        }
        Json::object(members)
    });
    let mut text = Json::object([("tables", Json::array(tables))]).to_pretty();
    text.push('\n');
    text
}

/// Reads what [`model_to_json`] wrote.
pub fn model_from_json(text: &str) -> Vec<Table> {
    let json = ovs_json::parse(text).unwrap_or_else(|e| panic!("model: {e}"));
    let tables = json
        .get("tables")
        .and_then(Json::as_array)
        .expect("model has tables");
    tables
        .iter()
        .map(|t| {
            let strings = |j: Option<&Json>| -> Vec<Json> {
                j.and_then(Json::as_array).expect("model array").to_vec()
            };
            let mut table = Table::new(
                strings(t.get("headings"))
                    .iter()
                    .map(|h| h.as_str().expect("heading").to_string()),
            );
            table.caption = t.get("caption").and_then(Json::as_str).map(str::to_string);
            for row in strings(t.get("rows")) {
                let cells = row
                    .as_array()
                    .expect("model row")
                    .iter()
                    .map(|c| match c.as_array() {
                        Some([Json::String(s), Json::String(b), j]) => {
                            Cell::new(s.as_str(), b.as_str(), j.clone())
                        }
                        _ => panic!("model cell {c}"),
                    })
                    .collect();
                table.add_row(cells);
            }
            table
        })
        .collect()
}
