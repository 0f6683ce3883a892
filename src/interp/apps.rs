//! The applications (spec dialplan.md §6.3–6.7), looked up by name ignoring case and printed in
//! their registered spelling. Each takes the substituted data and tells the executor where to go
//! next. Telephony applications are simulated: the caller chooses their outcome.

use crate::interp::args::{is_true, split, Mode};
use crate::interp::channel::Frame;
use crate::interp::exec::{DialOutcome, Exec, Flow};
use crate::interp::functions;
use crate::interp::limits::MAX_GOSUB_DEPTH;
use crate::interp::trace::Level;
use crate::state::DeviceState;

type App = fn(&mut Exec<'_>, &str) -> Flow;

/// Every application, in its registered spelling.
const APPS: &[(&str, App)] = &[
    ("Answer", answer),
    ("Background", background),
    ("Busy", busy),
    ("Congestion", congestion),
    ("ContinueWhile", continue_while),
    ("Dial", dial),
    ("EndWhile", end_while),
    ("ExecIf", exec_if),
    ("ExitWhile", exit_while),
    ("Gosub", gosub),
    ("GosubIf", gosub_if),
    ("Goto", goto),
    ("GotoIf", goto_if),
    ("GotoIfTime", goto_if_time),
    ("Hangup", hangup),
    ("Log", log),
    ("MSet", mset),
    ("NoOp", noop),
    ("Playback", playback),
    ("Progress", signal_only),
    ("Proceeding", signal_only),
    ("RaiseException", raise_exception),
    ("Read", read),
    ("Return", return_),
    ("Ringing", signal_only),
    ("Set", set),
    ("StackPop", stack_pop),
    ("Verbose", verbose),
    ("VoiceMail", voicemail),
    ("Wait", wait),
    ("WaitExten", wait_exten),
    ("While", while_),
];

/// The application registered under `name` (any case): its spelling and its code.
pub fn lookup(name: &str) -> Option<(&'static str, App)> {
    APPS.iter()
        .find(|(it, _)| it.eq_ignore_ascii_case(name))
        .map(|(it, app)| (*it, *app))
}

fn noop(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::Next
}

fn signal_only(_: &mut Exec<'_>, _: &str) -> Flow {
    Flow::Next
}

fn answer(exec: &mut Exec<'_>, _: &str) -> Flow {
    exec.chan.answered = true;
    Flow::Next
}

/// Hangup cause names Asterisk accepts (`ast_str2cause`, the common ones).
const CAUSES: &[(&str, u32)] = &[
    ("UNALLOCATED", 1),
    ("NORMAL_CLEARING", 16),
    ("USER_BUSY", 17),
    ("NO_USER_RESPONSE", 18),
    ("NO_ANSWER", 19),
    ("CALL_REJECTED", 21),
    ("NORMAL_UNSPECIFIED", 31),
    ("NORMAL_CIRCUIT_CONGESTION", 34),
    ("CONGESTION", 34),
];

fn hangup(exec: &mut Exec<'_>, data: &str) -> Flow {
    if !data.is_empty() {
        let cause = data
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|it| *it > 0)
            .or_else(|| {
                CAUSES
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(data.trim()))
                    .map(|it| it.1)
            });
        match cause {
            Some(cause) => exec.chan.hangup_cause = Some(cause),
            None => exec.log(
                Level::Warning,
                format!("Invalid cause given to Hangup(): \"{data}\""),
            ),
        }
    }
    if exec.chan.hangup_cause.is_none() {
        exec.chan.hangup_cause = Some(16);
    }
    Flow::Stop
}

fn busy(exec: &mut Exec<'_>, _: &str) -> Flow {
    if !exec.chan.answered {
        exec.chan.hangup_cause = Some(17);
    }
    Flow::Stop
}

fn congestion(exec: &mut Exec<'_>, _: &str) -> Flow {
    if !exec.chan.answered {
        exec.chan.hangup_cause = Some(34);
    }
    Flow::Stop
}

fn verbose(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        return Flow::Next;
    }
    let parts = split(data, ',', 2, Mode::Standard);
    let (level, message) = match parts.as_slice() {
        [message] => (0u8, message.clone()),
        [level, message, ..] => match level.trim().parse::<u32>() {
            Ok(level) => (level.min(4) as u8, message.clone()),
            Err(_) => {
                exec.log(
                    Level::Warning,
                    format!("'{level}' is not a verboser number"),
                );
                (0, message.clone())
            }
        },
        [] => return Flow::Next,
    };
    exec.verbose(level, message);
    Flow::Next
}

