//! Subroutines (`apps/app_stack.c`, spec dialplan.md §6.4): `Gosub`, `GosubIf`, `Return`,
//! `StackPop`; and the macros Asterisk 21 removed but generated dialplans still call
//! (`apps/app_macro.c` of Asterisk 20): `Macro`, `MacroExclusive`, `MacroIf`, `MacroExit`, run
//! as Asterisk 20 ran them: a nested step loop in `macro-NAME`, `ARGn` and `MACRO_*` variables
//! saved and restored, at most `MACRO_RECURSION` (default 7) levels deep.

use crate::interp::apps::AppDef;
use crate::interp::args::{is_true, split, Mode};
use crate::interp::channel::Frame;
use crate::interp::exec::{Exec, Flow};
use crate::interp::limits::{MAX_GOSUB_DEPTH, MAX_MACRO_DEPTH};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("Gosub", "Jump to label, saving return address.", gosub),
    AppDef::run("GosubIf", "Conditionally jump to label, saving return address.", gosub_if),
    AppDef::run("Return", "Return from gosub routine.", return_),
    AppDef::run("StackPop", "Remove one address from gosub stack.", stack_pop),
    AppDef::run("AELSub", "Launch subroutine built with AEL", ael_sub),
    AppDef::run("Macro", "Macro Implementation (removed in Asterisk 21; use Gosub).", macro_),
    AppDef::run("MacroExclusive", "Exclusive Macro Implementation (removed in Asterisk 21; use Gosub).", macro_),
    AppDef::run("MacroIf", "Conditional Macro implementation (removed in Asterisk 21; use GosubIf).", macro_if),
    AppDef::run("MacroExit", "Exit from Macro (removed in Asterisk 21; use Return).", macro_exit),
];

fn gosub(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Error,
            "Gosub requires an argument: Gosub([[context,]exten,]priority[(arg1[,...][,argN])])"
                .to_string(),
        );
        return Flow::Stop;
    }
    let (label, args) = match data.find('(') {
        Some(open) => {
            let rest = &data[open + 1..];
            let inner = match rest.rfind(')') {
                Some(close) => &rest[..close],
                None => {
                    exec.log(
                        Level::Warning,
                        format!("Ouch.  No closing paren: '{data}'?"),
                    );
                    rest
                }
            };
            (&data[..open], split(inner, ',', 100, Mode::Raw))
        }
        None => (data, Vec::new()),
    };
    if exec.chan.stack.len() >= MAX_GOSUB_DEPTH {
        exec.log(
            Level::Error,
            format!("Gosub nested deeper than {MAX_GOSUB_DEPTH} levels; stopped"),
        );
        return Flow::Stop;
    }
    let (context, exten, priority) = match exec.resolve(label) {
        Ok(it) => it,
        Err(_) => {
            exec.log(Level::Error, format!("Gosub address is invalid: '{data}'"));
            return Flow::Stop;
        }
    };
    if exec
        .env
        .dialplan()
        .find(
            &context,
            &exten,
            crate::dialplan::Target::Priority(priority),
            exec.chan.caller_num.as_deref(),
        )
        .is_err()
    {
        exec.log(
            Level::Error,
            format!(
                "Gosub attempted to reach non-existent destination '{context},{exten},{priority}' from '{},{},{}'",
                exec.chan.context, exec.chan.exten, exec.chan.priority
            ),
        );
        return Flow::Stop;
    }
    let below = exec.chan.stack.last().map_or(0, |it| it.n_args);
    let n = args.len().max(below);
    let mut frame = Frame {
        ret_context: exec.chan.context.clone(),
        ret_exten: exec.chan.exten.clone(),
        ret_priority: exec.chan.priority.saturating_add(1),
        locals: Vec::new(),
        n_args: n,
    };
    for idx in 0..n {
        let name = format!("ARG{}", idx + 1);
        exec.chan
            .push(&name, args.get(idx).map_or("", String::as_str));
        frame.locals.push(name);
    }
    exec.chan.push("ARGC", &args.len().to_string());
    frame.locals.push("ARGC".to_string());
    exec.chan.stack.push(frame);
    exec.chan.stack_allocated = true;
    Flow::Jump(context, exten, priority)
}

