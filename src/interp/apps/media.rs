//! Sound and digits (`apps/app_playback.c`, `main/pbx_builtins.c`, `apps/app_read.c`,
//! `apps/app_readexten.c`, `apps/app_playtones.c`, `res/res_musiconhold.c`, `apps/app_echo.c`,
//! `apps/app_record.c`, ...), simulated (spec dialplan.md §6.7): files are `Playing` lines,
//! digits come from the call's script, waits take no time unless they end the call.

use crate::interp::apps::{AppDef, Sim};
use crate::interp::args::{split, Mode};
use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(super) const APPS: &[AppDef] = &[
    AppDef::run("Playback", "Play a file.", playback),
    AppDef::run(
        "BackGround",
        "Play an audio file while waiting for digits of an extension to go to.",
        background,
    ),
    AppDef::run(
        "WaitExten",
        "Waits for an extension to be entered.",
        wait_exten,
    ),
    AppDef::run(
        "Incomplete",
        "Returns AST_PBX_INCOMPLETE value.",
        wait_exten,
    ),
    AppDef::run("Read", "Read a variable.", read),
    AppDef::run(
        "ReadExten",
        "Read an extension into a variable.",
        read_exten,
    ),
    AppDef::run("WaitDigit", "Waits for a digit to be entered.", wait_digit),
    AppDef::run("PlayTones", "Play a tone list.", play_tones),
    AppDef::run("StopPlayTones", "Stop playing a tone list.", noop),
    AppDef::run(
        "Echo",
        "Echo media, DTMF back to the calling party",
        until_hangup,
    ),
    AppDef::run(
        "Milliwatt",
        "Generates a 1004 Hz test tone at 0dbm (mu-law).",
        until_hangup,
    ),
    AppDef::run(
        "MusicOnHold",
        "Play Music On Hold indefinitely.",
        music_on_hold,
    ),
    AppDef::run("StartMusicOnHold", "Play Music On Hold.", start_moh),
    AppDef::run("StopMusicOnHold", "Stop playing Music On Hold.", noop),
    AppDef::run_with("Record", "Record to a file.", record, &RECORD),
    AppDef::run(
        "ControlPlayback",
        "Play a file with fast forward and rewind.",
        control_playback,
    ),
    AppDef::run("SendDTMF", "Sends arbitrary DTMF digits", send_dtmf),
    AppDef::run("Morsecode", "Plays morse code.", noop),
];

/// How a recording ends (`RECORD_STATUS`).
const RECORD: Sim = Sim {
    status: "RECORD_STATUS",
    outcomes: &["DTMF", "SILENCE", "SKIP", "TIMEOUT", "HANGUP", "ERROR"],
    ends: &["HANGUP"],
    answers: true,
    what: "record",
    needs_data: None,
};

fn noop(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::Next
}

fn playback(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Playback requires an argument (filename)".to_string(),
        );
        return Flow::Stop;
    }
    let (files, options) = data.split_once(',').unwrap_or((data, ""));
    if !exec.chan.answered && !options.contains("noanswer") && !options.contains("skip") {
        exec.answer();
    }
    for file in files.split('&').filter(|it| !it.is_empty()) {
        exec.play(file);
    }
    exec.chan.set("PLAYBACKSTATUS", "SUCCESS");
    Flow::Next
}

/// Collects scripted digits into an extension and jumps there (`collect_digits`).
fn collect(exec: &mut Exec<'_>) -> Option<Flow> {
    use crate::dialplan::pattern::{extension_match, MatchMode};
    let first = exec.digits.pop_front()?;
    let mut dialed = first.to_string();
    let context = exec.chan.context.clone();
    let can_more = |exec: &Exec<'_>, d: &str| {
        exec.env.dialplan().context(&context).is_some_and(|ctx| {
            ctx.extens
                .iter()
                .any(|e| extension_match(&e.name, d, MatchMode::MatchMore).is_match())
        })
    };
    while can_more(exec, &dialed) {
        match exec.digits.front() {
            Some(&c) if c != '#' => {
                dialed.push(c);
                exec.digits.pop_front();
            }
            Some(_) => {
                exec.digits.pop_front();
                break;
            }
            None => break,
        }
    }
    if exec.exists(&context, &dialed) {
        Some(Flow::Jump(context, dialed, 1))
    } else if exec.exists(&context, "i") {
        exec.verbose(
            3,
            format!(
                "Invalid extension '{dialed}' in context '{context}' on {}",
                exec.chan.name
            ),
        );
        exec.chan.set("INVALID_EXTEN", &dialed);
        Some(Flow::Jump(context, "i".to_string(), 1))
    } else {
        exec.log(
            Level::Warning,
            format!("Invalid extension '{dialed}', but no rule 'i' or 'e' in context '{context}'"),
        );
        Some(Flow::Stop)
    }
}

