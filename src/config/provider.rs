//! Where config text comes from. `SourceProvider` is the one IO seam of the loader: `FsProvider`
//! reads the file system, `MemProvider` serves files from memory (tests, fuzzing, benchmarks).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::limits::MAX_FILE_BYTES;

/// What a path names, as far as `#include` cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    File,
    Other,
}

pub trait SourceProvider {
    /// Reads a whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn kind(&self, path: &Path) -> PathKind;
    /// Expands a glob pattern (`*`, `?`, `[...]`; braces are expanded by the caller), sorted.
    fn glob(&self, pattern: &Path) -> Vec<PathBuf>;
}

/// Reads from the file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsProvider;

impl SourceProvider for FsProvider {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let meta = std::fs::metadata(path)?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(io::Error::other(format!(
                "file is {} bytes, more than the {} bytes dialstate reads",
                meta.len(),
                MAX_FILE_BYTES
            )));
        }
        std::fs::read(path)
    }

    fn kind(&self, path: &Path) -> PathKind {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => PathKind::File,
            Ok(_) => PathKind::Other,
            Err(_) => PathKind::Missing,
        }
    }

    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let Some(text) = pattern.to_str() else {
            return Vec::new();
        };
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        match glob::glob_with(text, options) {
            Ok(paths) => {
                let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
                found.sort();
                found
            }
            Err(_) => Vec::new(),
        }
    }
}

/// Serves files from memory; paths are compared as given.
#[derive(Debug, Default, Clone)]
pub struct MemProvider {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemProvider {
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<Vec<u8>>) -> MemProvider {
        self.files.insert(path.into(), text.into());
        self
    }

    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), text.into());
    }
}

impl SourceProvider for MemProvider {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn kind(&self, path: &Path) -> PathKind {
        if self.files.contains_key(path) {
            PathKind::File
        } else if self.files.keys().any(|it| it.starts_with(path)) {
            PathKind::Other
        } else {
            PathKind::Missing
        }
    }

    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let Some(text) = pattern.to_str() else {
            return Vec::new();
        };
        let Ok(pat) = glob::Pattern::new(text) else {
            return Vec::new();
        };
        self.files
            .keys()
            .filter(|it| it.to_str().is_some_and(|s| pat.matches(s)))
            .cloned()
            .collect()
    }
}

/// Expands `{a,b}` alternatives (Asterisk globs with GLOB_BRACE), left to right, nested allowed.
pub(crate) fn expand_braces(pattern: &str) -> Vec<String> {
    let bytes = pattern.as_bytes();
    let Some(open) = bytes.iter().position(|&b| b == b'{') else {
        return vec![pattern.to_string()];
    };
    let mut depth = 0usize;
    let mut close = None;
    let mut commas = Vec::new();
    for (idx, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(idx);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(idx),
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_string()];
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut bounds = vec![open + 1];
    bounds.extend(commas.iter().map(|it| it + 1));
    let mut out = Vec::new();
    for (idx, &start) in bounds.iter().enumerate() {
        let end = commas.get(idx).copied().unwrap_or(close);
        let alt = &pattern[start..end];
        for expanded in expand_braces(&format!("{head}{alt}{tail}")) {
            if out.len() < crate::config::limits::MAX_GLOB_MATCHES {
                out.push(expanded);
            }
        }
    }
    out
}
