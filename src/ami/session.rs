//! One manager connection as a state machine: login (plaintext and MD5 challenge), the event
//! switch, and every action, answered with Asterisk's framing (`main/manager.c`, spec state.md
//! §7). Actions that read or change the PBX lock it only while they run.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::net::IpAddr;

use md5::{Digest, Md5};

use crate::ami::codec::Message;
use crate::ami::config::{
    parse_classes, ManagerConfig, ALL, CALL, COMMAND, ORIGINATE, REPORTING, SYSTEM,
};
use crate::ami::event::{begin, channel_event, Batch, ChannelInfo, Event};
use crate::pbx::Pbx;
use crate::state::PresenceState;

/// The AMI version dialstate speaks (Asterisk 22's).
pub const AMI_VERSION: &str = "11.0.0";
/// The banner sent on connect.
pub const BANNER: &str = "Asterisk Call Manager/11.0.0\r\n";

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Authed {
    pub name: String,
    pub read: u32,
    pub write: u32,
    filters: Vec<(bool, regex::Regex)>,
}

/// One connection.
#[derive(Debug)]
pub struct Session {
    pub peer: IpAddr,
    pub user: Option<Authed>,
    challenge: Option<String>,
    /// Classes this session asked for with `Events` (limited by the user's read classes).
    event_mask: u32,
}

/// What the server does with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Send(String),
    /// Send, then close the connection (Logoff).
    SendThenClose(String),
    /// Wait the failed-login delay, send, close.
    FailLogin(String),
    /// Send, and raise these events to every session (an originated call).
    SendAndRaise(String, Vec<Event>),
}

/// What actions may see: configuration, the PBX, the clock.
pub struct Ctx<'a> {
    pub config: &'a ManagerConfig,
    /// The PBX, locked by the connection for the actions of one read (their changes go out
    /// together when it lets the lock go).
    pub pbx: &'a RefCell<&'a mut Pbx>,
    /// Now, as `seconds.microseconds`.
    pub now: (u64, u32),
    pub started: u64,
    pub random: u64,
    /// Raises an event to every session at once (an originated call's channel events).
    pub raise: &'a (dyn Fn(Event) + Sync),
    /// Runs one console command (the `Command` action): the console's own code, handed in by
    /// the process so the manager shares it without importing the console.
    pub command: &'a (dyn Fn(&mut Pbx, &str) -> (String, bool) + Sync),
}

/// A response: `Response:`, `ActionID:` when the action had one, then the fields.
pub fn response(kind: &str, id: Option<&str>, fields: &[(&str, &str)]) -> String {
    let mut out = format!("Response: {kind}\r\n");
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(out, "ActionID: {id}\r\n");
    }
    for (k, v) in fields {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
    out
}

fn error(id: Option<&str>, message: &str) -> String {
    response("Error", id, &[("Message", message)])
}

/// The actions dialstate answers, with their synopsis and the write class they need.
pub const ACTIONS: &[(&str, &str, u32)] = &[
    ("Challenge", "Generate Challenge for MD5 Auth.", 0),
    ("Command", "Execute Asterisk CLI Command.", COMMAND),
    (
        "CoreSettings",
        "Show PBX core settings (version etc).",
        SYSTEM | REPORTING,
    ),
    (
        "CoreStatus",
        "Show PBX core status variables.",
        SYSTEM | REPORTING,
    ),
    (
        "DeviceStateList",
        "List the current known device states.",
        CALL | REPORTING,
    ),
    ("Events", "Control Event Flow.", 0),
    (
        "ExtensionState",
        "Check Extension Status.",
        CALL | REPORTING,
    ),
    (
        "ExtensionStateList",
        "List the current known extension states.",
        CALL | REPORTING,
    ),
    (
        "Getvar",
        "Gets a channel variable or function value.",
        CALL | REPORTING,
    ),
    ("ListCommands", "List available manager commands.", 0),
    ("Login", "Login Manager.", 0),
    ("Logoff", "Logoff Manager.", 0),
    ("Originate", "Originate a call.", ORIGINATE),
    ("Ping", "Keepalive command.", 0),
    ("PresenceState", "Check Presence State", CALL | REPORTING),
    (
        "PresenceStateList",
        "List the current known presence states.",
        CALL | REPORTING,
    ),
    ("Setvar", "Sets a channel variable or function value.", CALL),
];

