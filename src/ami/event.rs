//! AMI events rendered from state changes (spec state.md §7.7): `DeviceStateChange`,
//! `PresenceStateChange`, `ExtensionStatus`, `PresenceStatus`, and the channel events of an
//! originated call. Each is rendered once and shared by every session allowed to read it.

use std::fmt::Write as _;

use crate::ami::config::{privilege, CALL};
use crate::state::{Change, HintKey};

/// One rendered event: its class (for read masks), its name (for filters) and its full text,
/// blank line included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub category: u32,
    pub name: &'static str,
    pub text: String,
}

/// Events sent together: each event, and all their texts in a row (what a session that reads
/// every one of them is written).
#[derive(Debug)]
pub struct Batch {
    pub events: Vec<Event>,
    /// Every event's category, or-ed.
    pub categories: u32,
    pub text: String,
}

impl Batch {
    pub fn new(events: Vec<Event>) -> Batch {
        let categories = events.iter().fold(0, |acc, e| acc | e.category);
        let text = events.iter().map(|e| e.text.as_str()).collect();
        Batch {
            events,
            categories,
            text,
        }
    }
}

/// Starts an event: `Event:`, `Privilege:`, optional `Timestamp:`.
pub fn begin(name: &str, category: u32, timestamp: Option<&str>) -> String {
    let mut out = format!("Event: {name}\r\nPrivilege: {}\r\n", privilege(category));
    if let Some(ts) = timestamp {
        let _ = write!(out, "Timestamp: {ts}\r\n");
    }
    out
}

fn field(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

/// C escapes as `ast_escape_c_alloc` writes them (newline, CR, tab, BEL, BS, FF, VT, `\`, `'`,
/// `"`, `?`).
pub fn escape_c(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '?' => out.push_str("\\?"),
            c => out.push(c),
        }
    }
    out
}

/// A header value never carries a line break (a client would read it as a new header).
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// The event a state change raises for manager sessions, if any. `hint` gives a hint's current
/// text (empty once it is gone). Repeated RINGING reports are not events (global watchers get
/// real changes only).
pub fn from_change(
    change: &Change,
    hint: &dyn Fn(&HintKey) -> String,
    timestamp: Option<&str>,
) -> Option<Event> {
    let (name, text) = match change {
        Change::Device { id, state } => {
            let mut out = begin("DeviceStateChange", CALL, timestamp);
            field(&mut out, "Device", id);
            field(&mut out, "State", state.as_str());
            ("DeviceStateChange", out)
        }
        Change::ProviderPresence { id, presence } => {
            let mut out = begin("PresenceStateChange", CALL, timestamp);
            field(&mut out, "Presentity", id);
            field(&mut out, "Status", presence.state.as_str());
            field(&mut out, "Subtype", &escape_c(&presence.subtype));
            field(&mut out, "Message", &escape_c(&presence.message));
            ("PresenceStateChange", out)
        }
        Change::Extension { repeat: true, .. } => return None,
        Change::Extension { key, new, .. } => {
            let mut out = begin("ExtensionStatus", CALL, timestamp);
            field(&mut out, "Exten", &key.exten);
            field(&mut out, "Context", &key.context);
            field(&mut out, "Hint", &hint(key));
            field(&mut out, "Status", &new.value().to_string());
            field(&mut out, "StatusText", new.as_str());
            ("ExtensionStatus", out)
        }
        Change::HintGone { key, state } => {
            let mut out = begin("ExtensionStatus", CALL, timestamp);
            field(&mut out, "Exten", &key.exten);
            field(&mut out, "Context", &key.context);
            field(&mut out, "Hint", "");
            field(&mut out, "Status", &state.value().to_string());
            field(&mut out, "StatusText", state.as_str());
            ("ExtensionStatus", out)
        }
        Change::Presence { key, new, .. } => {
            let mut out = begin("PresenceStatus", CALL, timestamp);
            field(&mut out, "Exten", &key.exten);
            field(&mut out, "Context", &key.context);
            field(&mut out, "Hint", &hint(key));
            field(&mut out, "Status", new.state.as_str());
            field(&mut out, "Subtype", &one_line(&new.subtype));
            field(&mut out, "Message", &one_line(&new.message));
            ("PresenceStatus", out)
        }
    };
    let mut text = text;
    text.push_str("\r\n");
    Some(Event {
        category: CALL,
        name,
        text,
    })
}

/// A channel event of an originated (simulated) call: `Newchannel`, `Newstate`, `Hangup`.
#[derive(Debug, Clone)]
pub struct ChannelInfo {
    pub channel: String,
    pub uniqueid: String,
    pub context: String,
    pub exten: String,
    pub caller_num: String,
    pub caller_name: String,
}

/// Renders a channel event with Asterisk's channel snapshot fields.
pub fn channel_event(
    name: &'static str,
    chan: &ChannelInfo,
    state: (u32, &str),
    extra: &[(&str, &str)],
    timestamp: Option<&str>,
) -> Event {
    let mut out = begin(name, CALL, timestamp);
    let or_unknown = |v: &str| {
        if v.is_empty() {
            "<unknown>".to_string()
        } else {
            v.to_string()
        }
    };
    field(&mut out, "Channel", &chan.channel);
    field(&mut out, "ChannelState", &state.0.to_string());
    field(&mut out, "ChannelStateDesc", state.1);
    field(&mut out, "CallerIDNum", &or_unknown(&chan.caller_num));
    field(&mut out, "CallerIDName", &or_unknown(&chan.caller_name));
    field(&mut out, "ConnectedLineNum", "<unknown>");
    field(&mut out, "ConnectedLineName", "<unknown>");
    field(&mut out, "Language", "en");
    field(&mut out, "AccountCode", "");
    field(&mut out, "Context", &chan.context);
    field(&mut out, "Exten", &chan.exten);
    field(&mut out, "Priority", "1");
    field(&mut out, "Uniqueid", &chan.uniqueid);
    field(&mut out, "Linkedid", &chan.uniqueid);
    for (k, v) in extra {
        field(&mut out, k, v);
    }
    out.push_str("\r\n");
    Event {
        category: CALL,
        name,
        text: out,
    }
}

#[cfg(test)]
mod tests;
