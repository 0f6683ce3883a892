//! Parsing a console line into a `Command` and running it. Word splitting, usage texts and the
//! "failed" / "No such command" lines follow Asterisk's `main/cli.c`.

use crate::console::format;
use crate::pbx::Pbx;

const DIALPLAN_SHOW_USAGE: &str = "Usage: dialplan show [[exten@]context]\n       Show dialplan\n";
const CORE_SHOW_HINTS_USAGE: &str =
    "Usage: core show hints\n       List registered hints.\n       Hint details are shown in five columns. In order from left to right, they are:\n       1. Hint extension URI.\n       2. List of mapped device or presence state identifiers.\n       3. Current extension state. The aggregate of mapped device states.\n       4. Current presence state for the mapped presence state provider.\n       5. Watchers - number of subscriptions and other entities watching this hint.\n";
const CORE_SHOW_HINT_USAGE: &str = "Usage: core show hint <exten>\n       List registered hint.\n       Hint details are shown in five columns. In order from left to right, they are:\n       1. Hint extension URI.\n       2. List of mapped device or presence state identifiers.\n       3. Current extension state. The aggregate of mapped device states.\n       4. Current presence state for the mapped presence state provider.\n       5. Watchers - number of subscriptions and other entities watching this hint.\n";

/// The command words every command starts with, for "No such command" hints.
const COMMANDS: &[&str] = &["dialplan show", "core show hints", "core show hint", "help"];

/// One console command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `dialplan show [[exten@]context]`
    DialplanShow {
        arg: Option<String>,
    },
    /// `core show hints`
    CoreShowHints,
    /// `core show hint <exten>`
    CoreShowHint {
        prefix: String,
    },
    Help,
    /// A known command with the wrong number of words.
    Usage(&'static str),
    /// Nothing matched; `prefix` is the longest known start of the line.
    Unknown {
        prefix: String,
    },
    Empty,
}

/// What a command printed, and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub text: String,
    pub ok: bool,
}

impl Command {
    pub fn parse(line: &str) -> Command {
        let words = split_words(line);
        let lower: Vec<String> = words.iter().map(|it| it.to_ascii_lowercase()).collect();
        let w: Vec<&str> = lower.iter().map(String::as_str).collect();
        match w.as_slice() {
            [] => Command::Empty,
            ["dialplan", "show"] => Command::DialplanShow { arg: None },
            ["dialplan", "show", _] => Command::DialplanShow {
                arg: Some(words[2].clone()),
            },
            ["dialplan", "show", ..] => Command::Usage(DIALPLAN_SHOW_USAGE),
            ["core", "show", "hints"] => Command::CoreShowHints,
            ["core", "show", "hints", ..] => Command::Usage(CORE_SHOW_HINTS_USAGE),
            ["core", "show", "hint", _] => Command::CoreShowHint {
                prefix: words[3].clone(),
            },
            ["core", "show", "hint", ..] => Command::Usage(CORE_SHOW_HINT_USAGE),
            ["help", ..] => Command::Help,
            _ => Command::Unknown {
                prefix: best_prefix(&w),
            },
        }
    }
}

/// Runs one console line against `pbx`.
pub fn run(pbx: &Pbx, line: &str) -> Output {
    let command = Command::parse(line);
    let (mut text, ok) = match &command {
        Command::Empty => (String::new(), true),
        Command::DialplanShow { arg } => format::dialplan_show(pbx, arg.as_deref()),
        Command::CoreShowHints => (format::core_show_hints(pbx), true),
        Command::CoreShowHint { prefix } => (format::core_show_hint(pbx, prefix), true),
        Command::Help => (format::help(COMMANDS), true),
        Command::Usage(usage) => (usage.to_string(), false),
        Command::Unknown { prefix } => {
            let trimmed = line.trim();
            return Output {
                text: format!(
                    "No such command '{trimmed}' (type 'core show help {prefix}' for other possible commands)\n"
                ),
                ok: false,
            };
        }
    };
    if !ok && !matches!(command, Command::Usage(_)) {
        text.push_str(&format!("Command '{}' failed.\n", line.trim()));
    }
    Output { text, ok }
}

/// Splits a line into words: blanks separate, double quotes group, a backslash escapes.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// The longest run of leading words that starts some known command.
fn best_prefix(words: &[&str]) -> String {
    let mut best = String::new();
    for n in 1..=words.len() {
        let candidate = words[..n].join(" ");
        if COMMANDS.iter().any(|it| {
            it.starts_with(&candidate)
                && (it.len() == candidate.len() || it.as_bytes()[candidate.len()] == b' ')
        }) {
            best = candidate;
        } else {
            break;
        }
    }
    best
}
