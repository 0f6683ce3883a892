//! What a call reports: a closed set of events, rendered the way Asterisk's verbose console
//! prints them (`    -- ` for level 3, `  == ` for level 2) and log lines for warnings.

/// Log levels of `Log()` and of the executor's own messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
    Debug,
    Verbose,
    Dtmf,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warning => "WARNING",
            Level::Notice => "NOTICE",
            Level::Debug => "DEBUG",
            Level::Verbose => "VERBOSE",
            Level::Dtmf => "DTMF",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        [
            Level::Error,
            Level::Warning,
            Level::Notice,
            Level::Debug,
            Level::Verbose,
            Level::Dtmf,
        ]
        .into_iter()
        .find(|it| it.as_str().eq_ignore_ascii_case(text))
    }
}

/// One thing that happened during a call, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A priority starts (`Executing [exten@context:priority] App("channel", "data")`).
    Executing {
        exten: String,
        context: String,
        priority: i32,
        app: String,
        data: String,
    },
    /// A verbose message at a level (0 to 4).
    Verbose { level: u8, text: String },
    /// A log message (warnings, notices, errors, `Log()`).
    Log { level: Level, text: String },
    /// A state change the call caused (device or presence), as the state engine reported it.
    State(String),
}

impl Event {
    /// The console line for this event. `channel` is the channel's name.
    pub fn render(&self, channel: &str, call_id: &str) -> String {
        match self {
            Event::Executing {
                exten,
                context,
                priority,
                app,
                data,
            } => format!(
                "    -- Executing [{exten}@{context}:{priority}] {app}(\"{channel}\", \"{data}\") in new stack"
            ),
            Event::Verbose { level, text } => match level {
                0 => text.clone(),
                1 => format!(" {text}"),
                2 => format!("  == {text}"),
                3 => format!("    -- {text}"),
                _ => format!("       > {text}"),
            },
            Event::Log { level, text } => format!("{}[{call_id}]: {text}", level.as_str()),
            Event::State(text) => format!("  -> {text}"),
        }
    }
}
