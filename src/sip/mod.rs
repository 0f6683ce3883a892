//! The SIP presence layer: typed headers on top of rsip, NOTIFY bodies (PIDF, XPIDF,
//! dialog-info, resource lists), digest authentication, the `pjsip.conf` objects, the registrar,
//! PUBLISH, and the server. The parsers, bodies and state machines are pure; tokio lives only in
//! `server.rs` and `client.rs`.

pub mod auth;
pub mod body;
pub mod client;
pub mod config;
pub mod limits;
pub mod message;
pub mod notifier;
pub mod persist;
pub mod publish;
pub mod registrar;
pub mod replay;
pub mod server;
pub mod uri;
