//! Step loops inside an application: the `Macro` loop of Asterisk 20's `apps/app_macro.c` and
//! the subroutine run of `ast_app_run_sub` (`EVAL_SUB`). Both share the call's step limit.

use crate::interp::apps;
use crate::interp::exec::{Exec, Flow};

impl Exec<'_> {
    /// The step loop of a macro (`apps/app_macro.c` of Asterisk 20): runs while the priority
    /// exists; returns `Next` when the macro ends or is left, `Stop` when an application
    /// returned non-zero (after the `in macro` line).
    pub(crate) fn macro_loop(&mut self, full: &str, name: &str) -> Flow {
        let base = self.chan.stack.len();
        loop {
            if self.out_of_steps() {
                return Flow::Stop;
            }
            let priority = self.chan.priority;
            let Some(flow) = self.step() else {
                return Flow::Next;
            };
            match flow {
                Flow::Next => {
                    if self.chan.hangup_cause.is_some() {
                        return Flow::Next;
                    }
                }
                Flow::Jump(context, exten, priority) => {
                    self.chan.context = context;
                    self.chan.exten = exten;
                    // Asterisk stores "target - 1" and adds one after the check below.
                    self.chan.priority = priority.saturating_sub(1);
                }
                Flow::MacroExit => return Flow::Next,
                Flow::Stop | Flow::Error => {
                    let text = format!(
                        "Spawn extension ({}, {}, {priority}) exited non-zero on '{}' in macro '{name}'",
                        self.chan.context, self.chan.exten, self.chan.name
                    );
                    self.verbose(2, text);
                    return Flow::Stop;
                }
            }
            if self.chan.stack.len() <= base && self.chan.context != full {
                let text = format!("Channel '{}' jumping out of macro '{name}'", self.chan.name);
                self.verbose(2, text);
                self.chan.priority = self.chan.priority.saturating_add(1);
                return Flow::Next;
            }
            self.chan.priority = self.chan.priority.saturating_add(1);
        }
    }

    /// Runs a subroutine to its `Return` on this channel (`ast_app_run_sub`, used by
    /// `EVAL_SUB`): the location is restored afterwards; `None` when the Gosub fails.
    pub(crate) fn run_sub(&mut self, target: &str) -> Option<String> {
        let saved = (
            self.chan.context.clone(),
            self.chan.exten.clone(),
            self.chan.priority,
        );
        let base = self.chan.stack.len();
        let gosub = apps::lookup("Gosub")?;
        let flow = self.invoke(gosub, target);
        let ok = match flow {
            Flow::Jump(context, exten, priority) => {
                self.chan.context = context;
                self.chan.exten = exten;
                self.chan.priority = priority;
                loop {
                    if self.out_of_steps() {
                        break false;
                    }
                    let priority = self.chan.priority;
                    match self.step() {
                        None => break false,
                        Some(Flow::Next) => {
                            if self.chan.hangup_cause.is_some() {
                                break false;
                            }
                            self.chan.priority = priority.saturating_add(1);
                        }
                        Some(Flow::Jump(context, exten, priority)) => {
                            self.chan.context = context;
                            self.chan.exten = exten;
                            self.chan.priority = priority;
                        }
                        Some(_) => break false,
                    }
                    if self.chan.stack.len() <= base {
                        break true;
                    }
                }
            }
            _ => false,
        };
        self.chan.context = saved.0;
        self.chan.exten = saved.1;
        self.chan.priority = saved.2;
        ok.then(|| self.chan.var("GOSUB_RETVAL").unwrap_or("").to_string())
    }
}
