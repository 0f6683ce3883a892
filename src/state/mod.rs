//! Device, extension and presence state (spec state.md): the values and their Asterisk
//! spellings, how a hint's devices combine into an extension state, and the engine that keeps
//! the current state of every hint. This module knows nothing about the dialplan: hints come in
//! as `(HintKey, hint string)` pairs.

mod change;
mod device;
mod eid;
mod engine;
mod extension;
mod hint;
mod presence;

pub use change::{Change, RingingCall};
pub use device::{aggregate, DeviceState};
pub use eid::{Eid, EidError};
pub use engine::{
    Deferred, HintKey, HintView, LocalDeviceSink, Sink, StateEngine, WatchError, WatchId,
};
pub use extension::ExtensionState;
pub use hint::Hint;
pub use presence::{Presence, PresenceError, PresenceState, PresenceValue, MAX_PRESENCE_TEXT};

#[cfg(test)]
mod tests;
