//! Gosub frames seen from functions (`apps/app_stack.c`, spec dialplan.md §6.4): `LOCAL`,
//! `LOCAL_PEEK`, `STACK_PEEK`.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("LOCAL", "Manage variables local to the gosub stack frame.", local).writes(write_local),
    Func::chan("LOCAL_PEEK", "Retrieve variables hidden by the local gosub stack frame.", local_peek),
    Func::chan("STACK_PEEK", "View info about the location which called Gosub", stack_peek),
];

fn local(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let top = exec.chan.stack.last()?;
    top.locals
        .iter()
        .any(|it| it == args)
        .then(|| exec.chan.var(args).map(str::to_string))
        .flatten()
        .or(Some(String::new()))
}

fn local_peek(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let n = parts
        .first()
        .and_then(|it| it.trim().parse::<usize>().ok())?;
    let name = parts.get(1)?;
    Some(exec.chan.peek(n, name).unwrap_or("").to_string())
}

fn write_local(exec: &mut Exec<'_>, args: &str, value: &str) {
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
