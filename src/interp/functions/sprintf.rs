//! `SPRINTF(format,args...)` (`funcs/func_sprintf.c`): C's printf conversions `diouxXc`,
//! `eEfFgGaA` and `s` with flags, width and precision, each argument read as Asterisk reads it.

use crate::interp::args::{split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::math::scan_double;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[Func::pure(
    "SPRINTF",
    "Format a variable according to a format string.",
    sprintf,
)];

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
