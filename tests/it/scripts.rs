//! The project's own console scripts (`dialplans/scripts/*.cli`) run through `dialstate test`,
//! and the runner's behaviour on missing and changed snapshots; the console's `-x` and stdin modes.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{dialstate, root};

#[test]
fn project_scripts_match_their_snapshots() {
    let run = dialstate(&["test", "--snapshot-dir", "snapshots", "dialplans/scripts"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(" passed, 0 failed"), "{}", run.stdout);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dialstate-scripts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn missing_snapshot_fails_until_accepted_then_a_change_shows_a_diff() {
    let dir = temp_dir("runner");
    std::fs::write(dir.join("p.conf"), "[default]\nexten => 1,hint,Custom:x\n").expect("write");
    std::fs::write(dir.join("a.cli"), "p.conf\ncore show hints\n").expect("write");
    let dir_arg = dir.display().to_string();
    let run = dialstate(&["test", &dir_arg]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("no snapshot"), "{}", run.stdout);
    assert!(!dir.join("snapshots/a.cli.snap").exists());

    let run = dialstate(&["test", "--accept", &dir_arg]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let snap = std::fs::read_to_string(dir.join("snapshots/a.cli.snap")).expect("written");
    assert!(snap.starts_with("---\nsource: "), "{snap}");
    assert!(snap.contains("*CLI> core show hints\n"), "{snap}");

    let run = dialstate(&["test", &dir_arg]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    std::fs::write(
        dir.join("a.cli"),
        "p.conf\ndevstate change Custom:x BUSY\ncore show hints\n",
    )
    .expect("write");
    let run = dialstate(&["test", &dir_arg]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("+*CLI> devstate change Custom:x BUSY"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("-1@default"), "{}", run.stdout);
    assert!(run.stdout.contains("0 passed, 1 failed"), "{}", run.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn console_reads_commands_from_stdin_and_prints_only_their_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args([
            "console",
            "dialplans/scripts/states.conf",
            "--db",
            ":memory:",
        ])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("console starts");
    if let Some(stdin) = child.stdin.as_mut() {
        stdin
            .write_all(
                b"devstate change Custom:lamp BUSY\ncore show hint 100\nexit\ncore show hints\n",
            )
            .expect("write");
    }
    let output = child.wait_with_output().expect("console ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "Changing lamp to BUSY\n100@default                   : Custom:lamp                                                   State:Busy            Presence:not_set         Watchers  0\n1 hint matching extension 100\n"
    );
}

#[test]
fn console_x_runs_commands_and_keeps_state_in_the_database() {
    let dir = temp_dir("x");
    let db = dir.join("state.db").display().to_string();
    let run = dialstate(&[
        "console",
        "dialplans/scripts/states.conf",
        "--db",
        &db,
        "-x",
        "devstate change Custom:lamp INUSE",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "Changing lamp to INUSE\n");
    let run = dialstate(&[
        "console",
        "dialplans/scripts/states.conf",
        "--db",
        &db,
        "-x",
        "core show hint 100",
    ]);
    assert!(run.stdout.contains("State:InUse"), "{}", run.stdout);
    // A failing command makes the exit status 1.
    let run = dialstate(&[
        "console",
        "dialplans/scripts/states.conf",
        "--db",
        &db,
        "-x",
        "devstate change Custom:lamp nope",
    ]);
    assert_eq!(run.code, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_database_is_a_clear_error_at_start_up() {
    let dir = temp_dir("corrupt");
    let db = dir.join("state.db");
    std::fs::write(
        &db,
        b"this is not a database, it is a text file long enough to look like one\n".repeat(100),
    )
    .expect("write");
    let before = std::fs::read(&db).expect("read");
    let run = dialstate(&[
        "console",
        "dialplans/scripts/states.conf",
        "--db",
        &db.display().to_string(),
        "-x",
        "core show hints",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("cannot use the state database"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file was changed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
