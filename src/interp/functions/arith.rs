//! The small arithmetic functions of `funcs/func_math.c`: `INC`, `DEC`, `MIN`, `MAX`, `ABS`,
//! `DIGIT_SUM`.

use crate::interp::args::{split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::math::scan_double;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("INC", "Increments the value of a variable, while returning the updated value to the dialplan", inc),
    Func::pure("DEC", "Decrements the value of a variable, while returning the updated value to the dialplan", dec),
    Func::pure("MIN", "Returns the minimum of two numbers.", min),
    Func::pure("MAX", "Returns the maximum of two numbers.", max),
    Func::pure("ABS", "Returns absolute value of a number.", abs),
    Func::pure("DIGIT_SUM", "Returns the sum of all the digits in a number.", digit_sum),
];

pub fn inc(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    crement(ctx, "INC", args, 1)
}

pub fn dec(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    crement(ctx, "DEC", args, -1)
}

/// `sscanf(text, "%30d%1c")` that must stop at the end: the integer, or `None`.
fn whole_int(text: &str) -> Option<i32> {
    let body = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = body.strip_prefix(['+', '-']).unwrap_or(body);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || body.len() > 30 {
        return None;
    }
    let value = body.parse::<i64>().unwrap_or(if body.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    });
    Some(value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

fn crement(ctx: &mut dyn FuncCtx, cmd: &str, name: &str, by: i32) -> Option<String> {
    if name.is_empty() {
        ctx.warn(format!("Syntax: {cmd}(<data>) - missing argument!"));
        return None;
    }
    let Some(value) = ctx.var(name) else {
        ctx.log(
            Level::Notice,
            format!("Failed to obtain variable {name}, bailing out"),
        );
        return None;
    };
    if value.is_empty() {
        ctx.log(
            Level::Notice,
            format!("Variable {name} doesn't exist - are you sure you wrote it correctly?"),
        );
        return None;
    }
    let Some(n) = whole_int(&value) else {
        ctx.log(
            Level::Notice,
            format!("The content of ${{{name}}} is not a numeric value - bailing out!"),
        );
        return None;
    };
    let result = n.wrapping_add(by).to_string();
    ctx.set_var(name, &result);
    Some(result)
}

/// `%d` when the value is a whole `int`, else `%f`.
fn number(value: f64) -> String {
    let truncated = value as i32;
    if f64::from(truncated) == value {
        truncated.to_string()
    } else {
        format!("{value:.6}")
    }
}

fn pick(ctx: &mut dyn FuncCtx, args: &str, want_max: bool) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let a = parts.first().map_or("", String::as_str);
    let b = parts.get(1).map_or("", String::as_str);
    if a.is_empty() && b.is_empty() {
        ctx.log(Level::Error, "Missing argument for number(s).".to_string());
        return None;
    }
    let parse = |ctx: &mut dyn FuncCtx, text: &str| {
        let value = scan_double(text);
        if value.is_none() {
            ctx.warn(format!("'{text}' is not a valid number"));
        }
        value
    };
    let num1 = if a.is_empty() { None } else { Some(parse(ctx, a)?) };
    let num2 = if b.is_empty() { num1 } else { Some(parse(ctx, b)?) };
    let result = match (num1, num2) {
        (Some(x), Some(y)) => {
            if want_max {
                if x < y {
                    y
                } else {
                    x
                }
            } else if x > y {
                y
            } else {
                x
            }
        }
        (None, Some(y)) => y,
        (Some(x), None) => x,
        (None, None) => return None,
    };
    Some(number(result))
}

pub fn min(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    pick(ctx, args, false)
}

pub fn max(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    pick(ctx, args, true)
}

pub fn abs(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 1, Mode::Standard);
    let text = parts.first().map_or("", String::as_str);
    match scan_double(text).filter(|_| !text.is_empty()) {
        Some(value) => Some(number(value.abs())),
        None => {
            ctx.warn(format!("Bad or missing argument for number: {text}"));
            None
        }
    }
}

pub fn digit_sum(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("Missing argument for number".to_string());
        return None;
    }
    Some(
        args.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| u32::from(b - b'0'))
            .sum::<u32>()
            .to_string(),
    )
}
