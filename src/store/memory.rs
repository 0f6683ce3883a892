//! `MemStore`: the store in a `BTreeMap` keyed by the full key, for `--db :memory:` and tests.
//! `String`'s ordering is byte order, the same order SQLite's BINARY collation gives.

use std::collections::BTreeMap;

use crate::store::{family_range, full_key, Error, Store};

/// A store that lives only as long as the value; no operation fails.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    entries: BTreeMap<String, String>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> MemStore {
        MemStore::default()
    }
}

impl Store for MemStore {
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error> {
        Ok(self.entries.get(&full_key(family, key)).cloned())
    }

    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.entries
            .insert(full_key(family, key), value.to_string());
        Ok(())
    }

    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error> {
        for (family, key, value) in items {
            self.entries
                .insert(full_key(family, key), (*value).to_string());
        }
        Ok(())
    }

    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error> {
        Ok(self.entries.remove(&full_key(family, key)).is_some())
    }

    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error> {
        let (low, high) = family_range(family);
        Ok(self
            .entries
            .range(low.clone()..high)
            .map(|(key, value)| {
                let key = key.strip_prefix(low.as_str()).unwrap_or(key);
                (key.to_string(), value.clone())
            })
            .collect())
    }
}
