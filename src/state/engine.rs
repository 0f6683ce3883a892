//! The state engine: current device and presence states, and the extension state of every hint
//! derived from them. Pure: no IO, no clock. Hints are keyed by `exten@context`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::state::{aggregate, DeviceState, ExtensionState, Hint, Presence, PresenceState};

/// Technologies treated as configured channel drivers: their devices start `UNAVAILABLE`
/// (configured, nothing registered), as PJSIP endpoints do on a fresh Asterisk.
const TECHNOLOGIES: &[&str] = &[
    "PJSIP", "SIP", "IAX2", "DAHDI", "Console", "Motif", "Skinny", "MGCP", "Unistim", "WebRTC",
];

/// Which hint: an extension in a context.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HintKey {
    pub exten: Box<str>,
    pub context: Box<str>,
}

impl fmt::Display for HintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.exten, self.context)
    }
}

#[derive(Debug, Clone)]
struct HintEntry {
    key: HintKey,
    hint: Hint,
    state: ExtensionState,
    presence: Presence,
    watchers: usize,
}

/// What `core show hints` shows about one hint.
#[derive(Debug, Clone, Copy)]
pub struct HintView<'a> {
    pub key: &'a HintKey,
    /// The hint string (devices and presence part, without the display name).
    pub text: &'a str,
    pub state: ExtensionState,
    pub presence: &'a Presence,
    pub watchers: usize,
}

/// Current state of devices, presence providers and hints.
#[derive(Debug, Default)]
pub struct StateEngine {
    /// States announced for devices, by exact (case-sensitive) id.
    devices: HashMap<String, DeviceState>,
    /// Values of `CustomPresence:` providers, by name.
    custom_presence: HashMap<String, Presence>,
    /// Hints sorted by `exten@context`, the order `core show hints` uses.
    hints: BTreeMap<String, HintEntry>,
}

impl StateEngine {
    /// Registers a hint and computes its state from the current device and presence states.
    pub fn add_hint(&mut self, key: HintKey, text: &str) {
        let hint = Hint::parse(text);
        let sort_key = key.to_string();
        let mut entry = HintEntry {
            key,
            hint,
            state: ExtensionState::Unavailable,
            presence: Presence::new(PresenceState::NotSet),
            watchers: 0,
        };
        self.evaluate(&mut entry);
        self.hints.insert(sort_key, entry);
    }

    fn evaluate(&self, entry: &mut HintEntry) {
        // Pattern hints are listed but never evaluated themselves.
        if entry.key.exten.starts_with('_') {
            entry.state = ExtensionState::Unavailable;
            entry.presence = Presence::new(PresenceState::NotSet);
            return;
        }
        entry.state = if entry.hint.devices.is_empty() {
            ExtensionState::Unavailable
        } else {
            ExtensionState::from_device(aggregate(
                entry.hint.devices.iter().map(|it| self.device_state(it)),
            ))
        };
        entry.presence = if entry.hint.presence.is_empty() {
            Presence::new(PresenceState::NotSet)
        } else {
            let mut best: Option<Presence> = None;
            for id in &entry.hint.presence {
                let value = self.presence(id);
                if best
                    .as_ref()
                    .is_none_or(|it| value.state.rank() > it.state.rank())
                {
                    best = Some(value);
                }
            }
            best.unwrap_or_else(|| Presence::new(PresenceState::Invalid))
        };
    }

    /// The state of a device id (spec state.md §1.4), before any channel activity.
    pub fn device_state(&self, id: &str) -> DeviceState {
        if let Some(&state) = self.devices.get(id) {
            if state != DeviceState::Unknown {
                return state;
            }
        }
        if let Some((tech, _)) = id.split_once('/') {
            return if tech.eq_ignore_ascii_case("Local") {
                DeviceState::Unknown
            } else if TECHNOLOGIES.iter().any(|it| it.eq_ignore_ascii_case(tech)) {
                DeviceState::Unavailable
            } else {
                DeviceState::Invalid
            };
        }
        match id.split_once(':') {
            Some((label, _)) if label.eq_ignore_ascii_case("Custom") => DeviceState::Unknown,
            _ => DeviceState::Invalid,
        }
    }

    /// The presence of one provider id (spec state.md §3.2).
    pub fn presence(&self, id: &str) -> Presence {
        if id.contains('/') {
            return Presence::new(PresenceState::Invalid);
        }
        match id.split_once(':') {
            Some((label, name)) if label.eq_ignore_ascii_case("CustomPresence") => self
                .custom_presence
                .get(name)
                .cloned()
                .unwrap_or_else(|| Presence::new(PresenceState::NotSet)),
            _ => Presence::new(PresenceState::Invalid),
        }
    }

    /// Every hint in `exten@context` order.
    pub fn hints(&self) -> impl Iterator<Item = HintView<'_>> {
        self.hints.values().map(|it| HintView {
            key: &it.key,
            text: &it.hint.text,
            state: it.state,
            presence: &it.presence,
            watchers: it.watchers,
        })
    }

    pub fn n_hints(&self) -> usize {
        self.hints.len()
    }
}
