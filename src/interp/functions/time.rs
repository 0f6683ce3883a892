//! Time functions (`funcs/func_strings.c`, `main/stdtime/localtime.c`): `STRFTIME`. The system
//! zone of the simulation is UTC.

use std::fmt::Write as _;

use crate::interp::args::{split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::math::scan_double;
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("STRFTIME", "Returns the current date/time in the specified format", strftime),
];


/// Time zone names that mean UTC here, with the abbreviation `%Z` prints.
const UTC_ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("Etc/UTC", "UTC"),
    ("UCT", "UTC"),
    ("Etc/UCT", "UTC"),
    ("Universal", "UTC"),
    ("Etc/Universal", "UTC"),
    ("Zulu", "UTC"),
    ("Etc/Zulu", "UTC"),
    ("GMT", "GMT"),
    ("Etc/GMT", "GMT"),
    ("GMT0", "GMT"),
    ("Etc/GMT0", "GMT"),
    ("Greenwich", "GMT"),
    ("Etc/Greenwich", "GMT"),
];

/// `STRFTIME([epoch][,timezone][,format])`: the time `epoch` (default now) formatted with
/// `format` (default `%c`). Only UTC is known: an empty timezone is the system zone, which is
/// UTC; any other zone that is not UTC logs a warning and is treated as UTC.
pub fn strftime(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let when = parts
        .first()
        .filter(|it| !it.is_empty())
        .and_then(|it| scan_double(it));
    let (secs, usec) = match when {
        Some(when) => {
            // C's conversion to `time_t` truncates toward zero.
            let secs = when.trunc() as i64;
            (secs, ((when - secs as f64) * 1_000_000.0) as i64)
        }
        None => (ctx.now(), 0),
    };
    let zone = match parts.get(1).map(String::as_str).unwrap_or_default() {
        "" => "UTC",
        name => match UTC_ZONES.iter().find(|(it, _)| *it == name) {
            Some(&(_, abbr)) => abbr,
            None => {
                ctx.warn(format!("timezone '{name}' is not supported, using UTC"));
                "UTC"
            }
        },
    };
    let format = parts.get(2).map(String::as_str).unwrap_or("%c");
    let tm = Tm::from_epoch(secs, zone);
    let mut res = format_time(&fractions(format, usec), &tm);
    if res.len() > MAX_OUTPUT {
        // `strftime` gives up when the result does not fit Asterisk's buffer.
        res.clear();
    }
    if res.is_empty() {
        ctx.warn("C function strftime() output nothing?!!".to_string());
    }
    Some(res)
}

/// Asterisk's own pass over the format before `strftime`: `%q` becomes milliseconds and `%1q`
/// … `%6q` that many digits of the fraction of a second.
fn fractions(format: &str, usec: i64) -> String {
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len());
    let mut idx = 0;
    while idx < chars.len() {
        let next = chars.get(idx + 1).copied();
        let decimals = match (chars[idx], next, chars.get(idx + 2).copied()) {
            ('%', Some('q'), _) => Some((3, 2)),
            ('%', Some(digit @ '1'..='6'), Some('q')) => {
                Some((digit.to_digit(10).unwrap_or(3) as usize, 3))
            }
            _ => None,
        };
        match decimals {
            Some((decimals, used)) => {
                let mut fraction = usec;
                for _ in decimals..6 {
                    fraction /= 10;
                }
                let _ = write!(out, "{fraction:0decimals$}");
                idx += used;
            }
            None => {
                out.push(chars[idx]);
                idx += 1;
            }
        }
    }
    out
}

