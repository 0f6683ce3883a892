//! The executor: runs one simulated channel through the dialplan the way `__ast_pbx_run` does
//! (spec dialplan.md §6.1): look up the priority, substitute its data, run the application, move
//! on; invalid extensions go to `i`, exceptions to `e`, running off the end auto-falls-through,
//! and the `h` extension runs at the end. Every step is bounded.

use std::collections::VecDeque;

use crate::dialplan::{Found, Target};
use crate::expr::{substitute, Vars};
use crate::interp::apps::{self, AppDef, Kind};
use crate::interp::channel::Channel;
use crate::interp::compiled::{compile, Compiled, Seg};
use crate::interp::env::Env;
use crate::interp::functions;
use crate::interp::limits::{DEFAULT_MAX_STEPS, MAX_DATA};
use crate::interp::trace::{Event, Level, Sink};

/// How a simulated callee answers a `Dial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialOutcome {
    Answer,
    Busy,
    NoAnswer,
    Unavailable,
    Congestion,
}

impl DialOutcome {
    pub fn parse(text: &str) -> Option<DialOutcome> {
        match text.to_ascii_uppercase().as_str() {
            "ANSWER" => Some(DialOutcome::Answer),
            "BUSY" => Some(DialOutcome::Busy),
            "NOANSWER" => Some(DialOutcome::NoAnswer),
            "CHANUNAVAIL" | "UNAVAILABLE" => Some(DialOutcome::Unavailable),
            "CONGESTION" => Some(DialOutcome::Congestion),
            _ => None,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct CallOptions {
    pub context: String,
    pub exten: String,
    pub caller_num: Option<String>,
    pub caller_name: Option<String>,
    /// Channel variables set before the first priority.
    pub vars: Vec<(String, String)>,
    /// DTMF the caller will press, consumed by `WaitExten`, `Read`, `Background`.
    pub digits: String,
    /// Outcomes chosen for dialled devices (`PJSIP/bob=BUSY`); others follow their state.
    pub dial: Vec<(String, DialOutcome)>,
    /// Outcomes chosen for simulated applications and values for outside-world functions
    /// (`AGI=FAILURE`, `CURL=...`); names ignore case.
    pub apps: Vec<(String, String)>,
    pub max_steps: u64,
    /// The simulated clock at the start of the call (Unix seconds).
    pub now: i64,
    /// Keep `Executing` and verbose lines (warnings and state changes are always kept).
    pub trace: bool,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            context: "default".to_string(),
            exten: "s".to_string(),
            caller_num: None,
            caller_name: None,
            vars: Vec::new(),
            digits: String::new(),
            dial: Vec::new(),
            apps: Vec::new(),
            max_steps: DEFAULT_MAX_STEPS,
            now: 1_767_225_600,
            trace: true,
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone)]
pub struct CallResult {
    pub events: Vec<Event>,
    pub channel: Channel,
    pub cause: u32,
    pub steps: u64,
}

/// What an application tells the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Continue with the next priority.
    Next,
    /// Continue exactly at this location (context, exten, priority).
    Jump(String, String, i32),
    /// The application returned non-zero: the channel stops (`Spawn extension ... exited non-zero`).
    Stop,
    /// The application returned non-zero with AST_PBX_ERROR (an exception `ERROR` may follow).
    Error,
    /// `MacroExit`: leaves the running macro (outside one it stops the channel).
    MacroExit,
}

/// The running call. Applications and functions reach the channel through it.
pub struct Exec<'e> {
    pub(crate) env: &'e mut dyn Env,
    pub(crate) chan: Channel,
    /// Events kept when there is no sink (`interp::run`, tests).
    pub(crate) events: Vec<Event>,
    sink: Option<&'e mut dyn Sink>,
    /// The channel's sequence number and the call id log lines carry (`C-0000000n`).
    pub(crate) seq: u32,
    call_id: String,
    /// State of `RAND()`/`UUID()` (deterministic per call).
    pub(crate) random: u64,
    /// `--app NAME=OUTCOME` choices.
    outcomes: Vec<(String, String)>,
    /// The function being read or written (for families sharing one implementation).
    pub(crate) current_function: &'static str,
    /// The Macro deprecation warning was logged.
    pub(crate) macro_warned: bool,
    /// Function calls in progress (bounded by `MAX_FUNCTION_DEPTH`).
    pub(crate) function_depth: usize,
    /// Reused buffers for the variable values of `$[...]` templates.
    scratch: Vec<String>,
    /// Priorities run so far and the limit.
    steps: u64,
    max_steps: u64,
    limit_logged: bool,
    pub(crate) now: i64,
    pub(crate) digits: VecDeque<char>,
    pub(crate) dial: Vec<(String, DialOutcome)>,
    /// Devices a Dial left in use, to free when the call ends.
    pub(crate) busy_devices: Vec<String>,
    pub(crate) in_h: bool,
    trace: bool,
    /// Compiled application data by the address of the priority's data (the dialplan outlives
    /// the call, so the address is stable).
    compiled: rustc_hash::FxHashMap<usize, Option<std::rc::Rc<Compiled>>>,
    /// Applications by the address of the priority's application name (same reasoning).
    app_cache: rustc_hash::FxHashMap<usize, Option<&'static AppDef>>,
}

