//! Conditional blocks (`apps/app_if.c`): `If`, `ElseIf`, `Else`, `EndIf`, `ExitIf`. Like
//! `While`, they keep their state in channel variables (`IF_n`, `<context>_<exten>_<priority>`)
//! and find the matching `EndIf`, `ElseIf` or `Else` by scanning the following priorities.

use crate::dialplan::Target;
use crate::interp::apps::AppDef;
use crate::interp::args::is_true;
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("If", "Start an if branch.", if_),
    AppDef::run("ElseIf", "Start an else if branch.", else_if),
    AppDef::run("Else", "Define an optional else branch.", else_),
    AppDef::run("EndIf", "End an if branch.", end_if),
    AppDef::run("ExitIf", "End an If branch.", exit_if),
];

fn if_(exec: &mut Exec<'_>, data: &str) -> Flow {
    helper(exec, data, 0)
}

fn else_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    helper(exec, data, 1)
}

fn end_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    helper(exec, data, 2)
}

fn else_(exec: &mut Exec<'_>, data: &str) -> Flow {
    helper(exec, data, 3)
}

fn exit_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    helper(exec, data, 4)
}

/// The priority of the matching `EndIf` (`other` = `None`) or of the `ElseIf`/`Else` at this
/// level, scanning forward from the next priority.
fn find_matching(exec: &Exec<'_>, other: Option<&str>) -> Option<i32> {
    let caller = exec.chan.caller_num.as_deref();
    let mut level = 1;
    let mut priority = exec.chan.priority;
    loop {
        priority = priority.checked_add(1)?;
        let found = exec
            .env
            .dialplan()
            .find(&exec.chan.context, &exec.chan.exten, Target::Priority(priority), caller)
            .ok()?;
        let app = &*found.priority.app;
        if app.eq_ignore_ascii_case("If") {
            level += 1;
        } else if app.eq_ignore_ascii_case("EndIf") {
            level -= 1;
        }
        match other {
            None if level == 0 => return Some(priority),
            Some(other) if level == 1 && app.eq_ignore_ascii_case(other) => return Some(priority),
            _ => {}
        }
    }
}

/// `if_helper`: `end` is 0 for If, 1 ElseIf, 2 EndIf, 3 Else, 4 ExitIf.
fn helper(exec: &mut Exec<'_>, data: &str, end: u8) -> Flow {
    let mut used = -1i64;
    while exec.chan.var(&format!("IF_{}", used + 1)).is_some() {
        used += 1;
    }
    let my_name = format!(
        "{}_{}_{}",
        exec.chan.context, exec.chan.exten, exec.chan.priority
    );
    let label = if end > 1 {
        used.to_string()
    } else {
        match exec.chan.var(&my_name).map(str::to_string) {
            Some(label) => label,
            None => {
                let label = (used + 1).to_string();
                exec.chan.set(&my_name, &label);
                label
            }
        }
    };
    let varname = format!("IF_{label}");
    let if_pri = if end == 0 {
        exec.chan.var(&varname).map(str::to_string)
    } else {
        None
    };
    if end > 1 || !is_true(data) {
        exec.chan.delete(&varname);
        exec.chan.delete(&my_name);
        let endif = if end == 2 {
            Some(exec.chan.priority)
        } else {
            find_matching(exec, None)
        };
        let before_end = |pri: i32| endif.is_none_or(|end| pri < end);
        let (context, exten) = (exec.chan.context.clone(), exec.chan.exten.clone());
        if end <= 1 {
            if let Some(pri) = find_matching(exec, Some("ElseIf")).filter(|it| before_end(*it)) {
                exec.verbose(
                    3,
                    format!("Taking conditional false branch, jumping to priority {}", pri - 1),
                );
                return Flow::Jump(context, exten, pri);
            }
            if let Some(pri) = find_matching(exec, Some("Else")).filter(|it| before_end(*it)) {
                exec.verbose(
                    3,
                    format!("Taking absolute false branch, jumping to priority {pri}"),
                );
                return Flow::Jump(context, exten, pri.saturating_add(1));
            }
        }
        match endif {
            Some(pri) => {
                exec.verbose(3, format!("Exiting conditional, jumping to priority {pri}"));
                return Flow::Jump(context, exten, pri.saturating_add(1));
            }
            None if end == 4 => {
                let text = format!(
                    "Couldn't find matching EndIf? (If at {}@{} priority {})",
                    exec.chan.context, exec.chan.exten, exec.chan.priority
                );
                exec.log(Level::Warning, text);
            }
            None => {}
        }
        return Flow::Next;
    }
    if end <= 1 && if_pri.is_none() {
        let here = format!(
            "{},{},{}",
            exec.chan.context, exec.chan.exten, exec.chan.priority
        );
        exec.chan.set(&varname, &here);
    }
    Flow::Next
}
