//! The plain string functions of `funcs/func_strings.c` (spec dialplan.md §4.8): `LEN`,
//! `TOUPPER`, `TOLOWER`, `REPLACE`, `REGEX` and (in `text.rs`) the rest of that file.
//!
//! Each function takes the raw argument text and splits it itself, as its Asterisk counterpart
//! does; `None` means the read failed and the substitution yields nothing. Functions that take a
//! variable *name* read it with a plain variable lookup; Asterisk substitutes `${name}` instead,
//! which also allows `name:offset` or a function call there. Strings are handled as bytes where
//! Asterisk does, and byte results that are not UTF-8 are converted lossily.

use regex::bytes::RegexBuilder;

use crate::interp::args::{split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::util::{decode_char, decode_str, flag, lookup};
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("LEN", "Return the length of the string given", len),
    Func::pure("TOUPPER", "Convert string to all uppercase letters", toupper),
    Func::pure("TOLOWER", "Convert string to all lowercase letters", tolower),
    Func::pure("REPLACE", "Replace a set of characters in a given string with another character", replace),
    Func::pure("REGEX", "Check string against a regular expression", regex),
];


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

