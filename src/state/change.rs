//! What the state engine reports: a closed set of changes, each with old and new values. Console
//! output, AMI events and SIP NOTIFYs are all rendered from these.

use crate::state::{DeviceState, ExtensionState, HintKey, Presence};

/// The channel that makes a device ring (Asterisk's "causing channel", spec state.md §2.5), as
/// a simulated call describes it: dialog-info shows it to BLF watchers, with the dialog ids a
/// phone needs to offer call pickup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingingCall {
    /// The ringing channel's name.
    pub channel: String,
    /// Dialog identifiers of the ringing call (synthetic for a simulated call).
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    /// Who is calling.
    pub caller_num: Option<String>,
    pub caller_name: Option<String>,
    /// The number being rung (the device's resource).
    pub callee: String,
    /// Order of creation; the oldest ringing channel is the one shown.
    pub seq: u64,
}

/// One change, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A device's state was announced (after de-duplication).
    Device { id: String, state: DeviceState },
    /// A presence provider's state was announced (never de-duplicated, as in Asterisk).
    ProviderPresence { id: String, presence: Presence },
    /// A hint's extension state changed. `repeat` marks a RINGING state reported again
    /// unchanged (another caller may be ringing the same phone); only extended watchers get it.
    /// `call` is the oldest channel ringing one of the hint's devices, when one is known.
    Extension {
        key: HintKey,
        old: ExtensionState,
        new: ExtensionState,
        repeat: bool,
        call: Option<std::sync::Arc<RingingCall>>,
    },
    /// A hint's presence changed.
    Presence {
        key: HintKey,
        old: Presence,
        new: Presence,
    },
    /// A hint went away: `Removed` (−2) when a reload dropped it, `Deactivated` (−1) when it was
    /// removed at run time. Its watchers are released after this.
    HintGone { key: HintKey, state: ExtensionState },
}

impl Change {
    /// The hint this change is about, if any.
    pub fn hint(&self) -> Option<&HintKey> {
        match self {
            Change::Extension { key, .. }
            | Change::Presence { key, .. }
            | Change::HintGone { key, .. } => Some(key),
            Change::Device { .. } | Change::ProviderPresence { .. } => None,
        }
    }
}

/// One line per change, for logs and tests.
impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let presence = |p: &Presence| {
            let mut out = p.state.as_str().to_string();
            if !p.subtype.is_empty() || !p.message.is_empty() {
                out.push_str(&format!(",{},{}", p.subtype, p.message));
            }
            out
        };
        match self {
            Change::Device { id, state } => write!(f, "device {id} {}", state.as_str()),
            Change::ProviderPresence { id, presence: p } => {
                write!(f, "provider {id} {}", presence(p))
            }
            Change::Extension {
                key,
                old,
                new,
                repeat,
                ..
            } => write!(
                f,
                "hint {key} {} -> {}{}",
                old.as_str(),
                new.as_str(),
                if *repeat { " (repeat)" } else { "" }
            ),
            Change::Presence { key, old, new } => {
                write!(
                    f,
                    "hint {key} presence {} -> {}",
                    presence(old),
                    presence(new)
                )
            }
            Change::HintGone { key, state } => write!(f, "hint {key} gone {}", state.value()),
        }
    }
}
