//! Bad input that must give a diagnostic and a clean exit, never a panic or a hang.

use std::io::Write;

use crate::support::dialstate;

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dialstate-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path).expect("temp file");
    file.write_all(bytes).expect("write");
    path
}

#[test]
fn binary_garbage_is_diagnosed() {
    let mut bytes = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        bytes.push((x >> 16) as u8);
    }
    let path = temp_file("garbage.conf", &bytes);
    let run = dialstate(&["check", "--format", "short", &path.display().to_string()]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {} {}",
        run.code,
        run.stderr
    );
    assert!(run.stdout.contains("config::not-utf8"), "{}", run.stdout);
}

#[test]
fn fifty_megabytes_on_one_line() {
    let mut bytes = b"[a]\nx=".to_vec();
    bytes.resize(50 * 1024 * 1024, b'y');
    bytes.extend_from_slice(b"\nexten => 1,1,NoOp\n");
    let path = temp_file("long-line.conf", &bytes);
    let run = dialstate(&["check", "--format", "short", &path.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("config::line-too-long"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.len() < 4096,
        "output is {} bytes",
        run.stdout.len()
    );
    assert!(run.stdout.contains("1 extension,"), "{}", run.stdout);
    let rich = dialstate(&["check", &path.display().to_string()]);
    assert!(
        rich.stdout.len() < 8192,
        "rich output is {} bytes",
        rich.stdout.len()
    );
}

#[test]
fn deep_brackets_do_not_overflow_the_stack() {
    let mut text = b"[a]\nexten => _".to_vec();
    text.extend(std::iter::repeat_n(b'[', 8000));
    text.extend_from_slice(b",1,NoOp\n");
    let path = temp_file("brackets.conf", &text);
    let run = dialstate(&["check", "--format", "short", &path.display().to_string()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("dialplan::invalid-pattern"),
        "{}",
        run.stdout
    );
}

/// Found by the loader fuzz target: a file that includes itself several times made the loader
/// read it k^10 times (as Asterisk would) and never finish.
#[test]
fn self_including_file_is_refused_quickly() {
    let dir = std::env::temp_dir().join(format!("dialstate-it-self-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("top.conf"), "[a]\n#include \"inc.conf\"\n").expect("write");
    std::fs::write(
        dir.join("inc.conf"),
        "x=1\n#include \"inc.conf\"\n#include \"inc.conf\"\n#include \"inc.conf\"\n",
    )
    .expect("write");
    let started = std::time::Instant::now();
    let run = dialstate(&[
        "check",
        "--format",
        "short",
        &dir.join("top.conf").display().to_string(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("it includes itself"), "{}", run.stdout);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Found by the loader fuzz target: `n` after priority 2147483647 overflowed.
#[test]
fn next_priority_after_the_largest_does_not_overflow() {
    let dir = std::env::temp_dir().join(format!("dialstate-it-max-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("max.conf");
    std::fs::write(
        &file,
        "[a]\nexten => 1,2147483647,NoOp\n same => n,NoOp\n same => n,Goto(+1)\nexten => 2,1,Goto(1,+5)\n",
    )
    .expect("write");
    let run = dialstate(&["check", "--format", "short", &file.display().to_string()]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("dialplan::duplicate-priority"),
        "{}",
        run.stdout
    );
    let run = dialstate(&["run", &file.display().to_string(), "2@a"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Everything the SIP fuzz target once crashed on (`fuzz/regressions/sip-*.bin`), replayed
/// through the same harness the target runs (`sip::replay`): every message the notifier sends
/// must parse.
#[test]
fn issue_10_sip_fuzz_regressions_send_only_parseable_messages() {
    use dialstate::sip::message::Message;

    let dir = crate::support::root().join("fuzz/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("sip-"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    for file in files {
        let data = std::fs::read(&file).unwrap();
        for o in dialstate::sip::replay::replay(&data) {
            assert!(
                Message::parse(&o.bytes).is_ok(),
                "{}: sent {:?}",
                file.display(),
                String::from_utf8_lossy(&o.bytes)
            );
        }
    }
}