impl Session {
    pub fn new(peer: IpAddr) -> Session {
        Session {
            peer,
            user: None,
            challenge: None,
            event_mask: ALL,
        }
    }

    /// Whether this session receives an event.
    /// Appends the events of `batch` this session reads to `out`.
    pub fn take(&self, batch: &Batch, out: &mut String) {
        let Some(user) = &self.user else {
            return;
        };
        let mask = user.read & self.event_mask;
        if user.filters.is_empty() && batch.categories & mask == batch.categories {
            out.push_str(&batch.text);
            return;
        }
        for event in &batch.events {
            if self.wants(event) {
                out.push_str(&event.text);
            }
        }
    }

    pub fn wants(&self, event: &Event) -> bool {
        let Some(user) = &self.user else {
            return false;
        };
        if user.read & self.event_mask & event.category == 0 {
            return false;
        }
        if user.filters.is_empty() {
            return true;
        }
        let allow: Vec<_> = user.filters.iter().filter(|(neg, _)| !neg).collect();
        let deny: Vec<_> = user.filters.iter().filter(|(neg, _)| *neg).collect();
        (allow.is_empty() || allow.iter().any(|(_, re)| re.is_match(&event.text)))
            && !deny.iter().any(|(_, re)| re.is_match(&event.text))
    }

