//! Outbound PUBLISH against a presence server played by a raw UDP socket (spec §11.1, RFC 3903):
//! hint state as PIDF at start and when a matching hint changes, the digest challenge answered, SIP-If-Match
//! on the next change, 412 answered with a fresh initial PUBLISH, 423 with Min-Expires, and the
//! publication removed on shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dialstate::config::MemProvider;
use dialstate::sip::message::Message;
use tokio::net::UdpSocket;

use crate::sip::{launch_conf, recv_sip};

const EXTENSIONS: &str = "\
[internal]
exten => 6001,hint,Custom:a
exten => 7001,hint,Custom:b
";

async fn next_publish(ps: &UdpSocket) -> (Message, std::net::SocketAddr) {
    let (msg, from) = recv_sip(ps, "a PUBLISH").await;
    assert_eq!(msg.method(), Some("PUBLISH"));
    (msg, from)
}

async fn answer(
    ps: &UdpSocket,
    to: std::net::SocketAddr,
    msg: &Message,
    status: &str,
    extra: &str,
) {
    let mut text = format!("SIP/2.0 {status}\r\n");
    for v in msg.all("Via") {
        text.push_str(&format!("Via: {v}\r\n"));
    }
    for h in ["From", "To", "Call-ID", "CSeq"] {
        text.push_str(&format!("{h}: {}\r\n", msg.header(h).unwrap()));
    }
    text.push_str(extra);
    text.push_str("Content-Length: 0\r\n\r\n");
    ps.send_to(text.as_bytes(), to).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hint_state_is_published_with_rfc3903_entity_tags() {
    let ps = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = ps.local_addr().unwrap().port();
    let pjsip = format!(
        "[ps-auth]\ntype=auth\nauth_type=userpass\nusername=pub\npassword=pubpw\n\n\
[to-ps]\ntype=outbound-publish\nserver_uri=sip:presence@127.0.0.1:{port}\nevent=presence\n\
@body=application/pidf+xml\n@context=^internal$\n@exten=^60\noutbound_auth=ps-auth\nexpiration=120\n"
    );
    let provider = MemProvider::default().with("conf/extensions.conf", EXTENSIONS);
    let server = launch_conf(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        ":memory:",
        "127.0.0.1:0".parse().unwrap(),
        &pjsip,
    )
    .await;

    // At start: the state of the one hint the filters select (6001: 7001 does not match @exten).
    let (first, peer) = next_publish(&ps).await;
    match &first.start {
        dialstate::sip::message::Start::Request { uri, .. } => {
            assert_eq!(uri.to_string(), format!("sip:presence@127.0.0.1:{port}"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(first.header("Event"), Some("presence"));
    assert_eq!(first.header("Expires"), Some("120"));
    assert_eq!(first.header("SIP-If-Match"), None);
    assert_eq!(first.header("Content-Type"), Some("application/pidf+xml"));
    let body = String::from_utf8_lossy(&first.body).into_owned();
    assert!(
        body.contains(&format!("entity=\"sip:presence@127.0.0.1:{port}\""))
            && body.contains("<tuple id=\"6001\">")
            && body.contains("<note>Ready</note>"),
        "{body}"
    );
    // The digest challenge is answered.
    answer(
        &ps,
        peer,
        &first,
        "401 Unauthorized",
        "WWW-Authenticate: Digest realm=\"ps\",nonce=\"n0nce\",algorithm=MD5,qop=\"auth\"\r\n",
    )
    .await;
    let (authed, _) = next_publish(&ps).await;
    let auth = authed.header("Authorization").unwrap_or_default();
    assert!(
        auth.starts_with("Digest username=\"pub\", realm=\"ps\", nonce=\"n0nce\""),
        "{auth}"
    );
    assert!(authed.cseq().unwrap().0 > first.cseq().unwrap().0);
    assert_eq!(authed.body, first.body);
    answer(
        &ps,
        peer,
        &authed,
        "200 OK",
        "SIP-ETag: e1\r\nExpires: 120\r\n",
    )
    .await;

    // A change of 7001 is not published; one of 6001 modifies the publication.
    server.remote("devstate change Custom:b INUSE").await;
    server.remote("devstate change Custom:a INUSE").await;
    let (modify, _) = next_publish(&ps).await;
    assert_eq!(modify.header("SIP-If-Match"), Some("e1"));
    assert!(String::from_utf8_lossy(&modify.body).contains("<note>On the phone</note>"));
    // 412: the server lost it; a fresh initial PUBLISH (no entity tag, new Call-ID).
    answer(&ps, peer, &modify, "412 Conditional Request Failed", "").await;
    let (again, _) = next_publish(&ps).await;
    assert_eq!(again.header("SIP-If-Match"), None);
    assert_ne!(again.header("Call-ID"), modify.header("Call-ID"));
    assert_eq!(again.body, modify.body);
    // 423: Min-Expires adopted.
    answer(
        &ps,
        peer,
        &again,
        "423 Interval Too Brief",
        "Min-Expires: 600\r\n",
    )
    .await;
    let (longer, _) = next_publish(&ps).await;
    assert_eq!(longer.header("Expires"), Some("600"));
    answer(
        &ps,
        peer,
        &longer,
        "200 OK",
        "SIP-ETag: e2\r\nExpires: 600\r\n",
    )
    .await;

    // Shutdown removes the publication (once the server has read that 200 and its entity tag).
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.stop().await;
    let (remove, _) = next_publish(&ps).await;
    assert_eq!(remove.header("Expires"), Some("0"));
    assert_eq!(remove.header("SIP-If-Match"), Some("e2"));
    assert!(remove.body.is_empty());
    let mut buf = [0u8; 2048];
    assert!(
        tokio::time::timeout(Duration::from_millis(300), ps.recv_from(&mut buf))
            .await
            .is_err(),
        "nothing else (7001 never published)"
    );
}

/// Inbound asterisk-devicestate PUBLISH (spec §11.2, §11.3): a publication belongs to the
/// endpoint that made it, our own EID is refused as a loop, and removing the publication takes
/// the peer's states with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_publications_are_guarded() {
    let pjsip = "\
[peer-a]\ntype=endpoint\ncontext=internal\n[peer-b]\ntype=endpoint\ncontext=internal\n\
[from-peers]\ntype=inbound-publication\nevent_asterisk-devicestate=peers\n\
[peers]\ntype=asterisk-publication\ndevice_state=yes\n";
    let provider = MemProvider::default().with("conf/extensions.conf", EXTENSIONS);
    let eid: dialstate::state::Eid = "02:00:00:00:00:99".parse().unwrap();
    let server = crate::sip::launch_eid(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        ":memory:",
        "127.0.0.1:0".parse().unwrap(),
        pjsip,
        Some(eid),
    )
    .await;
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let mut n = 0;
    let mut publish = |from: &str, extra: &str, body: &str| {
        n += 1;
        format!(
            "PUBLISH sip:from-peers@{srv} SIP/2.0\r\nVia: SIP/2.0/UDP {local};rport;branch=z9hG4bK-p{n}\r\n\
From: <sip:{from}@127.0.0.1>;tag=t{n}\r\nTo: <sip:from-peers@{srv}>\r\nCall-ID: pub{n}@test\r\nCSeq: {n} PUBLISH\r\n\
Event: asterisk-devicestate\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len(),
            srv = server.udp,
        )
    };
    let state = |s: &str| {
        format!(
            r#"{{"type":"devicestate","device":"Custom:a","state":"{s}","cachable":1,"eid":"02:00:00:00:00:0a"}}"#
        )
    };
    let r = ask(&socket, server.udp, publish("peer-a", "", &state("INUSE"))).await;
    assert_eq!(r.code(), Some(200));
    let tag = r.header("SIP-ETag").unwrap().to_string();
    assert!(server
        .remote("core show hints")
        .await
        .contains("State:InUse"));
    // Removing a publication: `Expires: 0` with its tag.
    let remove = format!("SIP-If-Match: {tag}\r\nExpires: 0\r\n");
    // Another endpoint cannot touch it; a body with our own EID is a loop.
    let r = ask(&socket, server.udp, publish("peer-b", &remove, "")).await;
    assert_eq!(r.code(), Some(412));
    let ours = r#"{"type":"devicestate","device":"Custom:a","state":"BUSY","cachable":1,"eid":"02:00:00:00:00:99"}"#;
    let r = ask(&socket, server.udp, publish("peer-b", "", ours)).await;
    assert_eq!(r.code(), Some(400));
    assert!(server
        .remote("core show hints")
        .await
        .contains("State:InUse"));
    // Its owner removes it: peer a's state goes with it.
    let r = ask(&socket, server.udp, publish("peer-a", &remove, "")).await;
    assert_eq!(r.code(), Some(200));
    assert_eq!(r.header("Expires"), Some("0"));
    let hints = server.remote("core show hints").await;
    let line = hints
        .lines()
        .find(|l| l.starts_with("6001@internal"))
        .unwrap();
    assert!(line.contains("State:Idle"), "{line}");
    server.stop().await;
}

/// Sends one request and returns the answer.
async fn ask(socket: &UdpSocket, to: std::net::SocketAddr, text: String) -> Message {
    socket.send_to(text.as_bytes(), to).await.unwrap();
    recv_sip(socket, "an answer").await.0
}
