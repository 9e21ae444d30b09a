//! Log line patterns (`vlog/set PATTERN:destination:pattern`): `%`-escapes with
//! optional `-` (left-justify), `0` (zero fill) and a minimum width, and an optional
//! `{argument}` (the strftime format of `%d`/`%D`, where `#` stands for digits of
//! the fractional second).

use std::ffi::CString;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::level::Level;

/// Console lines: UTC time to the second.
pub const DEFAULT_CONSOLE: &str = "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m";
/// File lines: UTC time to the millisecond.
pub const DEFAULT_FILE: &str = "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m";
/// Syslog messages.
pub const DEFAULT_SYSLOG: &str = "ovs|%05N|%c%T|%p|%m";
/// Put in front of syslog messages sent over a socket rather than through the C
/// library (which adds its own header).
pub const SYSLOG_PREFIX: &str = "<%B> %D{%h %e %T} %E %A: ";

/// `%d`/`%D` without an argument.
const DEFAULT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S.###";

#[derive(Clone, Debug, PartialEq)]
enum Field {
    Program,
    Priority,
    Module,
    LocalTime(String),
    UtcTime(String),
    Host,
    Message,
    Sequence,
    Newline,
    Level,
    Pid,
    Elapsed,
    Subprogram,
    SubprogramInParens,
    Literal(char),
}

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Text(String),
    Field {
        field: Field,
        left: bool,
        zero: bool,
        width: usize,
    },
}

/// A parsed pattern; keeps its source text for `vlog/list-pattern`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    source: String,
    items: Vec<Item>,
}

/// Everything a pattern may refer to for one message.
pub struct Record<'a> {
    pub program: &'a str,
    pub module: &'a str,
    pub level: Level,
    pub message: &'a str,
    pub sequence: u32,
    pub time: SystemTime,
    pub subprogram: &'a str,
    pub facility: u8,
    pub hostname: &'a str,
    pub started: Instant,
}

impl Pattern {
    /// Parses a pattern. Every text is a valid pattern: unknown escapes stand for
    /// their own character, as in the reference.
    pub fn new(source: &str) -> Pattern {
        let mut items = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            let left = chars.next_if_eq(&'-').is_some();
            let zero = chars.next_if_eq(&'0').is_some();
            let mut width = 0usize;
            while let Some(d) = chars.next_if(|c| c.is_ascii_digit()) {
                width = width
                    .saturating_mul(10)
                    .saturating_add(d.to_digit(10).unwrap_or(0) as usize);
            }
            let Some(conv) = chars.next() else {
                // A lone '%' at the end stands for itself.
                text.push('%');
                break;
            };
            // Any escape may carry an argument; only the dates use it.
            let mut arg = None;
            if chars.next_if_eq(&'{').is_some() {
                let mut a = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    a.push(c);
                }
                arg = Some(a);
            }
            let time_format = || arg.clone().unwrap_or_else(|| DEFAULT_TIME_FORMAT.into());
            let field = match conv {
                'A' => Field::Program,
                'B' => Field::Priority,
                'c' => Field::Module,
                'd' => Field::LocalTime(time_format()),
                'D' => Field::UtcTime(time_format()),
                'E' => Field::Host,
                'm' => Field::Message,
                'N' => Field::Sequence,
                'n' => Field::Newline,
                'p' => Field::Level,
                'P' => Field::Pid,
                'r' => Field::Elapsed,
                't' => Field::Subprogram,
                'T' => Field::SubprogramInParens,
                other => Field::Literal(other),
            };
            if !text.is_empty() {
                items.push(Item::Text(std::mem::take(&mut text)));
            }
            items.push(Item::Field {
                field,
                left,
                zero,
                width,
            });
        }
        if !text.is_empty() {
            items.push(Item::Text(text));
        }
        Pattern {
            source: source.to_string(),
            items,
        }
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Appends the formatted record to `out`.
    pub fn render(&self, r: &Record<'_>, out: &mut String) {
        for item in &self.items {
            match item {
                Item::Text(t) => out.push_str(t),
                Item::Field {
                    field,
                    left,
                    zero,
                    width,
                } => {
                    let value = expand(field, r);
                    pad(out, &value, *left, *zero, *width);
                }
            }
        }
    }
}

fn expand(field: &Field, r: &Record<'_>) -> String {
    match field {
        Field::Program => r.program.to_string(),
        Field::Priority => {
            (u32::from(r.facility) * 8 + r.level.syslog_severity() as u32).to_string()
        }
        Field::Module => r.module.to_string(),
        Field::LocalTime(fmt) => format_time(fmt, r.time, false),
        Field::UtcTime(fmt) => format_time(fmt, r.time, true),
        Field::Host => r.hostname.to_string(),
        Field::Message => r.message.to_string(),
        Field::Sequence => r.sequence.to_string(),
        Field::Newline => "\n".to_string(),
        Field::Level => r.level.name().to_string(),
        Field::Pid => std::process::id().to_string(),
        Field::Elapsed => r.started.elapsed().as_millis().to_string(),
        Field::Subprogram => {
            if r.subprogram.is_empty() {
                "main".to_string()
            } else {
                r.subprogram.to_string()
            }
        }
        Field::SubprogramInParens => {
            if r.subprogram.is_empty() {
                String::new()
            } else {
                format!("({})", r.subprogram)
            }
        }
        Field::Literal(c) => c.to_string(),
    }
}

