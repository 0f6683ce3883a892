//! REGISTER over loopback (res_pjsip_registrar.c facts): digest-authenticated registration of
//! an endpoint's AOR makes `PJSIP/<endpoint>` available to hints and their watchers; contacts
//! expire, are listed by `pjsip show contacts|aors`, and survive a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dialstate::config::MemProvider;
use dialstate::sip::client::register;

use crate::sip::{launch_conf, subscriber, temp, Server, WAIT};

const EXTENSIONS: &str = "\
[internal]
exten => 6001,hint,PJSIP/6001
exten => 6002,hint,PJSIP/6002
";

const PJSIP: &str = "\
[watcher]
type=endpoint
context=internal

[6001]
type=endpoint
context=internal
auth=6001-auth
aors=6001

[6001-auth]
type=auth
auth_type=userpass
username=6001
password=s3cret

[6001]
type=aor
max_contacts=1
remove_existing=yes

[6002]
type=endpoint
context=internal
aors=6002

[6002]
type=aor
max_contacts=2
minimum_expiration=1
";

async fn start(db: &str, udp: &str) -> Server {
    let provider = MemProvider::default().with("conf/extensions.conf", EXTENSIONS);
    launch_conf(
        Arc::new(provider),
        Path::new("conf/extensions.conf"),
        db,
        udp.parse().unwrap(),
        PJSIP,
    )
    .await
}

/// One REGISTER of endpoint 6001 with `password`, binding `contact` to `aor`.
async fn as_6001(
    server: &Server,
    password: &str,
    aor: &str,
    contact: &str,
    expires: u32,
) -> dialstate::sip::message::Message {
    register(server.udp, "6001", Some(password), aor, contact, expires)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_makes_the_endpoint_available_and_survives_a_restart() {
    let db = temp("register.db").to_string_lossy().to_string();
    let server = start(&db, "127.0.0.1:0").await;
    let mut watcher = subscriber(&server, "6001", "watcher").await;
    assert_eq!(watcher.subscribe(600, WAIT).await.unwrap(), 200);
    let first = watcher.next_notify(WAIT).await.unwrap();
    assert!(
        first.body.contains("<basic>closed</basic>"),
        "{}",
        first.body
    );

    // Wrong AOR for this endpoint: 404; wrong password: 401 again.
    let r = as_6001(&server, "s3cret", "6002", "sip:6001@127.0.0.1:5999", 3600).await;
    assert_eq!(r.code(), Some(404));
    let r = as_6001(&server, "wrong", "6001", "sip:6001@127.0.0.1:5999", 3600).await;
    assert_eq!(r.code(), Some(401));

    let r = as_6001(&server, "s3cret", "6001", "sip:6001@127.0.0.1:5999", 3600).await;
    assert_eq!(r.code(), Some(200));
    assert_eq!(
        r.header("Contact"),
        Some("<sip:6001@127.0.0.1:5999>;expires=3599")
    );
    assert_eq!(r.header("Expires"), Some("3600"));
    let date = r.header("Date").unwrap_or_default();
    assert!(
        regex::Regex::new(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
            .unwrap()
            .is_match(date),
        "{date}"
    );
    let online = watcher.next_notify(WAIT).await.unwrap();
    assert!(
        online.body.contains("<basic>open</basic>"),
        "{}",
        online.body
    );
    assert!(server.hint_line("6001").await.contains("State:Idle"));

    let contacts = server.remote("pjsip show contacts").await;
    assert!(
        contacts.contains("  Contact:  6001/sip:6001@127.0.0.1:5999")
            && contacts.contains(" NonQual         nan\n")
            && contacts.ends_with("\nObjects found: 1\n\n"),
        "{contacts}"
    );
    let aors = server.remote("pjsip show aors").await;
    assert!(aors.contains("      Aor:  6001 "), "{aors}");
    assert!(aors.ends_with("\nObjects found: 2\n\n"), "{aors}");

    // remove_existing with max_contacts=1: a new contact replaces the old one.
    let r = as_6001(&server, "s3cret", "6001", "sip:6001@127.0.0.1:5998", 3600).await;
    assert_eq!(r.code(), Some(200));
    assert_eq!(
        r.all("Contact").collect::<Vec<_>>(),
        ["<sip:6001@127.0.0.1:5998>;expires=3599"]
    );
    let udp = server.udp;
    server.stop().await;

    // Restart on the same database: the contact is back, the endpoint still available.
    for _ in 0..50 {
        if std::net::UdpSocket::bind(udp).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let server = start(&db, &udp.to_string()).await;
    assert!(
        server.hint_line("6001").await.contains("State:Idle"),
        "{}",
        server.remote("core show hints").await
    );
    assert!(server
        .remote("pjsip show contacts")
        .await
        .contains("6001/sip:6001@127.0.0.1:5998"));
    // The watcher's subscription came back too and hears the unregister.
    let _restored = watcher.next_notify(WAIT).await.unwrap();
    let r = as_6001(&server, "s3cret", "6001", "sip:6001@127.0.0.1:5998", 0).await;
    assert_eq!(r.code(), Some(200));
    assert_eq!(r.header("Contact"), None);
    assert_eq!(r.header("Expires"), Some("0"));
    // (The restored subscription may hear the restored contact twice: once on restore, once
    // from the device change; then the unregister.)
    let mut offline = watcher.next_notify(WAIT).await.unwrap();
    for _ in 0..2 {
        if offline.body.contains("<basic>closed</basic>") {
            break;
        }
        offline = watcher.next_notify(WAIT).await.unwrap();
    }
    assert!(
        offline.body.contains("<basic>closed</basic>"),
        "{}",
        offline.body
    );
    assert_eq!(
        server.remote("pjsip show contacts").await,
        "No objects found.\n\n"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_expire_and_the_endpoint_goes_unavailable() {
    let server = start(":memory:", "127.0.0.1:0").await;
    let r = register(
        server.udp,
        "6002",
        None,
        "6002",
        "sip:6002@127.0.0.1:5997",
        1,
    )
    .await
    .unwrap();
    assert_eq!(r.code(), Some(200));
    assert!(server.hint_line("6002").await.contains("State:Idle"));
    let mut gone = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if server.hint_line("6002").await.contains("State:Unavailable") {
            gone = true;
            break;
        }
    }
    assert!(gone, "the contact did not expire within 4 s");
    assert_eq!(
        server.remote("pjsip show contacts").await,
        "No objects found.\n\n"
    );
    server.stop().await;
}