fn background(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Background requires an argument (filename)".to_string(),
        );
        return Flow::Stop;
    }
    if !exec.chan.answered {
        exec.answer();
    }
    let files = data.split(',').next().unwrap_or("");
    for file in files.split('&').filter(|it| !it.is_empty()) {
        exec.play(file);
    }
    exec.chan.set("BACKGROUNDSTATUS", "SUCCESS");
    match collect(exec) {
        Some(flow) => flow,
        None => Flow::Next,
    }
}

fn wait_exten(exec: &mut Exec<'_>, _: &str) -> Flow {
    if let Some(flow) = collect(exec) {
        return flow;
    }
    // No digits: the wait times out (simulated time).
    let context = exec.chan.context.clone();
    let next = exec
        .env
        .dialplan()
        .find(
            &context,
            &exec.chan.exten,
            crate::dialplan::Target::Priority(exec.chan.priority.saturating_add(1)),
            exec.chan.caller_num.as_deref(),
        )
        .is_ok();
    if next {
        return Flow::Next;
    }
    if exec.exists(&context, "t") {
        exec.verbose(3, format!("Timeout on {}, continuing...", exec.chan.name));
        return Flow::Jump(context, "t".to_string(), 1);
    }
    if exec.exists(&context, "e") {
        exec.raise("RESPONSETIMEOUT");
        return Flow::Jump(context, "e".to_string(), 1);
    }
    exec.log(
        Level::Warning,
        format!("Timeout but no rule 't' or 'e' in context '{context}'"),
    );
    Flow::Stop
}

fn read(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 6, Mode::Standard);
    let Some(var) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        exec.log(
            Level::Warning,
            "Read requires an argument (variable)".to_string(),
        );
        return Flow::Next;
    };
    let max = parts
        .get(2)
        .and_then(|it| it.trim().parse::<usize>().ok())
        .filter(|it| *it > 0)
        .unwrap_or(255);
    let mut got = String::new();
    while got.len() < max {
        match exec.digits.pop_front() {
            Some('#') | None => break,
            Some(c) => got.push(c),
        }
    }
    if let Some(prompts) = parts.get(1).filter(|it| !it.is_empty()) {
        for file in prompts.split('&') {
            exec.play(file);
        }
    }
    let status = if got.is_empty() { "TIMEOUT" } else { "OK" };
    exec.chan.set(&var, &got);
    exec.chan.set("READSTATUS", status);
    Flow::Next
}

/// `ReadExten(var[,prompt[,context[,options[,timeout]]]])`: scripted digits while they can
/// still match an extension of the context; `READEXTENSTATUS`.
fn read_exten(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 5, Mode::Standard);
    let Some(var) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        exec.log(
            Level::Warning,
            "Usage: ReadExten(variable[,filename[,context[,options[,timeout]]]])".to_string(),
        );
        exec.chan.set("READEXTENSTATUS", "ERROR");
        return Flow::Next;
    };
    if let Some(prompt) = parts.get(1).filter(|it| !it.is_empty()) {
        for file in prompt.split('&') {
            exec.play(file);
        }
    }
    let context = parts
        .get(2)
        .filter(|it| !it.is_empty())
        .cloned()
        .unwrap_or_else(|| exec.chan.context.clone());
    let mut got = String::new();
    while let Some(&c) = exec.digits.front() {
        if c == '#' {
            exec.digits.pop_front();
            break;
        }
        got.push(c);
        exec.digits.pop_front();
        if !exec.can_match_more(&context, &got) {
            break;
        }
    }
    let status = if got.is_empty() {
        "TIMEOUT"
    } else if exec.exists(&context, &got) {
        "OK"
    } else {
        "INVALID"
    };
    exec.chan.set(&var, if status == "OK" { &got } else { "" });
    exec.chan.set("READEXTENSTATUS", status);
    Flow::Next
}

/// `WaitDigit([seconds[,digits]])`: the next scripted digit; `WAITDIGITSTATUS`.
fn wait_digit(exec: &mut Exec<'_>, data: &str) -> Flow {
    let allowed = data.split_once(',').map(|it| it.1.to_string());
    let next = exec.digits.front().copied();
    match next {
        Some(c)
            if allowed
                .as_deref()
                .is_none_or(|set| set.is_empty() || set.contains(c)) =>
        {
            exec.digits.pop_front();
            exec.chan.set("WAITDIGITRESULT", &c.to_string());
            exec.chan.set("WAITDIGITSTATUS", "DTMF");
        }
        _ => exec.chan.set("WAITDIGITSTATUS", "TIMEOUT"),
    }
    Flow::Next
}

