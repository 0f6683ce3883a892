//! Shared helpers: the snapshot settings every test uses, fixture paths and running the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Snapshots live in the top-level `snapshots/` folder.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(true);
    settings
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a fixture relative to the project root, as users type it.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// What one run of the binary printed.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// A transcript: the command line, stdout, stderr (if any) and the exit status.
    pub fn transcript(&self, args: &[&str]) -> String {
        let mut out = format!("$ dialstate {}\n{}", args.join(" "), self.stdout);
        if !self.stderr.is_empty() {
            out.push_str("--- stderr ---\n");
            out.push_str(&self.stderr);
        }
        out.push_str(&format!("--- exit {} ---\n", self.code));
        out
    }
}

/// Runs `dialstate ARGS` in the project root.
pub fn dialstate(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the dialstate binary runs");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}
