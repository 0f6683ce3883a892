//! Parsing a console line into a `Command` and running it. Word splitting, usage texts and the
//! "failed" / "No such command" lines follow Asterisk's `main/cli.c`.

use crate::console::{docs, format};
use crate::interp::{CallOptions, DialOutcome, TextSink};
use crate::pbx::{Error as PbxError, Pbx, Reload};

const DIALPLAN_SHOW_USAGE: &str = "Usage: dialplan show [[exten@]context]\n       Show dialplan\n";
const CORE_SHOW_HINTS_USAGE: &str =
    "Usage: core show hints\n       List registered hints.\n       Hint details are shown in five columns. In order from left to right, they are:\n       1. Hint extension URI.\n       2. List of mapped device or presence state identifiers.\n       3. Current extension state. The aggregate of mapped device states.\n       4. Current presence state for the mapped presence state provider.\n       5. Watchers - number of subscriptions and other entities watching this hint.\n";
const CORE_SHOW_HINT_USAGE: &str = "Usage: core show hint <exten>\n       List registered hint.\n       Hint details are shown in five columns. In order from left to right, they are:\n       1. Hint extension URI.\n       2. List of mapped device or presence state identifiers.\n       3. Current extension state. The aggregate of mapped device states.\n       4. Current presence state for the mapped presence state provider.\n       5. Watchers - number of subscriptions and other entities watching this hint.\n";

const DIALPLAN_RELOAD_USAGE: &str = "Usage: dialplan reload\n       Reload extensions.conf without reloading any other\n       modules.  This command does not delete global variables\n       unless clearglobalvars is set to yes in extensions.conf\n";
const PJSIP_SHOW_SUBSCRIPTIONS_USAGE: &str = "Usage: pjsip show subscriptions inbound|outbound [like <regex>]\n       Show active subscriptions\n";
const DEVSTATE_CHANGE_USAGE: &str = "Usage: devstate change <device> <state>\n";
const DEVSTATE_LIST_USAGE: &str = "Usage: devstate list\n";
const PRESENCESTATE_CHANGE_USAGE: &str =
    "Usage: presencestate change <entity> <state>[,<subtype>[,message[,options]]]\n";
const PRESENCESTATE_LIST_USAGE: &str = "Usage: presencestate list\n";

/// The console prompt, shown before each command in the REPL and in script transcripts.
pub const PROMPT: &str = "*CLI> ";

/// Every command with its one-line summary, for `help` and "No such command" hints.
pub const COMMANDS: &[(&str, &str)] = &[
    ("call", "Run a simulated call through the dialplan"),
    (
        "core set max-steps",
        "Set how many priorities one call may run",
    ),
    (
        "core show application",
        "Describe a specific dialplan application",
    ),
    (
        "core show applications",
        "Shows registered dialplan applications",
    ),
    (
        "core show function",
        "Describe a specific dialplan function",
    ),
    ("core show functions", "Shows registered dialplan functions"),
    ("core show hint", "Show a single hint"),
    ("core show hints", "Show dialplan hints"),
    ("devstate change", "Change a custom device state"),
    ("devstate list", "List currently known custom device states"),
    ("dialplan reload", "Reload extensions and *only* extensions"),
    ("dialplan show", "Show dialplan"),
    ("exit", "Leave the console"),
    ("help", "Display help list, or specific help on a command"),
    ("pjsip show aor", "Show PJSIP Aor and its contacts"),
    ("pjsip show aors", "Show PJSIP Aors"),
    ("pjsip show contacts", "Show PJSIP Contacts"),
    (
        "pjsip show subscriptions inbound",
        "Show active inbound SIP subscriptions",
    ),
    ("presencestate change", "Change a custom presence state"),
    (
        "presencestate list",
        "List currently know custom presence states",
    ),
];

