//! What can go wrong with the store. Each variant names the failure and carries the database
//! path where there is one and SQLite's own message as the reason.

use std::path::PathBuf;

/// An error from opening, reading or writing the family/key store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The database file (or its directory) could not be opened or created.
    #[error("cannot open database {}: {reason}", path.display())]
    Open { path: PathBuf, reason: String },
    /// Another connection holds the write lock and did not release it in time.
    #[error("database {} is locked by another process", path.display())]
    Locked { path: PathBuf },
    /// The file is not a database, fails the integrity check, or has an unusable `astdb` table.
    #[error("database {} is not usable: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// A write failed; nothing of it was applied.
    #[error("cannot write to the database: {reason}")]
    Write { reason: String },
    /// A read failed.
    #[error("cannot read the database: {reason}")]
    Read { reason: String },
}
