//! Every bound of the manager interface, in one place.

/// Longest line accepted (Asterisk reads 1024 bytes a line).
pub const MAX_LINE: usize = 4096;
/// Headers one action may carry (Asterisk's `AST_MAX_MANHEADERS`).
pub const MAX_HEADERS: usize = 128;
/// Event batches (one per millisecond at most while busy, see `server::FLUSH_EVERY`) queued for
/// one session before it is disconnected as too slow.
pub const EVENT_QUEUE: usize = 4096;
/// Concurrent manager connections.
pub const MAX_SESSIONS: usize = 4096;
/// Seconds an unauthenticated connection may stay (Asterisk's `authtimeout`).
pub const AUTH_TIMEOUT_SECS: u64 = 30;
/// Delay before a failed login is answered (Asterisk sleeps one second).
pub const LOGIN_FAIL_DELAY_MS: u64 = 1000;
