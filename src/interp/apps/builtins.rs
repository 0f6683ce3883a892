//! The core applications of `main/pbx_builtins.c`, `main/pbx_variables.c`, `apps/app_verbose.c`
//! and `apps/app_softhangup.c` (spec dialplan.md §6.3): `Answer`, `Hangup`, `Busy`,
//! `Congestion`, `NoOp`, `Progress`, `Proceeding`, `Ringing`, `Set`, `MSet`, `Wait`,
//! `WaitUntil`, `RaiseException`, `Log`, `Verbose`, `SoftHangup`, `HangupCauseClear`, `DumpChan`.

use crate::interp::args::{split, Mode};
use crate::interp::apps::AppDef;
use crate::interp::exec::{Exec, Flow};
use crate::interp::functions;
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("Answer", "Answer a channel if ringing.", answer),
    AppDef::run("Hangup", "Hang up the calling channel.", hangup),
    AppDef::run("Busy", "Indicate the Busy condition.", busy),
    AppDef::run("Congestion", "Indicate the Congestion condition.", congestion),
    AppDef::run("NoOp", "Do Nothing (No Operation).", noop),
    AppDef::run("Progress", "Indicate progress.", signal_only),
    AppDef::run("Proceeding", "Indicate proceeding.", signal_only),
    AppDef::run("Ringing", "Indicate ringing tone.", signal_only),
    AppDef::run("Set", "Set channel variable or function value.", set),
    AppDef::run("MSet", "Set channel variable(s) or function value(s).", mset),
    AppDef::run("Wait", "Waits for some time.", wait),
    AppDef::run("WaitUntil", "Wait (sleep) until the current time is the given epoch.", wait_until),
    AppDef::run("RaiseException", "Handle an exceptional condition.", raise_exception),
    AppDef::run("Log", "Send arbitrary text to a selected log level.", log),
    AppDef::run("Verbose", "Send arbitrary text to verbose output.", verbose),
    AppDef::run("SoftHangup", "Hangs up the requested channel.", soft_hangup),
    AppDef::run("HangupCauseClear", "Clears hangup cause information from the channel that is available through HANGUPCAUSE.", noop),
    AppDef::run("DumpChan", "Dump Info About The Calling Channel.", dump_chan),
    AppDef::run("ClearHash", "Clear the keys from a specified hashname.", clear_hash),
];

fn noop(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::Next
}

fn signal_only(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::Next
}

fn answer(exec: &mut Exec<'_>, _: &str) -> Flow {
    exec.answer();
    Flow::Next
}

/// Hangup cause names Asterisk accepts (`ast_str2cause`, the common ones).
const CAUSES: &[(&str, u32)] = &[
    ("UNALLOCATED", 1),
    ("NORMAL_CLEARING", 16),
    ("USER_BUSY", 17),
    ("NO_USER_RESPONSE", 18),
    ("NO_ANSWER", 19),
    ("CALL_REJECTED", 21),
    ("NORMAL_UNSPECIFIED", 31),
    ("NORMAL_CIRCUIT_CONGESTION", 34),
    ("CONGESTION", 34),
];

fn hangup(exec: &mut Exec<'_>, data: &str) -> Flow {
    if !data.is_empty() {
        let cause = data
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|it| *it > 0)
            .or_else(|| {
                CAUSES
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(data.trim()))
                    .map(|it| it.1)
            });
        match cause {
            Some(cause) => exec.chan.hangup_cause = Some(cause),
            None => exec.log(
                Level::Warning,
                format!("Invalid cause given to Hangup(): \"{data}\""),
            ),
        }
    }
    if exec.chan.hangup_cause.is_none() {
        exec.chan.hangup_cause = Some(16);
    }
    Flow::Stop
}

fn busy(exec: &mut Exec<'_>, _: &str) -> Flow {
    if !exec.chan.answered {
        exec.chan.hangup_cause = Some(17);
    }
    Flow::Stop
}

fn congestion(exec: &mut Exec<'_>, _: &str) -> Flow {
    if !exec.chan.answered {
        exec.chan.hangup_cause = Some(34);
    }
    Flow::Stop
}

fn verbose(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        return Flow::Next;
    }
    let parts = split(data, ',', 2, Mode::Standard);
    let (level, message) = match parts.as_slice() {
        [message] => (0u8, message.clone()),
        [level, message, ..] => match level.trim().parse::<u32>() {
            Ok(level) => (level.min(4) as u8, message.clone()),
            Err(_) => {
                exec.log(
                    Level::Warning,
                    format!("'{level}' is not a verboser number"),
                );
                (0, message.clone())
            }
        },
        [] => return Flow::Next,
    };
    exec.verbose(level, message);
    Flow::Next
}

fn log(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 2, Mode::Standard);
    let (Some(level), Some(message)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Error,
            "Log requires a level and a message".to_string(),
        );
        return Flow::Next;
    };
    match Level::parse(level) {
        Some(level) => {
            let text = format!(
                "Ext. {}:{} @ {}: {message}",
                exec.chan.exten, exec.chan.priority, exec.chan.context
            );
            exec.log(level, text);
        }
        None => exec.log(Level::Error, format!("Unknown log level: '{level}'")),
    }
    Flow::Next
}

