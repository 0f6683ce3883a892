//! The state engine: current device and presence states, and the extension state and presence
//! of every hint derived from them. Pure: no IO, no clock. A change to one device recomputes only
//! the hints that name it (an index device → hints), and every change is reported to the
//! watchers of the hint it concerns, in order, with old and new values.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::mpsc::{channel, Receiver, Sender};

use rustc_hash::FxHashMap;

use crate::state::{
    aggregate, Change, DeviceState, Eid, ExtensionState, Hint, Presence, PresenceState, RingingCall,
};

/// Technologies treated as configured channel drivers: their devices start `UNAVAILABLE`
/// (configured, nothing registered), as PJSIP endpoints do on a fresh Asterisk.
const TECHNOLOGIES: &[&str] = &[
    "PJSIP", "SIP", "IAX2", "DAHDI", "Console", "Motif", "Skinny", "MGCP", "Unistim", "WebRTC",
];

/// Which hint: an extension in a context.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HintKey {
    pub exten: Box<str>,
    pub context: Box<str>,
}

impl fmt::Display for HintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.exten, self.context)
    }
}

type DeviceId = u32;
type ProviderId = u32;
type HintId = u32;

#[derive(Debug, Clone)]
struct DeviceEntry {
    /// The id as first seen.
    name: Box<str>,
    /// The aggregate of this server's state and every other server's (spec state.md §1.7):
    /// what hints, the manager and the console see.
    state: DeviceState,
    /// This server's own state.
    local: DeviceState,
    /// What other servers announced, one entry per server (their EID).
    remotes: Vec<(Eid, DeviceState)>,
    /// Whether anyone announced a state yet (the first announcement is never de-duplicated).
    announced: bool,
    /// Whether this server announced a state (only those are published to peers).
    local_announced: bool,
    hints: Vec<HintId>,
}

#[derive(Debug, Clone)]
struct ProviderEntry {
    /// The id as first seen.
    name: Box<str>,
    /// Whether anyone announced a presence yet.
    announced: bool,
    presence: Presence,
    hints: Vec<HintId>,
}

#[derive(Debug, Clone)]
struct HintEntry {
    key: HintKey,
    hint: Hint,
    devices: Vec<DeviceId>,
    providers: Vec<ProviderId>,
    state: ExtensionState,
    presence: Presence,
    /// This hint's own watchers (global ones live in `StateEngine::global`).
    watchers: Vec<Watcher>,
    /// Watchers kept outside the engine (SIP subscriptions fanned out by the SIP layer from
    /// one global watcher), counted in `core show hints`.
    external: u32,
}

/// What `core show hints` shows about one hint.
#[derive(Debug, Clone, Copy)]
pub struct HintView<'a> {
    pub key: &'a HintKey,
    /// The hint string (devices and presence part, without the display name).
    pub text: &'a str,
    pub state: ExtensionState,
    pub presence: &'a Presence,
    pub watchers: usize,
}

/// A watcher's handle; pass it to `StateEngine::unwatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WatchId(u64);

/// Where a watcher's changes go: a std channel, a function (which lets the async layers
/// forward into their own channels without the engine knowing them), or a function called later,
/// by `StateEngine::flush`. A sink that returns false is gone and is dropped.
#[derive(Clone)]
pub enum Sink {
    Channel(Sender<Change>),
    Func(std::sync::Arc<dyn Fn(&Change) -> bool + Send + Sync>),
    Deferred(std::sync::Arc<Deferred>),
}

/// Changes held until `StateEngine::flush`. The server keeps the engine behind a lock and
/// flushes when it lets the lock go, so what one hold of the lock changed (a pipelined batch of
/// commands, say) is handed to the consumer back to back and a consumer on another thread wakes
/// once for all of it instead of once per change.
pub struct Deferred {
    pending: std::sync::Mutex<Vec<Change>>,
    deliver: Box<dyn Fn(&Change) -> bool + Send + Sync>,
}

impl Deferred {
    fn hold(&self, change: &Change) {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(change.clone());
    }

    /// Delivers what was held, in order; false when the consumer is gone.
    fn flush(&self) -> bool {
        let held = std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        held.iter().all(|change| (self.deliver)(change))
    }
}

