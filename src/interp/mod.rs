//! The interpreter: runs a simulated call through the dialplan (`exec.rs`), with Asterisk's
//! applications (`apps.rs`), functions (`functions/`), argument splitting (`args.rs`) and
//! verbose-console traces (`trace.rs`). It sees the PBX only through the `Env` trait.

mod apps;
pub mod args;
pub mod channel;
mod compiled;
pub mod ctx;
mod env;
mod exec;
pub mod functions;
pub mod limits;
pub mod trace;

pub use env::Env;
pub use exec::{run, CallOptions, CallResult, DialOutcome, Flow};
pub use trace::{Event, Level};

/// Whether an application name (any case) is one the interpreter runs.
pub fn has_application(name: &str) -> bool {
    apps::lookup(name).is_some()
}

#[cfg(test)]
mod tests;
