//! Tab completion for the console: command words, then context names, extensions, hint
//! extensions, device and provider names and state names, depending on the command. Pure: the
//! REPL asks it for candidates and does the terminal work.

use crate::console::COMMANDS;
use crate::pbx::Pbx;

/// Most candidates offered for one word.
const MAX_CANDIDATES: usize = 500;

const DEVICE_STATES: &[&str] = &[
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
];
const PRESENCE_STATES: &[&str] = &[
    "NOT_SET",
    "UNAVAILABLE",
    "AVAILABLE",
    "AWAY",
    "XA",
    "CHAT",
    "DND",
];

/// The names completion draws on, taken from a PBX after each command.
#[derive(Debug, Default, Clone)]
pub struct Names {
    contexts: Vec<String>,
    extensions: Vec<String>,
    hints: Vec<String>,
    devices: Vec<String>,
    providers: Vec<String>,
}

impl Names {
    /// The names as text, one list per line, tab-separated (sent over the control socket).
    pub fn to_text(&self) -> String {
        [
            &self.contexts,
            &self.extensions,
            &self.hints,
            &self.devices,
            &self.providers,
        ]
        .iter()
        .map(|list| list.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// Reads what `to_text` wrote; missing lines are empty lists.
    pub fn from_text(text: &str) -> Names {
        let mut lines = text.split('\n').map(|line| {
            line.split('\t')
                .filter(|it| !it.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        Names {
            contexts: lines.next().unwrap_or_default(),
            extensions: lines.next().unwrap_or_default(),
            hints: lines.next().unwrap_or_default(),
            devices: lines.next().unwrap_or_default(),
            providers: lines.next().unwrap_or_default(),
        }
    }

    pub fn of(pbx: &Pbx) -> Names {
        let plan = pbx.dialplan();
        let mut names = Names {
            contexts: plan.contexts.keys().map(|it| it.to_string()).collect(),
            ..Names::default()
        };
        for ctx in plan.contexts.values() {
            for exten in &ctx.extens {
                if names.extensions.len() < 50_000 {
                    names
                        .extensions
                        .push(format!("{}@{}", exten.name, ctx.name));
                }
            }
        }
        for hint in pbx.state().hints() {
            names.hints.push(hint.key.exten.to_string());
            let (devices, presence) = hint.text.split_once(',').unwrap_or((hint.text, ""));
            names.devices.extend(
                devices
                    .split('&')
                    .filter(|it| !it.is_empty())
                    .map(str::to_string),
            );
            names.providers.extend(
                presence
                    .split('&')
                    .filter(|it| !it.is_empty())
                    .map(str::to_string),
            );
        }
        if let Ok(list) = pbx.custom_device_states() {
            names
                .devices
                .extend(list.into_iter().map(|(name, _)| format!("Custom:{name}")));
        }
        if let Ok(list) = pbx.custom_presence_states() {
            names.providers.extend(
                list.into_iter()
                    .map(|(name, _)| format!("CustomPresence:{name}")),
            );
        }
        for list in [
            &mut names.hints,
            &mut names.devices,
            &mut names.providers,
            &mut names.extensions,
        ] {
            list.sort();
            list.dedup();
        }
        names
    }
}

/// Candidates for the word being typed (`partial`) after the complete words `before`.
pub fn candidates(names: &Names, before: &[&str], partial: &str) -> Vec<String> {
    let lower: Vec<String> = before.iter().map(|it| it.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let pool: Vec<String> = match lower.as_slice() {
        ["dialplan", "show"] => names
            .contexts
            .iter()
            .chain(names.extensions.iter())
            .cloned()
            .collect(),
        ["core", "show", "hint"] => names.hints.clone(),
        ["devstate", "change"] => names
            .devices
            .iter()
            .filter(|it| it.to_ascii_lowercase().starts_with("custom:"))
            .cloned()
            .collect(),
        ["devstate", "change", _] => DEVICE_STATES.iter().map(|it| it.to_string()).collect(),
        ["presencestate", "change"] => names
            .providers
            .iter()
            .filter(|it| it.to_ascii_lowercase().starts_with("custompresence:"))
            .cloned()
            .collect(),
        ["presencestate", "change", _] => PRESENCE_STATES.iter().map(|it| it.to_string()).collect(),
        _ => {
            // The next word of a command whose first words were typed.
            let mut words: Vec<String> = COMMANDS
                .iter()
                .filter_map(|(command, _)| {
                    let parts: Vec<&str> = command.split(' ').collect();
                    (parts.len() > lower.len() && parts[..lower.len()] == lower[..])
                        .then(|| parts[lower.len()].to_string())
                })
                .collect();
            words.dedup();
            words
        }
    };
    let mut out: Vec<String> = pool
        .into_iter()
        .filter(|it| {
            it.to_ascii_lowercase()
                .starts_with(&partial.to_ascii_lowercase())
        })
        .take(MAX_CANDIDATES)
        .collect();
    out.sort();
    out.dedup();
    out
}