/// Runs a call to the end, keeping its events in the result.
pub fn run(env: &mut dyn Env, options: &CallOptions) -> CallResult {
    start(env, options, None)
}

/// Runs a call to the end, handing each event to `sink` when its step runs; the result's
/// `events` stays empty.
pub fn run_to(env: &mut dyn Env, options: &CallOptions, sink: &mut dyn Sink) -> CallResult {
    start(env, options, Some(sink))
}

/// What `$[expr]` becomes on a fresh channel of a call set up by `options` (variables,
/// caller): substitution first, then the expression, with functions available; the events are
/// the warnings it logged. This is `dialstate eval`.
pub fn evaluate(env: &mut dyn Env, options: &CallOptions, expr: &str) -> (String, Vec<Event>) {
    on_fresh_channel(env, options, |exec| exec.substitute(&format!("$[{expr}]")))
}

/// What `${NAME}` (a variable or a function call such as `DEVICE_STATE(Custom:x)`) reads on a
/// fresh channel: the manager's `Getvar` without a channel.
pub fn get_var(env: &mut dyn Env, options: &CallOptions, name: &str) -> (String, Vec<Event>) {
    on_fresh_channel(env, options, |exec| {
        exec.substitute(&format!("${{{name}}}"))
    })
}

/// `Set(NAME=VALUE)` on a fresh channel: the manager's `Setvar` without a channel (function
/// writes such as `DEVICE_STATE(Custom:x)` and `GLOBAL(X)` last; channel variables do not).
pub fn set_var(env: &mut dyn Env, options: &CallOptions, name: &str, value: &str) -> Vec<Event> {
    on_fresh_channel(env, options, |exec| {
        if let Some(def) = crate::interp::apps::lookup("Set") {
            exec.invoke(def, &format!("{name}={value}"));
        }
    })
    .1
}

