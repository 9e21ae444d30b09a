//! Making text comparable between runs and servers.

/// Replaces every UUID with `<uuid>`.
///
/// Unlike `testkit::normalize_uuids`, which numbers UUIDs by first appearance,
/// this forgets which UUID was which: tools print sets of UUIDs sorted by value,
/// and random values would make the numbering differ from run to run. Tests
/// check references between rows explicitly instead.
pub fn mask_uuids(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i + UUID_LEN <= b.len() {
        if is_uuid_at(b, i) {
            out.push_str(&s[copied..i]);
            out.push_str("<uuid>");
            i += UUID_LEN;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    canonical_index_clash(&out)
}

/// In a duplicate-index error the reference names the two rows in hash-table order,
/// which changes from run to run; with UUIDs masked, put the clauses in one order.
fn canonical_index_clash(s: &str) -> String {
    const FIRST: &str = "First row, with UUID <uuid>, ";
    const SECOND: &str = "  Second row, with UUID <uuid>, ";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(FIRST) {
        let after_first = &rest[start + FIRST.len()..];
        let Some(mid) = after_first.find(SECOND) else {
            break;
        };
        let a = &after_first[..mid];
        let after_second = &after_first[mid + SECOND.len()..];
        let end = after_second.find('.').map_or(after_second.len(), |e| e + 1);
        let b = &after_second[..end];
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        out.push_str(&rest[..start]);
        out.push_str(FIRST);
        out.push_str(x);
        out.push_str(SECOND);
        out.push_str(y);
        rest = &after_second[end..];
    }
    out.push_str(rest);
    out
}

const UUID_LEN: usize = 36;

/// Whether `s` is exactly one UUID in the canonical 8-4-4-4-12 form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == UUID_LEN && is_uuid_at(s.as_bytes(), 0)
}

fn is_uuid_at(b: &[u8], i: usize) -> bool {
    if i > 0 && b[i - 1].is_ascii_alphanumeric() {
        return false;
    }
    if b.get(i + UUID_LEN)
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    b[i..i + UUID_LEN].iter().enumerate().all(|(k, c)| match k {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// The lines of `s` sorted, for output whose row order is the server's hash order.
pub fn sorted_lines(s: &str) -> String {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The blank-line-separated records of `s` (as `ovs-vsctl list` prints rows)
/// sorted, for rows printed in the server's hash order.
pub fn sorted_records(s: &str) -> String {
    let mut records: Vec<&str> = s.split("\n\n").map(|r| r.trim_end_matches('\n')).collect();
    records.retain(|r| !r.is_empty());
    records.sort_unstable();
    records
        .iter()
        .map(|r| format!("{r}\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `ovs-vsctl show` output with the children of every entry sorted (the tool
/// prints ports and interfaces in the server's hash order). The indentation
/// tree is kept: each entry moves with everything nested under it.
pub fn sorted_tree(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let mut pos = 0;
    let mut blocks = Vec::new();
    while pos < lines.len() {
        blocks.push(tree_block(&lines, &mut pos));
    }
    blocks.sort_unstable();
    blocks.concat()
}

/// The entry at `lines[*pos]` and its descendants, children sorted, rendered.
fn tree_block(lines: &[&str], pos: &mut usize) -> String {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let head = lines[*pos];
    *pos += 1;
    let mut children = Vec::new();
    while *pos < lines.len() && indent(lines[*pos]) > indent(head) {
        children.push(tree_block(lines, pos));
    }
    children.sort_unstable();
    format!("{head}\n{}", children.concat())
}
