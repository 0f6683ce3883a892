//! Events the dialplan raises (`apps/app_userevent.c`, `apps/app_celgenuserevent.c`):
//! `UserEvent` goes into the trace as an event (and will become an AMI `UserEvent`),
//! `CELGenUserEvent` is a trace line.

use crate::interp::apps::AppDef;
use crate::interp::args::{split, Mode};
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::{Event, Level};

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("UserEvent", "Send an arbitrary user-defined event to parties interested in a channel (AMI users and relevant res_stasis applications).", user_event),
    AppDef::run("CELGenUserEvent", "Generates a CEL User Defined Event.", cel_user_event),
];

fn user_event(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "UserEvent requires an argument (eventname,optional event body)".to_string(),
        );
        return Flow::Stop;
    }
    let parts = split(data, ',', 101, Mode::Standard);
    let name = parts.first().cloned().unwrap_or_default();
    let body = parts
        .iter()
        .skip(1)
        .filter_map(|it| it.split_once(':'))
        .map(|(key, value)| {
            (
                key.to_string(),
                value
                    .trim_matches(|c: char| u32::from(c) < 0x21)
                    .to_string(),
            )
        })
        .collect();
    exec.emit(Event::UserEvent { name, body });
    Flow::Next
}

fn cel_user_event(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "CELGenUserEvent requires an argument (event[,extra])".to_string(),
        );
        return Flow::Next;
    }
    exec.verbose(4, format!("Simulated CELGenUserEvent: CEL user event {data}"));
    Flow::Next
}
