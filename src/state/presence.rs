//! Presence states (`include/asterisk/presencestate.h`, spec state.md §3.1).

/// A presence state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresenceState {
    NotSet,
    Unavailable,
    Available,
    Away,
    Xa,
    Chat,
    Dnd,
    Invalid,
}

impl PresenceState {
    pub const SETTABLE: [PresenceState; 7] = [
        PresenceState::NotSet,
        PresenceState::Unavailable,
        PresenceState::Available,
        PresenceState::Away,
        PresenceState::Xa,
        PresenceState::Chat,
        PresenceState::Dnd,
    ];

    /// Lowercase spelling; `Invalid` prints as the empty string.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::NotSet => "not_set",
            PresenceState::Unavailable => "unavailable",
            PresenceState::Available => "available",
            PresenceState::Away => "away",
            PresenceState::Xa => "xa",
            PresenceState::Chat => "chat",
            PresenceState::Dnd => "dnd",
            PresenceState::Invalid => "",
        }
    }

    /// Case-insensitive exact match of the seven settable names; anything else is `Invalid`.
    pub fn parse(text: &str) -> PresenceState {
        PresenceState::SETTABLE
            .into_iter()
            .find(|it| it.as_str().eq_ignore_ascii_case(text))
            .unwrap_or(PresenceState::Invalid)
    }

    /// Rank when several providers combine: higher wins, ties keep the first.
    pub fn rank(self) -> u8 {
        match self {
            PresenceState::Invalid => 0,
            PresenceState::NotSet => 1,
            PresenceState::Available => 2,
            PresenceState::Unavailable => 3,
            PresenceState::Chat => 4,
            PresenceState::Away => 5,
            PresenceState::Xa => 6,
            PresenceState::Dnd => 7,
        }
    }
}

/// A presence value with its optional subtype and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    pub state: PresenceState,
    pub subtype: String,
    pub message: String,
}

impl Presence {
    pub fn new(state: PresenceState) -> Presence {
        Presence {
            state,
            subtype: String::new(),
            message: String::new(),
        }
    }
}
