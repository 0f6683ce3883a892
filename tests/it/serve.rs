//! The server as a user runs it: `dialstate serve` on the bundled demo in one process,
//! `dialstate watch` in another, `dialstate remote -x` changing state, SIGTERM at the end.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{dialstate, root};

struct ServeProcess {
    child: Child,
    port: u16,
    control: String,
    db: String,
}

fn free_port() -> u16 {
    // A port free for both UDP and TCP right now.
    for _ in 0..50 {
        let Ok(udp) = std::net::UdpSocket::bind("127.0.0.1:0") else {
            continue;
        };
        let Ok(addr) = udp.local_addr() else { continue };
        if std::net::TcpListener::bind(addr).is_ok() {
            return addr.port();
        }
    }
    panic!("no free port");
}

fn start_serve(extra: &[&str]) -> ServeProcess {
    let dir = std::env::temp_dir().join(format!(
        "dialstate-serve-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() + u128::from(free_port())
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let control = dir.join("ctl").to_string_lossy().into_owned();
    let db = dir.join("state.db").to_string_lossy().into_owned();
    let udp = format!("udp:127.0.0.1:{port}");
    let tcp = format!("tcp:127.0.0.1:{port}");
    let mut args = vec![
        "serve",
        "--sip",
        &udp,
        "--sip",
        &tcp,
        "--db",
        &db,
        "--control",
        &control,
    ];
    if !extra.contains(&"--manager") {
        args.extend_from_slice(&["--manager", "off"]);
    }
    args.extend_from_slice(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args(&args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with(&format!(
            "dialstate: listening on udp:127.0.0.1:{port}, tcp:127.0.0.1:{port}; control socket"
        )),
        "{line}"
    );
    ServeProcess {
        child,
        port,
        control,
        db,
    }
}

impl ServeProcess {
    fn remote(&self, command: &str) -> String {
        dialstate(&["remote", "--control", &self.control, "-x", command]).stdout
    }

    fn terminate(mut self) -> i32 {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("serve did not stop on SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `dialstate watch ARGS...` with its output piped.
fn spawn_watch(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .arg("watch")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_until(mut what: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !what() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn watch_sees_a_change_made_through_remote_on_the_demo() {
    let server = start_serve(&[]);
    let target = format!("sip:6003@127.0.0.1:{}", server.port);
    let watch = spawn_watch(&[
        &target,
        "--from",
        "alice",
        "--count",
        "3",
        "--timeout",
        "10",
    ]);
    wait_until(|| server.remote("core show hints").contains("Watchers  1"));
    assert!(server
        .remote("pjsip show subscriptions inbound")
        .contains("Endpoint: alice/<none>\nResource: 6003/presence\n"));
    assert_eq!(
        server.remote("devstate change Custom:lamp3 INUSE"),
        "Changing lamp3 to INUSE\n"
    );
    std::thread::sleep(Duration::from_millis(200));
    server.remote("devstate change Custom:lamp3 NOT_INUSE");
    let out = watch.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text,
        "6003 Ready presence=not_set\n6003 On the phone presence=not_set\n6003 Ready presence=not_set\n6003 Ready presence=not_set (terminated)\n"
    );
    assert_eq!(server.terminate(), 0);
}

#[test]
fn bob_answers_the_challenge_and_sees_his_presence_via_a_simulated_call() {
    let server = start_serve(&[]);
    let target = format!("sip:2001@127.0.0.1:{}", server.port);
    let watch = spawn_watch(&[
        &target,
        "--from",
        "bob:bob-secret",
        "--count",
        "2",
        "--timeout",
        "10",
    ]);
    wait_until(|| server.remote("core show hints").contains("Watchers  1"));
    // Bob's toggle (2000) flips his presence (not set, so to available) through the dialplan.
    let trace = server.remote("call 2000@default");
    assert!(
        trace.contains("PRESENCE_STATE(CustomPresence:Bob)=available"),
        "{trace}"
    );
    let out = watch.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "2001 Unavailable presence=not_set\n2001 Unavailable presence=available\n"
        ),
        "{text}"
    );
    let denied = dialstate(&["watch", &target, "--from", "bob:wrong", "--count", "1"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("answered 401"), "{}", denied.stderr);
    assert_eq!(server.terminate(), 0);
}

#[test]
fn state_and_subscriptions_survive_a_restart() {
    let server = start_serve(&[]);
    server.remote("devstate change Custom:lamp3 BUSY");
    let db = server.db.clone();
    let port = server.port;
    assert_eq!(server.terminate(), 0);
    let server = start_serve_on(&db, port);
    let hints = server.remote("core show hint 6003");
    assert!(hints.contains("State:Busy"), "{hints}");
    assert_eq!(server.terminate(), 0);
}

fn start_serve_on(db: &str, port: u16) -> ServeProcess {
    let dir = std::path::Path::new(db).parent().unwrap();
    let control = dir.join("ctl2").to_string_lossy().into_owned();
    let udp = format!("udp:127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args([
            "serve",
            "--sip",
            &udp,
            "--db",
            db,
            "--control",
            &control,
            "--manager",
            "off",
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("dialstate: listening"), "{line}");
    ServeProcess {
        child,
        port,
        control,
        db: db.to_string(),
    }
}

#[test]
fn remote_without_a_server_says_so() {
    let run = dialstate(&[
        "remote",
        "--control",
        "/nonexistent/ctl",
        "-x",
        "core show hints",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is `dialstate serve` running?"),
        "{}",
        run.stderr
    );
}

#[test]
fn register_lights_a_key_of_a_watched_blf_list_on_the_demo() {
    let server = start_serve(&[]);
    let list = format!("sip:blf-keys@127.0.0.1:{}", server.port);
    let watch = spawn_watch(&[
        &list,
        "--list",
        "--from",
        "alice",
        "--count",
        "2",
        "--timeout",
        "10",
    ]);
    wait_until(|| {
        server
            .remote("pjsip show subscriptions inbound")
            .contains("Resource: blf-keys/presence\n")
    });
    let aor = format!("sip:6001@127.0.0.1:{}", server.port);
    let wrong = dialstate(&["register", &aor, "--from", "6001:nope"]);
    assert_eq!(wrong.stdout, "401 Unauthorized\n");
    let ok = dialstate(&["register", &aor, "--from", "6001:6001-secret"]);
    assert_eq!(
        ok.stdout,
        "200 OK\nContact: <sip:6001@127.0.0.1:5999>;expires=3599\n"
    );
    assert!(server
        .remote("pjsip show contacts")
        .contains("  Contact:  6001/sip:6001@127.0.0.1:5999 "));
    let out = watch.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The full list first, then only the key that changed; the final NOTIFY lists all again.
    assert_eq!(
        text,
        "6001 Unavailable presence=not_set\n6002 Unavailable presence=not_set\n6003 Ready presence=not_set\n6004 Unavailable presence=not_set\n6005 Unavailable presence=not_set\n\
6001 Ready presence=not_set\n\
6001 Ready presence=not_set\n6002 Unavailable presence=not_set\n6003 Ready presence=not_set\n6004 Unavailable presence=not_set\n6005 Unavailable presence=not_set (terminated)\n"
    );
    assert_eq!(server.terminate(), 0);
}
