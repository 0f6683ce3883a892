//! The outside world (`res/res_agi.c`, `apps/app_system.c`, `apps/app_externalivr.c`, `apps/app_audiosocket.c`, `res/res_odbc_transaction.c`, `res/res_stasis.c`, `apps/app_statsd.c`, `apps/app_reload.c`, `apps/app_festival.c`, `apps/app_mp3.c`, `res/res_speech.c`): never run, never connected, simulated as
//! `apps/mod.rs` describes: a trace line, the status variable from the chosen outcome.

use crate::interp::apps::{simulate, AppDef, Sim};
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

const AGI: Sim = Sim {
    status: "AGISTATUS",
    outcomes: &["SUCCESS", "FAILURE", "NOTFOUND", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "run the AGI script",
    needs_data: Some("AGI requires an argument (script)"),
};

const EAGI: Sim = Sim {
    status: "AGISTATUS",
    outcomes: &["SUCCESS", "FAILURE", "NOTFOUND", "HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "run the EAGI script",
    needs_data: Some("AGI requires an argument (script)"),
};

const SYSTEM: Sim = Sim {
    status: "SYSTEMSTATUS",
    outcomes: &["SUCCESS", "FAILURE", "APPERROR"],
    ends: &["FAILURE"],
    answers: false,
    what: "run the command",
    needs_data: Some("System requires an argument(command)"),
};

const TRYSYSTEM: Sim = Sim {
    status: "SYSTEMSTATUS",
    outcomes: &["SUCCESS", "FAILURE", "APPERROR"],
    ends: &[],
    answers: false,
    what: "run the command",
    needs_data: None,
};

const EXTERNALIVR: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "run the external IVR",
    needs_data: Some("ExternalIVR requires a command to execute"),
};

const AUDIOSOCKET: Sim = Sim {
    status: "",
    outcomes: &["HANGUP"],
    ends: &["HANGUP"],
    answers: false,
    what: "stream audio to a socket",
    needs_data: None,
};

const ODBC_COMMIT: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "commit the database transaction",
    needs_data: None,
};

const ODBC_ROLLBACK: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "roll back the database transaction",
    needs_data: None,
};

const ODBCFINISH: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "clear the result set",
    needs_data: None,
};

const STASIS: Sim = Sim {
    status: "STASISSTATUS",
    outcomes: &["FAILED", "SUCCESS"],
    ends: &[],
    answers: false,
    what: "hand the call to Stasis application",
    needs_data: None,
};

const STASISBROADCAST: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "broadcast to Stasis applications",
    needs_data: None,
};

const STATSD: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send a StatsD metric",
    needs_data: None,
};

const RELOAD: Sim = Sim {
    status: "RELOADSTATUS",
    outcomes: &["SUCCESS", "NOTFOUND", "FAILURE"],
    ends: &[],
    answers: false,
    what: "reload module",
    needs_data: None,
};

const FESTIVAL: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "speak text with Festival:",
    needs_data: None,
};

const MP3PLAYER: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play mp3",
    needs_data: None,
};

const SPEECHCREATE: Sim = Sim {
    status: "ERROR",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "create a speech structure",
    needs_data: None,
};

const SPEECHACTIVATEGRAMMAR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "activate grammar",
    needs_data: None,
};

const SPEECHSTART: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "start speech recognition",
    needs_data: None,
};

const SPEECHBACKGROUND: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: true,
    what: "play and recognize speech",
    needs_data: None,
};

const SPEECHDEACTIVATEGRAMMAR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "deactivate grammar",
    needs_data: None,
};

const SPEECHPROCESSINGSOUND: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "set the processing sound",
    needs_data: None,
};

const SPEECHDESTROY: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "end speech recognition",
    needs_data: None,
};

const SPEECHLOADGRAMMAR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "load grammar",
    needs_data: None,
};

const SPEECHUNLOADGRAMMAR: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "unload grammar",
    needs_data: None,
};