impl Sink {
    /// A sink whose changes wait for `StateEngine::flush`, then go to `deliver` in order.
    pub fn deferred(deliver: impl Fn(&Change) -> bool + Send + Sync + 'static) -> Sink {
        Sink::Deferred(std::sync::Arc::new(Deferred {
            pending: std::sync::Mutex::new(Vec::new()),
            deliver: Box::new(deliver),
        }))
    }

    fn send(&self, change: &Change) -> bool {
        match self {
            Sink::Channel(tx) => tx.send(change.clone()).is_ok(),
            Sink::Func(f) => f(change),
            Sink::Deferred(d) => {
                d.hold(change);
                true
            }
        }
    }
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sink::Channel(_) => f.write_str("Sink::Channel"),
            Sink::Func(_) => f.write_str("Sink::Func"),
            Sink::Deferred(_) => f.write_str("Sink::Deferred"),
        }
    }
}

#[derive(Debug, Clone)]
struct Watcher {
    id: WatchId,
    extended: bool,
    tx: Sink,
}

/// Why a watch was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchError {
    NoHint(HintKey),
    /// A deferred sink watches every hint, never one.
    DeferredOneHint,
}

/// Told of every local device announcement (after de-duplication): what a server publishes to
/// its peers. Remote announcements never reach it, so two servers never echo a change.
pub type LocalDeviceSink = std::sync::Arc<dyn Fn(&str, DeviceState) + Send + Sync>;

/// Current state of devices, presence providers and hints.
#[derive(Default)]
pub struct StateEngine {
    local_sink: Option<LocalDeviceSink>,
    device_ids: FxHashMap<String, DeviceId>,
    devices: Vec<DeviceEntry>,
    provider_ids: FxHashMap<String, ProviderId>,
    providers: Vec<ProviderEntry>,
    hints: Vec<Option<HintEntry>>,
    free_hints: Vec<HintId>,
    /// Hints in `exten@context` order, the order `core show hints` uses.
    by_key: BTreeMap<String, HintId>,
    /// The same hints by key, for routing changes to their watchers.
    ids: FxHashMap<HintKey, HintId>,
    /// Watchers of every hint.
    global: Vec<Watcher>,
    /// Which hint each per-hint watcher watches.
    watching: FxHashMap<WatchId, HintId>,
    /// The channel making each ringing device ring, when a simulated call said so.
    calls: FxHashMap<DeviceId, std::sync::Arc<RingingCall>>,
    next_call: u64,
    next_watch: u64,
}

impl fmt::Debug for StateEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateEngine")
            .field("devices", &self.devices.len())
            .field("providers", &self.providers.len())
            .field("hints", &self.by_key.len())
            .finish_non_exhaustive()
    }
}

/// The routing key of a device: the technology or provider prefix ignores case, the rest does
/// not (so `custom:x` and `Custom:x` are one device).
fn device_key(id: &str) -> std::borrow::Cow<'_, str> {
    let split = id.find(['/', ':']).unwrap_or(0);
    if !id[..split].bytes().any(|b| b.is_ascii_uppercase()) {
        return std::borrow::Cow::Borrowed(id);
    }
    let mut key = id[..split].to_ascii_lowercase();
    key.push_str(&id[split..]);
    std::borrow::Cow::Owned(key)
}

/// The routing key of a presence provider: label case ignored, name exact.
fn provider_key(id: &str) -> std::borrow::Cow<'_, str> {
    device_key(id)
}

impl StateEngine {
    // ---- hints ---------------------------------------------------------------------------

    /// Registers one hint (or replaces its hint string) and computes its state.
    pub fn add_hint(&mut self, key: HintKey, text: &str) {
        let mut sink = Vec::new();
        self.upsert_hint(key, text, &mut sink);
    }

    /// Makes the hint set exactly `hints` (a dialplan reload, spec state.md §2.7): hints that stay
    /// keep their watchers and state and report only real differences; new hints are added
    /// silently; hints that vanished report `Removed` (−2) to their watchers, who are released.
    pub fn set_hints(&mut self, hints: &[(HintKey, String)]) -> Vec<Change> {
        let mut changes = Vec::new();
        let wanted: std::collections::HashSet<String> =
            hints.iter().map(|(key, _)| key.to_string()).collect();
        let gone: Vec<String> = self
            .by_key
            .keys()
            .filter(|it| !wanted.contains(*it))
            .cloned()
            .collect();
        for name in gone {
            if let Some(id) = self.by_key.get(&name).copied() {
                self.drop_hint(id, ExtensionState::Removed, &mut changes);
            }
        }
        for (key, text) in hints {
            self.upsert_hint(key.clone(), text, &mut changes);
        }
        self.dispatch(&changes);
        changes
    }

