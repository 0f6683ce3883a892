//! Calling out (`apps/app_dial.c`, `apps/app_chanisavail.c`, `apps/app_directed_pickup.c`),
//! simulated from device state and the outcomes the call chose (`dial DEVICE=OUTCOME`): `Dial`,
//! `ChanIsAvail`, `Pickup`, `PickupChan`.

use crate::dialplan::{Target, PRIORITY_HINT};
use crate::interp::apps::{AppDef, Sim};
use crate::interp::args::{split, Mode};
use crate::interp::exec::{DialOutcome, Exec, Flow};
use crate::interp::trace::Level;
use crate::state::DeviceState;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run(
        "Dial",
        "Attempt to connect to another device or endpoint and bridge the call.",
        dial,
    ),
    AppDef::run("ChanIsAvail", "Check channel availability", chan_is_avail),
    AppDef::run_with("Pickup", "Directed extension call pickup.", pickup, &PICKUP),
    AppDef::run_with(
        "PickupChan",
        "Pickup a ringing channel.",
        pickup_chan,
        &PICKUP,
    ),
];

fn dial(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 4, Mode::Standard);
    let Some(targets) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        exec.log(
            Level::Warning,
            "Dial requires an argument (technology/resource)".to_string(),
        );
        exec.chan.set("DIALSTATUS", "INVALIDARGS");
        return Flow::Next;
    };
    let options = parts.get(2).cloned().unwrap_or_default();
    let devices: Vec<String> = targets
        .split('&')
        .filter(|it| !it.is_empty())
        .map(str::to_string)
        .collect();
    let mut outcomes = Vec::new();
    for device in &devices {
        let scripted = exec
            .dial
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(device))
            .map(|it| it.1);
        let outcome = scripted.unwrap_or_else(|| match exec.env.state().device_state(device) {
            DeviceState::Unavailable | DeviceState::Invalid => DialOutcome::Unavailable,
            DeviceState::Busy
            | DeviceState::Inuse
            | DeviceState::Ringinuse
            | DeviceState::Onhold => DialOutcome::Busy,
            _ => DialOutcome::Answer,
        });
        exec.verbose(3, format!("Called {device}"));
        outcomes.push((device.clone(), outcome));
    }
    // Ringing devices: those that can ring.
    for (device, outcome) in &outcomes {
        if matches!(outcome, DialOutcome::Answer | DialOutcome::NoAnswer) {
            let call = ringing_call(exec, device);
            exec.env.set_ringing_call(device, Some(call));
            let changes = exec.env.set_device(device, DeviceState::Ringing);
            exec.record(changes);
            exec.verbose(3, format!("{device} is ringing"));
        }
    }
    let answered = outcomes
        .iter()
        .find(|(_, o)| *o == DialOutcome::Answer)
        .map(|it| it.0.clone());
    // Ringing is over for every device: the call is answered or given up.
    for (device, outcome) in &outcomes {
        if matches!(outcome, DialOutcome::Answer | DialOutcome::NoAnswer) {
            exec.env.set_ringing_call(device, None);
        }
    }
    // Devices that rang but did not take the call go back to idle.
    for (device, outcome) in &outcomes {
        let took = answered.as_deref() == Some(device.as_str());
        if matches!(outcome, DialOutcome::Answer | DialOutcome::NoAnswer) && !took {
            let changes = exec.env.set_device(device, DeviceState::NotInuse);
            exec.record(changes);
        }
    }
    if let Some(device) = answered {
        exec.verbose(3, format!("{device} answered {}", exec.chan.name));
        exec.answer();
        exec.chan.cdr.dstchannel = format!("{device}-00000001");
        exec.chan.set("DIALSTATUS", "ANSWER");
        exec.chan.set("DIALEDPEERNUMBER", &device);
        let changes = exec.env.set_device(&device, DeviceState::Inuse);
        exec.record(changes);
        exec.busy_devices.push(device);
        // The bridge ends when the callee hangs up.
        if options.contains('g') {
            return Flow::Next;
        }
        exec.chan.hangup_cause.get_or_insert(16);
        return Flow::Stop;
    }
    let status = if outcomes.iter().any(|(_, o)| *o == DialOutcome::Busy) {
        "BUSY"
    } else if outcomes.iter().any(|(_, o)| *o == DialOutcome::NoAnswer) {
        "NOANSWER"
    } else if outcomes.iter().any(|(_, o)| *o == DialOutcome::Congestion) {
        "CONGESTION"
    } else {
        "CHANUNAVAIL"
    };
    for (device, outcome) in &outcomes {
        let text = match outcome {
            DialOutcome::Busy => format!("{device} is busy"),
            DialOutcome::Unavailable => format!("{device} is not available"),
            DialOutcome::Congestion => format!("{device} is circuit-busy"),
            DialOutcome::NoAnswer => format!("Nobody picked up in {} ms", 20_000),
            DialOutcome::Answer => continue,
        };
        exec.verbose(3, text);
    }
    exec.chan.set("DIALSTATUS", status);
    exec.chan.cdr.disposition = match status {
        "BUSY" => "BUSY",
        "CONGESTION" => "CONGESTION",
        "CHANUNAVAIL" => "FAILED",
        _ => "NO ANSWER",
    };
    Flow::Next
}

/// Pickup succeeds when a device of the target's hint rings, or when the call says so.
const PICKUP: Sim = Sim {
    status: "",
    outcomes: &["FAILED", "SUCCESS"],
    ends: &["SUCCESS"],
    answers: true,
    what: "pick up",
    needs_data: None,
};