/// One console command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `dialplan show [[exten@]context]`
    DialplanShow {
        arg: Option<String>,
    },
    /// `core show hints`
    CoreShowHints,
    /// `pjsip show subscriptions inbound`
    PjsipShowSubscriptionsInbound,
    /// `pjsip show contacts`
    PjsipShowContacts,
    /// `pjsip show aors`
    PjsipShowAors,
    /// `pjsip show aor NAME`
    PjsipShowAor {
        name: String,
    },
    /// `core show hint <exten>`
    CoreShowHint {
        prefix: String,
    },
    /// `dialplan reload`
    DialplanReload,
    /// `core show applications`
    CoreShowApplications,
    /// `core show application <name>...`
    CoreShowApplication {
        names: Vec<String>,
    },
    /// `core show functions`
    CoreShowFunctions,
    /// `core show function <name>`
    CoreShowFunction {
        name: String,
    },
    /// `devstate change <device> <state>`
    DevstateChange {
        device: String,
        state: String,
    },
    /// `devstate list`
    DevstateList,
    /// `presencestate change <provider> <value>`
    PresencestateChange {
        provider: String,
        value: String,
    },
    /// `presencestate list`
    PresencestateList,
    /// `call EXTEN@CONTEXT [callerid NUM [NAME]] [set VAR=VALUE]... [digits DTMF] [dial DEVICE=OUTCOME]... [var NAME]...`
    Call(Box<CallSpec>),
    /// `core set max-steps N`
    SetMaxSteps(u64),
    Help,
    Exit,
    /// A known command with the wrong number of words.
    Usage(&'static str),
    /// Nothing matched; `prefix` is the longest known start of the line.
    Unknown {
        prefix: String,
    },
    Empty,
}

/// A parsed `call` command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallSpec {
    pub exten: String,
    pub context: String,
    pub caller_num: Option<String>,
    pub caller_name: Option<String>,
    pub vars: Vec<(String, String)>,
    pub digits: String,
    pub dial: Vec<(String, String)>,
    /// Variables to print after the call.
    pub show: Vec<String>,
    /// Outcomes of simulated applications and values of outside-world functions, `NAME=OUTCOME`.
    pub apps: Vec<(String, String)>,
    /// Print the call's CDR at the end.
    pub cdr: bool,
}

const CALL_USAGE: &str = "Usage: call EXTEN@CONTEXT [callerid NUM [NAME]] [set VAR=VALUE]... [digits DTMF] [dial DEVICE=ANSWER|BUSY|NOANSWER|CHANUNAVAIL|CONGESTION]... [app NAME=OUTCOME]... [var NAME]... [cdr]\n";
const CORE_SHOW_APPLICATIONS_USAGE: &str = "Usage: core show applications [{like|describing} <text>]\n       List applications which are currently available.\n       If 'like', <text> will be a substring of the app name\n       If 'describing', <text> will be a substring of the description\n";
const CORE_SHOW_APPLICATION_USAGE: &str = "Usage: core show application <application> [<application> [<application> [...]]]\n       Describes a particular application.\n";
const CORE_SHOW_FUNCTIONS_USAGE: &str = "Usage: core show functions [like <text>]\n       List builtin functions, optionally only those matching a given string\n";
const CORE_SHOW_FUNCTION_USAGE: &str =
    "Usage: core show function <function>\n       Describe a particular dialplan function.\n";
const SET_MAX_STEPS_USAGE: &str = "Usage: core set max-steps <n>\n";