    /// Removes one hint at run time: its watchers get `Deactivated` (−1) and are released.
    pub fn remove_hint(&mut self, key: &HintKey) -> Vec<Change> {
        let mut changes = Vec::new();
        if let Some(id) = self.ids.get(key).copied() {
            self.drop_hint(id, ExtensionState::Deactivated, &mut changes);
        }
        self.dispatch(&changes);
        changes
    }

    fn drop_hint(&mut self, id: HintId, state: ExtensionState, changes: &mut Vec<Change>) {
        let Some(entry) = self.hints.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        for &dev in &entry.devices {
            if let Some(d) = self.devices.get_mut(dev as usize) {
                d.hints.retain(|it| *it != id);
            }
        }
        for &prov in &entry.providers {
            if let Some(p) = self.providers.get_mut(prov as usize) {
                p.hints.retain(|it| *it != id);
            }
        }
        self.by_key.remove(&entry.key.to_string());
        self.ids.remove(&entry.key);
        self.free_hints.push(id);
        // The removal goes to this hint's watchers and to global ones; then the per-hint
        // watchers are released (their receivers see the channel close).
        let change = Change::HintGone {
            key: entry.key.clone(),
            state,
        };
        for w in entry.watchers.iter().chain(self.global.iter()) {
            let _ = w.tx.send(&change);
        }
        for w in &entry.watchers {
            self.watching.remove(&w.id);
        }
        changes.push(change);
    }

    fn upsert_hint(&mut self, key: HintKey, text: &str, changes: &mut Vec<Change>) {
        let name = key.to_string();
        let hint = Hint::parse(text);
        let pattern = key.exten.starts_with('_');
        let devices: Vec<DeviceId> = if pattern {
            Vec::new()
        } else {
            hint.devices
                .iter()
                .map(|it| self.intern_device(it))
                .collect()
        };
        let providers: Vec<ProviderId> = if pattern {
            Vec::new()
        } else {
            hint.presence
                .iter()
                .map(|it| self.intern_provider(it))
                .collect()
        };
        let existing = self.by_key.get(&name).copied();
        let id = match existing {
            Some(id) => id,
            None => {
                let id = match self.free_hints.pop() {
                    Some(id) => id,
                    None => {
                        self.hints.push(None);
                        (self.hints.len() - 1) as HintId
                    }
                };
                self.by_key.insert(name, id);
                self.ids.insert(key.clone(), id);
                id
            }
        };
        // Unlink the old device and provider lists, link the new ones.
        if let Some(Some(old)) = self.hints.get(id as usize) {
            let (old_devices, old_providers) = (old.devices.clone(), old.providers.clone());
            for dev in old_devices {
                self.devices[dev as usize].hints.retain(|it| *it != id);
            }
            for prov in old_providers {
                self.providers[prov as usize].hints.retain(|it| *it != id);
            }
        }
        for &dev in &devices {
            let list = &mut self.devices[dev as usize].hints;
            if !list.contains(&id) {
                list.push(id);
            }
        }
        for &prov in &providers {
            let list = &mut self.providers[prov as usize].hints;
            if !list.contains(&id) {
                list.push(id);
            }
        }
        let (state, presence) = if pattern {
            // Pattern hints are listed but never evaluated themselves.
            (
                ExtensionState::Unavailable,
                Presence::new(PresenceState::NotSet),
            )
        } else {
            (
                self.extension_state_of(&devices),
                self.presence_of(&providers),
            )
        };
        match self.hints.get_mut(id as usize) {
            Some(slot @ None) => {
                *slot = Some(HintEntry {
                    key,
                    hint,
                    devices,
                    providers,
                    state,
                    presence,
                    watchers: Vec::new(),
                    external: 0,
                });
            }
            Some(Some(entry)) => {
                entry.hint = hint;
                entry.devices = devices;
                entry.providers = providers;
                // Presence first, then the device part (spec state.md §2.5).
                let new_presence = presence;
                if new_presence != entry.presence && new_presence.state != PresenceState::Invalid {
                    changes.push(Change::Presence {
                        key: entry.key.clone(),
                        old: std::mem::replace(&mut entry.presence, new_presence.clone()),
                        new: new_presence,
                    });
                }
                if state != entry.state {
                    changes.push(Change::Extension {
                        key: entry.key.clone(),
                        old: std::mem::replace(&mut entry.state, state),
                        new: state,
                        repeat: false,
                        call: None,
                    });
                }
            }
            None => {}
        }
    }

