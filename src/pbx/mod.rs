//! The facade the front ends share: one loaded dialplan (behind an `Arc`, swapped whole on
//! reload), its sources and diagnostics, and the state engine fed with its hints.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod error;
mod guard;

pub use error::Error;
pub use guard::{lock, PbxGuard};

use crate::config::SourceProvider;
use crate::diag::{Diagnostics, SourceMap};
use crate::dialplan::Dialplan;
use crate::state::{
    Change, DeviceState, HintKey, Presence, PresenceState, PresenceValue, StateEngine,
};
use crate::store::{MemStore, Store};

/// The astdb family of Custom device states.
pub const DEVSTATE_FAMILY: &str = "CustomDevstate";
/// The astdb family of CustomPresence values.
pub const PRESENCE_FAMILY: &str = "CustomPresence";

/// A loaded PBX.
pub struct Pbx {
    provider: Arc<dyn SourceProvider + Send + Sync>,
    path: PathBuf,
    dialplan: Arc<Dialplan>,
    sources: SourceMap,
    diagnostics: Diagnostics,
    state: StateEngine,
    store: Box<dyn Store>,
    /// Global variables at run time: `[globals]` plus what calls set.
    globals: indexmap::IndexMap<String, String>,
    /// Channels created so far (names and unique ids count up).
    channels: u32,
    /// The step limit of each call (`core set max-steps`).
    pub max_steps: u64,
    /// Concrete hints created from pattern hints (kept across reloads while the pattern matches).
    pattern_hints: std::collections::HashSet<HintKey>,
    /// What `pjsip show subscriptions inbound` lists, when a SIP server runs beside this PBX.
    pub inbound: Option<Arc<dyn InboundSubscriptions>>,
}

/// `pjsip show subscriptions inbound` with no subscriptions (or no SIP server).
pub fn empty_inbound() -> String {
    format!(
        "Endpoint: <Endpoint/Caller-ID.............................................>\nResource: <Resource/Event.................................................>\n  Expiry: <Expiry>  <Call-id..............................................>\n{}\n\n0 active subscriptions\n",
        "=".repeat(75)
    )
}

/// The SIP server's view of its inbound subscriptions, for the console (which knows no SIP).
pub trait InboundSubscriptions: Send + Sync {
    /// The rows of `pjsip show subscriptions inbound`, as printed text, or none.
    fn show_inbound(&self) -> String;
    /// `pjsip show contacts`.
    fn show_contacts(&self) -> String {
        NO_OBJECTS.to_string()
    }
    /// `pjsip show aors`.
    fn show_aors(&self) -> String {
        NO_OBJECTS.to_string()
    }
    /// `pjsip show aor NAME`.
    fn show_aor(&self, name: &str) -> String {
        format!("Unable to find object {name}.\n\n")
    }
}

/// What Asterisk's `pjsip show` commands print for an empty container.
pub const NO_OBJECTS: &str = "No objects found.\n\n";

impl std::fmt::Debug for Pbx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pbx")
            .field("path", &self.path)
            .field("contexts", &self.dialplan.contexts.len())
            .field("hints", &self.state.n_hints())
            .finish()
    }
}

/// A `devstate change` that was applied.
#[derive(Debug)]
pub struct Changed {
    /// The name after the prefix, as typed.
    pub name: String,
    pub changes: Vec<Change>,
}

impl Pbx {
    /// Loads the dialplan in `path`. Never fails: an unreadable or rejected file gives an empty
    /// or partial dialplan, and `diagnostics()` says why.
    pub fn load<P>(provider: &P, path: &Path) -> Pbx
    where
        P: SourceProvider + Clone + Send + Sync + 'static,
    {
        Pbx::load_shared(Arc::new(provider.clone()), path)
    }