fn parse_call(words: &[String]) -> Option<CallSpec> {
    let target = words.get(1)?;
    let (exten, context) = target.split_once('@').unwrap_or((target, "default"));
    let mut spec = CallSpec {
        exten: exten.to_string(),
        context: if context.is_empty() {
            "default"
        } else {
            context
        }
        .to_string(),
        ..CallSpec::default()
    };
    let keywords = ["callerid", "set", "digits", "dial", "var", "app", "cdr"];
    let mut idx = 2;
    while idx < words.len() {
        let word = words[idx].to_ascii_lowercase();
        if word == "cdr" {
            spec.cdr = true;
            idx += 1;
            continue;
        }
        let arg = words.get(idx + 1)?;
        match word.as_str() {
            "callerid" => {
                spec.caller_num = Some(arg.clone());
                idx += 2;
                if let Some(name) = words.get(idx) {
                    if !keywords.contains(&name.to_ascii_lowercase().as_str()) {
                        spec.caller_name = Some(name.clone());
                        idx += 1;
                    }
                }
                continue;
            }
            "set" => {
                let (name, value) = arg.split_once('=')?;
                spec.vars.push((name.to_string(), value.to_string()));
            }
            "digits" => spec.digits.push_str(arg),
            "dial" => {
                let (device, outcome) = arg.split_once('=')?;
                spec.dial.push((device.to_string(), outcome.to_string()));
            }
            "var" => spec.show.push(arg.clone()),
            "app" => {
                let (name, outcome) = arg.split_once('=')?;
                spec.apps.push((name.to_string(), outcome.to_string()));
            }
            _ => return None,
        }
        idx += 2;
    }
    Some(spec)
}

/// What a command printed, and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub text: String,
    pub ok: bool,
    /// The command asked to leave the console.
    pub exit: bool,
}

impl Command {
    pub fn parse(line: &str) -> Command {
        let words = split_words(line);
        let lower: Vec<String> = words.iter().map(|it| it.to_ascii_lowercase()).collect();
        let w: Vec<&str> = lower.iter().map(String::as_str).collect();
        match w.as_slice() {
            [] => Command::Empty,
            ["dialplan", "show"] => Command::DialplanShow { arg: None },
            ["dialplan", "show", _] => Command::DialplanShow {
                arg: Some(words[2].clone()),
            },
            ["dialplan", "show", ..] => Command::Usage(DIALPLAN_SHOW_USAGE),
            ["core", "show", "applications"] => Command::CoreShowApplications,
            ["core", "show", "applications", ..] => Command::Usage(CORE_SHOW_APPLICATIONS_USAGE),
            ["core", "show", "application", _, ..] => Command::CoreShowApplication {
                names: words[3..].to_vec(),
            },
            ["core", "show", "application"] => Command::Usage(CORE_SHOW_APPLICATION_USAGE),
            ["core", "show", "functions"] => Command::CoreShowFunctions,
            ["core", "show", "functions", ..] => Command::Usage(CORE_SHOW_FUNCTIONS_USAGE),
            ["core", "show", "function", _] => Command::CoreShowFunction {
                name: words[3].clone(),
            },
            ["core", "show", "function", ..] => Command::Usage(CORE_SHOW_FUNCTION_USAGE),
            ["core", "show", "hints"] => Command::CoreShowHints,
            ["pjsip", "show", "subscriptions", "inbound"] => Command::PjsipShowSubscriptionsInbound,
            ["pjsip", "show" | "list", "contacts"] => Command::PjsipShowContacts,
            ["pjsip", "show" | "list", "aors"] => Command::PjsipShowAors,
            ["pjsip", "show", "aor", _] => Command::PjsipShowAor {
                name: words[3].clone(),
            },
            ["pjsip", "show", "subscriptions", ..] => {
                Command::Usage(PJSIP_SHOW_SUBSCRIPTIONS_USAGE)
            }
            ["core", "show", "hints", ..] => Command::Usage(CORE_SHOW_HINTS_USAGE),
            ["core", "show", "hint", _] => Command::CoreShowHint {
                prefix: words[3].clone(),
            },
            ["core", "show", "hint", ..] => Command::Usage(CORE_SHOW_HINT_USAGE),
            ["dialplan", "reload"] => Command::DialplanReload,
            ["dialplan", "reload", ..] => Command::Usage(DIALPLAN_RELOAD_USAGE),
            ["devstate", "change", _, _] => Command::DevstateChange {
                device: words[2].clone(),
                state: words[3].clone(),
            },
            ["devstate", "change", ..] => Command::Usage(DEVSTATE_CHANGE_USAGE),
            ["devstate", "list"] => Command::DevstateList,
            ["devstate", "list", ..] => Command::Usage(DEVSTATE_LIST_USAGE),
            ["presencestate", "change", _, _] => Command::PresencestateChange {
                provider: words[2].clone(),
                value: words[3].clone(),
            },
            ["presencestate", "change", ..] => Command::Usage(PRESENCESTATE_CHANGE_USAGE),
            ["presencestate", "list"] => Command::PresencestateList,
            ["presencestate", "list", ..] => Command::Usage(PRESENCESTATE_LIST_USAGE),
            ["call", ..] => match parse_call(&words) {
                Some(spec) => Command::Call(Box::new(spec)),
                None => Command::Usage(CALL_USAGE),
            },
            ["core", "set", "max-steps", n] => match n.parse::<u64>() {
                Ok(n) if n > 0 => Command::SetMaxSteps(n),
                _ => Command::Usage(SET_MAX_STEPS_USAGE),
            },
            ["core", "set", "max-steps", ..] => Command::Usage(SET_MAX_STEPS_USAGE),
            ["help"] | ["core", "show", "help"] => Command::Help,
            ["exit"] | ["quit"] => Command::Exit,
            _ => Command::Unknown {
                prefix: best_prefix(&w),
            },
        }
    }
}

