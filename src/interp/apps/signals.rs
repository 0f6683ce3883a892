//! Signals, tones, text and fax (`apps/app_amd.c`, `apps/app_waitforsilence.c`, `apps/app_waitforring.c`, `apps/app_mf.c`, `apps/app_sf.c`, `apps/app_signal.c`, `apps/app_sendtext.c`, `res/res_fax.c`, `apps/app_sms.c`, `apps/app_alarmreceiver.c`, `apps/app_adsiprog.c`, ...), simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{AppDef, Sim};

const SENDTEXT: Sim = Sim {
    status: "SENDTEXTSTATUS",
    outcomes: &["UNSUPPORTED", "SUCCESS", "FAILURE"],
    ends: &[],
    answers: false,
    what: "send text",
    needs_data: None,
};

const RECEIVETEXT: Sim = Sim {
    status: "RECEIVETEXTSTATUS",
    outcomes: &["TIMEOUT", "SUCCESS", "FAILURE"],
    ends: &[],
    answers: false,
    what: "wait for a text message",
    needs_data: None,
};

const SENDFAX: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "send the fax",
    needs_data: Some("SendFAX requires an argument (filename[&filename[&filename]][,options])"),
};

const RECEIVEFAX: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "receive a fax into",
    needs_data: Some("ReceiveFAX requires an argument (filename[,options])"),
};

const MESSAGESEND: Sim = Sim {
    status: "MESSAGE_SEND_STATUS",
    outcomes: &["SUCCESS", "INVALID_PROTOCOL", "INVALID_URI", "FAILURE"],
    ends: &[],
    answers: false,
    what: "send a message to",
    needs_data: None,
};

const AMD: Sim = Sim {
    status: "AMDSTATUS",
    outcomes: &["HUMAN", "MACHINE", "NOTSURE", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "detect an answering machine",
    needs_data: None,
};

const WAITFORSILENCE: Sim = Sim {
    status: "WAITSTATUS",
    outcomes: &["SILENCE", "TIMEOUT"],
    ends: &[],
    answers: false,
    what: "wait for silence",
    needs_data: None,
};

const WAITFORNOISE: Sim = Sim {
    status: "WAITSTATUS",
    outcomes: &["NOISE", "TIMEOUT"],
    ends: &[],
    answers: false,
    what: "wait for noise",
    needs_data: None,
};

const WAITFORRING: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "wait for a ring",
    needs_data: None,
};

const WAITFORTONE: Sim = Sim {
    status: "WAITFORTONESTATUS",
    outcomes: &["SUCCESS", "TIMEOUT", "ERROR", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "wait for a tone",
    needs_data: None,
};

const WAITFORCONDITION: Sim = Sim {
    status: "WAITFORCONDITIONSTATUS",
    outcomes: &["SUCCESS", "FAILURE", "TIMEOUT", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "wait for a condition",
    needs_data: None,
};

const WAITFORSIGNAL: Sim = Sim {
    status: "WAITFORSIGNALSTATUS",
    outcomes: &["SIGNALED", "TIMEOUT", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "wait for signal",
    needs_data: None,
};

const SIGNAL: Sim = Sim {
    status: "SIGNALSTATUS",
    outcomes: &["SUCCESS", "FAILURE"],
    ends: &[],
    answers: false,
    what: "signal",
    needs_data: None,
};

const SMS: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "exchange SMS as",
    needs_data: None,
};

const ALARMRECEIVER: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "receive alarm reports",
    needs_data: None,
};

const ADSIPROG: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "program the ADSI phone with",
    needs_data: None,
};

const GETCPEID: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "read the ADSI CPE ID",
    needs_data: None,
};

const DICTATE: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "run the dictation machine",
    needs_data: None,
};

const IVRDEMO: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "run the IVR demo",
    needs_data: None,
};

const SKELGUESSNUMBER: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play the number guessing game",
    needs_data: None,
};

const TONESCAN: Sim = Sim {
    status: "TONESCANSTATUS",
    outcomes: &[
        "SILENCE", "RINGING", "BUSY", "SIT", "VOICE", "DTMF", "FAX", "MODEM", "HANGUP",
    ],
    ends: &["HANGUP"],
    answers: false,
    what: "scan for call progress tones",
    needs_data: None,
};

