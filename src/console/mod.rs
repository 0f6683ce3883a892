//! The console command language, shared by every front end (`dialstate show`, `hints`, the REPL,
//! `-x` and test scripts): a line is parsed into a `Command`, run against a `Pbx`, and the
//! output is exactly what Asterisk's CLI prints.

mod command;
pub mod complete;
mod docs;
mod format;
pub mod repl;

pub use command::{call_to, execute, run, CallSpec, Command, Output, COMMANDS, PROMPT};

#[cfg(test)]
mod tests;
