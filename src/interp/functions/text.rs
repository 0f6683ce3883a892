//! The rest of `funcs/func_strings.c`: `FILTER`, `QUOTE`, `CSV_QUOTE`, `STRREPLACE`,
//! `STRBETWEEN`, `TRIM`, `LTRIM`, `RTRIM`, `KEYPADHASH`, `PASSTHRU`, `SPRINTF`-free helpers.
//! Functions that take a variable name read it with a plain variable lookup.

use crate::interp::args::{split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::util::{decode_char, lookup};
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("FILTER", "Filter the string to include only the allowed characters", filter),
    Func::pure("QUOTE", "Quotes a given string, escaping embedded quotes as necessary", quote),
    Func::pure("CSV_QUOTE", "Quotes a given string for use in a CSV file, escaping embedded quotes as necessary", csv_quote),
    Func::pure("STRREPLACE", "Replace instances of a substring within a string with another string.", strreplace),
    Func::pure("STRBETWEEN", "Inserts a substring between each character in a string.", strbetween),
    Func::pure("TRIM", "Trim leading and trailing whitespace in a string", trim),
    Func::pure("LTRIM", "Trim leading whitespace in a string", ltrim),
    Func::pure("RTRIM", "Trim trailing whitespace in a string", rtrim),
    Func::pure("KEYPADHASH", "Hash the letters in string into equivalent keypad numbers.", keypadhash),
    Func::pure("PASSTHRU", "Pass the given argument back as a value.", passthru),
];

/// `FILTER(allowed,string)`: the characters of `string` that are in `allowed` (ranges `a-z`,
/// escapes `\xHH`). The arguments are split raw.
pub fn filter(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Raw);
    let (Some(allowed), Some(string)) = (parts.first(), parts.get(1)) else {
        ctx.log(Level::Error, "Usage: FILTER(<allowed-chars>,<string>)".to_string());
        return None;
    };
    if allowed.starts_with('"') {
        ctx.warn("FILTER allowed characters includes the quote (\") character.  This may not be what you want.".to_string());
    }
    let mut set = [false; 256];
    let bytes = allowed.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let (c1, used) = decode_char(ctx, &bytes[at..])?;
        at += used;
        if bytes.get(at) == Some(&b'-') {
            let rest = &bytes[at + 1..];
            let (c2, used) = match decode_char(ctx, rest) {
                Some(it) => it,
                None if rest.is_empty() => (c1, 0),
                None => (c1, 1),
            };
            at += used + 1;
            if c2 < c1 {
                ctx.warn(format!(
                    "Range wrapping in FILTER({args},{string}).  This may not be what you want."
                ));
            }
            let mut c = c1;
            while c != c2 {
                set[usize::from(c)] = true;
                c = c.wrapping_add(1);
            }
            set[usize::from(c2)] = true;
        } else {
            set[usize::from(c1)] = true;
        }
    }
    set[0] = false;
    let out: Vec<u8> = string
        .bytes()
        .filter(|&b| set[usize::from(b)])
        .collect();
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `QUOTE(s)`: `"s"` with `\` and `"` escaped by a backslash; empty → `""` and a warning.
pub fn quote(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("No argument specified!".to_string());
        return Some("\"\"".to_string());
    }
    let mut out = String::with_capacity(args.len() + 2);
    out.push('"');
    for c in args.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

/// `CSV_QUOTE(s)`: `"s"` with each `"` doubled.
pub fn csv_quote(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(format!("\"{}\"", args.replace('"', "\"\"")))
}

/// `STRREPLACE(var,find[,replace[,max]])`: every (or the first `max`) `find` in `${var}`
/// replaced.
pub fn strreplace(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 5, Mode::Standard);
    if parts.len() < 2 {
        ctx.log(
            Level::Error,
            "Usage: STRREPLACE(<varname>,<find-string>[,<replace-string>,[<max-replacements>]])"
                .to_string(),
        );
        return None;
    }
    if parts[0].is_empty() {
        return None;
    }
    let find = &parts[1];
    if find.is_empty() {
        ctx.log(Level::Error, "No <find-string> specified".to_string());
        return None;
    }
    let value = lookup(ctx, &parts[0]);
    let replace = parts.get(2).map_or("", String::as_str);
    let max = parts
        .get(3)
        .and_then(|it| crate::interp::args::leading_int(it))
        .map(|it| it.0)
        .filter(|n| *n > 0)
        .map_or(usize::MAX, |n| n as usize);
    let mut out = String::with_capacity(value.len());
    let mut rest = value.as_str();
    let mut count = 0;
    while count < max {
        let Some(at) = rest.find(find.as_str()) else {
            break;
        };
        out.push_str(&rest[..at]);
        out.push_str(replace);
        rest = &rest[at + find.len()..];
        count += 1;
    }
    out.push_str(rest);
    Some(out)
}

/// `STRBETWEEN(var,insert)`: `${var}` with `insert` between each two characters.
pub fn strbetween(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    if parts.len() != 2 || parts[0].is_empty() {
        ctx.log(
            Level::Error,
            "Usage: STRBETWEEN(<varname>,<insert-string>)".to_string(),
        );
        return None;
    }
    let value = lookup(ctx, &parts[0]);
    let mut out = String::new();
    for (idx, c) in value.chars().enumerate() {
        if idx > 0 {
            out.push_str(&parts[1]);
        }
        out.push(c);
    }
    Some(out)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// `TRIM(s)`: without leading and trailing white space; empty fails.
pub fn trim(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    (!args.is_empty()).then(|| args.trim_matches(is_space).to_string())
}

pub fn ltrim(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    (!args.is_empty()).then(|| args.trim_start_matches(is_space).to_string())
}

pub fn rtrim(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    (!args.is_empty()).then(|| args.trim_end_matches(is_space).to_string())
}

/// `KEYPADHASH(s)`: letters as keypad digits; other characters dropped.
pub fn keypadhash(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    const KEYS: [(&str, char); 8] = [
        ("AaBbCc2", '2'),
        ("DdEeFf3", '3'),
        ("GgHhIi4", '4'),
        ("JjKkLl5", '5'),
        ("MmNnOo6", '6'),
        ("PpQqRrSs7", '7'),
        ("TtUuVv8", '8'),
        ("WwXxYyZz9", '9'),
    ];
    Some(
        args.chars()
            .filter_map(|c| match c {
                '0' | '1' => Some(c),
                _ => KEYS.iter().find(|(set, _)| set.contains(c)).map(|it| it.1),
            })
            .collect(),
    )
}

pub fn passthru(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.to_string())
}
