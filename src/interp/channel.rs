//! A simulated channel: where it is in the dialplan, its variables (most recent first, `_`/`__`
//! prefixes kept for inheritance and ignored for lookups), its Gosub stack and how it ended.

/// One Gosub frame.
#[derive(Debug, Clone)]
pub struct Frame {
    pub ret_context: String,
    pub ret_exten: String,
    /// The priority after the Gosub.
    pub ret_priority: i32,
    /// Variable names this frame pushed (ARGn, LOCAL()s), to delete on Return.
    pub locals: Vec<String>,
    /// How many ARGn this frame set.
    pub n_args: usize,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub name: String,
    pub uniqueid: String,
    pub context: String,
    pub exten: String,
    pub priority: i32,
    pub caller_num: Option<String>,
    pub caller_name: Option<String>,
    /// Variables, most recently set first.
    vars: Vec<(String, String)>,
    pub stack: Vec<Frame>,
    /// Whether a Gosub ever ran (for the Return error wording).
    pub stack_allocated: bool,
    pub answered: bool,
    pub hangup_cause: Option<u32>,
    /// Exception raised: (reason, context, exten, priority).
    pub exception: Option<(String, String, String, i32)>,
    /// `CHANNEL()` items the dialplan set (`language`, `accountcode`, ...), lower-case names;
    /// also connected-line and redirecting parties.
    props: Vec<(String, String)>,
    /// `SHARED()` variables.
    pub shared: Vec<(String, String)>,
    /// The call's simulated CDR.
    pub cdr: Cdr,
    /// `GROUP()` memberships: (group, category).
    pub groups: Vec<(String, String)>,
    /// Named locks held (`LOCK()`), released at hangup.
    pub locks: Vec<String>,
    /// `TIMEOUT(absolute)` deadline (simulated Unix seconds), digit and response timeouts (ms).
    pub absolute_timeout: Option<i64>,
    pub digit_timeout_ms: i64,
    pub response_timeout_ms: i64,
    /// The application running now (`CHANNEL(appname)`).
    pub app: &'static str,
    /// Macro nesting (`MACRO_DEPTH`).
    pub macro_depth: usize,
}

/// A simulated call detail record (`main/cdr.c`): what `CDR()` reads and `--cdr` prints.
#[derive(Debug, Clone, Default)]
pub struct Cdr {
    pub start: i64,
    pub answer: Option<i64>,
    pub end: Option<i64>,
    pub lastapp: String,
    pub lastdata: String,
    pub dstchannel: String,
    /// `NO ANSWER`, `ANSWERED`, `BUSY`, `FAILED`, `CONGESTION`.
    pub disposition: &'static str,
    pub userfield: String,
    pub accountcode: String,
    pub amaflags: String,
    /// `CDR(name)=value` variables.
    pub vars: Vec<(String, String)>,
    /// `CDR_PROP(disable)=1`.
    pub disabled: bool,
}

/// `name` without its inheritance prefix.
pub fn bare(name: &str) -> &str {
    name.strip_prefix("__")
        .or_else(|| name.strip_prefix('_'))
        .unwrap_or(name)
}

impl Channel {
    pub fn new(name: String, uniqueid: String, context: &str, exten: &str) -> Channel {
        Channel {
            name,
            uniqueid,
            context: context.to_string(),
            exten: exten.to_string(),
            priority: 1,
            caller_num: None,
            caller_name: None,
            vars: Vec::new(),
            stack: Vec::new(),
            stack_allocated: false,
            answered: false,
            hangup_cause: None,
            exception: None,
            props: Vec::new(),
            shared: Vec::new(),
            cdr: Cdr {
                disposition: "NO ANSWER",
                amaflags: "DOCUMENTATION".to_string(),
                ..Cdr::default()
            },
            groups: Vec::new(),
            locks: Vec::new(),
            absolute_timeout: None,
            digit_timeout_ms: 5000,
            response_timeout_ms: 10000,
            app: "",
            macro_depth: 0,
        }
    }

    /// A `CHANNEL()` item the dialplan set (lower-case name).
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_prop(&mut self, name: &str, value: &str) {
        match self.props.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.props.push((name.to_string(), value.to_string())),
        }
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        let name = bare(name);
        self.vars
            .iter()
            .find(|(n, _)| bare(n) == name)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces any variable of that name (ignoring prefixes) and puts the new one first.
    pub fn set(&mut self, name: &str, value: &str) {
        let key = bare(name).to_string();
        self.vars.retain(|(n, _)| bare(n) != key);
        self.vars.insert(0, (name.to_string(), value.to_string()));
    }

    /// Inserts without removing an older one of the same name (Gosub locals).
    pub fn push(&mut self, name: &str, value: &str) {
        self.vars.insert(0, (name.to_string(), value.to_string()));
    }

    /// Removes the most recent variable of that name; returns whether there was one.
    pub fn pop(&mut self, name: &str) -> bool {
        let name = bare(name);
        match self.vars.iter().position(|(n, _)| bare(n) == name) {
            Some(pos) => {
                self.vars.remove(pos);
                true
            }
            None => false,
        }
    }

    /// Removes every variable of that name.
    pub fn delete(&mut self, name: &str) {
        let name = bare(name).to_string();
        self.vars.retain(|(n, _)| bare(n) != name);
    }

    /// The n-th (0 = newest) stacked value of a variable.
    pub fn peek(&self, n: usize, name: &str) -> Option<&str> {
        let name = bare(name);
        self.vars
            .iter()
            .filter(|(v, _)| bare(v) == name)
            .nth(n)
            .map(|(_, v)| v.as_str())
    }

    /// Every variable, oldest first, as `name=value`.
    pub fn variables(&self) -> impl Iterator<Item = &(String, String)> {
        self.vars.iter().rev()
    }
}
