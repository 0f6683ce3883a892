//! `dialstate check`, `show` and `hints` over every fixture in `dialplans/`, snapshotted.

use crate::support::{dialstate, relative, snapshot_settings};

/// `ok/` fixtures load without a single diagnostic; their `show` and `hints` are snapshotted.
#[test]
fn ok_fixtures_load_cleanly() {
    snapshot_settings().bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/dialplans"),
            "ok/*.conf",
            |path| {
                let file = relative(path).display().to_string();
                let check = dialstate(&["check", "--format", "short", &file]);
                assert_eq!(check.code, 0, "{}", check.stdout);
                let lines: Vec<&str> = check.stdout.lines().collect();
                assert_eq!(
                    lines.len(),
                    1,
                    "ok fixture has diagnostics:\n{}",
                    check.stdout
                );
                assert!(
                    lines[0].ends_with("0 errors, 0 warnings"),
                    "{}",
                    check.stdout
                );
                let show = dialstate(&["show", &file]);
                let hints = dialstate(&["hints", &file]);
                let snap = format!(
                    "{}\n{}",
                    show.transcript(&["show", &file]),
                    hints.transcript(&["hints", &file])
                );
                insta::assert_snapshot!(snap);
            }
        );
    });
}

/// `err/` fixtures produce diagnostics; the rendered report is snapshotted.
#[test]
fn err_fixtures_report_problems() {
    snapshot_settings().bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/dialplans"),
            "err/*.conf",
            |path| {
                let file = relative(path).display().to_string();
                let args = ["check", &file];
                let check = dialstate(&args);
                assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
                assert!(
                    check.stdout.lines().count() > 1,
                    "err fixture produced no diagnostic:\n{}",
                    check.stdout
                );
                let show = dialstate(&["show", &file]);
                let snap = format!(
                    "{}\n{}",
                    check.transcript(&args),
                    show.transcript(&["show", &file])
                );
                insta::assert_snapshot!(snap);
            }
        );
    });
}

/// `compat/` fixtures: realistic dialplans, snapshotted through all three commands.
#[test]
fn compat_fixtures() {
    snapshot_settings().bind(|| {
        insta::glob!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/dialplans"),
            "compat/*.conf",
            |path| {
                let file = relative(path).display().to_string();
                let check = dialstate(&["check", "--format", "short", &file]);
                let show = dialstate(&["show", &file]);
                let hints = dialstate(&["hints", &file]);
                let snap = format!(
                    "{}\n{}\n{}",
                    check.transcript(&["check", "--format", "short", &file]),
                    show.transcript(&["show", &file]),
                    hints.transcript(&["hints", &file])
                );
                insta::assert_snapshot!(snap);
            }
        );
    });
}

#[test]
fn show_selects_context_and_extension() {
    let file = "dialplans/ok/seed-presence.conf";
    let run = dialstate(&["show", file, "2001@default"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("[ Context 'default' created by 'pbx_config' ]\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("'2001' =>"), "{}", run.stdout);
    assert!(!run.stdout.contains("'2000' =>"), "{}", run.stdout);
    let run = dialstate(&["show", file, "nosuch"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "There is no existence of 'nosuch' context\nCommand 'dialplan show nosuch' failed.\n"
    );
}

#[test]
fn check_json_is_one_object_per_line() {
    let run = dialstate(&[
        "check",
        "--format",
        "json",
        "dialplans/err/duplicate-priority.conf",
    ]);
    assert_eq!(run.code, 1);
    for line in run.stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        assert!(value["code"].is_string());
        assert!(value["line"].is_u64());
    }
}

#[test]
fn unreadable_input_exits_2() {
    let run = dialstate(&["check", "dialplans/no-such-file.conf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[test]
fn eval_prints_what_the_expression_becomes() {
    for (expr, expect) in [
        ("4 + 8 / 3", "6.66666666666666667"),
        ("-4 - -2", "-2"),
        ("- - 3", "3"),
        ("\"abc\" = abc", "0"),
        ("1/3", "0.333333333333333333"),
    ] {
        let run = dialstate(&["eval", expr]);
        assert_eq!(run.code, 0, "{expr}: {}", run.stderr);
        assert_eq!(run.stdout, format!("{expect}\n"), "{expr}");
    }
}