const SENDMF: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send MF digits",
    needs_data: None,
};

const RECEIVEMF: Sim = Sim {
    status: "RECEIVEMFSTATUS",
    outcomes: &["TIMEOUT", "START", "ERROR", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "receive MF digits into",
    needs_data: None,
};

const SENDSF: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send SF digits",
    needs_data: None,
};

const RECEIVESF: Sim = Sim {
    status: "RECEIVESFSTATUS",
    outcomes: &["TIMEOUT", "START", "ERROR", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "receive SF digits into",
    needs_data: None,
};

const FLASH: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "flash the trunk",
    needs_data: None,
};

const ZAPATELLER: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play the special information tone",
    needs_data: None,
};

const STREAMECHO: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: true,
    what: "echo media",
    needs_data: None,
};

const STOREDTMF: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "store DTMF digits",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim("SendText", "Send a Text Message on a channel.", &SENDTEXT),
    AppDef::sim(
        "ReceiveText",
        "Receive a Text Message on a channel.",
        &RECEIVETEXT,
    ),
    AppDef::sim("SendFAX", "Send a FAX", &SENDFAX),
    AppDef::sim("ReceiveFAX", "Receive a FAX", &RECEIVEFAX),
    AppDef::sim("MessageSend", "Send a text message.", &MESSAGESEND),
    AppDef::sim("AMD", "Attempt to detect answering machines.", &AMD),
    AppDef::sim(
        "WaitForSilence",
        "Waits for a specified amount of silence.",
        &WAITFORSILENCE,
    ),
    AppDef::sim(
        "WaitForNoise",
        "Waits for a specified amount of noise.",
        &WAITFORNOISE,
    ),
    AppDef::sim("WaitForRing", "Wait for Ring Application.", &WAITFORRING),
    AppDef::sim("WaitForTone", "Wait for tone", &WAITFORTONE),
    AppDef::sim(
        "WaitForCondition",
        "Wait (sleep) until the given condition is true.",
        &WAITFORCONDITION,
    ),
    AppDef::sim(
        "WaitForSignal",
        "Waits for receipt of a signal.",
        &WAITFORSIGNAL,
    ),
    AppDef::sim("Signal", "Sends a signal to any waiting channels.", &SIGNAL),
    AppDef::sim(
        "SMS",
        "Communicates with SMS service centres and SMS capable analogue phones.",
        &SMS,
    ),
    AppDef::sim(
        "AlarmReceiver",
        "Provide support for receiving alarm reports from a burglar or fire alarm panel.",
        &ALARMRECEIVER,
    ),
    AppDef::sim(
        "ADSIProg",
        "Load Asterisk ADSI Scripts into phone",
        &ADSIPROG,
    ),
    AppDef::sim("GetCPEID", "Get ADSI CPE ID.", &GETCPEID),
    AppDef::sim("Dictate", "Virtual Dictation Machine.", &DICTATE),
    AppDef::sim("IVRDemo", "IVR Demo Application.", &IVRDEMO),
    AppDef::sim(
        "SkelGuessNumber",
        "An example number guessing game",
        &SKELGUESSNUMBER,
    ),
    AppDef::sim(
        "ToneScan",
        "Wait for period of time while scanning for call progress tones",
        &TONESCAN,
    ),
    AppDef::sim(
        "SendMF",
        "Sends arbitrary MF digits on the current or specified channel.",
        &SENDMF,
    ),
    AppDef::sim(
        "ReceiveMF",
        "Detects MF digits on a channel and saves them to a variable.",
        &RECEIVEMF,
    ),
    AppDef::sim(
        "SendSF",
        "Sends arbitrary SF digits on the current or specified channel.",
        &SENDSF,
    ),
    AppDef::sim(
        "ReceiveSF",
        "Detects SF digits on a channel and saves them to a variable.",
        &RECEIVESF,
    ),
    AppDef::sim("Flash", "Flashes a DAHDI Trunk.", &FLASH),
    AppDef::sim("Zapateller", "Block telemarketers with SIT.", &ZAPATELLER),
    AppDef::sim(
        "StreamEcho",
        "Echo media, up to 'N' streams of a type, and DTMF back to the calling party",
        &STREAMECHO,
    ),
    AppDef::sim("StoreDTMF", "Stores DTMF digits in a variable.", &STOREDTMF),
];
