//! The pure string and logic dialplan functions (spec dialplan.md §4.8): `IF`, `ISNULL`,
//! `EXISTS`, `LEN`, `VARIABLE_EXISTS`, `SET`, `GLOBAL` (`funcs/func_logic.c`,
//! `funcs/func_global.c`), `CUT` (`funcs/func_cut.c`), `FIELDQTY`, `FIELDNUM`, `LISTFILTER`,
//! `REPLACE`, `REGEX`, `STRFTIME`, `TOUPPER`, `TOLOWER` (`funcs/func_strings.c`) and `MATH`
//! (`funcs/func_math.c`).
//!
//! Each function takes the raw argument text and splits it itself, as its Asterisk counterpart
//! does; `None` means the read failed and the substitution yields nothing. Asterisk's log lines
//! go through `FuncCtx::warn`. Functions that take a variable *name* (`CUT`, `FIELDQTY`,
//! `FIELDNUM`, `LISTFILTER`, `REPLACE`) read it with a plain variable lookup; Asterisk substitutes
//! `${name}` instead, which also allows `name:offset` or a function call there. Strings are
//! handled as bytes where Asterisk does, and byte results that are not UTF-8 are converted
//! lossily. Time is UTC: the system zone of the simulation is UTC.

use std::fmt::Write as _;

use regex::bytes::RegexBuilder;

use crate::interp::args::{is_c_space, is_true, leading_int, split, Mode};
use crate::interp::ctx::FuncCtx;

#[cfg(test)]
mod tests;

/// A function read: the context and the raw argument text in, the result (or failure) out.
pub type ReadFn = fn(&mut dyn FuncCtx, &str) -> Option<String>;

/// Reads a string/logic function by its exact (case-sensitive) name; None when the name is not
/// one of these.
pub fn read(name: &str) -> Option<ReadFn> {
    let function: ReadFn = match name {
        "IF" => if_,
        "ISNULL" => isnull,
        "EXISTS" => exists,
        "LEN" => len,
        "VARIABLE_EXISTS" => variable_exists,
        "SET" => set,
        "GLOBAL" => global,
        "CUT" => cut,
        "FIELDQTY" => fieldqty,
        "FIELDNUM" => fieldnum,
        "LISTFILTER" => listfilter,
        "REPLACE" => replace,
        "REGEX" => regex,
        "STRFTIME" => strftime,
        "TOUPPER" => toupper,
        "TOLOWER" => tolower,
        "MATH" => math,
        _ => return None,
    };
    Some(function)
}

// ---------------------------------------------------------------------------------------------
// Logic (funcs/func_logic.c, funcs/func_global.c)

/// `IF(cond?true[:false])`: the parts are stripped, `cond` is judged by the truth rule. Empty
/// `cond` or nothing after `?` fails.
pub fn if_(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let first = split(args, '?', 2, Mode::Standard);
    let cond = first.first().map(String::as_str).unwrap_or_default();
    let branches = match first.get(1) {
        Some(rest) => split(rest, ':', 2, Mode::Standard),
        None => Vec::new(),
    };
    if cond.is_empty() || branches.is_empty() {
        return None;
    }
    let chosen = if is_true(strip(cond)) {
        branches.first()
    } else {
        branches.get(1)
    };
    Some(chosen.map(|it| strip(it)).unwrap_or_default().to_string())
}

/// `ISNULL(s)`: `1` when the argument is empty.
pub fn isnull(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(flag(args.is_empty()))
}

/// `EXISTS(s)`: `1` when the argument is not empty.
pub fn exists(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(flag(!args.is_empty()))
}

/// `VARIABLE_EXISTS(name)`: `1` when the variable is set, even to "".
pub fn variable_exists(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(flag(ctx.var(args).is_some()))
}

/// `SET(name=value)` read form: strips both, sets the variable and returns the value.
pub fn set(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    match args.split_once('=') {
        Some((name, value)) if !name.is_empty() => {
            let value = strip(value);
            ctx.set_var(strip(name), value);
            Some(value.to_string())
        }
        _ => {
            ctx.warn("syntax SET(<varname>=[<value>])".to_string());
            None
        }
    }
}

/// `GLOBAL(name)` read: the global variable, "" when unset.
pub fn global(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(ctx.global(args).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Plain string functions (funcs/func_strings.c)

/// `LEN(s)`: byte length of the raw argument text, commas included.
pub fn len(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.len().to_string())
}

/// `TOUPPER(s)`: ASCII upper case of the raw argument.
pub fn toupper(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.to_ascii_uppercase())
}

