//! A fixed harness that drives a notifier with raw bytes: the input is split at 0xFF bytes into
//! datagrams (alternately UDP and TCP), each handed to a notifier with two hints (`6001` and
//! `7000` in `internal`), endpoints `alice` (open, AOR `alice`) and `bob` (digest, AOR `bob`),
//! a resource list `blf` with a nested list, an inbound publication `cluster` for
//! `asterisk-devicestate`, and outbound publishers of device and hint state towards the peer,
//! with timers run and a state change made between them. The SIP fuzz target and the regression test that replays its
//! findings both run it, so a reproducer means the same thing in both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sip::config::{load_str, Protocol};
use crate::sip::notifier::{
    HintState, Hints, Inbound, LocalTransport, NoPersist, Notifier, Now, Outbound,
};
use crate::state::{Change, ExtensionState, HintKey, Presence, PresenceState};

struct TwoHints;

fn key(exten: &str) -> HintKey {
    HintKey {
        exten: exten.into(),
        context: "internal".into(),
    }
}

fn idle() -> HintState {
    HintState {
        state: ExtensionState::Idle,
        presence: Presence::new(PresenceState::NotSet),
        has_devices: true,
        ringing: None,
    }
}

impl Hints for TwoHints {
    fn subscribe(&mut self, _context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        matches!(exten, "6001" | "7000").then(|| (key(exten), idle()))
    }

    fn release(&mut self, _: &HintKey) {}

    fn peek(&mut self, key: &HintKey) -> Option<HintState> {
        matches!(&*key.exten, "6001" | "7000").then(idle)
    }

    fn local_devices(&mut self) -> Vec<(String, crate::state::DeviceState)> {
        vec![("Custom:x".to_string(), crate::state::DeviceState::Inuse)]
    }
}

const PJSIP: &str = "\
[alice]
type=endpoint
context=internal
aors=alice
[alice]
type=aor
max_contacts=2
remove_existing=yes
[bob]
type=endpoint
context=internal
auth=b
aors=bob
[bob]
type=aor
max_contacts=1
[b]
type=auth
username=bob
password=x
[cluster]
type=inbound-publication
event_asterisk-devicestate=cluster-peer
[cluster-peer]
type=asterisk-publication
device_state=yes
devicestate_publish=to-peer
[to-peer]
type=outbound-publish
server_uri=sip:cluster@127.0.0.1:5099
event=asterisk-devicestate
outbound_auth=b
[hints-out]
type=outbound-publish
server_uri=sip:presence@127.0.0.1:5099
event=dialog
@body=application/dialog-info+xml
[blf]
type=resource_list
event=presence
list_item=6001,blf-nested
notification_batch_interval=500
[blf-nested]
type=resource_list
event=presence
list_item=6001,7000
";

/// Everything the notifier sent while handling `data`.
pub fn replay(data: &[u8]) -> Vec<Outbound> {
    let conf = load_str("pjsip.conf", PJSIP).value;
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
        Box::new(TwoHints),
        Box::new(NoPersist),
        [1; 32],
    );
    n.set_eid(crate::state::Eid([2, 0, 0, 0, 0, 1]));
    let mut now = Now {
        mono: Instant::now(),
        epoch: 1_800_000_000,
    };
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 5099));
    let mut out = Vec::new();
    n.start_publishing(now, &mut out);
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
            key: key(if i % 3 == 2 { "7000" } else { "6001" }),
            old: ExtensionState::Idle,
            new: if i % 2 == 0 {
                ExtensionState::InUse
            } else {
                ExtensionState::Ringing
            },
            repeat: false,
            call: None,
        };
        n.queue_change(&change, now, &mut out);
        while n.pump(now, &mut out, usize::MAX) {}
        n.on_local_device(
            "Custom:x",
            crate::state::DeviceState::Ringing,
            now,
            &mut out,
        );
    }
    out
}
