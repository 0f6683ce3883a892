//! The interpreter through `dialstate run` and `dialstate eval`: traces stream while the call
//! runs, simulated applications take the outcome the call chooses, `--cdr` prints the record,
//! and `eval` is `$[EXPR]` in a call.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{dialstate, root};

#[test]
fn run_streams_the_trace_while_the_call_runs() {
    // A loop allowed to run for a very long time: its first lines must arrive long before it
    // could end, and closing the pipe must end it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args([
            "run",
            "dialplans/run/loop-million.conf",
            "s@loop",
            "--max-steps",
            "4000000000",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .expect("dialstate runs");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.starts_with("    -- Executing [s@loop:1] Set("),
        "{first}"
    );
    assert!(
        child.try_wait().expect("status").is_none(),
        "the call ended before its first line was read: the trace was not streamed"
    );
    drop(lines);
    let status = child.wait().expect("exits once nobody reads");
    assert!(status.code().is_some(), "killed by a signal: {status:?}");
}

#[test]
fn run_applies_app_outcomes_and_prints_the_cdr() {
    let file = "dialplans/scripts/applications.conf";
    let run = dialstate(&[
        "run",
        file,
        "s@telephony",
        "--app",
        "AGI=FAILURE",
        "--app",
        "queue=FULL",
        "--app",
        "ConfBridge=KICKED",
        "--cdr",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("AGISTATUS=FAILURE"), "{}", run.stdout);
    assert!(run.stdout.contains("QUEUESTATUS=FULL"), "{}", run.stdout);
    assert!(
        run.stdout.contains("CONFBRIDGE_RESULT=KICKED"),
        "{}",
        run.stdout
    );
    let cdr = run
        .stdout
        .lines()
        .find(|it| it.starts_with("  == CDR (Master.csv): "))
        .unwrap_or_default();
    assert!(
        cdr.contains("\"s\",\"telephony\"") && cdr.contains("\"ANSWERED\""),
        "{cdr}"
    );
    let run = dialstate(&["run", file, "s@telephony", "--app", "Nonsense=1"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("unknown application or function `Nonsense`"),
        "{}",
        run.stdout
    );
}

#[test]
fn system_and_agi_never_run_anything() {
    let marker = std::env::temp_dir().join(format!("dialstate-never-{}", std::process::id()));
    let conf = std::env::temp_dir().join(format!("dialstate-never-{}.conf", std::process::id()));
    let touch = format!("touch {}", marker.display());
    std::fs::write(
        &conf,
        format!("[t]\nexten => s,1,System({touch})\n same => n,TrySystem({touch})\n same => n,Set(X=${{SHELL({touch})}})\n same => n,AGI(/bin/sh,-c,{touch})\n"),
    )
    .expect("write");
    let conf_arg = conf.display().to_string();
    let run = dialstate(&["run", &conf_arg, "s@t"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!marker.exists(), "a command ran");
    assert!(run.stdout.contains("SHELL(touch"), "{}", run.stdout);
    let _ = std::fs::remove_file(&conf);
}

#[test]
fn eval_is_an_expression_in_a_call() {
    for (args, expect) in [
        (&["eval", "$[1+2] * 2"][..], "6"),
        (&["eval", "--set", "X=5", "${X} + LEN(hello)"][..], "10"),
        (&["eval", "LEN(hello)"][..], "5"),
        (&["eval", "${EXTEN}"][..], "s"),
        (&["eval", "DB_EXISTS(family/key)"][..], "0"),
    ] {
        let run = dialstate(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, format!("{expect}\n"), "{args:?}");
    }
    let run = dialstate(&["eval", "NOSUCH(1) + 1"]);
    assert!(
        run.stderr.contains("ERROR: Function NOSUCH not registered"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_extension_reports_each_call() {
    let run = dialstate(&[
        "run",
        "dialplans/compat/call-center.conf",
        "--every-extension",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(
        last.ends_with("0 stopped on a missing piece, 0 looped until the step limit"),
        "{last}"
    );
    assert!(
        run.stdout.lines().all(|it| !it.starts_with("stopped")),
        "{}",
        run.stdout
    );
}

#[test]
fn endless_recursion_stops_with_a_message() {
    let conf =
        std::env::temp_dir().join(format!("dialstate-recursion-{}.conf", std::process::id()));
    std::fs::write(
        &conf,
        "[t]\nexten => s,1,NoOp(${EVAL(${X})})\n same => n,Macro(loop)\n same => n,NoOp(survived)\n[macro-loop]\nexten => s,1,Macro(loop)\n",
    )
    .expect("write");
    let conf_arg = conf.display().to_string();
    let run = dialstate(&["run", &conf_arg, "s@t", "--set", "X=${EVAL(${X})}"]);
    let _ = std::fs::remove_file(&conf);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("function calls nested deeper than 64 levels; EVAL not evaluated"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "ERROR[C-00000001]: Macro():  possible infinite loop detected.  Returning early."
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"survived\""), "{}", run.stdout);
}
