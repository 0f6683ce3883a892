//! The interpreter: runs a simulated call through the dialplan (`exec.rs`), with Asterisk's
//! applications (`apps/`, one file per family) and functions (`functions/`, one file per
//! family), argument splitting (`args.rs`) and verbose-console traces streamed to a `Sink`
//! (`trace.rs`). It sees the PBX only through the `Env` trait and never runs a process or
//! opens a connection: `System`, `AGI`, `CURL`, `SHELL` and `ODBC` are simulated.

pub mod apps;
pub mod args;
pub mod channel;
pub mod clock;
mod compiled;
pub mod ctx;
mod env;
mod exec;
pub mod functions;
pub mod limits;
mod nested;
pub mod say;
pub mod trace;
mod vars;

pub use env::Env;
pub use exec::{
    evaluate, get_var, run, run_to, set_var, CallOptions, CallResult, DialOutcome, Flow,
};
pub use trace::{Event, Level, Sink, TextSink};

/// Whether an application name (any case) is one the interpreter runs.
pub fn has_application(name: &str) -> bool {
    apps::lookup(name).is_some()
}

/// Whether a function name (exact case) is registered.
pub fn has_function(name: &str) -> bool {
    functions::lookup(name).is_some() || name.starts_with("ODBC_")
}

#[cfg(test)]
mod tests;
