//! What the interpreter needs from the PBX around it: the dialplan, the state engine and the
//! writes that go through the state database. `pbx::Pbx` implements it; the interpreter never
//! imports `pbx`.

use crate::dialplan::Dialplan;
use crate::state::{Change, DeviceState, StateEngine};

pub trait Env {
    fn dialplan(&self) -> &Dialplan;
    /// The same dialplan, shared: the executor holds it while it changes the channel, so the
    /// priority it runs is borrowed rather than copied.
    fn shared_dialplan(&self) -> std::sync::Arc<Dialplan>;
    fn state(&self) -> &StateEngine;
    /// Announces a device state (technology devices during a simulated call).
    fn set_device(&mut self, id: &str, state: DeviceState) -> Vec<Change>;
    /// Records (or clears) the channel that makes `device` ring, before RINGING is announced,
    /// so BLF watchers see who is calling.
    fn set_ringing_call(&mut self, _device: &str, _call: Option<crate::state::RingingCall>) {}
    /// A global variable (set by `[globals]` or at run time).
    fn global(&self, name: &str) -> Option<String>;
    fn set_global(&mut self, name: &str, value: &str);
    /// `GLOBAL_DELETE(name)`.
    fn delete_global(&mut self, name: &str);
    /// `DEVICE_STATE(Custom:x)=VALUE` / `devstate change`: checks, persists, announces.
    fn write_custom_device(&mut self, device: &str, value: &str) -> Result<Vec<Change>, String>;
    /// `PRESENCE_STATE(CustomPresence:x)=VALUE`: checks, persists, announces.
    fn write_custom_presence(&mut self, provider: &str, value: &str)
        -> Result<Vec<Change>, String>;
    /// `DB(family/key)` read.
    fn db_get(&self, family: &str, key: &str) -> Option<String>;
    /// `DB(family/key)=value` write.
    fn db_put(&mut self, family: &str, key: &str, value: &str) -> Result<(), String>;
    /// `DB_DELETE(family/key)`: whether there was such a key.
    fn db_del(&mut self, family: &str, key: &str) -> bool;
    /// Every key under `prefix` (a family, or `family/key/...`), relative to it, sorted.
    fn db_tree(&self, prefix: &str) -> Vec<(String, String)>;
    /// `DBdeltree(family[/keytree])`: how many keys went.
    fn db_deltree(&mut self, family: &str, keytree: &str) -> Result<usize, String>;
    /// Adds a concrete hint (Asterisk creates one when `EXTENSION_STATE()` asks for a number
    /// that only a pattern hint matches).
    fn add_hint(&mut self, exten: &str, context: &str, text: &str);
    /// The next channel sequence number (for channel names and unique ids).
    fn next_channel(&mut self) -> u32;
}
