//! The AstDB-style family/key store of Asterisk's `main/db.c`, which keeps Custom device states
//! (family `CustomDevstate`) and CustomPresence values (family `CustomPresence`) across
//! restarts.
//!
//! A value lives under the full key `/<family>/<key>`. Listing a family returns the entries whose
//! full key starts with `/<family>/`, ordered by full key in binary (byte) order, so a family never
//! picks up the entries of another family that merely shares a prefix. Family and key are
//! arbitrary UTF-8; a `/` inside them is kept as it is, exactly as Asterisk does. Two
//! implementations exist: `MemStore` (a `BTreeMap`, nothing persists) and `SqliteStore`, which
//! uses Asterisk's own `astdb` table so a real `astdb.sqlite3` can be read and written.

mod batch;
mod error;
mod memory;
mod sqlite;

pub use batch::{BatchWriter, WriteBehind};
pub use error::Error;
pub use memory::MemStore;
pub use sqlite::SqliteStore;

/// A family/key store.
pub trait Store: Send {
    /// The value stored under `family`/`key`, if any.
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error>;
    /// Stores `value` under `family`/`key`, replacing what was there. Durable when it returns
    /// `Ok` (committed; for SQLite, `synchronous=FULL` in WAL mode).
    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error>;
    /// Several `(family, key, value)` writes in one transaction (group commit): all durable when
    /// it returns `Ok`, none applied on `Err`. A later item wins over an earlier one with the
    /// same family and key.
    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error>;
    /// Like `put`, for a store that may hold the write until `commit` (`WriteBehind`); durable
    /// on return everywhere else.
    fn put_later(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.put(family, key, value)
    }
    /// Waits for the writes `put_later` held; the first failure, if any.
    fn commit(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// Removes `family`/`key`; true when something was deleted.
    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error>;
    /// Every `(key, value)` of a family, ordered by full key `/family/key` in binary order; the
    /// key is the text after `/family/`.
    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error>;
}

/// What the CLI's `--db PATH` names: `:memory:` gives a `MemStore`, anything else a
/// `SqliteStore` on that file behind a `BatchWriter` (group commit).
pub fn open(spec: &str) -> Result<Box<dyn Store>, Error> {
    if spec == MEMORY {
        Ok(Box::new(MemStore::default()))
    } else {
        let sqlite = SqliteStore::open(std::path::Path::new(spec))?;
        Ok(Box::new(BatchWriter::spawn(Box::new(sqlite))?))
    }
}

/// The `--db` spelling of a store that keeps nothing.
const MEMORY: &str = ":memory:";

/// The full key of `family`/`key`: `/<family>/<key>`.
fn full_key(family: &str, key: &str) -> String {
    let mut out = String::with_capacity(family.len() + key.len() + 2);
    out.push('/');
    out.push_str(family);
    out.push('/');
    out.push_str(key);
    out
}

/// The half-open range of full keys that belong to `family`: from `/<family>/` (inclusive) to
/// `/<family>0` (exclusive), since `0` is the byte right after `/`.
fn family_range(family: &str) -> (String, String) {
    let low = full_key(family, "");
    let mut high = String::with_capacity(low.len());
    high.push('/');
    high.push_str(family);
    high.push('0');
    (low, high)
}

#[cfg(test)]
mod tests;