    /// Answers one action.
    pub fn handle(&mut self, msg: &Message, ctx: &Ctx<'_>) -> Reply {
        let id = msg.get("ActionID");
        let Some(action) = msg.get("Action").filter(|a| !a.is_empty()) else {
            return Reply::Send(error(id, "Missing action in request"));
        };
        let action = action.to_string();
        let lower = action.to_ascii_lowercase();
        if self.user.is_none() && !matches!(lower.as_str(), "login" | "logoff" | "challenge") {
            return Reply::Send(error(id, "Permission denied"));
        }
        let Some(&(name, _, needs)) = ACTIONS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&action))
        else {
            return Reply::Send(error(
                id,
                &format!("Invalid/unknown command: {action}. Use Action: ListCommands to show available commands."),
            ));
        };
        if needs != 0 && self.user.as_ref().is_some_and(|u| u.write & needs == 0) {
            return Reply::Send(error(id, "Permission denied"));
        }
        match name {
            "Login" => self.login(msg, ctx),
            "Logoff" => Reply::SendThenClose(response(
                "Goodbye",
                id,
                &[("Message", "Thanks for all the fish.")],
            )),
            "Challenge" => self.challenge(msg, ctx),
            "Ping" => {
                let ts = format!("{}.{:06}", ctx.now.0, ctx.now.1);
                Reply::Send(response(
                    "Success",
                    id,
                    &[("Ping", "Pong"), ("Timestamp", &ts)],
                ))
            }
            "Events" => self.events(msg),
            "ListCommands" => Reply::Send(list_commands(id)),
            "ExtensionState" => Reply::Send(extension_state(msg, ctx)),
            "PresenceState" => Reply::Send(presence_state(msg, ctx)),
            "ExtensionStateList" => Reply::Send(extension_state_list(id, ctx)),
            "DeviceStateList" => Reply::Send(device_state_list(id, ctx)),
            "PresenceStateList" => Reply::Send(presence_state_list(id, ctx)),
            "Getvar" => Reply::Send(getvar(msg, ctx)),
            "Setvar" => Reply::Send(setvar(msg, ctx)),
            "Command" => Reply::Send(command(msg, ctx)),
            "CoreSettings" => Reply::Send(response(
                "Success",
                id,
                &[
                    ("AMIversion", AMI_VERSION),
                    (
                        "AsteriskVersion",
                        concat!("dialstate ", env!("CARGO_PKG_VERSION")),
                    ),
                    ("SystemName", ""),
                    ("CoreMaxCalls", "0"),
                    ("CoreMaxLoadAvg", "0.000000"),
                    ("CoreRunUser", ""),
                    ("CoreRunGroup", ""),
                    ("CoreMaxFilehandles", "0"),
                    ("CoreRealTimeEnabled", "No"),
                    ("CoreCDRenabled", "No"),
                    ("CoreHTTPenabled", "No"),
                    ("SoundsSearchCustomDir", "No"),
                ],
            )),
            "CoreStatus" => {
                let (date, time) = date_time(ctx.started);
                Reply::Send(response(
                    "Success",
                    id,
                    &[
                        ("CoreStartupDate", &date),
                        ("CoreStartupTime", &time),
                        ("CoreReloadDate", &date),
                        ("CoreReloadTime", &time),
                        ("CoreCurrentCalls", "0"),
                    ],
                ))
            }
            "Originate" => originate(msg, ctx),
            _ => Reply::Send(error(id, "Permission denied")),
        }
    }

    fn login(&mut self, msg: &Message, ctx: &Ctx<'_>) -> Reply {
        let id = msg.get("ActionID");
        if self.user.is_some() {
            return Reply::Send(response(
                "Success",
                id,
                &[("Message", "Already authenticated")],
            ));
        }
        let username = msg.get("Username").unwrap_or_default();
        let user = ctx
            .config
            .users
            .get(username)
            .filter(|u| u.allows(self.peer));
        let ok = user.is_some_and(|u| {
            let md5 = msg
                .get("AuthType")
                .is_some_and(|t| t.eq_ignore_ascii_case("md5"));
            if md5 {
                let (Some(challenge), Some(key)) = (&self.challenge, msg.get("Key")) else {
                    return false;
                };
                let digest = format!("{:x}", Md5::digest(format!("{challenge}{}", u.secret)));
                constant_eq(digest.as_bytes(), key.to_ascii_lowercase().as_bytes())
            } else {
                constant_eq(
                    msg.get("Secret").unwrap_or_default().as_bytes(),
                    u.secret.as_bytes(),
                )
            }
        });
        let Some(user) = user.filter(|_| ok) else {
            tracing::warn!(peer = %self.peer, user = %username, "manager login failed");
            return Reply::FailLogin(error(id, "Authentication failed"));
        };
        let filters = user
            .filters
            .iter()
            .filter_map(|(neg, text)| regex::Regex::new(text).ok().map(|re| (*neg, re)))
            .collect();
        self.user = Some(Authed {
            name: user.name.clone(),
            read: user.read,
            write: user.write,
            filters,
        });
        if let Some(events) = msg.get("Events") {
            self.event_mask = event_mask(events).unwrap_or(ALL);
        }
        tracing::info!(peer = %self.peer, user = %user.name, "manager login");
        let mut out = response("Success", id, &[("Message", "Authentication accepted")]);
        if user.read & self.event_mask & SYSTEM != 0 {
            let uptime = ctx.now.0.saturating_sub(ctx.started).to_string();
            out.push_str(&begin("FullyBooted", SYSTEM, None));
            let _ = write!(
                out,
                "Status: Fully Booted\r\nUptime: {uptime}\r\nLastReload: {uptime}\r\n\r\n"
            );
        }
        Reply::Send(out)
    }

    fn challenge(&mut self, msg: &Message, ctx: &Ctx<'_>) -> Reply {
        let id = msg.get("ActionID");
        if !msg
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case("md5"))
        {
            return Reply::Send(error(id, "Must specify AuthType"));
        }
        let challenge = self
            .challenge
            .get_or_insert_with(|| format!("{}", ctx.random % 1_000_000_000))
            .clone();
        Reply::Send(response("Success", id, &[("Challenge", &challenge)]))
    }

    fn events(&mut self, msg: &Message) -> Reply {
        let id = msg.get("ActionID");
        match event_mask(msg.get("EventMask").unwrap_or_default()) {
            Some(mask) => {
                self.event_mask = mask;
                let state = if mask == 0 { "Off" } else { "On" };
                Reply::Send(response("Success", id, &[("Events", state)]))
            }
            None => Reply::Send(error(id, "Invalid event mask")),
        }
    }
}

