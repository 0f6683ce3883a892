//! The notifier as a pure state machine: datagrams in, datagrams out, time passed explicitly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sip::config::{load_str, Protocol};
use crate::sip::message::Message;
use crate::sip::notifier::{
    HintState, Hints, Inbound, LocalTransport, NoPersist, Notifier, Now, Outbound,
};
use crate::state::{Change, ExtensionState, HintKey, Presence, PresenceState};

struct Table;

impl Hints for Table {
    fn subscribe(&mut self, context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        (context == "internal" && exten == "6001").then(|| {
            (
                key(),
                HintState {
                    state: ExtensionState::Idle,
                    presence: Presence::new(PresenceState::NotSet),
                    has_devices: true,
                    ringing: None,
                },
            )
        })
    }
    fn release(&mut self, _: &HintKey) {}
}

fn key() -> HintKey {
    HintKey {
        exten: "6001".into(),
        context: "internal".into(),
    }
}

const SERVER: &str = "192.0.2.10:5060";
const PHONE: &str = "192.0.2.20:5061";

struct Harness {
    n: Notifier,
    now: Now,
}

impl Harness {
    fn new() -> Harness {
        let conf = load_str("pjsip.conf", "[alice]\ntype=endpoint\ncontext=internal\n").value;
        let n = Notifier::new(
            Arc::new(conf),
            vec![LocalTransport {
                protocol: Protocol::Udp,
                addr: SERVER.parse().unwrap(),
            }],
            Box::new(Table),
            Box::new(NoPersist),
            [7; 32],
        );
        Harness {
            n,
            now: Now {
                mono: Instant::now(),
                epoch: 1_800_000_000,
            },
        }
    }

    #[track_caller]
    fn send(&mut self, text: &str) -> Vec<Message> {
        let mut out = Vec::new();
        let text = text.replace('\n', "\r\n");
        self.n.on_packet(
            Inbound {
                transport: 0,
                peer: PHONE.parse::<SocketAddr>().unwrap(),
                bytes: text.as_bytes(),
            },
            self.now,
            &mut out,
        );
        parse(out)
    }

    fn advance(&mut self, ms: u64) -> Vec<Message> {
        self.now.mono += Duration::from_millis(ms);
        self.now.epoch += ms / 1000;
        let mut out = Vec::new();
        self.n.on_timer(self.now, &mut out);
        parse(out)
    }

    fn change(&mut self, state: ExtensionState) -> Vec<Message> {
        let mut out = Vec::new();
        let change = Change::Extension {
            key: key(),
            old: ExtensionState::Idle,
            new: state,
            repeat: false,
            call: None,
        };
        self.n.on_change(&change, self.now, &mut out);
        parse(out)
    }

    /// Subscribes and returns (200 OK, first NOTIFY).
    fn subscribe(&mut self) -> (Message, Message) {
        let out = self.send(&subscribe(1, None, "600"));
        assert_eq!(out.len(), 2);
        (out[0].clone(), out[1].clone())
    }
}

fn parse(out: Vec<Outbound>) -> Vec<Message> {
    out.into_iter()
        .map(|o| Message::parse(&o.bytes).unwrap())
        .collect()
}

fn subscribe(cseq: u32, to_tag: Option<&str>, expires: &str) -> String {
    let to = match to_tag {
        Some(tag) => format!("<sip:6001@192.0.2.10:5060>;tag={tag}"),
        None => "<sip:6001@192.0.2.10:5060>".to_string(),
    };
    format!(
        "SUBSCRIBE sip:6001@192.0.2.10:5060 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.20:5061;rport;branch=z9hG4bK-{cseq}
From: \"Alice\" <sip:alice@192.0.2.20:5061>;tag=a1b2c3
To: {to}
Call-ID: 77f0c1@192.0.2.20
CSeq: {cseq} SUBSCRIBE
Contact: <sip:alice@192.0.2.20:5061>
Event: presence
Expires: {expires}
Content-Length: 0

"
    )
}

