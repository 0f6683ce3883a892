//! Resource-list subscriptions (spec sip-presence.md §9) over loopback: our own subscriber with
//! `Supported: eventlist` against `run_server`, state changed through the control socket.

use std::path::Path;
use std::sync::Arc;

use dialstate::config::MemProvider;
use dialstate::sip::client::{Notify, Spec, Subscriber};

use crate::sip::{launch_conf, Server, WAIT};

const EXTENSIONS: &str = "\
[internal]
exten => 7001,hint,Custom:a
exten => 7002,hint,Custom:a&Custom:b
exten => 7003,hint,Custom:c
exten => 7004,hint,Custom:d
";

const PJSIP: &str = "\
[alice]
type=endpoint
context=internal

[keys]
type=resource_list
event=presence
list_item=7001,7002
list_item=sub

[sub]
type=resource_list
event=presence
; 7001 again (already visited), keys (a loop) and 9999 (no hint) are all left out
list_item=7003,7001,keys,9999

[batched]
type=resource_list
event=presence
list_item=7003,7004
notification_batch_interval=300

[full]
type=resource_list
event=presence
full_state=yes
list_item=7003,7004

[nothing]
type=resource_list
event=presence
list_item=9998,9999
";

async fn start() -> Server {
    let provider = MemProvider::default().with("conf/extensions.conf", EXTENSIONS);
    launch_conf(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        ":memory:",
        "127.0.0.1:0".parse().unwrap(),
        PJSIP,
    )
    .await
}

