//! Framing, parsing and printing of SIP messages.

use crate::sip::message::{frame, split_commas, Builder, Message, ParseError, Via};

const SUBSCRIBE: &str = "SUBSCRIBE sip:6001@127.0.0.1:5060 SIP/2.0\r\n\
v: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-1;rport\r\n\
f: \"Alice\" <sip:alice@127.0.0.1:5099>;tag=a1\r\n\
t: <sip:6001@127.0.0.1:5060>\r\n\
i: call-1@127.0.0.1\r\n\
CSeq: 1 SUBSCRIBE\r\n\
m: <sip:alice@127.0.0.1:5099>\r\n\
o: presence\r\n\
Accept: application/pidf+xml, application/xpidf+xml\r\n\
Expires: 600\r\n\
l: 0\r\n\r\n";

#[test]
fn parses_compact_forms_and_lists() {
    let msg = Message::parse(SUBSCRIBE.as_bytes()).unwrap();
    assert_eq!(msg.method(), Some("SUBSCRIBE"));
    assert_eq!(msg.call_id().unwrap(), "call-1@127.0.0.1");
    assert_eq!(msg.cseq().unwrap(), (1, "SUBSCRIBE"));
    assert_eq!(msg.from().unwrap().tag(), Some("a1"));
    assert_eq!(msg.to().unwrap().tag(), None);
    assert_eq!(msg.header("Event"), Some("presence"));
    assert_eq!(
        msg.list("Accept"),
        ["application/pidf+xml", "application/xpidf+xml"]
    );
    assert_eq!(msg.expires().unwrap(), Some(600));
    assert_eq!(msg.via().unwrap().branch(), Some("z9hG4bK-1"));
    assert_eq!(msg.request_uri().unwrap().unwrap().user_name(), "6001");
}

#[test]
fn response_via_gets_rport_and_received() {
    let via = Via::parse("SIP/2.0/UDP 10.0.0.1:5099;rport;branch=z9hG4bK-1").unwrap();
    let src = "127.0.0.1:6000".parse().unwrap();
    assert_eq!(
        via.for_response(src),
        "SIP/2.0/UDP 10.0.0.1:5099;rport=6000;received=127.0.0.1;branch=z9hG4bK-1"
    );
}

#[test]
fn framing_by_content_length() {
    let msg = "NOTIFY sip:a@b SIP/2.0\r\nContent-Length: 4\r\n\r\nabcdNEXT";
    assert_eq!(frame(msg.as_bytes()), Ok(Some(msg.len() - 4)));
    assert_eq!(frame(&msg.as_bytes()[..10]), Ok(None));
    assert!(matches!(
        frame(b"X\r\nContent-Length: x\r\n\r\n"),
        Err(ParseError::BadLength(_))
    ));
    let huge = format!("X\r\nContent-Length: {}\r\n\r\n", 1 << 20);
    assert_eq!(frame(huge.as_bytes()), Err(ParseError::TooLarge));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for bad in [
        &b""[..],
        b"\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"SUBSCRIBE sip:a@b SIP/2.0\r\nContent-Length: 99\r\n\r\nshort",
        b"SUBSCRIBE sip:a@b SIP/2.0\r\nNoColonHere\r\n\r\n",
        b"\xff\xfe SIP/2.0\r\n\r\n",
    ] {
        assert!(Message::parse(bad).is_err(), "{bad:?}");
    }
    let msg =
        Message::parse(b"OPTIONS sip:a@b SIP/2.0\r\nCSeq: x OPTIONS\r\nExpires: soon\r\n\r\n")
            .unwrap();
    assert!(msg.cseq().is_err());
    assert!(msg.expires().is_err());
    assert!(msg.call_id().is_err());
}

#[test]
fn builder_prints_pjsip_content_length() {
    let out = Builder::response(200, "OK")
        .header("CSeq", "1 SUBSCRIBE")
        .finish();
    assert_eq!(
        out,
        b"SIP/2.0 200 OK\r\nCSeq: 1 SUBSCRIBE\r\nContent-Length:  0\r\n\r\n"
    );
    let out = Builder::request("NOTIFY", "sip:a@b").finish_with("text/plain", b"hi");
    assert!(String::from_utf8(out)
        .unwrap()
        .ends_with("Content-Length:     2\r\n\r\nhi"));
    assert_eq!(
        split_commas("a, \"b,c\" <sip:x>, <sip:y,z>"),
        ["a", "\"b,c\" <sip:x>", "<sip:y,z>"]
    );
}
