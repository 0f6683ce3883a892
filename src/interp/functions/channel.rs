//! The channel itself (`funcs/func_channel.c`, `funcs/func_timeout.c`,
//! `funcs/func_hangupcause.c`, `funcs/func_logic.c`): `CHANNEL`, `CHANNEL_EXISTS`, `CHANNELS`,
//! `MASTER_CHANNEL`, `TIMEOUT`, `HANGUPCAUSE`, `HANGUPCAUSE_KEYS`, `IMPORT`. The channel is the
//! Local channel the simulated call runs on; items a Local channel does not have warn as there.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("CHANNEL", "Gets/sets various pieces of information about the channel.", channel).writes(write_channel),
    Func::chan("CHANNEL_EXISTS", "Checks if the specified channel exists.", channel_exists),
    Func::chan("CHANNELS", "Gets the list of channels, optionally filtering by a regular expression.", channels),
    Func::chan("MASTER_CHANNEL", "Gets or sets variables on the master channel", master_channel).writes(write_master_channel),
    Func::chan("TIMEOUT", "Gets or sets timeouts on the channel. Timeout values are in seconds.", timeout).writes(write_timeout),
    Func::chan("HANGUPCAUSE", "Gets per-channel hangupcause information from the channel.", hangupcause),
    Func::chan("HANGUPCAUSE_KEYS", "Gets the list of channels for which hangup causes are available.", hangupcause_keys),
    Func::chan("IMPORT", "Retrieve the value of a variable from another channel.", import),
];

/// `ast_state2str`.
fn state(exec: &Exec<'_>) -> &'static str {
    if exec.chan.answered {
        "Up"
    } else {
        "Ring"
    }
}

/// Items `CHANNEL()` may set, with their value before any write.
const SETTABLE: &[(&str, &str)] = &[
    ("language", "en"),
    ("musicclass", ""),
    ("parkinglot", ""),
    ("accountcode", ""),
    ("peeraccount", ""),
    ("userfield", ""),
    ("hangupsource", ""),
    ("callgroup", ""),
    ("pickupgroup", ""),
    ("namedcallgroup", ""),
    ("namedpickupgroup", ""),
    ("amaflags", "3"),
    ("tonezone", ""),
    ("after_bridge_goto", ""),
    ("max_forwards", "20"),
    ("tenantid", ""),
    ("transfercapability", "SPEECH"),
    ("dtmf_features", ""),
];

fn channel(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let item = args.to_ascii_lowercase();
    let chan = &exec.chan;
    let value = match item.as_str() {
        "name" | "channame" => chan.name.clone(),
        "state" => state(exec).to_string(),
        "channeltype" => "Local".to_string(),
        "uniqueid" | "linkedid" => chan.uniqueid.clone(),
        "exten" => chan.exten.clone(),
        "context" => chan.context.clone(),
        "lastexten" => chan.exten.clone(),
        "lastcontext" => chan.context.clone(),
        "appname" => chan.app.to_string(),
        "appdata" => chan.cdr.lastdata.clone(),
        "checkhangup" => if chan.hangup_cause.is_some() { "1" } else { "0" }.to_string(),
        "onhold" => "0".to_string(),
        "peer" => String::new(),
        "audionativeformat" | "audioreadformat" | "audiowriteformat" => "slin".to_string(),
        "videonativeformat" => "(nothing)".to_string(),
        "callid" => format!("C-{:08x}", exec.seq),
        "device_name" => chan
            .name
            .rsplit_once('-')
            .map_or(chan.name.clone(), |it| it.0.to_string()),
        _ => match SETTABLE.iter().find(|(name, _)| *name == item) {
            Some((name, default)) => chan.prop(name).unwrap_or(default).to_string(),
            None => {
                exec.log(
                    Level::Warning,
                    format!("Unknown or unavailable item requested: '{args}'"),
                );
                return None;
            }
        },
    };
    Some(value)
}

fn write_channel(exec: &mut Exec<'_>, args: &str, value: &str) {
    let item = args.to_ascii_lowercase();
    match item.as_str() {
        "amaflags" => {
            let flags = match value.to_ascii_uppercase().as_str() {
                "OMIT" | "1" => Some("1"),
                "BILLING" | "2" => Some("2"),
                "DOCUMENTATION" | "3" => Some("3"),
                _ => None,
            };
            match flags {
                Some(flags) => {
                    exec.chan.set_prop("amaflags", flags);
                    exec.chan.cdr.amaflags = match flags {
                        "1" => "OMIT",
                        "2" => "BILLING",
                        _ => "DOCUMENTATION",
                    }
                    .to_string();
                }
                None => exec.log(
                    Level::Error,
                    format!("Unknown AMA flags '{value}' for CHANNEL(amaflags)"),
                ),
            }
        }
        "accountcode" => {
            exec.chan.set_prop("accountcode", value);
            exec.chan.cdr.accountcode = value.to_string();
        }
        "hangup_handler_push" | "hangup_handler_pop" | "hangup_handler_wipe" => {
            exec.verbose(
                4,
                format!("Simulated: CHANNEL({item}) = {value} (hangup handlers are not run)"),
            );
        }
        "max_forwards" => match value.trim().parse::<i32>() {
            Ok(_) => exec.chan.set_prop("max_forwards", value.trim()),
            Err(_) => exec.log(
                Level::Warning,
                format!("Unable to set max forwards to '{value}'"),
            ),
        },
        "relaxdtmf" | "txgain" | "rxgain" | "digitdetect" | "faxdetect" | "tdd" | "adsicpe"
        | "secure_bridge_signaling" | "secure_bridge_media" => exec.chan.set_prop(&item, value),
        _ => match SETTABLE.iter().find(|(name, _)| *name == item) {
            Some((name, _)) => exec.chan.set_prop(name, value),
            None => exec.log(
                Level::Warning,
                format!("Unknown or unavailable item requested: '{args}'"),
            ),
        },
    }
}

fn channel_exists(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Warning,
            "CHANNEL_EXISTS: Channel name or unique ID required".to_string(),
        );
        return None;
    }
    let this = exec.chan.name == args || exec.chan.uniqueid == args;
    Some(if this { "1" } else { "0" }.to_string())
}