async fn list_subscriber(server: &Server, list: &str, eventlist: bool) -> Subscriber {
    let mut spec = Spec::new(&server.target(list), "alice");
    spec.eventlist = eventlist;
    Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// What the RLMI part of a list NOTIFY says, in document order: (list or resource name,
/// fullState of each `<list>`).
fn rlmi_lists(body: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:([^@"]+)@[^"]*" version="(\d+)" fullState="(true|false)">"#).unwrap();
    re.captures_iter(body)
        .map(|c| format!("{} v{} full={}", &c[1], &c[2], &c[3]))
        .collect()
}

/// The resources named in RLMI documents, in document order, with their instance state.
fn rlmi_resources(body: &str) -> Vec<String> {
    let re = regex::Regex::new(
        r#"<resource uri="sip:([^@"]+)@[^"]*">\s*<name>[^<]*</name>\s*<instance id="[a-z]{5}" state="(active|terminated)" cid="([a-z]{5})@127\.0\.0\.1" />"#,
    )
    .unwrap();
    re.captures_iter(body)
        .map(|c| {
            if &c[2] == "active" {
                c[1].to_string()
            } else {
                format!("{} ({})", &c[1], &c[2])
            }
        })
        .collect()
}

/// The PIDF note of one resource's part.
fn note_of(body: &str, exten: &str) -> Option<String> {
    let at = body.find(&format!("<presence entity=\"sip:{exten}@"))?;
    let rest = &body[at..];
    let note = rest.split("<note>").nth(1)?.split("</note>").next()?;
    Some(note.to_string())
}

fn assert_list_notify(n: &Notify) {
    assert!(
        n.content_type
            .starts_with("multipart/related;type=\"application/rlmi+xml\";boundary="),
        "{}",
        n.content_type
    );
    assert!(
        n.raw.lines().any(|l| l.trim_end() == "Require: eventlist"),
        "{}",
        n.raw
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_subscription_gets_full_then_partial_multipart_notifies() {
    let server = start().await;

    // Without `Supported: eventlist` the list name is a single resource: no hint, 404.
    let mut plain = list_subscriber(&server, "keys", false).await;
    assert_eq!(plain.subscribe(600, WAIT).await.unwrap(), 404);
    // A list none of whose resources exists: 500.
    let mut nothing = list_subscriber(&server, "nothing", true).await;
    assert_eq!(nothing.subscribe(600, WAIT).await.unwrap(), 500);

    let mut sub = list_subscriber(&server, "keys", true).await;
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let first = sub.next_notify(WAIT).await.unwrap();
    assert_list_notify(&first);
    assert_eq!(
        rlmi_lists(&first.body),
        ["keys v0 full=true", "sub v0 full=true"]
    );
    assert_eq!(rlmi_resources(&first.body), ["7001", "7002", "sub", "7003"]);
    for exten in ["7001", "7002", "7003"] {
        assert_eq!(
            note_of(&first.body, exten).as_deref(),
            Some("Ready"),
            "{exten}"
        );
    }
    // Every leaf is one watcher of its hint.
    let hints = server.remote("core show hints").await;
    for exten in ["7001", "7002", "7003"] {
        let line = hints
            .lines()
            .find(|l| l.starts_with(&format!("{exten}@internal")))
            .unwrap();
        assert!(line.ends_with("Watchers  1"), "{line}");
    }

    // One change: a partial NOTIFY with only the resource that changed, in its nested list.
    server.remote("devstate change Custom:c INUSE").await;
    let partial = sub.next_notify(WAIT).await.unwrap();
    assert_list_notify(&partial);
    assert_eq!(
        rlmi_lists(&partial.body),
        ["keys v1 full=false", "sub v1 full=false"]
    );
    assert_eq!(rlmi_resources(&partial.body), ["sub", "7003"]);
    assert_eq!(
        note_of(&partial.body, "7003").as_deref(),
        Some("On the phone")
    );

    // A device shared by two resources: both are told, each body shows the new state.
    server.remote("devstate change Custom:a RINGING").await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let n = sub.next_notify(WAIT).await.unwrap();
        assert_list_notify(&n);
        for r in rlmi_resources(&n.body) {
            assert_eq!(note_of(&n.body, &r).as_deref(), Some("Ringing"), "{r}");
            seen.push(r);
        }
    }
    seen.sort();
    assert_eq!(seen, ["7001", "7002"]);

    // Refresh: a full NOTIFY again.
    assert_eq!(sub.subscribe(300, WAIT).await.unwrap(), 200);
    let refreshed = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(
        rlmi_resources(&refreshed.body),
        ["7001", "7002", "sub", "7003"]
    );
    assert!(rlmi_lists(&refreshed.body)[0].ends_with("full=true"));

    // Unsubscribe: a final full NOTIFY, every instance terminated, and the watchers go.
    assert_eq!(sub.subscribe(0, WAIT).await.unwrap(), 200);
    let last = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(last.subscription_state, "terminated");
    assert_eq!(
        rlmi_resources(&last.body),
        [
            "7001 (terminated)",
            "7002 (terminated)",
            "sub (terminated)",
            "7003 (terminated)"
        ]
    );
    let hints = server.remote("core show hints").await;
    assert!(!hints.contains("Watchers  1"), "{hints}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_and_full_state_lists() {
    let server = start().await;
    let mut batched = list_subscriber(&server, "batched", true).await;
    assert_eq!(batched.subscribe(600, WAIT).await.unwrap(), 200);
    let first = batched.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_resources(&first.body), ["7003", "7004"]);
    let mut full = list_subscriber(&server, "full", true).await;
    assert_eq!(full.subscribe(600, WAIT).await.unwrap(), 200);
    let first_full = full.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_resources(&first_full.body), ["7003", "7004"]);

    // Two changes inside the 300 ms window: one NOTIFY carrying both.
    server.remote("devstate change Custom:c INUSE").await;
    server.remote("devstate change Custom:d BUSY").await;
    let n = batched.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_lists(&n.body), ["batched v1 full=false"]);
    assert_eq!(rlmi_resources(&n.body), ["7003", "7004"]);
    assert_eq!(note_of(&n.body, "7003").as_deref(), Some("On the phone"));
    assert_eq!(note_of(&n.body, "7004").as_deref(), Some("On the phone"));
    assert!(
        batched
            .next_notify(std::time::Duration::from_millis(600))
            .await
            .is_err(),
        "one batched NOTIFY only"
    );

    // full_state=yes: every change carries every resource.
    let mut last = full.next_notify(WAIT).await.unwrap();
    while note_of(&last.body, "7004").as_deref() != Some("On the phone") {
        last = full.next_notify(WAIT).await.unwrap();
    }
    assert_eq!(rlmi_resources(&last.body), ["7003", "7004"]);
    assert!(rlmi_lists(&last.body)[0].ends_with("full=true"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rebuilds_the_tree_and_display_names_show_in_rlmi() {
    let dir = crate::sip::temp("rls-reload");
    std::fs::create_dir_all(&dir).unwrap();
    let ext = dir.join("extensions.conf");
    std::fs::write(
        &ext,
        "[internal]\nexten => 7001,hint,Custom:a(Alice Example)\n",
    )
    .unwrap();
    let pjsip = "[alice]\ntype=endpoint\ncontext=internal\n\n[grow]\ntype=resource_list\nevent=presence\nresource_display_name=yes\nlist_item=7001,7005\n";
    let server = launch_conf(
        Arc::new(dialstate::config::FsProvider),
        &ext,
        ":memory:",
        "127.0.0.1:0".parse().unwrap(),
        pjsip,
    )
    .await;
    let mut sub = list_subscriber(&server, "grow", true).await;
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let first = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_resources(&first.body), ["7001"]);
    assert!(
        first.body.contains("<name>Alice Example</name>"),
        "{}",
        first.body
    );

    // 7005 gets a hint; the next refresh rebuilds the tree: a full NOTIFY with both, the RLMI
    // version counting on.
    std::fs::write(
        &ext,
        "[internal]\nexten => 7001,hint,Custom:a(Alice Example)\nexten => 7005,hint,Custom:e\n",
    )
    .unwrap();
    server.remote("dialplan reload").await;
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let rebuilt = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_resources(&rebuilt.body), ["7001", "7005"]);
    assert_eq!(rlmi_lists(&rebuilt.body), ["grow v1 full=true"]);
    let hints = server.remote("core show hints").await;
    assert!(
        hints
            .lines()
            .any(|l| l.starts_with("7005@internal") && l.ends_with("Watchers  1")),
        "{hints}"
    );
    // The new leaf is watched: its changes arrive.
    server.remote("devstate change Custom:e INUSE").await;
    let n = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(rlmi_resources(&n.body), ["7005"]);

    // Every hint goes away: the resources show as terminated, and the last NOTIFY ends the
    // subscription.
    std::fs::write(&ext, "[internal]\nexten => 9999,1,NoOp()\n").unwrap();
    server.remote("dialplan reload").await;
    let mut last = sub.next_notify(WAIT).await.unwrap();
    for _ in 0..2 {
        if last.subscription_state == "terminated" {
            break;
        }
        assert!(last.body.contains("state=\"terminated\""), "{}", last.body);
        last = sub.next_notify(WAIT).await.unwrap();
    }
    assert_eq!(last.subscription_state, "terminated");
    assert!(
        rlmi_resources(&last.body)
            .iter()
            .all(|r| r.ends_with("(terminated)")),
        "{}",
        last.body
    );
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(subs.ends_with("0 active subscriptions\n"), "{subs}");
    server.stop().await;
}

/// A dialog-info list across a restart: each resource's version continues above anything sent
/// (spec §10, Asterisk's `generator_data`), so BLF phones do not discard the new NOTIFYs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_dialog_info_versions_continue_after_a_restart() {
    let db = crate::sip::temp("rls-restart.db")
        .to_string_lossy()
        .to_string();
    let pjsip = "[alice]\ntype=endpoint\ncontext=internal\n\n[dlist]\ntype=resource_list\nevent=dialog\nlist_item=7001,7003\n";
    let launch = |udp: std::net::SocketAddr, db: String| async move {
        let provider = MemProvider::default().with("conf/extensions.conf", EXTENSIONS);
        launch_conf(
            Arc::new(provider),
            Path::new("conf/extensions.conf"),
            &db,
            udp,
            pjsip,
        )
        .await
    };
    let server = launch("127.0.0.1:0".parse().unwrap(), db.clone()).await;
    let mut spec = Spec::new(&server.target("dlist"), "alice");
    spec.eventlist = true;
    spec.event = "dialog".to_string();
    let mut sub = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let versions = |body: &str| -> Vec<u64> {
        regex::Regex::new(r#"<dialog-info [^>]*version="(\d+)""#)
            .unwrap()
            .captures_iter(body)
            .map(|c| c[1].parse().unwrap())
            .collect()
    };
    let first = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(versions(&first.body), [0, 0]);
    server.remote("devstate change Custom:a INUSE").await;
    let change = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(versions(&change.body), [1]);
    let udp = server.udp;
    server.stop().await;
    for _ in 0..50 {
        if std::net::UdpSocket::bind(udp).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let server = launch(udp, db).await;
    let restored = sub.next_notify(WAIT).await.unwrap();
    let after = versions(&restored.body);
    assert_eq!(after.len(), 2, "{}", restored.body);
    assert!(after.iter().all(|v| *v > 1), "{after:?}");
    server.stop().await;
}
