//! Arithmetic functions (`funcs/func_math.c`): `MATH`, and in `arith.rs` `INC`, `DEC`, `MIN`,
//! `MAX`, `ABS`, `DIGIT_SUM`.

use crate::interp::args::{is_c_space, split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("MATH", "Performs Mathematical Functions", math),
];


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
pub(super) fn scan_double(text: &str) -> Option<f64> {
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

