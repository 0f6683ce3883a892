//! What a call reports: a closed set of events, rendered the way Asterisk's verbose console
//! prints them (`    -- ` for level 3, `  == ` for level 2) and log lines for warnings. A call
//! hands each event to a `Sink` when its step runs, so a trace streams: `TextSink` renders lines
//! into any writer (a buffered pipe, a file, a console transcript) and keeps nothing.

use std::io::Write;

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
    /// `UserEvent(name,key: value,...)` (an AMI `UserEvent` on a real system).
    UserEvent {
        name: String,
        body: Vec<(String, String)>,
    },
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
            Event::UserEvent { name, body } => {
                let mut text = format!("  -> UserEvent: {name}");
                for (key, value) in body {
                    text.push_str(&format!(", {key}: {value}"));
                }
                text
            }
        }
    }
}

/// Where a call's events go, as they happen.
pub trait Sink {
    fn event(&mut self, event: &Event, channel: &str, call_id: &str);

    /// An `Executing` line; sinks that render text override this to avoid building the event.
    #[allow(clippy::too_many_arguments)]
    fn executing(
        &mut self,
        exten: &str,
        context: &str,
        priority: i32,
        app: &str,
        data: &str,
        channel: &str,
        call_id: &str,
    ) {
        let event = Event::Executing {
            exten: exten.to_string(),
            context: context.to_string(),
            priority,
            app: app.to_string(),
            data: data.to_string(),
        };
        self.event(&event, channel, call_id);
    }

    /// True once nobody reads any more (a closed pipe): the call may stop early.
    fn closed(&self) -> bool {
        false
    }
}

/// Keeps every event (tests, `interp::run`).
impl Sink for Vec<Event> {
    fn event(&mut self, event: &Event, _: &str, _: &str) {
        self.push(event.clone());
    }
}

/// Renders each event as its console line into a writer; after a write error it drops the
/// rest and reports itself closed.
pub struct TextSink<W: Write> {
    out: W,
    failed: bool,
    /// The line being built (one write per line).
    line: Vec<u8>,
}

impl<W: Write> TextSink<W> {
    pub fn new(out: W) -> TextSink<W> {
        TextSink {
            out,
            failed: false,
            line: Vec::with_capacity(256),
        }
    }

    /// Writes a line that is not an event (the hangup summary, `var` lines).
    pub fn line(&mut self, text: &str) {
        if !self.failed && writeln!(self.out, "{text}").is_err() {
            self.failed = true;
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    /// Whether every write succeeded.
    pub fn ok(&self) -> bool {
        !self.failed
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn event(&mut self, event: &Event, channel: &str, call_id: &str) {
        if self.failed {
            return;
        }
        let res = match event {
            // The frequent lines are written in pieces, without building the line first.
            Event::Verbose { level, text } => {
                let prefix: &[u8] = match level {
                    0 => b"",
                    1 => b" ",
                    2 => b"  == ",
                    3 => b"    -- ",
                    _ => b"       > ",
                };
                self.line.clear();
                self.line.extend_from_slice(prefix);
                self.line.extend_from_slice(text.as_bytes());
                self.line.push(b'\n');
                self.out.write_all(&self.line)
            }
            _ => writeln!(self.out, "{}", event.render(channel, call_id)),
        };
        if res.is_err() {
            self.failed = true;
        }
    }

    fn executing(
        &mut self,
        exten: &str,
        context: &str,
        priority: i32,
        app: &str,
        data: &str,
        channel: &str,
        _: &str,
    ) {
        if self.failed {
            return;
        }
        let mut digits = [0u8; 12];
        let pieces: [&[u8]; 13] = [
            b"    -- Executing [",
            exten.as_bytes(),
            b"@",
            context.as_bytes(),
            b":",
            itoa(priority, &mut digits).as_bytes(),
            b"] ",
            app.as_bytes(),
            b"(\"",
            channel.as_bytes(),
            b"\", \"",
            data.as_bytes(),
            b"\") in new stack\n",
        ];
        self.line.clear();
        for piece in pieces {
            self.line.extend_from_slice(piece);
        }
        if self.out.write_all(&self.line).is_err() {
            self.failed = true;
        }
    }

    fn closed(&self) -> bool {
        self.failed
    }
}

/// A priority in decimal without the formatting machinery (the trace's hot path).
fn itoa(n: i32, buf: &mut [u8; 12]) -> &str {
    let mut at = buf.len();
    let mut value = i64::from(n).unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    std::str::from_utf8(&buf[at..]).unwrap_or("0")
}
