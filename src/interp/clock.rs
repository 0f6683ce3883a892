//! The simulated clock's calendar: Unix seconds to UTC fields (the simulation's system zone is
//! UTC). Pure arithmetic; the clock itself is passed in.

/// UTC calendar fields of a Unix time (days-to-civil, proleptic Gregorian).
pub fn local_time(now: i64) -> crate::dialplan::timespec::LocalTime {
    let (_, month, monthday, weekday, secs) = civil(now);
    crate::dialplan::timespec::LocalTime {
        minute_of_day: (secs / 60) as u16,
        weekday,
        monthday,
        month,
    }
}

/// (year, month 1-12, day 1-31, weekday 0=Sunday, seconds of the day).
pub fn civil(now: i64) -> (i64, u8, u8, u8, i64) {
    let days = now.div_euclid(86_400);
    let secs = now.rem_euclid(86_400);
    // 1970-01-01 was a Thursday (weekday 4).
    let weekday = (days + 4).rem_euclid(7) as u8;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let monthday = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, monthday, weekday, secs)
}

/// `%Y-%m-%d %H:%M:%S` in UTC (the CDR's time format).
pub fn format_time(now: i64) -> String {
    let (year, month, day, _, secs) = civil(now);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}
