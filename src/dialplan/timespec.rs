//! Time specifications `times,weekdays,monthdays,months[,timezone]` (`main/pbx_timing.c`,
//! spec dialplan.md §6.6), used by time-limited includes and, later, `GotoIfTime`. Parsing is
//! pure; callers pass the local time in to `TimeSpec::matches`.

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MINUTES_PER_DAY: usize = 24 * 60;

/// A parsed time specification. Bad items are skipped (as Asterisk does) and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeSpec {
    /// One bit per minute of the day.
    minutes: Vec<bool>,
    /// Bit 0 = Sunday.
    weekdays: u8,
    /// Bit 0 = the 1st.
    monthdays: u32,
    /// Bit 0 = January.
    months: u16,
    pub timezone: Option<String>,
}

/// A moment in local time, as the time window sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// 0..1440
    pub minute_of_day: u16,
    /// 0 = Sunday
    pub weekday: u8,
    /// 1..=31
    pub monthday: u8,
    /// 1..=12
    pub month: u8,
}

impl TimeSpec {
    /// Parses `text`; the second value lists one message per skipped item.
    pub fn parse(text: &str) -> (TimeSpec, Vec<String>) {
        let mut problems = Vec::new();
        let fields: Vec<&str> = text.split([',', '|']).collect();
        let field = |idx: usize| fields.get(idx).copied().unwrap_or("*");
        let minutes = parse_times(field(0), &mut problems);
        let weekdays = parse_range(field(1), 7, Some(&DAYS), "day of week", &mut problems) as u8;
        let monthdays = parse_range(field(2), 31, None, "day of month", &mut problems) as u32;
        let months = parse_range(field(3), 12, Some(&MONTHS), "month", &mut problems) as u16;
        let timezone = fields
            .get(4)
            .filter(|it| !it.is_empty())
            .map(|it| it.to_string());
        if fields.len() > 5 {
            problems.push(format!(
                "`{}` has {} fields; a time specification has at most 5",
                text,
                fields.len()
            ));
        }
        (
            TimeSpec {
                minutes,
                weekdays,
                monthdays,
                months,
                timezone,
            },
            problems,
        )
    }

    pub fn matches(&self, at: LocalTime) -> bool {
        let minute = usize::from(at.minute_of_day).min(MINUTES_PER_DAY - 1);
        self.minutes[minute]
            && self.weekdays & (1 << (at.weekday % 7)) != 0
            && (1..=31).contains(&at.monthday)
            && self.monthdays & (1 << (at.monthday - 1)) != 0
            && (1..=12).contains(&at.month)
            && self.months & (1 << (at.month - 1)) != 0
    }
}

/// Weekday, monthday or month items: `*`/empty for all, else `&`-separated values and ranges
/// (which wrap around). Returns a bit set, bit 0 = the first value.
fn parse_range(
    text: &str,
    max: u32,
    names: Option<&[&str]>,
    what: &str,
    problems: &mut Vec<String>,
) -> u64 {
    let all = (1u64 << max) - 1;
    if text.is_empty() || text == "*" {
        return all;
    }
    let lookup = |item: &str| -> Option<u32> {
        if let Some(names) = names {
            if let Some(idx) = names.iter().position(|it| it.eq_ignore_ascii_case(item)) {
                return Some(idx as u32);
            }
        }
        let value: u32 = item.trim().parse().ok()?;
        (1..=max).contains(&value).then(|| value - 1)
    };
    let mut bits = 0u64;
    for item in text.split('&') {
        let (start, end) = match item.split_once('-') {
            Some((a, b)) => (lookup(a), lookup(b)),
            None => (lookup(item), lookup(item)),
        };
        let (Some(start), Some(end)) = (start, end) else {
            problems.push(format!("invalid {what} `{item}`, skipped"));
            continue;
        };
        let mut n = start;
        loop {
            bits |= 1 << n;
            if n == end {
                break;
            }
            n = (n + 1) % max;
        }
    }
    bits
}

/// `HH:MM[-HH:MM]` items separated by `&`; the end minute is included; ranges wrap at midnight.
fn parse_times(text: &str, problems: &mut Vec<String>) -> Vec<bool> {
    if text.is_empty() || text == "*" {
        return vec![true; MINUTES_PER_DAY];
    }
    let mut minutes = vec![false; MINUTES_PER_DAY];
    let minute = |item: &str| -> Option<usize> {
        let (h, m) = item.trim().split_once(':')?;
        let (h, m): (usize, usize) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    for item in text.split('&') {
        let (start, end) = match item.split_once('-') {
            Some((a, b)) => (minute(a), minute(b)),
            None => (minute(item), minute(item)),
        };
        let (Some(start), Some(end)) = (start, end) else {
            problems.push(format!(
                "`{item}` is not a valid time or time range, skipped"
            ));
            continue;
        };
        let mut n = start;
        loop {
            minutes[n] = true;
            if n == end {
                break;
            }
            n = (n + 1) % MINUTES_PER_DAY;
        }
    }
    minutes
}