/// How a command ended, before the console adds its framing.
enum Outcome {
    Done(String),
    /// Printed, then `Command '...' failed.`
    Failed(String),
    /// Printed as is (usage text, one-line errors); the command failed.
    Refused(String),
    Exit,
}

/// Runs one console line against `pbx`.
pub fn run(pbx: &mut Pbx, line: &str) -> Output {
    execute(pbx, &Command::parse(line), line)
}

/// Runs one console line and writes what it prints to `out` as it goes: a `call` streams its
/// trace line by line; other commands write their output when done. The returned `Output` has
/// no text (it is in `out`); a failed write reads as `exit`.
pub fn run_to(pbx: &mut Pbx, line: &str, out: &mut dyn std::io::Write) -> Output {
    let command = Command::parse(line);
    let output = match &command {
        Command::Call(spec) => match call_to(pbx, spec, out) {
            Ok(()) => Output {
                text: String::new(),
                ok: true,
                exit: false,
            },
            Err(text) => Output {
                text,
                ok: false,
                exit: false,
            },
        },
        _ => execute(pbx, &command, line),
    };
    let failed = out.write_all(output.text.as_bytes()).is_err() || out.flush().is_err();
    Output {
        text: String::new(),
        ok: output.ok,
        exit: output.exit || failed,
    }
}

