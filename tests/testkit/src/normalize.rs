//! Making tool output comparable across runs: UUIDs and timestamps differ
//! every time, so tests replace them with stable tokens before comparing
//! (the way Open vSwitch's own tests filter UUIDs).

use std::collections::HashMap;

/// Replaces each UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in
/// either case) with `<0>`, `<1>`, ... numbered in order of first appearance;
/// the same UUID always gets the same token, so references between rows stay
/// visible. A UUID glued to other letters or digits is left alone.
pub fn normalize_uuids(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut tokens: HashMap<String, usize> = HashMap::new();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i + UUID_LEN <= bytes.len() {
        if is_uuid_at(bytes, i) {
            let uuid = s[i..i + UUID_LEN].to_ascii_lowercase();
            let next = tokens.len();
            let n = *tokens.entry(uuid).or_insert(next);
            out.push_str(&s[copied..i]);
            out.push_str(&format!("<{n}>"));
            i += UUID_LEN;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}

const UUID_LEN: usize = 36;

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

/// Replaces timestamps with `<date>`: `YYYY-MM-DD HH:MM:SS` and
/// `YYYY-MM-DDTHH:MM:SS`, each with optional fractional seconds and an
/// optional `Z` (the forms in `ovsdb-tool show-log` and in log files).
pub fn normalize_dates(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let preceded_by_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        match (!preceded_by_digit)
            .then(|| date_len_at(bytes, i))
            .flatten()
        {
            Some(len) => {
                out.push_str(&s[copied..i]);
                out.push_str("<date>");
                i += len;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// Length of the timestamp starting at `i`, if one does.
fn date_len_at(b: &[u8], i: usize) -> Option<usize> {
    // D = digit, anything else must match exactly; position 10 is ' ' or 'T'.
    const SHAPE: &[u8; 19] = b"DDDD-DD-DD?DD:DD:DD";
    let window = b.get(i..i + SHAPE.len())?;
    let fits = window.iter().zip(SHAPE).all(|(c, want)| match want {
        b'D' => c.is_ascii_digit(),
        b'?' => *c == b' ' || *c == b'T',
        _ => c == want,
    });
    if !fits {
        return None;
    }
    let mut len = SHAPE.len();
    if b.get(i + len) == Some(&b'.') && b.get(i + len + 1).is_some_and(u8::is_ascii_digit) {
        len += 1;
        while b.get(i + len).is_some_and(u8::is_ascii_digit) {
            len += 1;
        }
    }
    if b.get(i + len) == Some(&b'Z') {
        len += 1;
    }
    Some(len)
}

/// `text` without the reference's `timeval` warnings ("Unreasonably long
/// ...ms poll interval" and the faults and context switches lines after
/// it) and the `coverage` dump it logs with them: they say how loaded the
/// machine was, not what a tool did.
pub fn without_load_warnings(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.contains("|timeval|WARN|") && !l.contains("|coverage|INFO|"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_warnings_go_and_the_rest_stays() {
        let text = "x|00002|timeval|WARN|Unreasonably long 1029ms poll interval\n\
                    ovs-vsctl: no bridge named br9\n\
                    x|00003|timeval|WARN|faults: 95 minor, 0 major\n\
                    x|00004|coverage|INFO|vconn_sent   0.0/sec  total: 3\n";
        assert_eq!(
            without_load_warnings(text),
            "ovs-vsctl: no bridge named br9\n"
        );
    }

    const A: &str = "550e8400-e29b-41d4-a716-446655440000";
    const B: &str = "1972b8c5-5175-4577-bc1d-48445ccd1d6f";

    #[test]
    fn uuids_are_numbered_by_first_appearance() {
        let text = format!("_uuid: {B}\nbridges: [{A}]\nnext: {B}\n[\"uuid\",\"{A}\"]");
        assert_eq!(
            normalize_uuids(&text),
            "_uuid: <0>\nbridges: [<1>]\nnext: <0>\n[\"uuid\",\"<1>\"]"
        );
    }

    #[test]
    fn uuid_case_does_not_make_a_new_token() {
        let text = format!("{A} {}", A.to_uppercase());
        assert_eq!(normalize_uuids(&text), "<0> <0>");
    }

    #[test]
    fn uuid_like_text_inside_words_is_kept() {
        let glued = format!("x{A} {A}0 {}", &A[..35]);
        assert_eq!(normalize_uuids(&glued), glued);
        let not_hex = A.replace('e', "g");
        assert_eq!(normalize_uuids(&not_hex), not_hex);
    }

    #[test]
    fn text_without_uuids_is_unchanged_including_non_ascii() {
        let text = "größe → 12345678-1234 ✓";
        assert_eq!(normalize_uuids(text), text);
        assert_eq!(normalize_uuids(""), "");
    }

    #[test]
    fn dates_in_show_log_and_log_file_forms() {
        assert_eq!(
            normalize_dates("record 1: 2024-01-02 03:04:05.678 \"comment\""),
            "record 1: <date> \"comment\""
        );
        assert_eq!(
            normalize_dates("2026-11-21T01:48:47.604Z|00001|vlog|INFO|opened"),
            "<date>|00001|vlog|INFO|opened"
        );
        assert_eq!(
            normalize_dates("2026-11-21T01:48:47Z|00002|x"),
            "<date>|00002|x"
        );
    }

    #[test]
    fn things_that_are_not_dates_are_kept() {
        for text in [
            "2024-01-02",
            "12024-01-02 03:04:05",
            "2024-01-02 03:04",
            "2024/01/02 03:04:05",
            "version 2024-01-02x03:04:05",
        ] {
            assert_eq!(normalize_dates(text), text);
        }
        // A dot not followed by digits is not part of the timestamp.
        assert_eq!(normalize_dates("at 2024-01-02 03:04:05."), "at <date>.");
    }
}