/// `TOLOWER(s)`: ASCII lower case of the raw argument.
pub fn tolower(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.to_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------
// Delimited lists (funcs/func_cut.c, funcs/func_strings.c)

/// `CUT(var,delim,spec)`: fields of `${var}` picked by `spec` (`&`-separated `N`, `N-M`, `-M`,
/// `N-`) in one forward pass, joined by the delimiter (`-` when it is empty or undecodable).
pub fn cut(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let [name, delim, spec] = parts.as_slice() else {
        ctx.warn(
            "syntax: CUT(<varname>,<char-delim>,<range-spec>) - missing argument!".to_string(),
        );
        return None;
    };
    let value = lookup(ctx, name);
    let delim = match decode_char(ctx, delim.as_bytes()) {
        Some((byte, _)) => byte,
        None => b'-',
    };
    let mut out = Vec::new();
    if !value.is_empty() {
        let mut rest = Some(value.as_bytes());
        let mut field_num: i64 = 1;
        let mut n_out = 0usize;
        let mut ranges = spec.split('&');
        while rest.is_some() {
            let Some(range) = ranges.next() else { break };
            let Some((start, stop)) = parse_range(range) else {
                ctx.warn("usage: CUT(<varname>,<char-delim>,<range-spec>)".to_string());
                return None;
            };
            while rest.is_some() && field_num < start {
                strsep(&mut rest, delim);
                field_num += 1;
            }
            if field_num > start {
                ctx.warn("we're already past the field you wanted?".to_string());
            }
            while rest.is_some() && field_num <= stop {
                let field = strsep(&mut rest, delim).unwrap_or_default();
                if n_out > 0 && delim != 0 {
                    out.push(delim);
                }
                out.extend_from_slice(field);
                n_out += 1;
                field_num += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// One item of a `CUT` range spec as `func_cut.c` reads it with `sscanf`: `N-M`, `-M`, `N-`
/// (up to the last field) or `N`.
fn parse_range(text: &str) -> Option<(i64, i64)> {
    let first = leading_int(text);
    let dash_after = |used: usize| text.as_bytes().get(used) == Some(&b'-');
    if let Some((start, used)) = first {
        if dash_after(used) {
            if let Some((stop, _)) = leading_int(&text[used + 1..]) {
                return Some((i64::from(start), i64::from(stop)));
            }
        }
    }
    if let Some(rest) = text.strip_prefix('-') {
        if let Some((stop, _)) = leading_int(rest) {
            return Some((1, i64::from(stop)));
        }
    }
    first.map(|(start, used)| {
        let stop = if dash_after(used) { i32::MAX } else { start };
        (i64::from(start), i64::from(stop))
    })
}

/// `FIELDQTY(var,delim)`: the number of fields of `${var}`; 0 when it is empty, 1 without a
/// delimiter. The delimiter is the last (raw) argument, escapes decoded.
pub fn fieldqty(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let count = match parts.as_slice() {
        [name, delim] => {
            let delim = decode_char(ctx, delim.as_bytes()).map_or(0, |(byte, _)| byte);
            let value = lookup(ctx, name);
            if value.is_empty() {
                0
            } else {
                count_fields(value.as_bytes(), delim)
            }
        }
        _ => 1,
    };
    Some(count.to_string())
}

/// `FIELDNUM(var,delim,value)`: the 1-based index of the first field of `${var}` equal to
/// `value` (ASCII case-insensitive), 0 when there is none.
pub fn fieldnum(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let [name, delim, wanted] = parts.as_slice() else {
        ctx.warn("usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)".to_string());
        return None;
    };
    let value = lookup(ctx, name);
    if value.is_empty() || delim.is_empty() {
        return Some("0".to_string());
    }
    let (delim, _) = decode_char(ctx, delim.as_bytes())?;
    let mut rest = Some(value.as_bytes());
    let mut idx = 0usize;
    while let Some(field) = strsep(&mut rest, delim) {
        idx += 1;
        if field.eq_ignore_ascii_case(wanted.as_bytes()) {
            return Some(idx.to_string());
        }
    }
    Some("0".to_string())
}

/// `LISTFILTER(listvar,delim,value)`: `${listvar}` without the fields equal to `value`. The
/// delimiter may be several characters (escapes decoded), `,` when empty. An empty list fails.
pub fn listfilter(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let [name, delim, wanted] = parts.as_slice() else {
        ctx.warn("usage: LISTFILTER(<listname>,<delimiter>,<fieldvalue>)".to_string());
        return None;
    };
    let list = lookup(ctx, name);
    if list.is_empty() {
        return None;
    }
    if !list.contains(wanted.as_str()) {
        return Some(list);
    }
    let mut delim = decode_str(ctx, delim.as_bytes(), delim.len() + 1);
    if delim.is_empty() {
        delim = b",".to_vec();
    }
    let list = list.as_bytes();
    let wanted = wanted.as_bytes();
    let mut out = Vec::with_capacity(list.len());
    let mut first = true;
    let mut begin = 0;
    let mut next = find(list, &delim, 0);
    loop {
        let cur = match next {
            Some(at) => {
                next = find(list, &delim, at + delim.len());
                at
            }
            None => list.len(),
        };
        let field = list.get(begin..cur).unwrap_or_default();
        if field != wanted {
            if !first {
                out.extend_from_slice(&delim);
            }
            out.extend_from_slice(field);
            first = false;
        }
        if cur >= list.len() {
            break;
        }
        begin = cur + delim.len();
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `REPLACE(var,find[,replace])`: `${var}` with every character of `find` replaced by the first
/// character of `replace`, or deleted when there is none. An empty variable fails.
pub fn replace(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    if parts.len() < 2 {
        ctx.warn("usage: REPLACE(<varname>,<search-chars>[,<replace-char>])".to_string());
        return None;
    }
    let find_set = decode_str(ctx, parts[1].as_bytes(), 256);
    let with = match parts.get(2) {
        Some(text) => decode_char(ctx, text.as_bytes()).map_or(0, |(byte, _)| byte),
        None => 0,
    };
    if find_set.is_empty() || parts[0].is_empty() {
        ctx.warn(
            "the characters to search for and the variable name must not be empty".to_string(),
        );
        return None;
    }
    let value = lookup(ctx, &parts[0]);
    if value.is_empty() {
        return None;
    }
    let out: Vec<u8> = value
        .bytes()
        .filter_map(|b| match (find_set.contains(&b), with) {
            (false, _) => Some(b),
            (true, 0) => None,
            (true, with) => Some(with),
        })
        .collect();
    Some(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------------------------------------
// REGEX (funcs/func_strings.c)

/// `REGEX("regex" string)`: `1` when the POSIX extended regex matches somewhere in the string
/// (one blank after the closing quote is skipped), else `0`. The text is split on `"` in
/// standard mode, so a backslash in the regex escapes one character and is removed. A regex
/// that does not compile logs a warning and fails.
pub fn regex(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, '"', 3, Mode::Standard);
    let [before, pattern, subject] = parts.as_slice() else {
        ctx.warn(
            "unexpected arguments: should have been in the form '\"<regex>\" <string>'".to_string(),
        );
        return None;
    };
    let subject = subject
        .strip_prefix(' ')
        .or_else(|| subject.strip_prefix('\t'))
        .unwrap_or(subject);
    // POSIX matching without REG_NEWLINE: `.` matches a newline, `^`/`$` only at the ends.
    let compiled = RegexBuilder::new(pattern)
        .unicode(false)
        .dot_matches_new_line(true)
        .build()
        .or_else(|_| {
            RegexBuilder::new(pattern)
                .dot_matches_new_line(true)
                .build()
        });
    match compiled {
        Ok(re) => Some(flag(re.is_match(subject.as_bytes()))),
        Err(err) => {
            ctx.warn(format!(
                "malformed input REGEX({before}): {}",
                regex_error(&err)
            ));
            None
        }
    }
}

/// The last line of a regex compile error, without its `error: ` prefix.
fn regex_error(err: &regex::Error) -> String {
    let text = err.to_string();
    let last = text.lines().last().unwrap_or_default().trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

// ---------------------------------------------------------------------------------------------
// STRFTIME (funcs/func_strings.c, main/stdtime/localtime.c)

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

// ---------------------------------------------------------------------------------------------
// MATH (funcs/func_math.c)

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MathOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Shl,
    Shr,
    And,
    Xor,
    Or,
    Gt,
    Lt,
    Gte,
    Lte,
    Eq,
}

/// `MATH(number1 op number2[,type])`: one operation on two numbers (`+ - * / % ^ << >> AND XOR
/// OR`, or a comparison `< > <= >= ==` giving `TRUE`/`FALSE`), printed per `type`: `f`/`float`
/// (default, `%f`), `i`/`int`, `h`/`hex`, `c`/`char`. Division by a number ≤ 0 gives 0.
pub fn math(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    const SYNTAX: &str =
        "syntax: MATH(<number1><op><number 2>[,<type_of_result>]) - missing argument!";
    if args.is_empty() {
        ctx.warn(SYNTAX.to_string());
        return None;
    }
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(expr) = parts.first() else {
        ctx.warn(SYNTAX.to_string());
        return None;
    };
    let (negative, expr) = match expr.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, expr.as_str()),
    };
    let found = find_math_op(expr);
    let kind = match parts.get(1) {
        None => 'f',
        Some(kind) => match kind.to_ascii_lowercase().as_str() {
            "f" | "float" => 'f',
            "i" | "int" => 'i',
            "h" | "hex" => 'h',
            "c" | "char" => 'c',
            _ => {
                ctx.warn(format!("unknown type of result requested '{kind}'"));
                return None;
            }
        },
    };
    let Some((op, lhs_end, rhs_start)) = found else {
        ctx.warn("supply all the parameters - just this once, please".to_string());
        return None;
    };
    let lhs = &expr[..lhs_end];
    let rhs = &expr[rhs_start..];
    let Some(mut a) = scan_double(lhs) else {
        ctx.warn(format!("'{lhs}' is not a valid number"));
        return None;
    };
    let Some(b) = scan_double(rhs) else {
        ctx.warn(format!("'{rhs}' is not a valid number"));
        return None;
    };
    if negative {
        a = 0.0 - a;
    }
    let (ia, ib) = (c_int(a), c_int(b));
    let res = match op {
        MathOp::Add => a + b,
        MathOp::Sub => a - b,
        MathOp::Mul => a * b,
        MathOp::Div if b <= 0.0 => 0.0,
        MathOp::Div => a / b,
        MathOp::Mod if ib == 0 => 0.0,
        MathOp::Mod => f64::from(ia.wrapping_rem(ib)),
        MathOp::Pow => a.powf(b),
        // C's shift by a count outside 0..32 is undefined; x86 masks it to 5 bits.
        MathOp::Shl => f64::from(ia.wrapping_shl(ib as u32)),
        MathOp::Shr => f64::from(ia.wrapping_shr(ib as u32)),
        MathOp::And => f64::from(ia & ib),
        MathOp::Xor => f64::from(ia ^ ib),
        MathOp::Or => f64::from(ia | ib),
        MathOp::Gt => return Some(truth(a > b)),
        MathOp::Lt => return Some(truth(a < b)),
        MathOp::Gte => return Some(truth(a >= b)),
        MathOp::Lte => return Some(truth(a <= b)),
        MathOp::Eq => return Some(truth(a == b)),
    };
    Some(match kind {
        'i' => c_int(res).to_string(),
        'h' => format!("{:x}", c_uint(res)),
        'c' => match c_int(res) as u8 {
            0 => String::new(),
            byte => String::from_utf8_lossy(&[byte]).into_owned(),
        },
        _ => format_f(res),
    })
}

/// Finds the operator the way `func_math.c` does: by kind in a fixed order, first occurrence.
/// Returns the operator, where the left operand ends and where the right one starts; `None`
/// when there is none (a single `=` counts as none).
fn find_math_op(expr: &str) -> Option<(MathOp, usize, usize)> {
    let bytes = expr.as_bytes();
    let next_is = |at: usize, b: u8| bytes.get(at + 1) == Some(&b);
    for (c, op) in [
        ('*', MathOp::Mul),
        ('/', MathOp::Div),
        ('%', MathOp::Mod),
        ('^', MathOp::Pow),
    ] {
        if let Some(at) = expr.find(c) {
            return Some((op, at, at + 1));
        }
    }
    for (word, op) in [
        ("AND", MathOp::And),
        ("XOR", MathOp::Xor),
        ("OR", MathOp::Or),
    ] {
        if let Some(at) = expr.find(word) {
            return Some((op, at, at + word.len()));
        }
    }
    if let Some(at) = expr.find('>') {
        return Some(if next_is(at, b'=') {
            (MathOp::Gte, at, at + 2)
        } else if next_is(at, b'>') {
            (MathOp::Shr, at, at + 2)
        } else {
            (MathOp::Gt, at, at + 1)
        });
    }
    if let Some(at) = expr.find('<') {
        return Some(if next_is(at, b'=') {
            (MathOp::Lte, at, at + 2)
        } else if next_is(at, b'<') {
            (MathOp::Shl, at, at + 2)
        } else {
            (MathOp::Lt, at, at + 1)
        });
    }
    if let Some(at) = expr.find('=') {
        return next_is(at, b'=').then_some((MathOp::Eq, at, at + 2));
    }
    for (c, op) in [('+', MathOp::Add), ('-', MathOp::Sub)] {
        if let Some(at) = expr.find(c) {
            return Some((op, at, at + 1));
        }
    }
    None
}

fn truth(value: bool) -> String {
    if value { "TRUE" } else { "FALSE" }.to_string()
}

/// C's `(int)` of a double as x86-64 does it: NaN and out-of-range values give `INT_MIN`.
fn c_int(value: f64) -> i32 {
    let t = value.trunc();
    if (-2_147_483_648.0..=2_147_483_647.0).contains(&t) {
        t as i32
    } else {
        i32::MIN
    }
}

/// C's `(unsigned int)` of a double as x86-64 compilers do it: through a 64-bit conversion,
/// keeping the low 32 bits (0 when that conversion is out of range).
fn c_uint(value: f64) -> u32 {
    let t = value.trunc();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        t as i64 as u32
    } else {
        0
    }
}

/// C's `%f`.
fn format_f(value: f64) -> String {
    match value {
        v if v.is_nan() && v.is_sign_negative() => "-nan".to_string(),
        v if v.is_nan() => "nan".to_string(),
        v if v.is_infinite() && v < 0.0 => "-inf".to_string(),
        v if v.is_infinite() => "inf".to_string(),
        v => format!("{v:.6}"),
    }
}

/// Reads a leading floating-point number the way glibc's `sscanf(text, "%30lf", ..)` does:
/// blanks skipped, at most 30 characters, decimal or hexadecimal notation, `inf`/`infinity`/`nan`.
fn scan_double(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let start = bytes.iter().take_while(|&&b| is_c_space(b)).count();
    let field = &bytes[start..bytes.len().min(start + 30)];
    let (negative, body) = match field.first() {
        Some(b'-') => (true, &field[1..]),
        Some(b'+') => (false, &field[1..]),
        _ => (false, field),
    };
    let starts_with =
        |word: &[u8]| body.len() >= word.len() && body[..word.len()].eq_ignore_ascii_case(word);
    let magnitude = if starts_with(b"inf") {
        f64::INFINITY
    } else if starts_with(b"nan") {
        f64::NAN
    } else if starts_with(b"0x") && hex_mantissa_follows(&body[2..]) {
        scan_hex(&body[2..])
    } else {
        scan_decimal(body)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn hex_mantissa_follows(body: &[u8]) -> bool {
    match body {
        [b'.', d, ..] | [d, ..] => d.is_ascii_hexdigit(),
        [] => false,
    }
}

fn scan_decimal(body: &[u8]) -> Option<f64> {
    let digits_at = |from: usize| {
        body.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let int_len = digits_at(0);
    let mut idx = int_len;
    let mut frac = &body[..0];
    if body.get(idx) == Some(&b'.') {
        let frac_len = digits_at(idx + 1);
        frac = &body[idx + 1..idx + 1 + frac_len];
        idx += 1 + frac_len;
    }
    if int_len + frac.len() == 0 {
        return None;
    }
    let digits = |part: &[u8]| match std::str::from_utf8(part) {
        Ok(it) if !it.is_empty() => it.to_string(),
        _ => "0".to_string(),
    };
    let mut number = format!("{}.{}", digits(&body[..int_len]), digits(frac));
    if matches!(body.get(idx), Some(b'e' | b'E')) {
        let sign_len = usize::from(matches!(body.get(idx + 1), Some(b'+' | b'-')));
        let exp_len = digits_at(idx + 1 + sign_len);
        if exp_len > 0 {
            let exp = &body[idx + 1..idx + 1 + sign_len + exp_len];
            number.push('e');
            number.push_str(std::str::from_utf8(exp).ok()?);
        }
    }
    number.parse().ok()
}

fn scan_hex(body: &[u8]) -> f64 {
    let mut value = 0.0f64;
    let mut exp: i64 = 0;
    let mut idx = 0;
    let mut seen_point = false;
    while let Some(&b) = body.get(idx) {
        if b == b'.' && !seen_point {
            seen_point = true;
        } else if let Some(d) = char::from(b).to_digit(16) {
            value = value * 16.0 + f64::from(d);
            if seen_point {
                exp -= 4;
            }
        } else {
            break;
        }
        idx += 1;
    }
    if matches!(body.get(idx), Some(b'p' | b'P')) {
        let mut at = idx + 1;
        let negative = body.get(at) == Some(&b'-');
        if matches!(body.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let mut p: i64 = 0;
        let mut any = false;
        while let Some(d) = body.get(at).filter(|b| b.is_ascii_digit()) {
            p = (p * 10 + i64::from(d - b'0')).min(100_000);
            any = true;
            at += 1;
        }
        if any {
            exp += if negative { -p } else { p };
        }
    }
    value * 2f64.powi(exp.clamp(-2200, 2200) as i32)
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// `1` or `0`.
fn flag(value: bool) -> String {
    if value { "1" } else { "0" }.to_string()
}

/// Removes leading and trailing blanks (bytes below 0x21), like `ast_strip`.
fn strip(text: &str) -> &str {
    text.trim_matches(|c: char| u32::from(c) < 0x21)
}

/// What `${name}` reads for functions that take a variable name.
fn lookup(ctx: &mut dyn FuncCtx, name: &str) -> String {
    ctx.var(name).unwrap_or_default()
}

/// C's `strsep` with a one-character delimiter set (`0` = the empty set): the next field, and
/// `rest` moves past its delimiter (`None` after the last field).
fn strsep<'a>(rest: &mut Option<&'a [u8]>, delim: u8) -> Option<&'a [u8]> {
    let text = rest.take()?;
    match text.iter().position(|&b| b == delim && delim != 0) {
        Some(at) => {
            *rest = Some(&text[at + 1..]);
            Some(&text[..at])
        }
        None => Some(text),
    }
}

/// The number of fields `strsep` finds in a non-empty value.
fn count_fields(value: &[u8], delim: u8) -> usize {
    if delim == 0 {
        1
    } else {
        value.iter().filter(|&&b| b == delim).count() + 1
    }
}

/// The first occurrence of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|it| it == needle)
        .map(|at| at + from)
}

/// `ast_get_encoded_char`: one character of `text`, with `\n \r \t \xHH \0ooo \c` decoded.
/// Returns the byte and how many bytes it took; `None` for empty text or a bad `\x`.
fn decode_char(ctx: &mut dyn FuncCtx, text: &[u8]) -> Option<(u8, usize)> {
    let first = *text.first()?;
    if first != b'\\' {
        return Some((first, 1));
    }
    let hex = |at: usize| text.get(at).and_then(|&b| (b as char).to_digit(16));
    match text.get(1).copied() {
        Some(b'n') => Some((b'\n', 2)),
        Some(b'r') => Some((b'\r', 2)),
        Some(b't') => Some((b'\t', 2)),
        Some(b'x') => {
            let Some(high) = hex(2) else {
                let shown = text.get(2).map(|&b| char::from(b).to_string());
                ctx.warn(format!(
                    "illegal character '{}' in hexadecimal string",
                    shown.unwrap_or_default()
                ));
                return None;
            };
            match hex(3) {
                Some(low) => Some(((high * 16 + low) as u8, 4)),
                None => Some((high as u8, 3)),
            }
        }
        Some(b'0') => {
            let digits = text[2..]
                .iter()
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let value = text[2..2 + digits]
                .iter()
                .fold(0u8, |acc, b| acc.wrapping_shl(3).wrapping_add(b - b'0'));
            Some((value, 2 + digits))
        }
        Some(other) => Some((other, 2)),
        // A lone backslash at the end decodes to NUL.
        None => Some((0, 2)),
    }
}

/// `ast_get_encoded_str`: `text` decoded into at most `size - 1` bytes; it ends at the first
/// character that does not decode or decodes to NUL.
fn decode_str(ctx: &mut dyn FuncCtx, text: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while out.len() + 1 < size {
        let Some((byte, used)) = decode_char(ctx, text.get(at..).unwrap_or_default()) else {
            break;
        };
        if byte == 0 {
            break;
        }
        out.push(byte);
        at += used;
    }
    out
}
