//! The dialplan model: lowers a raw `ConfFile` into a checked `Dialplan` (contexts, extensions
//! in Asterisk's match order, priorities, labels, hints, includes) and answers lookups with
//! Asterisk's pattern matching and include search.

mod apps;
mod grammar;

mod limits;
mod lint;
mod lookup;
mod lower;
mod model;
pub mod pattern;
pub mod timespec;

use std::path::Path;

pub use apps::is_known_application;
pub use lookup::{Caller, Found, NotFound, Target};
pub use model::{
    Context, Dialplan, Exten, General, Ignorepat, Include, Priority, Switch, PRIORITY_HINT,
};

use crate::config::{ConfFile, SourceProvider};
use crate::diag::Loaded;

/// Reads, lowers and lints the dialplan in `path` (and everything it includes).
pub fn load(provider: &dyn SourceProvider, path: &Path) -> Loaded<Dialplan> {
    from_conf(crate::config::load(provider, path))
}

/// Lowers and lints an already-read config file.
pub fn from_conf(conf: Loaded<ConfFile>) -> Loaded<Dialplan> {
    let Loaded {
        value,
        sources,
        mut diagnostics,
    } = conf;
    let plan = lower::lower(&value, &mut diagnostics);
    drop(value);
    lint::lint(&plan, &mut diagnostics);
    diagnostics.sort();
    Loaded {
        value: plan,
        sources,
        diagnostics,
    }
}

/// Reads a dialplan held in memory under the display name `name`.
pub fn load_str(name: &str, text: &str) -> Loaded<Dialplan> {
    from_conf(crate::config::load_str(name, text))
}

#[cfg(test)]
mod tests;