/// `on`, `off`, or a class list.
fn event_mask(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("on")
        || t.eq_ignore_ascii_case("yes")
        || t.eq_ignore_ascii_case("all")
    {
        return Some(ALL);
    }
    if t.eq_ignore_ascii_case("off")
        || t.eq_ignore_ascii_case("no")
        || t.eq_ignore_ascii_case("none")
    {
        return Some(0);
    }
    let mask = parse_classes(t);
    (mask != 0).then_some(mask)
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn list_commands(id: Option<&str>) -> String {
    let mut out = response("Success", id, &[]);
    out.truncate(out.len() - 2);
    for (name, synopsis, class) in ACTIONS {
        let privs = if *class == 0 {
            "<none>".to_string()
        } else {
            crate::ami::config::CLASSES
                .iter()
                .filter(|(_, bit)| class & bit != 0)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(",")
        };
        let _ = write!(out, "{name}: {synopsis}  (Priv: {privs})\r\n");
    }
    out.push_str("\r\n");
    out
}

fn extension_state(msg: &Message, ctx: &Ctx<'_>) -> String {
    let id = msg.get("ActionID");
    let Some(exten) = msg.get("Exten").filter(|e| !e.is_empty()) else {
        return error(id, "Extension not specified");
    };
    let context = msg
        .get("Context")
        .filter(|c| !c.is_empty())
        .unwrap_or("default");
    let mut pbx = ctx.pbx.borrow_mut();
    let (hint, status, text) = match pbx.subscribe_hint(context, exten) {
        Some(key) => match pbx.state().hint(&key) {
            Some(view) => (
                view.text.to_string(),
                view.state.value(),
                view.state.as_str(),
            ),
            None => (String::new(), -1, "Unknown"),
        },
        None => (String::new(), -1, "Unknown"),
    };
    let status = status.to_string();
    response(
        "Success",
        id,
        &[
            ("Message", "Extension Status"),
            ("Exten", exten),
            ("Context", context),
            ("Hint", &hint),
            ("Status", &status),
            ("StatusText", text),
        ],
    )
}

fn presence_state(msg: &Message, ctx: &Ctx<'_>) -> String {
    let id = msg.get("ActionID");
    let Some(provider) = msg.get("Provider").filter(|p| !p.is_empty()) else {
        return error(id, "No provider specified");
    };
    let pbx = ctx.pbx.borrow_mut();
    let presence = pbx.state().presence(provider);
    if presence.state == PresenceState::Invalid {
        return error(
            id,
            &format!("Invalid provider {provider} or provider in invalid state"),
        );
    }
    let mut fields = vec![
        ("Message", "Presence State"),
        ("State", presence.state.as_str()),
    ];
    if !presence.subtype.is_empty() {
        fields.push(("Subtype", &presence.subtype));
    }
    if !presence.message.is_empty() {
        fields.push(("Message", &presence.message));
        fields.push(("PresenceMessage", &presence.message));
    }
    response("Success", id, &fields)
}

fn list_start(id: Option<&str>, message: &str) -> String {
    let mut out = "Response: Success\r\n".to_string();
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(out, "ActionID: {id}\r\n");
    }
    let _ = write!(out, "EventList: start\r\nMessage: {message}\r\n\r\n");
    out
}

fn list_item(out: &mut String, event: &str, id: Option<&str>, fields: &[(&str, &str)]) {
    let _ = write!(out, "Event: {event}\r\n");
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(out, "ActionID: {id}\r\n");
    }
    for (k, v) in fields {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
}

fn list_end(out: &mut String, event: &str, id: Option<&str>, n: usize) {
    let _ = write!(out, "Event: {event}\r\n");
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(out, "ActionID: {id}\r\n");
    }
    let _ = write!(out, "EventList: Complete\r\nListItems: {n}\r\n\r\n");
}

