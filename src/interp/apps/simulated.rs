//! Telephony applications that need media, other parties or the outside world, simulated
//! (spec dialplan.md §6.7): each is a `Sim` that says what would happen and sets the status
//! variable Asterisk sets from an outcome the call chooses (`--app NAME=OUTCOME`, console
//! `app NAME=OUTCOME`; the first listed outcome is the default). `System`, `AGI`, `ExternalIVR`
//! and the database applications never run anything or reach the network. `VoiceMail` and
//! `ConfBridge` have their own code (mailbox wording, the conference `CONFBRIDGE_INFO` sees).

use crate::interp::apps::{simulate, AppDef, Sim};
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

const CONFBRIDGE: Sim = Sim {
    status: "CONFBRIDGE_RESULT",
    outcomes: &["HANGUP", "KICKED", "ENDMARKED", "DTMF", "TIMEOUT"],
    ends: &["HANGUP"],
    answers: true,
    what: "join conference",
    needs_data: Some("ConfBridge requires an argument (conference name[,options])"),
};

const VOICEMAIL: Sim = Sim {
    status: "VMSTATUS",
    outcomes: &["SUCCESS", "USEREXIT", "FAILED"],
    ends: &["SUCCESS"],
    answers: true,
    what: "",
    needs_data: None,
};

pub(super) const APPS: &[AppDef] = &[
    AppDef::run_with("VoiceMail", "Leave a Voicemail message.", voicemail, &VOICEMAIL),
    AppDef::run_with("ConfBridge", "Conference bridge application.", confbridge, &CONFBRIDGE),
];

fn confbridge(exec: &mut Exec<'_>, data: &str) -> Flow {
    let conference = data.split(',').next().unwrap_or("").to_string();
    if !conference.is_empty() {
        exec.chan.set_prop(&format!("confbridge:{conference}"), "1");
    }
    simulate(exec, "ConfBridge", &CONFBRIDGE, data)
}

fn voicemail(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Error,
            "VoiceMail requires an argument (mailbox[@context][&mailbox[@context]][...][,options])"
                .to_string(),
        );
        return Flow::Stop;
    }
    exec.answer();
    let status = match exec.outcome("VoiceMail") {
        Some(wanted) => match VOICEMAIL.outcomes.iter().find(|it| it.eq_ignore_ascii_case(wanted)) {
            Some(it) => *it,
            None => {
                exec.log(
                    Level::Warning,
                    format!("unknown outcome `{wanted}` for VoiceMail; expected SUCCESS, USEREXIT, FAILED"),
                );
                "SUCCESS"
            }
        },
        None => "SUCCESS",
    };
    exec.chan.set("VMSTATUS", status);
    let mailbox = data.split(',').next().unwrap_or(data);
    if status != "SUCCESS" {
        exec.verbose(3, format!("Simulated voicemail for {mailbox}: VMSTATUS={status}"));
        return Flow::Next;
    }
    exec.verbose(3, format!("Simulated voicemail for {mailbox} recorded"));
    // The caller hangs up after leaving a message.
    exec.chan.hangup_cause.get_or_insert(16);
    Flow::Stop
}
