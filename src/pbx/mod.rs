//! The facade the front ends share: one loaded dialplan (behind an `Arc`, swapped whole on
//! reload), its sources and diagnostics, and the state engine fed with its hints.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::SourceProvider;
use crate::diag::{Diagnostics, SourceMap};
use crate::dialplan::Dialplan;
use crate::state::{HintKey, StateEngine};

/// A loaded PBX.
#[derive(Debug)]
pub struct Pbx {
    path: PathBuf,
    dialplan: Arc<Dialplan>,
    sources: SourceMap,
    diagnostics: Diagnostics,
    state: StateEngine,
}

impl Pbx {
    /// Loads the dialplan in `path`. Never fails: an unreadable or rejected file gives an empty
    /// or partial dialplan, and `diagnostics()` says why.
    pub fn load(provider: &dyn SourceProvider, path: &Path) -> Pbx {
        Pbx::load_inner(provider, path)
    }

    fn load_inner(provider: &dyn SourceProvider, path: &Path) -> Pbx {
        let loaded = crate::dialplan::load(provider, path);
        let mut state = StateEngine::default();
        register_hints(&loaded.value, &mut state);
        Pbx {
            path: path.to_path_buf(),
            dialplan: Arc::new(loaded.value),
            sources: loaded.sources,
            diagnostics: loaded.diagnostics,
            state,
        }
    }

    /// Loads a dialplan held in memory under the display name `name`.
    pub fn load_str(name: &str, text: &str) -> Pbx {
        let provider = crate::config::MemProvider::default().with(name, text.as_bytes().to_vec());
        Pbx::load(&provider, Path::new(name))
    }

    /// Re-reads the dialplan from its path. When the new files have a problem that makes
    /// Asterisk refuse them (spec dialplan.md §1.7), the running dialplan is kept and the new
    /// diagnostics are returned with `Reload::Kept`; otherwise the new dialplan replaces the old
    /// one whole and its hints are registered again.
    pub fn reload(&mut self, provider: &dyn SourceProvider) -> Reload {
        let loaded = crate::dialplan::load(provider, &self.path);
        if loaded.diagnostics.rejects_file() {
            return Reload::Kept {
                sources: loaded.sources,
                diagnostics: loaded.diagnostics,
            };
        }
        let mut state = StateEngine::default();
        register_hints(&loaded.value, &mut state);
        self.dialplan = Arc::new(loaded.value);
        self.sources = loaded.sources;
        self.diagnostics = loaded.diagnostics;
        self.state = state;
        Reload::Replaced
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dialplan(&self) -> &Dialplan {
        &self.dialplan
    }

    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    pub fn state(&self) -> &StateEngine {
        &self.state
    }
}

/// What `Pbx::reload` did.
#[derive(Debug)]
pub enum Reload {
    /// The new dialplan is active.
    Replaced,
    /// The new files were refused; the previous dialplan stays active. The refused load's
    /// sources and diagnostics say why.
    Kept {
        sources: SourceMap,
        diagnostics: Diagnostics,
    },
}

fn register_hints(plan: &Dialplan, state: &mut StateEngine) {
    for (ctx, exten, hint) in plan.hints() {
        state.add_hint(
            HintKey {
                exten: exten.name.clone(),
                context: ctx.name.clone(),
            },
            &hint.app,
        );
    }
}

#[cfg(test)]
mod tests;
