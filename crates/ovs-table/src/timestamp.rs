//! The `--timestamp` line: wall-clock time in UTC with milliseconds,
//! `YYYY-MM-DD HH:MM:SS.mmm`, whatever `TZ` says (as the reference prints it).

use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// Formats `time` as `2026-11-21 01:51:42.410` in UTC.
pub fn format_timestamp(time: SystemTime) -> String {
    let ms = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        // Before 1970: count back, rounding towards the past.
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            let partial = i64::from(d.subsec_nanos() % 1_000_000 != 0);
            -(whole.saturating_add(partial))
        }
    };
    let days = ms.div_euclid(MS_PER_DAY);
    let ms_of_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(23);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03}",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    );
    out
}

/// The proleptic Gregorian date `days` days after 1970-01-01. Works in
/// 400-year eras (146,097 days each), counted from 0000-03-01 so that the
/// leap day falls at the end of a year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    const DAYS_PER_ERA: i64 = 146_097;
    // 1970-01-01 is day 719,468 counted from 0000-03-01.
    let z = days + 719_468;
    let era = z.div_euclid(DAYS_PER_ERA);
    let day_of_era = z.rem_euclid(DAYS_PER_ERA);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March, each run of five months being 153 days long.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at_ms(ms: u64) -> String {
        format_timestamp(UNIX_EPOCH + Duration::from_millis(ms))
    }

    #[test]
    fn known_instants() {
        assert_eq!(at_ms(0), "1970-01-01 00:00:00.000");
        assert_eq!(at_ms(1), "1970-01-01 00:00:00.001");
        assert_eq!(at_ms(86_399_999), "1970-01-01 23:59:59.999");
        // date -u -d @951782400 → Tue Feb 29 00:00:00 UTC 2000
        assert_eq!(at_ms(951_782_400_000), "2000-02-29 00:00:00.000");
        assert_eq!(at_ms(951_868_799_999), "2000-02-29 23:59:59.999");
        // 2100 is not a leap year: 2100-02-28 is followed by 2100-03-01.
        assert_eq!(at_ms(4_107_542_399_000), "2100-02-28 23:59:59.000");
        assert_eq!(at_ms(4_107_542_400_000), "2100-03-01 00:00:00.000");
        // A timestamp the real ovsdb-client printed.
        assert_eq!(at_ms(1_795_225_902_410), "2026-11-21 01:51:42.410");
    }

    #[test]
    fn sub_millisecond_parts_are_dropped() {
        let t = UNIX_EPOCH + Duration::from_nanos(1_999_999);
        assert_eq!(format_timestamp(t), "1970-01-01 00:00:00.001");
    }

    #[test]
    fn before_the_epoch() {
        let t = UNIX_EPOCH - Duration::from_millis(1);
        assert_eq!(format_timestamp(t), "1969-12-31 23:59:59.999");
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut prev = civil_from_days(-1);
        for d in 0..(146_097 + 365) {
            let (y, m, day) = civil_from_days(d);
            let (py, pm, pday) = prev;
            let next_day = y == py && m == pm && day == pday + 1;
            let next_month = y == py && m == pm + 1 && day == 1;
            let next_year = y == py + 1 && m == 1 && day == 1 && pm == 12 && pday == 31;
            assert!(
                next_day || next_month || next_year,
                "{prev:?} -> {y}-{m}-{day}"
            );
            prev = (y, m, day);
        }
    }
}
