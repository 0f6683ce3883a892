//! Device states (`include/asterisk/devicestate.h`) and their combination
//! (`ast_devstate_aggregate_*`, spec state.md §1.8).

/// A device state, numbered as Asterisk numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceState {
    Unknown = 0,
    NotInuse = 1,
    Inuse = 2,
    Busy = 3,
    Invalid = 4,
    Unavailable = 5,
    Ringing = 6,
    Ringinuse = 7,
    Onhold = 8,
}

impl DeviceState {
    pub const ALL: [DeviceState; 9] = [
        DeviceState::Unknown,
        DeviceState::NotInuse,
        DeviceState::Inuse,
        DeviceState::Busy,
        DeviceState::Invalid,
        DeviceState::Unavailable,
        DeviceState::Ringing,
        DeviceState::Ringinuse,
        DeviceState::Onhold,
    ];

    /// The parseable spelling used by the CLI, AMI and `DEVICE_STATE()` (`ast_devstate_str`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Unknown => "UNKNOWN",
            DeviceState::NotInuse => "NOT_INUSE",
            DeviceState::Inuse => "INUSE",
            DeviceState::Busy => "BUSY",
            DeviceState::Invalid => "INVALID",
            DeviceState::Unavailable => "UNAVAILABLE",
            DeviceState::Ringing => "RINGING",
            DeviceState::Ringinuse => "RINGINUSE",
            DeviceState::Onhold => "ONHOLD",
        }
    }

    /// The display spelling used in log text (`ast_devstate2str`).
    pub fn display(self) -> &'static str {
        match self {
            DeviceState::Unknown => "Unknown",
            DeviceState::NotInuse => "Not in use",
            DeviceState::Inuse => "In use",
            DeviceState::Busy => "Busy",
            DeviceState::Invalid => "Invalid",
            DeviceState::Unavailable => "Unavailable",
            DeviceState::Ringing => "Ringing",
            DeviceState::Ringinuse => "Ring+Inuse",
            DeviceState::Onhold => "On Hold",
        }
    }

    /// `ast_devstate_val`: case-insensitive exact match; anything else (including `UNKNOWN`)
    /// is `Unknown`. Callers that write states treat `Unknown` as invalid input.
    pub fn parse(text: &str) -> DeviceState {
        DeviceState::ALL
            .into_iter()
            .filter(|it| *it != DeviceState::Unknown)
            .find(|it| it.as_str().eq_ignore_ascii_case(text))
            .unwrap_or(DeviceState::Unknown)
    }

    /// Rank in aggregation: higher wins (spec state.md §1.8).
    fn rank(self) -> u8 {
        match self {
            DeviceState::Invalid => 0,
            DeviceState::Unknown => 1,
            DeviceState::Unavailable => 2,
            DeviceState::NotInuse => 3,
            DeviceState::Onhold => 4,
            DeviceState::Ringing => 5,
            DeviceState::Inuse => 6,
            DeviceState::Busy => 7,
            DeviceState::Ringinuse => 8,
        }
    }
}

/// Combines the states of several devices the way Asterisk does for a hint; an empty list is
/// `Invalid`.
pub fn aggregate(states: impl IntoIterator<Item = DeviceState>) -> DeviceState {
    let mut result = DeviceState::Invalid;
    let (mut ringing, mut inuse) = (false, false);
    for state in states {
        match state {
            DeviceState::Ringing => ringing = true,
            DeviceState::Inuse | DeviceState::Onhold | DeviceState::Busy => inuse = true,
            _ => {}
        }
        if ringing && inuse {
            result = DeviceState::Ringinuse;
        } else if state.rank() > result.rank() {
            result = state;
        }
    }
    result
}