    fn intern_device(&mut self, id: &str) -> DeviceId {
        let key = device_key(id);
        if let Some(&dev) = self.device_ids.get(key.as_ref()) {
            return dev;
        }
        let dev = self.devices.len() as DeviceId;
        self.devices.push(DeviceEntry {
            name: id.into(),
            state: default_device_state(id),
            local: default_device_state(id),
            remotes: Vec::new(),
            announced: false,
            local_announced: false,
            hints: Vec::new(),
        });
        self.device_ids.insert(key.into_owned(), dev);
        dev
    }

    fn intern_provider(&mut self, id: &str) -> ProviderId {
        let key = provider_key(id);
        if let Some(&prov) = self.provider_ids.get(key.as_ref()) {
            return prov;
        }
        let prov = self.providers.len() as ProviderId;
        self.providers.push(ProviderEntry {
            name: id.into(),
            announced: false,
            presence: default_presence(id),
            hints: Vec::new(),
        });
        self.provider_ids.insert(key.into_owned(), prov);
        prov
    }

    fn extension_state_of(&self, devices: &[DeviceId]) -> ExtensionState {
        if devices.is_empty() {
            return ExtensionState::Unavailable;
        }
        ExtensionState::from_device(aggregate(
            devices.iter().map(|&dev| self.devices[dev as usize].state),
        ))
    }

    /// The combined presence of a hint's providers (INVALID when none of them answers).
    fn presence_of(&self, providers: &[ProviderId]) -> Presence {
        if providers.is_empty() {
            return Presence::new(PresenceState::NotSet);
        }
        let mut best: Option<&Presence> = None;
        for &prov in providers {
            let value = &self.providers[prov as usize].presence;
            if best.is_none_or(|it| value.state.rank() > it.state.rank()) {
                best = Some(value);
            }
        }
        best.cloned()
            .unwrap_or_else(|| Presence::new(PresenceState::Invalid))
    }

    // ---- devices and presence -------------------------------------------------------------

    /// The current state of a device id (spec state.md §1.4).
    pub fn device_state(&self, id: &str) -> DeviceState {
        match self.device_ids.get(device_key(id).as_ref()) {
            Some(&dev) => self.devices[dev as usize].state,
            None => default_device_state(id),
        }
    }

    /// The current presence of one provider id (spec state.md §3.2).
    pub fn presence(&self, id: &str) -> Presence {
        match self.provider_ids.get(provider_key(id).as_ref()) {
            Some(&prov) => self.providers[prov as usize].presence.clone(),
            None => default_presence(id),
        }
    }

    /// Announces a device state (spec state.md §1.6). `Unknown` means "ask the provider", which
    /// resets the device to what its provider answers without any report. A state equal to the
    /// one already announced is dropped. Otherwise every hint naming the device is recomputed.
    pub fn set_device(&mut self, id: &str, state: DeviceState) -> Vec<Change> {
        let mut changes = Vec::new();
        self.set_device_into(id, state, &mut changes);
        self.dispatch(&changes);
        changes
    }

    /// Like `set_device`, without building the list of changes when nobody watches (the hot path
    /// of bulk updates). Returns how many hints changed.
    pub fn set_device_quiet(&mut self, id: &str, state: DeviceState) -> usize {
        let mut changes = Vec::new();
        self.set_device_into(id, state, &mut changes);
        let n = changes.len();
        self.dispatch(&changes);
        n
    }

    fn set_device_into(&mut self, id: &str, state: DeviceState, changes: &mut Vec<Change>) {
        let state = if state == DeviceState::Unknown {
            default_device_state(id)
        } else {
            state
        };
        let dev = self.intern_device(id);
        let entry = &mut self.devices[dev as usize];
        if entry.local_announced && entry.local == state {
            return;
        }
        entry.local_announced = true;
        entry.local = state;
        if let Some(sink) = &self.local_sink {
            sink(id, state);
        }
        self.announce_aggregate(dev, id, changes);
    }

