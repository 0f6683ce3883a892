//! Functions of the telephony modules (`apps/app_confbridge.c`, `apps/app_queue.c`,
//! `apps/app_voicemail.c`, `apps/app_mixmonitor.c`, `res/res_pjsip_*`, `funcs/func_volume.c`,
//! `funcs/func_jitterbuffer.c`, ...) answered from the simulated call: no conference, queue or
//! mailbox exists until the call creates one, the channel is a Local channel (PJSIP header
//! functions refuse it, as there), and audio hooks are accepted and remembered.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("CONFBRIDGE_INFO", "Get information about a ConfBridge conference.", confbridge_info),
    Func::write_only("CONFBRIDGE", "Set a custom dynamic bridge, user, or menu profile on a channel for the ConfBridge application using the same options available in confbridge.conf.", remember),
    Func::chan("CONFBRIDGE_CHANNELS", "Get a list of channels in a ConfBridge conference.", empty),
    Func::chan("QUEUE_EXISTS", "Check if a named queue exists on this server", queue_exists),
    Func::chan("QUEUE_MEMBER", "Provides a count of queue members based on the provided criteria, or updates a queue member's settings.", zero).writes(remember),
    Func::chan("QUEUE_MEMBER_LIST", "Returns a list of interfaces on a queue.", empty),
    Func::chan("QUEUE_MEMBER_PENALTY", "Gets or sets queue members penalty.", queue_member_penalty).writes(remember),
    Func::chan("QUEUE_VARIABLES", "Return Queue information in variables.", queue_variables),
    Func::chan("QUEUE_WAITING_COUNT", "Count number of calls currently waiting in a queue.", zero),
    Func::chan("QUEUE_GET_CHANNEL", "Return caller at the specified position in a queue.", empty),
    Func::chan("VMCOUNT", "Count the voicemails in a specified mailbox or mailboxes.", zero),
    Func::chan("VM_INFO", "Returns the selected attribute from a mailbox.", vm_info),
    Func::chan("MIXMONITOR", "Retrieve data pertaining to specific instances of MixMonitor on a channel.", empty),
    Func::chan("PJSIP_HEADER", "Gets headers from an inbound PJSIP channel. Adds, updates or removes the specified SIP header from an outbound PJSIP channel.", needs_pjsip).writes(write_needs_pjsip),
    Func::chan("PJSIP_HEADERS", "Gets the list of SIP header names from an INVITE message.", needs_pjsip),
    Func::chan("PJSIP_RESPONSE_HEADER", "Gets headers of 200 response from an outbound PJSIP channel.", needs_pjsip),
    Func::chan("PJSIP_RESPONSE_HEADERS", "Gets the list of SIP header names from the 200 response of INVITE message.", needs_pjsip),
    Func::chan("PJSIP_HEADER_PARAM", "Get or set header/URI parameters on a PJSIP channel.", needs_pjsip).writes(write_needs_pjsip),
    Func::write_only("PJSIP_INHERITABLE_HEADER", "Gets, adds, updates or removes the specified SIP header from a PJSIP or non-PJSIP channel to be inherited to an outbound PJSIP channel.", remember),
    Func::chan("PJSIP_MEDIA_OFFER", "Media and codec offerings to be set on an outbound SIP channel prior to dialing.", empty).writes(remember),
    Func::chan("PJSIP_DTMF_MODE", "Get or change the DTMF mode for a SIP call.", needs_pjsip).writes(write_needs_pjsip),
    Func::chan("PJSIP_MOH_PASSTHROUGH", "Get or change the on-hold behavior for a SIP call.", needs_pjsip).writes(write_needs_pjsip),
    Func::write_only("PJSIP_SEND_SESSION_REFRESH", "W/O: Initiate a session refresh via an UPDATE or re-INVITE on an established media session", write_needs_pjsip),
    Func::chan("PJSIP_DIAL_CONTACTS", "Return a dial string for dialing all contacts on an AOR.", pjsip_dial_contacts),
    Func::chan("PJSIP_ENDPOINT", "Get information about a PJSIP endpoint", pjsip_object),
    Func::chan("PJSIP_AOR", "Get information about a PJSIP AOR", pjsip_object),
    Func::chan("PJSIP_CONTACT", "Get information about a PJSIP contact", pjsip_object),
    Func::chan("VOLUME", "Set or get the TX or RX volume of a channel.", remembered).writes(remember),
    Func::write_only("JITTERBUFFER", "Add a Jitterbuffer to the Read side of the channel. This dejitters the audio stream before it reaches the Asterisk core. This is a write only function.", remember),
    Func::chan("TALK_DETECT", "Raises notifications when Asterisk detects silence or talking on a channel.", remembered).writes(remember),
    Func::chan("DENOISE", "Apply noise reduction to audio on a channel.", remembered).writes(remember),
    Func::chan("AGC", "Apply automatic gain control to audio on a channel.", remembered).writes(remember),
    Func::chan("MUTEAUDIO", "Muting audio streams in the channel", remembered).writes(remember),
    Func::write_only("FRAME_DROP", "Drops specific frame types in the TX or RX direction on a channel.", remember),
    Func::write_only("FRAME_TRACE", "View internal ast_frames as they are read and written on a channel.", remember),
    Func::chan("HOLD_INTERCEPT", "Intercepts hold frames on a channel and raises an event instead of passing the frame on", remembered).writes(remember),
    Func::write_only("PERIODIC_HOOK", "Execute a periodic dialplan hook into the audio of a call.", remember),
    Func::chan("PITCH_SHIFT", "Pitch shift both tx and rx audio streams on a channel.", remembered).writes(remember),
    Func::chan("DIALGROUP", "Manages a group of users for dialing.", remembered).writes(remember),
    Func::chan("FEATURE", "Get or set a feature option on a channel.", remembered).writes(remember),
    Func::chan("FEATUREMAP", "Get or set a feature map to a given value on a specific channel.", remembered).writes(remember),
    Func::chan("BLACKLIST", "Check if the callerid is on the blacklist.", blacklist),
    Func::chan("CALLCOMPLETION", "Get or set a call completion configuration parameter for a channel.", remembered).writes(remember),
    Func::chan("RECORDING_INFO", "Retrieve information about a recording previously created using the Record application", empty),
];

