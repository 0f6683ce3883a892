//! The PBX as the server shares it: behind one mutex, taken through `lock`, whose guard, when it
//! is let go, waits for the state database writes made under it and then hands the state
//! engine's deferred changes to their consumers.

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};

use crate::pbx::Pbx;

/// A held lock on the shared PBX. Dropping it flushes the changes made while it was held.
pub struct PbxGuard<'a>(MutexGuard<'a, Pbx>);

/// Locks the PBX even if a panicking thread poisoned the lock (state stays usable).
pub fn lock(pbx: &Mutex<Pbx>) -> PbxGuard<'_> {
    PbxGuard(pbx.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

impl Deref for PbxGuard<'_> {
    type Target = Pbx;

    fn deref(&self) -> &Pbx {
        &self.0
    }
}

impl DerefMut for PbxGuard<'_> {
    fn deref_mut(&mut self) -> &mut Pbx {
        &mut self.0
    }
}

impl Drop for PbxGuard<'_> {
    fn drop(&mut self) {
        // Durable first, then announced.
        self.0.commit_writes();
        self.0.state_mut().flush();
    }
}
