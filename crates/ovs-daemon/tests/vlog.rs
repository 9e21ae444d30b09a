//! vlog end to end, in a process of its own: the log file's lines, sequence numbers,
//! levels, patterns, reopening after rotation, rate limits and logging from threads.
//! One test function, because all of this is process-wide state.

use std::fs;
use std::path::Path;

use ovs_daemon::vlog::{self, Destination, Level};
use testkit::RunDir;

static LOG: vlog::Module = vlog::Module::new("vlog_test");
static RL: vlog::RateLimit = vlog::RateLimit::new(1, 2);

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// Splits a default-pattern file line into (time, seq, module, level, message) and
/// checks the time's shape: YYYY-MM-DDTHH:MM:SS.mmmZ.
fn parse_line(line: &str) -> (u32, String, String, String) {
    let parts: Vec<&str> = line.splitn(5, '|').collect();
    assert_eq!(parts.len(), 5, "{line}");
    let t = parts[0].as_bytes();
    assert_eq!(t.len(), 24, "{line}");
    for (i, &b) in t.iter().enumerate() {
        let ok = match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'.',
            23 => b == b'Z',
            _ => b.is_ascii_digit(),
        };
        assert!(ok, "bad time in {line}");
    }
    assert_eq!(parts[1].len(), 5, "{line}");
    (
        parts[1].parse().unwrap(),
        parts[2].to_string(),
        parts[3].to_string(),
        parts[4].to_string(),
    )
}

#[test]
fn logging_end_to_end() {
    let dir = RunDir::new("vlog_end_to_end");
    vlog::init("vlog-test", &[&LOG]);
    // Keep the test's stderr quiet and the system log clean.
    vlog::set_syslog_method("null").unwrap();
    vlog::set_levels(None, Some(Destination::Console), Level::Off).unwrap();

    assert_eq!(
        vlog::reopen_log_file(),
        Err("Logging to file not configured".into())
    );
    let missing = dir.file("no/such/dir.log");
    assert_eq!(
        vlog::set_log_file(Some(&missing)),
        Err(format!(
            "failed to open {} for logging: No such file or directory",
            missing.display()
        ))
    );

    let log = dir.file("test.log");
    vlog::set_log_file(Some(&log)).unwrap();
    vlog::info!(LOG, "hello {}", 1);
    vlog::dbg!(LOG, "not logged at the default level");
    vlog::warn!(LOG, "careful");
    let l = lines(&log);
    assert_eq!(l.len(), 3, "{l:?}");
    assert_eq!(
        parse_line(&l[0]),
        (
            parse_line(&l[0]).0,
            "vlog".into(),
            "INFO".into(),
            format!("opened log file {}", log.display())
        )
    );
    let (s1, m, lv, msg) = parse_line(&l[1]);
    assert_eq!(
        (m.as_str(), lv.as_str(), msg.as_str()),
        ("vlog_test", "INFO", "hello 1")
    );
    let (s2, _, lv, _) = parse_line(&l[2]);
    assert_eq!(lv, "WARN");
    assert_eq!(s2, s1 + 1);

    // Levels per module and destination; a message that goes nowhere takes no number.
    vlog::set_levels_from_string("vlog_test:file:dbg").unwrap();
    vlog::dbg!(LOG, "now logged");
    vlog::set_levels_from_string("vlog_test:file:off").unwrap();
    vlog::emer!(LOG, "dropped everywhere");
    assert_eq!(LOG.level(Destination::File), Level::Off);
    vlog::set_levels_from_string("vlog_test:file:info").unwrap();
    vlog::info!(LOG, "back");
    let l = lines(&log);
    let (s3, _, lv, msg) = parse_line(&l[3]);
    assert_eq!((lv.as_str(), msg.as_str()), ("DBG", "now logged"));
    let (s4, _, _, msg) = parse_line(&l[4]);
    assert_eq!(msg, "back");
    assert_eq!((s3, s4), (s2 + 1, s2 + 2));
    assert!(vlog::list().contains("\nvlog_test          OFF       INFO       INFO\n"));

    // Patterns.
    vlog::set_levels_from_string("PATTERN:file:%c%T|%p|%m").unwrap();
    vlog::info!(LOG, "patterned");
    std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| {
            vlog::set_subprogram_name("worker");
            vlog::info!(LOG, "from a thread");
        })
        .unwrap()
        .join()
        .unwrap();
    let l = lines(&log);
    assert_eq!(
        &l[5..],
        [
            "vlog_test|INFO|patterned",
            "vlog_test(worker)|INFO|from a thread"
        ]
    );
    assert!(
        vlog::list_patterns().contains("\nFILE     none                              %c%T|%p|%m\n")
    );
    vlog::set_levels_from_string("PATTERN:file:%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m")
        .unwrap();

    // Rotation: reopen only when the path is another file; close stops writing.
    vlog::reopen_log_file().unwrap();
    assert_eq!(lines(&log).len(), 7, "reopening the same file logs nothing");
    let rotated = dir.file("test.log.1");
    fs::rename(&log, &rotated).unwrap();
    vlog::reopen_log_file().unwrap();
    let l = lines(&log);
    assert_eq!(l.len(), 1);
    assert_eq!(
        parse_line(&l[0]).3,
        format!("opened log file {}", log.display())
    );
    vlog::close_log_file();
    vlog::info!(LOG, "nowhere");
    assert!(!vlog::log_file_is_open());
    vlog::reopen_log_file().unwrap();
    let l = lines(&log);
    assert_eq!(l.len(), 2);
    assert_eq!(
        parse_line(&l[1]).3,
        format!("opened log file {}", log.display())
    );

    // Rate limits: a burst of 2, then nothing until tokens come back (a minute).
    for i in 0..5 {
        vlog::warn_rl!(LOG, RL, "limited {i}");
    }
    let limited = |l: &[String]| l.iter().filter(|x| x.contains("|limited ")).count();
    assert_eq!(limited(&lines(&log)), 2);
    vlog::set_rate_limit(Some("vlog_test"), false).unwrap();
    vlog::warn_rl!(LOG, RL, "limited 5");
    assert_eq!(limited(&lines(&log)), 3);

    // Many threads at once: every line whole, sequence numbers unique and gapless.
    let before = lines(&log).len();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..100 {
                    vlog::info!(LOG, "thread {t} message {i}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let l = lines(&log);
    let mut seqs: Vec<u32> = l[before..].iter().map(|x| parse_line(x).0).collect();
    assert_eq!(seqs.len(), 800);
    seqs.sort();
    for w in seqs.windows(2) {
        assert_eq!(w[1], w[0] + 1);
    }

    // Turning "all modules" off also applies to modules registered later.
    vlog::set_levels(None, Some(Destination::File), Level::Off).unwrap();
    static LATE: vlog::Module = vlog::Module::new("vlog_test_late");
    assert_eq!(LATE.level(Destination::File), Level::Off);
    assert_eq!(LATE.level(Destination::Syslog), Level::Info);
}

/// The remaining macros compile with the documented call forms (never called:
/// `fatal!` exits).
fn _macros_compile() {
    static LIMIT: vlog::RateLimit = vlog::RateLimit::new(5, 20);
    vlog::err_rl!(LOG, LIMIT, "e {}", 1);
    vlog::info_rl!(LOG, LIMIT, "i");
    vlog::dbg_rl!(LOG, LIMIT, "d");
    vlog::log_at!(LOG, Level::Info, "at {}", "level");
    vlog::fatal!(LOG, "bye {}", 2);
}
