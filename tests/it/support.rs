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

/// `dialstate serve` on the bundled demo as a child process, with the manager on a free port,
/// SIP on a free UDP port and an in-memory database; stopped with SIGTERM when dropped.
pub struct ManagerServer {
    child: std::process::Child,
    /// The manager's address, as the server printed it.
    pub manager: std::net::SocketAddr,
    /// A folder of the server's own (its control socket is `ctl` in it).
    pub dir: PathBuf,
}

impl ManagerServer {
    pub fn start(name: &str) -> ManagerServer {
        use std::io::BufRead;
        let dir = std::env::temp_dir().join(format!(
            "dialstate-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let control = dir.join("ctl").to_string_lossy().into_owned();
        let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
            .args([
                "serve",
                "--sip",
                "udp:127.0.0.1:0",
                "--db",
                ":memory:",
                "--control",
                &control,
                "--manager",
                "127.0.0.1:0",
            ])
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let manager = line
            .trim()
            .rsplit_once("; manager ")
            .and_then(|(_, addr)| addr.parse().ok())
            .unwrap_or_else(|| panic!("no manager address in `{line}`"));
        ManagerServer {
            child,
            manager,
            dir,
        }
    }

    /// The control socket, for `dialstate remote --control`.
    pub fn control(&self) -> String {
        self.dir.join("ctl").to_string_lossy().into_owned()
    }
}

impl Drop for ManagerServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
