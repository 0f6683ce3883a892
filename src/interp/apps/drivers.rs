//! Applications of channel drivers and test modules (`channels/chan_dahdi.c`, `channels/chan_iax2.c`,
//! `apps/app_jack.c`, `res/res_xmpp.c`, `apps/app_sla.c`, `apps/app_test.c`,
//! `apps/app_talkdetect.c`, `apps/app_channelredirect.c`), simulated as `apps/mod.rs` describes:
//! a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const BACKGROUNDDETECT: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play and listen for talking",
    needs_data: None,
};

const CHANNELREDIRECT: Sim = Sim {
    status: "CHANNELREDIRECT_STATUS",
    outcomes: &["NOCHANNEL", "SUCCESS"],
    ends: &[],
    answers: false,
    what: "redirect channel",
    needs_data: None,
};

const DAHDIACCEPTR2CALL: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "accept the R2 call",
    needs_data: None,
};

const DAHDISCAN: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "scan DAHDI channels",
    needs_data: None,
};

const DAHDISENDCALLREROUTINGFACILITY: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send a call rerouting facility to",
    needs_data: None,
};

const DAHDISENDKEYPADFACILITY: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send keypad digits",
    needs_data: None,
};

const IAX2PROVISION: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "provision the IAXy with",
    needs_data: None,
};

const JACK: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "connect to JACK",
    needs_data: None,
};

const JABBERJOIN: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "join chat room",
    needs_data: None,
};

const JABBERLEAVE: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "leave chat room",
    needs_data: None,
};

const JABBERSENDGROUP: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send to chat room",
    needs_data: None,
};

const SLASTATION: Sim = Sim {
    status: "SLASTATION_STATUS",
    outcomes: &["SUCCESS", "FAILURE", "CONGESTION"],
    ends: &["SUCCESS"],
    answers: true,
    what: "connect SLA station",
    needs_data: None,
};

const SLATRUNK: Sim = Sim {
    status: "SLATRUNK_STATUS",
    outcomes: &["SUCCESS", "FAILURE", "UNANSWERED", "RINGTIMEOUT"],
    ends: &["SUCCESS"],
    answers: true,
    what: "connect SLA trunk",
    needs_data: None,
};

const TESTCLIENT: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "run the test client against",
    needs_data: None,
};

const TESTSERVER: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "run the test server",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim(
        "BackgroundDetect",
        "Background a file with talk detect.",
        &BACKGROUNDDETECT,
    ),
    AppDef::sim(
        "ChannelRedirect",
        "Redirects given channel to a dialplan target",
        &CHANNELREDIRECT,
    ),
    AppDef::sim(
        "DAHDIAcceptR2Call",
        "Accept an R2 call if its not already accepted (you still need to answer it)",
        &DAHDIACCEPTR2CALL,
    ),
    AppDef::sim(
        "DAHDIScan",
        "Scan DAHDI channels to monitor calls.",
        &DAHDISCAN,
    ),
    AppDef::sim(
        "DAHDISendCallreroutingFacility",
        "Send an ISDN call rerouting/deflection facility message.",
        &DAHDISENDCALLREROUTINGFACILITY,
    ),
    AppDef::sim(
        "DAHDISendKeypadFacility",
        "Send digits out of band over a PRI.",
        &DAHDISENDKEYPADFACILITY,
    ),
    AppDef::sim(
        "IAX2Provision",
        "Provision a calling IAXy with a given template.",
        &IAX2PROVISION,
    ),
    AppDef::sim("JACK", "Jack Audio Connection Kit", &JACK),
    AppDef::sim("JabberJoin", "Join a chat room", &JABBERJOIN),
    AppDef::sim("JabberLeave", "Leave a chat room", &JABBERLEAVE),
    AppDef::sim(
        "JabberSendGroup",
        "Send a Jabber Message to a specified chat room",
        &JABBERSENDGROUP,
    ),
    AppDef::sim("SLAStation", "Shared Line Appearance Station.", &SLASTATION),
    AppDef::sim("SLATrunk", "Shared Line Appearance Trunk.", &SLATRUNK),
    AppDef::sim("TestClient", "Execute Interface Test Client.", &TESTCLIENT),
    AppDef::sim("TestServer", "Execute Interface Test Server.", &TESTSERVER),
];