fn play_tones(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(Level::Notice, "Nothing to play".to_string());
        return Flow::Stop;
    }
    exec.verbose(
        3,
        format!("Simulated PlayTones: would play tones '{data}' (until StopPlayTones)"),
    );
    Flow::Next
}

/// Applications that run until the caller hangs up.
fn until_hangup(exec: &mut Exec<'_>, _: &str) -> Flow {
    if !exec.chan.answered {
        exec.answer();
    }
    let app = exec.chan.app;
    exec.verbose(3, format!("Simulated {app}: the caller hangs up"));
    exec.chan.hangup_cause.get_or_insert(16);
    Flow::Stop
}

/// `MusicOnHold([class[,duration]])`: with a duration it returns; without, the caller hangs up.
fn music_on_hold(exec: &mut Exec<'_>, data: &str) -> Flow {
    let (class, duration) = data.split_once(',').unwrap_or((data, ""));
    let class = if class.is_empty() { "default" } else { class };
    exec.verbose(
        3,
        format!(
            "Started music on hold, class '{class}', on channel '{}'",
            exec.chan.name
        ),
    );
    match duration.trim().parse::<i64>() {
        Ok(seconds) if seconds > 0 => {
            exec.now += seconds;
            exec.verbose(3, format!("Stopped music on hold on {}", exec.chan.name));
            Flow::Next
        }
        _ => {
            exec.chan.hangup_cause.get_or_insert(16);
            Flow::Stop
        }
    }
}

fn start_moh(exec: &mut Exec<'_>, data: &str) -> Flow {
    let class = if data.is_empty() { "default" } else { data };
    exec.verbose(
        3,
        format!(
            "Started music on hold, class '{class}', on channel '{}'",
            exec.chan.name
        ),
    );
    Flow::Next
}

/// `Record(file.format[,silence[,maxduration[,options]]])`: `RECORD_STATUS`, `RECORDED_FILE`.
fn record(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 4, Mode::Standard);
    let Some(file) = parts.first().filter(|it| !it.is_empty()).cloned() else {
        exec.log(
            Level::Warning,
            "Record requires an argument (filename)".to_string(),
        );
        exec.chan.set("RECORD_STATUS", "ERROR");
        return Flow::Stop;
    };
    let Some((name, _format)) = file.rsplit_once('.') else {
        exec.log(
            Level::Warning,
            "No extension specified to filename!".to_string(),
        );
        exec.chan.set("RECORD_STATUS", "ERROR");
        return Flow::Stop;
    };
    if !exec.chan.answered && !parts.get(3).is_some_and(|it| it.contains('n')) {
        exec.answer();
    }
    let status = exec
        .outcome("Record")
        .and_then(|wanted| {
            RECORD
                .outcomes
                .iter()
                .find(|it| it.eq_ignore_ascii_case(wanted))
        })
        .copied()
        .unwrap_or("DTMF")
        .to_string();
    exec.chan.set("RECORDED_FILE", name);
    exec.chan.set("RECORD_STATUS", &status);
    exec.verbose(
        3,
        format!("Simulated Record: would record to '{file}', RECORD_STATUS={status}"),
    );
    if status == "HANGUP" {
        exec.chan.hangup_cause.get_or_insert(16);
        return Flow::Stop;
    }
    Flow::Next
}

fn control_playback(exec: &mut Exec<'_>, data: &str) -> Flow {
    let file = data.split(',').next().unwrap_or("");
    if file.is_empty() {
        exec.log(
            Level::Warning,
            "ControlPlayback requires an argument (filename)".to_string(),
        );
        return Flow::Stop;
    }
    exec.play(file);
    exec.chan.set("CPLAYBACKSTATUS", "SUCCESS");
    exec.chan.set("CPLAYBACKOFFSET", "0");
    Flow::Next
}

fn send_dtmf(exec: &mut Exec<'_>, data: &str) -> Flow {
    let digits = data.split(',').next().unwrap_or("");
    if digits.is_empty() {
        exec.log(Level::Warning, "SendDTMF requires an argument".to_string());
        return Flow::Stop;
    }
    exec.verbose(4, format!("Simulated SendDTMF: would send '{digits}'"));
    Flow::Next
}
