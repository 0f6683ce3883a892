//! The store's contract, checked the same way against every implementation (`MemStore`,
//! `SqliteStore` in memory and `SqliteStore` on a temporary file), then what only a file can
//! show: persistence across reopening, Asterisk's schema, and the start-up checks of
//! `SqliteStore::open`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::Connection;

use crate::store::{open, BatchWriter, Error, MemStore, SqliteStore, Store, WriteBehind};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary database path, unique to this process and test, removed with its WAL,
/// shared-memory and journal files when dropped.
struct TempDb {
    path: PathBuf,
}

impl TempDb {
    fn new(name: &str) -> TempDb {
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let file = format!(
            "dialstate-store-{}-{unique}-{name}.sqlite3",
            std::process::id()
        );
        let db = TempDb {
            path: std::env::temp_dir().join(file),
        };
        db.remove();
        db
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn spec(&self) -> String {
        self.path.to_str().expect("temp dir is UTF-8").to_string()
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        let _ = std::fs::remove_dir(&self.path);
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

/// An implementation under test; `_file` keeps its database file alive as long as the store.
struct Subject {
    name: &'static str,
    store: Box<dyn Store>,
    _file: Option<TempDb>,
}

fn subjects() -> Vec<Subject> {
    let file = TempDb::new("subject");
    let on_file = SqliteStore::open(file.path()).expect("temp database opens");
    vec![
        Subject {
            name: "MemStore",
            store: Box::new(MemStore::default()),
            _file: None,
        },
        Subject {
            name: "SqliteStore::memory",
            store: Box::new(SqliteStore::memory().expect("in-memory database opens")),
            _file: None,
        },
        Subject {
            name: "SqliteStore::open",
            store: Box::new(on_file),
            _file: Some(file),
        },
    ]
}

/// One step of a scenario and what it must give.
enum Step {
    Put(&'static str, &'static str, &'static str),
    PutMany(&'static [(&'static str, &'static str, &'static str)]),
    /// Family, key, whether something was deleted.
    Delete(&'static str, &'static str, bool),
    Get(&'static str, &'static str, Option<&'static str>),
    Family(&'static str, &'static [(&'static str, &'static str)]),
}

use Step::{Delete, Family, Get, Put, PutMany};

const SCENARIOS: &[(&str, &[Step])] = &[
    (
        "put, get, overwrite, delete",
        &[
            Get("CustomDevstate", "lamp3", None),
            Put("CustomDevstate", "lamp3", "INUSE"),
            Get("CustomDevstate", "lamp3", Some("INUSE")),
            Put("CustomDevstate", "lamp3", "NOT_INUSE"),
            Get("CustomDevstate", "lamp3", Some("NOT_INUSE")),
            Family("CustomDevstate", &[("lamp3", "NOT_INUSE")]),
            Delete("CustomDevstate", "lamp3", true),
            Delete("CustomDevstate", "lamp3", false),
            Get("CustomDevstate", "lamp3", None),
            Family("CustomDevstate", &[]),
        ],
    ),
    (
        "a family lists in binary order of the full key",
        &[
            Put("CustomDevstate", "B", "1"),
            Put("CustomDevstate", "a", "2"),
            Put("CustomDevstate", "A", "3"),
            Put("CustomDevstate", "lamp10", "4"),
            Put("CustomDevstate", "lamp2", "5"),
            Put("CustomDevstate", "é", "6"),
            Put("CustomDevstate", "Z", "7"),
            Put("CustomDevstate", "", "8"),
            Family(
                "CustomDevstate",
                &[
                    ("", "8"),
                    ("A", "3"),
                    ("B", "1"),
                    ("Z", "7"),
                    ("a", "2"),
                    ("lamp10", "4"),
                    ("lamp2", "5"),
                    ("é", "6"),
                ],
            ),
        ],
    ),
    (
        "families that share a prefix stay apart",
        &[
            Put("Custom", "x", "custom"),
            Put("CustomDevstate", "x", "devstate"),
            Put("CustomPresence", "x", "presence"),
            Put("Custom.", "x", "dot"),
            Put("Custom0", "x", "zero"),
            Put("Custom", "Devstate/y", "slash"),
            Put("", "x", "empty"),
            Family("Custom", &[("Devstate/y", "slash"), ("x", "custom")]),
            Family("CustomDevstate", &[("x", "devstate")]),
            Family("CustomPresence", &[("x", "presence")]),
            Family("Custom.", &[("x", "dot")]),
            Family("Custom0", &[("x", "zero")]),
            Family("Custo", &[]),
            Family("", &[("x", "empty")]),
            Get("Custom", "Devstate/y", Some("slash")),
            Get("CustomDevstate", "y", None),
        ],
    ),
    (
        "family and key are arbitrary text, never SQL or patterns",
        &[
            Put("it's", "a \"key\"", "v1"),
            Put("x'); DROP TABLE astdb; --", "k", "v2"),
            Put("a%", "k", "percent"),
            Put("ab", "k", "ab"),
            Put("a_", "k", "underscore"),
            Put("Ünï cödé", "k/with/slashes", "v3"),
            Put("tabs\tand\nnewlines", " ", ""),
            Get("it's", "a \"key\"", Some("v1")),
            Get("x'); DROP TABLE astdb; --", "k", Some("v2")),
            Family("a%", &[("k", "percent")]),
            Family("a_", &[("k", "underscore")]),
            Family("ab", &[("k", "ab")]),
            Family("Ünï cödé", &[("k/with/slashes", "v3")]),
            Get("tabs\tand\nnewlines", " ", Some("")),
            Family("tabs\tand\nnewlines", &[(" ", "")]),
        ],
    ),
    (
        "put_many lands every item and a later item wins",
        &[
            Put("CustomPresence", "alice", "away"),
            PutMany(&[]),
            PutMany(&[
                ("CustomPresence", "alice", "available"),
                ("CustomPresence", "bob", "dnd,lunch,back at 2"),
                ("CustomDevstate", "lamp1", "RINGING"),
                ("CustomDevstate", "lamp1", "INUSE"),
            ]),
            Family(
                "CustomPresence",
                &[("alice", "available"), ("bob", "dnd,lunch,back at 2")],
            ),
            Family("CustomDevstate", &[("lamp1", "INUSE")]),
        ],
    ),
    (
        "delete touches only its own key",
        &[
            Put("CustomDevstate", "lamp", "INUSE"),
            Put("CustomDevstate", "lamp2", "BUSY"),
            Put("CustomDevstat", "e/lamp", "ONHOLD"),
            Delete("CustomDevstate", "lam", false),
            Delete("CustomDevstate", "lamp", true),
            Family("CustomDevstate", &[("lamp2", "BUSY")]),
            Family("CustomDevstat", &[("e/lamp", "ONHOLD")]),
        ],
    ),
];

fn run(store: &mut dyn Store, step: &Step) -> Result<(), String> {
    let owned = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    };
    match step {
        Put(family, key, value) => store.put(family, key, value).map_err(|it| it.to_string()),
        PutMany(items) => store.put_many(items).map_err(|it| it.to_string()),
        Delete(family, key, want) => match store.delete(family, key) {
            Ok(got) if got == *want => Ok(()),
            got => Err(format!("delete({family:?}, {key:?}) gave {got:?}")),
        },
        Get(family, key, want) => match store.get(family, key) {
            Ok(got) if got.as_deref() == *want => Ok(()),
            got => Err(format!(
                "get({family:?}, {key:?}) gave {got:?}, want {want:?}"
            )),
        },
        Family(family, want) => match store.family(family) {
            Ok(got) if got == owned(want) => Ok(()),
            got => Err(format!("family({family:?}) gave {got:?}, want {want:?}")),
        },
    }
}

#[test]
fn every_store_keeps_the_contract() {
    let mut failures = Vec::new();
    for (scenario, steps) in SCENARIOS {
        for mut subject in subjects() {
            for (idx, step) in steps.iter().enumerate() {
                if let Err(problem) = run(subject.store.as_mut(), step) {
                    failures.push(format!(
                        "{}: {scenario}: step {}: {problem}",
                        subject.name,
                        idx + 1
                    ));
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn open_memory_spec_gives_a_store_that_keeps_nothing() {
    let mut store = open(":memory:").expect("memory store");
    store.put("CustomDevstate", "lamp", "BUSY").expect("put");
    assert_eq!(
        store.get("CustomDevstate", "lamp").expect("get").as_deref(),
        Some("BUSY")
    );
    let store = open(":memory:").expect("memory store");
    assert_eq!(store.get("CustomDevstate", "lamp").expect("get"), None);
}

/// Writes held by `put_later` are seen by reads and deletes made after them, and are on disk once
/// `commit` returns.
#[test]
fn write_behind_keeps_order_and_is_durable_after_commit() {
    let db = TempDb::new("behind");
    let writer = std::sync::Arc::new(
        BatchWriter::spawn(Box::new(SqliteStore::open(db.path()).expect("open"))).expect("spawn"),
    );
    let mut store = WriteBehind::new(writer.clone());
    store
        .put_later("CustomDevstate", "a", "INUSE")
        .expect("queued");
    store
        .put_later("CustomDevstate", "b", "BUSY")
        .expect("queued");
    assert_eq!(
        store.get("CustomDevstate", "a").expect("get").as_deref(),
        Some("INUSE")
    );
    assert!(store.delete("CustomDevstate", "b").expect("delete"));
    store
        .put_later("CustomDevstate", "b", "RINGING")
        .expect("queued");
    store
        .put_later("CustomDevstate", "a", "NOT_INUSE")
        .expect("queued");
    store.commit().expect("committed");
    let on_disk = SqliteStore::open(db.path()).expect("reopen");
    assert_eq!(
        on_disk.family("CustomDevstate").expect("family"),
        vec![
            ("a".to_string(), "NOT_INUSE".to_string()),
            ("b".to_string(), "RINGING".to_string()),
        ]
    );
    // Nothing held: commit has nothing to wait for.
    store.commit().expect("nothing to commit");
}

#[test]
fn a_file_keeps_its_values_across_reopening() {
    let db = TempDb::new("persist");
    {
        let mut store = open(&db.spec()).expect("open creates the file");
        store.put("CustomDevstate", "lamp3", "INUSE").expect("put");
        store.put("CustomDevstate", "gone", "BUSY").expect("put");
        store
            .put_many(&[
                ("CustomPresence", "alice", "away,,out"),
                ("CustomPresence", "bob", "available"),
            ])
            .expect("put_many");
        assert!(store.delete("CustomDevstate", "gone").expect("delete"));
    }
    let store = SqliteStore::open(db.path()).expect("reopen");
    assert_eq!(
        store
            .get("CustomDevstate", "lamp3")
            .expect("get")
            .as_deref(),
        Some("INUSE")
    );
    assert_eq!(store.get("CustomDevstate", "gone").expect("get"), None);
    assert_eq!(
        store.family("CustomPresence").expect("family"),
        vec![
            ("alice".to_string(), "away,,out".to_string()),
            ("bob".to_string(), "available".to_string()),
        ]
    );
}

#[test]
fn the_file_has_asterisks_schema_in_wal_mode() {
    let db = TempDb::new("schema");
    let mut store = SqliteStore::open(db.path()).expect("open");
    store.put("CustomDevstate", "lamp3", "INUSE").expect("put");
    let raw = Connection::open(db.path()).expect("raw connection");
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
    let schema: String = raw
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'astdb'",
            [],
            |row| row.get(0),
        )
        .expect("astdb table");
    assert_eq!(
        schema,
        "CREATE TABLE astdb(key TEXT, value TEXT, PRIMARY KEY(key))"
    );
    let rows: Vec<(String, String)> = raw
        .prepare("SELECT key, value FROM astdb")
        .expect("prepare")
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        vec![("/CustomDevstate/lamp3".to_string(), "INUSE".to_string())]
    );
    drop(store);
}

#[test]
fn a_database_written_by_asterisk_reads_back() {
    let db = TempDb::new("asterisk");
    {
        let raw = Connection::open(db.path()).expect("raw connection");
        raw.execute_batch(
            "CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));
             INSERT INTO astdb VALUES ('/CustomDevstate/lamp3', 'INUSE');
             INSERT INTO astdb VALUES ('/CustomDevstate/lamp1', 'BUSY');
             INSERT INTO astdb VALUES ('/CustomPresence/alice', 'away,Lunch,back soon');
             INSERT INTO astdb VALUES ('/dundi/cache/hint/123', 12);
             INSERT INTO astdb VALUES ('/odd/null', NULL);",
        )
        .expect("asterisk's table");
    }
    let mut store = SqliteStore::open(db.path()).expect("open");
    assert_eq!(
        store.family("CustomDevstate").expect("family"),
        vec![
            ("lamp1".to_string(), "BUSY".to_string()),
            ("lamp3".to_string(), "INUSE".to_string()),
        ]
    );
    assert_eq!(
        store
            .get("CustomPresence", "alice")
            .expect("get")
            .as_deref(),
        Some("away,Lunch,back soon")
    );
    assert_eq!(
        store
            .get("dundi", "cache/hint/123")
            .expect("get")
            .as_deref(),
        Some("12")
    );
    assert_eq!(store.get("odd", "null").expect("get").as_deref(), Some(""));
    store
        .put("CustomDevstate", "lamp1", "NOT_INUSE")
        .expect("put");
    assert_eq!(
        store
            .get("CustomDevstate", "lamp1")
            .expect("get")
            .as_deref(),
        Some("NOT_INUSE")
    );
}

#[test]
fn put_many_applies_nothing_when_an_item_fails() {
    let db = TempDb::new("atomic");
    {
        let raw = Connection::open(db.path()).expect("raw connection");
        raw.execute_batch(
            "CREATE TABLE astdb(key TEXT, value TEXT, PRIMARY KEY(key));
             CREATE TRIGGER refuse BEFORE INSERT ON astdb WHEN NEW.value = 'boom'
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .expect("table with a refusing trigger");
    }
    let mut store = SqliteStore::open(db.path()).expect("open");
    store.put("CustomDevstate", "keep", "INUSE").expect("put");
    let result = store.put_many(&[
        ("CustomDevstate", "keep", "BUSY"),
        ("CustomDevstate", "new", "RINGING"),
        ("CustomDevstate", "bad", "boom"),
    ]);
    assert!(
        matches!(&result, Err(Error::Write { reason }) if reason.contains("refused")),
        "{result:?}"
    );
    assert_eq!(
        store.family("CustomDevstate").expect("family"),
        vec![("keep".to_string(), "INUSE".to_string())]
    );
    // The connection is usable after the rollback.
    store
        .put_many(&[("CustomDevstate", "new", "RINGING")])
        .expect("put_many");
    drop(store);
    let store = SqliteStore::open(db.path()).expect("reopen");
    assert_eq!(
        store.family("CustomDevstate").expect("family"),
        vec![
            ("keep".to_string(), "INUSE".to_string()),
            ("new".to_string(), "RINGING".to_string()),
        ]
    );
}

/// Deterministic bytes that no SQLite header starts with.
fn garbage(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn a_file_of_garbage_is_corrupt_and_left_alone() {
    let db = TempDb::new("garbage");
    let bytes = garbage(8192);
    std::fs::write(db.path(), &bytes).expect("write garbage");
    let result = SqliteStore::open(db.path());
    assert!(
        matches!(&result, Err(Error::Corrupt { path, .. }) if path == db.path()),
        "{result:?}"
    );
    let result = open(&db.spec());
    assert!(
        matches!(&result, Err(Error::Corrupt { .. })),
        "{:?}",
        result.err()
    );
    assert_eq!(std::fs::read(db.path()).expect("read back"), bytes);
}

#[test]
fn a_damaged_database_fails_the_quick_check() {
    let db = TempDb::new("damaged");
    {
        let mut store = SqliteStore::open(db.path()).expect("open");
        let values: Vec<(String, String)> = (0..2000)
            .map(|it| {
                (
                    format!("lamp{it}"),
                    format!("value {it} {}", "x".repeat(40)),
                )
            })
            .collect();
        let items: Vec<(&str, &str, &str)> = values
            .iter()
            .map(|(key, value)| ("CustomDevstate", key.as_str(), value.as_str()))
            .collect();
        store.put_many(&items).expect("put_many");
    }
    // Keep page 1 (header and schema) and page 2 (the table's root); overwrite the rest.
    let mut bytes = std::fs::read(db.path()).expect("read");
    assert!(
        bytes.len() > 4 * 4096,
        "database too small: {}",
        bytes.len()
    );
    let len = bytes.len() - 2 * 4096;
    bytes[2 * 4096..].copy_from_slice(&garbage(len));
    std::fs::write(db.path(), &bytes).expect("write damage");
    let result = SqliteStore::open(db.path());
    assert!(matches!(&result, Err(Error::Corrupt { .. })), "{result:?}");
}

#[test]
fn an_astdb_table_with_other_columns_is_not_usable() {
    let db = TempDb::new("columns");
    {
        let raw = Connection::open(db.path()).expect("raw connection");
        raw.execute_batch("CREATE TABLE astdb(k TEXT, v TEXT)")
            .expect("foreign table");
    }
    let result = SqliteStore::open(db.path());
    assert!(
        matches!(&result, Err(Error::Corrupt { reason, .. }) if reason.contains("astdb")),
        "{result:?}"
    );
}

#[test]
fn another_writer_in_wal_mode_makes_open_locked() {
    let db = TempDb::new("locked-wal");
    drop(SqliteStore::open(db.path()).expect("create"));
    let raw = Connection::open(db.path()).expect("raw connection");
    raw.execute_batch("BEGIN EXCLUSIVE")
        .expect("take the write lock");
    let result = SqliteStore::open(db.path());
    assert!(
        matches!(&result, Err(Error::Locked { path }) if path == db.path()),
        "{result:?}"
    );
    raw.execute_batch("COMMIT").expect("release the lock");
    SqliteStore::open(db.path()).expect("opens once the lock is gone");
}

#[test]
fn another_writer_on_a_rollback_journal_makes_open_locked() {
    let db = TempDb::new("locked-rollback");
    let raw = Connection::open(db.path()).expect("raw connection");
    raw.execute_batch(
        "CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));
         BEGIN EXCLUSIVE;
         INSERT INTO astdb VALUES ('/CustomDevstate/lamp', 'INUSE');",
    )
    .expect("hold an exclusive lock");
    let result = SqliteStore::open(db.path());
    assert!(matches!(&result, Err(Error::Locked { .. })), "{result:?}");
    raw.execute_batch("COMMIT").expect("release the lock");
    drop(raw);
    let store = SqliteStore::open(db.path()).expect("opens once the lock is gone");
    assert_eq!(
        store.get("CustomDevstate", "lamp").expect("get").as_deref(),
        Some("INUSE")
    );
}

#[test]
fn unreachable_paths_fail_to_open() {
    let parent_is_a_file = TempDb::new("plain-file");
    std::fs::write(parent_is_a_file.path(), b"not a directory").expect("write");
    let directory = TempDb::new("directory");
    std::fs::create_dir_all(directory.path()).expect("mkdir");
    let proc_path = format!("/proc/dialstate-store-{}/astdb.sqlite3", std::process::id());
    let cases: Vec<(&str, PathBuf)> = vec![
        ("under /proc", PathBuf::from(proc_path)),
        (
            "under a regular file",
            parent_is_a_file.path().join("astdb.sqlite3"),
        ),
        ("a directory", directory.path().to_path_buf()),
        ("empty", PathBuf::new()),
    ];
    for (what, path) in cases {
        let result = SqliteStore::open(&path);
        assert!(
            matches!(&result, Err(Error::Open { path: got, .. }) if *got == path),
            "{what}: {result:?}"
        );
    }
}

#[test]
fn error_messages_name_the_problem() {
    let path = PathBuf::from("/var/lib/asterisk/astdb.sqlite3");
    let cases = [
        (
            Error::Open {
                path: path.clone(),
                reason: "unable to open database file".to_string(),
            },
            "cannot open database /var/lib/asterisk/astdb.sqlite3: unable to open database file",
        ),
        (
            Error::Locked { path: path.clone() },
            "database /var/lib/asterisk/astdb.sqlite3 is locked by another process",
        ),
        (
            Error::Corrupt {
                path,
                reason: "file is not a database".to_string(),
            },
            "database /var/lib/asterisk/astdb.sqlite3 is not usable: file is not a database",
        ),
        (
            Error::Write {
                reason: "disk I/O error".to_string(),
            },
            "cannot write to the database: disk I/O error",
        ),
        (
            Error::Read {
                reason: "disk I/O error".to_string(),
            },
            "cannot read the database: disk I/O error",
        ),
    ];
    for (error, want) in cases {
        assert_eq!(error.to_string(), want);
    }
}

#[test]
fn batch_writer_commits_many_callers_durably() {
    use std::sync::Arc;

    use crate::store::{BatchWriter, SqliteStore, Store};
    let path = std::env::temp_dir().join(format!("dialstate-batch-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    {
        let sqlite = SqliteStore::open(&path).expect("open");
        let writer = Arc::new(BatchWriter::spawn(Box::new(sqlite)).expect("spawn"));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let rx = writer.submit("CustomDevstate", &format!("t{t}-{i}"), "BUSY");
                        assert_eq!(rx.recv().ok(), Some(Ok(())));
                    }
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().is_ok());
        }
        assert_eq!(writer.family("CustomDevstate").map(|it| it.len()), Ok(400));
    }
    let reopened = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        reopened.family("CustomDevstate").map(|it| it.len()),
        Ok(400)
    );
    assert_eq!(
        reopened.get("CustomDevstate", "t3-7"),
        Ok(Some("BUSY".to_string()))
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