fn on_fresh_channel<R>(
    env: &mut dyn Env,
    options: &CallOptions,
    f: impl FnOnce(&mut Exec<'_>) -> R,
) -> (R, Vec<Event>) {
    let mut events = Vec::new();
    let seq = env.next_channel();
    let name = format!("Local/{}@{}-{seq:08x};1", options.exten, options.context);
    let mut chan = Channel::new(
        name,
        format!("{}.{seq}", options.now),
        &options.context,
        &options.exten,
    );
    chan.caller_num = options.caller_num.clone();
    chan.caller_name = options.caller_name.clone();
    for (name, value) in &options.vars {
        chan.set(name, value);
    }
    let mut exec = Exec {
        env,
        chan,
        events: Vec::new(),
        sink: None,
        seq,
        call_id: format!("C-{seq:08x}"),
        random: u64::from(seq),
        outcomes: options.apps.clone(),
        current_function: "",
        macro_warned: false,
        function_depth: 0,
        scratch: Vec::new(),
        steps: 0,
        max_steps: options.max_steps.max(1),
        limit_logged: false,
        now: options.now,
        digits: options.digits.chars().collect(),
        dial: options.dial.clone(),
        busy_devices: Vec::new(),
        in_h: false,
        trace: options.trace,
        compiled: rustc_hash::FxHashMap::default(),
        app_cache: rustc_hash::FxHashMap::default(),
    };
    let value = f(&mut exec);
    events.append(&mut exec.events);
    (value, events)
}

fn start<'e>(
    env: &'e mut dyn Env,
    options: &CallOptions,
    sink: Option<&'e mut dyn Sink>,
) -> CallResult {
    let seq = env.next_channel();
    let exten = if options.exten.is_empty() {
        "s"
    } else {
        &options.exten
    };
    let name = format!("Local/{}@{}-{seq:08x};1", exten, options.context);
    let uniqueid = format!("{}.{seq}", options.now);
    let mut chan = Channel::new(name, uniqueid, &options.context, exten);
    chan.caller_num = options.caller_num.clone();
    chan.caller_name = options.caller_name.clone();
    chan.cdr.start = options.now;
    for (name, value) in &options.vars {
        chan.set(name, value);
    }
    let mut exec = Exec {
        env,
        chan,
        events: Vec::new(),
        sink,
        seq,
        call_id: format!("C-{seq:08x}"),
        random: u64::from(seq).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ options.now as u64,
        outcomes: options.apps.clone(),
        current_function: "",
        macro_warned: false,
        function_depth: 0,
        scratch: Vec::new(),
        steps: 0,
        max_steps: options.max_steps.max(1),
        limit_logged: false,
        now: options.now,
        digits: options.digits.chars().collect(),
        dial: options.dial.clone(),
        busy_devices: Vec::new(),
        in_h: false,
        trace: options.trace,
        compiled: rustc_hash::FxHashMap::default(),
        app_cache: rustc_hash::FxHashMap::default(),
    };
    if options.exten.is_empty() {
        exec.verbose(
            2,
            format!(
                "Starting {} at {},{},1 failed so falling back to exten 's'",
                exec.chan.name, options.context, options.exten
            ),
        );
    }
    exec.main_loop();
    let steps = exec.steps;
    exec.hangup_h();
    for device in std::mem::take(&mut exec.busy_devices) {
        let changes = exec
            .env
            .set_device(&device, crate::state::DeviceState::NotInuse);
        exec.record(changes);
    }
    exec.chan.cdr.end = Some(exec.now);
    exec.chan.groups.clear();
    exec.chan.locks.clear();
    let cause = exec.chan.hangup_cause.unwrap_or(16);
    CallResult {
        events: std::mem::take(&mut exec.events),
        channel: exec.chan,
        cause,
        steps,
    }
}

impl<'e> Exec<'e> {
    /// Hands an event to the sink (or keeps it).
    pub(crate) fn emit(&mut self, event: Event) {
        match self.sink.as_deref_mut() {
            Some(sink) => sink.event(&event, &self.chan.name, &self.call_id),
            None => self.events.push(event),
        }
    }

    pub(crate) fn verbose(&mut self, level: u8, text: String) {
        if self.trace {
            self.emit(Event::Verbose { level, text });
        }
    }

    fn executing(&mut self, exten: &str, context: &str, priority: i32, app: &str, data: &str) {
        if !self.trace {
            return;
        }
        match self.sink.as_deref_mut() {
            Some(sink) => sink.executing(
                exten,
                context,
                priority,
                app,
                data,
                &self.chan.name,
                &self.call_id,
            ),
            None => self.events.push(Event::Executing {
                exten: exten.to_string(),
                context: context.to_string(),
                priority,
                app: app.to_string(),
                data: data.to_string(),
            }),
        }
    }

    pub(crate) fn log(&mut self, level: Level, text: String) {
        self.emit(Event::Log { level, text });
    }

