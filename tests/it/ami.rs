//! The manager interface over loopback: a real `dialstate serve` process with `--manager`, and
//! our own line client speaking AMI to it, as a panel would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Server = crate::support::ManagerServer;

fn start() -> Server {
    Server::start("ami")
}

/// A minimal AMI client: sends actions, reads whole messages.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(server: &Server) -> (Client, String) {
        let stream = TcpStream::connect(server.manager).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut banner = String::new();
        reader.read_line(&mut banner).unwrap();
        (Client { reader }, banner)
    }

    fn send(&mut self, pairs: &[(&str, &str)]) {
        let mut text = String::new();
        for (k, v) in pairs {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str("\r\n");
        self.reader.get_mut().write_all(text.as_bytes()).unwrap();
    }

    /// The next message, as raw text with CRLFs; `None` when the server closed.
    fn read(&mut self) -> Option<String> {
        let mut msg = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).ok()?;
            if n == 0 {
                return None;
            }
            msg.push_str(&line);
            if line == "\r\n" {
                return Some(msg);
            }
        }
    }

    /// Reads until a message containing `needle`.
    fn until(&mut self, needle: &str) -> String {
        loop {
            let msg = self.read().expect("connection open");
            if msg.contains(needle) {
                return msg;
            }
        }
    }

    /// Reads until a message containing each needle has arrived, in any order; the messages in
    /// the needles' order.
    fn collect(&mut self, needles: &[&str]) -> Vec<String> {
        let mut found: Vec<Option<String>> = vec![None; needles.len()];
        while found.iter().any(Option::is_none) {
            let msg = self.read().expect("connection open");
            for (i, needle) in needles.iter().enumerate() {
                if found[i].is_none() && msg.contains(needle) {
                    found[i] = Some(msg.clone());
                }
            }
        }
        found.into_iter().flatten().collect()
    }

    /// Reads until a response (not an event).
    fn response(&mut self) -> String {
        loop {
            let msg = self.read().expect("connection open");
            if msg.starts_with("Response: ") {
                return msg;
            }
        }
    }

    fn login(server: &Server, user: &str, secret: &str) -> Client {
        let (mut c, _) = Client::connect(server);
        c.send(&[("Action", "Login"), ("Username", user), ("Secret", secret)]);
        let resp = c.read().unwrap();
        assert_eq!(
            resp,
            "Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
        );
        c
    }
}

fn remote(server: &Server, command: &str) -> String {
    let control = server.control();
    crate::support::dialstate(&["remote", "--control", &control, "-x", command]).stdout
}

#[test]
fn banner_login_and_actions_answer_as_asterisk() {
    let server = start();
    let (mut c, banner) = Client::connect(&server);
    assert_eq!(banner, "Asterisk Call Manager/11.0.0\r\n");
    c.send(&[("Action", "Ping"), ("ActionID", "1")]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Error\r\nActionID: 1\r\nMessage: Permission denied\r\n\r\n"
    );
    c.send(&[
        ("Action", "Challenge"),
        ("AuthType", "MD5"),
        ("ActionID", "2"),
    ]);
    let challenge = c.read().unwrap();
    let value = challenge
        .lines()
        .find_map(|l| l.strip_prefix("Challenge: "))
        .unwrap()
        .to_string();
    use md5::Digest;
    let key = format!("{:x}", md5::Md5::digest(format!("{value}dialstate")));
    c.send(&[
        ("Action", "Login"),
        ("AuthType", "MD5"),
        ("Username", "admin"),
        ("Key", &key),
        ("ActionID", "3"),
    ]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Success\r\nActionID: 3\r\nMessage: Authentication accepted\r\n\r\n"
    );
    assert!(c
        .read()
        .unwrap()
        .starts_with("Event: FullyBooted\r\nPrivilege: system,all\r\n"));
    c.send(&[("Action", "Ping"), ("ActionID", "4")]);
    let pong = c.read().unwrap();
    assert!(
        pong.starts_with("Response: Success\r\nActionID: 4\r\nPing: Pong\r\nTimestamp: "),
        "{pong}"
    );
    c.send(&[
        ("Action", "ExtensionState"),
        ("Exten", "6003"),
        ("Context", "internal"),
        ("ActionID", "42"),
    ]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Success\r\nActionID: 42\r\nMessage: Extension Status\r\nExten: 6003\r\nContext: internal\r\nHint: Custom:lamp3\r\nStatus: 0\r\nStatusText: Idle\r\n\r\n"
    );
    c.send(&[
        ("Action", "PresenceState"),
        ("Provider", "CustomPresence:Ellen"),
        ("ActionID", "7"),
    ]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Success\r\nActionID: 7\r\nMessage: Presence State\r\nState: not_set\r\n\r\n"
    );
    c.send(&[("Action", "Bogus")]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Error\r\nMessage: Invalid/unknown command: Bogus. Use Action: ListCommands to show available commands.\r\n\r\n"
    );
    c.send(&[
        ("Action", "Command"),
        ("Command", "core show hint 6003"),
        ("ActionID", "8"),
    ]);
    let out = c.read().unwrap();
    assert!(out.starts_with("Response: Success\r\nActionID: 8\r\nMessage: Command output follows\r\nOutput: 6003@internal"), "{out}");
    c.send(&[("Action", "ExtensionStateList"), ("ActionID", "9")]);
    assert!(c
        .read()
        .unwrap()
        .contains("EventList: start\r\nMessage: Extension Statuses will follow\r\n"));
    let end = c.until("ExtensionStateListComplete");
    assert_eq!(end, "Event: ExtensionStateListComplete\r\nActionID: 9\r\nEventList: Complete\r\nListItems: 7\r\n\r\n");
    c.send(&[("Action", "Logoff")]);
    assert_eq!(
        c.read().unwrap(),
        "Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n"
    );
    assert!(c.read().is_none());
}

