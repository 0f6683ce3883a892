//! Formatting and parsing (`funcs/func_sprintf.c`, `funcs/func_cut.c`, `funcs/func_strings.c`,
//! `funcs/func_sayfiles.c`, `main/pbx.c`): `SPRINTF`, `SORT`, `STRPTIME`, `SAYFILES`, `TESTTIME`.
//! Time is UTC, the simulation's system zone.

use crate::interp::args::{is_true, split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::exec::Exec;
use crate::interp::functions::math::scan_double;
use crate::interp::functions::Func;
use crate::interp::say;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("SPRINTF", "Format a variable according to a format string.", sprintf),
    Func::pure("SORT", "Sorts a list of key/vals into a list of keys, based upon the vals.", sort),
    Func::pure("STRPTIME", "Returns the epoch of the arbitrary date/time string structured as described by the format.", strptime),
    Func::pure("SAYFILES", "Returns the ampersand-delimited file names that would be played by the Say applications (e.g. SayAlpha, SayDigits).", sayfiles),
    Func::write_only("TESTTIME", "Sets a time to be used with the channel to test logical conditions.", testtime),
];

/// One C conversion: flags, width, precision, conversion character.
struct Spec {
    flags: String,
    width: Option<usize>,
    precision: Option<usize>,
    conv: char,
}

