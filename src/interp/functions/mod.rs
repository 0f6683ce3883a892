//! Dialplan functions (`${NAME(args)}` reads and `Set(NAME(args)=value)` writes). The pure string
//! and logic functions live in `strings.rs`; the ones that touch the channel, the state engine or
//! the database in `channel.rs`. Function names are case-sensitive.

mod channel;

pub(crate) use channel::Calls;
pub mod strings;

use crate::interp::exec::Exec;
use crate::interp::trace::Level;

/// Reads `NAME(args)`; `None` when it fails (the result is empty).
pub(crate) fn read(exec: &mut Exec<'_>, name: &str, args: &str) -> Option<String> {
    if let Some(result) = channel::read(exec, name, args) {
        return result;
    }
    match strings::read(name) {
        Some(function) => function(exec, args),
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
    if !channel::write(exec, name, args, value) {
        if strings::read(name).is_some() {
            exec.log(
                Level::Error,
                format!("Function {name} cannot be written to"),
            );
        } else {
            exec.log(Level::Error, format!("Function {name} not registered"));
        }
    }
}

/// What `$[text]` becomes on a channel.
pub(crate) fn expression(exec: &mut Exec<'_>, text: &str) -> String {
    channel::expression(exec, text)
}
