//! Three servers sharing device state (issue: several dialstate servers), from the example in
//! `dialplans/cluster/` with its ports moved to free ones: a phone registers on server a, a
//! watcher subscribes on server b, a Custom device changes on server c, and the NOTIFY on b
//! shows both. All over loopback with real PUBLISH traffic between the servers.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dialstate::config::MemProvider;
use dialstate::sip::client::{register, Notify, Subscriber};

use crate::sip::{launch_eid, subscriber, Server, WAIT};

fn free_udp_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}

fn example(server: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("dialplans/cluster")
        .join(server)
        .join(file);
    std::fs::read_to_string(path).unwrap()
}

async fn start(name: &str, ports: &[(u16, u16)]) -> Server {
    let mut pjsip = example(name, "pjsip.conf");
    for (from, to) in ports {
        pjsip = pjsip.replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"));
    }
    let eid = example(name, "asterisk.conf")
        .lines()
        .find_map(|l| l.strip_prefix("entity_id = "))
        .unwrap()
        .parse()
        .unwrap();
    let me = ports[(name.as_bytes()[0] - b'a') as usize].1;
    let provider =
        MemProvider::default().with("conf/extensions.conf", example(name, "extensions.conf"));
    launch_eid(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        ":memory:",
        SocketAddr::from(([127, 0, 0, 1], me)),
        &pjsip,
        Some(eid),
    )
    .await
}

async fn next_with(sub: &mut Subscriber, needle: &str) -> Notify {
    for _ in 0..6 {
        let n = sub.next_notify(WAIT).await.unwrap();
        if n.body.contains(needle) {
            return n;
        }
    }
    panic!("no NOTIFY with {needle}");
}

async fn hint_state(server: &Server, exten: &str) -> String {
    let line = server.hint_line(exten).await;
    line.split_whitespace()
        .find(|w| w.starts_with("State:"))
        .unwrap_or_default()
        .to_string()
}

async fn eventually(server: &Server, exten: &str, want: &str) {
    for _ in 0..50 {
        if hint_state(server, exten).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{exten} never became {want}: {}",
        server.remote("core show hints").await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_share_device_state() {
    let ports = [
        (5161, free_udp_port()),
        (5162, free_udp_port()),
        (5163, free_udp_port()),
    ];
    let a = start("a", &ports).await;
    let b = start("b", &ports).await;
    let c = start("c", &ports).await;

    let mut watcher = subscriber(&b, "100", "watcher").await;
    assert_eq!(watcher.subscribe(600, WAIT).await.unwrap(), 200);
    let first = watcher.next_notify(WAIT).await.unwrap();
    assert!(
        first.body.contains("<basic>closed</basic>"),
        "{}",
        first.body
    );

    // The phone registers on a: b's hint sees PJSIP/phone available.
    let r = register(
        a.udp,
        "phone",
        Some("phone-secret"),
        "phone",
        "sip:phone@127.0.0.1:5999",
        600,
    )
    .await
    .unwrap();
    assert_eq!(r.code(), Some(200));
    next_with(&mut watcher, "<note>Ready</note>").await;

    // The lamp changes on c: b's watcher hears it.
    c.remote("devstate change Custom:lamp INUSE").await;
    let busy = next_with(&mut watcher, "<note>On the phone</note>").await;
    assert!(busy.body.contains("<basic>open</basic>"));
    // Every server agrees, and stays put (a peer's change is never published back).
    eventually(&a, "100", "State:InUse").await;
    eventually(&c, "100", "State:InUse").await;
    eventually(&a, "101", "State:InUse").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hint_state(&b, "100").await, "State:InUse");

    // c goes away: its publication is removed, its states withdrawn everywhere.
    c.stop().await;
    next_with(&mut watcher, "<note>Ready</note>").await;
    eventually(&a, "101", "State:Idle").await;
    a.stop().await;
    b.stop().await;
}
