//! URI splitting and pjsip's two printing contexts.

use crate::sip::uri::{NameAddr, Uri};

#[track_caller]
fn check_fromto(input: &str, expect: &str) {
    assert_eq!(NameAddr::parse(input).unwrap().fromto(Some("t1")), expect);
}

#[test]
fn fromto_drops_port_and_transport_keeps_user_phone() {
    check_fromto(
        "<sip:alice@127.0.0.1:5092;transport=udp;user=phone>;tag=abc",
        "<sip:alice@127.0.0.1;user=phone>;tag=t1",
    );
    check_fromto(
        "\"Desk 7001\" <sip:7001@127.0.0.1:5070;user=phone;transport=udp>",
        "\"Desk 7001\" <sip:7001@127.0.0.1;user=phone>;tag=t1",
    );
    check_fromto("sip:bob@example.com;tag=x", "<sip:bob@example.com>;tag=t1");
}

#[test]
fn contact_context_keeps_port_and_params() {
    let uri = Uri::parse("sip:presence@127.0.0.1:5070;transport=tcp").unwrap();
    assert_eq!(
        uri.with_user("1001").to_string(),
        "sip:1001@127.0.0.1:5070;transport=tcp"
    );
    assert_eq!(uri.user_name(), "presence");
    assert_eq!(uri.param("TRANSPORT"), Some("tcp"));
}

#[test]
fn ipv6_and_errors() {
    let uri = Uri::parse("sip:a@[::1]:5060").unwrap();
    assert_eq!((uri.host.as_str(), uri.port), ("[::1]", Some(5060)));
    assert!(Uri::parse("nothing").is_err());
    assert!(Uri::parse("sip:a@host:99999").is_err());
    assert!(Uri::parse("sip:").is_err());
    // Found by fuzzing: a blank in a Contact broke the NOTIFY request line.
    assert!(Uri::parse("sip:a b").is_err());
    assert!(Uri::parse("sip:a@h\u{7f}").is_err());
    assert!(Uri::parse("sip:a@[zz]").is_err());
    assert!(Uri::parse("sip:alice@127.0.0.1:50@9").is_err());
    assert!(NameAddr::parse("<sip:a@b").is_err());
}

/// Every URI parameter value `Uri::parse` accepts can be printed in a request line that our own
/// parser (rsip, as many peers) reads back (fuzz: `;x=$` could not be).
#[test]
fn accepted_parameter_characters_survive_a_request_line() {
    let mut bad = Vec::new();
    for c in (0x21u8..0x7f).map(char::from) {
        for text in [
            format!("sip:a@h;x={c}"),
            format!("sip:a@h;x=a{c}"),
            format!("sip:a@h;x={c}a"),
            format!("sip:a@h;{c}=a"),
            format!("sip:a@h;a{c}"),
            format!("sip:a@h;{c}"),
            format!("sip:a{c}b@h"),
            format!("sip:{c}@h"),
        ] {
            let Ok(uri) = Uri::parse(&text) else { continue };
            let msg = format!(
                "NOTIFY {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n"
            );
            if crate::sip::message::Message::parse(msg.as_bytes()).is_err() {
                bad.push(text);
            }
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}