fn extension_state_list(id: Option<&str>, ctx: &Ctx<'_>) -> String {
    let pbx = ctx.pbx.borrow_mut();
    let hints: Vec<_> = pbx
        .state()
        .hints()
        .filter(|h| !h.key.exten.starts_with('_'))
        .collect();
    if hints.is_empty() {
        return error(id, "No dialplan hints are available");
    }
    let mut out = list_start(id, "Extension Statuses will follow");
    out.reserve(hints.len() * 128);
    for h in &hints {
        let status = h.state.value().to_string();
        list_item(
            &mut out,
            "ExtensionStatus",
            id,
            &[
                ("Exten", &h.key.exten),
                ("Context", &h.key.context),
                ("Hint", h.text),
                ("Status", &status),
                ("StatusText", h.state.as_str()),
            ],
        );
    }
    list_end(&mut out, "ExtensionStateListComplete", id, hints.len());
    out
}

fn device_state_list(id: Option<&str>, ctx: &Ctx<'_>) -> String {
    let pbx = ctx.pbx.borrow_mut();
    let devices = pbx.state().announced_devices();
    let mut out = list_start(id, "Device State Changes will follow");
    for (name, state) in &devices {
        list_item(
            &mut out,
            "DeviceStateChange",
            id,
            &[("Device", name), ("State", state.as_str())],
        );
    }
    list_end(&mut out, "DeviceStateListComplete", id, devices.len());
    out
}

fn presence_state_list(id: Option<&str>, ctx: &Ctx<'_>) -> String {
    let pbx = ctx.pbx.borrow_mut();
    let providers = pbx.state().announced_providers();
    let mut out = list_start(id, "Presence State Changes will follow");
    for (name, p) in &providers {
        let subtype = crate::ami::event::escape_c(&p.subtype);
        let message = crate::ami::event::escape_c(&p.message);
        list_item(
            &mut out,
            "PresenceStateChange",
            id,
            &[
                ("Presentity", name),
                ("Status", p.state.as_str()),
                ("Subtype", &subtype),
                ("Message", &message),
            ],
        );
    }
    list_end(&mut out, "PresenceStateListComplete", id, providers.len());
    out
}

fn getvar(msg: &Message, ctx: &Ctx<'_>) -> String {
    let id = msg.get("ActionID");
    let Some(variable) = msg.get("Variable").filter(|v| !v.is_empty()) else {
        return error(id, "No variable specified");
    };
    if msg.get("Channel").is_some_and(|c| !c.is_empty()) {
        return error(id, "No such channel");
    }
    let value = ctx.pbx.borrow_mut().get_var(variable);
    response("Success", id, &[("Variable", variable), ("Value", &value)])
}

fn setvar(msg: &Message, ctx: &Ctx<'_>) -> String {
    let id = msg.get("ActionID");
    let Some(variable) = msg.get("Variable").filter(|v| !v.is_empty()) else {
        return error(id, "No variable specified");
    };
    if msg.get("Channel").is_some_and(|c| !c.is_empty()) {
        return error(id, "No such channel");
    }
    let value = msg.get("Value").unwrap_or_default();
    match ctx.pbx.borrow_mut().set_var(variable, value) {
        Err(text) => error(id, &text),
        Ok(()) => response("Success", id, &[("Message", "Variable Set")]),
    }
}

fn command(msg: &Message, ctx: &Ctx<'_>) -> String {
    let id = msg.get("ActionID");
    let Some(line) = msg.get("Command").filter(|c| !c.is_empty()) else {
        return error(id, "No command provided");
    };
    let (text, ok) = {
        let mut pbx = ctx.pbx.borrow_mut();
        (ctx.command)(&mut pbx, line)
    };
    let mut out = format!("Response: {}\r\n", if ok { "Success" } else { "Error" });
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(out, "ActionID: {id}\r\n");
    }
    out.push_str("Message: Command output follows\r\n");
    for line in text.lines() {
        let _ = write!(out, "Output: {line}\r\n");
    }
    out.push_str("\r\n");
    out
}

