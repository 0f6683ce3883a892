//! Functions that read or change the channel, the dialplan's state or the database:
//! `CALLERID`, `DEVICE_STATE`, `HINT`, `EXTENSION_STATE`, `PRESENCE_STATE`, `DB`, `GLOBAL`,
//! `EXCEPTION`, `LOCAL`, `LOCAL_PEEK`, `STACK_PEEK`, `DELETE` (spec dialplan.md §4.8, §7), and
//! the `$[...]` expressions evaluated on a channel.

use std::cell::RefCell;

use crate::dialplan::{Target, PRIORITY_HINT};
use crate::expr::expression::{evaluate, Functions};
use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::trace::Level;
use crate::state::{ExtensionState, PresenceState};

/// `Some(result)` when `name` is one of these functions.
pub(super) fn read(exec: &mut Exec<'_>, name: &str, args: &str) -> Option<Option<String>> {
    let result = match name {
        "CALLERID" => callerid(exec, args),
        "DEVICE_STATE" => Some(exec.env.state().device_state(args).as_str().to_string()),
        "HINT" => hint(exec, args),
        "EXTENSION_STATE" => extension_state(exec, args),
        "PRESENCE_STATE" => presence_state(exec, args),
        "DB" => {
            let (family, key) = args.split_once('/').unwrap_or((args, ""));
            exec.env.db_get(family, key)
        }
        "GLOBAL" => exec.env.global(args),
        "EXCEPTION" => match &exec.chan.exception {
            Some((reason, context, exten, priority)) => match args.to_ascii_uppercase().as_str() {
                "REASON" => Some(reason.clone()),
                "CONTEXT" => Some(context.clone()),
                "EXTEN" => Some(exten.clone()),
                "PRIORITY" => Some(priority.to_string()),
                _ => None,
            },
            None => None,
        },
        "LOCAL" => {
            let top = exec.chan.stack.last()?;
            top.locals
                .iter()
                .any(|it| it == args)
                .then(|| exec.chan.var(args).map(str::to_string))
                .flatten()
                .or(Some(String::new()))
        }
        "LOCAL_PEEK" => {
            let parts = split(args, ',', 2, Mode::Standard);
            let n = parts
                .first()
                .and_then(|it| it.trim().parse::<usize>().ok())?;
            let name = parts.get(1)?;
            Some(exec.chan.peek(n, name).unwrap_or("").to_string())
        }
        "STACK_PEEK" => stack_peek(exec, args),
        _ => return None,
    };
    Some(result)
}

/// Writes; false when `name` is not a writable function of this file.
pub(super) fn write(exec: &mut Exec<'_>, name: &str, args: &str, value: &str) -> bool {
    match name {
        "DEVICE_STATE" => {
            match exec.env.write_custom_device(args, value) {
                Ok(changes) => exec.record(changes),
                Err(message) => exec.log(Level::Warning, message),
            }
            true
        }
        "PRESENCE_STATE" => {
            match exec.env.write_custom_presence(args, value) {
                Ok(changes) => exec.record(changes),
                Err(message) => exec.log(Level::Warning, message),
            }
            true
        }
        "DB" => {
            let (family, key) = args.split_once('/').unwrap_or((args, ""));
            if let Err(message) = exec.env.db_put(family, key, value) {
                exec.log(Level::Warning, message);
            }
            true
        }
        "GLOBAL" => {
            exec.env.set_global(args, value);
            true
        }
        "DELETE" => {
            exec.chan.delete(args);
            true
        }
        "CALLERID" => {
            match args.to_ascii_lowercase().as_str() {
                "num" | "number" => exec.chan.caller_num = Some(value.to_string()),
                "name" => exec.chan.caller_name = Some(value.to_string()),
                _ => exec.log(
                    Level::Error,
                    format!("Unknown callerid data type '{args}'."),
                ),
            }
            true
        }
        "LOCAL" => {
            match exec.chan.stack.last_mut() {
                Some(frame) => {
                    if frame.locals.iter().any(|it| it == args) {
                        exec.chan.set(args, value);
                    } else {
                        frame.locals.push(args.to_string());
                        exec.chan.push(args, value);
                    }
                }
                None => exec.log(
                    Level::Error,
                    format!("Tried to set LOCAL({args}), but we aren't within a Gosub routine"),
                ),
            }
            true
        }
        _ => false,
    }
}

fn callerid(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let num = exec.chan.caller_num.clone().unwrap_or_default();
    let name = exec.chan.caller_name.clone().unwrap_or_default();
    match args.to_ascii_lowercase().as_str() {
        "num" | "number" => Some(num),
        "name" => Some(name),
        "all" => Some(if name.is_empty() {
            format!("<{num}>")
        } else {
            format!("\"{name}\" <{num}>")
        }),
        _ => {
            exec.log(
                Level::Error,
                format!("Unknown callerid data type '{args}'."),
            );
            None
        }
    }
}

