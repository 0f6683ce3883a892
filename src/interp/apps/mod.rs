//! The applications, laid out as Asterisk's `apps/` is: one file per family, each exporting an
//! `APPS` table, and one frozen registry built from all of them. Names are looked up ignoring
//! case and printed in their registered spelling. An application either runs (`Kind::Run`: it
//! changes the flow or the variables exactly as Asterisk does) or is simulated (`Kind::Sim`: a
//! telephony application with no media here; it says what would happen, sets the status
//! variables Asterisk sets from an outcome the call chooses, and ends or continues the call as
//! that outcome would).

mod bridges;
mod builtins;
mod cdr;
mod conditionals;
mod db;
mod dial;
mod drivers;
mod events;
mod external;
mod flow;
mod loops;
mod media;
mod queues;
mod say;
mod signals;
mod simulated;
mod stack;
mod transfers;
mod voicemail;

use std::sync::OnceLock;

use crate::interp::exec::{Exec, Flow};
use crate::interp::trace::Level;

pub(crate) type App = fn(&mut Exec<'_>, &str) -> Flow;

/// A simulated telephony application.
pub(crate) struct Sim {
    /// The status variable Asterisk sets (empty: none).
    pub status: &'static str,
    /// The outcomes the call may choose; the first is the default.
    pub outcomes: &'static [&'static str],
    /// Outcomes after which the application returns -1 (the caller is gone).
    pub ends: &'static [&'static str],
    /// Whether the application answers the channel.
    pub answers: bool,
    /// What it would do, for the trace (`join conference`, `run the AGI script`).
    pub what: &'static str,
    /// Asterisk's warning for empty data, after which the application returns -1.
    pub needs_data: Option<&'static str>,
}

pub(crate) enum Kind {
    Run(App),
    Sim(&'static Sim),
}

/// One registered application.
pub(crate) struct AppDef {
    pub name: &'static str,
    /// Asterisk's one-line synopsis.
    pub synopsis: &'static str,
    pub kind: Kind,
    /// The outcomes a call may choose (simulated applications, and those with their own code
    /// that take an outcome).
    pub sim: Option<&'static Sim>,
}

impl AppDef {
    pub(crate) const fn run(name: &'static str, synopsis: &'static str, run: App) -> AppDef {
        AppDef {
            name,
            synopsis,
            kind: Kind::Run(run),
            sim: None,
        }
    }

    /// An application with its own code that also takes an outcome.
    pub(crate) const fn run_with(
        name: &'static str,
        synopsis: &'static str,
        run: App,
        sim: &'static Sim,
    ) -> AppDef {
        AppDef {
            name,
            synopsis,
            kind: Kind::Run(run),
            sim: Some(sim),
        }
    }

    pub(crate) const fn sim(
        name: &'static str,
        synopsis: &'static str,
        sim: &'static Sim,
    ) -> AppDef {
        AppDef {
            name,
            synopsis,
            kind: Kind::Sim(sim),
            sim: Some(sim),
        }
    }
}

const FAMILIES: &[&[AppDef]] = &[
    builtins::APPS,
    cdr::APPS,
    conditionals::APPS,
    db::APPS,
    dial::APPS,
    drivers::APPS,
    events::APPS,
    flow::APPS,
    loops::APPS,
    media::APPS,
    say::APPS,
    simulated::APPS,
    signals::APPS,
    transfers::APPS,
    voicemail::APPS,
    queues::APPS,
    bridges::APPS,
    external::APPS,
    stack::APPS,
];

/// Longest registered name; longer names are never found.
const MAX_NAME: usize = 48;

type Table = rustc_hash::FxHashMap<String, &'static AppDef>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::default();
        for app in FAMILIES.iter().flat_map(|it| it.iter()) {
            debug_assert!(
                app.name.len() <= MAX_NAME,
                "invariant: {} too long",
                app.name
            );
            let previous = table.insert(app.name.to_ascii_lowercase(), app);
            debug_assert!(
                previous.is_none(),
                "invariant: {} registered twice",
                app.name
            );
        }
        table
    })
}

/// The application registered under `name` (any case).
pub(crate) fn lookup(name: &str) -> Option<&'static AppDef> {
    if name.len() > MAX_NAME {
        return None;
    }
    let mut buf = [0u8; MAX_NAME];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    let key = std::str::from_utf8(lower).ok()?;
    table().get(key).copied()
}

/// What `core show applications` lists: (name, synopsis, simulated), sorted by name.
pub fn catalogue() -> Vec<(&'static str, &'static str, bool)> {
    let mut all: Vec<_> = table()
        .values()
        .map(|it| (it.name, it.synopsis, it.sim.is_some()))
        .collect();
    all.sort_unstable_by_key(|it| it.0.to_ascii_lowercase());
    all
}

/// What a simulated application's outcomes are, for `core show application NAME`.
pub fn outcomes(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    lookup(name)?.sim.map(|sim| (sim.status, sim.outcomes))
}

/// Runs a simulated application.
pub(crate) fn simulate(exec: &mut Exec<'_>, name: &'static str, sim: &Sim, data: &str) -> Flow {
    if data.is_empty() {
        if let Some(warning) = sim.needs_data {
            exec.log(empty_data_level(name), warning.to_string());
            if !sim.status.is_empty() {
                exec.chan.set(sim.status, "FAILURE");
            }
            return Flow::Stop;
        }
    }
    let chosen = match exec.outcome(name) {
        Some(wanted) => match sim
            .outcomes
            .iter()
            .find(|it| it.eq_ignore_ascii_case(wanted))
        {
            Some(it) => *it,
            None => {
                let text = format!(
                    "unknown outcome `{wanted}` for {name}; expected {}",
                    sim.outcomes.join(", ")
                );
                exec.log(Level::Warning, text);
                sim.outcomes.first().copied().unwrap_or("")
            }
        },
        None => sim.outcomes.first().copied().unwrap_or(""),
    };
    if sim.answers && !exec.chan.answered {
        exec.answer();
    }
    let target = data.split(',').next().unwrap_or("");
    let status = if sim.status.is_empty() || chosen.is_empty() {
        String::new()
    } else {
        exec.chan.set(sim.status, chosen);
        format!("; {}={chosen}", sim.status)
    };
    let target = if target.is_empty() {
        String::new()
    } else {
        format!(" '{target}'")
    };
    exec.verbose(
        3,
        format!("Simulated {name}: would {}{target}{status}", sim.what),
    );
    if sim.ends.contains(&chosen) {
        exec.chan.hangup_cause.get_or_insert(16);
        Flow::Stop
    } else {
        Flow::Next
    }
}

/// The level at which an application complains about empty data (most warn; these log errors).
fn empty_data_level(name: &str) -> Level {
    const ERRORS: &[&str] = &[
        "ExternalIVR",
        "Originate",
        "MinivmRecord",
        "MinivmGreet",
        "MinivmNotify",
        "MinivmAccMess",
    ];
    if ERRORS.contains(&name) {
        Level::Error
    } else {
        Level::Warning
    }
}