    /// Recomputes a device's aggregate of local and remote states; when it changed (or was
    /// never announced), reports it and recomputes every hint naming the device.
    fn announce_aggregate(&mut self, dev: DeviceId, id: &str, changes: &mut Vec<Change>) {
        let entry = &mut self.devices[dev as usize];
        let state = if entry.remotes.is_empty() {
            entry.local
        } else {
            aggregate(std::iter::once(entry.local).chain(entry.remotes.iter().map(|(_, s)| *s)))
        };
        if entry.announced && entry.state == state {
            return;
        }
        entry.announced = true;
        entry.state = state;
        changes.push(Change::Device {
            id: id.to_string(),
            state,
        });
        for idx in 0..self.devices[dev as usize].hints.len() {
            let hint = self.devices[dev as usize].hints[idx];
            let Some(Some(h)) = self.hints.get(hint as usize) else {
                continue;
            };
            let new = self.extension_state_of(&h.devices);
            let ringing = matches!(new, ExtensionState::Ringing | ExtensionState::InUseRinging);
            let call = if ringing && !self.calls.is_empty() {
                self.ringing_call_of(&h.devices)
            } else {
                None
            };
            let Some(Some(h)) = self.hints.get_mut(hint as usize) else {
                continue;
            };
            if new != h.state || ringing {
                changes.push(Change::Extension {
                    key: h.key.clone(),
                    old: h.state,
                    new,
                    repeat: new == h.state,
                    call,
                });
                h.state = new;
            }
        }
    }

    /// Announces the state another server (`eid`) has for a device (spec state.md §1.7): kept
    /// beside this server's own, the device's state becomes the aggregate of all of them.
    /// `Unknown` from a server withdraws its entry. Never reaches the local-device sink.
    pub fn set_remote_device(&mut self, id: &str, eid: Eid, state: DeviceState) -> Vec<Change> {
        let mut changes = Vec::new();
        let dev = self.intern_device(id);
        let entry = &mut self.devices[dev as usize];
        let at = entry.remotes.iter().position(|(e, _)| *e == eid);
        match (at, state) {
            (Some(at), DeviceState::Unknown) => {
                entry.remotes.swap_remove(at);
            }
            (None, DeviceState::Unknown) => return changes,
            (Some(at), _) if entry.remotes[at].1 == state => return changes,
            (Some(at), _) => entry.remotes[at].1 = state,
            (None, _) => entry.remotes.push((eid, state)),
        }
        self.announce_aggregate(dev, id, &mut changes);
        self.dispatch(&changes);
        changes
    }

    /// Forgets everything one server announced (it restarted or was removed).
    pub fn forget_remote(&mut self, eid: Eid) -> Vec<Change> {
        let mut changes = Vec::new();
        for dev in 0..self.devices.len() {
            let entry = &mut self.devices[dev];
            let before = entry.remotes.len();
            entry.remotes.retain(|(e, _)| *e != eid);
            if entry.remotes.len() != before {
                let name = entry.name.clone();
                self.announce_aggregate(dev as DeviceId, &name, &mut changes);
            }
        }
        self.dispatch(&changes);
        changes
    }

