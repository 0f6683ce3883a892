//! The SIP presence server over real loopback sockets: our own subscriber (`sip::client`) and raw
//! datagrams against `app::serve::run_server`, with state changed through the control socket
//! (`app::remote`), as `dialstate remote` does.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dialstate::app::remote::Remote;
use dialstate::app::serve::{run_server, stored_subscriptions};
use dialstate::config::{MemProvider, SourceProvider};
use dialstate::pbx::Pbx;
use dialstate::sip::client::{Spec, Subscriber};
use dialstate::sip::message::Message;
use dialstate::sip::server::Bound;
use dialstate::store::BatchWriter;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;

pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// The next SIP message on `socket` within `WAIT` (panics naming `what` when none comes), and
/// its sender.
pub(crate) async fn recv_sip(socket: &UdpSocket, what: &str) -> (Message, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    let (n, from) = tokio::time::timeout(WAIT, socket.recv_from(&mut buf))
        .await
        .unwrap_or_else(|_| panic!("{what} in time"))
        .unwrap();
    (Message::parse(&buf[..n]).unwrap(), from)
}

const EXTENSIONS: &str = "\
[internal]
exten => 6001,1,Dial(PJSIP/6001,20)
exten => 6001,hint,PJSIP/6001
exten => 6003,hint,Custom:lamp3
exten => 6004,hint,Custom:lamp4,CustomPresence:Bob
exten => _7XXX,hint,Custom:pat${EXTEN}
exten => 6010,hint,Custom:gone
[default]
exten => 2000,hint,Custom:BobToggle
include => internal
";

const PJSIP: &str = "\
[alice]
type=endpoint
context=internal
[carol]
type=endpoint
context=internal
sub_min_expiry=60
[dave]
type=endpoint
context=internal
allow_subscribe=no
[bob]
type=endpoint
context=default
auth=bob-auth
[bob-auth]
type=auth
auth_type=userpass
username=bob
password=secret
[frank]
type=endpoint
context=internal
rewrite_contact=yes
[erin]
type=endpoint
context=internal
auth=erin-auth
[erin-auth]
type=auth
username=erin
password=pw
supported_algorithms_uas=SHA-256
";

