//! Device, extension and presence state (`funcs/func_devstate.c`, `funcs/func_extstate.c`,
//! `funcs/func_presencestate.c`, spec dialplan.md §7): `DEVICE_STATE`, `HINT`,
//! `EXTENSION_STATE`, `PRESENCE_STATE`.

use crate::dialplan::{Target, PRIORITY_HINT};
use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;
use crate::state::{ExtensionState, PresenceState};

pub(super) const FUNCS: &[Func] = &[
    Func::chan("DEVICE_STATE", "Get or Set a device state.", device_state).writes(write_device_state),
    Func::chan("HINT", "Get the devices set for a dialplan hint.", hint),
    Func::chan("EXTENSION_STATE", "Get an extension's state.", extension_state),
    Func::chan("PRESENCE_STATE", "Get or Set a presence state.", presence_state).writes(write_presence_state),
];

fn device_state(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(exec.env.state().device_state(args).as_str().to_string())
}

fn write_device_state(exec: &mut Exec<'_>, args: &str, value: &str) {
    match exec.env.write_custom_device(args, value) {
        Ok(changes) => exec.record(changes),
        Err(message) => exec.log(Level::Warning, message),
    }
}

fn write_presence_state(exec: &mut Exec<'_>, args: &str, value: &str) {
    match exec.env.write_custom_presence(args, value) {
        Ok(changes) => exec.record(changes),
        Err(message) => exec.log(Level::Warning, message),
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

