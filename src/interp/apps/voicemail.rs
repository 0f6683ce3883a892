//! Voicemail (`apps/app_voicemail.c`, `apps/app_minivm.c`, `apps/app_directory.c`), simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const VOICEMAILMAIN: Sim = Sim {
    status: "",
    outcomes: &["HANGUP", "USEREXIT"],
    ends: &["HANGUP"],
    answers: true,
    what: "run the voicemail menu for",
    needs_data: None,
};

const VMAUTHENTICATE: Sim = Sim {
    status: "",
    outcomes: &["SUCCESS", "FAILURE"],
    ends: &["FAILURE"],
    answers: true,
    what: "authenticate mailbox",
    needs_data: None,
};

const VMSAYNAME: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play the recorded name of mailbox",
    needs_data: None,
};

const VOICEMAILPLAYMSG: Sim = Sim {
    status: "VOICEMAIL_PLAYBACKSTATUS",
    outcomes: &["SUCCESS", "FAILED"],
    ends: &[],
    answers: true,
    what: "play voicemail message of",
    needs_data: None,
};

const DIRECTORY: Sim = Sim {
    status: "DIRECTORY_RESULT",
    outcomes: &[
        "USEREXIT",
        "OPERATOR",
        "ASSISTANT",
        "TIMEOUT",
        "HANGUP",
        "SELECTED",
        "FAILED",
    ],
    ends: &["HANGUP"],
    answers: true,
    what: "run the directory of",
    needs_data: None,
};

const MINIVMRECORD: Sim = Sim {
    status: "MVM_RECORD_STATUS",
    outcomes: &["SUCCESS", "USEREXIT", "FAILED"],
    ends: &["SUCCESS"],
    answers: true,
    what: "record a mini-voicemail for",
    needs_data: Some("Minivm needs at least an account argument "),
};

const MINIVMGREET: Sim = Sim {
    status: "MVM_GREET_STATUS",
    outcomes: &["SUCCESS", "USEREXIT", "FAILED"],
    ends: &[],
    answers: true,
    what: "greet for mini-voicemail",
    needs_data: Some("Minivm needs at least an account argument "),
};

const MINIVMNOTIFY: Sim = Sim {
    status: "MVM_NOTIFY_STATUS",
    outcomes: &["SUCCESS", "FAILED"],
    ends: &[],
    answers: false,
    what: "notify the owner of",
    needs_data: Some("Minivm needs at least an account argument "),
};

const MINIVMDELETE: Sim = Sim {
    status: "MVM_DELETE_STATUS",
    outcomes: &["SUCCESS", "FAILED"],
    ends: &[],
    answers: false,
    what: "delete mini-voicemail messages",
    needs_data: None,
};

const MINIVMACCMESS: Sim = Sim {
    status: "MVM_ACCMESS_STATUS",
    outcomes: &["SUCCESS", "FAILED"],
    ends: &[],
    answers: true,
    what: "record account messages for",
    needs_data: Some("MinivmAccmess needs at least two arguments: account and option"),
};

const MINIVMMWI: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send MWI for",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim("VoiceMailMain", "Check Voicemail messages.", &VOICEMAILMAIN),
    AppDef::sim(
        "VMAuthenticate",
        "Authenticate with Voicemail passwords.",
        &VMAUTHENTICATE,
    ),
    AppDef::sim("VMSayName", "Play the name of a voicemail user", &VMSAYNAME),
    AppDef::sim(
        "VoiceMailPlayMsg",
        "Play a single voice mail msg from a mailbox by msg id.",
        &VOICEMAILPLAYMSG,
    ),
    AppDef::sim(
        "Directory",
        "Provide directory of voicemail extensions.",
        &DIRECTORY,
    ),
    AppDef::sim(
        "MinivmRecord",
        "Receive Mini-Voicemail and forward via e-mail.",
        &MINIVMRECORD,
    ),
    AppDef::sim("MinivmGreet", "Play Mini-Voicemail prompts.", &MINIVMGREET),
    AppDef::sim(
        "MinivmNotify",
        "Notify voicemail owner about new messages.",
        &MINIVMNOTIFY,
    ),
    AppDef::sim(
        "MinivmDelete",
        "Delete Mini-Voicemail voicemail messages.",
        &MINIVMDELETE,
    ),
    AppDef::sim(
        "MinivmAccMess",
        "Record account specific messages.",
        &MINIVMACCMESS,
    ),
    AppDef::sim(
        "MinivmMWI",
        "Send Message Waiting Notification to subscriber(s) of mailbox.",
        &MINIVMMWI,
    ),
];