fn log(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, ',', 2, Mode::Standard);
    let (Some(level), Some(message)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Error,
            "Log requires a level and a message".to_string(),
        );
        return Flow::Next;
    };
    match Level::parse(level) {
        Some(level) => {
            let text = format!(
                "Ext. {}:{} @ {}: {message}",
                exec.chan.exten, exec.chan.priority, exec.chan.context
            );
            exec.log(level, text);
        }
        None => exec.log(Level::Error, format!("Unknown log level: '{level}'")),
    }
    Flow::Next
}

/// Sets `name=value`: a function write when the name ends with `)`, else a channel variable.
fn assign(exec: &mut Exec<'_>, name: &str, value: &str) {
    if name.ends_with(')') {
        functions::write(exec, name, value);
        return;
    }
    if name.contains(' ') {
        exec.log(
            Level::Warning,
            format!("Please avoid unnecessary spaces on variables as it may lead to unexpected results ('{name}' set to '{value}')."),
        );
    }
    exec.chan.set(name, value);
}

fn set(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Set requires one variable name/value pair.".to_string(),
        );
        return Flow::Next;
    }
    match data.split_once('=') {
        Some((name, value)) => assign(exec, name, value),
        None => exec.log(
            Level::Warning,
            "Set requires an '=' to be a valid assignment.".to_string(),
        ),
    }
    Flow::Next
}

fn mset(exec: &mut Exec<'_>, data: &str) -> Flow {
    for entry in split(data, ',', 99, Mode::Standard) {
        match entry.split_once('=') {
            Some((name, value)) => assign(exec, name, value),
            None => {
                let text = format!(
                    "MSet: ignoring entry '{entry}' with no '=' (in {}@{}:{}",
                    exec.chan.exten, exec.chan.context, exec.chan.priority
                );
                exec.log(Level::Warning, text);
            }
        }
    }
    Flow::Next
}

fn wait(exec: &mut Exec<'_>, data: &str) -> Flow {
    let text = data.trim();
    let (number, scale) = if let Some(it) = text.strip_suffix("ms") {
        (it, 0.001)
    } else if let Some(it) = text.strip_suffix('h') {
        (it, 3600.0)
    } else if let Some(it) = text.strip_suffix('m') {
        (it, 60.0)
    } else if let Some(it) = text.strip_suffix('s') {
        (it, 1.0)
    } else {
        (text, 1.0)
    };
    if let Ok(value) = number.trim().parse::<f64>() {
        if value > 0.0 {
            exec.now += (value * scale).floor() as i64;
        }
    }
    Flow::Next
}

fn raise_exception(exec: &mut Exec<'_>, data: &str) -> Flow {
    exec.raise(data);
    Flow::Jump(exec.chan.context.clone(), "e".to_string(), 1)
}

/// `Goto(target)`: resolve, log, jump.
pub(crate) fn goto_target(exec: &mut Exec<'_>, target: &str) -> Flow {
    if target.is_empty() {
        exec.log(
            Level::Warning,
            "Goto requires an argument ([[context,]extension,]priority)".to_string(),
        );
        return Flow::Stop;
    }
    match exec.resolve(target) {
        Ok((context, exten, priority)) => {
            exec.verbose(3, format!("Goto ({context},{exten},{priority})"));
            Flow::Jump(context, exten, priority)
        }
        Err(message) => {
            exec.log(Level::Warning, message);
            Flow::Stop
        }
    }
}

fn goto(exec: &mut Exec<'_>, data: &str) -> Flow {
    goto_target(exec, data)
}

/// Splits `cond?true:false` at the first `?` and then the first `:`.
fn branches(data: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let (cond, rest) = match data.split_once('?') {
        Some((cond, rest)) => (cond, Some(rest)),
        None => (data, None),
    };
    let (yes, no) = match rest {
        Some(rest) => match rest.split_once(':') {
            Some((yes, no)) => (Some(yes), Some(no)),
            None => (Some(rest), None),
        },
        None => (None, None),
    };
    Some((cond, yes, no))
}

fn goto_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Ignoring, since there is no variable to check".to_string(),
        );
        return Flow::Next;
    }
    let Some((cond, yes, no)) = branches(data) else {
        return Flow::Next;
    };
    let chosen = if is_true(cond) { yes } else { no };
    match chosen.filter(|it| !it.is_empty()) {
        Some(target) => goto_target(exec, target),
        None => Flow::Next,
    }
}

