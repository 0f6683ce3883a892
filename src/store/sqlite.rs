//! `SqliteStore`: the store in SQLite with Asterisk's own schema, `astdb(key TEXT, value TEXT,
//! PRIMARY KEY(key))`, one row per full key `/<family>/<key>`, so an `astdb.sqlite3` written by
//! Asterisk can be read and the other way round.
//!
//! Opening checks the file before anything relies on it: that it is a database that passes
//! `PRAGMA quick_check`, that we can take the write lock, and that the `astdb` table has the
//! columns we use. Files are kept in WAL mode with `synchronous=FULL`, so every commit is on disk
//! when it returns. Values are bound as parameters, never formatted into SQL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::store::{family_range, full_key, Error, Store};

/// How long start-up waits for another connection's write lock before reporting `Locked`.
const STARTUP_BUSY_TIMEOUT: Duration = Duration::from_millis(250);
/// How long a read or write waits for another connection's lock once the store is open.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// The path reported for an in-memory database.
const MEMORY_PATH: &str = ":memory:";
/// How many `quick_check` complaints go into a `Corrupt` reason.
const MAX_PROBLEMS: usize = 5;

/// Asterisk's table (its column types are `VARCHAR(256)`, which has the same TEXT affinity).
const CREATE: &str = "CREATE TABLE IF NOT EXISTS astdb(key TEXT, value TEXT, PRIMARY KEY(key))";
const GET: &str = "SELECT value FROM astdb WHERE key = ?1";
const PUT: &str = "INSERT OR REPLACE INTO astdb (key, value) VALUES (?1, ?2)";
const DELETE: &str = "DELETE FROM astdb WHERE key = ?1";
const FAMILY: &str = "SELECT key, value FROM astdb WHERE key >= ?1 AND key < ?2 ORDER BY key";

