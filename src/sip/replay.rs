//! A fixed harness that drives a notifier with raw bytes: the input is split at 0xFF bytes into
//! datagrams (alternately UDP and TCP), each handed to a notifier with one hint (`6001` in
//! `internal`) and endpoints `alice` (open) and `bob` (digest), with timers run and a state
//! change made between them. The SIP fuzz target and the regression test that replays its
//! findings both run it, so a reproducer means the same thing in both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sip::config::{load_str, Protocol};
use crate::sip::notifier::{
    HintState, Hints, Inbound, LocalTransport, NoPersist, Notifier, Now, Outbound,
};
use crate::state::{Change, ExtensionState, HintKey, Presence, PresenceState};

struct OneHint;

fn key() -> HintKey {
    HintKey {
        exten: "6001".into(),
        context: "internal".into(),
    }
}

impl Hints for OneHint {
    fn subscribe(&mut self, _context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        (exten == "6001").then(|| {
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

/// Everything the notifier sent while handling `data`.
pub fn replay(data: &[u8]) -> Vec<Outbound> {
    let conf = load_str(
        "pjsip.conf",
        "[alice]\ntype=endpoint\ncontext=internal\n[bob]\ntype=endpoint\ncontext=internal\nauth=b\n[b]\ntype=auth\nusername=bob\npassword=x\n",
    )
    .value;
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], 5060));
    let mut n = Notifier::new(
        Arc::new(conf),
        vec![
            LocalTransport {
                protocol: Protocol::Udp,
                addr: local,
            },
            LocalTransport {
                protocol: Protocol::Tcp,
                addr: local,
            },
        ],
        Box::new(OneHint),
        Box::new(NoPersist),
        [1; 32],
    );
    let mut now = Now {
        mono: Instant::now(),
        epoch: 1_800_000_000,
    };
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 5099));
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
            key: key(),
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
    out
}