    fn load_shared(provider: Arc<dyn SourceProvider + Send + Sync>, path: &Path) -> Pbx {
        let loaded = crate::dialplan::load(provider.as_ref(), path);
        let mut state = StateEngine::default();
        register_hints(&loaded.value, &mut state);
        Pbx {
            path: path.to_path_buf(),
            globals: loaded
                .value
                .globals
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            dialplan: Arc::new(loaded.value),
            sources: loaded.sources,
            diagnostics: loaded.diagnostics,
            state,
            store: Box::new(MemStore::default()),
            provider,
            channels: 0,
            max_steps: crate::interp::limits::DEFAULT_MAX_STEPS,
            pattern_hints: std::collections::HashSet::new(),
            inbound: None,
        }
    }

    /// As `open`, with a provider already shared (the server's configuration folder or demo).
    pub fn open_shared(
        provider: Arc<dyn SourceProvider + Send + Sync>,
        path: &Path,
        store: Box<dyn Store>,
    ) -> Result<Pbx, Error> {
        let mut pbx = Pbx::load_shared(provider, path);
        pbx.store = store;
        pbx.restore()?;
        Ok(pbx)
    }

    /// Loads the dialplan and restores the persisted Custom device states and CustomPresence
    /// values from `store`, as Asterisk announces its astdb entries at start-up.
    pub fn open<P>(provider: &P, path: &Path, store: Box<dyn Store>) -> Result<Pbx, Error>
    where
        P: SourceProvider + Clone + Send + Sync + 'static,
    {
        let mut pbx = Pbx::load(provider, path);
        pbx.store = store;
        pbx.restore()?;
        Ok(pbx)
    }

    fn restore(&mut self) -> Result<(), Error> {
        let pbx = self;
        for (name, value) in pbx.store.family(DEVSTATE_FAMILY)? {
            let state = DeviceState::parse(&value);
            pbx.state.set_device(&format!("Custom:{name}"), state);
        }
        for (name, value) in pbx.store.family(PRESENCE_FAMILY)? {
            let presence = match PresenceValue::parse(&value) {
                Ok(parsed) => parsed.presence,
                Err(_) => Presence::new(PresenceState::Invalid),
            };
            pbx.state
                .set_presence(&format!("CustomPresence:{name}"), presence);
        }
        Ok(())
    }

    /// `${NAME}` read on a fresh channel (the manager's `Getvar` without a channel).
    pub fn get_var(&mut self, name: &str) -> String {
        crate::interp::get_var(self, &crate::interp::CallOptions::default(), name).0
    }

