//! `dialstate run FILE --every-extension`: one simulated call to every extension of every
//! context (a pattern is dialled with a number it matches), each reported on one line — whole,
//! or stopped on a missing piece (an application or function dialstate does not have) — and a
//! summary. Traces are not printed; the calls are what a dry run of the dialplan would make.

use std::io::Write;

use crate::dialplan::pattern::{extension_match, MatchMode};
use crate::dialplan::PRIORITY_HINT;
use crate::interp::{CallOptions, Event, Level, Sink};
use crate::pbx::Pbx;

/// A number that `pattern` (an extension name starting with `_`) matches, if one is found.
pub fn sample_number(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix('_')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c.to_ascii_uppercase() {
            'X' | 'Z' => out.push('1'),
            'N' => out.push('2'),
            '.' | '!' => {
                out.push('1');
                break;
            }
            '[' => {
                let set: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(set.chars().find(|c| *c != '-')?);
            }
            '-' | ' ' => {}
            _ => out.push(c),
        }
    }
    extension_match(pattern, &out, MatchMode::Match)
        .is_match()
        .then_some(out)
}

/// What stopped a call: the name Asterisk's message quotes.
#[derive(Default)]
struct Missing {
    pieces: Vec<String>,
    /// The call ran into the step limit (a loop no simulated caller leaves).
    looped: bool,
}

impl Sink for Missing {
    fn event(&mut self, event: &Event, _: &str, _: &str) {
        let Event::Log { level, text } = event else {
            return;
        };
        if *level == Level::Warning && text.contains("stopped by the step limit") {
            self.looped = true;
        }
        let name = match level {
            Level::Warning => text
                .strip_prefix("No application '")
                .and_then(|it| it.split_once('\''))
                .map(|it| format!("application {}", it.0)),
            Level::Error => text
                .strip_prefix("Function ")
                .and_then(|it| it.strip_suffix(" not registered"))
                .map(|it| format!("function {it}")),
            _ => None,
        };
        if let Some(name) = name {
            if !self.pieces.contains(&name) {
                self.pieces.push(name);
            }
        }
    }
}

/// Calls every extension of `pbx`'s dialplan; returns (calls, calls that ran whole). A call that
/// reaches the step limit (`--max-steps`) counts as looping, not as whole.
pub fn run_every(pbx: &mut Pbx, apps: &[(String, String)], out: &mut dyn Write) -> (usize, usize) {
    let plan = crate::interp::Env::shared_dialplan(pbx);
    let (mut calls, mut whole, mut looped) = (0usize, 0usize, 0usize);
    for (context_name, context) in &plan.contexts {
        for exten in &context.extens {
            if exten.priorities.iter().all(|it| it.number == PRIORITY_HINT) {
                continue;
            }
            let number = if exten.is_pattern() {
                match sample_number(&exten.name) {
                    Some(number) => number,
                    None => {
                        let _ = writeln!(
                            out,
                            "skipped {}@{context_name}: no number found that the pattern matches",
                            exten.name
                        );
                        continue;
                    }
                }
            } else {
                exten.name.to_string()
            };
            let options = CallOptions {
                context: context_name.to_string(),
                exten: number.clone(),
                caller_num: exten
                    .cid
                    .as_deref()
                    .filter(|it| !it.starts_with('_'))
                    .map(str::to_string),
                apps: apps.to_vec(),
                max_steps: pbx.max_steps,
                trace: false,
                ..CallOptions::default()
            };
            let mut missing = Missing::default();
            let result = crate::interp::run_to(pbx, &options, &mut missing);
            calls += 1;
            let shown = if exten.is_pattern() {
                format!("{number}@{context_name} ({})", exten.name)
            } else {
                format!("{number}@{context_name}")
            };
            if !missing.pieces.is_empty() {
                let _ = writeln!(
                    out,
                    "stopped {shown}: missing {}",
                    missing.pieces.join(", ")
                );
            } else if missing.looped {
                looped += 1;
                let _ = writeln!(
                    out,
                    "looped  {shown}: {} priorities, stopped by the step limit",
                    result.steps
                );
            } else {
                whole += 1;
                let _ = writeln!(
                    out,
                    "whole   {shown}: {} priorities, cause {}",
                    result.steps, result.cause
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{calls} calls, {whole} ran whole, {} stopped on a missing piece, {looped} looped until the step limit",
        calls - whole - looped
    );
    (calls, whole)
}
