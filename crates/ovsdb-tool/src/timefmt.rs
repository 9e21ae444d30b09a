//! Formatting times with the C library's `strftime`, in local time or UTC, plus the
//! reference's `###` extension for milliseconds.
//!
//! The reference prints `show-log` dates and default log-line dates in UTC, and `%d`
//! in a log pattern in the local time zone (as `TZ` and `/etc/localtime` say), through
//! `localtime_r`, `gmtime_r` and `strftime`; calling the same functions gives the same
//! text for every zone and format.

use std::ffi::CString;

/// Formats `ms` (milliseconds since the epoch) with a `strftime` format in which each
/// `###` stands for the milliseconds. `utc` picks UTC instead of local time. Returns
/// an empty string when the time cannot be converted.
pub fn format_ms(format: &str, ms: i64, utc: bool) -> String {
    // As C division does: truncation toward zero, so the remainder may be negative.
    let secs = ms / 1000;
    let msec = ms % 1000;
    // `time_t` is 64 bits on every platform we build for.
    let secs: libc::time_t = secs;
    // SAFETY: `tm` is plain old data that the call fills in; both pointers are valid.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let converted = unsafe {
        if utc {
            libc::gmtime_r(&secs, &mut tm)
        } else {
            libc::localtime_r(&secs, &mut tm)
        }
    };
    if converted.is_null() {
        return String::new();
    }
    let text = strftime(format, &tm);
    let millis = format!("{msec:03}");
    let millis = &millis.as_bytes()[..3];
    let millis = String::from_utf8_lossy(millis);
    text.replace("###", &millis)
}

/// Makes sure `localtime_r` uses the current `TZ`, as `localtime` would.
pub fn init_time_zone() {
    extern "C" {
        fn tzset();
    }
    // SAFETY: tzset only reads the environment and sets the C library's zone state,
    // before any other thread exists.
    unsafe { tzset() }
}

fn strftime(format: &str, tm: &libc::tm) -> String {
    let Ok(cformat) = CString::new(format) else {
        return String::new();
    };
    // Formats here are short; grow the buffer for the odd long one.
    let mut size = 128;
    while size <= 64 * 1024 {
        let mut buf = vec![0u8; size];
        // SAFETY: the buffer is `size` bytes; strftime writes at most that many.
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), size, cformat.as_ptr(), tm) };
        if n > 0 || format.is_empty() {
            buf.truncate(n);
            return String::from_utf8_lossy(&buf).into_owned();
        }
        size *= 4;
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_with_milliseconds() {
        assert_eq!(
            format_ms("%Y-%m-%d %H:%M:%S.###", 1_700_000_000_123, true),
            "2023-11-14 22:13:20.123"
        );
        assert_eq!(
            format_ms("%Y-%m-%dT%H:%M:%SZ", 1_700_000_000_999, true),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(format_ms(" %H:%M:%S.###", -5000, true), " 23:59:55.000");
    }
}
