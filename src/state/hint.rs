//! Hint strings: `[device[&device...]][,presence-provider[&provider...]]` (spec state.md §2.3).

/// A parsed hint string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The hint string as written (devices and presence part).
    pub text: String,
    /// Device ids; empty names are skipped.
    pub devices: Vec<String>,
    /// Presence provider ids.
    pub presence: Vec<String>,
}

impl Hint {
    /// Splits at the first comma (the dialstate rule where Asterisk versions differ), then on `&`.
    /// Nothing is trimmed.
    pub fn parse(text: &str) -> Hint {
        let (devices, presence) = match text.split_once(',') {
            Some((devices, presence)) => (devices, presence),
            None => (text, ""),
        };
        let split = |part: &str| -> Vec<String> {
            part.split('&')
                .filter(|it| !it.is_empty())
                .map(str::to_string)
                .collect()
        };
        Hint {
            text: text.to_string(),
            devices: split(devices),
            presence: split(presence),
        }
    }
}