/// A running server on loopback ports chosen by the OS.
pub(crate) struct Server {
    pub(crate) udp: SocketAddr,
    pub(crate) tcp: SocketAddr,
    pub(crate) control: PathBuf,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dialstate-it-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Starts a server: the dialplan at `extensions` in `provider`, PJSIP from `PJSIP`, state in `db`,
/// UDP on `udp` (port 0 for any) and TCP on any port.
async fn launch(
    provider: Arc<dyn SourceProvider + Send + Sync>,
    extensions: &Path,
    db: &str,
    udp: SocketAddr,
) -> Server {
    launch_conf(provider, extensions, db, udp, PJSIP).await
}

/// A server with this pjsip.conf text.
pub(crate) async fn launch_conf(
    provider: Arc<dyn SourceProvider + Send + Sync>,
    extensions: &Path,
    db: &str,
    udp: SocketAddr,
    pjsip: &str,
) -> Server {
    launch_eid(provider, extensions, db, udp, pjsip, None).await
}

/// A server with this pjsip.conf text and entity id.
pub(crate) async fn launch_eid(
    provider: Arc<dyn SourceProvider + Send + Sync>,
    extensions: &Path,
    db: &str,
    udp: SocketAddr,
    pjsip: &str,
    eid: Option<dialstate::state::Eid>,
) -> Server {
    let udp_socket = UdpSocket::bind(udp).await.unwrap();
    let tcp_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let udp = udp_socket.local_addr().unwrap();
    let tcp = tcp_listener.local_addr().unwrap();
    let sip = dialstate::sip::config::load_str("pjsip.conf", pjsip).value;
    let writer = Arc::new(BatchWriter::spawn(dialstate::store::open(db).unwrap()).unwrap());
    let pbx = Pbx::open_shared(provider, extensions, Box::new(writer.clone())).unwrap();
    let records = stored_subscriptions(writer.as_ref()).unwrap();
    let control = temp("ctl");
    let (stop, stop_rx) = watch::channel(false);
    let ctl = control.clone();
    let task = tokio::spawn(async move {
        run_server(
            pbx,
            sip,
            vec![Bound::Udp(udp_socket), Bound::Tcp(tcp_listener)],
            None,
            records,
            Some(writer),
            &ctl,
            eid,
            stop_rx,
        )
        .await
    });
    for _ in 0..100 {
        if control.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Server {
        udp,
        tcp,
        control,
        stop,
        task,
    }
}

/// A server on an in-memory dialplan, on any ports.
async fn start(db: &str, extensions: &str) -> Server {
    start_with(db, extensions, "127.0.0.1:0".parse().unwrap()).await
}

async fn start_with(db: &str, extensions: &str, udp: SocketAddr) -> Server {
    let provider = MemProvider::default().with("conf/extensions.conf", extensions);
    launch(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        db,
        udp,
    )
    .await
}

impl Server {
    /// Runs console commands over the control socket, as `dialstate remote -x` does.
    pub(crate) async fn remote(&self, command: &str) -> String {
        let control = self.control.clone();
        let command = command.to_string();
        tokio::task::spawn_blocking(move || {
            Remote::connect(&control)
                .unwrap()
                .run(&command)
                .unwrap()
                .text
        })
        .await
        .unwrap()
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(WAIT, self.task).await;
    }

    /// The `core show hints` line of `exten@internal` (empty when there is none).
    pub(crate) async fn hint_line(&self, exten: &str) -> String {
        let hints = self.remote("core show hints").await;
        let prefix = format!("{exten}@internal");
        hints
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_default()
            .to_string()
    }

    pub(crate) fn target(&self, exten: &str) -> String {
        format!("sip:{exten}@{}", self.udp)
    }
}

pub(crate) async fn subscriber(server: &Server, exten: &str, user: &str) -> Subscriber {
    let spec = Spec::new(&server.target(exten), user);
    Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_subscription_sees_every_change_then_ends() {
    let server = start(":memory:", EXTENSIONS).await;
    let mut sub = subscriber(&server, "6003", "alice").await;
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let first = sub.next_notify(WAIT).await.unwrap();
    assert!(
        ["active;expires=599", "active;expires=600"].contains(&first.subscription_state.as_str()),
        "{}",
        first.subscription_state
    );
    assert_eq!(first.content_type, "application/pidf+xml");
    // The body is Asterisk's, byte for byte; the watch client's User-Agent says "digium".
    let local = sub.local_addr();
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<presence entity=\"sip:6003@{udp}\" xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\">\n \
<note>Ready</note>\n \
<tuple id=\"6003\">\n  <status>\n   <basic>open</basic>\n  </status>\n  <contact priority=\"1\">sip:alice@{ip}</contact>\n </tuple>\n \
<tuple id=\"digium-presence\">\n  <status>\n   <digium_presence type=\"not_set\" />\n  </status>\n </tuple>\n \
<dm:person />\n</presence>\n",
        udp = server.udp,
        ip = local.ip()
    );
    assert_eq!(first.body, expected);

    let hints = server.remote("core show hints").await;
    assert!(
        hints.contains("6003@internal") && hints.contains("Watchers  1"),
        "{hints}"
    );
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(
        subs.contains("Endpoint: alice/<none>\nResource: 6003/presence\n"),
        "{subs}"
    );
    assert!(subs.ends_with("1 active subscriptions\n"), "{subs}");

    server.remote("devstate change Custom:lamp3 INUSE").await;
    let busy = sub.next_notify(WAIT).await.unwrap();
    assert!(
        busy.body.contains("<note>On the phone</note>"),
        "{}",
        busy.body
    );
    assert!(busy.body.contains("<rpid:on-the-phone />"));
    assert!(busy.cseq > first.cseq);

    // A repeated identical state raises nothing; RINGING is reported again (extended watcher).
    server.remote("devstate change Custom:lamp3 INUSE").await;
    server.remote("devstate change Custom:lamp3 RINGING").await;
    let ringing = sub.next_notify(WAIT).await.unwrap();
    assert!(
        ringing.body.contains("<note>Ringing</note>"),
        "{}",
        ringing.body
    );

    // Refresh: 200 and the cached body again with the new expiry.
    assert_eq!(sub.subscribe(300, WAIT).await.unwrap(), 200);
    let refreshed = sub.next_notify(WAIT).await.unwrap();
    assert!(
        ["active;expires=299", "active;expires=300"]
            .contains(&refreshed.subscription_state.as_str()),
        "{}",
        refreshed.subscription_state
    );
    assert_eq!(refreshed.body, ringing.body);

    assert_eq!(sub.subscribe(0, WAIT).await.unwrap(), 200);
    let last = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(last.subscription_state, "terminated");
    let hints = server.remote("core show hints").await;
    assert!(!hints.contains("Watchers  1"), "{hints}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_change_reaches_digium_tuple_and_dialog_info_counts_versions() {
    let server = start(":memory:", EXTENSIONS).await;
    let mut pidf = subscriber(&server, "6004", "alice").await;
    assert_eq!(pidf.subscribe(600, WAIT).await.unwrap(), 200);
    pidf.next_notify(WAIT).await.unwrap();
    let mut spec = Spec::new(&server.target("6004"), "alice");
    spec.event = "dialog".to_string();
    let mut dialog = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(dialog.subscribe(600, WAIT).await.unwrap(), 200);
    let v0 = dialog.next_notify(WAIT).await.unwrap();
    assert_eq!(v0.content_type, "application/dialog-info+xml");
    assert!(
        v0.body.contains("version=\"0\" state=\"full\""),
        "{}",
        v0.body
    );
    assert!(v0.body.contains("<state>terminated</state>"));

    server
        .remote("presencestate change CustomPresence:Bob away,lunch,banana")
        .await;
    let p = pidf.next_notify(WAIT).await.unwrap();
    assert!(
        p.body
            .contains("<digium_presence type=\"away\" subtype=\"lunch\">banana</digium_presence>"),
        "{}",
        p.body
    );
    // A presence-only change still sends dialog-info a (new) body, as Asterisk does.
    let v1 = dialog.next_notify(WAIT).await.unwrap();
    assert!(v1.body.contains("version=\"1\""), "{}", v1.body);

    server.remote("devstate change Custom:lamp4 ONHOLD").await;
    let v2 = dialog.next_notify(WAIT).await.unwrap();
    assert!(v2.body.contains("version=\"2\""));
    assert!(
        v2.body
            .contains("<param pname=\"+sip.rendering\" pvalue=\"no\" />"),
        "{}",
        v2.body
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_auth_challenges_then_accepts() {
    let server = start(":memory:", EXTENSIONS).await;
    let mut anon = subscriber(&server, "2000", "bob").await;
    assert_eq!(anon.subscribe(600, WAIT).await.unwrap(), 401);
    let mut spec = Spec::new(&server.target("2000"), "bob");
    spec.password = Some("wrong".to_string());
    let mut wrong = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(wrong.subscribe(600, WAIT).await.unwrap(), 401);
    let mut spec = Spec::new(&server.target("2000"), "bob");
    spec.password = Some("secret".to_string());
    let mut good = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(good.subscribe(600, WAIT).await.unwrap(), 200);
    assert!(good
        .next_notify(WAIT)
        .await
        .unwrap()
        .body
        .contains("<tuple id=\"2000\">"));
    // bob's subscribe context is [default]: 6003 is reachable through its include.
    let mut spec = Spec::new(&server.target("6003"), "bob");
    spec.password = Some("secret".to_string());
    let mut inc = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(inc.subscribe(600, WAIT).await.unwrap(), 200);
    // SHA-256 when the auth section asks for it.
    let challenge = exchange(
        server.udp,
        &subscribe_text(
            "erin",
            "6003",
            "Contact: <sip:x@LOCAL>\r\nEvent: presence\r\n",
        ),
    )
    .await
    .unwrap();
    let www = challenge.header("WWW-Authenticate").unwrap();
    assert!(
        www.starts_with("Digest realm=\"asterisk\",nonce=\""),
        "{www}"
    );
    assert!(www.ends_with(",algorithm=SHA-256,qop=\"auth\""), "{www}");
    let mut spec = Spec::new(&server.target("6003"), "erin");
    spec.password = Some("pw".to_string());
    let mut erin = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(erin.subscribe(600, WAIT).await.unwrap(), 200);
    // An unknown endpoint never gets through, whatever it sends.
    let mut spec = Spec::new(&server.target("6003"), "mallory");
    spec.password = Some("secret".to_string());
    let mut unknown = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(unknown.subscribe(600, WAIT).await.unwrap(), 401);
    server.stop().await;
}

/// Sends one raw request and returns the first response.
async fn exchange(server: SocketAddr, text: &str) -> Option<Message> {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let text = text
        .replace("LOCAL", &local.to_string())
        .replace("SERVER", &server.to_string());
    socket.send_to(text.as_bytes(), server).await.unwrap();
    let mut buf = vec![0u8; 65_536];
    let got = tokio::time::timeout(Duration::from_millis(800), socket.recv_from(&mut buf)).await;
    let (n, _) = got.ok()?.ok()?;
    Some(Message::parse(&buf[..n]).unwrap())
}

fn subscribe_text(user: &str, exten: &str, extra: &str) -> String {
    format!(
        "SUBSCRIBE sip:{exten}@SERVER SIP/2.0\r\n\
Via: SIP/2.0/UDP LOCAL;rport;branch=z9hG4bK-{n}\r\n\
From: <sip:{user}@127.0.0.1>;tag=f{n}\r\n\
To: <sip:{exten}@SERVER>\r\n\
Call-ID: c{n}@test\r\n\
CSeq: 1 SUBSCRIBE\r\n\
{extra}Content-Length: 0\r\n\r\n",
        n = uuid_like()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_follow_asterisk_check_order() {
    let server = start(":memory:", EXTENSIONS).await;
    let contact = "Contact: <sip:x@LOCAL>\r\n";
    let cases: &[(&str, &str, String, u16, &str)] = &[
        (
            "no contact",
            "6003",
            "Event: presence\r\n".to_string(),
            400,
            "Missing Contact header",
        ),
        (
            "no contact before auth",
            "2000",
            "Event: presence\r\n".to_string(),
            400,
            "Missing Contact header",
        ),
        (
            "auth first",
            "2000",
            format!("{contact}Event: foo\r\n"),
            401,
            "Unauthorized",
        ),
        (
            "declined",
            "6003",
            format!("{contact}Event: presence\r\n"),
            603,
            "Decline",
        ),
        (
            "unknown event",
            "6003",
            format!("{contact}Event: shablagoo\r\n"),
            489,
            "Bad Event",
        ),
        ("no event", "6003", contact.to_string(), 489, "Bad Event"),
        (
            "bad accept",
            "6003",
            format!("{contact}Event: presence\r\nAccept: application/simple-message-summary\r\n"),
            489,
            "Bad Event",
        ),
        (
            "no hint",
            "6099",
            format!("{contact}Event: presence\r\n"),
            404,
            "Not Found",
        ),
        (
            "fetch",
            "6003",
            format!("{contact}Event: presence\r\nExpires: 0\r\n"),
            400,
            "Bad Request",
        ),
        (
            "too brief",
            "6003",
            format!("{contact}Event: presence\r\nExpires: 30\r\n"),
            423,
            "Interval Too Brief",
        ),
        (
            "bad max-forwards",
            "6003",
            format!("{contact}Event: presence\r\nMax-Forwards: lots\r\n"),
            400,
            "Bad Request",
        ),
        (
            "unparsable contact",
            "6003",
            "Contact: <<<>>>\r\nEvent: presence\r\n".to_string(),
            400,
            "Bad Request",
        ),
        (
            "non-sip contact, before auth",
            "2000",
            "Contact: <tel:+15551234>\r\nEvent: presence\r\n".to_string(),
            416,
            "Unsupported URI Scheme",
        ),
    ];
    for (what, exten, extra, code, reason) in cases {
        let user = match *what {
            "declined" => "dave",
            "too brief" => "carol",
            "auth first" | "no contact before auth" | "non-sip contact, before auth" => "bob",
            _ => "alice",
        };
        let resp = exchange(server.udp, &subscribe_text(user, exten, extra))
            .await
            .unwrap();
        assert_eq!(resp.code(), Some(*code), "{what}");
        assert_eq!(
            resp.start,
            dialstate::sip::message::Start::Response {
                code: *code,
                reason: reason.to_string()
            },
            "{what}"
        );
        if *code == 423 {
            assert_eq!(resp.header("Min-Expires"), Some("60"));
        }
    }
    // A pattern hint matches and becomes concrete.
    let resp = exchange(
        server.udp,
        &subscribe_text("alice", "7123", &format!("{contact}Event: presence\r\n")),
    )
    .await
    .unwrap();
    assert_eq!(resp.code(), Some(200));
    assert!(server
        .remote("core show hints")
        .await
        .contains("7123@internal"));
    // Unknown methods, in-dialog requests for unknown dialogs, garbage.
    let resp = exchange(server.udp, "FOO sip:x@SERVER SIP/2.0\r\nVia: SIP/2.0/UDP LOCAL;branch=z9hG4bK-f\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@SERVER>\r\nCall-ID: foo\r\nCSeq: 1 FOO\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    assert_eq!(resp.code(), Some(501));
    let resp = exchange(server.udp, "SUBSCRIBE sip:x@SERVER SIP/2.0\r\nVia: SIP/2.0/UDP LOCAL;branch=z9hG4bK-g\r\nFrom: <sip:alice@b>;tag=1\r\nTo: <sip:x@SERVER>;tag=nope\r\nCall-ID: nodialog\r\nCSeq: 2 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    assert_eq!(resp.code(), Some(481));
    let resp = exchange(server.udp, "SUBSCRIBE sip:x@SERVER SIP/2.0\r\nVia: SIP/2.0/UDP LOCAL;branch=z9hG4bK-h\r\nFrom: <sip:alice@b>;tag=1\r\nTo: <sip:x@SERVER>\r\nCall-ID: bad\r\nCSeq: one SUBSCRIBE\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    assert_eq!(resp.code(), Some(400));
    assert!(exchange(server.udp, "\u{1}\u{2}garbage\r\n\r\n")
        .await
        .is_none());
    assert!(exchange(
        server.udp,
        "SUBSCRIBE sip:x@SERVER SIP/2.0\r\nContent-Length: 100\r\n\r\nshort"
    )
    .await
    .is_none());
    // Still serving.
    let resp = exchange(server.udp, "OPTIONS sip:x@SERVER SIP/2.0\r\nVia: SIP/2.0/UDP LOCAL;branch=z9hG4bK-o\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@SERVER>\r\nCall-ID: opt\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    assert_eq!(resp.code(), Some(200));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retransmitted_subscribe_is_answered_from_its_transaction() {
    let server = start(":memory:", EXTENSIONS).await;
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let text = subscribe_text(
        "alice",
        "6003",
        "Contact: <sip:x@LOCAL>\r\nEvent: presence\r\n",
    )
    .replace("LOCAL", &local.to_string())
    .replace("SERVER", &server.udp.to_string());
    let mut oks = Vec::new();
    let mut notifies = 0;
    let mut buf = vec![0u8; 65_536];
    for _ in 0..2 {
        socket.send_to(text.as_bytes(), server.udp).await.unwrap();
        loop {
            let (n, _) = tokio::time::timeout(WAIT, socket.recv_from(&mut buf))
                .await
                .unwrap()
                .unwrap();
            let msg = Message::parse(&buf[..n]).unwrap();
            if msg.code() == Some(200) {
                oks.push(buf[..n].to_vec());
                break;
            }
            notifies += 1;
        }
    }
    assert_eq!(oks[0], oks[1], "the same 200 OK, same To tag");
    assert!(notifies <= 1);
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(subs.ends_with("1 active subscriptions\n"), "{subs}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_subscription_gets_notifies_on_its_connection() {
    let server = start(":memory:", EXTENSIONS).await;
    let (_stream, messages) = tcp_subscribe(&server, "alice").await;
    assert_eq!(messages[0].code(), Some(200));
    assert_eq!(
        messages[0].header("Contact"),
        Some(format!("<sip:{};transport=TCP>", server.tcp).as_str())
    );
    assert_eq!(messages[1].method(), Some("NOTIFY"));
    let via = messages[1].header("Via").unwrap();
    assert!(
        via.starts_with("SIP/2.0/TCP ") && via.ends_with(";alias"),
        "{via}"
    );
    server.stop().await;
}

/// Over TCP with `rewrite_contact=yes` a subscription lives as long as its connection (spec
/// §6.9); without it, it stays (as on a reference Asterisk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_connection_ends_a_rewrite_contact_subscription() {
    let server = start(":memory:", EXTENSIONS).await;
    let (alice, _) = tcp_subscribe(&server, "alice").await;
    let (frank, _) = tcp_subscribe(&server, "frank").await;
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(subs.ends_with("2 active subscriptions\n"), "{subs}");
    drop(frank);
    let mut left = String::new();
    for _ in 0..50 {
        left = server.remote("pjsip show subscriptions inbound").await;
        if left.ends_with("1 active subscriptions\n") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        left.ends_with("1 active subscriptions\n") && left.contains("Endpoint: alice/"),
        "{left}"
    );
    drop(alice);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = server.remote("pjsip show subscriptions inbound").await;
    assert!(still.ends_with("1 active subscriptions\n"), "{still}");
    server.stop().await;
}

/// Subscribes `user` to 6003 over TCP; the connection and its first two messages (200, NOTIFY).
async fn tcp_subscribe(server: &Server, user: &str) -> (TcpStream, Vec<Message>) {
    let mut stream = TcpStream::connect(server.tcp).await.unwrap();
    let local = stream.local_addr().unwrap();
    let text = subscribe_text(
        user,
        "6003",
        "Contact: <sip:x@LOCAL;transport=tcp>\r\nEvent: presence\r\n",
    )
    .replace("SIP/2.0/UDP", "SIP/2.0/TCP")
    .replace("LOCAL", &local.to_string())
    .replace("SERVER", &server.tcp.to_string());
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 8192];
    let mut messages = Vec::new();
    while messages.len() < 2 {
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed");
        buf.extend_from_slice(&chunk[..n]);
        while let Ok(Some(len)) = dialstate::sip::message::frame(&buf) {
            let bytes: Vec<u8> = buf.drain(..len).collect();
            messages.push(Message::parse(&bytes).unwrap());
        }
    }
    (stream, messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_survive_a_restart_and_reload_ends_removed_hints() {
    let db = temp("state.db");
    let db = db.to_string_lossy().to_string();
    let server = start(&db, EXTENSIONS).await;
    let mut sub = subscriber(&server, "6003", "alice").await;
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    let before = sub.next_notify(WAIT).await.unwrap();
    server.remote("devstate change Custom:lamp3 BUSY").await;
    sub.next_notify(WAIT).await.unwrap();
    let udp = server.udp;
    server.stop().await;

    // Same database, new process state: the subscription comes back with a NOTIFY of the
    // current state on the old dialog (a higher CSeq), without a new SUBSCRIBE.
    let server = start_on(&db, EXTENSIONS, udp).await;
    let after = sub.next_notify(WAIT).await.unwrap();
    assert!(
        after.body.contains("<note>On the phone</note>"),
        "{}",
        after.body
    );
    assert!(after.cseq > before.cseq);
    assert!(server
        .remote("core show hints")
        .await
        .contains("Watchers  1"));
    server.stop().await;

    // Started on a dialplan without the hint, the stored subscription is dropped.
    let server = start_on(
        &db,
        &EXTENSIONS.replace("exten => 6003,hint,Custom:lamp3\n", ""),
        udp,
    )
    .await;
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(subs.ends_with("0 active subscriptions\n"), "{subs}");
    server.stop().await;
}

async fn start_on(db: &str, extensions: &str, udp: SocketAddr) -> Server {
    // Rebind the same UDP port (the subscriber's dialog points there).
    for _ in 0..50 {
        if std::net::UdpSocket::bind(udp).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start_with(db, extensions, udp).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialplan_reload_ends_subscriptions_to_removed_hints() {
    let dir = temp("conf");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("extensions.conf"), EXTENSIONS).unwrap();
    // A server on files, so `dialplan reload` reads the edited file.
    let server = launch(
        Arc::new(dialstate::config::FsProvider),
        &dir.join("extensions.conf"),
        ":memory:",
        "127.0.0.1:0".parse().unwrap(),
    )
    .await;
    let mut keep = subscriber(&server, "6003", "alice").await;
    let mut gone = subscriber(&server, "6010", "alice").await;
    assert_eq!(keep.subscribe(600, WAIT).await.unwrap(), 200);
    assert_eq!(gone.subscribe(600, WAIT).await.unwrap(), 200);
    keep.next_notify(WAIT).await.unwrap();
    gone.next_notify(WAIT).await.unwrap();
    std::fs::write(
        dir.join("extensions.conf"),
        EXTENSIONS.replace("exten => 6010,hint,Custom:gone\n", ""),
    )
    .unwrap();
    server.remote("dialplan reload").await;
    let last = gone.next_notify(WAIT).await.unwrap();
    assert_eq!(last.subscription_state, "terminated");
    server.remote("devstate change Custom:lamp3 INUSE").await;
    assert!(keep
        .next_notify(WAIT)
        .await
        .unwrap()
        .body
        .contains("On the phone"));
    let subs = server.remote("pjsip show subscriptions inbound").await;
    assert!(subs.ends_with("1 active subscriptions\n"), "{subs}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_subscription_expires_with_reason_timeout() {
    let server = start(":memory:", EXTENSIONS).await;
    let mut sub = subscriber(&server, "6001", "alice").await;
    assert_eq!(sub.subscribe(1, WAIT).await.unwrap(), 200);
    let first = sub.next_notify(WAIT).await.unwrap();
    assert!(
        first.body.contains("<basic>closed</basic>"),
        "{}",
        first.body
    );
    let last = sub.next_notify(WAIT).await.unwrap();
    assert_eq!(last.subscription_state, "terminated;reason=timeout");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog_info_shows_who_rings_a_phone_during_a_simulated_call() {
    let server = start(":memory:", EXTENSIONS).await;
    let mut spec = Spec::new(&server.target("6001"), "alice");
    spec.event = "dialog".to_string();
    let mut sub = Subscriber::connect(spec, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(sub.subscribe(600, WAIT).await.unwrap(), 200);
    sub.next_notify(WAIT).await.unwrap();
    let trace = server
        .remote("call 6001@internal callerid 2000 Carol dial PJSIP/6001=NOANSWER")
        .await;
    assert!(trace.contains("PJSIP/6001 is ringing"), "{trace}");
    let ringing = sub.next_notify(WAIT).await.unwrap();
    let body = &ringing.body;
    assert!(body.contains("direction=\"recipient\""), "{body}");
    assert!(body.contains(" call-id=\""), "{body}");
    assert!(
        body.contains(" local-tag=\"") && body.contains(" remote-tag=\""),
        "{body}"
    );
    assert!(
        body.contains("<identity display=\"Carol\">sip:2000@127.0.0.1</identity>"),
        "{body}"
    );
    assert!(body.contains("<state>early</state>"), "{body}");
    let after = sub.next_notify(WAIT).await.unwrap();
    assert!(
        after.body.contains("<state>terminated</state>"),
        "{}",
        after.body
    );
    assert!(!after.body.contains("call-id"));
    server.stop().await;
}

/// A Contact given by host name: the server resolves it (without blocking anyone) and sends
/// the first NOTIFY there, not to the packet source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifies_go_to_a_contact_given_by_host_name() {
    let server = start(":memory:", EXTENSIONS).await;
    let phone = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = phone.local_addr().unwrap().port();
    let resp = exchange(
        server.udp,
        &subscribe_text(
            "alice",
            "6003",
            &format!("Contact: <sip:alice@localhost:{port}>\r\nEvent: presence\r\n"),
        ),
    )
    .await
    .unwrap();
    assert_eq!(resp.code(), Some(200));
    let (notify, _) = recv_sip(&phone, "the NOTIFY reaches the Contact's host").await;
    assert_eq!(notify.method(), Some("NOTIFY"));
    match &notify.start {
        dialstate::sip::message::Start::Request { uri, .. } => {
            assert_eq!(uri.to_string(), format!("sip:alice@localhost:{port}"))
        }
        other => panic!("{other:?}"),
    }
    server.stop().await;
}