#[test]
fn state_changes_from_any_front_end_raise_events() {
    let server = start();
    let mut panel = Client::login(&server, "panel", "panel");
    // From the console (through the control socket).
    remote(&server, "devstate change Custom:lamp3 INUSE");
    assert_eq!(
        panel.until("DeviceStateChange"),
        "Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: Custom:lamp3\r\nState: INUSE\r\n\r\n"
    );
    assert_eq!(
        panel.until("ExtensionStatus"),
        "Event: ExtensionStatus\r\nPrivilege: call,all\r\nExten: 6003\r\nContext: internal\r\nHint: Custom:lamp3\r\nStatus: 1\r\nStatusText: InUse\r\n\r\n"
    );
    // From AMI itself: Setvar on a state function.
    let mut admin = Client::login(&server, "admin", "dialstate");
    admin.send(&[
        ("Action", "Setvar"),
        ("Variable", "PRESENCE_STATE(CustomPresence:Ellen)"),
        ("Value", "away,lunch,Back at 2"),
    ]);
    assert_eq!(
        admin.response(),
        "Response: Success\r\nMessage: Variable Set\r\n\r\n"
    );
    assert_eq!(
        panel.until("PresenceStatus"),
        "Event: PresenceStatus\r\nPrivilege: call,all\r\nExten: 6005\r\nContext: internal\r\nHint: ,CustomPresence:Ellen\r\nStatus: away\r\nSubtype: lunch\r\nMessage: Back at 2\r\n\r\n"
    );
    admin.send(&[
        ("Action", "Getvar"),
        ("Variable", "PRESENCE_STATE(CustomPresence:Ellen,subtype)"),
    ]);
    assert_eq!(
        admin.response(),
        "Response: Success\r\nVariable: PRESENCE_STATE(CustomPresence:Ellen,subtype)\r\nValue: lunch\r\n\r\n"
    );
    // From a simulated call: Originate runs Bob's toggle.
    admin.send(&[
        ("Action", "Originate"),
        ("Channel", "Local/2000@default"),
        ("ActionID", "o1"),
    ]);
    assert_eq!(
        admin.until("Response: Success"),
        "Response: Success\r\nActionID: o1\r\nMessage: Originate successfully queued\r\n\r\n"
    );
    // Channel events and state events travel different paths (spec state.md §7.7: no order
    // between them); each must arrive.
    let seen = panel.collect(&[
        "Event: Newchannel",
        "Device: Custom:BobToggle",
        "Event: Hangup",
    ]);
    assert!(
        seen[0].contains("Channel: Local/2000@default;2\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[1].contains("State: NOT_INUSE"), "{}", seen[1]);
    assert!(
        seen[2].contains("Cause: 16\r\nCause-txt: Normal Clearing\r\n"),
        "{}",
        seen[2]
    );
    // The panel user may not run console commands.
    panel.send(&[("Action", "Command"), ("Command", "core show hints")]);
    assert_eq!(
        panel.response(),
        "Response: Error\r\nMessage: Permission denied\r\n\r\n"
    );
}

#[test]
fn wrong_secret_and_unknown_user_fail_alike_and_close() {
    let server = start();
    let mut answers = Vec::new();
    for (user, secret) in [("admin", "wrong"), ("nobody", "dialstate")] {
        let (mut c, _) = Client::connect(&server);
        let t = Instant::now();
        c.send(&[("Action", "Login"), ("Username", user), ("Secret", secret)]);
        let resp = c.read().unwrap();
        let took = t.elapsed();
        assert!(took >= Duration::from_millis(900), "{took:?}");
        answers.push(resp);
        assert!(c.read().is_none(), "closed after a failed login");
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(
        answers[0],
        "Response: Error\r\nMessage: Authentication failed\r\n\r\n"
    );
}

#[test]
fn floods_and_slow_readers_lose_only_their_own_session() {
    let server = start();
    // An over-long line closes that connection.
    let (mut flood, _) = Client::connect(&server);
    let long = "X".repeat(10_000);
    let _ = flood.reader.get_mut().write_all(long.as_bytes());
    let _ = flood.reader.get_mut().write_all(b"\r\n\r\n");
    let mut rest = Vec::new();
    let _ = flood.reader.read_to_end(&mut rest);
    // A logged-in session that never reads while thousands of events are raised.
    let mut stalled = Client::login(&server, "panel", "panel");
    let _ = stalled
        .reader
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(100)));
    let mut panel = Client::login(&server, "panel", "panel");
    let script: String = (0..3000)
        .map(|i| {
            format!(
                "devstate change Custom:lamp3 {}\n",
                if i % 2 == 0 { "INUSE" } else { "NOT_INUSE" }
            )
        })
        .collect();
    let control = server.control();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialstate"))
        .args(["remote", "--control", &control])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait().unwrap();
    // The reading panel saw every change, in order, ending with the last one.
    let mut last = String::new();
    let mut seen = 0;
    while seen < 3000 {
        let msg = panel.until("Event: DeviceStateChange");
        last = msg;
        seen += 1;
    }
    assert!(last.contains("State: NOT_INUSE"), "{last}");
    // The server still serves new sessions.
    let _fresh = Client::login(&server, "admin", "dialstate");
}
