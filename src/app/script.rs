//! Snapshot-tested console scripts (`dialstate test`). A script (`*.cli`) names the dialplan it
//! loads on its first line (relative to the script); every other line is a console command, run
//! exactly as a person at the console would run it. The transcript (prompt, command, output) is
//! compared with a snapshot in insta's file format. Two lines are the runner's own, not console
//! commands: `restart` stops the PBX and starts it again on the same state database (to test
//! persistence), and `use FILE` points the PBX at another dialplan file, read at the next
//! `dialplan reload` (to test reloads).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::FsProvider;
use crate::console::{run, PROMPT};
use crate::pbx::Pbx;

/// How one script fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Written because `accept` was set (new or changed).
    Accepted,
    Missing,
    Changed {
        diff: String,
    },
    /// The script could not be run at all.
    Broken(String),
}

/// One script's result.
#[derive(Debug, Clone)]
pub struct ScriptResult {
    pub script: PathBuf,
    pub snapshot: PathBuf,
    pub verdict: Verdict,
}

/// Where snapshots go and whether to write them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Put every snapshot in this folder instead of `snapshots/` beside each script.
    pub snapshot_dir: Option<PathBuf>,
    /// Write new and changed snapshots instead of failing.
    pub accept: bool,
}

/// Every `*.cli` file under `paths` (files are taken as given), sorted.
pub fn find_scripts(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        collect(path, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            let child = entry.path();
            if child.is_dir() {
                if child.file_name().is_some_and(|it| it != "snapshots") {
                    collect(&child, out);
                }
            } else if child.extension().is_some_and(|it| it == "cli") {
                out.push(child);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// The snapshot file of a script.
pub fn snapshot_path(script: &Path, options: &Options) -> PathBuf {
    let name = format!(
        "{}.snap",
        script
            .file_name()
            .map(|it| it.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    match &options.snapshot_dir {
        Some(dir) => dir.join(name),
        None => script
            .parent()
            .unwrap_or(Path::new("."))
            .join("snapshots")
            .join(name),
    }
}

/// Runs a script and returns its transcript.
pub fn transcript(script: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(script)
        .map_err(|err| format!("cannot read `{}`: {err}", script.display()))?;
    let mut lines = text.lines();
    let first = lines
        .next()
        .map(str::trim)
        .filter(|it| !it.is_empty())
        .ok_or_else(|| {
            format!(
                "`{}` is empty: its first line must name a dialplan",
                script.display()
            )
        })?;
    let dialplan = script.parent().unwrap_or(Path::new(".")).join(first);
    if !dialplan.is_file() {
        return Err(format!(
            "`{}` names `{first}` on its first line, which is not a file",
            script.display()
        ));
    }
    let db = TempDb::new(script);
    let open = |db: &TempDb, dialplan: &Path| -> Result<Pbx, String> {
        let store = crate::store::open(&db.path.display().to_string())
            .map_err(|err| format!("cannot open the state database: {err}"))?;
        Pbx::open(&FsProvider, dialplan, store).map_err(|err| err.to_string())
    };
    let mut pbx = open(&db, &dialplan)?;
    let mut out = String::new();
    for line in lines {
        let command = line.trim();
        if command.is_empty() || command.starts_with(';') {
            continue;
        }
        if command == "restart" {
            let path = pbx.path().to_path_buf();
            drop(pbx);
            let _ = writeln!(
                out,
                "{PROMPT}restart\n[dialstate restarted: same dialplan, same state database]"
            );
            pbx = open(&db, &path)?;
            continue;
        }
        if let Some(file) = command.strip_prefix("use ") {
            let file = file.trim();
            let path = script.parent().unwrap_or(Path::new(".")).join(file);
            pbx.set_path(&path);
            let _ = writeln!(
                out,
                "{PROMPT}use {file}\n[the next dialplan reload reads {file}]"
            );
            continue;
        }
        let output = run(&mut pbx, command);
        let _ = write!(out, "{PROMPT}{command}\n{}", output.text);
        if output.exit {
            break;
        }
    }
    Ok(out)
}

/// A state database that lives as long as one script run.
struct TempDb {
    path: PathBuf,
}

impl TempDb {
    fn new(script: &Path) -> TempDb {
        let stem = script
            .file_stem()
            .map(|it| it.to_string_lossy().into_owned())
            .unwrap_or_default();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |it| it.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "dialstate-test-{}-{stem}-{nanos}.db",
            std::process::id()
        ));
        TempDb { path }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// The body of an insta snapshot file (everything after the header).
fn snapshot_body(file: &str) -> &str {
    let Some(rest) = file.strip_prefix("---\n") else {
        return file;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => file,
    }
}

fn snapshot_file(script: &Path, transcript: &str) -> String {
    format!(
        "---\nsource: {}\nexpression: transcript\n---\n{}\n",
        script.display(),
        transcript.trim_end()
    )
}

/// Runs one script and compares (or writes) its snapshot.
pub fn check(script: &Path, options: &Options) -> ScriptResult {
    let snapshot = snapshot_path(script, options);
    let verdict = match transcript(script) {
        Err(err) => Verdict::Broken(err),
        Ok(got) => {
            let old = std::fs::read_to_string(&snapshot).ok();
            let same = old
                .as_deref()
                .is_some_and(|it| snapshot_body(it).trim_end() == got.trim_end());
            if same {
                Verdict::Passed
            } else if options.accept {
                let written = snapshot
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&snapshot, snapshot_file(script, &got)));
                match written {
                    Ok(()) => Verdict::Accepted,
                    Err(err) => {
                        Verdict::Broken(format!("cannot write `{}`: {err}", snapshot.display()))
                    }
                }
            } else {
                match old {
                    None => Verdict::Missing,
                    Some(old) => Verdict::Changed {
                        diff: diff(snapshot_body(&old).trim_end(), got.trim_end()),
                    },
                }
            }
        }
    };
    ScriptResult {
        script: script.to_path_buf(),
        snapshot,
        verdict,
    }
}

/// A unified diff, `-` for the snapshot and `+` for this run.
fn diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header("snapshot", "this run")
    );
    out
}