    /// This server's own state of every device that announced one (what it publishes to a
    /// peer that asks for a refresh), by name.
    pub fn local_devices(&self) -> Vec<(&str, DeviceState)> {
        let mut out: Vec<(&str, DeviceState)> = self
            .devices
            .iter()
            .filter(|d| d.local_announced && d.local != DeviceState::Unknown)
            .map(|d| (&*d.name, d.local))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Sets the function told of every local device announcement.
    pub fn on_local_device(&mut self, sink: Option<LocalDeviceSink>) {
        self.local_sink = sink;
    }

    /// Announces a presence state for a provider (spec state.md §3.3): always reported for the
    /// provider; hints report only a real difference, and ignore an INVALID result.
    pub fn set_presence(&mut self, id: &str, presence: Presence) -> Vec<Change> {
        let mut changes = Vec::new();
        let prov = self.intern_provider(id);
        self.providers[prov as usize].presence = presence.clone();
        self.providers[prov as usize].announced = true;
        changes.push(Change::ProviderPresence {
            id: id.to_string(),
            presence,
        });
        let hints = self.providers[prov as usize].hints.clone();
        for hint in hints {
            let Some(Some(h)) = self.hints.get(hint as usize) else {
                continue;
            };
            let new = self.presence_of(&h.providers);
            if new.state == PresenceState::Invalid {
                continue;
            }
            let Some(Some(h)) = self.hints.get_mut(hint as usize) else {
                continue;
            };
            if new != h.presence {
                changes.push(Change::Presence {
                    key: h.key.clone(),
                    old: std::mem::replace(&mut h.presence, new.clone()),
                    new,
                });
            }
        }
        self.dispatch(&changes);
        changes
    }

    /// Records (or clears) the channel that makes `device` ring; set it before announcing
    /// RINGING so the change carries it.
    pub fn set_ringing_call(&mut self, device: &str, call: Option<RingingCall>) {
        let dev = self.intern_device(device);
        match call {
            Some(mut call) => {
                self.next_call += 1;
                call.seq = self.next_call;
                self.calls.insert(dev, std::sync::Arc::new(call));
            }
            None => {
                self.calls.remove(&dev);
            }
        }
    }

    /// The oldest channel ringing one of `devices`.
    fn ringing_call_of(&self, devices: &[DeviceId]) -> Option<std::sync::Arc<RingingCall>> {
        devices
            .iter()
            .filter(|d| {
                self.devices.get(**d as usize).is_some_and(|e| {
                    matches!(e.state, DeviceState::Ringing | DeviceState::Ringinuse)
                })
            })
            .filter_map(|d| self.calls.get(d))
            .min_by_key(|c| c.seq)
            .cloned()
    }

    /// The ringing call a hint shows now (for a new watcher's first report).
    pub fn hint_ringing_call(&self, key: &HintKey) -> Option<std::sync::Arc<RingingCall>> {
        let &id = self.ids.get(key)?;
        let entry = self.hints.get(id as usize)?.as_ref()?;
        if !matches!(
            entry.state,
            ExtensionState::Ringing | ExtensionState::InUseRinging
        ) {
            return None;
        }
        self.ringing_call_of(&entry.devices)
    }

    // ---- watchers -------------------------------------------------------------------------

    /// Watches one hint (`Some(key)`) or every hint (`None`). Extended watchers (SIP) also get
    /// repeated RINGING reports. The receiver closes when the hint goes away.
    pub fn watch(
        &mut self,
        key: Option<&HintKey>,
        extended: bool,
    ) -> Result<(WatchId, Receiver<Change>), WatchError> {
        let (tx, rx) = channel();
        let id = self.watch_with(key, extended, Sink::Channel(tx))?;
        Ok((id, rx))
    }

    /// Watches one hint or every hint, delivering to `sink`.
    pub fn watch_with(
        &mut self,
        key: Option<&HintKey>,
        extended: bool,
        sink: Sink,
    ) -> Result<WatchId, WatchError> {
        let hint = match key {
            None => None,
            Some(_) if matches!(sink, Sink::Deferred(_)) => {
                return Err(WatchError::DeferredOneHint)
            }
            Some(key) => match self.ids.get(key) {
                Some(&id) => Some(id),
                None => return Err(WatchError::NoHint(key.clone())),
            },
        };
        self.next_watch += 1;
        let id = WatchId(self.next_watch);
        let watcher = Watcher {
            id,
            extended,
            tx: sink,
        };
        match hint {
            Some(h) => {
                if let Some(Some(entry)) = self.hints.get_mut(h as usize) {
                    entry.watchers.push(watcher);
                    self.watching.insert(id, h);
                }
            }
            None => self.global.push(watcher),
        }
        Ok(id)
    }

    /// Hands every `Sink::Deferred` what it holds. Deferred sinks watch every hint (they are
    /// global watchers); a gone consumer is dropped.
    pub fn flush(&mut self) {
        let gone: Vec<WatchId> = self
            .global
            .iter()
            .filter(|w| matches!(&w.tx, Sink::Deferred(d) if !d.flush()))
            .map(|w| w.id)
            .collect();
        for id in gone {
            self.unwatch(id);
        }
    }

    /// Adds `delta` to the count of watchers kept outside the engine for one hint (SIP
    /// subscriptions). Returns false when there is no such hint.
    pub fn add_external_watchers(&mut self, key: &HintKey, delta: i64) -> bool {
        let Some(&id) = self.ids.get(key) else {
            return false;
        };
        let Some(Some(entry)) = self.hints.get_mut(id as usize) else {
            return false;
        };
        entry.external = (i64::from(entry.external) + delta).clamp(0, i64::from(u32::MAX)) as u32;
        true
    }

    /// Stops a watcher. Returns false when it was not watching.
    pub fn unwatch(&mut self, id: WatchId) -> bool {
        if let Some(h) = self.watching.remove(&id) {
            if let Some(Some(entry)) = self.hints.get_mut(h as usize) {
                entry.watchers.retain(|it| it.id != id);
            }
            return true;
        }
        let before = self.global.len();
        self.global.retain(|it| it.id != id);
        self.global.len() != before
    }

    /// Sends each change to the watchers of its hint and to the global watchers. Watchers whose
    /// receiver is gone are dropped.
    fn dispatch(&mut self, changes: &[Change]) {
        if self.global.is_empty() && self.watching.is_empty() {
            return;
        }
        let mut dead = Vec::new();
        for change in changes {
            if matches!(change, Change::HintGone { .. }) {
                // Already delivered by `drop_hint`, before the hint's watchers were released.
                continue;
            }
            let repeat = matches!(change, Change::Extension { repeat: true, .. });
            let own = change
                .hint()
                .and_then(|key| self.ids.get(key))
                .and_then(|&id| self.hints.get(id as usize))
                .and_then(Option::as_ref)
                .map_or(&[][..], |it| &it.watchers[..]);
            for w in own.iter().chain(self.global.iter()) {
                if (!repeat || w.extended) && !w.tx.send(change) {
                    dead.push(w.id);
                }
            }
        }
        for id in dead {
            self.unwatch(id);
        }
    }

    // ---- listing ------------------------------------------------------------------------

    /// Every hint in `exten@context` order.
    pub fn hints(&self) -> impl Iterator<Item = HintView<'_>> {
        self.by_key.values().filter_map(|&id| {
            self.hints.get(id as usize)?.as_ref().map(|it| HintView {
                key: &it.key,
                text: &it.hint.text,
                state: it.state,
                presence: &it.presence,
                watchers: it.watchers.len() + it.external as usize,
            })
        })
    }

