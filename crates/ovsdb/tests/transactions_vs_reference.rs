//! Differential test of the transaction engine: every request of the corpus
//! (tests/fixtures/txn-corpus.txt) runs through the real `ovsdb-tool transact` and through
//! `ovsdb::execute_params`, in order, each side committing into its own database, and the
//! replies must agree once UUIDs are replaced by tokens.
//!
//! The real Open vSwitch must be installed: without it this test fails (CI installs it).

use ovs_json::Json;
use ovsdb::{execute_params, Database, DatabaseSchema, ExecContext, Execution};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use testkit::{normalize_uuids, real_ovs, require_real_ovs, run, run_ok, RunDir};

struct Section {
    schema: PathBuf,
    /// (line number, request text)
    records: Vec<(usize, String)>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load_corpus() -> Vec<Section> {
    let path = fixtures().join("txn-corpus.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let flush = |sections: &mut Vec<Section>, current: &mut Option<(usize, String)>| {
        if let Some(record) = current.take() {
            sections
                .last_mut()
                .expect("a record before the first @schema line")
                .records
                .push(record);
        }
    };
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("@schema") {
            flush(&mut sections, &mut current);
            if let Some(file) = trimmed.strip_prefix("@schema") {
                let file = Path::new(file.trim());
                let schema = if file.is_absolute() {
                    file.to_path_buf()
                } else {
                    fixtures().join(file)
                };
                sections.push(Section {
                    schema,
                    records: Vec::new(),
                });
            }
            continue;
        }
        match &mut current {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(line);
            }
            None => current = Some((i + 1, line.to_owned())),
        }
    }
    flush(&mut sections, &mut current);
    sections
}

/// The reply in a comparable form: numbers as our printer prints them, and the rows of
/// each select without "sort" (whose order the reference leaves to its hash tables) in
/// an order that does not depend on UUID values.
fn canonical(params: &Json, reply: &Json) -> Json {
    let mut reply = ovs_json::parse(&reply.to_compact()).expect("reply reparses");
    let ops = params.as_array().unwrap_or(&[]);
    if let Json::Array(results) = &mut reply {
        for (op, result) in ops.iter().skip(1).zip(results.iter_mut()) {
            let is_select = op.get("op") == Some(&Json::string("select"));
            if !is_select || op.get("sort").is_some() {
                continue;
            }
            if let Json::Object(o) = result {
                if let Some(Json::Array(rows)) = o.get_mut("rows") {
                    rows.sort_by_cached_key(|r| normalize_uuids(&r.to_compact()));
                }
            }
        }
    }
    reply
}

/// The reply with the two rows of a duplicate-index error named in the other order (the
/// reference orders them by comparing all columns in its hash-table order).
fn swap_index_rows(text: &str) -> Option<String> {
    let first = text.find("First row, with UUID ")?;
    let second = first + text[first..].find("  Second row, with UUID ")?;
    // The details string ends at the first unescaped quote.
    let bytes = text.as_bytes();
    let end = (second..bytes.len()).find(|&i| bytes[i] == b'"' && bytes[i - 1] != b'\\')?;
    let a = &text[first + "First".len()..second];
    let b = &text[second + "  Second".len()..end];
    Some(format!(
        "{}First{b}  Second{a}{}",
        &text[..first],
        &text[end..]
    ))
}

fn compare(params: &Json, ours: &Json, theirs: &Json) -> Result<(), String> {
    let ours = canonical(params, ours).to_compact();
    let theirs = normalize_uuids(&canonical(params, theirs).to_compact());
    if normalize_uuids(&ours) == theirs {
        return Ok(());
    }
    if let Some(swapped) = swap_index_rows(&ours) {
        if normalize_uuids(&swapped) == theirs {
            return Ok(());
        }
    }
    Err(format!(
        "  ours:   {}\n  theirs: {theirs}",
        normalize_uuids(&ours)
    ))
}

#[test]
fn transactions_match_ovsdb_tool() {
    require_real_ovs();
    let dir = RunDir::new("transactions_match_ovsdb_tool");
    let corpus = load_corpus();
    let mut failures = Vec::new();
    let mut n = 0;
    for (si, section) in corpus.iter().enumerate() {
        let db_path = dir.file(&format!("section{si}.db"));
        run_ok(
            dir.command(real_ovs::OVSDB_TOOL)
                .arg("create")
                .arg(&db_path)
                .arg(&section.schema),
        );
        let schema_text = std::fs::read_to_string(&section.schema)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", section.schema.display()));
        let schema_json = ovs_json::parse(&schema_text).expect("schema is JSON");
        let schema = DatabaseSchema::from_json(&schema_json).expect("schema parses");
        let mut db = Database::new(Arc::new(schema));
        for (line, text) in &section.records {
            let params = ovs_json::parse(text)
                .unwrap_or_else(|e| panic!("corpus line {line}: bad JSON: {e:?}"));
            let out = run(dir
                .command(real_ovs::OVSDB_TOOL)
                .arg("transact")
                .arg(&db_path)
                .arg(text));
            assert!(
                out.success(),
                "ovsdb-tool transact failed on corpus line {line}: {}",
                out.stderr
            );
            let theirs = ovs_json::parse(out.stdout.trim()).unwrap_or_else(|e| {
                panic!("line {line}: ovsdb-tool printed {:?}: {e:?}", out.stdout)
            });
            let ours = match execute_params(&db, &params, &ExecContext::new(Instant::now())) {
                Execution::Committed {
                    result, changes, ..
                } => {
                    db.apply(&changes);
                    result
                }
                Execution::Failed { result } => result,
                Execution::Blocked { .. } => panic!("line {line}: blocked without triggers"),
            };
            if let Err(diff) = compare(&params, &ours, &theirs) {
                failures.push(format!("corpus line {line}:\n{diff}"));
            }
            n += 1;
        }
    }
    assert!(n >= 80, "the corpus has only {n} transactions");
    assert!(
        failures.is_empty(),
        "{} of {n} transactions differ from ovsdb-tool:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn index_row_swap_keeps_the_rest() {
    let text = r#"{"details":"X.  First row, with UUID a, one.  Second row, with UUID b, two.","error":"e"}"#;
    assert_eq!(
        swap_index_rows(text).unwrap(),
        r#"{"details":"X.  First row, with UUID b, two.  Second row, with UUID a, one.","error":"e"}"#
    );
    assert_eq!(swap_index_rows("no such error"), None);
}
