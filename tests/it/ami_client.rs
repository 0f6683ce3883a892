//! The manager interface as a client nobody here wrote sees it: `asterisk-rs-ami` (crates.io)
//! logs in to a real `dialstate serve --manager` over loopback with its MD5 challenge login, runs
//! actions through its typed action structs, and receives events through its event bus, so what
//! is checked is the library's parsing of our framing, not our own client's.
//!
//! Every test runs under one overall deadline and stops by itself; the client never reconnects.

use std::time::Duration;

use asterisk_rs_ami::action::{
    ExtensionStateAction, ExtensionStateListAction, GetVarAction, SetVarAction,
};
use asterisk_rs_ami::{AmiClient, AmiEvent};
use asterisk_rs_core::config::ReconnectPolicy;
use asterisk_rs_core::event::{EventReceive, EventSubscription};

/// The whole of one test, server start excluded.
const DEADLINE: Duration = Duration::from_secs(30);
/// One action or one awaited event.
const STEP: Duration = Duration::from_secs(5);

type Server = crate::support::ManagerServer;

fn start() -> Server {
    Server::start("ami-client")
}

/// `dialstate remote -x COMMAND` against the server's control socket, off the async threads.
async fn remote(server: &Server, command: &str) {
    let control = server.control();
    let command = command.to_string();
    let run = tokio::task::spawn_blocking(move || {
        crate::support::dialstate(&["remote", "--control", &control, "-x", &command])
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "remote failed: {}", run.stderr);
}

/// Logs in as admin with the library's defaults for authentication (MD5 challenge required).
async fn connect(server: &Server) -> AmiClient {
    AmiClient::builder()
        .host(server.manager.ip().to_string())
        .port(server.manager.port())
        .credentials("admin", "dialstate")
        .reconnect(ReconnectPolicy::none())
        .timeout(STEP)
        .connect_timeout(STEP)
        .build()
        .await
        .expect("asterisk-rs-ami logs in with the MD5 challenge")
}

/// The next event on `sub` that `pick` accepts, within one step.
async fn next_event(
    sub: &mut EventSubscription<AmiEvent>,
    what: &str,
    pick: impl Fn(&AmiEvent) -> bool,
) -> AmiEvent {
    let mut seen = Vec::new();
    let wait = async {
        loop {
            match sub.recv().await {
                EventReceive::Event(event) if pick(&event) => return event,
                EventReceive::Event(event) => seen.push(event.event_name().to_string()),
                EventReceive::Lagged(n) => panic!("the client's event bus lost {n} events"),
                EventReceive::Closed => panic!("the client's event bus closed"),
            }
        }
    };
    match tokio::time::timeout(STEP, wait).await {
        Ok(event) => event,
        Err(_) => panic!("no {what} within {STEP:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_party_client_logs_in_and_runs_actions() {
    let server = start();
    tokio::time::timeout(DEADLINE, async {
        let client = connect(&server).await;

        let pong = client.ping().await.unwrap();
        assert!(pong.success, "{pong:?}");
        assert_eq!(pong.get("Ping"), Some("Pong"));
        assert!(pong.get("Timestamp").is_some_and(|t| t.contains('.')));

        let state = client
            .send_action(&ExtensionStateAction {
                exten: "6003".into(),
                context: "internal".into(),
            })
            .await
            .unwrap();
        assert!(state.success, "{state:?}");
        assert_eq!(state.message.as_deref(), Some("Extension Status"));
        let fields: Vec<_> = ["Exten", "Context", "Hint", "Status", "StatusText"]
            .iter()
            .map(|k| state.get(k).unwrap_or("<missing>"))
            .collect();
        assert_eq!(fields, ["6003", "internal", "Custom:lamp3", "0", "Idle"]);

        // The list arrives as typed events collected by the library up to the Complete marker.
        let list = client
            .send_collecting(&ExtensionStateListAction)
            .await
            .unwrap();
        assert!(list.response.success, "{:?}", list.response);
        assert_eq!(
            list.response.message.as_deref(),
            Some("Extension Statuses will follow")
        );
        let mut items = Vec::new();
        let mut complete = None;
        for event in &list.events {
            match event {
                AmiEvent::ExtensionStatus {
                    exten,
                    context,
                    hint,
                    status,
                    status_text,
                } => items.push(format!("{exten}@{context} {hint} {status} {status_text}")),
                AmiEvent::ExtensionStateListComplete { items } => complete = Some(*items),
                other => panic!("unexpected list event {other:?}"),
            }
        }
        items.sort();
        assert_eq!(
            items,
            [
                "2000@default Custom:BobToggle 0 Idle",
                "2001@default ,CustomPresence:Bob 4 Unavailable",
                "6001@internal PJSIP/6001 4 Unavailable",
                "6002@internal PJSIP/6002&Custom:DND6002 4 Unavailable",
                "6003@internal Custom:lamp3 0 Idle",
                "6004@internal PJSIP/6004,CustomPresence:Bob 4 Unavailable",
                "6005@internal ,CustomPresence:Ellen 4 Unavailable",
            ]
        );
        assert_eq!(complete, Some(7), "ListItems counts the items");

        // asterisk-rs-ami keeps `Output:` lines of a `Response: Success` as ordinary headers in
        // a map, so only the last line is visible through it.
        let out = client.command("core show hint 6003").await.unwrap();
        assert!(out.success, "{out:?}");
        assert_eq!(out.message.as_deref(), Some("Command output follows"));
        assert_eq!(out.get("Output"), Some("1 hint matching extension 6003"));

        // The library spells these `SetVar` / `GetVar`: action names ignore case.
        let set = client
            .send_action(&SetVarAction {
                channel: None,
                variable: "DEVICE_STATE(Custom:x)".into(),
                value: "BUSY".into(),
            })
            .await
            .unwrap();
        assert!(set.success, "{set:?}");
        let get = client
            .send_action(&GetVarAction {
                channel: None,
                variable: "DEVICE_STATE(Custom:x)".into(),
            })
            .await
            .unwrap();
        assert_eq!(get.get("Value"), Some("BUSY"), "{get:?}");

        client.disconnect().await.unwrap();
    })
    .await
    .expect("the test finished within its deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_party_client_receives_extension_status_after_a_remote_change() {
    let server = start();
    tokio::time::timeout(DEADLINE, async {
        let client = connect(&server).await;
        let mut events = client.subscribe();
        remote(&server, "devstate change Custom:lamp3 INUSE").await;
        let device = next_event(
            &mut events,
            "DeviceStateChange",
            |e| matches!(e, AmiEvent::DeviceStateChange { device, .. } if device == "Custom:lamp3"),
        )
        .await;
        assert!(
            matches!(&device, AmiEvent::DeviceStateChange { state, .. } if state == "INUSE"),
            "{device:?}"
        );
        let status = next_event(
            &mut events,
            "ExtensionStatus",
            |e| matches!(e, AmiEvent::ExtensionStatus { exten, .. } if exten == "6003"),
        )
        .await;
        match status {
            AmiEvent::ExtensionStatus {
                context,
                hint,
                status,
                status_text,
                ..
            } => assert_eq!(
                (
                    context.as_str(),
                    hint.as_str(),
                    status,
                    status_text.as_str()
                ),
                ("internal", "Custom:lamp3", 1, "InUse")
            ),
            other => unreachable!("{other:?}"),
        }
        assert_eq!(
            extension_state_6003(&client).await,
            ("1".to_string(), "InUse".to_string())
        );
        client.disconnect().await.unwrap();
    })
    .await
    .expect("the test finished within its deadline");
}

/// 6003's state as the ExtensionState action reads it after the event.
async fn extension_state_6003(client: &AmiClient) -> (String, String) {
    let state = client
        .send_action(&ExtensionStateAction {
            exten: "6003".into(),
            context: "internal".into(),
        })
        .await
        .unwrap();
    (
        state.get("Status").unwrap_or_default().to_string(),
        state.get("StatusText").unwrap_or_default().to_string(),
    )
}