/// A broken-down UTC time.
struct Tm {
    epoch: i64,
    year: i64,
    /// 0 = January.
    mon: usize,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    /// 0 = 1 January.
    yday: i64,
    /// 0 = Sunday.
    wday: i64,
    zone: &'static str,
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Tm {
    fn from_epoch(epoch: i64, zone: &'static str) -> Tm {
        let days = epoch.div_euclid(86_400);
        let secs = epoch.rem_euclid(86_400);
        // Civil date from a day count (Howard Hinnant's algorithm), in i64 throughout.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let mday = doy - (153 * mp + 2) / 5 + 1;
        let mon = if mp < 10 { mp + 2 } else { mp - 10 };
        let year = yoe + era * 400 + i64::from(mon < 2);
        let yday = doy_of(year, mon, mday);
        Tm {
            epoch,
            year,
            mon: usize::try_from(mon).unwrap_or_default(),
            mday,
            hour: secs / 3600,
            min: secs / 60 % 60,
            sec: secs % 60,
            yday,
            wday: (days + 4).rem_euclid(7),
            zone,
        }
    }

    /// The ISO 8601 week-based year and week number.
    fn iso_week(&self) -> (i64, i64) {
        let iso_wday = (self.wday + 6) % 7 + 1;
        let week = (self.yday + 1 - iso_wday + 10) / 7;
        if week < 1 {
            (self.year - 1, iso_weeks(self.year - 1))
        } else if week > iso_weeks(self.year) {
            (self.year + 1, 1)
        } else {
            (self.year, week)
        }
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Day of the year (0-based) of a date whose month is 0-based.
fn doy_of(year: i64, mon: i64, mday: i64) -> i64 {
    const BEFORE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let idx = usize::try_from(mon).unwrap_or_default().min(11);
    let leap = i64::from(mon >= 2 && is_leap(year));
    BEFORE[idx] + leap + mday - 1
}

/// The number of ISO weeks of a year (52 or 53).
fn iso_weeks(year: i64) -> i64 {
    let p = |y: i64| (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)).rem_euclid(7);
    if p(year) == 4 || p(year - 1) == 3 {
        53
    } else {
        52
    }
}

/// What one conversion produces before flags and width are applied.
enum Piece {
    /// A number with its default width and padding character.
    Num(i64, usize, char),
    Text(String),
}

/// Largest field width honoured (Asterisk's result buffer is 4 KiB anyway).
const MAX_WIDTH: usize = 4096;

/// Longest `STRFTIME` result: Asterisk formats into a 4096-byte buffer.
const MAX_OUTPUT: usize = 4095;

/// glibc's `strftime` in the C locale, for the conversions dialplans use. Flags `-`, `_`, `0`,
/// `^` and a width are understood, `E`/`O` ignored; unknown conversions are copied as written.
fn format_time(format: &str, tm: &Tm) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(pct) = rest.find('%') {
        if out.len() > MAX_OUTPUT {
            return out;
        }
        out.push_str(&rest[..pct]);
        let spec = &rest[pct..];
        let mut chars = spec.char_indices().skip(1).peekable();
        let mut pad_flag = None;
        let mut upper = false;
        while let Some(&(_, c)) = chars.peek() {
            match c {
                '-' | '_' | '0' => pad_flag = Some(c),
                '^' => upper = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width: Option<usize> = None;
        while let Some(&(_, c)) = chars.peek() {
            let Some(digit) = c.to_digit(10) else { break };
            width = Some((width.unwrap_or(0) * 10 + digit as usize).min(MAX_WIDTH));
            chars.next();
        }
        while chars.next_if(|&(_, c)| c == 'E' || c == 'O').is_some() {}
        let Some((at, conv)) = chars.next() else {
            // A `%` at the end (with its flags) is copied as written.
            out.push_str(spec);
            return out;
        };
        let used = at + conv.len_utf8();
        match conversion(conv, tm) {
            Some(piece) => apply(&mut out, piece, pad_flag, upper, width),
            None => out.push_str(&spec[..used]),
        }
        rest = &spec[used..];
    }
    out.push_str(rest);
    out
}

fn conversion(conv: char, tm: &Tm) -> Option<Piece> {
    let hour12 = (tm.hour + 11) % 12 + 1;
    let month = MONTHS.get(tm.mon).copied().unwrap_or_default();
    let day = DAYS
        .get(usize::try_from(tm.wday).unwrap_or_default())
        .copied()
        .unwrap_or_default();
    let text = |s: &str| Some(Piece::Text(s.to_string()));
    let nested = |f: &str| Some(Piece::Text(format_time(f, tm)));
    match conv {
        'a' => text(day.get(..3).unwrap_or(day)),
        'A' => text(day),
        'b' | 'h' => text(month.get(..3).unwrap_or(month)),
        'B' => text(month),
        'c' => nested("%a %b %e %H:%M:%S %Y"),
        'C' => Some(Piece::Num(tm.year.div_euclid(100), 2, '0')),
        'd' => Some(Piece::Num(tm.mday, 2, '0')),
        'D' | 'x' => nested("%m/%d/%y"),
        'e' => Some(Piece::Num(tm.mday, 2, ' ')),
        'F' => nested("%Y-%m-%d"),
        'g' => Some(Piece::Num(tm.iso_week().0.rem_euclid(100), 2, '0')),
        'G' => Some(Piece::Num(tm.iso_week().0, 1, '0')),
        'H' => Some(Piece::Num(tm.hour, 2, '0')),
        'I' => Some(Piece::Num(hour12, 2, '0')),
        'j' => Some(Piece::Num(tm.yday + 1, 3, '0')),
        'k' => Some(Piece::Num(tm.hour, 2, ' ')),
        'l' => Some(Piece::Num(hour12, 2, ' ')),
        'm' => Some(Piece::Num(tm.mon as i64 + 1, 2, '0')),
        'M' => Some(Piece::Num(tm.min, 2, '0')),
        'n' => text("\n"),
        'p' => text(if tm.hour < 12 { "AM" } else { "PM" }),
        'P' => text(if tm.hour < 12 { "am" } else { "pm" }),
        'r' => nested("%I:%M:%S %p"),
        'R' => nested("%H:%M"),
        's' => Some(Piece::Num(tm.epoch, 1, '0')),
        'S' => Some(Piece::Num(tm.sec, 2, '0')),
        't' => text("\t"),
        'T' | 'X' => nested("%H:%M:%S"),
        'u' => Some(Piece::Num((tm.wday + 6) % 7 + 1, 1, '0')),
        'U' => Some(Piece::Num((tm.yday + 7 - tm.wday) / 7, 2, '0')),
        'V' => Some(Piece::Num(tm.iso_week().1, 2, '0')),
        'w' => Some(Piece::Num(tm.wday, 1, '0')),
        'W' => Some(Piece::Num((tm.yday + 7 - (tm.wday + 6) % 7) / 7, 2, '0')),
        'y' => Some(Piece::Num(tm.year.rem_euclid(100), 2, '0')),
        'Y' => Some(Piece::Num(tm.year, 1, '0')),
        'z' => text("+0000"),
        'Z' => text(tm.zone),
        '%' => text("%"),
        _ => None,
    }
}

fn apply(
    out: &mut String,
    piece: Piece,
    pad_flag: Option<char>,
    upper: bool,
    width: Option<usize>,
) {
    match piece {
        Piece::Num(n, default_width, default_pad) => {
            let digits = n.unsigned_abs().to_string();
            let sign = if n < 0 { "-" } else { "" };
            let pad = match pad_flag {
                Some('-') => None,
                Some('_') => Some(' '),
                Some('0') => Some('0'),
                _ => Some(default_pad),
            };
            let width = width.unwrap_or(default_width);
            let fill = width.saturating_sub(sign.len() + digits.len());
            match pad {
                None => {
                    out.push_str(sign);
                    out.push_str(&digits);
                }
                Some('0') => {
                    out.push_str(sign);
                    out.extend(std::iter::repeat_n('0', fill));
                    out.push_str(&digits);
                }
                Some(pad) => {
                    out.extend(std::iter::repeat_n(pad, fill));
                    out.push_str(sign);
                    out.push_str(&digits);
                }
            }
        }
        Piece::Text(text) => {
            let text = if upper {
                text.to_ascii_uppercase()
            } else {
                text
            };
            let pad = if pad_flag == Some('0') { '0' } else { ' ' };
            let fill = width.unwrap_or(0).saturating_sub(text.chars().count());
            out.extend(std::iter::repeat_n(pad, fill));
            out.push_str(&text);
        }
    }
}

