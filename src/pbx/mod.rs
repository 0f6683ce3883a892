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