/// `Originate` to `Local/EXTEN@CONTEXT`: runs the simulated call now and raises the channel
/// events a panel needs (Newchannel, Newstate when answered, Hangup), then OriginateResponse.
fn originate(msg: &Message, ctx: &Ctx<'_>) -> Reply {
    let id = msg.get("ActionID");
    let Some(channel) = msg.get("Channel").filter(|c| !c.is_empty()) else {
        return Reply::Send(error(id, "Channel not specified"));
    };
    let Some(target) = channel
        .strip_prefix("Local/")
        .or_else(|| channel.strip_prefix("local/"))
    else {
        return Reply::Send(error(
            id,
            "Originate failed: dialstate originates Local/EXTEN@CONTEXT channels only",
        ));
    };
    let target = target.split('/').next().unwrap_or(target);
    let (exten, context) = target.split_once('@').unwrap_or((target, "default"));
    let (caller_num, caller_name) = match msg.get("CallerID") {
        Some(cid) => split_callerid(cid),
        None => (String::new(), String::new()),
    };
    let vars: Vec<(String, String)> = msg
        .all("Variable")
        .flat_map(|v| v.split(','))
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.to_string()))
        })
        .collect();
    let uniqueid = format!("{}.{}", ctx.now.0, ctx.random % 100_000);
    let info = ChannelInfo {
        channel: format!("{channel};2"),
        uniqueid: uniqueid.clone(),
        context: context.to_string(),
        exten: exten.to_string(),
        caller_num: caller_num.clone(),
        caller_name: caller_name.clone(),
    };
    let ts = ctx
        .config
        .timestampevents
        .then(|| format!("{}.{:06}", ctx.now.0, ctx.now.1));
    let ts = ts.as_deref();
    (ctx.raise)(channel_event("Newchannel", &info, (4, "Ring"), &[], ts));
    let (answered, cause) = ctx.pbx.borrow_mut().originate(
        context,
        exten,
        (
            (!caller_num.is_empty()).then(|| caller_num.clone()),
            (!caller_name.is_empty()).then(|| caller_name.clone()),
        ),
        vars,
    );
    let mut events = Vec::new();
    if answered {
        events.push(channel_event("Newstate", &info, (6, "Up"), &[], ts));
    }
    let cause_txt = cause_text(cause);
    let cause = cause.to_string();
    events.push(channel_event(
        "Hangup",
        &info,
        (
            if answered { 6 } else { 4 },
            if answered { "Up" } else { "Ring" },
        ),
        &[("Cause", &cause), ("Cause-txt", cause_txt)],
        ts,
    ));
    let mut resp = begin("OriginateResponse", CALL, ts);
    if let Some(id) = id.filter(|it| !it.is_empty()) {
        let _ = write!(resp, "ActionID: {id}\r\n");
    }
    let _ = write!(
        resp,
        "Response: Success\r\nChannel: {channel}\r\nContext: {context}\r\nExten: {exten}\r\nApplication: \r\nData: \r\nReason: 4\r\nUniqueid: {uniqueid}\r\nCallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n\r\n"
    );
    events.push(Event {
        category: CALL,
        name: "OriginateResponse",
        text: resp,
    });
    Reply::SendAndRaise(
        response(
            "Success",
            id,
            &[("Message", "Originate successfully queued")],
        ),
        events,
    )
}

fn split_callerid(cid: &str) -> (String, String) {
    match (cid.find('<'), cid.rfind('>')) {
        (Some(a), Some(b)) if a < b => (
            cid[a + 1..b].trim().to_string(),
            cid[..a].trim().trim_matches('"').to_string(),
        ),
        _ => (cid.trim().to_string(), String::new()),
    }
}

fn cause_text(cause: u32) -> &'static str {
    match cause {
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        21 => "Call Rejected",
        34 => "Circuit/channel congestion",
        _ => "Unknown",
    }
}

/// `CoreStatus` dates: `YYYY-MM-DD` and `HH:MM:SS` (UTC).
fn date_time(epoch: u64) -> (String, String) {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
    )
}