fn goto_if_time(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "GotoIfTime requires an argument:\n  <time range>,<days of week>,<days of month>,<months>[,<timezone>]?'labeliftrue':'labeliffalse'".to_string(),
        );
        return Flow::Stop;
    }
    let Some((spec, yes, no)) = branches(data) else {
        return Flow::Next;
    };
    let mut now = exec.now;
    if let Some(test) = exec.chan.var("TESTTIME").map(str::to_string) {
        match test.trim().parse::<i64>() {
            Ok(t) => now = t,
            Err(_) => {
                exec.log(Level::Warning, "Using current time to evaluate".to_string());
                exec.chan.delete("TESTTIME");
            }
        }
    }
    let (timespec, problems) = crate::dialplan::timespec::TimeSpec::parse(spec);
    for problem in problems {
        exec.log(Level::Warning, problem);
    }
    let chosen = if timespec.matches(local_time(now)) {
        yes
    } else {
        no
    };
    match chosen.filter(|it| !it.is_empty()) {
        Some(target) => goto_target(exec, target),
        None => Flow::Next,
    }
}

/// UTC calendar fields of a Unix time (days-to-civil, proleptic Gregorian).
pub(crate) fn local_time(now: i64) -> crate::dialplan::timespec::LocalTime {
    let days = now.div_euclid(86_400);
    let secs = now.rem_euclid(86_400);
    // 1970-01-01 was a Thursday (weekday 4).
    let weekday = (days + 4).rem_euclid(7) as u8;
    let doe = (days + 719_468).rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let monthday = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    crate::dialplan::timespec::LocalTime {
        minute_of_day: (secs / 60) as u16,
        weekday,
        monthday,
        month,
    }
}

fn gosub(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Error,
            "Gosub requires an argument: Gosub([[context,]exten,]priority[(arg1[,...][,argN])])"
                .to_string(),
        );
        return Flow::Stop;
    }
    let (label, args) = match data.find('(') {
        Some(open) => {
            let rest = &data[open + 1..];
            let inner = match rest.rfind(')') {
                Some(close) => &rest[..close],
                None => {
                    exec.log(
                        Level::Warning,
                        format!("Ouch.  No closing paren: '{data}'?"),
                    );
                    rest
                }
            };
            (&data[..open], split(inner, ',', 100, Mode::Raw))
        }
        None => (data, Vec::new()),
    };
    if exec.chan.stack.len() >= MAX_GOSUB_DEPTH {
        exec.log(
            Level::Error,
            format!("Gosub nested deeper than {MAX_GOSUB_DEPTH} levels; stopped"),
        );
        return Flow::Stop;
    }
    let (context, exten, priority) = match exec.resolve(label) {
        Ok(it) => it,
        Err(_) => {
            exec.log(Level::Error, format!("Gosub address is invalid: '{data}'"));
            return Flow::Stop;
        }
    };
    if exec
        .env
        .dialplan()
        .find(
            &context,
            &exten,
            crate::dialplan::Target::Priority(priority),
            exec.chan.caller_num.as_deref(),
        )
        .is_err()
    {
        exec.log(
            Level::Error,
            format!(
                "Gosub attempted to reach non-existent destination '{context},{exten},{priority}' from '{},{},{}'",
                exec.chan.context, exec.chan.exten, exec.chan.priority
            ),
        );
        return Flow::Stop;
    }
    let below = exec.chan.stack.last().map_or(0, |it| it.n_args);
    let n = args.len().max(below);
    let mut frame = Frame {
        ret_context: exec.chan.context.clone(),
        ret_exten: exec.chan.exten.clone(),
        ret_priority: exec.chan.priority.saturating_add(1),
        locals: Vec::new(),
        n_args: n,
    };
    for idx in 0..n {
        let name = format!("ARG{}", idx + 1);
        exec.chan
            .push(&name, args.get(idx).map_or("", String::as_str));
        frame.locals.push(name);
    }
    exec.chan.push("ARGC", &args.len().to_string());
    frame.locals.push("ARGC".to_string());
    exec.chan.stack.push(frame);
    exec.chan.stack_allocated = true;
    Flow::Jump(context, exten, priority)
}

