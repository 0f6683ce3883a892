//! Moving the call (`res/res_parking.c`, `apps/app_transfer.c`, `apps/app_blind_transfer.c`, `apps/app_attended_transfer.c`, `apps/app_originate.c`, `apps/app_dial.c` RetryDial, `apps/app_followme.c`, `apps/app_disa.c`, `apps/app_authenticate.c`, `apps/app_privacy.c`, `main/ccss.c`), simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const PARK: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "park the call",
    needs_data: None,
};

const PARKEDCALL: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "retrieve parked call",
    needs_data: None,
};

const PARKANDANNOUNCE: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "park and announce",
    needs_data: None,
};

const TRANSFER: Sim = Sim {
    status: "TRANSFERSTATUS",
    outcomes: &["UNSUPPORTED", "SUCCESS", "FAILURE"],
    ends: &["SUCCESS"],
    answers: false,
    what: "transfer to",
    needs_data: None,
};

const BLINDTRANSFER: Sim = Sim {
    status: "BLINDTRANSFERSTATUS",
    outcomes: &["FAILURE", "SUCCESS", "INVALID", "NOTPERMITTED"],
    ends: &["SUCCESS"],
    answers: false,
    what: "blind transfer to",
    needs_data: None,
};

const ATTENDEDTRANSFER: Sim = Sim {
    status: "ATTENDEDTRANSFERSTATUS",
    outcomes: &["FAILURE", "SUCCESS", "INVALID", "NOTPERMITTED"],
    ends: &["SUCCESS"],
    answers: false,
    what: "attended transfer to",
    needs_data: None,
};

const ORIGINATE: Sim = Sim {
    status: "ORIGINATE_STATUS",
    outcomes: &["SUCCESS", "FAILED", "BUSY", "CONGESTION", "HANGUP", "RINGING", "UNKNOWN"],
    ends: &[],
    answers: false,
    what: "originate a call to",
    needs_data: Some("Originate() requires arguments"),
};

const RETRYDIAL: Sim = Sim {
    status: "DIALSTATUS",
    outcomes: &["CHANUNAVAIL", "ANSWER", "BUSY", "NOANSWER", "CONGESTION"],
    ends: &["ANSWER"],
    answers: false,
    what: "dial with retries",
    needs_data: None,
};

const FOLLOWME: Sim = Sim {
    status: "",
    outcomes: &["NOANSWER", "ANSWER"],
    ends: &["ANSWER"],
    answers: false,
    what: "follow me for",
    needs_data: Some("FollowMe requires an argument (followmeid)"),
};

const DISA: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "give a dial tone for outside calls",
    needs_data: None,
};

const AUTHENTICATE: Sim = Sim {
    status: "",
    outcomes: &["SUCCESS", "FAILURE"],
    ends: &["FAILURE"],
    answers: true,
    what: "ask for a password",
    needs_data: Some("Authenticate requires an argument(password)"),
};

const PRIVACYMANAGER: Sim = Sim {
    status: "PRIVACYMGRSTATUS",
    outcomes: &["SUCCESS", "FAILED"],
    ends: &[],
    answers: true,
    what: "ask for a phone number",
    needs_data: None,
};

const CALLCOMPLETIONREQUEST: Sim = Sim {
    status: "CC_REQUEST_RESULT",
    outcomes: &["FAIL", "SUCCESS"],
    ends: &[],
    answers: false,
    what: "request call completion",
    needs_data: None,
};

const CALLCOMPLETIONCANCEL: Sim = Sim {
    status: "CC_CANCEL_RESULT",
    outcomes: &["FAIL", "SUCCESS"],
    ends: &[],
    answers: false,
    what: "cancel call completion",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim("FollowMe", "Find-Me/Follow-Me application.", &FOLLOWME),
    AppDef::sim("Authenticate", "Authenticate a user", &AUTHENTICATE),
    AppDef::sim("DISA", "Direct Inward System Access.", &DISA),
    AppDef::sim("Park", "Park yourself.", &PARK),
    AppDef::sim("ParkedCall", "Retrieve a parked call.", &PARKEDCALL),
    AppDef::sim("ParkAndAnnounce", "Park and Announce.", &PARKANDANNOUNCE),
    AppDef::sim("Transfer", "Transfer caller to remote extension.", &TRANSFER),
    AppDef::sim("BlindTransfer", "Blind transfer channel(s) to the extension and context provided", &BLINDTRANSFER),
    AppDef::sim("AttendedTransfer", "Attended transfer to the extension provided and TRANSFER_CONTEXT", &ATTENDEDTRANSFER),
    AppDef::sim("Originate", "Originate a call.", &ORIGINATE),
    AppDef::sim("PrivacyManager", "Require phone number to be entered, if no CallerID sent", &PRIVACYMANAGER),
    AppDef::sim("CallCompletionRequest", "Request call completion service for previous call", &CALLCOMPLETIONREQUEST),
    AppDef::sim("CallCompletionCancel", "Cancel call completion service", &CALLCOMPLETIONCANCEL),
    AppDef::sim("RetryDial", "Place a call, retrying on failure allowing an optional exit extension.", &RETRYDIAL),
];
