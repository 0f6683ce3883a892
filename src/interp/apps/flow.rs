//! Jumps and conditional execution (`main/pbx_builtins.c`, `apps/app_exec.c`, spec dialplan.md
//! §6.3): `Goto`, `GotoIf`, `GotoIfTime`, `ExecIf`, `ExecIfTime`, `Exec`, `TryExec`.

use crate::interp::apps::{lookup, AppDef};
use crate::interp::args::{is_true, split, Mode};
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("Goto", "Jump to a particular priority, extension, or context.", goto),
    AppDef::run("GotoIf", "Conditional goto.", goto_if),
    AppDef::run("GotoIfTime", "Conditional Goto based on the current time.", goto_if_time),
    AppDef::run("ExecIf", "Executes dialplan application, conditionally.", exec_if),
    AppDef::run("ExecIfTime", "Conditional application execution based on the current time.", exec_if_time),
    AppDef::run("Exec", "Executes dialplan application.", exec_app),
    AppDef::run("TryExec", "Executes dialplan application, always returning.", try_exec),
];

pub(crate) fn goto_target(exec: &mut Exec<'_>, target: &str) -> Flow {
    if target.is_empty() {
        exec.log(
            Level::Warning,
            "Goto requires an argument ([[context,]extension,]priority)".to_string(),
        );
        return Flow::Stop;
    }
    match exec.resolve(target) {
        Ok((context, exten, priority)) => {
            exec.verbose(3, format!("Goto ({context},{exten},{priority})"));
            Flow::Jump(context, exten, priority)
        }
        Err(message) => {
            exec.log(Level::Warning, message);
            Flow::Stop
        }
    }
}

fn goto(exec: &mut Exec<'_>, data: &str) -> Flow {
    goto_target(exec, data)
}

/// Splits `cond?true:false` at the first `?` and then the first `:`.
fn branches(data: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let (cond, rest) = match data.split_once('?') {
        Some((cond, rest)) => (cond, Some(rest)),
        None => (data, None),
    };
    let (yes, no) = match rest {
        Some(rest) => match rest.split_once(':') {
            Some((yes, no)) => (Some(yes), Some(no)),
            None => (Some(rest), None),
        },
        None => (None, None),
    };
    Some((cond, yes, no))
}

fn goto_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Ignoring, since there is no variable to check".to_string(),
        );
        return Flow::Next;
    }
    let Some((cond, yes, no)) = branches(data) else {
        return Flow::Next;
    };
    let chosen = if is_true(cond) { yes } else { no };
    match chosen.filter(|it| !it.is_empty()) {
        Some(target) => goto_target(exec, target),
        None => Flow::Next,
    }
}

fn goto_if_time(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "GotoIfTime requires an argument:\n  <time range>,<days of week>,<days of month>,<months>[,<timezone>]?'labeliftrue':'labeliffalse'".to_string(),
        );
        return Flow::Stop;
    }
    let Some((spec, yes, no)) = branches(data) else {
        return Flow::Next;
    };
    let mut now = exec.now;
    if let Some(test) = exec.chan.var("TESTTIME").map(str::to_string) {
        match test.trim().parse::<i64>() {
            Ok(t) => now = t,
            Err(_) => {
                exec.log(Level::Warning, "Using current time to evaluate".to_string());
                exec.chan.delete("TESTTIME");
            }
        }
    }
    let (timespec, problems) = crate::dialplan::timespec::TimeSpec::parse(spec);
    for problem in problems {
        exec.log(Level::Warning, problem);
    }
    let chosen = if timespec.matches(crate::interp::clock::local_time(now)) {
        yes
    } else {
        no
    };
    match chosen.filter(|it| !it.is_empty()) {
        Some(target) => goto_target(exec, target),
        None => Flow::Next,
    }
}


/// `Name(args)` split at the first `(` and the last `)`.
fn name_args(text: &str) -> (&str, Option<&str>) {
    match text.split_once('(') {
        Some((name, rest)) => (name, Some(rest.rfind(')').map_or(rest, |at| &rest[..at]))),
        None => (text, None),
    }
}

/// Runs `name` with `args` the way `pbx_exec` does (no `Executing` line); `None` when no such
/// application is registered.
fn run_named(exec: &mut Exec<'_>, name: &str, args: &str) -> Option<Flow> {
    let def = lookup(name)?;
    Some(exec.invoke(def, args))
}