fn answer(notify: &Message, code: u16) -> String {
    format!(
        "SIP/2.0 {code} X
Via: {}
From: {}
To: {}
Call-ID: {}
CSeq: {}
Content-Length: 0

",
        notify.header("Via").unwrap(),
        notify.header("From").unwrap(),
        notify.header("To").unwrap(),
        notify.header("Call-ID").unwrap(),
        notify.header("CSeq").unwrap()
    )
}

fn names(msg: &Message) -> Vec<&str> {
    msg.headers.iter().map(|(k, _)| k.as_str()).collect()
}

#[test]
fn ok_and_notify_have_asterisks_header_order() {
    let mut h = Harness::new();
    let (ok, notify) = h.subscribe();
    assert_eq!(
        names(&ok),
        [
            "Via",
            "Call-ID",
            "From",
            "To",
            "CSeq",
            "Expires",
            "Contact",
            "Allow",
            "Server",
            "Content-Length"
        ]
    );
    assert_eq!(
        ok.header("From"),
        Some("\"Alice\" <sip:alice@192.0.2.20>;tag=a1b2c3")
    );
    assert_eq!(
        ok.header("Via"),
        Some("SIP/2.0/UDP 192.0.2.20:5061;rport=5061;received=192.0.2.20;branch=z9hG4bK-1")
    );
    assert_eq!(
        notify.start,
        crate::sip::message::Start::Request {
            method: "NOTIFY".into(),
            uri: "sip:alice@192.0.2.20:5061".into()
        }
    );
    assert_eq!(
        names(&notify),
        [
            "Via",
            "From",
            "To",
            "Contact",
            "Call-ID",
            "CSeq",
            "Event",
            "Subscription-State",
            "Allow-Events",
            "Max-Forwards",
            "User-Agent",
            "Content-Type",
            "Content-Length"
        ]
    );
    let to_tag = ok.to().unwrap().tag().unwrap().to_string();
    assert_eq!(
        notify.header("From"),
        Some(format!("<sip:6001@192.0.2.10>;tag={to_tag}").as_str())
    );
    assert_eq!(
        notify.header("To"),
        Some("\"Alice\" <sip:alice@192.0.2.20>;tag=a1b2c3")
    );
    assert_eq!(notify.header("Contact"), Some("<sip:192.0.2.10:5060>"));
    assert_eq!(
        notify.header("Subscription-State"),
        Some("active;expires=600")
    );
    let body = String::from_utf8(notify.body.clone()).unwrap();
    assert!(
        body.contains("<presence entity=\"sip:6001@192.0.2.10:5060\""),
        "{body}"
    );
    assert!(
        body.contains("<contact priority=\"1\">sip:alice@192.0.2.20</contact>"),
        "{body}"
    );
}

#[test]
fn unanswered_notify_is_retransmitted_then_ends_the_subscription() {
    let mut h = Harness::new();
    let (_, notify) = h.subscribe();
    let mut resent = 0;
    let mut elapsed = 0;
    while elapsed < 31_000 {
        let out = h.advance(500);
        elapsed += 500;
        resent += out.len();
        for m in &out {
            assert_eq!(m.header("CSeq"), notify.header("CSeq"));
        }
    }
    // Timer E: 0.5, 1, 2, 4, 4, 4, ... seconds until timer F at 32 s.
    assert!((7..=11).contains(&resent), "{resent}");
    assert!(h.advance(1_500).is_empty());
    assert_eq!(h.n.len(), 0, "timer F ended the subscription");
}

#[test]
fn notify_refused_with_481_ends_the_subscription_and_dialog_lingers() {
    let mut h = Harness::new();
    let (ok, notify) = h.subscribe();
    assert!(h.send(&answer(&notify, 481)).is_empty());
    assert_eq!(h.n.len(), 0);
    let tag = ok.to().unwrap().tag().unwrap().to_string();
    let out = h.send(&subscribe(2, Some(&tag), "600"));
    assert_eq!(
        out[0].start,
        crate::sip::message::Start::Response {
            code: 500,
            reason: "Unhandled by dialog usages".into()
        }
    );
    h.advance(33_000);
    let out = h.send(&subscribe(3, Some(&tag), "600"));
    assert_eq!(out[0].code(), Some(481));
}

