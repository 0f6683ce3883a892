//! Global and shared variables (`funcs/func_global.c`) and `DELETE` (`main/pbx_variables.c`):
//! `GLOBAL`, `GLOBAL_DELETE`, `GLOBAL_EXISTS`, `SHARED`, `DELETE`.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("GLOBAL", "Gets or sets the global variable specified.", global).writes(write_global),
    Func::write_only("GLOBAL_DELETE", "Deletes a specified global variable.", global_delete),
    Func::chan("GLOBAL_EXISTS", "Check if a global variable exists or not.", global_exists),
    Func::chan("SHARED", "Gets or sets the shared variable specified.", shared).writes(write_shared),
    Func::write_only("DELETE", "Deletes a specified channel variable.", delete),
];

fn global(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(exec.env.global(args).unwrap_or_default())
}

fn write_global(exec: &mut Exec<'_>, args: &str, value: &str) {
    exec.env.set_global(args, value);
}

fn global_delete(exec: &mut Exec<'_>, args: &str, _: &str) {
    exec.env.delete_global(args);
}

fn global_exists(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(if exec.env.global(args).is_some() { "1" } else { "0" }.to_string())
}

fn delete(exec: &mut Exec<'_>, args: &str, _: &str) {
    exec.chan.delete(args);
}

/// The variable name, or `None` (with Asterisk's message) when the other channel is not this
/// one: the simulation has one channel per call.
fn shared_target(exec: &mut Exec<'_>, args: &str, value: Option<&str>) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Warning,
            "SHARED() requires an argument: SHARED(<var>[,<chan>])".to_string(),
        );
        return None;
    }
    let parts = split(args, ',', 2, Mode::Standard);
    let var = parts.first().cloned().unwrap_or_default();
    if let Some(other) = parts.get(1).filter(|it| !it.is_empty()) {
        let name = &exec.chan.name;
        let this = name == other || name.starts_with(&format!("{other}-"));
        if !this {
            let text = match value {
                None => format!("Channel '{other}' not found!  Variable '{var}' will be blank."),
                Some(value) => format!(
                    "Channel '{other}' not found!  Variable '{var}' not set to '{value}'."
                ),
            };
            exec.log(Level::Error, text);
            return None;
        }
    }
    Some(var)
}

fn shared(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let var = shared_target(exec, args, None)?;
    if exec.chan.shared.is_empty() {
        return None;
    }
    Some(
        exec.chan
            .shared
            .iter()
            .find(|(n, _)| *n == var)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    )
}

fn write_shared(exec: &mut Exec<'_>, args: &str, value: &str) {
    let Some(var) = shared_target(exec, args, Some(value)) else {
        return;
    };
    exec.chan.shared.retain(|(n, _)| *n != var);
    exec.chan.shared.insert(0, (var, value.to_string()));
}