const JABBERSEND: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send an XMPP message",
    needs_data: None,
};

const PJSIPHANGUP: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "hang up with SIP response",
    needs_data: None,
};

const PJSIPNOTIFY: Sim = Sim {
    status: "",
    outcomes: &[],
    ends: &[],
    answers: false,
    what: "send a SIP NOTIFY to",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::sim("AGI", "Executes an AGI compliant application.", &AGI),
    AppDef::sim("EAGI", "Executes an EAGI compliant application.", &EAGI),
    AppDef::sim("System", "Execute a system command.", &SYSTEM),
    AppDef::run_with("TrySystem", "Try executing a system command.", try_system, &TRYSYSTEM),
    AppDef::sim("Stasis", "Invoke an external Stasis application.", &STASIS),
    AppDef::sim("StasisBroadcast", "Broadcast a channel to multiple ARI applications for claiming, then hand control to the winning application.", &STASISBROADCAST),
    AppDef::sim("Festival", "Say text to the user.", &FESTIVAL),
    AppDef::sim("MP3Player", "Play an MP3 file or M3U playlist file or stream.", &MP3PLAYER),
    AppDef::sim("ExternalIVR", "Interfaces with an external IVR application.", &EXTERNALIVR),
    AppDef::sim("AudioSocket", "Transmit and receive audio between channel and TCP socket", &AUDIOSOCKET),
    AppDef::sim("PJSIPHangup", "Hangup an incoming PJSIP channel with a SIP response code", &PJSIPHANGUP),
    AppDef::sim("PJSIPNotify", "Send a NOTIFY to either an endpoint, an arbitrary URI, or inside a SIP dialog.", &PJSIPNOTIFY),
    AppDef::sim("StatsD", "Allow statistics to be passed to the StatsD server from the dialplan.", &STATSD),
    AppDef::sim("Reload", "Reloads an Asterisk module, blocking the channel until the reload has completed.", &RELOAD),
    AppDef::sim("SpeechCreate", "Create a Speech Structure.", &SPEECHCREATE),
    AppDef::sim("SpeechActivateGrammar", "Activate a grammar.", &SPEECHACTIVATEGRAMMAR),
    AppDef::sim("SpeechStart", "Start recognizing voice in the audio stream.", &SPEECHSTART),
    AppDef::sim("SpeechBackground", "Play a sound file and wait for speech to be recognized.", &SPEECHBACKGROUND),
    AppDef::sim("SpeechDeactivateGrammar", "Deactivate a grammar.", &SPEECHDEACTIVATEGRAMMAR),
    AppDef::sim("SpeechProcessingSound", "Change background processing sound.", &SPEECHPROCESSINGSOUND),
    AppDef::sim("SpeechDestroy", "End speech recognition.", &SPEECHDESTROY),
    AppDef::sim("SpeechLoadGrammar", "Load a grammar.", &SPEECHLOADGRAMMAR),
    AppDef::sim("SpeechUnloadGrammar", "Unload a grammar.", &SPEECHUNLOADGRAMMAR),
    AppDef::sim("ODBC_Commit", "Commits a currently open database transaction.", &ODBC_COMMIT),
    AppDef::sim("ODBC_Rollback", "Rollback a currently open database transaction.", &ODBC_ROLLBACK),
    AppDef::sim("ODBCFinish", "Clear the resultset of a sucessful multirow query.", &ODBCFINISH),
    AppDef::sim("JabberSend", "Sends an XMPP message to a buddy.", &JABBERSEND),
];

/// `TrySystem` is `System` that never stops the call: empty data warns, sets `FAILURE` and goes on.
fn try_system(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "System requires an argument(command)".to_string(),
        );
        exec.chan.set("SYSTEMSTATUS", "FAILURE");
        return Flow::Next;
    }
    simulate(exec, "TrySystem", &TRYSYSTEM, data)
}
