//! Dialplan functions (`${NAME(args)}` reads and `Set(NAME(args)=value)` writes), laid out as
//! Asterisk's `funcs/` is: one file per family, each exporting a `FUNCS` table, and one frozen
//! registry built from all of them. A new family is one new file and one line in `FAMILIES`.
//! Function names are case-sensitive; a name no family registers is "not registered", as in a
//! stock Asterisk 22.

mod arith;
mod callerid;
pub mod cdr;
mod channel;
mod db;
mod dialplan;
mod encode;
mod global;
mod groups;
mod hash;
mod lists;
mod logic;
mod math;
mod outside;
mod stack;
mod state;
mod strings;
mod system;
mod telephony;
mod text;
mod time;
mod util;

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::expr::expression::{evaluate, Functions};
use crate::interp::ctx::FuncCtx;
use crate::interp::exec::Exec;
use crate::interp::trace::Level;

#[cfg(test)]
mod tests;

/// A read that needs only variables and the clock (testable without a channel).
pub type PureFn = fn(&mut dyn FuncCtx, &str) -> Option<String>;
/// A read that needs the channel, the dialplan or the state around it.
pub(crate) type ChanFn = fn(&mut Exec<'_>, &str) -> Option<String>;
/// A write: the channel, the argument text, the value. Failures are logged; `Set` goes on.
pub(crate) type WriteFn = fn(&mut Exec<'_>, &str, &str);

/// How a function is read.
#[derive(Clone, Copy)]
pub(crate) enum Read {
    /// Write-only (`Function %s cannot be read`).
    No,
    Pure(PureFn),
    Chan(ChanFn),
}

/// One registered function.
pub(crate) struct Func {
    pub name: &'static str,
    /// Asterisk's one-line synopsis.
    pub synopsis: &'static str,
    pub read: Read,
    pub write: Option<WriteFn>,
}

impl Func {
    pub(crate) const fn pure(name: &'static str, synopsis: &'static str, read: PureFn) -> Func {
        Func {
            name,
            synopsis,
            read: Read::Pure(read),
            write: None,
        }
    }

    pub(crate) const fn chan(name: &'static str, synopsis: &'static str, read: ChanFn) -> Func {
        Func {
            name,
            synopsis,
            read: Read::Chan(read),
            write: None,
        }
    }

    pub(crate) const fn write_only(
        name: &'static str,
        synopsis: &'static str,
        write: WriteFn,
    ) -> Func {
        Func {
            name,
            synopsis,
            read: Read::No,
            write: Some(write),
        }
    }

    pub(crate) const fn writes(self, write: WriteFn) -> Func {
        Func {
            write: Some(write),
            ..self
        }
    }
}

/// Every family, in the order `core show functions` does not care about (it sorts).
const FAMILIES: &[&[Func]] = &[
    arith::FUNCS,
    callerid::FUNCS,
    cdr::FUNCS,
    channel::FUNCS,
    db::FUNCS,
    dialplan::FUNCS,
    encode::FUNCS,
    global::FUNCS,
    groups::FUNCS,
    hash::FUNCS,
    lists::FUNCS,
    logic::FUNCS,
    math::FUNCS,
    outside::FUNCS,
    stack::FUNCS,
    state::FUNCS,
    strings::FUNCS,
    system::FUNCS,
    telephony::FUNCS,
    text::FUNCS,
    time::FUNCS,
];

type Table = rustc_hash::FxHashMap<&'static str, &'static Func>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::default();
        for func in FAMILIES.iter().flat_map(|it| it.iter()) {
            let previous = table.insert(func.name, func);
            debug_assert!(previous.is_none(), "invariant: {} registered twice", func.name);
        }
        table
    })
}

/// The function registered under exactly `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Func> {
    table().get(name).copied()
}

/// A pure function by name (tests and `dialstate eval` without a channel).
pub fn pure(name: &str) -> Option<PureFn> {
    match lookup(name)?.read {
        Read::Pure(it) => Some(it),
        _ => None,
    }
}

/// What `core show functions` lists: (name, synopsis, readable, writable), sorted by name.
pub fn catalogue() -> Vec<(&'static str, &'static str, bool, bool)> {
    let mut all: Vec<_> = table()
        .values()
        .map(|it| {
            (
                it.name,
                it.synopsis,
                !matches!(it.read, Read::No),
                it.write.is_some(),
            )
        })
        .collect();
    all.sort_unstable_by_key(|it| it.0);
    all
}

/// Reads `NAME(args)`; `None` when it fails (the result is empty).
pub(crate) fn read(exec: &mut Exec<'_>, name: &str, args: &str) -> Option<String> {
    let func = lookup(name);
    if let Some(func) = func {
        exec.current_function = func.name;
    }
    match func.map(|it| it.read) {
        Some(Read::Pure(function)) => function(exec, args),
        Some(Read::Chan(function)) => function(exec, args),
        Some(Read::No) => {
            exec.log(Level::Error, format!("Function {name} cannot be read"));
            None
        }
        None if name.starts_with("ODBC_") => system::odbc_query_named(exec, name, args),
        None => {
            exec.log(Level::Error, format!("Function {name} not registered"));
            None
        }
    }
}

/// Writes `NAME(args)=value` (from `Set`). Failures are logged; `Set` goes on either way.
pub(crate) fn write(exec: &mut Exec<'_>, call: &str, value: &str) {
    let (name, args) = match call.find('(') {
        Some(open) => {
            let rest = &call[open + 1..];
            (
                &call[..open],
                rest.rfind(')').map_or(rest, |close| &rest[..close]),
            )
        }
        None => (call, ""),
    };
    let func = lookup(name).or(if name.starts_with("ODBC_") {
        Some(&system::ODBC_DYNAMIC)
    } else {
        None
    });
    if let Some(func) = func {
        exec.current_function = func.name;
    }
    match func {
        Some(Func {
            write: Some(write), ..
        }) => write(exec, args, value),
        Some(_) => exec.log(
            Level::Error,
            format!("Function {name} cannot be written to"),
        ),
        None => exec.log(Level::Error, format!("Function {name} not registered")),
    }
}

/// Calls dialplan functions from inside `$[...]`.
pub(crate) struct Calls<'a, 'e>(RefCell<&'a mut Exec<'e>>);

impl<'a, 'e> Calls<'a, 'e> {
    pub(crate) fn new(exec: &'a mut Exec<'e>) -> Self {
        Calls(RefCell::new(exec))
    }
}

impl Functions for Calls<'_, '_> {
    fn call(&self, name: &str, args: &str) -> Option<String> {
        let mut exec = self.0.try_borrow_mut().ok()?;
        read(&mut exec, name, args)
    }
}

/// What `$[text]` becomes on a channel.
pub(crate) fn expression(exec: &mut Exec<'_>, text: &str) -> String {
    let outcome = {
        let calls = Calls::new(exec);
        evaluate(text, &calls)
    };
    for warning in outcome.warnings {
        exec.log(Level::Warning, warning);
    }
    outcome.value
}