fn exec_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    let comma = data.find(',');
    let question = data.find('?');
    let legacy = match (comma, question) {
        (Some(c), Some(q)) => c < q,
        (_, None) => true,
        _ => false,
    };
    let (cond, yes, yes_args, no, no_args) = if legacy {
        let parts = split(data, ',', 3, Mode::Standard);
        let app = parts.get(1).cloned().unwrap_or_default();
        let args = parts.get(2).cloned();
        exec.log(
            Level::Warning,
            format!(
                "Deprecated syntax found.  Please upgrade to using ExecIf(<expr>?{app}({}))",
                args.clone().unwrap_or_else(|| "(null)".to_string())
            ),
        );
        (parts.first().cloned().unwrap_or_default(), app, args, None, None)
    } else {
        let parts = split(data, '?', 2, Mode::Raw);
        let Some(rest) = parts.get(1).filter(|it| !it.is_empty()) else {
            exec.log(
                Level::Error,
                "Usage: ExecIf(<expr>?<appiftrue>(<args>)[:<appiffalse>(<args)])".to_string(),
            );
            return Flow::Stop;
        };
        let apps = split(rest, ':', 2, Mode::Raw);
        let (t, t_args) = apps.first().map_or(("", None), |it| name_args(it));
        let (f, f_args) = match apps.get(1) {
            Some(it) => {
                let (name, args) = name_args(it);
                (Some(name.to_string()), args.map(str::to_string))
            }
            None => (None, None),
        };
        (
            parts[0].clone(),
            t.to_string(),
            t_args.map(str::to_string),
            f,
            f_args,
        )
    };
    if is_true(&cond) {
        let found = if yes.is_empty() {
            None
        } else {
            run_named(exec, &yes, yes_args.as_deref().unwrap_or(""))
        };
        found.unwrap_or_else(|| {
            exec.log(
                Level::Warning,
                format!("Could not find application! ({yes})"),
            );
            Flow::Stop
        })
    } else {
        match no.filter(|it| !it.is_empty()) {
            Some(no) => run_named(exec, &no, no_args.as_deref().unwrap_or("")).unwrap_or_else(|| {
                exec.log(Level::Warning, format!("Could not find application! ({no})"));
                Flow::Stop
            }),
            None => Flow::Next,
        }
    }
}

const EXECIFTIME_USAGE: &str = "ExecIfTime requires an argument:\n  <time range>,<days of week>,<days of month>,<months>[,<timezone>]?<appname>[(<appargs>)]";

fn exec_if_time(exec: &mut Exec<'_>, data: &str) -> Flow {
    let Some((spec, app)) = data.split_once('?').filter(|_| !data.is_empty()) else {
        exec.log(Level::Warning, EXECIFTIME_USAGE.to_string());
        return Flow::Stop;
    };
    let (timespec, problems) = crate::dialplan::timespec::TimeSpec::parse(spec);
    for problem in problems {
        exec.log(Level::Warning, problem);
    }
    if !timespec.matches(crate::interp::clock::local_time(exec.now)) {
        return Flow::Next;
    }
    let (name, args) = match app.split_once('(') {
        Some((name, rest)) => match rest.rfind(')') {
            Some(at) => (name, &rest[..at]),
            None => {
                exec.log(
                    Level::Warning,
                    "Failed to find closing parenthesis".to_string(),
                );
                (name, rest)
            }
        },
        None => (app, ""),
    };
    run_named(exec, name, args).unwrap_or_else(|| {
        exec.log(
            Level::Warning,
            format!("Could not find application ({name})"),
        );
        Flow::Stop
    })
}

/// `Exec(App(args))`: the arguments are substituted once more.
fn exec_app(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        return Flow::Next;
    }
    let (name, args) = name_args(data);
    let args = args.map(|it| exec.substitute(it)).unwrap_or_default();
    run_named(exec, name, &args).unwrap_or_else(|| {
        exec.log(
            Level::Warning,
            format!("Could not find application ({name})"),
        );
        Flow::Stop
    })
}

/// `TryExec(App(args))`: as `Exec`, but always continues; `TRYSTATUS` says how it went.
fn try_exec(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        return Flow::Next;
    }
    let (name, args) = name_args(data);
    let args = args.map(|it| exec.substitute(it)).unwrap_or_default();
    match run_named(exec, name, &args) {
        Some(flow) => {
            let failed = matches!(flow, Flow::Stop | Flow::Error);
            exec.chan
                .set("TRYSTATUS", if failed { "FAILED" } else { "SUCCESS" });
            match flow {
                Flow::Jump(..) => flow,
                _ => Flow::Next,
            }
        }
        None => {
            exec.log(
                Level::Warning,
                format!("Could not find application ({name})"),
            );
            exec.chan.set("TRYSTATUS", "NOAPP");
            Flow::Next
        }
    }
}
