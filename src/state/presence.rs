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

/// Why a `CustomPresence` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresenceError {
    MissingState,
    UnknownState(String),
    BadOptions(String),
    BadBase64 { field: &'static str, text: String },
    TooLong { field: &'static str, len: usize },
}

impl std::fmt::Display for PresenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PresenceError::MissingState => write!(f, "a presence state is required"),
            PresenceError::UnknownState(text) => write!(
                f,
                "unknown presence state `{text}`; expected not_set, unavailable, available, away, xa, chat or dnd"
            ),
            PresenceError::BadOptions(text) => {
                write!(f, "invalid options `{text}`; the only option is `e` (base64)")
            }
            PresenceError::BadBase64 { field, text } => {
                write!(f, "the {field} `{text}` is not valid base64")
            }
            PresenceError::TooLong { field, len } => write!(
                f,
                "the {field} is {len} bytes long; at most {MAX_PRESENCE_TEXT} are kept"
            ),
        }
    }
}

/// Longest subtype or message kept (Asterisk cuts decoded text at 255 bytes; dialstate refuses).
pub const MAX_PRESENCE_TEXT: usize = 255;

/// A parsed `CustomPresence` value: `state[,subtype[,message[,options]]]` (spec state.md §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresenceValue {
    pub presence: Presence,
    /// The options field as written (`e` means subtype and message are base64).
    pub options: String,
}

impl PresenceValue {
    /// Parses a stored or written value. Nothing is trimmed; at most four fields are looked at.
    pub fn parse(text: &str) -> Result<PresenceValue, PresenceError> {
        let mut fields = text.splitn(5, ',');
        let state_text = fields.next().unwrap_or("");
        let subtype = fields.next().unwrap_or("");
        let message = fields.next().unwrap_or("");
        let options = fields.next().unwrap_or("");
        if state_text.is_empty() {
            return Err(PresenceError::MissingState);
        }
        let state = PresenceState::parse(state_text);
        if state == PresenceState::Invalid {
            return Err(PresenceError::UnknownState(state_text.to_string()));
        }
        if !options.is_empty() && !options.contains('e') {
            return Err(PresenceError::BadOptions(options.to_string()));
        }
        let decode = |field: &'static str, text: &str| -> Result<String, PresenceError> {
            let out = if options.contains('e') && !text.is_empty() {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| PresenceError::BadBase64 {
                        field,
                        text: text.to_string(),
                    })?;
                String::from_utf8(bytes).map_err(|_| PresenceError::BadBase64 {
                    field,
                    text: text.to_string(),
                })?
            } else {
                text.to_string()
            };
            if out.len() > MAX_PRESENCE_TEXT {
                return Err(PresenceError::TooLong {
                    field,
                    len: out.len(),
                });
            }
            Ok(out)
        };
        Ok(PresenceValue {
            presence: Presence {
                state,
                subtype: decode("subtype", subtype)?,
                message: decode("message", message)?,
            },
            options: options.to_string(),
        })
    }
}