fn channels(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        return Some(exec.chan.name.clone());
    }
    match regex::Regex::new(args) {
        Ok(re) => Some(if re.is_match(&exec.chan.name) {
            exec.chan.name.clone()
        } else {
            String::new()
        }),
        Err(_) => {
            exec.log(
                Level::Warning,
                format!("Unable to compile regular expression '{args}'"),
            );
            None
        }
    }
}

/// The simulated call has no master channel (it was not created by a Dial).
fn master_channel(_: &mut Exec<'_>, _: &str) -> Option<String> {
    None
}

fn write_master_channel(_: &mut Exec<'_>, _: &str, _: &str) {}

fn timeout(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let seconds = |ms: i64| format!("{:.3}", ms as f64 / 1000.0);
    match args.bytes().next() {
        None => {
            exec.log(
                Level::Error,
                "Must specify type of timeout to get.".to_string(),
            );
            None
        }
        Some(b'a' | b'A') => Some(match exec.chan.absolute_timeout {
            None => "0".to_string(),
            Some(at) => seconds((at - exec.now) * 1000),
        }),
        Some(b'r' | b'R') => Some(seconds(exec.chan.response_timeout_ms)),
        Some(b'd' | b'D') => Some(seconds(exec.chan.digit_timeout_ms)),
        Some(_) => {
            exec.log(Level::Error, "Unknown timeout type specified.".to_string());
            None
        }
    }
}

fn write_timeout(exec: &mut Exec<'_>, args: &str, value: &str) {
    let Some(kind) = args.bytes().next() else {
        exec.log(
            Level::Error,
            "Must specify type of timeout to set.".to_string(),
        );
        return;
    };
    // sscanf("%30ld%30lf"): whole seconds, then an optional fraction such as `.5`.
    let text = value.trim_start();
    let int_len = text
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
        .count();
    let secs = text[..int_len].parse::<i64>().ok();
    let frac = text[int_len..]
        .trim_start()
        .parse::<f64>()
        .ok()
        .filter(|_| int_len < text.len());
    let ms = match secs {
        Some(s) if s >= 0 => s * 1000 + frac.map_or(0, |f| (f * 1000.0) as i64),
        _ => 0,
    };
    match kind {
        b'a' | b'A' => {
            if ms == 0 {
                exec.chan.absolute_timeout = None;
                exec.verbose(3, "Channel hangup cancelled.".to_string());
            } else {
                let at = exec.now + ms / 1000;
                exec.chan.absolute_timeout = Some(at);
                let when = crate::interp::clock::format_time(at);
                exec.verbose(
                    3,
                    format!("Channel will hangup at {when}.{:03} UTC.", ms % 1000),
                );
            }
        }
        b'r' | b'R' => {
            exec.chan.response_timeout_ms = ms;
            exec.verbose(
                3,
                format!("Response timeout set to {:.3}", ms as f64 / 1000.0),
            );
        }
        b'd' | b'D' => {
            exec.chan.digit_timeout_ms = ms;
            exec.verbose(
                3,
                format!("Digit timeout set to {:.3}", ms as f64 / 1000.0),
            );
        }
        _ => exec.log(Level::Error, "Unknown timeout type specified.".to_string()),
    }
}

fn hangupcause(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let (Some(channel), Some(kind)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Error,
            "Both channel and information type are required for HANGUPCAUSE".to_string(),
        );
        return None;
    };
    let _ = (channel, kind);
    exec.log(
        Level::Warning,
        format!("Unable to find information for channel {channel}"),
    );
    None
}

/// No channel a Dial created has hung up with a cause in the simulation.
fn hangupcause_keys(_: &mut Exec<'_>, _: &str) -> Option<String> {
    Some(String::new())
}

fn import(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let (Some(channel), Some(var)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Warning,
            "IMPORT requires two arguments: IMPORT(<channel>,<variable>)".to_string(),
        );
        return None;
    };
    if *channel == exec.chan.name {
        return Some(exec.chan.var(var).unwrap_or_default().to_string());
    }
    Some(String::new())
}
