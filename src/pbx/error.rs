//! Why a state command was refused. Each variant carries the text the user typed.

use crate::state::PresenceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{0}` is not a Custom: device; only Custom: device states can be set")]
    NotCustomDevice(String),
    #[error("`{0}` is not a CustomPresence: provider; only CustomPresence: presence can be set")]
    NotCustomPresence(String),
    #[error("`{0}` has no name after the prefix")]
    EmptyName(String),
    #[error("`{0}` is not a device state; expected NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE, RINGING, RINGINUSE or ONHOLD")]
    InvalidDeviceState(String),
    #[error("invalid presence value `{value}`: {reason}")]
    InvalidPresence {
        value: String,
        reason: PresenceError,
    },
    #[error("the state database failed: {0}")]
    Store(#[from] crate::store::Error),
}