    /// One hint by key.
    pub fn hint(&self, key: &HintKey) -> Option<HintView<'_>> {
        let id = *self.ids.get(key)?;
        self.hints.get(id as usize)?.as_ref().map(|it| HintView {
            key: &it.key,
            text: &it.hint.text,
            state: it.state,
            presence: &it.presence,
            watchers: it.watchers.len() + it.external as usize,
        })
    }

    /// Every device that announced a state (the manager's `DeviceStateList`), by name.
    pub fn announced_devices(&self) -> Vec<(&str, DeviceState)> {
        let mut out: Vec<(&str, DeviceState)> = self
            .devices
            .iter()
            .filter(|d| d.announced)
            .map(|d| (&*d.name, d.state))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Every presence provider that announced a state (`PresenceStateList`), by name.
    pub fn announced_providers(&self) -> Vec<(&str, &Presence)> {
        let mut out: Vec<(&str, &Presence)> = self
            .providers
            .iter()
            .filter(|p| p.announced)
            .map(|p| (&*p.name, &p.presence))
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    pub fn n_hints(&self) -> usize {
        self.by_key.len()
    }
}

/// What a device's provider answers before anyone announced a state.
fn default_device_state(id: &str) -> DeviceState {
    if let Some((tech, _)) = id.split_once('/') {
        return if tech.eq_ignore_ascii_case("Local") {
            DeviceState::Unknown
        } else if TECHNOLOGIES.iter().any(|it| it.eq_ignore_ascii_case(tech)) {
            DeviceState::Unavailable
        } else {
            DeviceState::Invalid
        };
    }
    match id.split_once(':') {
        Some((label, _)) if label.eq_ignore_ascii_case("Custom") => DeviceState::Unknown,
        _ => DeviceState::Invalid,
    }
}

/// What a presence provider answers before anyone set a value.
fn default_presence(id: &str) -> Presence {
    if id.contains('/') {
        return Presence::new(PresenceState::Invalid);
    }
    match id.split_once(':') {
        Some((label, _)) if label.eq_ignore_ascii_case("CustomPresence") => {
            Presence::new(PresenceState::NotSet)
        }
        _ => Presence::new(PresenceState::Invalid),
    }
}
