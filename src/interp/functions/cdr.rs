//! The call's simulated CDR (`funcs/func_cdr.c`, `main/cdr.c`): `CDR`, `CDR_PROP`. The record
//! starts with the call, is answered when the channel is, ends at hangup, and `dialstate run
//! --cdr` prints it as `cdr_csv` would write it.

use crate::interp::args::{split, Mode};
use crate::interp::channel::Channel;
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("CDR", "Gets or sets a CDR variable.", cdr).writes(write_cdr),
    Func::write_only("CDR_PROP", "Set a property on a channel's CDR.", cdr_prop),
];

/// Fields a dialplan may not write (`cdr_read_only_var`).
const READ_ONLY: &[&str] = &[
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "linkedid",
    "userfield",
    "sequence",
];

/// One CDR field as `CDR(name)` reads it (`ast_cdr_format_var`); `raw` is the `u` option.
pub(crate) fn field(chan: &Channel, now: i64, name: &str, raw: bool) -> String {
    let cdr = &chan.cdr;
    let time = |at: Option<i64>| match at {
        None if raw => "0.000000".to_string(),
        None => String::new(),
        Some(at) if raw => format!("{at}.000000"),
        Some(at) => crate::interp::clock::format_time(at),
    };
    let end = cdr.end.unwrap_or(now);
    match name.to_ascii_lowercase().as_str() {
        "clid" => clid(chan),
        "src" => chan.caller_num.clone().unwrap_or_default(),
        "dst" => chan.exten.clone(),
        "dcontext" => chan.context.clone(),
        "channel" => chan.name.clone(),
        "dstchannel" => cdr.dstchannel.clone(),
        "lastapp" => cdr.lastapp.clone(),
        "lastdata" => cdr.lastdata.clone(),
        "start" => time(Some(cdr.start)),
        "answer" => time(cdr.answer),
        "end" => time(cdr.end),
        "duration" => (end - cdr.start).to_string(),
        "billsec" => cdr.answer.map_or(0, |at| end - at).to_string(),
        "disposition" if raw => match cdr.disposition {
            "ANSWERED" => "8",
            "BUSY" => "2",
            "FAILED" => "1",
            "CONGESTION" => "16",
            _ => "0",
        }
        .to_string(),
        "disposition" => cdr.disposition.to_string(),
        "amaflags" if raw => match cdr.amaflags.as_str() {
            "OMIT" => "1",
            "BILLING" => "2",
            _ => "3",
        }
        .to_string(),
        "amaflags" => cdr.amaflags.clone(),
        "accountcode" => cdr.accountcode.clone(),
        "peeraccount" | "tenantid" | "peertenantid" => String::new(),
        "uniqueid" | "linkedid" => chan.uniqueid.clone(),
        "userfield" => cdr.userfield.clone(),
        "sequence" => "0".to_string(),
        _ => cdr
            .vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    }
}

/// `"name" <number>` of the caller.
fn clid(chan: &Channel) -> String {
    let num = chan.caller_num.clone().unwrap_or_default();
    match chan.caller_name.as_deref() {
        Some(name) if !name.is_empty() => format!("\"{name}\" <{num}>"),
        _ if num.is_empty() => String::new(),
        _ => num,
    }
}

/// The record of a finished call as a `Master.csv` line (`cdr_csv` with `loguniqueid` and
/// `loguserfield`).
pub fn csv(chan: &Channel) -> String {
    let now = chan.cdr.end.unwrap_or(chan.cdr.start);
    let q = |name: &str| format!("\"{}\"", field(chan, now, name, false).replace('"', "\"\""));
    [
        q("accountcode"),
        q("src"),
        q("dst"),
        q("dcontext"),
        q("clid"),
        q("channel"),
        q("dstchannel"),
        q("lastapp"),
        q("lastdata"),
        q("start"),
        q("answer"),
        q("end"),
        field(chan, now, "duration", false),
        field(chan, now, "billsec", false),
        q("disposition"),
        q("amaflags"),
        q("uniqueid"),
        q("userfield"),
    ]
    .join(",")
}

fn cdr(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(name) = parts.first().filter(|it| !it.is_empty()) else {
        exec.log(
            Level::Warning,
            "CDR requires a variable (CDR(variable[,option]))".to_string(),
        );
        return None;
    };
    if exec.chan.cdr.disabled {
        return Some(String::new());
    }
    let options = parts.get(1).map_or("", String::as_str);
    let lower = name.to_ascii_lowercase();
    if options.contains('f') && (lower == "billsec" || lower == "duration") {
        let value = field(&exec.chan, exec.now, name, false);
        return Some(format!("{value}.000000"));
    }
    Some(field(&exec.chan, exec.now, name, options.contains('u')))
}

fn write_cdr(exec: &mut Exec<'_>, args: &str, value: &str) {
    let parts = split(args, ',', 2, Mode::Standard);
    let Some(name) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        exec.log(
            Level::Warning,
            "CDR requires a variable (CDR(variable)=value)".to_string(),
        );
        return;
    };
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "accountcode" => {
            exec.log(
                Level::Warning,
                "Using the CDR function to set 'accountcode' is deprecated. Please use the CHANNEL function instead.".to_string(),
            );
            exec.chan.set_prop("accountcode", value);
            exec.chan.cdr.accountcode = value.to_string();
        }
        "amaflags" => {
            exec.log(
                Level::Warning,
                "Using the CDR function to set 'amaflags' is deprecated. Please use the CHANNEL function instead.".to_string(),
            );
            exec.chan.cdr.amaflags = value.to_ascii_uppercase();
        }
        "peeraccount" => exec.log(
            Level::Warning,
            "The 'peeraccount' setting is not supported. Please set the 'accountcode' on the appropriate channel using the CHANNEL function.".to_string(),
        ),
        "userfield" => exec.chan.cdr.userfield = value.to_string(),
        _ if READ_ONLY.contains(&lower.as_str()) => exec.log(
            Level::Error,
            format!("Attempt to set the '{name}' read-only variable!."),
        ),
        _ => {
            exec.chan.cdr.vars.retain(|(n, _)| *n != name);
            exec.chan.cdr.vars.push((name, value.to_string()));
        }
    }
}

fn cdr_prop(exec: &mut Exec<'_>, args: &str, value: &str) {
    if args.is_empty() {
        exec.log(
            Level::Warning,
            "CDR_PROP requires a variable (CDR_PROP(variable)=value)".to_string(),
        );
        return;
    }
    if value.is_empty() {
        exec.log(
            Level::Warning,
            "CDR_PROP requires a value (CDR_PROP(variable)=value)".to_string(),
        );
        return;
    }
    let on = crate::interp::args::is_true(value);
    match args.to_ascii_lowercase().as_str() {
        "party_a" => {}
        "disable" => exec.chan.cdr.disabled = on,
        _ => exec.log(
            Level::Warning,
            format!("Unknown option {args} used with CDR_PROP"),
        ),
    }
}