#[test]
fn burst_is_coalesced_and_the_last_state_wins() {
    let mut h = Harness::new();
    let (_, first) = h.subscribe();
    // The initial NOTIFY is still unanswered: changes wait.
    assert!(h.change(ExtensionState::InUse).is_empty());
    assert!(h.change(ExtensionState::Ringing).is_empty());
    assert!(h.change(ExtensionState::Busy).is_empty());
    let out = h.send(&answer(&first, 200));
    assert_eq!(out.len(), 1);
    let body = String::from_utf8(out[0].body.clone()).unwrap();
    assert!(body.contains("<note>On the phone</note>"), "{body}");
    // Answered and nothing new: silence.
    assert!(h.send(&answer(&out[0], 200)).is_empty());
    assert_eq!(h.n.stats.notifies_answered, 2);
}

#[test]
fn refresh_and_unsubscribe_resend_the_cached_body() {
    let mut h = Harness::new();
    let (ok, first) = h.subscribe();
    h.send(&answer(&first, 200));
    let tag = ok.to().unwrap().tag().unwrap().to_string();
    h.advance(10_000);
    let out = h.send(&subscribe(2, Some(&tag), "7200"));
    assert_eq!(out[0].header("Expires"), Some("3600"));
    assert_eq!(
        out[1].header("Subscription-State"),
        Some("active;expires=3600")
    );
    assert_eq!(out[1].body, first.body);
    h.send(&answer(&out[1], 200));
    // A lower CSeq in the dialog is refused.
    let out = h.send(&subscribe(1, Some(&tag), "600").replace("z9hG4bK-1", "z9hG4bK-old"));
    assert_eq!(out[0].code(), Some(500));
    let out = h.send(&subscribe(3, Some(&tag), "0"));
    assert_eq!(out[0].header("Expires"), Some("0"));
    assert_eq!(out[1].header("Subscription-State"), Some("terminated"));
    assert_eq!(h.n.len(), 0);
}

#[test]
fn expiry_sends_terminated_with_reason_timeout() {
    let mut h = Harness::new();
    let (_, first) = h.subscribe();
    h.send(&answer(&first, 200));
    assert!(h.advance(599_000).is_empty());
    let out = h.advance(1_000);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].header("Subscription-State"),
        Some("terminated;reason=timeout")
    );
    assert_eq!(h.n.len(), 0);
}

#[test]
fn hint_gone_ends_with_the_default_body() {
    let mut h = Harness::new();
    let (_, first) = h.subscribe();
    h.send(&answer(&first, 200));
    let mut out = Vec::new();
    h.n.on_change(
        &Change::HintGone {
            key: key(),
            state: ExtensionState::Removed,
        },
        h.now,
        &mut out,
    );
    let out = parse(out);
    assert_eq!(out[0].header("Subscription-State"), Some("terminated"));
    assert!(String::from_utf8_lossy(&out[0].body).contains("<note>Ready</note>"));
    assert_eq!(h.n.len(), 0);
}

/// Our branches read back to their number; anybody else's (another salt, a changed digit, a
/// wrong length or separator) do not.
#[test]
fn branches_read_back_only_when_ours() {
    for salt in [
        0u128,
        1,
        u128::MAX,
        0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
    ] {
        for n in [0u64, 1, 42, u64::MAX, 0xdead_beef] {
            let mut text = String::new();
            super::push_branch(&mut text, salt, n);
            assert_eq!(text.len(), "z9hG4bKPj".len() + 36, "{text}");
            assert_eq!(super::parse_branch(&text, salt), Some(n), "{text}");
            assert_eq!(super::parse_branch(&text, salt ^ (1 << 100)), None);
            let mut other = text.clone().into_bytes();
            let last = other.len() - 1;
            other[last] = if other[last] == b'0' { b'1' } else { b'0' };
            let other = String::from_utf8(other).expect("ASCII");
            assert_ne!(super::parse_branch(&other, salt), Some(n));
            assert_eq!(super::parse_branch(&text[..text.len() - 1], salt), None);
            assert_eq!(super::parse_branch(&text.replace('-', "_"), salt), None);
            assert_eq!(super::parse_branch(&format!("{text}é"), salt), None);
        }
    }
    assert_eq!(super::parse_branch("z9hG4bK-other", 0), None);
}
