//! Values of the expression engine (`struct val` in `main/ast_expr2.y`) and the conversions
//! between them.
//!
//! A value is a number (`long double`), a numeric string (text that came from a number token,
//! or a result that looks like a number and keeps its spelling until an operator converts it)
//! or a plain string. Texts borrow from the parsed expression where they can, so evaluating
//! constants allocates nothing.

use std::borrow::Cow;

use crate::expr::expression::code::Lit;
use crate::expr::expression::ldouble::{Conv, Ld};

/// One value on the evaluation stack.
#[derive(Clone, Debug)]
pub(crate) enum Value<'a> {
    Num(Ld),
    /// A number token of the text: a numeric string converted in advance.
    Lit(&'a Lit),
    /// A numeric string made while evaluating.
    NumStr(Cow<'a, str>),
    Str(Cow<'a, str>),
}

impl<'a> Value<'a> {
    /// `make_str`: text becomes a numeric string when it starts with a digit or `.` and holds
    /// only digits and `.` (a leading `-` fails the test), else a string.
    pub(crate) fn classify(text: Cow<'a, str>) -> Value<'a> {
        if looks_numeric(&text) {
            Value::NumStr(text)
        } else {
            Value::Str(text)
        }
    }

    pub(crate) fn empty() -> Value<'a> {
        Value::Str(Cow::Borrowed(""))
    }

    /// `isstring`: true only for a plain (non-numeric) string.
    pub(crate) fn is_string(&self) -> bool {
        matches!(self, Value::Str(_))
    }

    /// `to_number`: a numeric string is converted in place; false for a string or when the
    /// conversion under/overflows (then the warning is given and the text is lost, as
    /// Asterisk frees it).
    pub(crate) fn coerce_to_number(&mut self, warnings: &mut Vec<String>) -> bool {
        let (text, conv): (&str, Conv) = match self {
            Value::Num(_) => return true,
            Value::Str(_) => return false,
            Value::Lit(lit) => (&lit.text, lit.number.unwrap_or(Conv::Ok(Ld::ZERO))),
            Value::NumStr(text) => (text, Ld::parse_prefix(text)),
        };
        match conv {
            Conv::Ok(v) => {
                *self = Value::Num(v);
                true
            }
            Conv::Range(_) => {
                warnings.push(format!("conversion of {text} to number under/overflowed"));
                *self = Value::NumStr(Cow::Borrowed(""));
                false
            }
        }
    }

    /// The number after a `to_number` attempt (`u.i`); a value that is not a number reads as
    /// 0 (Asterisk reads whatever the union holds).
    pub(crate) fn number(&self) -> Ld {
        match self {
            Value::Num(v) => *v,
            _ => Ld::ZERO,
        }
    }

    /// `is_zero_or_null`: a number equal to 0, or a text that is empty or converts to 0. A
    /// numeric string that gets tested is converted.
    pub(crate) fn is_zero_or_null(&mut self, warnings: &mut Vec<String>) -> bool {
        let empty = match self {
            Value::Num(v) => return v.is_zero(),
            Value::Lit(lit) => lit.text.is_empty(),
            Value::NumStr(text) | Value::Str(text) => text.is_empty(),
        };
        empty || (self.coerce_to_number(warnings) && self.number().is_zero())
    }

    /// `to_string`: numbers printed with `%.18Lg`, texts as they are.
    pub(crate) fn into_text(self) -> Cow<'a, str> {
        match self {
            Value::Num(v) => Cow::Owned(v.to_text()),
            Value::Lit(lit) => Cow::Borrowed(&lit.text),
            Value::NumStr(text) | Value::Str(text) => text,
        }
    }

    /// The text of a numeric string or string (`None` for a number).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Num(_) => None,
            Value::Lit(lit) => Some(&lit.text),
            Value::NumStr(text) | Value::Str(text) => Some(text),
        }
    }

    /// Appends the value as `$[...]` inserts it.
    pub(crate) fn write_to(&self, out: &mut String) {
        match self {
            Value::Num(v) => v.format_into(out),
            Value::Lit(lit) => out.push_str(&lit.text),
            Value::NumStr(text) | Value::Str(text) => out.push_str(text),
        }
    }
}

/// The numeric-string test of `make_str`.
pub(crate) fn looks_numeric(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_digit() || *b == b'.' => {
            bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        }
        _ => false,
    }
}

/// `strip_quotes` (used by `:`, `=~` and `~~`): a text that starts and ends with `"` loses
/// every `"` in it.
pub(crate) fn strip_quotes(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.starts_with('"') && text.ends_with('"') {
        Cow::Owned(text.replace('"', ""))
    } else {
        text
    }
}

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`, saturating at the `long` range first).
pub(crate) fn atoi(text: &str) -> i32 {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        pos += 1;
    }
    let mut negative = false;
    if pos < bytes.len() && (bytes[pos] == b'-' || bytes[pos] == b'+') {
        negative = bytes[pos] == b'-';
        pos += 1;
    }
    let mut acc: i64 = 0;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        let digit = i64::from(bytes[pos] - b'0');
        acc = if negative {
            acc.saturating_mul(10).saturating_sub(digit)
        } else {
            acc.saturating_mul(10).saturating_add(digit)
        };
        pos += 1;
    }
    acc as i32
}