fn gosub_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, '?', 2, Mode::Raw);
    if parts.len() != 2 {
        exec.log(
            Level::Warning,
            "GosubIf requires an argument: GosubIf(cond?label1(args):label2(args)".to_string(),
        );
        return Flow::Next;
    }
    let labels = split(&parts[1], ':', 2, Mode::Raw);
    let chosen = if is_true(&parts[0]) {
        labels.first()
    } else {
        labels.get(1)
    };
    match chosen.filter(|it| !it.is_empty()) {
        Some(label) => {
            let label = label.clone();
            gosub(exec, &label)
        }
        None => Flow::Next,
    }
}

/// Drops the top frame and its locals; returns it.
fn pop_frame(exec: &mut Exec<'_>) -> Option<Frame> {
    let frame = exec.chan.stack.pop()?;
    for name in &frame.locals {
        exec.chan.pop(name);
    }
    Some(frame)
}

fn return_(exec: &mut Exec<'_>, data: &str) -> Flow {
    match pop_frame(exec) {
        Some(frame) => {
            exec.chan.set("GOSUB_RETVAL", data);
            Flow::Jump(frame.ret_context, frame.ret_exten, frame.ret_priority)
        }
        None => {
            let why = if exec.chan.stack_allocated {
                "empty"
            } else {
                "unallocated"
            };
            exec.log(
                Level::Error,
                format!("Return without Gosub: stack is {why}"),
            );
            Flow::Stop
        }
    }
}

fn stack_pop(exec: &mut Exec<'_>, _: &str) -> Flow {
    let _ = pop_frame(exec);
    Flow::Next
}

fn exec_if(exec: &mut Exec<'_>, data: &str) -> Flow {
    let parts = split(data, '?', 2, Mode::Raw);
    if parts.len() < 2 || parts[1].is_empty() {
        exec.log(
            Level::Error,
            "Usage: ExecIf(<expr>?<appiftrue>(<args>)[:<appiffalse>(<args)])".to_string(),
        );
        return Flow::Stop;
    }
    let apps = split(&parts[1], ':', 2, Mode::Raw);
    let chosen = if is_true(&parts[0]) {
        apps.first().cloned()
    } else {
        apps.get(1).cloned()
    };
    let Some(chosen) = chosen.filter(|it| !it.is_empty()) else {
        return Flow::Next;
    };
    let (name, args) = match chosen.find('(') {
        Some(open) => {
            let rest = &chosen[open + 1..];
            (
                chosen[..open].to_string(),
                rest.rfind(')')
                    .map_or(rest, |close| &rest[..close])
                    .to_string(),
            )
        }
        None => (chosen.clone(), String::new()),
    };
    match lookup(&name) {
        Some((_, app)) => app(exec, &args),
        None => {
            exec.log(
                Level::Warning,
                format!("Could not find application! ({name})"),
            );
            Flow::Stop
        }
    }
}

// ---- While loops (§6.5) --------------------------------------------------------------------

fn top_index(exec: &Exec<'_>) -> i64 {
    let mut k = -1i64;
    while exec.chan.var(&format!("WHILE_{}", k + 1)).is_some() {
        k += 1;
    }
    k
}

fn marker(context: &str, exten: &str, priority: i32) -> String {
    format!("{context}_{exten}_{priority}")
}

/// Leaves loop `k`: to `END_WHILE_k` if known, else past the matching `EndWhile`.
fn leave_loop(exec: &mut Exec<'_>, k: i64) -> Flow {
    let end_name = format!("END_WHILE_{k}");
    if let Some(end) = exec.chan.var(&end_name).map(str::to_string) {
        exec.chan.delete(&end_name);
        if let flow @ Flow::Jump(..) = jump_to(&end) {
            return flow;
        }
    }
    // Scan forward for the matching EndWhile.
    let (context, exten) = (exec.chan.context.clone(), exec.chan.exten.clone());
    let mut depth = 0;
    let mut priority = exec.chan.priority.saturating_add(1);
    loop {
        let found = exec.env.dialplan().find(
            &context,
            &exten,
            crate::dialplan::Target::Priority(priority),
            exec.chan.caller_num.as_deref(),
        );
        let Ok(found) = found else {
            exec.log(
                Level::Warning,
                format!(
                    "Couldn't find matching EndWhile? (While at {context}@{exten} priority {})",
                    exec.chan.priority
                ),
            );
            return Flow::Next;
        };
        let app = found.priority.app.to_string();
        if app.eq_ignore_ascii_case("While") {
            depth += 1;
        } else if app.eq_ignore_ascii_case("EndWhile") {
            if depth == 0 {
                return Flow::Jump(context, exten, priority.saturating_add(1));
            }
            depth -= 1;
        }
        priority = priority.saturating_add(1);
    }
}

