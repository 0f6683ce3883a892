//! How the running call answers variable, function and expression lookups: the built-in
//! variables (`EXTEN`, `CONTEXT`, `HINT`, ...), channel variables and globals (spec dialplan.md
//! §4.4), and the `Vars` and `FuncCtx` services the substitution scanner and the functions use.

use crate::dialplan::{Target, PRIORITY_HINT};
use crate::expr::Vars;
use crate::interp::ctx::FuncCtx;
use crate::interp::exec::Exec;
use crate::interp::functions;
use crate::interp::trace::{Event, Level};

impl Exec<'_> {
    /// Appends what `${name}` reads to `out`, without allocating for channel variables.
    pub(crate) fn var_into(&self, name: &str, out: &mut String) {
        match self.chan.var(name) {
            Some(value) if !is_builtin(name) => out.push_str(value),
            _ => {
                if let Some(value) = self.lookup(name) {
                    out.push_str(&value);
                }
            }
        }
    }

    /// The hint of the channel's current extension, if any: (hint string, name).
    fn current_hint(&self) -> Option<(String, String)> {
        self.env
            .dialplan()
            .find(
                &self.chan.context,
                &self.chan.exten,
                Target::Priority(PRIORITY_HINT),
                None,
            )
            .ok()
            .map(|it| (it.priority.app.to_string(), it.priority.data.to_string()))
    }
}

impl Exec<'_> {
    /// A variable as `${name}` reads it (spec dialplan.md §4.4): built-ins computed from the
    /// channel first (they shadow channel variables), then channel variables, then globals.
    fn lookup(&self, name: &str) -> Option<String> {
        match name {
            "EXTEN" => return Some(self.chan.exten.clone()),
            "CONTEXT" => return Some(self.chan.context.clone()),
            "PRIORITY" => return Some(self.chan.priority.to_string()),
            "CHANNEL" => return Some(self.chan.name.clone()),
            "UNIQUEID" => return Some(self.chan.uniqueid.clone()),
            "EPOCH" => return Some(self.now.to_string()),
            "HINT" => return self.current_hint().map(|it| it.0),
            "HINTNAME" => return self.current_hint().map(|it| it.1),
            "HANGUPCAUSE" => return self.chan.hangup_cause.map(|it| it.to_string()),
            _ => {}
        }
        if let Some(value) = self.chan.var(name) {
            return Some(value.to_string());
        }
        self.env_global(name)
    }
}

impl Vars for Exec<'_> {
    fn var(&mut self, name: &str) -> Option<String> {
        self.lookup(name)
    }

    fn function(&mut self, name: &str, args: &str) -> Option<String> {
        functions::read(self, name, args)
    }

    fn expression(&mut self, text: &str) -> String {
        functions::expression(self, text)
    }

    fn warn(&mut self, message: &str) {
        self.log(Level::Warning, message.to_string());
    }
}

impl Exec<'_> {
    fn env_global(&self, name: &str) -> Option<String> {
        self.env.global(crate::interp::channel::bare(name))
    }

    /// Puts the state changes a call caused into the trace (hint changes only).
    pub(crate) fn record(&mut self, changes: Vec<crate::state::Change>) {
        for change in changes {
            if change.hint().is_some() {
                self.emit(Event::State(change.to_string()));
            }
        }
    }
}

impl FuncCtx for Exec<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.lookup(name)
    }

    fn set_var(&mut self, name: &str, value: &str) {
        self.chan.set(name, value);
    }

    fn delete_var(&mut self, name: &str) {
        self.chan.delete(name);
    }

    fn global(&self, name: &str) -> Option<String> {
        self.env_global(name)
    }

    fn set_global(&mut self, name: &str, value: &str) {
        self.env.set_global(name, value);
    }

    fn warn(&mut self, message: String) {
        self.log(Level::Warning, message);
    }

    fn log(&mut self, level: Level, message: String) {
        Exec::log(self, level, message);
    }

    fn now(&self) -> i64 {
        self.now
    }
}

/// Names computed from the channel, which shadow channel variables of the same name.
fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "EXTEN"
            | "CONTEXT"
            | "PRIORITY"
            | "CHANNEL"
            | "UNIQUEID"
            | "EPOCH"
            | "HINT"
            | "HINTNAME"
            | "HANGUPCAUSE"
    )
}
