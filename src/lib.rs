//! dialstate: Asterisk's dialplan (`extensions.conf`) and the state behind its hints, as a library.
//!
//! Codemap (ARCHITECTURE.md has the whole picture): `diag` holds spans and diagnostics; `config`
//! reads Asterisk's config-file syntax into a raw `ConfFile`; `dialplan` lowers it into a checked
//! `Dialplan` with Asterisk's pattern matching; `state` holds device, extension and presence
//! state; `interp` runs simulated calls; `pbx` ties them together; `console` runs the commands;
//! `sip` and `ami` are the protocol sides of the server; `app` is the process.

pub mod ami;
pub mod app;
pub mod config;
pub mod console;
pub mod diag;
pub mod dialplan;
pub mod expr;
pub mod interp;
pub mod pbx;
pub mod sip;
pub mod state;
pub mod store;
