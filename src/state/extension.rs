//! Extension states (`enum ast_extension_states`) and the device → extension mapping
//! (`ast_devstate_to_extenstate`, spec state.md §2.1–2.2).

use crate::state::DeviceState;

/// An extension state; the values are Asterisk's bit flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtensionState {
    Removed,
    Deactivated,
    Idle,
    InUse,
    Busy,
    Unavailable,
    Ringing,
    InUseRinging,
    Hold,
    InUseHold,
}

impl ExtensionState {
    pub fn value(self) -> i32 {
        match self {
            ExtensionState::Removed => -2,
            ExtensionState::Deactivated => -1,
            ExtensionState::Idle => 0,
            ExtensionState::InUse => 1,
            ExtensionState::Busy => 2,
            ExtensionState::Unavailable => 4,
            ExtensionState::Ringing => 8,
            ExtensionState::InUseRinging => 9,
            ExtensionState::Hold => 16,
            ExtensionState::InUseHold => 17,
        }
    }

    /// `ast_extension_state2str`: the text of `core show hints` and AMI `StatusText`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionState::Removed | ExtensionState::Deactivated => "Unknown",
            ExtensionState::Idle => "Idle",
            ExtensionState::InUse => "InUse",
            ExtensionState::Busy => "Busy",
            ExtensionState::Unavailable => "Unavailable",
            ExtensionState::Ringing => "Ringing",
            ExtensionState::InUseRinging => "InUse&Ringing",
            ExtensionState::Hold => "Hold",
            ExtensionState::InUseHold => "InUse&Hold",
        }
    }

    /// The mapping from an aggregate device state.
    pub fn from_device(state: DeviceState) -> ExtensionState {
        match state {
            DeviceState::Unknown | DeviceState::NotInuse => ExtensionState::Idle,
            DeviceState::Inuse => ExtensionState::InUse,
            DeviceState::Busy => ExtensionState::Busy,
            DeviceState::Invalid | DeviceState::Unavailable => ExtensionState::Unavailable,
            DeviceState::Ringing => ExtensionState::Ringing,
            DeviceState::Ringinuse => ExtensionState::InUseRinging,
            DeviceState::Onhold => ExtensionState::Hold,
        }
    }
}