fn gosub_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, '?', 2, Mode::Raw);
    if parts.len() != 2 {
        exec.log(
            Level::Warning,
            "GosubIf requires an argument: GosubIf(cond?label1(args):label2(args)".to_string(),
        );
        return Flow::Next;
    }
    let labels = split(&parts[1], ':', 2, Mode::Raw);
    let chosen = if is_true(&parts[0]) {
        labels.first()
    } else {
        labels.get(1)
    };
    match chosen.filter(|it| !it.is_empty()) {
        Some(label) => {
            let label = label.clone();
            gosub(exec, &label)
        }
        None => Flow::Next,
    }
}

/// Drops the top frame and its locals; returns it.
fn pop_frame(exec: &mut Exec<'_>) -> Option<Frame> {
    let frame = exec.chan.stack.pop()?;
    for name in &frame.locals {
        exec.chan.pop(name);
    }
    Some(frame)
}

fn return_(exec: &mut Exec<'_>, data: &str) -> Flow {
    match pop_frame(exec) {
        Some(frame) => {
            exec.chan.set("GOSUB_RETVAL", data);
            Flow::Jump(frame.ret_context, frame.ret_exten, frame.ret_priority)
        }
        None => {
            let why = if exec.chan.stack_allocated {
                "empty"
            } else {
                "unallocated"
            };
            exec.log(
                Level::Error,
                format!("Return without Gosub: stack is {why}"),
            );
            Flow::Stop
        }
    }
}

fn stack_pop(exec: &mut Exec<'_>, _: &str) -> Flow {
    let _ = pop_frame(exec);
    Flow::Next
}


/// Sets `name` to `value`, or deletes it for `None` (restoring what a macro saved).
fn restore(exec: &mut Exec<'_>, name: &str, value: Option<String>) {
    match value {
        Some(value) => exec.chan.set(name, &value),
        None => exec.chan.delete(name),
    }
}