/// Runs an already parsed command (front ends that build commands from flags); `line` is what
/// error messages quote.
pub fn execute(pbx: &mut Pbx, command: &Command, line: &str) -> Output {
    let outcome = match command {
        Command::Empty => Outcome::Done(String::new()),
        Command::DialplanShow { arg } => match format::dialplan_show(pbx, arg.as_deref()) {
            (text, true) => Outcome::Done(text),
            (text, false) => Outcome::Failed(text),
        },
        Command::DialplanReload => dialplan_reload(pbx),
        Command::CoreShowHints => Outcome::Done(format::core_show_hints(pbx)),
        Command::PjsipShowSubscriptionsInbound => Outcome::Done(match &pbx.inbound {
            Some(inbound) => inbound.show_inbound(),
            None => crate::pbx::empty_inbound(),
        }),
        Command::PjsipShowContacts => Outcome::Done(match &pbx.inbound {
            Some(inbound) => inbound.show_contacts(),
            None => crate::pbx::NO_OBJECTS.to_string(),
        }),
        Command::PjsipShowAors => Outcome::Done(match &pbx.inbound {
            Some(inbound) => inbound.show_aors(),
            None => crate::pbx::NO_OBJECTS.to_string(),
        }),
        Command::PjsipShowAor { name } => Outcome::Done(match &pbx.inbound {
            Some(inbound) => inbound.show_aor(name),
            None => format!("Unable to find object {name}.\n\n"),
        }),
        Command::CoreShowApplications => Outcome::Done(docs::applications()),
        Command::CoreShowApplication { names } => match docs::application(names) {
            Some(text) => Outcome::Done(text),
            None => Outcome::Failed("Your application(s) is (are) not registered\n".to_string()),
        },
        Command::CoreShowFunctions => Outcome::Done(docs::functions()),
        Command::CoreShowFunction { name } => match docs::function(name) {
            Some(text) => Outcome::Done(text),
            None => Outcome::Failed("No function by that name registered.\n".to_string()),
        },
        Command::CoreShowHint { prefix } => Outcome::Done(format::core_show_hint(pbx, prefix)),
        Command::DevstateChange { device, state } => match pbx.devstate_change(device, state) {
            Ok(done) => Outcome::Done(format!("Changing {} to {state}\n", done.name)),
            Err(err) => refusal(err, DEVSTATE_CHANGE_USAGE),
        },
        Command::DevstateList => match pbx.custom_device_states() {
            Ok(list) => Outcome::Done(format::devstate_list(&list)),
            Err(err) => Outcome::Failed(format!("{err}\n")),
        },
        Command::PresencestateChange { provider, value } => {
            match pbx.presencestate_change(provider, value) {
                Ok(done) => {
                    let state = value.split(',').next().unwrap_or("");
                    Outcome::Done(format!("Changing {} to {state}\n", done.name))
                }
                Err(err) => refusal(err, PRESENCESTATE_CHANGE_USAGE),
            }
        }
        Command::PresencestateList => match pbx.custom_presence_states() {
            Ok(list) => Outcome::Done(format::presencestate_list(&list)),
            Err(err) => Outcome::Failed(format!("{err}\n")),
        },
        Command::Call(spec) => call(pbx, spec),
        Command::SetMaxSteps(n) => {
            pbx.max_steps = *n;
            Outcome::Done(format!("Maximum steps per call set to {n}\n"))
        }
        Command::Help => Outcome::Done(format::help(COMMANDS)),
        Command::Exit => Outcome::Exit,
        Command::Usage(usage) => Outcome::Refused(usage.to_string()),
        Command::Unknown { prefix } => {
            let trimmed = line.trim();
            Outcome::Refused(format!(
                "No such command '{trimmed}' (type 'core show help {prefix}' for other possible commands)\n"
            ))
        }
    };
    match outcome {
        Outcome::Done(text) => Output {
            text,
            ok: true,
            exit: false,
        },
        Outcome::Failed(mut text) => {
            text.push_str(&format!("Command '{}' failed.\n", line.trim()));
            Output {
                text,
                ok: false,
                exit: false,
            }
        }
        Outcome::Refused(text) => Output {
            text,
            ok: false,
            exit: false,
        },
        Outcome::Exit => Output {
            text: String::new(),
            ok: true,
            exit: true,
        },
    }
}

/// How a refused state change is shown: Asterisk's own line where it has one, otherwise one
/// line that says what is wrong (Asterisk reprints the usage text there).
fn refusal(err: PbxError, usage: &str) -> Outcome {
    match err {
        PbxError::NotCustomDevice(_) => Outcome::Failed(
            "The devstate command can only be used to set 'Custom:' device state!\n".to_string(),
        ),
        PbxError::NotCustomPresence(_) => Outcome::Failed(
            "The presencestate command can only be used to set 'CustomPresence:' presence state!\n"
                .to_string(),
        ),
        PbxError::EmptyName(_) => Outcome::Refused(usage.to_string()),
        PbxError::Store(_) => Outcome::Failed(format!("{err}\n")),
        other => Outcome::Refused(format!("{other}; nothing changed\n")),
    }
}