/// Pads to `width` characters; with `left` the padding goes after the value, even
/// when it is zeros (as the reference does).
fn pad(out: &mut String, value: &str, left: bool, zero: bool, width: usize) {
    let len = value.chars().count();
    let fill = if zero { '0' } else { ' ' };
    let n = width.saturating_sub(len);
    if left {
        out.push_str(value);
        out.extend(std::iter::repeat_n(fill, n));
    } else {
        out.extend(std::iter::repeat_n(fill, n));
        out.push_str(value);
    }
}

/// strftime(3) of `time`, after replacing each run of `#` with that many digits of
/// the fractional second (milliseconds, then zeros).
pub(crate) fn format_time(format: &str, time: SystemTime, utc: bool) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let millis = since.subsec_millis();
    let mut fmt = String::with_capacity(format.len());
    let mut run = 0usize;
    for c in format.chars() {
        if c == '#' {
            let digit = match run {
                0 => millis / 100,
                1 => millis / 10 % 10,
                2 => millis % 10,
                _ => 0,
            };
            fmt.push(char::from(b'0' + digit as u8));
            run += 1;
        } else {
            run = 0;
            fmt.push(c);
        }
    }
    if fmt.is_empty() {
        return String::new();
    }
    let Ok(cfmt) = CString::new(fmt) else {
        return String::new();
    };
    let secs = libc::time_t::try_from(since.as_secs()).unwrap_or(libc::time_t::MAX);
    // SAFETY: an all-zero tm is a valid value for the conversion to overwrite.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call; the _r variants
    // do not use shared static storage.
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&secs, &mut tm).is_null()
        } else {
            !libc::localtime_r(&secs, &mut tm).is_null()
        }
    };
    if !ok {
        return String::new();
    }
    let mut buf = vec![0u8; 128];
    loop {
        // SAFETY: buf is writable for buf.len() bytes, cfmt is NUL-terminated and
        // tm was filled in above.
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), cfmt.as_ptr(), &tm) };
        if n > 0 {
            buf.truncate(n);
            return String::from_utf8_lossy(&buf).into_owned();
        }
        // 0 means "did not fit" (or an empty expansion); give up at a sane size.
        if buf.len() >= 8192 {
            return String::new();
        }
        buf.resize(buf.len() * 4, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn record(time: SystemTime, started: Instant) -> Record<'static> {
        Record {
            program: "ovsdb-server",
            module: "vlog",
            level: Level::Info,
            message: "opened log file /tmp/x.log",
            sequence: 3,
            time,
            subprogram: "",
            facility: 16,
            hostname: "vm",
            started,
        }
    }

    // 2026-11-21T02:03:27.142Z
    fn sample_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_795_226_607_142)
    }

    fn render(pattern: &str) -> String {
        let mut out = String::new();
        Pattern::new(pattern).render(&record(sample_time(), Instant::now()), &mut out);
        out
    }

    #[test]
    fn default_patterns_give_reference_lines() {
        assert_eq!(
            render(DEFAULT_FILE),
            "2026-11-21T02:03:27.142Z|00003|vlog|INFO|opened log file /tmp/x.log"
        );
        assert_eq!(
            render(DEFAULT_CONSOLE),
            "2026-11-21T02:03:27Z|00003|vlog|INFO|opened log file /tmp/x.log"
        );
        assert_eq!(
            render(DEFAULT_SYSLOG),
            "ovs|00003|vlog|INFO|opened log file /tmp/x.log"
        );
        assert_eq!(
            render(SYSLOG_PREFIX),
            "<133> Nov 21 02:03:27 vm ovsdb-server: "
        );
    }

    #[test]
    fn escapes_widths_and_flags_match_the_reference() {
        // Observed from the reference with the same pattern (its %d is local time,
        // UTC on that machine, so only %D is checked here).
        assert_eq!(
            render("%A|%B|%c|%E|%N|%p|%t|%T|%%|%-10c|%010N|%5p|%-5p|%x|%3m"),
            "ovsdb-server|133|vlog|vm|3|INFO|main||%|vlog      |0000000003| INFO|INFO |x|opened log file /tmp/x.log"
        );
        assert_eq!(
            render("%-08c|%08p|%-8N|%03c"),
            "vlog0000|0000INFO|3       |vlog"
        );
        assert_eq!(render("%D"), "2026-11-21 02:03:27.142");
        assert_eq!(render("%D{%H#.###}"), "021.142");
        assert_eq!(render("%D{%H:%M:%S.######}"), "02:03:27.142000");
        assert_eq!(render("%D{%s}"), "1795226607");
        assert_eq!(render("%5D{x}"), "    x");
        // An argument on a non-date escape is swallowed.
        assert_eq!(render("%c{x}|"), "vlog|");
        assert_eq!(render("a%"), "a%");
        assert_eq!(render("%n"), "\n");
        assert_eq!(render("%P"), std::process::id().to_string());
    }

    #[test]
    fn subprogram_names_show_in_t_and_parenthesised_in_big_t() {
        let mut r = record(sample_time(), Instant::now());
        r.subprogram = "monitor";
        let mut out = String::new();
        Pattern::new("%c%T|%t").render(&r, &mut out);
        assert_eq!(out, "vlog(monitor)|monitor");
    }

    #[test]
    fn elapsed_time_counts_from_the_start() {
        let started = Instant::now() - Duration::from_millis(1500);
        let mut out = String::new();
        Pattern::new("%r").render(&record(sample_time(), started), &mut out);
        let ms: u128 = out.parse().unwrap();
        assert!(ms >= 1500, "{out}");
    }

    #[test]
    fn source_text_is_kept() {
        assert_eq!(Pattern::new(DEFAULT_FILE).source(), DEFAULT_FILE);
        assert_eq!(Pattern::new("").source(), "");
    }
}
