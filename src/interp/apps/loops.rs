//! Loops (`apps/app_while.c`, spec dialplan.md §6.5): `While`, `EndWhile`, `ExitWhile`,
//! `ContinueWhile`.

use crate::interp::apps::AppDef;
use crate::interp::args::is_true;
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("While", "Start a while loop.", while_),
    AppDef::run("EndWhile", "End a while loop.", end_while),
    AppDef::run("ExitWhile", "End a While loop.", exit_while),
    AppDef::run("ContinueWhile", "Restart a While loop.", continue_while),
];

fn top_index(exec: &Exec<'_>) -> i64 {
    let mut k = -1i64;
    while exec.chan.var(&format!("WHILE_{}", k + 1)).is_some() {
        k += 1;
    }
    k
}

fn marker(context: &str, exten: &str, priority: i32) -> String {
    format!("{context}_{exten}_{priority}")
}

/// Leaves loop `k`: to `END_WHILE_k` if known, else past the matching `EndWhile`.
fn leave_loop(exec: &mut Exec<'_>, k: i64) -> Flow {
    let end_name = format!("END_WHILE_{k}");
    if let Some(end) = exec.chan.var(&end_name).map(str::to_string) {
        exec.chan.delete(&end_name);
        if let flow @ Flow::Jump(..) = jump_to(&end) {
            return flow;
        }
    }
    // Scan forward for the matching EndWhile.
    let (context, exten) = (exec.chan.context.clone(), exec.chan.exten.clone());
    let mut depth = 0;
    let mut priority = exec.chan.priority.saturating_add(1);
    loop {
        let found = exec.env.dialplan().find(
            &context,
            &exten,
            crate::dialplan::Target::Priority(priority),
            exec.chan.caller_num.as_deref(),
        );
        let Ok(found) = found else {
            exec.log(
                Level::Warning,
                format!(
                    "Couldn't find matching EndWhile? (While at {context}@{exten} priority {})",
                    exec.chan.priority
                ),
            );
            return Flow::Next;
        };
        let app = found.priority.app.to_string();
        if app.eq_ignore_ascii_case("While") {
            depth += 1;
        } else if app.eq_ignore_ascii_case("EndWhile") {
            if depth == 0 {
                return Flow::Jump(context, exten, priority.saturating_add(1));
            }
            depth -= 1;
        }
        priority = priority.saturating_add(1);
    }
}

fn while_(exec: &mut Exec<'_>, data: &str) -> Flow {
    let here = marker(&exec.chan.context, &exec.chan.exten, exec.chan.priority);
    let k = match exec.chan.var(&here).and_then(|it| it.parse::<i64>().ok()) {
        Some(k) => k,
        None => {
            let k = top_index(exec) + 1;
            exec.chan.set(&here, &k.to_string());
            k
        }
    };
    let while_name = format!("WHILE_{k}");
    if !is_true(data) {
        exec.chan.delete(&while_name);
        exec.chan.delete(&here);
        return leave_loop(exec, k);
    }
    if exec.chan.var(&while_name).is_none() {
        let location = format!(
            "{},{},{}",
            exec.chan.context, exec.chan.exten, exec.chan.priority
        );
        exec.chan.set(&while_name, &location);
    }
    Flow::Next
}

/// A `context,exten,priority` location kept in a loop variable, as a jump.
fn jump_to(location: &str) -> Flow {
    let mut parts = location.splitn(3, ',');
    match (
        parts.next(),
        parts.next(),
        parts.next().map(str::parse::<i32>),
    ) {
        (Some(c), Some(e), Some(Ok(p))) => Flow::Jump(c.to_string(), e.to_string(), p),
        _ => Flow::Next,
    }
}

fn end_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    let Some(target) = exec.chan.var(&format!("WHILE_{k}")).map(str::to_string) else {
        return Flow::Next;
    };
    let end_name = format!("END_WHILE_{k}");
    if exec.chan.var(&end_name).is_none() {
        let after = format!(
            "{},{},{}",
            exec.chan.context,
            exec.chan.exten,
            exec.chan.priority.saturating_add(1)
        );
        exec.chan.set(&end_name, &after);
    }
    jump_to(&target)
}

fn exit_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    if k < 0 {
        return Flow::Next;
    }
    exec.chan.delete(&format!("WHILE_{k}"));
    let here = marker(&exec.chan.context, &exec.chan.exten, exec.chan.priority);
    exec.chan.delete(&here);
    let flow = leave_loop(exec, k);
    if let Flow::Jump(_, _, p) = &flow {
        exec.verbose(3, format!("Jumping to priority {}", p.saturating_sub(1)));
    }
    flow
}

fn continue_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    let Some(target) = exec.chan.var(&format!("WHILE_{k}")).map(str::to_string) else {
        return Flow::Next;
    };
    jump_to(&target)
}
