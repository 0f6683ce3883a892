//! What a dialplan function may ask of the channel it runs on: functions see only this trait,
//! never each other or the executor's internals (applications get the executor, `Exec`).

use crate::interp::trace::Level;

/// The channel-side services a function needs.
pub trait FuncCtx {
    /// A variable as `${name}` would read it (channel first, then globals); `None` when unset.
    fn var(&self, name: &str) -> Option<String>;
    /// Sets a channel variable (`Set(name=value)` semantics, `_`/`__` prefixes kept).
    fn set_var(&mut self, name: &str, value: &str);
    /// Deletes a channel variable.
    fn delete_var(&mut self, name: &str);
    /// A global variable.
    fn global(&self, name: &str) -> Option<String>;
    fn set_global(&mut self, name: &str, value: &str);
    /// Reports a warning Asterisk would log (lowercase, no final period); it appears in the trace.
    fn warn(&mut self, message: String);
    /// Logs at another level (`ERROR`, `NOTICE`); by default as a warning.
    fn log(&mut self, level: Level, message: String) {
        let _ = level;
        self.warn(message);
    }
    /// The simulated clock, Unix seconds.
    fn now(&self) -> i64;
}
