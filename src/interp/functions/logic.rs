//! The logic functions (`funcs/func_logic.c`, `funcs/func_global.c`, spec dialplan.md §4.8):
//! `IF`, `ISNULL`, `EXISTS`, `VARIABLE_EXISTS`, `SET`, `GLOBAL`.

use crate::interp::args::{is_true, split, Mode};
use crate::interp::ctx::FuncCtx;
use crate::interp::functions::util::{flag, strip};
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("IF", "Check for an expression", if_),
    Func::pure("ISNULL", "Check if a value is NULL", isnull),
    Func::pure("EXISTS", "Test the existence of a value", exists),
    Func::pure("VARIABLE_EXISTS", "Check if a dialplan variable exists or not", variable_exists),
    Func::pure("SET", "SET assigns a value to a channel variable", set),
];


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