/// Hangup cause texts (`ast_cause2str`) for the causes the simulator produces.
fn cause_text(cause: u32) -> &'static str {
    match cause {
        1 => "Unallocated (unassigned) number",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        21 => "Call Rejected",
        31 => "Normal, unspecified",
        34 => "Circuit/channel congestion",
        _ => "Unknown",
    }
}

fn call(pbx: &mut Pbx, spec: &CallSpec) -> Outcome {
    let mut out = Vec::new();
    match call_to(pbx, spec, &mut out) {
        Ok(()) => Outcome::Done(String::from_utf8_lossy(&out).into_owned()),
        Err(text) => Outcome::Refused(text),
    }
}

/// Runs a `call` and writes its trace to `out` as each step runs (the console collects it,
/// `dialstate run` streams it to a buffered stdout). `Err` carries a refusal to print instead.
pub fn call_to(pbx: &mut Pbx, spec: &CallSpec, out: &mut dyn std::io::Write) -> Result<(), String> {
    let mut dial = Vec::new();
    for (device, outcome) in &spec.dial {
        match DialOutcome::parse(outcome) {
            Some(it) => dial.push((device.clone(), it)),
            None => {
                return Err(format!(
                    "unknown dial outcome `{outcome}` for {device}; expected ANSWER, BUSY, NOANSWER, CHANUNAVAIL or CONGESTION\n"
                ))
            }
        }
    }
    for (name, _) in &spec.apps {
        if !crate::interp::has_application(name) && !crate::interp::has_function(name) {
            return Err(format!(
                "unknown application or function `{name}` in app {name}=...; see core show applications\n"
            ));
        }
    }
    let options = CallOptions {
        context: spec.context.clone(),
        exten: spec.exten.clone(),
        caller_num: spec.caller_num.clone(),
        caller_name: spec.caller_name.clone(),
        vars: spec.vars.clone(),
        digits: spec.digits.clone(),
        dial,
        apps: spec.apps.clone(),
        max_steps: pbx.max_steps,
        ..CallOptions::default()
    };
    let mut sink = TextSink::new(out);
    let result = crate::interp::run_to(pbx, &options, &mut sink);
    sink.line(&format!(
        "  == {} hung up: cause {} ({}), {} {} run",
        result.channel.name,
        result.cause,
        cause_text(result.cause),
        result.steps,
        if result.steps == 1 {
            "priority"
        } else {
            "priorities"
        }
    ));
    for name in &spec.show {
        match result.channel.var(name) {
            Some(value) => sink.line(&format!("  == {name}={value}")),
            None => sink.line(&format!("  == {name} is not set")),
        }
    }
    if spec.cdr {
        sink.line(&format!(
            "  == CDR (Master.csv): {}",
            crate::interp::functions::cdr::csv(&result.channel)
        ));
    }
    Ok(())
}

fn dialplan_reload(pbx: &mut Pbx) -> Outcome {
    match pbx.reload() {
        Reload::Replaced { .. } => Outcome::Done("Dialplan reloaded.\n".to_string()),
        Reload::Kept {
            sources,
            diagnostics,
        } => {
            let mut text = String::new();
            for diag in diagnostics
                .items()
                .iter()
                .filter(|it| it.code.rejects_file())
            {
                text.push_str(&crate::diag::render_short(&sources, diag));
                text.push('\n');
            }
            text.push_str("Dialplan not reloaded: Asterisk would refuse these files; the previous dialplan stays active.\n");
            Outcome::Failed(text)
        }
    }
}

/// Splits a line into words: blanks separate, double quotes group, a backslash escapes.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// The longest run of leading words that starts some known command.
fn best_prefix(words: &[&str]) -> String {
    let mut best = String::new();
    for n in 1..=words.len() {
        let candidate = words[..n].join(" ");
        if COMMANDS.iter().any(|(it, _)| {
            it.starts_with(&candidate)
                && (it.len() == candidate.len() || it.as_bytes()[candidate.len()] == b' ')
        }) {
            best = candidate;
        } else {
            break;
        }
    }
    best
}