fn while_(exec: &mut Exec<'_>, data: &str) -> Flow {
    let here = marker(&exec.chan.context, &exec.chan.exten, exec.chan.priority);
    let k = match exec.chan.var(&here).and_then(|it| it.parse::<i64>().ok()) {
        Some(k) => k,
        None => {
            let k = top_index(exec) + 1;
            exec.chan.set(&here, &k.to_string());
            k
        }
    };
    let while_name = format!("WHILE_{k}");
    if !is_true(data) {
        exec.chan.delete(&while_name);
        exec.chan.delete(&here);
        return leave_loop(exec, k);
    }
    if exec.chan.var(&while_name).is_none() {
        let location = format!(
            "{},{},{}",
            exec.chan.context, exec.chan.exten, exec.chan.priority
        );
        exec.chan.set(&while_name, &location);
    }
    Flow::Next
}

/// A `context,exten,priority` location kept in a loop variable, as a jump.
fn jump_to(location: &str) -> Flow {
    let mut parts = location.splitn(3, ',');
    match (
        parts.next(),
        parts.next(),
        parts.next().map(str::parse::<i32>),
    ) {
        (Some(c), Some(e), Some(Ok(p))) => Flow::Jump(c.to_string(), e.to_string(), p),
        _ => Flow::Next,
    }
}

fn end_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    let Some(target) = exec.chan.var(&format!("WHILE_{k}")).map(str::to_string) else {
        return Flow::Next;
    };
    let end_name = format!("END_WHILE_{k}");
    if exec.chan.var(&end_name).is_none() {
        let after = format!(
            "{},{},{}",
            exec.chan.context,
            exec.chan.exten,
            exec.chan.priority.saturating_add(1)
        );
        exec.chan.set(&end_name, &after);
    }
    jump_to(&target)
}

fn exit_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    if k < 0 {
        return Flow::Next;
    }
    exec.chan.delete(&format!("WHILE_{k}"));
    let here = marker(&exec.chan.context, &exec.chan.exten, exec.chan.priority);
    exec.chan.delete(&here);
    let flow = leave_loop(exec, k);
    if let Flow::Jump(_, _, p) = &flow {
        exec.verbose(3, format!("Jumping to priority {}", p.saturating_sub(1)));
    }
    flow
}

fn continue_while(exec: &mut Exec<'_>, _: &str) -> Flow {
    let k = top_index(exec);
    let Some(target) = exec.chan.var(&format!("WHILE_{k}")).map(str::to_string) else {
        return Flow::Next;
    };
    jump_to(&target)
}

// ---- simulated telephony (§6.7) --------------------------------------------------------------

fn playback(exec: &mut Exec<'_>, data: &str) -> Flow {
    if data.is_empty() {
        exec.log(
            Level::Warning,
            "Playback requires an argument (filename)".to_string(),
        );
        return Flow::Stop;
    }
    let options = data.split_once(',').map_or("", |it| it.1);
    if !exec.chan.answered && !options.contains("noanswer") && !options.contains("skip") {
        exec.chan.answered = true;
    }
    exec.chan.set("PLAYBACKSTATUS", "SUCCESS");
    Flow::Next
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
    exec.chan.answered = true;
    exec.chan.set("VMSTATUS", "SUCCESS");
    exec.verbose(
        3,
        format!(
            "Simulated voicemail for {} recorded",
            data.split(',').next().unwrap_or(data)
        ),
    );
    // The caller hangs up after leaving a message.
    Flow::Stop
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
    if !exec.chan.answered {
        exec.chan.answered = true;
    }
    let _ = data;
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
    let status = if got.is_empty() { "TIMEOUT" } else { "OK" };
    exec.chan.set(&var, &got);
    exec.chan.set("READSTATUS", status);
    Flow::Next
}

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
            let changes = exec.env.set_device(device, DeviceState::Ringing);
            exec.record(changes);
            exec.verbose(3, format!("{device} is ringing"));
        }
    }
    let answered = outcomes
        .iter()
        .find(|(_, o)| *o == DialOutcome::Answer)
        .map(|it| it.0.clone());
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
        exec.chan.answered = true;
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
    Flow::Next
}