/// A store in an SQLite database file (or in memory).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens or creates the database at `path`, creating missing parent directories. Sets WAL
    /// journal mode and `synchronous=FULL`, creates the `astdb` table if missing, and checks the
    /// file: not a database or failing `PRAGMA quick_check` → `Corrupt`; another connection
    /// holding the write lock → `Locked`; anything that keeps the file from being opened or
    /// created → `Open`.
    pub fn open(path: &Path) -> Result<SqliteStore, Error> {
        let open_error = |reason: String| Error::Open {
            path: path.to_path_buf(),
            reason,
        };
        if path.as_os_str().is_empty() {
            return Err(open_error("empty path".to_string()));
        }
        if let Some(parent) = path.parent().filter(|it| !it.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| {
                open_error(format!(
                    "cannot create directory {}: {err}",
                    parent.display()
                ))
            })?;
        }
        // No SQLITE_OPEN_URI: the path is a file name, never a `file:` URI with options.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|err| classify(path, &err, open_error))?;
        SqliteStore::start(conn, path.to_path_buf(), true)
    }

    /// An in-memory SQLite database: the same behaviour, nothing persists.
    pub fn memory() -> Result<SqliteStore, Error> {
        let path = PathBuf::from(MEMORY_PATH);
        let conn = Connection::open_in_memory().map_err(|err| {
            classify(&path, &err, |reason| Error::Open {
                path: path.clone(),
                reason,
            })
        })?;
        SqliteStore::start(conn, path, false)
    }

    /// The start-up checks and settings shared by `open` and `memory`.
    fn start(mut conn: Connection, path: PathBuf, file: bool) -> Result<SqliteStore, Error> {
        let open_error = |reason: String| Error::Open {
            path: path.clone(),
            reason,
        };
        let corrupt = |reason: String| Error::Corrupt {
            path: path.clone(),
            reason,
        };
        let fail = |err: rusqlite::Error| classify(&path, &err, open_error);
        conn.busy_timeout(STARTUP_BUSY_TIMEOUT).map_err(fail)?;

        // Is it a database at all, and an intact one? A file that is not a database fails
        // here with SQLITE_NOTADB, a damaged one lists its problems.
        let problems = quick_check(&conn).map_err(fail)?;
        if problems.len() != 1 || problems[0] != "ok" {
            let mut reason = problems
                .iter()
                .take(MAX_PROBLEMS)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            if problems.len() > MAX_PROBLEMS {
                reason.push_str(&format!("; and {} more", problems.len() - MAX_PROBLEMS));
            }
            return Err(corrupt(reason));
        }

        // Can we write? BEGIN IMMEDIATE takes the write lock (SQLITE_BUSY when another
        // connection holds it); the table is created in the same transaction.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute_batch(CREATE).map_err(fail)?;
        tx.commit().map_err(fail)?;

        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(fail)?;
        if file && !mode.eq_ignore_ascii_case("wal") {
            return Err(open_error(format!(
                "cannot switch to WAL journal mode (still {mode})"
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL")
            .map_err(fail)?;

        // The table may be someone else's `astdb` with other columns: find out now.
        for sql in [GET, PUT, DELETE, FAMILY] {
            conn.prepare_cached(sql).map_err(|err| {
                classify(&path, &err, |reason| {
                    corrupt(format!("table astdb: {reason}"))
                })
            })?;
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        Ok(SqliteStore { conn, path })
    }

    fn read_error(&self, err: rusqlite::Error) -> Error {
        classify(&self.path, &err, |reason| Error::Read { reason })
    }

    fn write_error(&self, err: rusqlite::Error) -> Error {
        classify(&self.path, &err, |reason| Error::Write { reason })
    }
}

impl Store for SqliteStore {
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(GET)
            .map_err(|err| self.read_error(err))?;
        stmt.query_row([full_key(family, key)], |row| Ok(text(row.get_ref(0)?)))
            .optional()
            .map_err(|err| self.read_error(err))
    }

    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare_cached(PUT)
            .map_err(|err| self.write_error(err))?;
        stmt.execute((full_key(family, key), value))
            .map_err(|err| self.write_error(err))?;
        Ok(())
    }

    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error> {
        if items.is_empty() {
            return Ok(());
        }
        let result = put_all(&mut self.conn, items);
        result.map_err(|err| self.write_error(err))
    }

    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(DELETE)
            .map_err(|err| self.write_error(err))?;
        let changed = stmt
            .execute([full_key(family, key)])
            .map_err(|err| self.write_error(err))?;
        Ok(changed > 0)
    }

    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error> {
        let (low, high) = family_range(family);
        let mut stmt = self
            .conn
            .prepare_cached(FAMILY)
            .map_err(|err| self.read_error(err))?;
        let rows = stmt
            .query_map((&low, &high), |row| {
                Ok((text(row.get_ref(0)?), text(row.get_ref(1)?)))
            })
            .map_err(|err| self.read_error(err))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, value) = row.map_err(|err| self.read_error(err))?;
            let key = match key.strip_prefix(low.as_str()) {
                Some(rest) => rest.to_string(),
                None => key,
            };
            out.push((key, value));
        }
        Ok(out)
    }
}

/// Writes every item in one IMMEDIATE transaction; dropping the transaction on an error rolls
/// it back.
fn put_all(conn: &mut Connection, items: &[(&str, &str, &str)]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(PUT)?;
        for (family, key, value) in items {
            stmt.execute((full_key(family, key), value))?;
        }
    }
    tx.commit()
}

/// The rows of `PRAGMA quick_check`: just `ok` for a sound database.
fn quick_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let rows = stmt.query_map([], |row| Ok(text(row.get_ref(0)?)))?;
    rows.collect()
}

/// A column as text whatever its storage class, as Asterisk reads it with
/// `sqlite3_column_text`: a database written by other tools may hold numbers, blobs or NULL.
fn text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(it) => it.to_string(),
        ValueRef::Real(it) => it.to_string(),
        ValueRef::Text(it) | ValueRef::Blob(it) => String::from_utf8_lossy(it).into_owned(),
    }
}

/// Maps an SQLite error to the variant that names it: a held lock is `Locked`, a file that is
/// not a database or is damaged is `Corrupt`, anything else is what `other` makes of the
/// message.
fn classify(path: &Path, err: &rusqlite::Error, other: impl FnOnce(String) -> Error) -> Error {
    let reason = err.to_string();
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Locked {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Error::Corrupt {
            path: path.to_path_buf(),
            reason,
        },
        _ => other(reason),
    }
}