    /// The outcome the call chose for an application or outside-world function, if any.
    pub(crate) fn outcome(&self, name: &str) -> Option<&str> {
        self.outcomes
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Answers the channel (state Up, the CDR's answer time).
    pub(crate) fn answer(&mut self) {
        if !self.chan.answered {
            self.chan.answered = true;
            self.chan.cdr.answer = Some(self.now);
            self.chan.cdr.disposition = "ANSWERED";
        }
    }

    /// A `Playing` line for one sound file, as `ast_streamfile` logs it.
    pub(crate) fn play(&mut self, file: &str) {
        if self.trace {
            let language = self.chan.prop("language").unwrap_or("en").to_string();
            let text = format!(
                "<{}> Playing '{file}.gsm' (language '{language}')",
                self.chan.name
            );
            self.verbose(3, text);
        }
    }

    /// Whether some extension of `context` could still match once more digits come.
    pub(crate) fn can_match_more(&self, context: &str, digits: &str) -> bool {
        use crate::dialplan::pattern::{extension_match, MatchMode};
        self.env.dialplan().context(context).is_some_and(|ctx| {
            ctx.extens
                .iter()
                .any(|e| extension_match(&e.name, digits, MatchMode::MatchMore).is_match())
        })
    }

    /// An executor on a fresh channel `s@default`, for tests of substitution.
    #[cfg(test)]
    pub(crate) fn for_test(env: &'e mut dyn Env) -> Exec<'e> {
        Exec {
            env,
            chan: Channel::new("Test/1".to_string(), "1.1".to_string(), "default", "s"),
            events: Vec::new(),
            sink: None,
            seq: 1,
            call_id: "C-00000001".to_string(),
            random: 1,
            outcomes: Vec::new(),
            current_function: "",
            macro_warned: false,
            function_depth: 0,
            scratch: Vec::new(),
            steps: 0,
            max_steps: DEFAULT_MAX_STEPS,
            limit_logged: false,
            now: 0,
            digits: VecDeque::new(),
            dial: Vec::new(),
            busy_devices: Vec::new(),
            in_h: false,
            trace: true,
            compiled: rustc_hash::FxHashMap::default(),
            app_cache: rustc_hash::FxHashMap::default(),
        }
    }

    /// Substitutes a priority's data, compiling it on first use (`compiled.rs`).
    pub(crate) fn substitute_data(&mut self, data: &str, key: usize) -> String {
        if !data.contains('$') {
            return data.to_string();
        }
        let compiled = match self.compiled.get(&key) {
            Some(it) => it.clone(),
            None => {
                let it = compile(data).map(std::rc::Rc::new);
                self.compiled.insert(key, it.clone());
                it
            }
        };
        let Some(compiled) = compiled else {
            return self.substitute(data);
        };
        let mut out = String::with_capacity(data.len() + 16);
        for seg in &compiled.segs {
            match seg {
                Seg::Lit(text) => out.push_str(text),
                Seg::Var(name) => {
                    if let Some(value) = Vars::var(self, name) {
                        out.push_str(&value);
                    }
                }
                Seg::Expr(expr) => {
                    let (template, vars, body) = (&expr.template, &expr.vars, &expr.body);
                    // The values go into buffers the executor keeps, so a step allocates
                    // nothing for them once the loop runs.
                    let mut scratch = std::mem::take(&mut self.scratch);
                    if scratch.len() < vars.len() {
                        scratch.resize_with(vars.len(), String::new);
                    }
                    for (slot, name) in scratch.iter_mut().zip(vars.iter()) {
                        slot.clear();
                        self.var_into(name, slot);
                    }
                    let outcome = {
                        let mut small = [""; 8];
                        let heap: Vec<&str>;
                        let refs: &[&str] = if vars.len() <= small.len() {
                            for (slot, value) in small.iter_mut().zip(scratch.iter()) {
                                *slot = value.as_str();
                            }
                            &small[..vars.len()]
                        } else {
                            heap = scratch[..vars.len()].iter().map(String::as_str).collect();
                            &heap
                        };
                        let calls = functions::Calls::new(self);
                        template.eval(refs, &calls)
                    };
                    self.scratch = scratch;
                    match outcome {
                        Some(outcome) => {
                            for warning in outcome.warnings {
                                self.log(Level::Warning, warning);
                            }
                            out.push_str(&outcome.value);
                        }
                        None => {
                            let text = self.substitute(&format!("$[{body}]"));
                            out.push_str(&text);
                        }
                    }
                }
            }
        }
        if out.len() > MAX_DATA {
            let mut end = MAX_DATA;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
        out
    }

    /// Substitutes variables, functions and expressions in application data.
    pub(crate) fn substitute(&mut self, text: &str) -> String {
        let mut out = substitute(text, self).into_owned();
        if out.len() > MAX_DATA {
            let mut end = MAX_DATA;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
        out
    }

    fn find(
        &self,
        context: &str,
        exten: &str,
        priority: i32,
    ) -> Result<Found<'_>, crate::dialplan::NotFound> {
        self.env.dialplan().find(
            context,
            exten,
            Target::Priority(priority),
            self.chan.caller_num.as_deref(),
        )
    }

    /// Whether an extension exists at priority 1 in a context (for `i`, `e`, `h`, `t`).
    pub(crate) fn exists(&self, context: &str, exten: &str) -> bool {
        self.find(context, exten, 1).is_ok()
    }

    /// Whether the step limit is reached (logged once).
    pub(crate) fn out_of_steps(&mut self) -> bool {
        if self.steps < self.max_steps {
            return false;
        }
        if !self.limit_logged {
            self.limit_logged = true;
            let text = format!(
                "channel '{}' executed {} priorities without hanging up; stopped by the step limit (--max-steps)",
                self.chan.name, self.max_steps
            );
            self.log(Level::Warning, text);
        }
        true
    }

    /// Runs the priority at the channel's location, if it exists: `None` when it does not.
    pub(crate) fn step(&mut self) -> Option<Flow> {
        let plan = self.env.shared_dialplan();
        let found = plan
            .find(
                &self.chan.context,
                &self.chan.exten,
                Target::Priority(self.chan.priority),
                self.chan.caller_num.as_deref(),
            )
            .ok()?;
        self.steps += 1;
        let key = found.priority.data.as_ptr() as usize;
        let data = self.substitute_data(&found.priority.data, key);
        Some(self.run_app(&found.priority.app, data))
    }

    /// The step loop.
    fn main_loop(&mut self) {
        loop {
            if self.out_of_steps() || self.sink.as_deref().is_some_and(|it| it.closed()) {
                return;
            }
            let priority = self.chan.priority;
            let Some(flow) = self.step() else {
                let (context, exten) = (self.chan.context.clone(), self.chan.exten.clone());
                if !self.not_found(&context, &exten, priority) {
                    return;
                }
                continue;
            };
            match flow {
                Flow::Next => {
                    if self.chan.hangup_cause.is_some() {
                        return;
                    }
                    self.chan.priority = priority.saturating_add(1);
                    if self.timed_out() && !self.absolute_timeout() {
                        return;
                    }
                }
                Flow::Jump(context, exten, priority) => {
                    self.chan.context = context;
                    self.chan.exten = exten;
                    self.chan.priority = priority;
                    if self.timed_out() && !self.absolute_timeout() {
                        return;
                    }
                }
                Flow::Stop | Flow::Error | Flow::MacroExit => {
                    let text = format!(
                        "Spawn extension ({}, {}, {priority}) exited non-zero on '{}'",
                        self.chan.context, self.chan.exten, self.chan.name
                    );
                    self.verbose(2, text);
                    if flow == Flow::Error
                        && self.chan.exten != "e"
                        && self.exists(&self.chan.context, "e")
                    {
                        self.raise("ERROR");
                        continue;
                    }
                    return;
                }
            }
        }
    }

    /// Whether `TIMEOUT(absolute)` has expired on the simulated clock.
    fn timed_out(&self) -> bool {
        self.chan.absolute_timeout.is_some_and(|at| self.now >= at)
    }

    /// An expired absolute timeout (`__ast_pbx_run`): on to `T`, else exception
    /// `ABSOLUTETIMEOUT`; false when neither exists and the call ends.
    fn absolute_timeout(&mut self) -> bool {
        self.chan.absolute_timeout = None;
        let context = self.chan.context.clone();
        if self.exists(&context, "T") {
            self.chan.exten = "T".to_string();
            self.chan.priority = 1;
            return true;
        }
        if self.exists(&context, "e") {
            self.raise("ABSOLUTETIMEOUT");
            return true;
        }
        self.chan.hangup_cause.get_or_insert(16);
        false
    }

    /// Runs one application: the `Executing` line, then the app; an unknown name stops the call
    /// with Asterisk's warning and no `Executing` line.
    fn run_app(&mut self, app: &str, data: String) -> Flow {
        let def = *self
            .app_cache
            .entry(app.as_ptr() as usize)
            .or_insert_with(|| apps::lookup(app));
        match def {
            None => {
                let text = format!(
                    "No application '{app}' for extension ({}, {}, {})",
                    self.chan.context, self.chan.exten, self.chan.priority
                );
                self.log(Level::Warning, text);
                Flow::Stop
            }
            Some(def) => {
                let (exten, context) = (
                    std::mem::take(&mut self.chan.exten),
                    std::mem::take(&mut self.chan.context),
                );
                self.executing(&exten, &context, self.chan.priority, def.name, &data);
                self.chan.exten = exten;
                self.chan.context = context;
                let flow = self.invoke(def, &data);
                self.chan.cdr.lastapp.clear();
                self.chan.cdr.lastapp.push_str(def.name);
                self.chan.cdr.lastdata = data;
                flow
            }
        }
    }

    /// Runs an application without an `Executing` line (`Exec`, `ExecIf`, ...).
    pub(crate) fn invoke(&mut self, def: &'static AppDef, data: &str) -> Flow {
        let previous = std::mem::replace(&mut self.chan.app, def.name);
        let flow = match def.kind {
            Kind::Run(run) => run(self, data),
            Kind::Sim(sim) => apps::simulate(self, def.name, sim, data),
        };
        self.chan.app = previous;
        flow
    }

    /// Handles a failed lookup (§6.1 step 5). Returns true when the call goes on.
    fn not_found(&mut self, context: &str, exten: &str, priority: i32) -> bool {
        let invalid = self.find(context, exten, 1).is_err();
        if invalid {
            if self.exists(context, "i") {
                self.verbose(
                    3,
                    format!(
                        "Channel '{}' sent to invalid extension: context,exten,priority={context},{exten},{priority}",
                        self.chan.name
                    ),
                );
                self.chan.set("INVALID_EXTEN", exten);
                self.chan.exten = "i".to_string();
                self.chan.priority = 1;
                return true;
            }
            if self.exists(context, "e") {
                self.raise("INVALID");
                return true;
            }
            self.log(
                Level::Warning,
                format!(
                    "Channel '{}' sent to invalid extension but no invalid handler: context,exten,priority={context},{exten},{priority}",
                    self.chan.name
                ),
            );
            return false;
        }
        // Ran off the end.
        if self.env.dialplan().general.autofallthrough {
            let status = self.chan.var("DIALSTATUS").unwrap_or("UNKNOWN").to_string();
            self.verbose(
                3,
                format!(
                    "Auto fallthrough, channel '{}' status is '{status}'",
                    self.chan.name
                ),
            );
            if !self.chan.answered && self.chan.hangup_cause.is_none() {
                match status.as_str() {
                    "BUSY" => self.chan.hangup_cause = Some(17),
                    "CONGESTION" | "CHANUNAVAIL" => self.chan.hangup_cause = Some(34),
                    _ => {}
                }
            }
            return false;
        }
        // autofallthrough=no: the digit wait times out at once in simulated time.
        if self.exists(context, "t") {
            self.verbose(3, format!("Timeout on {}", self.chan.name));
            self.chan.exten = "t".to_string();
            self.chan.priority = 1;
            return true;
        }
        if self.exists(context, "e") {
            self.raise("RESPONSETIMEOUT");
            return true;
        }
        self.log(
            Level::Warning,
            format!("Timeout, but no rule 't' or 'e' in context '{context}'"),
        );
        false
    }

    /// Raises an exception: remember where, continue at `e`,1.
    pub(crate) fn raise(&mut self, reason: &str) {
        self.chan.exception = Some((
            reason.to_string(),
            self.chan.context.clone(),
            self.chan.exten.clone(),
            self.chan.priority,
        ));
        self.chan.exten = "e".to_string();
        self.chan.priority = 1;
    }

    /// Runs the `h` extension of the current context once, if it exists.
    fn hangup_h(&mut self) {
        if self.in_h {
            return;
        }
        self.in_h = true;
        let context = self.chan.context.clone();
        if !self.exists(&context, "h") {
            return;
        }
        self.chan.exten = "h".to_string();
        self.chan.priority = 1;
        // The h extension gets its own allowance of steps.
        self.steps = 0;
        self.limit_logged = false;
        loop {
            if self.out_of_steps() {
                return;
            }
            let priority = self.chan.priority;
            let Some(flow) = self.step() else {
                return;
            };
            match flow {
                Flow::Next => self.chan.priority = priority.saturating_add(1),
                // A jump in `h` moves the channel, as any jump does (`ast_pbx_h_exten_run`
                // follows the channel's location).
                Flow::Jump(context, exten, p) => {
                    self.chan.context = context;
                    self.chan.exten = exten;
                    self.chan.priority = p;
                }
                Flow::Stop | Flow::Error | Flow::MacroExit => {
                    let text = format!(
                        "Spawn extension ({}, {}, {priority}) exited non-zero on '{}'",
                        self.chan.context, self.chan.exten, self.chan.name
                    );
                    self.verbose(2, text);
                    return;
                }
            }
        }
    }

    /// Resolves a Goto-style target `[[context,]exten,]priority` (§6.3 Goto) against the current
    /// location. `Err` carries the warning to log.
    pub(crate) fn resolve(&mut self, target: &str) -> Result<(String, String, i32), String> {
        let (context, exten, priority) = self.resolve_in(target)?;
        Ok((
            context.unwrap_or_else(|| self.chan.context.clone()),
            exten.unwrap_or_else(|| self.chan.exten.clone()),
            priority,
        ))
    }

    /// `resolve`, with `None` for a context or extension that stays the channel's own (so a
    /// jump inside the extension copies no names).
    pub(crate) fn resolve_in(
        &mut self,
        target: &str,
    ) -> Result<(Option<String>, Option<String>, i32), String> {
        let mut fields = target.split(',');
        let (context, exten, pri) = match (fields.next(), fields.next(), fields.next()) {
            (Some(p), None, _) => (None, None, p),
            (Some(e), Some(p), None) => (None, Some(e), p),
            (Some(c), Some(e), Some(p)) => (Some(c), Some(e), p),
            (None, ..) => {
                return Err("Goto requires an argument ([[context,]extension,]priority)".to_string())
            }
        };
        let context = context
            .filter(|it| !it.is_empty() && **it != *self.chan.context)
            .map(str::to_string);
        let exten = exten
            .filter(|it| !it.is_empty() && **it != *self.chan.exten)
            .map(str::to_string);
        let trimmed = pri.trim();
        if let Ok(n) = trimmed.parse::<i32>() {
            if !trimmed.starts_with(['+', '-']) {
                return Ok((context, exten, n));
            }
        }
        if let Some(rel) = trimmed
            .strip_prefix('+')
            .and_then(|it| it.parse::<i32>().ok())
        {
            return Ok((context, exten, self.chan.priority.saturating_add(rel)));
        }
        if let Some(rel) = trimmed
            .strip_prefix('-')
            .and_then(|it| it.parse::<i32>().ok())
        {
            return Ok((context, exten, self.chan.priority.saturating_sub(rel)));
        }
        let label = pri.trim_start_matches(['+', '-']);
        let number = {
            let ctx = context.as_deref().unwrap_or(&self.chan.context);
            let ext = exten.as_deref().unwrap_or(&self.chan.exten);
            self.env
                .dialplan()
                .find(
                    ctx,
                    ext,
                    Target::Label(label),
                    self.chan.caller_num.as_deref(),
                )
                .ok()
                .map(|found| found.priority.number)
        };
        match number {
            Some(number) => Ok((context, exten, number)),
            None => {
                let text = format!(
                    "No such label '{label}' in extension '{}' in context '{}'",
                    exten.as_deref().unwrap_or(&self.chan.exten),
                    context.as_deref().unwrap_or(&self.chan.context)
                );
                self.log(Level::Notice, text);
                Err(format!(
                    "Priority '{pri}' must be a number > 0, or valid label"
                ))
            }
        }
    }
}
