//! Questions about the dialplan itself (`funcs/func_dialplan.c`, `main/pbx.c`,
//! `funcs/func_logic.c`): `DIALPLAN_EXISTS`, `EXCEPTION`, `IFTIME`, `EVAL`, `EVAL_EXTEN`.

use crate::dialplan::Target;
use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("DIALPLAN_EXISTS", "Checks the existence of a dialplan target.", dialplan_exists),
    Func::chan("EXCEPTION", "Retrieve the details of the current dialplan exception.", exception),
    Func::chan("IFTIME", "Temporal Conditional.", iftime),
    Func::chan("EVAL", "Evaluate stored variables", eval),
    Func::chan("EVAL_EXTEN", "Evaluates the contents of a dialplan extension and returns it as a string.", eval_exten),
];

fn dialplan_exists(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Error,
            "DIALPLAN_EXISTS() requires an argument".to_string(),
        );
        return None;
    }
    let parts = split(args, ',', 3, Mode::Standard);
    let context = parts.first().map_or("", String::as_str);
    let exten = parts.get(1).map_or("", String::as_str);
    let priority = parts.get(2).map_or("", String::as_str);
    let caller = exec.chan.caller_num.clone();
    let plan = exec.env.dialplan();
    let found = if !priority.is_empty() {
        match crate::interp::args::leading_int(priority)
            .map(|it| it.0)
            .filter(|n| *n > 0) {
            Some(n) => plan
                .find(context, exten, Target::Priority(n), caller.as_deref())
                .is_ok(),
            None => plan
                .find(context, exten, Target::Label(priority), caller.as_deref())
                .is_ok(),
        }
    } else if !exten.is_empty() {
        plan.find(context, exten, Target::Priority(1), caller.as_deref())
            .is_ok()
    } else if !context.is_empty() {
        plan.context(context).is_some()
    } else {
        exec.log(
            Level::Error,
            "Invalid arguments provided to DIALPLAN_EXISTS".to_string(),
        );
        return None;
    };
    Some(if found { "1" } else { "0" }.to_string())
}

fn exception(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let (reason, context, exten, priority) = exec.chan.exception.as_ref()?;
    match args.to_ascii_uppercase().as_str() {
        "REASON" => Some(reason.clone()),
        "CONTEXT" => Some(context.clone()),
        "EXTEN" => Some(exten.clone()),
        "PRIORITY" => Some(priority.to_string()),
        _ => None,
    }
}

/// `IFTIME(timespec?true[:false])`.
fn iftime(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, '?', 2, Mode::Standard);
    let (Some(spec), Some(rest)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Warning,
            "IFTIME requires an argument:\n  IFTIME(<time range>,<days of week>,<days of month>,<months>[,<timezone>]?[[<true>][:<false>]])".to_string(),
        );
        return None;
    };
    let branches = split(rest, ':', 2, Mode::Standard);
    let (timespec, problems) = crate::dialplan::timespec::TimeSpec::parse(spec.trim());
    for problem in problems {
        exec.log(Level::Warning, problem);
    }
    let now = crate::interp::clock::local_time(exec.now);
    let chosen = if timespec.matches(now) {
        branches.first()
    } else {
        branches.get(1)
    };
    Some(chosen.map(|it| it.trim().to_string()).unwrap_or_default())
}

/// `EVAL(text)`: `text` substituted once more.
fn eval(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Warning,
            "EVAL requires an argument: EVAL(<string>)".to_string(),
        );
        return None;
    }
    Some(exec.substitute(args))
}

/// `EVAL_EXTEN([[context,]exten,]priority)`: the application data of that priority (its
/// application must be `Return`, as Asterisk requires), substituted.
fn eval_exten(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let (context, exten, priority) = match exec.resolve(args) {
        Ok(it) => it,
        Err(message) => {
            exec.log(Level::Warning, message);
            return None;
        }
    };
    let caller = exec.chan.caller_num.clone();
    let data = exec
        .env
        .dialplan()
        .find(&context, &exten, Target::Priority(priority), caller.as_deref())
        .ok()
        .map(|it| (it.priority.app.to_string(), it.priority.data.to_string()));
    let Some((app, data)) = data else {
        exec.log(
            Level::Warning,
            format!("Failed to find extension {context},{exten},{priority}"),
        );
        return None;
    };
    if !app.eq_ignore_ascii_case("Return") {
        exec.log(
            Level::Warning,
            format!("Extension {context},{exten},{priority} does not contain Return"),
        );
        return None;
    }
    Some(exec.substitute(&data))
}