/// The hint priority found for `exten[@context]` (default context `default`).
fn find_hint(exec: &Exec<'_>, target: &str) -> Option<(String, String, String, String)> {
    let (exten, context) = target.split_once('@').unwrap_or((target, "default"));
    let found = exec
        .env
        .dialplan()
        .find(context, exten, Target::Priority(PRIORITY_HINT), None)
        .ok()?;
    Some((
        found.exten.name.to_string(),
        found.context.name.to_string(),
        found.priority.app.to_string(),
        found.priority.data.to_string(),
    ))
}

fn hint(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(target) = parts.first().filter(|it| !it.is_empty()) else {
        exec.log(
            Level::Warning,
            "The HINT function requires an extension".to_string(),
        );
        return None;
    };
    let (_, _, text, name) = find_hint(exec, target)?;
    if parts.get(1).is_some_and(|it| it.contains('n')) {
        Some(name)
    } else {
        Some(text)
    }
}

fn extension_state(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let (exten, _) = args.split_once('@').unwrap_or((args, ""));
    if exten.is_empty() {
        exec.log(
            Level::Warning,
            "EXTENSION_STATE requires an extension".to_string(),
        );
        return None;
    }
    let Some((hint_exten, context, text, _)) = find_hint(exec, args) else {
        return Some("UNKNOWN".to_string());
    };
    let key = crate::state::HintKey {
        exten: hint_exten.clone().into(),
        context: context.clone().into(),
    };
    let state = if hint_exten.starts_with('_') {
        // Only a pattern hint matches: Asterisk adds a concrete hint for this number, with the
        // hint string substituted for it, and reports that hint's state from then on.
        let text = text
            .replace("${EXTEN}", exten)
            .replace("${CONTEXT}", &context);
        exec.env.add_hint(exten, &context, &text);
        let key = crate::state::HintKey {
            exten: exten.into(),
            context: context.clone().into(),
        };
        exec.env
            .state()
            .hint(&key)
            .map_or(ExtensionState::Deactivated, |it| it.state)
    } else {
        exec.env
            .state()
            .hint(&key)
            .map_or(ExtensionState::Deactivated, |it| it.state)
    };
    Some(
        match state {
            ExtensionState::Idle => "NOT_INUSE",
            ExtensionState::InUse => "INUSE",
            ExtensionState::Busy => "BUSY",
            ExtensionState::Unavailable => "UNAVAILABLE",
            ExtensionState::Ringing => "RINGING",
            ExtensionState::InUseRinging => "RINGINUSE",
            ExtensionState::InUseHold => "HOLDINUSE",
            ExtensionState::Hold => "ONHOLD",
            ExtensionState::Removed | ExtensionState::Deactivated => "UNKNOWN",
        }
        .to_string(),
    )
}

fn presence_state(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let (Some(provider), Some(field)) = (
        parts.first().filter(|it| !it.is_empty()),
        parts.get(1).filter(|it| !it.is_empty()),
    ) else {
        exec.log(
            Level::Warning,
            "PRESENCE_STATE reading requires both presence provider and presence field arguments."
                .to_string(),
        );
        return None;
    };
    let presence = exec.env.state().presence(provider);
    if presence.state == PresenceState::Invalid {
        exec.log(Level::Warning, "PRESENCE_STATE unknown".to_string());
        return None;
    }
    let encode = parts.get(2).is_some_and(|it| it.contains('e'));
    let text = |value: &str| {
        if encode && !value.is_empty() {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(value)
        } else {
            value.to_string()
        }
    };
    Some(match field.to_ascii_lowercase().as_str() {
        "value" => presence.state.as_str().to_string(),
        "subtype" => text(&presence.subtype),
        "message" => text(&presence.message),
        _ => String::new(),
    })
}

fn stack_peek(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let n = parts
        .first()
        .and_then(|it| it.trim().parse::<usize>().ok())?;
    let which = parts.get(1).map_or("", String::as_str);
    let suppress = parts
        .get(2)
        .is_some_and(|it| crate::interp::args::is_true(it));
    let depth = exec.chan.stack.len();
    if n == 0 || n > depth {
        if !suppress {
            exec.log(
                Level::Error,
                format!("Stack peek of '{n}' is more stack frames than I have"),
            );
        }
        return None;
    }
    let frame = &exec.chan.stack[depth - n];
    let priority = frame.ret_priority.saturating_sub(1);
    Some(match which.chars().next() {
        Some('c') => frame.ret_context.clone(),
        Some('e') => frame.ret_exten.clone(),
        Some('p') => priority.to_string(),
        Some('l') => format!("{},{},{priority}", frame.ret_context, frame.ret_exten),
        _ => String::new(),
    })
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
        super::read(&mut exec, name, args)
    }
}

pub(super) fn expression(exec: &mut Exec<'_>, text: &str) -> String {
    let outcome = {
        let calls = Calls(RefCell::new(exec));
        evaluate(text, &calls)
    };
    for warning in outcome.warnings {
        exec.log(Level::Warning, warning);
    }
    outcome.value
}