fn macro_(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Macro() requires arguments. See \"core show application macro\" for help.".to_string(),
        );
        return Flow::Next;
    }
    if !exec.macro_warned {
        exec.macro_warned = true;
        exec.log(
            Level::Warning,
            "Macro() is deprecated and will be removed from a future version of Asterisk.".to_string(),
        );
        exec.log(
            Level::Warning,
            "Dialplan should be updated to use Gosub instead.".to_string(),
        );
    }
    let int_var = |exec: &Exec<'_>, name: &str| {
        exec.chan
            .var(name)
            .and_then(|it| crate::interp::args::leading_int(it))
            .map(|it| it.0)
    };
    let max_depth = int_var(exec, "MACRO_RECURSION")
        .unwrap_or(7)
        .clamp(0, MAX_MACRO_DEPTH as i32);
    let depth = int_var(exec, "MACRO_DEPTH").unwrap_or(0);
    if exec.chan.exten == "h" {
        exec.chan.set("MACRO_IN_HANGUP", "1");
    }
    if depth >= max_depth {
        exec.log(
            Level::Error,
            "Macro():  possible infinite loop detected.  Returning early.".to_string(),
        );
        return Flow::Next;
    }
    let mut args = data.split(',');
    let name = args.next().unwrap_or("");
    if name.is_empty() {
        exec.log(Level::Warning, "Invalid macro name specified".to_string());
        return Flow::Next;
    }
    let full = format!("macro-{name}");
    if exec.env.dialplan().context(&full).is_none() {
        let text = format!(
            "No such context '{full}' for macro '{name}'. Was called by {}@{}",
            exec.chan.exten, exec.chan.context
        );
        exec.log(Level::Warning, text);
        return Flow::Next;
    }
    let exten = if exec.exists(&full, "s") {
        "s"
    } else if exec.exists(&full, "~~s~~") {
        "~~s~~"
    } else {
        exec.log(
            Level::Warning,
            format!("Context '{full}' for macro '{name}' lacks 's' extension, priority 1"),
        );
        return Flow::Next;
    };
    let (old_context, old_exten, old_priority) = (
        exec.chan.context.clone(),
        exec.chan.exten.clone(),
        exec.chan.priority,
    );
    let saved: Vec<(String, Option<String>)> = ["MACRO_EXTEN", "MACRO_CONTEXT", "MACRO_PRIORITY", "MACRO_OFFSET"]
        .iter()
        .map(|it| (it.to_string(), exec.chan.var(it).map(str::to_string)))
        .collect();
    exec.chan.set("MACRO_EXTEN", &old_exten);
    exec.chan.set("MACRO_CONTEXT", &old_context);
    exec.chan.set("MACRO_PRIORITY", &old_priority.to_string());
    exec.chan.delete("MACRO_OFFSET");
    exec.chan.set("MACRO_DEPTH", &(depth + 1).to_string());
    let mut old_args = Vec::new();
    for (idx, value) in args.enumerate() {
        let var = format!("ARG{}", idx + 1);
        old_args.push((var.clone(), exec.chan.var(&var).map(str::to_string)));
        exec.chan.set(&var, value);
    }
    exec.chan.context = full.clone();
    exec.chan.exten = exten.to_string();
    exec.chan.priority = 1;
    exec.chan.macro_depth += 1;
    let flow = exec.macro_loop(&full, name);
    exec.chan.macro_depth -= 1;
    exec.chan.set("MACRO_DEPTH", &depth.to_string());
    for (var, value) in old_args {
        restore(exec, &var, value);
    }
    let mut saved = saved.into_iter();
    let mut offset_saved = None;
    for (var, value) in saved.by_ref() {
        if var == "MACRO_OFFSET" {
            offset_saved = Some(value);
        } else {
            restore(exec, &var, value);
        }
    }
    let mut result = match flow {
        Flow::Stop | Flow::Error => Flow::Stop,
        _ => Flow::Next,
    };
    if exec.chan.context == full {
        let offset = exec
            .chan
            .var("MACRO_OFFSET")
            .and_then(|it| crate::interp::args::leading_int(it))
            .map(|it| it.0);
        exec.chan.context = old_context.clone();
        exec.chan.exten = old_exten.clone();
        exec.chan.priority = old_priority;
        if let (Some(offset), Flow::Next) = (offset, &result) {
            let target = old_priority.saturating_add(offset).saturating_add(1);
            if exec
                .env
                .dialplan()
                .find(
                    &old_context,
                    &old_exten,
                    crate::dialplan::Target::Priority(target),
                    exec.chan.caller_num.as_deref(),
                )
                .is_ok()
            {
                result = Flow::Jump(old_context, old_exten, target);
            }
        }
    } else if result == Flow::Next {
        result = Flow::Jump(
            exec.chan.context.clone(),
            exec.chan.exten.clone(),
            exec.chan.priority,
        );
    }
    restore(exec, "MACRO_OFFSET", offset_saved.flatten());
    result
}

fn macro_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    let Some((cond, rest)) = data.split_once('?') else {
        exec.log(Level::Warning, "Invalid Syntax.".to_string());
        return Flow::Stop;
    };
    let (yes, no) = match rest.split_once(':') {
        Some((yes, no)) => (yes, Some(no)),
        None => (rest, None),
    };
    let chosen = if is_true(cond.trim()) { Some(yes) } else { no };
    match chosen.filter(|it| !it.is_empty()) {
        Some(target) => {
            let target = target.to_string();
            macro_(exec, &target)
        }
        None => Flow::Next,
    }
}

fn macro_exit(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::MacroExit
}

/// `AELSub(routine[,args])` (`pbx/pbx_ael.c`): `Gosub(routine,~~s~~,1(args))`.
fn ael_sub(exec: &mut Exec<'_>, data: &str) -> Flow {
    let (routine, args) = data.split_once(',').unwrap_or((data, ""));
    let target = format!("{routine},~~s~~,1({args})");
    gosub(exec, &target)
}
