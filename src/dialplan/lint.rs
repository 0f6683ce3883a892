//! Checks that go beyond what Asterisk itself reports at load time: includes of contexts that do
//! not exist, constant `Goto`/`GotoIf`/`Gosub`/`GosubIf` targets that do not exist, priorities
//! no call can fall through to, hints on patterns and unknown application names.

use std::collections::HashSet;

use crate::diag::Diagnostics;
use crate::dialplan::apps::is_known_application;
use crate::dialplan::lookup::{Caller, NotFound, Target};
use crate::dialplan::model::{Context, Dialplan, Exten, Priority, PRIORITY_HINT};
use crate::dialplan::timespec::TimeSpec;

pub(crate) fn lint(plan: &Dialplan, diags: &mut Diagnostics) {
    // Priorities that a constant jump reaches by number: not "unreachable" after a gap.
    let mut jumped: HashSet<(usize, i32)> = HashSet::new();
    for ctx in plan.contexts.values() {
        for include in &ctx.includes {
            if !plan.contexts.contains_key(&*include.context) {
                diags.missing_include(include.span, &ctx.name, &include.context);
            }
            if let Some(timespec) = &include.timespec {
                for problem in TimeSpec::parse(timespec).1 {
                    diags.invalid_timespec(include.span, &problem);
                }
            }
        }
        for exten in &ctx.extens {
            for priority in &exten.priorities {
                if priority.number == PRIORITY_HINT {
                    hint(exten, priority, diags);
                    continue;
                }
                application(priority, diags);
                jumps(plan, ctx, exten, priority, diags, &mut jumped);
            }
        }
    }
    for ctx in plan.contexts.values() {
        for exten in &ctx.extens {
            gaps(exten, diags, &jumped);
        }
    }
}

fn hint(exten: &Exten, priority: &Priority, diags: &mut Diagnostics) {
    if exten.is_pattern() {
        diags.hint_on_pattern(priority.span, &exten.name);
    }
    if let Some((_, presence)) = priority.app.split_once(',') {
        if presence.contains(',') {
            diags.hint_presence_comma(priority.span);
        }
    }
}

fn application(priority: &Priority, diags: &mut Diagnostics) {
    let app = &*priority.app;
    if ["Macro", "MacroExclusive", "MacroIf", "MacroExit"]
        .iter()
        .any(|it| it.eq_ignore_ascii_case(app))
    {
        diags.removed_macro(priority.span, app);
        return;
    }
    if app.is_empty()
        || app.contains('$')
        || app.ends_with(|c: char| (c as u32) < 0x21)
        || is_known_application(app)
    {
        return;
    }
    diags.unknown_application(priority.span, app);
}

/// A jump target as written: `[[context,]exten,]priority`.
struct Jump<'a> {
    context: Option<&'a str>,
    exten: Option<&'a str>,
    priority: &'a str,
}

fn parse_jump(text: &str) -> Option<Jump<'_>> {
    let fields: Vec<&str> = text.split(',').collect();
    match fields.as_slice() {
        [p] => Some(Jump {
            context: None,
            exten: None,
            priority: p,
        }),
        [e, p] => Some(Jump {
            context: None,
            exten: Some(e),
            priority: p,
        }),
        [c, e, p] => Some(Jump {
            context: Some(c),
            exten: Some(e),
            priority: p,
        }),
        _ => None,
    }
}

/// Splits `cond?a:b` at the first `?` and then the first `:` that are outside `${...}` and
/// `$[...]` (what the condition turns into at run time has neither).
fn split_condition(data: &str) -> Option<(&str, &str)> {
    let question = find_outside_refs(data, b'?')?;
    Some((&data[..question], &data[question + 1..]))
}

fn find_outside_refs(text: &str, wanted: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'$' if matches!(bytes.get(idx + 1), Some(b'{') | Some(b'[')) => {
                depth += 1;
                idx += 1;
            }
            b'}' | b']' if depth > 0 => depth -= 1,
            b if b == wanted && depth == 0 => return Some(idx),
            _ => {}
        }
        idx += 1;
    }
    None
}

