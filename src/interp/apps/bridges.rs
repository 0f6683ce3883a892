//! Conferences, bridges and spying (`apps/app_confbridge.c`, `apps/app_meetme.c`, `apps/app_page.c`, `apps/app_chanspy.c`, `apps/app_bridgewait.c`, `main/features.c`, `apps/app_broadcast.c`), simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const CONFKICK: Sim = Sim {
    status: "CONFKICKSTATUS",
    outcomes: &["SUCCESS", "FAILURE"],
    ends: &[],
    answers: false,
    what: "kick from conference",
    needs_data: None,
};

const MEETME: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "join MeetMe conference",
    needs_data: None,
};

const MEETMEADMIN: Sim = Sim {
    status: "MEETMEADMINSTATUS",
    outcomes: &["OK", "NOTFOUND", "FAILED"],
    ends: &[],
    answers: false,
    what: "administer MeetMe conference",
    needs_data: Some("MeetMeAdmin requires an argument!"),
};

const MEETMECHANNELADMIN: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "administer MeetMe channel",
    needs_data: Some("MeetMeChannelAdmin requires two arguments!"),
};

const MEETMECOUNT: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "count MeetMe participants of",
    needs_data: Some("MeetMeCount requires an argument (conference number)"),
};

const PAGE: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "page",
    needs_data: None,
};

const CHANSPY: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "spy on channels",
    needs_data: None,
};

const EXTENSPY: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "spy on channels of extension",
    needs_data: None,
};

const BRIDGE: Sim = Sim {
    status: "BRIDGERESULT",
    outcomes: &["NONEXISTENT", "SUCCESS", "FAILURE", "LOOP"],
    ends: &["SUCCESS"],
    answers: false,
    what: "bridge with",
    needs_data: None,
};

const BRIDGEADD: Sim = Sim {
    status: "BRIDGERESULT",
    outcomes: &["NONEXISTENT", "SUCCESS", "FAILURE", "LOOP"],
    ends: &["SUCCESS"],
    answers: false,
    what: "join the bridge of",
    needs_data: None,
};

const BRIDGEWAIT: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "wait in holding bridge",
    needs_data: None,
};

const BROADCAST: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "broadcast audio to",
    needs_data: None,
};

const MIXMONITOR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "record the call to",
    needs_data: None,
};

const STOPMIXMONITOR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "stop recording",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim(
        "ConfKick",
        "Kicks channel(s) from the requested ConfBridge.",
        &CONFKICK,
    ),
    AppDef::sim(
        "MixMonitor",
        "Record a call and mix the audio during the recording.",
        &MIXMONITOR,
    ),
    AppDef::sim(
        "StopMixMonitor",
        "Stop recording a call through MixMonitor, and free the recording's file handle.",
        &STOPMIXMONITOR,
    ),
    AppDef::sim("Page", "Page series of phones", &PAGE),
    AppDef::sim(
        "ChanSpy",
        "Listen to a channel, and optionally whisper into it.",
        &CHANSPY,
    ),
    AppDef::sim(
        "ExtenSpy",
        "Listen to a channel, and optionally whisper into it.",
        &EXTENSPY,
    ),
    AppDef::sim("MeetMe", "MeetMe conference bridge.", &MEETME),
    AppDef::sim(
        "MeetMeAdmin",
        "MeetMe conference administration.",
        &MEETMEADMIN,
    ),
    AppDef::sim(
        "MeetMeChannelAdmin",
        "MeetMe conference Administration (channel specific).",
        &MEETMECHANNELADMIN,
    ),
    AppDef::sim("MeetMeCount", "MeetMe participant count.", &MEETMECOUNT),
    AppDef::sim("Bridge", "Bridge two channels.", &BRIDGE),
    AppDef::sim(
        "BridgeAdd",
        "Join a bridge that contains the specified channel.",
        &BRIDGEADD,
    ),
    AppDef::sim(
        "BridgeWait",
        "Put a call into the holding bridge.",
        &BRIDGEWAIT,
    ),
    AppDef::sim(
        "Broadcast",
        "Transmit or receive audio to or from multiple channels simultaneously",
        &BROADCAST,
    ),
];