    /// `Set(NAME=VALUE)` on a fresh channel (the manager's `Setvar` without a channel); the
    /// first warning it logged, if any.
    pub fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        let events =
            crate::interp::set_var(self, &crate::interp::CallOptions::default(), name, value);
        match events.into_iter().find_map(|e| match e {
            crate::interp::Event::Log {
                level: crate::interp::Level::Warning | crate::interp::Level::Error,
                text,
            } => Some(text),
            _ => None,
        }) {
            Some(text) => Err(text),
            None => Ok(()),
        }
    }

    /// Runs a simulated call with default options otherwise: the manager's `Originate` of a
    /// `Local/EXTEN@CONTEXT` channel. Returns whether it was answered and its hangup cause.
    pub fn originate(
        &mut self,
        context: &str,
        exten: &str,
        caller: (Option<String>, Option<String>),
        vars: Vec<(String, String)>,
    ) -> (bool, u32) {
        let options = crate::interp::CallOptions {
            context: context.to_string(),
            exten: exten.to_string(),
            caller_num: caller.0,
            caller_name: caller.1,
            vars,
            trace: false,
            ..crate::interp::CallOptions::default()
        };
        let result = crate::interp::run(self, &options);
        (result.channel.answered, result.cause)
    }

    /// The hint a SUBSCRIBE for `exten` in `context` watches (spec sip-presence.md §4 step 7):
    /// the extension's hint priority, found through includes and patterns. A hint that only a
    /// pattern provides becomes a concrete hint for this number, as `EXTENSION_STATE` does.
    pub fn subscribe_hint(&mut self, context: &str, exten: &str) -> Option<HintKey> {
        let (name, ctx, text) = {
            let found = self
                .dialplan
                .find(
                    context,
                    exten,
                    crate::dialplan::Target::Priority(crate::dialplan::PRIORITY_HINT),
                    None,
                )
                .ok()?;
            (
                found.exten.name.to_string(),
                found.context.name.to_string(),
                found.priority.app.to_string(),
            )
        };
        if !name.starts_with('_') {
            let key = HintKey {
                exten: name.into(),
                context: ctx.into(),
            };
            return self.state.hint(&key).is_some().then_some(key);
        }
        let key = HintKey {
            exten: exten.into(),
            context: ctx.clone().into(),
        };
        if self.state.hint(&key).is_none() {
            let text = text.replace("${EXTEN}", exten).replace("${CONTEXT}", &ctx);
            crate::interp::Env::add_hint(self, exten, &ctx, &text);
        }
        Some(key)
    }

    /// Replaces the state database (`dialstate eval --db` without a dialplan).
    /// Waits until the writes `put_later` queued are durable (the server's lock guard calls it
    /// before the changes they caused are announced). A failure is logged: the state is already
    /// announced in memory, as Asterisk's astdb does when a write fails.
    pub fn commit_writes(&mut self) {
        if let Err(err) = self.store.commit() {
            tracing::error!(error = %err, "state database write failed");
        }
    }

    pub fn set_store(&mut self, store: Box<dyn Store>) {
        self.store = store;
    }

    /// `devstate change Custom:NAME STATE`: stores the state as typed (durably), then announces
    /// it. Nothing changes when it is refused.
    pub fn devstate_change(&mut self, device: &str, state: &str) -> Result<Changed, Error> {
        let name = strip_prefix_ignore_case(device, "Custom:")
            .ok_or_else(|| Error::NotCustomDevice(device.to_string()))?;
        if name.is_empty() {
            return Err(Error::EmptyName(device.to_string()));
        }
        let parsed = DeviceState::parse(state);
        if parsed == DeviceState::Unknown {
            return Err(Error::InvalidDeviceState(state.to_string()));
        }
        self.store.put_later(DEVSTATE_FAMILY, name, state)?;
        let device = format!("Custom:{name}");
        let changes = self.state.set_device(&device, parsed);
        self.autohint(&device);
        Ok(Changed {
            name: name.to_string(),
            changes,
        })
    }

    /// `presencestate change CustomPresence:NAME VALUE`: checks the value (state, subtype,
    /// message, options; strict base64 with `e`), stores it as typed (durably), then announces
    /// it decoded. Nothing changes when it is refused.
    pub fn presencestate_change(&mut self, provider: &str, value: &str) -> Result<Changed, Error> {
        let name = strip_prefix_ignore_case(provider, "CustomPresence:")
            .ok_or_else(|| Error::NotCustomPresence(provider.to_string()))?;
        if name.is_empty() {
            return Err(Error::EmptyName(provider.to_string()));
        }
        let parsed = PresenceValue::parse(value).map_err(|reason| Error::InvalidPresence {
            value: value.to_string(),
            reason,
        })?;
        self.store.put_later(PRESENCE_FAMILY, name, value)?;
        let changes = self.state.set_presence(provider, parsed.presence);
        Ok(Changed {
            name: name.to_string(),
            changes,
        })
    }

    /// Autohints (spec state.md §2.8): in every context with `autohints=yes` that has no hint
    /// for the device's name (the part after the first `/` or `:`), add one whose hint string is
    /// the device id.
    fn autohint(&mut self, device: &str) {
        let Some(split) = device.find(['/', ':']) else {
            return;
        };
        let name = &device[split + 1..];
        if name.is_empty() {
            return;
        }
        let contexts: Vec<String> = self
            .dialplan
            .contexts
            .values()
            .filter(|it| it.autohints)
            .map(|it| it.name.to_string())
            .collect();
        for context in contexts {
            let key = HintKey {
                exten: name.into(),
                context: context.as_str().into(),
            };
            let known = self.state.hint(&key).is_some()
                || self
                    .dialplan
                    .find(
                        &context,
                        name,
                        crate::dialplan::Target::Priority(crate::dialplan::PRIORITY_HINT),
                        None,
                    )
                    .is_ok();
            if !known {
                self.state.add_hint(key, device);
            }
        }
    }

    /// Every stored Custom device state `(name, value as typed)`, ordered as astdb orders them.
    pub fn custom_device_states(&self) -> Result<Vec<(String, String)>, Error> {
        Ok(self.store.family(DEVSTATE_FAMILY)?)
    }

    /// Every stored CustomPresence value `(name, value as typed)`.
    pub fn custom_presence_states(&self) -> Result<Vec<(String, String)>, Error> {
        Ok(self.store.family(PRESENCE_FAMILY)?)
    }

    pub fn state_mut(&mut self) -> &mut StateEngine {
        &mut self.state
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
    pub fn reload(&mut self) -> Reload {
        let provider = self.provider.clone();
        self.reload_with(provider.as_ref())
    }

    /// `reload`, reading the files through `provider` instead of the one the PBX was loaded with.
    pub fn reload_with(&mut self, provider: &dyn SourceProvider) -> Reload {
        let loaded = crate::dialplan::load(provider, &self.path);
        if loaded.diagnostics.rejects_file() {
            return Reload::Kept {
                sources: loaded.sources,
                diagnostics: loaded.diagnostics,
            };
        }
        let mut hints = hint_list(&loaded.value);
        // Concrete hints made from a pattern survive while a pattern hint still matches them
        // (`context_merge` in main/pbx.c); their string is derived from the new pattern.
        let mut kept = std::collections::HashSet::new();
        for key in &self.pattern_hints {
            let found = loaded.value.find(
                &key.context,
                &key.exten,
                crate::dialplan::Target::Priority(crate::dialplan::PRIORITY_HINT),
                None,
            );
            if let Ok(found) = found {
                if found.exten.is_pattern() && !hints.iter().any(|(k, _)| k == key) {
                    let text = found
                        .priority
                        .app
                        .replace("${EXTEN}", &key.exten)
                        .replace("${CONTEXT}", &key.context);
                    hints.push((key.clone(), text));
                    kept.insert(key.clone());
                }
            }
        }
        self.pattern_hints = kept;
        let changes = self.state.set_hints(&hints);
        // Globals persist across reloads unless `clearglobalvars=yes` (spec dialplan.md §2.1).
        if loaded.value.general.clearglobalvars {
            self.globals.clear();
        }
        for (name, value) in &loaded.value.globals {
            self.globals.insert(name.to_string(), value.to_string());
        }
        self.dialplan = Arc::new(loaded.value);
        self.sources = loaded.sources;
        self.diagnostics = loaded.diagnostics;
        Reload::Replaced { changes }
    }

    /// Points the PBX at another top-level file; it is read at the next `reload`.
    pub fn set_path(&mut self, path: &Path) {
        self.path = path.to_path_buf();
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
    /// The new dialplan is active; hints that stayed kept their state and watchers.
    Replaced { changes: Vec<Change> },
    /// The new files were refused; the previous dialplan stays active. The refused load's
    /// sources and diagnostics say why.
    Kept {
        sources: SourceMap,
        diagnostics: Diagnostics,
    },
}

fn hint_list(plan: &Dialplan) -> Vec<(HintKey, String)> {
    plan.hints()
        .map(|(ctx, exten, hint)| {
            (
                HintKey {
                    exten: exten.name.clone(),
                    context: ctx.name.clone(),
                },
                hint.app.to_string(),
            )
        })
        .collect()
}

fn register_hints(plan: &Dialplan, state: &mut StateEngine) {
    for (key, text) in hint_list(plan) {
        state.add_hint(key, &text);
    }
}

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests;

impl crate::interp::Env for Pbx {
    fn dialplan(&self) -> &Dialplan {
        &self.dialplan
    }

    fn shared_dialplan(&self) -> Arc<Dialplan> {
        self.dialplan.clone()
    }

    fn state(&self) -> &StateEngine {
        &self.state
    }

    fn set_device(&mut self, id: &str, state: DeviceState) -> Vec<Change> {
        let changes = self.state.set_device(id, state);
        self.autohint(id);
        changes
    }

    fn set_ringing_call(&mut self, device: &str, call: Option<crate::state::RingingCall>) {
        self.state.set_ringing_call(device, call);
    }

    fn global(&self, name: &str) -> Option<String> {
        self.globals.get(name).cloned()
    }

    fn set_global(&mut self, name: &str, value: &str) {
        self.globals.insert(name.to_string(), value.to_string());
    }

    fn delete_global(&mut self, name: &str) {
        self.globals.shift_remove(name);
    }

    fn write_custom_device(&mut self, device: &str, value: &str) -> Result<Vec<Change>, String> {
        match self.devstate_change(device, value) {
            Ok(done) => Ok(done.changes),
            Err(Error::NotCustomDevice(_)) => Err(
                "The DEVICE_STATE function can only be used to set 'Custom:' device state!"
                    .to_string(),
            ),
            Err(Error::EmptyName(_)) => {
                Err("DEVICE_STATE function called with no custom device name!".to_string())
            }
            Err(Error::InvalidDeviceState(_)) => Err(format!(
                "DEVICE_STATE function given invalid state value '{value}'"
            )),
            Err(err) => Err(err.to_string()),
        }
    }

    fn write_custom_presence(
        &mut self,
        provider: &str,
        value: &str,
    ) -> Result<Vec<Change>, String> {
        match self.presencestate_change(provider, value) {
            Ok(done) => Ok(done.changes),
            Err(Error::NotCustomPresence(_)) => Err(
                "The PRESENCE_STATE function can only set CustomPresence: presence providers."
                    .to_string(),
            ),
            Err(Error::EmptyName(_)) => {
                Err("PRESENCE_STATE function called with no custom device name!".to_string())
            }
            Err(Error::InvalidPresence { reason, .. }) => {
                Err(format!("Invalid arguments to PRESENCE_STATE: {reason}"))
            }
            Err(err) => Err(err.to_string()),
        }
    }

    fn db_get(&self, family: &str, key: &str) -> Option<String> {
        self.store.get(family, key).ok().flatten()
    }

    fn db_put(&mut self, family: &str, key: &str, value: &str) -> Result<(), String> {
        self.store
            .put(family, key, value)
            .map_err(|err| err.to_string())
    }

    fn db_del(&mut self, family: &str, key: &str) -> bool {
        self.store.delete(family, key).unwrap_or(false)
    }

    fn db_tree(&self, prefix: &str) -> Vec<(String, String)> {
        self.store.family(prefix).unwrap_or_default()
    }

    fn db_deltree(&mut self, family: &str, keytree: &str) -> Result<usize, String> {
        let prefix = if keytree.is_empty() {
            family.to_string()
        } else {
            format!("{family}/{keytree}")
        };
        let keys = self.store.family(&prefix).map_err(|err| err.to_string())?;
        let mut n = 0;
        for (key, _) in keys {
            let key = if keytree.is_empty() {
                key
            } else {
                format!("{keytree}/{key}")
            };
            if self
                .store
                .delete(family, &key)
                .map_err(|err| err.to_string())?
            {
                n += 1;
            }
        }
        if !keytree.is_empty()
            && self
                .store
                .delete(family, keytree)
                .map_err(|err| err.to_string())?
        {
            n += 1;
        }
        Ok(n)
    }

    fn add_hint(&mut self, exten: &str, context: &str, text: &str) {
        let key = HintKey {
            exten: exten.into(),
            context: context.into(),
        };
        self.pattern_hints.insert(key.clone());
        self.state.add_hint(key, text);
    }

    fn next_channel(&mut self) -> u32 {
        self.channels += 1;
        self.channels
    }
}
