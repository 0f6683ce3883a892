//! Sorting, time parsing and say files (`funcs/func_cut.c`, `funcs/func_strings.c`,
//! `funcs/func_sayfiles.c`, `main/pbx.c`): `SORT`, `STRPTIME`, `SAYFILES`, `TESTTIME`.
//! Time is UTC, the simulation's system zone.

use crate::interp::args::{is_true, split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::exec::Exec;
use crate::interp::functions::math::scan_double;
use crate::interp::functions::Func;
use crate::interp::say;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("SORT", "Sorts a list of key/vals into a list of keys, based upon the vals.", sort),
    Func::pure("STRPTIME", "Returns the epoch of the arbitrary date/time string structured as described by the format.", strptime),
    Func::pure("SAYFILES", "Returns the ampersand-delimited file names that would be played by the Say applications (e.g. SayAlpha, SayDigits).", sayfiles),
    Func::write_only("TESTTIME", "Sets a time to be used with the channel to test logical conditions.", testtime),
];

/// `SORT(key1:val1[,key2:val2...])`: the keys, ordered by their numeric values.
pub fn sort(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let _ = ctx;
    let mut pairs: Vec<(&str, f32)> = args
        .split(',')
        .filter_map(|it| it.split_once(':'))
        .map(|(key, value)| (key, scan_double(value).unwrap_or(0.0) as f32))
        .collect();
    pairs.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
    Some(pairs.iter().map(|it| it.0).collect::<Vec<_>>().join(","))
}

/// Parses `text` with a strptime `format` (the common conversions), in UTC.
fn parse_time(text: &str, format: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let (mut year, mut month, mut day, mut hour, mut minute, mut second) =
        (1900i64, 1i64, 1i64, 0i64, 0i64, 0i64);
    let bytes = text.as_bytes();
    let mut at = 0usize;
    let skip_space = |at: &mut usize| {
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    let number = |at: &mut usize, max: usize| -> Option<i64> {
        skip_space(at);
        let start = *at;
        let mut negative = false;
        if bytes.get(*at) == Some(&b'-') {
            negative = true;
            *at += 1;
        }
        let digits_start = *at;
        while *at - digits_start < max && bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        if *at == digits_start {
            *at = start;
            return None;
        }
        let value: i64 = text[digits_start..*at].parse().ok()?;
        Some(if negative { -value } else { value })
    };
    let mut fmt = format.chars();
    while let Some(c) = fmt.next() {
        if c.is_whitespace() {
            skip_space(&mut at);
            continue;
        }
        if c != '%' {
            if bytes.get(at) != Some(&(c as u8)) {
                return None;
            }
            at += 1;
            continue;
        }
        match fmt.next()? {
            'Y' => year = number(&mut at, 4)?,
            'y' => {
                let y = number(&mut at, 2)?;
                year = if y < 69 { 2000 + y } else { 1900 + y };
            }
            'm' => month = number(&mut at, 2)?,
            'd' | 'e' => day = number(&mut at, 2)?,
            'H' | 'k' => hour = number(&mut at, 2)?,
            'M' => minute = number(&mut at, 2)?,
            'S' => second = number(&mut at, 2)?,
            'b' | 'B' | 'h' => {
                skip_space(&mut at);
                let rest = text.get(at..)?.to_ascii_lowercase();
                let idx = MONTHS.iter().position(|m| rest.starts_with(m))?;
                month = idx as i64 + 1;
                at += rest.chars().take_while(char::is_ascii_alphabetic).count();
            }
            'T' => {
                hour = number(&mut at, 2)?;
                (bytes.get(at) == Some(&b':')).then_some(())?;
                at += 1;
                minute = number(&mut at, 2)?;
                (bytes.get(at) == Some(&b':')).then_some(())?;
                at += 1;
                second = number(&mut at, 2)?;
            }
            'n' | 't' => skip_space(&mut at),
            '%' => {
                (bytes.get(at) == Some(&b'%')).then_some(())?;
                at += 1;
            }
            _ => return None,
        }
    }
    // Days from the civil date (proleptic Gregorian).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// `STRPTIME(datetime,timezone,format)`: the Unix time of `datetime` (UTC).
pub fn strptime(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let format = parts.get(2).filter(|it| !it.is_empty());
    let Some(format) = format else {
        ctx.log(
            Level::Error,
            "No format supplied to STRPTIME(<timestring>,<timezone>,<format>)".to_string(),
        );
        return None;
    };
    let text = parts.first().map_or("", String::as_str);
    match parse_time(text, format) {
        Some(epoch) => Some((epoch as i32).to_string()),
        None => {
            ctx.warn("STRPTIME() found no time specified within the string".to_string());
            Some(String::new())
        }
    }
}

/// `SAYFILES(value[,type])`: the files a `Say*` application would play, `&`-separated.
pub fn sayfiles(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("SAYFILES requires an argument".to_string());
        return Some(String::new());
    }
    let parts = split(args, ',', 2, Mode::Standard);
    let value = parts.first().map_or("", String::as_str);
    let kind = parts
        .get(1)
        .filter(|it| !it.is_empty())
        .map_or("alpha", String::as_str);
    let number = |ctx: &mut dyn FuncCtx| match value.trim().parse::<i32>() {
        Ok(n) => Some(i64::from(n)),
        Err(_) => {
            ctx.warn(format!("Invalid numeric argument: {value}"));
            None
        }
    };
    let files = match kind {
        "alpha" => say::character_files(value, None),
        "phonetic" => say::phonetic_files(value),
        "digits" => say::digit_files(value),
        "number" => say::number_files(number(ctx)?),
        "ordinal" => say::ordinal_files(number(ctx)?),
        "money" => say::money_files(value),
        _ => {
            ctx.warn(format!("Invalid say type specified: {kind}"));
            return None;
        }
    };
    Some(files.join("&"))
}

/// `Set(TESTTIME()=YYYY/MM/DD HH:MM:SS)`: later time checks of the channel see that time.
fn testtime(exec: &mut Exec<'_>, _: &str, value: &str) {
    if !is_true(value) {
        exec.chan.delete("TESTTIME");
        return;
    }
    if let Some(epoch) = parse_time(value, "%Y/%m/%d %H:%M:%S") {
        exec.chan.set("__TESTTIME", &epoch.to_string());
    }
}
