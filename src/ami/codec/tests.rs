//! AMI framing.

use crate::ami::codec::{encode, CodecError, Decoder};
use crate::ami::limits::MAX_LINE;

#[test]
fn messages_split_at_blank_lines_in_any_chunking() {
    let text =
        b"Action: Login\r\nUsername: admin\r\nSecret: x\r\n\r\nAction: Ping\nActionID: 7\n\n";
    for cut in 0..text.len() {
        let mut d = Decoder::default();
        let mut got = d.push(&text[..cut]).unwrap();
        got.extend(d.push(&text[cut..]).unwrap());
        assert_eq!(got.len(), 2, "cut at {cut}");
        assert_eq!(got[0].get("username"), Some("admin"));
        assert_eq!(got[1].get("ACTIONID"), Some("7"));
    }
}

#[test]
fn long_lines_and_header_floods_are_errors() {
    let mut d = Decoder::default();
    assert_eq!(
        d.push(&vec![b'a'; MAX_LINE + 10]),
        Err(CodecError::LineTooLong)
    );
    let mut d = Decoder::default();
    let flood = "X: y\r\n".repeat(200);
    assert_eq!(d.push(flood.as_bytes()), Err(CodecError::TooManyHeaders));
}

#[test]
fn encode_uses_crlf_and_a_blank_line() {
    assert_eq!(
        encode(&[("Response", "Success"), ("Ping", "Pong")]),
        "Response: Success\r\nPing: Pong\r\n\r\n"
    );
}
