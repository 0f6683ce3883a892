//! The manager interface (AMI): Asterisk's `main/manager.c` framing, login, actions and events,
//! so operator panels and AMI client libraries work unchanged against `dialstate serve`.
//! `codec` knows nothing about actions; `session` is the pure per-connection state machine;
//! `event` renders state changes; `server` is the tokio side.

pub mod codec;
pub mod config;
pub mod event;
pub mod limits;
pub mod server;
pub mod session;