/// Pads `body` (already signed) to the width, as printf does.
fn pad(spec: &Spec, body: String, numeric: bool) -> String {
    let width = spec.width.unwrap_or(0);
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if spec.flags.contains('-') {
        format!("{body}{}", " ".repeat(fill))
    } else if numeric
        && spec.flags.contains('0')
        && (spec.precision.is_none() || !"diouxX".contains(spec.conv))
    {
        let sign_len = usize::from(body.starts_with(['-', '+', ' ']));
        let prefix_len = if body[sign_len..].starts_with("0x") || body[sign_len..].starts_with("0X")
        {
            sign_len + 2
        } else {
            sign_len
        };
        format!(
            "{}{}{}",
            &body[..prefix_len],
            "0".repeat(fill),
            &body[prefix_len..]
        )
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn sign(spec: &Spec, negative: bool) -> &'static str {
    if negative {
        "-"
    } else if spec.flags.contains('+') {
        "+"
    } else if spec.flags.contains(' ') {
        " "
    } else {
        ""
    }
}

fn format_int(spec: &Spec, value: i32) -> String {
    let digits = match spec.conv {
        'd' | 'i' => value.unsigned_abs().to_string(),
        'u' => (value as u32).to_string(),
        'o' => format!("{:o}", value as u32),
        'x' => format!("{:x}", value as u32),
        'X' => format!("{:X}", value as u32),
        _ => char::from_u32(value as u8 as u32)
            .map(String::from)
            .unwrap_or_default(),
    };
    if spec.conv == 'c' {
        return pad(spec, digits, false);
    }
    let mut digits = match spec.precision {
        Some(0) if value == 0 => String::new(),
        Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    if spec.flags.contains('#') && value != 0 {
        match spec.conv {
            'o' if !digits.starts_with('0') => digits.insert(0, '0'),
            'x' => digits.insert_str(0, "0x"),
            'X' => digits.insert_str(0, "0X"),
            _ => {}
        }
    }
    let signed = matches!(spec.conv, 'd' | 'i');
    let body = format!(
        "{}{digits}",
        if signed { sign(spec, value < 0) } else { "" }
    );
    pad(spec, body, true)
}

/// `%e` with C's exponent (sign and at least two digits).
fn exp_form(value: f64, precision: usize, upper: bool) -> String {
    let text = format!("{value:.precision$e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let out = format!(
        "{mantissa}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    );
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

fn strip_zeros(text: &str) -> String {
    match text.split_once(['e', 'E']) {
        Some((mantissa, exp)) if mantissa.contains('.') => {
            let m = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{m}{}{exp}", &text[mantissa.len()..=mantissa.len()])
        }
        None if text.contains('.') => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        _ => text.to_string(),
    }
}

fn format_float(spec: &Spec, value: f64) -> String {
    let magnitude = value.abs();
    let upper = spec.conv.is_ascii_uppercase();
    let body = if !magnitude.is_finite() {
        let word = if magnitude.is_nan() { "nan" } else { "inf" };
        if upper {
            word.to_uppercase()
        } else {
            word.to_string()
        }
    } else {
        let precision = spec.precision.unwrap_or(6);
        match spec.conv.to_ascii_lowercase() {
            'f' => format!("{magnitude:.precision$}"),
            'e' | 'a' => exp_form(magnitude, precision, upper),
            _ => {
                let p = precision.max(1);
                let exp = if magnitude == 0.0 {
                    0
                } else {
                    let rounded = exp_form(magnitude, p - 1, false);
                    rounded
                        .split_once('e')
                        .and_then(|it| it.1.parse::<i32>().ok())
                        .unwrap_or(0)
                };
                let text = if exp < -4 || exp >= p as i32 {
                    exp_form(magnitude, p - 1, upper)
                } else {
                    let decimals = (p as i32 - 1 - exp).max(0) as usize;
                    format!("{magnitude:.decimals$}")
                };
                if spec.flags.contains('#') {
                    text
                } else {
                    strip_zeros(&text)
                }
            }
        }
    };
    let negative = value.is_sign_negative() && !value.is_nan();
    pad(
        spec,
        format!("{}{body}", sign(spec, negative)),
        magnitude.is_finite(),
    )
}

/// `SPRINTF(format,arg1[,arg2...])`.
pub fn sprintf(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 101, Mode::Standard);
    let format = parts.first().cloned().unwrap_or_default();
    let mut values = parts.iter().skip(1);
    let mut out = String::new();
    let mut chars = format.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&(_, f)) = chars.peek() {
            if "#0- +'I".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let number = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
            let mut n: Option<usize> = None;
            while let Some(&(_, d)) = chars.peek() {
                match d.to_digit(10) {
                    Some(d) => {
                        n = Some(
                            n.unwrap_or(0)
                                .saturating_mul(10)
                                .saturating_add(d as usize)
                                .min(4096),
                        );
                        chars.next();
                    }
                    None => break,
                }
            }
            n
        };
        let width = number(&mut chars);
        let precision = if chars.peek().is_some_and(|it| it.1 == '.') {
            chars.next();
            Some(number(&mut chars).unwrap_or(0))
        } else {
            None
        };
        while chars.peek().is_some_and(|it| "hlLqjzt".contains(it.1)) {
            chars.next();
        }
        let Some((end, conv)) = chars.next() else {
            break;
        };
        let spec = Spec {
            flags,
            width,
            precision,
            conv,
        };
        let text = &format[start..end + conv.len_utf8()];
        match conv {
            '%' => out.push('%'),
            'd' | 'i' | 'o' | 'u' | 'x' | 'X' | 'c' => {
                let Some(arg) = values.next() else {
                    ctx.log(
                        Level::Error,
                        "SPRINTF() has more format specifiers than arguments!".to_string(),
                    );
                    return Some(out);
                };
                let Some((n, _)) = crate::interp::args::leading_int(arg) else {
                    ctx.log(
                        Level::Error,
                        format!("Argument '{arg}' is not an integer number for format '{text}'"),
                    );
                    return Some(out);
                };
                out.push_str(&format_int(&spec, n));
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'a' | 'A' => {
                let Some(arg) = values.next() else {
                    ctx.log(
                        Level::Error,
                        "SPRINTF() has more format specifiers than arguments!".to_string(),
                    );
                    return Some(out);
                };
                let Some(value) = scan_double(arg) else {
                    ctx.log(
                        Level::Error,
                        format!(
                            "Argument '{arg}' is not a floating point number for format '{text}'"
                        ),
                    );
                    return Some(out);
                };
                out.push_str(&format_float(&spec, value));
            }
            's' => {
                let arg = values.next().map_or("(null)", String::as_str);
                let arg: String = match spec.precision {
                    Some(p) => arg.chars().take(p).collect(),
                    None => arg.to_string(),
                };
                out.push_str(&pad(&spec, arg, false));
            }
            _ => {
                let arg = values.next().map_or("(null)", String::as_str);
                ctx.log(
                    Level::Error,
                    format!("Format type not supported: '{text}' with argument '{arg}'"),
                );
                return Some(out);
            }
        }
    }
    Some(out)
}

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
