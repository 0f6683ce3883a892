//! Style checks as ordinary tests: every source file opens with a `//!` doc, no `dbg!`, no stray
//! pending snapshots, and the module import table of ARCHITECTURE.md holds.

use std::path::{Path, PathBuf};

use crate::support::root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|it| it == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable source");
            (path, text)
        })
        .collect()
}

#[test]
fn every_source_file_starts_with_a_doc_comment() {
    for (path, text) in sources() {
        assert!(
            text.starts_with("//!"),
            "{} must start with a //! doc",
            path.display()
        );
    }
}

#[test]
fn no_dbg_and_no_trailing_whitespace() {
    for (path, text) in sources() {
        assert!(
            !text.contains(concat!("dbg", "!(")),
            "{} has dbg!",
            path.display()
        );
        for (idx, line) in text.lines().enumerate() {
            assert!(
                !line.ends_with(' ') && !line.ends_with('\t'),
                "{}:{} has trailing whitespace",
                path.display(),
                idx + 1
            );
        }
    }
}

#[test]
fn no_pending_snapshots() {
    let Ok(entries) = std::fs::read_dir(root().join("snapshots")) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".snap.new") && !name.ends_with(".pending-snap"),
            "stray {name}"
        );
    }
}

/// Which top-level modules each module may import (`crate::X`), as in ARCHITECTURE.md.
const ALLOWED: &[(&str, &[&str])] = &[
    ("diag", &[]),
    ("config", &["diag"]),
    ("expr", &["diag"]),
    ("store", &["diag"]),
    ("dialplan", &["config", "expr", "diag"]),
    ("state", &["store", "diag"]),
    ("interp", &["dialplan", "expr", "state", "store", "diag"]),
    (
        "pbx",
        &["interp", "dialplan", "config", "state", "store", "diag"],
    ),
    ("sip", &["state", "config", "diag"]),
    ("ami", &["pbx", "state", "config", "diag"]),
    ("console", &["pbx", "diag", "dialplan", "state", "interp"]),
];

#[test]
fn module_imports_follow_the_architecture_table() {
    let src = root().join("src");
    for (path, text) in sources() {
        let rel = path.strip_prefix(&src).expect("under src");
        let module = rel
            .components()
            .next()
            .map(|it| {
                it.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        let Some((_, allowed)) = ALLOWED.iter().find(|(name, _)| *name == module) else {
            continue;
        };
        for (idx, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(pos) = rest.find("crate::") {
                let after = &rest[pos + "crate::".len()..];
                let target: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let ok = target == module || allowed.contains(&target.as_str());
                assert!(
                    ok,
                    "{}:{}: module `{module}` may not import `crate::{target}`",
                    path.display(),
                    idx + 1
                );
                rest = after;
            }
        }
    }
}
