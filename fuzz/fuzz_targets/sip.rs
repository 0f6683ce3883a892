//! This fuzz target feeds arbitrary bytes to the SIP layer: as one framed stream (TCP framing by
//! Content-Length), as datagrams (the input split at 0xFF bytes), each parsed and handed to a
//! notifier with one hint, whose answers must themselves parse; timers run between packets and
//! state changes go out to whatever subscriptions the input managed to create.

#![no_main]

use dialstate::sip::message::{frame, Message};
use dialstate::sip::replay::replay;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = data.to_vec();
    while let Ok(Some(len)) = frame(&buf) {
        let _ = Message::parse(&buf[..len]);
        buf.drain(..len.max(1));
    }
    let out = replay(data);
    for o in out {
        assert!(
            Message::parse(&o.bytes).is_ok(),
            "we sent something we cannot parse: {:?} {:?}",
            Message::parse(&o.bytes).err(),
            String::from_utf8_lossy(&o.bytes)
        );
    }
});