fn empty(_: &mut Exec<'_>, _: &str) -> Option<String> {
    Some(String::new())
}

fn zero(_: &mut Exec<'_>, _: &str) -> Option<String> {
    Some("0".to_string())
}

/// The key under which a function's writes are remembered on the channel.
fn key(exec: &Exec<'_>, args: &str) -> String {
    format!("fn:{}({args})", exec.current_function)
}

fn remembered(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let key = key(exec, args);
    Some(exec.chan.prop(&key).unwrap_or_default().to_string())
}

fn remember(exec: &mut Exec<'_>, args: &str, value: &str) {
    let key = key(exec, args);
    exec.chan.set_prop(&key, value);
}

fn confbridge_info(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let (Some(kind), Some(conference)) = (
        parts.first().filter(|it| !it.is_empty()),
        parts.get(1).filter(|it| !it.is_empty()),
    ) else {
        return None;
    };
    // Only a conference this call joined exists; it has this one party.
    let joined = exec.chan.prop(&format!("confbridge:{conference}")).is_some();
    if !joined {
        return Some("0".to_string());
    }
    let count = match kind.to_ascii_lowercase().as_str() {
        "parties" => 1,
        "admins" | "marked" | "locked" | "muted" => 0,
        _ => {
            exec.log(
                Level::Error,
                format!("Invalid keyword '{kind}' passed to CONFBRIDGE_INFO."),
            );
            return None;
        }
    };
    Some(count.to_string())
}

fn queue_exists(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Error,
            "QUEUE_EXISTS requires an argument: queuename".to_string(),
        );
        return None;
    }
    Some(if exec.outcome("Queue").is_some() { "1" } else { "0" }.to_string())
}

fn queue_member_penalty(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let _ = args;
    exec.log(
        Level::Error,
        "Invalid interface, queue or penalty".to_string(),
    );
    None
}

fn queue_variables(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(
            Level::Error,
            "Missing argument. QUEUE_VARIABLES(<queuename>)".to_string(),
        );
        return None;
    }
    exec.log(
        Level::Warning,
        format!("queue {args} was not found"),
    );
    Some("0".to_string())
}

fn vm_info(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 3, Mode::Standard);
    let (Some(mailbox), Some(attribute)) = (
        parts.first().filter(|it| !it.is_empty()),
        parts.get(1).filter(|it| !it.is_empty()),
    ) else {
        exec.log(
            Level::Error,
            "VM_INFO requires an argument (<mailbox>[@<context>],attribute[,folder])".to_string(),
        );
        return None;
    };
    let _ = mailbox;
    Some(match attribute.to_ascii_lowercase().as_str() {
        "exists" | "count" => "0".to_string(),
        "language" => "en".to_string(),
        "email" | "fullname" | "pager" | "locale" | "tz" | "pager_email" => String::new(),
        _ => {
            exec.log(
                Level::Error,
                format!("Unknown attribute '{attribute}' for VM_INFO"),
            );
            return None;
        }
    })
}

fn needs_pjsip(exec: &mut Exec<'_>, _: &str) -> Option<String> {
    exec.log(
        Level::Error,
        "This function requires a PJSIP channel.".to_string(),
    );
    None
}

fn write_needs_pjsip(exec: &mut Exec<'_>, args: &str, _: &str) {
    let _ = needs_pjsip(exec, args);
}

fn pjsip_dial_contacts(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let endpoint = args.split(',').next().unwrap_or("");
    if endpoint.is_empty() {
        exec.log(
            Level::Warning,
            "An endpoint name must be specified when using the 'PJSIP_DIAL_CONTACTS' dialplan function".to_string(),
        );
        return None;
    }
    // The simulation treats every endpoint as having one contact named after it.
    Some(format!("PJSIP/{endpoint}"))
}

fn pjsip_object(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let (Some(name), Some(_field)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Error,
            format!("Cannot call {} without arguments", exec.current_function),
        );
        return None;
    };
    exec.log(
        Level::Warning,
        format!("Failed to retrieve information for {} '{name}' (no pjsip.conf in the simulation)", exec.current_function.to_ascii_lowercase().trim_start_matches("pjsip_")),
    );
    None
}

fn blacklist(exec: &mut Exec<'_>, _: &str) -> Option<String> {
    let number = exec.chan.caller_num.clone().unwrap_or_default();
    let listed = exec.env.db_get("blacklist", &number).is_some();
    Some(if listed { "1" } else { "0" }.to_string())
}
