//! This fuzz target feeds arbitrary bytes to the SIP layer: as one framed stream (TCP framing by
//! Content-Length), as datagrams (the input split at 0xFF bytes), each parsed and handed to a
//! notifier with one hint, whose answers must themselves parse; timers run between packets and
//! state changes go out to whatever subscriptions the input managed to create.

#![no_main]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialstate::sip::config::{load_str, Protocol};
use dialstate::sip::message::{frame, Message};
use dialstate::sip::notifier::{
    HintState, Hints, Inbound, LocalTransport, NoPersist, Notifier, Now,
};
use dialstate::state::{Change, ExtensionState, HintKey, Presence, PresenceState};
use libfuzzer_sys::fuzz_target;

struct One;

impl Hints for One {
    fn subscribe(&mut self, _context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        (exten == "6001").then(|| {
            (
                HintKey {
                    exten: "6001".into(),
                    context: "internal".into(),
                },
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

fuzz_target!(|data: &[u8]| {
    let mut buf = data.to_vec();
    while let Ok(Some(len)) = frame(&buf) {
        let _ = Message::parse(&buf[..len]);
        buf.drain(..len.max(1));
    }
    let conf = load_str(
        "pjsip.conf",
        "[alice]\ntype=endpoint\ncontext=internal\n[bob]\ntype=endpoint\ncontext=internal\nauth=b\n[b]\ntype=auth\nusername=bob\npassword=x\n",
    )
    .value;
    let mut n = Notifier::new(
        Arc::new(conf),
        vec![
            LocalTransport {
                protocol: Protocol::Udp,
                addr: "127.0.0.1:5060".parse().unwrap(),
            },
            LocalTransport {
                protocol: Protocol::Tcp,
                addr: "127.0.0.1:5060".parse().unwrap(),
            },
        ],
        Box::new(One),
        Box::new(NoPersist),
        [1; 32],
    );
    let mut now = Now {
        mono: Instant::now(),
        epoch: 1_800_000_000,
    };
    let peer: SocketAddr = "127.0.0.1:5099".parse().unwrap();
    let mut out = Vec::new();
    for (i, packet) in data.split(|&b| b == 0xFF).enumerate() {
        n.on_packet(
            Inbound {
                transport: i % 2,
                peer,
                bytes: packet,
            },
            now,
            &mut out,
        );
        now.mono += Duration::from_millis(700);
        now.epoch += 1;
        n.on_timer(now, &mut out);
        let change = Change::Extension {
            key: HintKey {
                exten: "6001".into(),
                context: "internal".into(),
            },
            old: ExtensionState::Idle,
            new: if i % 2 == 0 {
                ExtensionState::InUse
            } else {
                ExtensionState::Ringing
            },
            repeat: false,
            call: None,
        };
        n.on_change(&change, now, &mut out);
    }
    for o in out {
        assert!(
            Message::parse(&o.bytes).is_ok(),
            "we sent something we cannot parse: {:?} {:?}",
            Message::parse(&o.bytes).err(),
            String::from_utf8_lossy(&o.bytes)
        );
    }
});