/// `ast_device_state` numbers as `AVAILSTATUS` prints them.
fn state_number(state: DeviceState) -> u8 {
    match state {
        DeviceState::Unknown => 0,
        DeviceState::NotInuse => 1,
        DeviceState::Inuse => 2,
        DeviceState::Busy => 3,
        DeviceState::Invalid => 4,
        DeviceState::Unavailable => 5,
        DeviceState::Ringing => 6,
        DeviceState::Ringinuse => 7,
        DeviceState::Onhold => 8,
    }
}

/// `ChanIsAvail(Tech/res[&...][,options])`: a device can be requested unless its state says it
/// is unavailable (and, with `s`, unless it is in use).
fn chan_is_avail(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 2, Mode::Standard);
    let options = parts.get(1).cloned().unwrap_or_default();
    let (all, by_state, compare) = (
        options.contains('a'),
        options.contains('s'),
        options.contains('t'),
    );
    let (mut chans, mut origs, mut stats, mut causes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let requested = parts.first().cloned().unwrap_or_default();
    for tech in requested.split('&') {
        let tech = tech.trim_matches(|c: char| u32::from(c) < 0x21);
        if !tech.contains('/') {
            if !tech.is_empty() {
                exec.log(
                    Level::Warning,
                    format!("Invalid ChanIsAvail technology/resource argument: '{tech}'"),
                );
            }
            stats.push(state_number(DeviceState::Invalid).to_string());
            continue;
        }
        let state = exec.env.state().device_state(tech);
        let checked = if compare || by_state {
            state
        } else {
            DeviceState::Unknown
        };
        stats.push(state_number(checked).to_string());
        let in_use = state_number(checked) > state_number(DeviceState::NotInuse);
        let requestable = !matches!(state, DeviceState::Unavailable | DeviceState::Invalid);
        if !in_use && requestable {
            chans.push(format!("{tech}-00000001"));
            origs.push(tech.to_string());
            causes.push("0".to_string());
            if !all {
                break;
            }
        }
    }
    exec.chan.set("AVAILCHAN", &chans.join("&"));
    exec.chan.set("AVAILORIGCHAN", &origs.join("&"));
    exec.chan.set("AVAILSTATUS", &stats.join("&"));
    exec.chan.set("AVAILCAUSECODE", &causes.join("&"));
    Flow::Next
}

/// Whether a device of the hint of `exten@context` is ringing (a call there can be picked up).
fn ringing_at(exec: &Exec<'_>, exten: &str, context: &str) -> bool {
    let Ok(found) = exec
        .env
        .dialplan()
        .find(context, exten, Target::Priority(PRIORITY_HINT), None)
    else {
        return false;
    };
    found.priority.app.split('&').any(|device| {
        matches!(
            exec.env.state().device_state(device),
            DeviceState::Ringing | DeviceState::Ringinuse
        )
    })
}

fn picked_up(exec: &mut Exec<'_>, what: &str) -> Flow {
    exec.answer();
    exec.verbose(
        3,
        format!("Simulated pickup: {} picked up {what}", exec.chan.name),
    );
    exec.chan.hangup_cause.get_or_insert(16);
    Flow::Stop
}

fn pickup(exec: &mut Exec<'_>, data: &str) -> Flow {
    let forced = exec
        .outcome("Pickup")
        .is_some_and(|it| it.eq_ignore_ascii_case("SUCCESS"));
    if data.is_empty() {
        return if forced {
            picked_up(exec, "a call of its pickup group")
        } else {
            Flow::Next
        };
    }
    for target in data.split('&').filter(|it| !it.is_empty()) {
        let (exten, context) = match target.split_once('@') {
            Some((exten, context)) if !context.is_empty() => {
                (exten.to_string(), context.to_string())
            }
            Some((exten, _)) => (exten.to_string(), exec.chan.context.clone()),
            None => (target.to_string(), exec.chan.context.clone()),
        };
        if forced || ringing_at(exec, &exten, &context) {
            return picked_up(exec, &format!("{exten}@{context}"));
        }
        exec.log(
            Level::Notice,
            format!("No target channel found for {exten}@{context}."),
        );
    }
    Flow::Next
}

fn pickup_chan(exec: &mut Exec<'_>, data: &str) -> Flow {
    let target = data.split(',').next().unwrap_or("");
    if target.is_empty() {
        exec.log(
            Level::Warning,
            "PickupChan requires an argument (channel)!".to_string(),
        );
        return Flow::Next;
    }
    let forced = exec
        .outcome("PickupChan")
        .is_some_and(|it| it.eq_ignore_ascii_case("SUCCESS"));
    let ringing = target.split('&').any(|device| {
        matches!(
            exec.env.state().device_state(device),
            DeviceState::Ringing | DeviceState::Ringinuse
        )
    });
    if forced || ringing {
        return picked_up(exec, target);
    }
    exec.log(
        Level::Notice,
        format!("No target channel found for {target}."),
    );
    Flow::Next
}

/// The ringing channel a dialled device shows BLF watchers: the caller of this call, and
/// dialog ids made from the simulated channel (a phone may offer call pickup with them).
fn ringing_call(exec: &Exec<'_>, device: &str) -> crate::state::RingingCall {
    let callee = device
        .split_once('/')
        .map_or(device, |(_, resource)| resource)
        .to_string();
    let channel = format!("{device}-{}", exec.chan.uniqueid);
    crate::state::RingingCall {
        call_id: format!("{}-{callee}", exec.chan.uniqueid),
        local_tag: format!("{:x}", fxhash(&channel)),
        remote_tag: format!("{:x}", fxhash(&exec.chan.name)),
        channel,
        caller_num: exec.chan.caller_num.clone(),
        caller_name: exec.chan.caller_name.clone(),
        callee,
        seq: 0,
    }
}

/// A stable hash for synthetic tags.
fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
