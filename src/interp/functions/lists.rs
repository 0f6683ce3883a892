//! Delimited lists (`funcs/func_cut.c`, `funcs/func_strings.c`, spec dialplan.md §4.8): `CUT`,
//! `FIELDQTY`, `FIELDNUM`, `LISTFILTER`, and the list editors `SHIFT`, `POP`, `PUSH`, `UNSHIFT`.

use crate::interp::args::{leading_int, split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::util::{count_fields, decode_char, decode_str, find, lookup, strsep};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("CUT", "Slices and dices strings, based upon a named delimiter", cut),
    Func::pure("FIELDQTY", "Count the fields with an arbitrary delimiter", fieldqty),
    Func::pure("FIELDNUM", "Return the 1-based offset of a field in a list", fieldnum),
    Func::pure("LISTFILTER", "Remove an item from a list, by name", listfilter),
    Func::pure("SHIFT", "Removes and returns the first item off of a variable containing delimited text", shift),
    Func::pure("POP", "Removes and returns the last item off of a variable containing delimited text", pop),
    Func::write_only("PUSH", "Appends one or more values to the end of a variable containing delimited text", push),
    Func::write_only("UNSHIFT", "Inserts one or more values to the beginning of a variable containing delimited text", unshift),
];

/// The list delimiter argument: `,` unless one is given (escapes decoded).
fn list_delimiter(ctx: &mut dyn FuncCtx, parts: &[String]) -> u8 {
    match parts.get(1).filter(|it| !it.is_empty()) {
        Some(text) => decode_char(ctx, text.as_bytes()).map_or(0, |it| it.0),
        None => b',',
    }
}

fn shift_pop(ctx: &mut dyn FuncCtx, cmd: &str, args: &str, first: bool) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(var) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        ctx.warn(format!("{cmd} requires a variable name"));
        return None;
    };
    let value = lookup(ctx, &var);
    let delim = list_delimiter(ctx, &parts);
    if value.is_empty() {
        return None;
    }
    let bytes = value.as_bytes();
    let at = if first {
        bytes.iter().position(|&b| b == delim && delim != 0)
    } else {
        bytes.iter().rposition(|&b| b == delim && delim != 0)
    };
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match at {
        None => {
            ctx.set_var(&var, "");
            Some(value)
        }
        Some(at) => {
            let (head, tail) = (lossy(&bytes[..at]), lossy(&bytes[at + 1..]));
            if first {
                ctx.set_var(&var, &tail);
                Some(head)
            } else {
                ctx.set_var(&var, &head);
                Some(tail)
            }
        }
    }
}

pub fn shift(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    shift_pop(ctx, "SHIFT", args, true)
}

pub fn pop(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    shift_pop(ctx, "POP", args, false)
}

fn push_unshift(ctx: &mut dyn FuncCtx, cmd: &str, args: &str, value: &str, front: bool) {
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(var) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        ctx.warn(format!("{cmd} requires a variable name"));
        return;
    };
    let delim = list_delimiter(ctx, &parts);
    let underscores = var.bytes().take_while(|&b| b == b'_').count().min(2);
    let previous = lookup(ctx, &var[underscores..]);
    let joined = if previous.is_empty() {
        value.to_string()
    } else {
        let delim = char::from(delim);
        if front {
            format!("{value}{delim}{previous}")
        } else {
            format!("{previous}{delim}{value}")
        }
    };
    ctx.set_var(&var, &joined);
}

fn push(exec: &mut Exec<'_>, args: &str, value: &str) {
    push_unshift(exec, "PUSH", args, value, false);
}

fn unshift(exec: &mut Exec<'_>, args: &str, value: &str) {
    push_unshift(exec, "UNSHIFT", args, value, true);
}


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