fn jumps(
    plan: &Dialplan,
    ctx: &Context,
    exten: &Exten,
    priority: &Priority,
    diags: &mut Diagnostics,
    jumped: &mut HashSet<(usize, i32)>,
) {
    let app = &*priority.app;
    let is = |name: &str| app.eq_ignore_ascii_case(name);
    if !(is("goto") || is("gosub") || is("gotoif") || is("gosubif")) {
        return;
    }
    let data = &*priority.data;
    let (targets, gosub): (Vec<&str>, bool) = match () {
        _ if is("goto") => (vec![data], false),
        _ if is("gosub") => (vec![data], true),
        _ => {
            let Some((_, branches)) = split_condition(data) else {
                return;
            };
            let (yes, no) = match branches.split_once(':') {
                Some((yes, no)) => (yes, Some(no)),
                None => (branches, None),
            };
            let mut list = vec![yes];
            list.extend(no);
            (list, is("gosubif"))
        }
    };
    for target in targets {
        // Gosub arguments follow the priority in parentheses.
        let target = if gosub {
            target.split_once('(').map_or(target, |it| it.0)
        } else {
            target
        };
        if target.is_empty() || target.contains('$') {
            continue;
        }
        let Some(jump) = parse_jump(target) else {
            continue;
        };
        check_jump(plan, ctx, exten, priority, target, &jump, diags, jumped);
    }
}

#[allow(clippy::too_many_arguments)]
fn check_jump(
    plan: &Dialplan,
    ctx: &Context,
    exten: &Exten,
    priority: &Priority,
    text: &str,
    jump: &Jump<'_>,
    diags: &mut Diagnostics,
    jumped: &mut HashSet<(usize, i32)>,
) {
    let pri = jump.priority;
    if pri.starts_with('+') || pri.starts_with('-') {
        return;
    }
    let target = match pri.bytes().next() {
        Some(b) if b.is_ascii_digit() => {
            let digits: String = pri.chars().take_while(char::is_ascii_digit).collect();
            match digits.parse::<i32>() {
                Ok(n) => Target::Priority(n),
                Err(_) => return,
            }
        }
        Some(_) => Target::Label(pri),
        None => return,
    };
    let app_name = &*priority.app;
    let context = jump.context.unwrap_or(&ctx.name);
    if !plan.contexts.contains_key(context) {
        diags.missing_target(
            priority.span,
            app_name,
            text,
            &format!("there is no context `{context}`"),
        );
        return;
    }
    let found = match jump.exten {
        // Same extension: the target must be in this very extension entry (its dialed number is
        // only known at run time when it is a pattern).
        None if jump.context.is_none() => {
            let hit = match target {
                Target::Priority(n) => exten.priority(n),
                Target::Label(label) => exten.label(label),
            };
            match hit {
                Some(p) => Ok((exten as *const Exten as usize, p.number)),
                None => plan
                    .find_with(context, &exten.name, target, Caller::Any)
                    .map(|it| (it.exten as *const Exten as usize, it.priority.number)),
            }
        }
        other => {
            let dialed = other.unwrap_or(&exten.name);
            plan.find_with(context, dialed, target, Caller::Any)
                .map(|it| (it.exten as *const Exten as usize, it.priority.number))
        }
    };
    match found {
        Ok(key) => {
            jumped.insert(key);
        }
        Err(status) => {
            let shown_exten = jump.exten.unwrap_or(&exten.name);
            let why = match (status, target) {
                (NotFound::NoContext, _) => format!("there is no context `{context}`"),
                (NotFound::NoExtension, _) => {
                    format!("no extension matches `{shown_exten}` in context `{context}`")
                }
                (_, Target::Priority(n)) => {
                    format!("extension `{shown_exten}` in context `{context}` has no priority {n}")
                }
                (_, Target::Label(l)) => {
                    format!("extension `{shown_exten}` in context `{context}` has no label `{l}`")
                }
            };
            diags.missing_target(priority.span, app_name, text, &why);
        }
    }
}

fn gaps(exten: &Exten, diags: &mut Diagnostics, jumped: &HashSet<(usize, i32)>) {
    let key = exten as *const Exten as usize;
    let mut prev: i32 = 0;
    for priority in exten.priorities.iter().filter(|it| it.number > 0) {
        let expected = prev.saturating_add(1);
        if priority.number != expected
            && priority.label.is_none()
            && !jumped.contains(&(key, priority.number))
        {
            diags.unreachable_priority(
                priority.span,
                &exten.name,
                i64::from(priority.number),
                i64::from(expected),
            );
        }
        prev = priority.number;
    }
}