/// Sets `name=value`: a function write when the name ends with `)`, else a channel variable.
fn assign(exec: &mut Exec<'_>, name: &str, value: &str) {
    if name.ends_with(')') {
        functions::write(exec, name, value);
        return;
    }
    if name.contains(' ') {
        exec.log(
            Level::Warning,
            format!("Please avoid unnecessary spaces on variables as it may lead to unexpected results ('{name}' set to '{value}')."),
        );
    }
    exec.chan.set(name, value);
}

fn set(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Set requires one variable name/value pair.".to_string(),
        );
        return Flow::Next;
    }
    match data.split_once('=') {
        Some((name, value)) => assign(exec, name, value),
        None => exec.log(
            Level::Warning,
            "Set requires an '=' to be a valid assignment.".to_string(),
        ),
    }
    Flow::Next
}

fn mset(exec: &mut Exec<'_>, data: &str) -> Flow {
    for entry in split(data, ',', 99, Mode::Standard) {
        match entry.split_once('=') {
            Some((name, value)) => assign(exec, name, value),
            None => {
                let text = format!(
                    "MSet: ignoring entry '{entry}' with no '=' (in {}@{}:{}",
                    exec.chan.exten, exec.chan.context, exec.chan.priority
                );
                exec.log(Level::Warning, text);
            }
        }
    }
    Flow::Next
}

fn wait(exec: &mut Exec<'_>, data: &str) -> Flow {
    let text = data.trim();
    let (number, scale) = if let Some(it) = text.strip_suffix("ms") {
        (it, 0.001)
    } else if let Some(it) = text.strip_suffix('h') {
        (it, 3600.0)
    } else if let Some(it) = text.strip_suffix('m') {
        (it, 60.0)
    } else if let Some(it) = text.strip_suffix('s') {
        (it, 1.0)
    } else {
        (text, 1.0)
    };
    if let Ok(value) = number.trim().parse::<f64>() {
        if value > 0.0 {
            exec.now += (value * scale).floor() as i64;
        }
    }
    Flow::Next
}

fn raise_exception(exec: &mut Exec<'_>, data: &str) -> Flow {
    exec.raise(data);
    Flow::Jump(exec.chan.context.clone(), "e".to_string(), 1)
}

/// `Goto(target)`: resolve, log, jump.

/// `WaitUntil(epoch)`: the simulated clock moves to `epoch`; `WAITUNTILSTATUS` says how.
fn wait_until(exec: &mut Exec<'_>, data: &str) -> Flow {
    let status = match data.trim().parse::<f64>() {
        Err(_) if data.is_empty() => {
            exec.log(
                Level::Warning,
                "WaitUntil requires an argument(epoch)".to_string(),
            );
            "FAILURE"
        }
        Err(_) => {
            exec.log(
                Level::Warning,
                format!("WaitUntil called with non-numeric argument '{data}'"),
            );
            "FAILURE"
        }
        Ok(epoch) if (epoch as i64) < exec.now => "PAST",
        Ok(epoch) => {
            exec.now = epoch as i64;
            "OK"
        }
    };
    exec.chan.set("WAITUNTILSTATUS", status);
    Flow::Next
}

/// `SoftHangup(channel[,options])`: only this call's channel exists.
fn soft_hangup(exec: &mut Exec<'_>, data: &str) -> Flow {
    let target = data.split(',').next().unwrap_or("");
    if target.is_empty() {
        exec.log(
            Level::Warning,
            "SoftHangup requires an argument (Technology/resource)".to_string(),
        );
        return Flow::Next;
    }
    let name = exec.chan.name.clone();
    let device = name.rsplit_once('-').map_or(name.as_str(), |it| it.0);
    if name.eq_ignore_ascii_case(target) || device.eq_ignore_ascii_case(target) {
        exec.verbose(4, format!("Soft hanging {name} up."));
        exec.chan.hangup_cause.get_or_insert(16);
        return Flow::Stop;
    }
    Flow::Next
}

/// `DumpChan([level])`: the channel's variables, as verbose lines.
fn dump_chan(exec: &mut Exec<'_>, data: &str) -> Flow {
    let level = data.trim().parse::<u8>().unwrap_or(0);
    let mut text = format!(
        "Dumping Info For Channel: {}:\n================================================================================\nName=               {}\nContext=            {}\nExtension=          {}\nPriority=           {}\n",
        exec.chan.name, exec.chan.name, exec.chan.context, exec.chan.exten, exec.chan.priority
    );
    text.push_str("\nVariables:\n");
    let vars: Vec<String> = exec
        .chan
        .variables()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    for var in vars {
        text.push_str(&var);
        text.push('\n');
    }
    text.push_str("================================================================================");
    exec.verbose(level.min(4), text);
    Flow::Next
}

/// `ClearHash(name)` (`funcs/func_strings.c`): deletes every `~HASH~name~key~` variable.
fn clear_hash(exec: &mut Exec<'_>, data: &str) -> Flow {
    let prefix = format!("~HASH~{data}~");
    let names: Vec<String> = exec
        .chan
        .variables()
        .map(|(name, _)| crate::interp::channel::bare(name).to_string())
        .filter(|name| name.starts_with(&prefix))
        .collect();
    for name in names {
        exec.chan.delete(&name);
    }
    Flow::Next
}
