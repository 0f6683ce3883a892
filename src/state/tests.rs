//! State vectors of spec state.md §1.8, §2.2 and §2.4.

use crate::state::{aggregate, DeviceState, ExtensionState, HintKey, StateEngine};

const ORDER: [&str; 9] = [
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "INVALID",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
];

/// The 9×9 matrix of spec state.md §2.2 (two-device hint → extension state text).
const EXTEN_MATRIX: [[&str; 9]; 9] = [
    [
        "Idle",
        "Idle",
        "InUse",
        "Busy",
        "Idle",
        "Unavailable",
        "Ringing",
        "InUse&Ringing",
        "Hold",
    ],
    [
        "Idle",
        "Idle",
        "InUse",
        "Busy",
        "Idle",
        "Idle",
        "Ringing",
        "InUse&Ringing",
        "Hold",
    ],
    [
        "InUse",
        "InUse",
        "InUse",
        "Busy",
        "InUse",
        "InUse",
        "InUse&Ringing",
        "InUse&Ringing",
        "InUse",
    ],
    [
        "Busy",
        "Busy",
        "Busy",
        "Busy",
        "Busy",
        "Busy",
        "InUse&Ringing",
        "InUse&Ringing",
        "Busy",
    ],
    [
        "Idle",
        "Idle",
        "InUse",
        "Busy",
        "Unavailable",
        "Unavailable",
        "Ringing",
        "InUse&Ringing",
        "Hold",
    ],
    [
        "Unavailable",
        "Idle",
        "InUse",
        "Busy",
        "Unavailable",
        "Unavailable",
        "Ringing",
        "InUse&Ringing",
        "Hold",
    ],
    [
        "Ringing",
        "Ringing",
        "InUse&Ringing",
        "InUse&Ringing",
        "Ringing",
        "Ringing",
        "Ringing",
        "InUse&Ringing",
        "InUse&Ringing",
    ],
    ["InUse&Ringing"; 9],
    [
        "Hold",
        "Hold",
        "InUse",
        "Busy",
        "Hold",
        "Hold",
        "InUse&Ringing",
        "InUse&Ringing",
        "Hold",
    ],
];

#[test]
fn parse_round_trips_every_state() {
    for name in ORDER {
        let state = DeviceState::parse(name);
        if name == "UNKNOWN" {
            assert_eq!(state, DeviceState::Unknown);
        } else {
            assert_eq!(state.as_str(), name);
            assert_eq!(DeviceState::parse(&name.to_lowercase()), state);
        }
    }
    assert_eq!(DeviceState::parse("bogus"), DeviceState::Unknown);
    assert_eq!(DeviceState::parse(" BUSY"), DeviceState::Unknown);
}

#[test]
fn two_device_hints_match_the_spec_matrix() {
    for (a_idx, a) in ORDER.iter().enumerate() {
        for (b_idx, b) in ORDER.iter().enumerate() {
            let states = [state_named(a), state_named(b)];
            let got = ExtensionState::from_device(aggregate(states)).as_str();
            assert_eq!(got, EXTEN_MATRIX[a_idx][b_idx], "{a} + {b}");
            // Order does not matter.
            let rev = ExtensionState::from_device(aggregate([states[1], states[0]])).as_str();
            assert_eq!(rev, got, "{b} + {a}");
        }
    }
}

fn state_named(name: &str) -> DeviceState {
    DeviceState::ALL
        .into_iter()
        .find(|it| it.as_str() == name)
        .unwrap_or(DeviceState::Invalid)
}

#[test]
fn longer_device_lists() {
    use DeviceState::*;
    let cases: &[(&[DeviceState], &str)] = &[
        (&[NotInuse], "Idle"),
        (&[Unknown], "Idle"),
        (&[Invalid], "Unavailable"),
        (&[Unavailable, Invalid, Unknown], "Unavailable"),
        (&[NotInuse, Unavailable], "Idle"),
        (&[Inuse, Onhold], "InUse"),
        (&[Inuse, Busy], "Busy"),
        (&[Ringing, Onhold], "InUse&Ringing"),
        (&[Ringing, NotInuse, Inuse], "InUse&Ringing"),
        (&[NotInuse, NotInuse, Ringing], "Ringing"),
        (&[Onhold, Onhold, NotInuse], "Hold"),
    ];
    for (states, text) in cases {
        let got = ExtensionState::from_device(aggregate(states.iter().copied())).as_str();
        assert_eq!(got, *text, "{states:?}");
    }
}

#[test]
fn hints_before_any_device_reports() {
    let mut engine = StateEngine::default();
    let hints = [
        ("2000", "default", "Custom:BobToggle", "Idle", "not_set"),
        ("6001", "internal", "PJSIP/6001", "Unavailable", "not_set"),
        (
            "6002",
            "internal",
            "PJSIP/6002&Custom:DND6002",
            "Unavailable",
            "not_set",
        ),
        ("6003", "internal", "Custom:lamp3", "Idle", "not_set"),
        (
            "6004",
            "internal",
            "PJSIP/6004,CustomPresence:Bob",
            "Unavailable",
            "not_set",
        ),
        (
            "6005",
            "internal",
            ",CustomPresence:Ellen",
            "Unavailable",
            "not_set",
        ),
        (
            "_7XXX",
            "internal",
            "PJSIP/${EXTEN}",
            "Unavailable",
            "not_set",
        ),
        ("100", "x", "Bogus:1,Nope:2", "Unavailable", ""),
    ];
    for (exten, context, text, _, _) in hints {
        engine.add_hint(
            HintKey {
                exten: exten.into(),
                context: context.into(),
            },
            text,
        );
    }
    let got: Vec<(String, &str, &str)> = engine
        .hints()
        .map(|it| {
            (
                it.key.to_string(),
                it.state.as_str(),
                it.presence.state.as_str(),
            )
        })
        .collect();
    let mut want: Vec<(String, &str, &str)> = hints
        .iter()
        .map(|(e, c, _, s, p)| (format!("{e}@{c}"), *s, *p))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

/// Runs an event script against an engine holding `hints` and compares every reported change.
/// Script lines: `device ID STATE`, `presence ID VALUE`, `reload KEY=TEXT;KEY=TEXT`.
#[track_caller]
fn check_events(hints: &[(&str, &str)], script: &str, expect: &str) {
    use crate::state::PresenceValue;
    let key = |it: &str| {
        let (exten, context) = it.split_once('@').unwrap_or((it, "default"));
        HintKey {
            exten: exten.into(),
            context: context.into(),
        }
    };
    let mut engine = StateEngine::default();
    for (k, text) in hints {
        engine.add_hint(key(k), text);
    }
    let mut out = String::new();
    for line in script.lines().map(str::trim).filter(|it| !it.is_empty()) {
        let mut words = line.splitn(3, ' ');
        let (verb, a, b) = (
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
        );
        let changes = match verb {
            "device" => engine.set_device(a, DeviceState::parse(b)),
            "presence" => match PresenceValue::parse(b) {
                Ok(value) => engine.set_presence(a, value.presence),
                Err(err) => {
                    out.push_str(&format!("refused: {err}\n"));
                    continue;
                }
            },
            "reload" => {
                let list: Vec<(HintKey, String)> = a
                    .split(';')
                    .filter(|it| !it.is_empty())
                    .filter_map(|it| it.split_once('='))
                    .map(|(k, t)| (key(k), t.to_string()))
                    .collect();
                engine.set_hints(&list)
            }
            _ => panic!("bad script line {line}"),
        };
        for change in changes {
            out.push_str(&change.to_string());
            out.push('\n');
        }
    }
    assert_eq!(out.trim_end(), expect.trim_end(), "\n--- got ---\n{out}");
}

#[test]
fn device_changes_reach_only_the_hints_that_name_them() {
    check_events(
        &[
            ("100", "Custom:a&Custom:b"),
            ("200", "Custom:b"),
            ("300", "PJSIP/c"),
        ],
        "device Custom:a INUSE
         device custom:b BUSY
         device Custom:b BUSY
         device Custom:a NOT_INUSE",
        "device Custom:a INUSE
hint 100@default Idle -> InUse
device custom:b BUSY
hint 100@default InUse -> Busy
hint 200@default Idle -> Busy
device Custom:a NOT_INUSE",
    );
}

#[test]
fn ringing_is_reported_again_when_it_repeats() {
    check_events(
        &[("100", "PJSIP/a&PJSIP/b")],
        "device PJSIP/a RINGING
         device PJSIP/b RINGING
         device PJSIP/b INUSE",
        "device PJSIP/a RINGING
hint 100@default Unavailable -> Ringing
device PJSIP/b RINGING
hint 100@default Ringing -> Ringing (repeat)
device PJSIP/b INUSE
hint 100@default Ringing -> InUse&Ringing",
    );
}

#[test]
fn presence_changes_and_refused_values() {
    check_events(
        &[("6004@internal", "PJSIP/6004,CustomPresence:Bob"), ("6005@internal", ",CustomPresence:Ellen&CustomPresence:Bob")],
        "presence CustomPresence:Bob dnd
         presence CustomPresence:Bob dnd
         presence CustomPresence:Ellen away,lunch,Back at 2
         presence CustomPresence:Ellen bored
         presence CustomPresence:Ellen xa,T24gdmFjYXRpb24=,,e
         presence CustomPresence:Ellen xa,!!!,,e
         presence CustomPresence:Ellen away,,,i",
        "provider CustomPresence:Bob dnd
hint 6004@internal presence not_set -> dnd
hint 6005@internal presence not_set -> dnd
provider CustomPresence:Bob dnd
provider CustomPresence:Ellen away,lunch,Back at 2
refused: unknown presence state `bored`; expected not_set, unavailable, available, away, xa, chat or dnd
provider CustomPresence:Ellen xa,On vacation,
refused: the subtype `!!!` is not valid base64
refused: invalid options `i`; the only option is `e` (base64)",
    );
}

#[test]
fn reload_keeps_surviving_hints_and_reports_the_rest() {
    check_events(
        &[("100", "Custom:a"), ("200", "Custom:b")],
        "device Custom:a BUSY
         reload 100=Custom:a&Custom:c;300=Custom:d
         device Custom:b INUSE",
        "device Custom:a BUSY
hint 100@default Idle -> Busy
hint 200@default gone -2
device Custom:b INUSE",
    );
}

#[test]
fn presence_value_parse_vectors() {
    use crate::state::{PresenceState, PresenceValue};
    let ok = [
        ("away", "away", "", "", ""),
        ("AWAY", "away", "", "", ""),
        ("away,down the hall", "away", "down the hall", "", ""),
        (
            "away,,Quarterly financial meeting",
            "away",
            "",
            "Quarterly financial meeting",
            "",
        ),
        ("away,,,e", "away", "", "", "e"),
        ("away,,,,e", "away", "", "", ""),
        ("not_set", "not_set", "", "", ""),
        ("xa,T24gdmFjYXRpb24=,,e", "xa", "On vacation", "", "e"),
    ];
    for (text, state, subtype, message, options) in ok {
        let value = PresenceValue::parse(text).expect(text);
        assert_eq!(value.presence.state.as_str(), state, "{text}");
        assert_eq!(value.presence.subtype, subtype, "{text}");
        assert_eq!(value.presence.message, message, "{text}");
        assert_eq!(value.options, options, "{text}");
    }
    for bad in ["", "bored", "away,,,i", "away ", " away", "invalid"] {
        assert!(
            PresenceValue::parse(bad).is_err(),
            "{bad:?} should be refused"
        );
    }
    assert_eq!(PresenceState::parse("DND"), PresenceState::Dnd);
    let long = format!("away,{},", "x".repeat(300));
    assert!(PresenceValue::parse(&long).is_err());
}

#[test]
fn watchers_get_their_hint_in_order_and_are_counted() {
    let mut engine = StateEngine::default();
    let key = |e: &str| HintKey {
        exten: e.into(),
        context: "default".into(),
    };
    engine.add_hint(key("100"), "PJSIP/a");
    engine.add_hint(key("200"), "PJSIP/b");
    let (id, rx) = engine.watch(Some(&key("100")), false).expect("hint exists");
    let (_, all) = engine.watch(None, true).expect("global");
    assert!(engine.watch(Some(&key("999")), false).is_err());
    assert_eq!(engine.hint(&key("100")).map(|it| it.watchers), Some(1));
    assert_eq!(engine.hint(&key("200")).map(|it| it.watchers), Some(0));
    engine.set_device("PJSIP/a", DeviceState::Ringing);
    engine.set_device("PJSIP/a", DeviceState::Ringing);
    engine.set_device("PJSIP/b", DeviceState::Inuse);
    engine.set_device("PJSIP/a", DeviceState::Inuse);
    let got: Vec<String> = rx.try_iter().map(|it| it.to_string()).collect();
    assert_eq!(
        got,
        [
            "hint 100@default Unavailable -> Ringing",
            "hint 100@default Ringing -> InUse"
        ]
    );
    let got: Vec<String> = all
        .try_iter()
        .filter(|it| it.hint().is_some())
        .map(|it| it.to_string())
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(engine.unwatch(id));
    assert_eq!(engine.hint(&key("100")).map(|it| it.watchers), Some(0));
    let (_, rx) = engine.watch(Some(&key("200")), false).expect("hint exists");
    let changes = engine.set_hints(&[(key("100"), "PJSIP/a".to_string())]);
    let changes: Vec<String> = changes.iter().map(|it| it.to_string()).collect();
    assert_eq!(changes, ["hint 200@default gone -2"]);
    let got: Vec<String> = rx.try_iter().map(|it| it.to_string()).collect();
    assert_eq!(got, ["hint 200@default gone -2"]);
}

/// A deferred sink gets nothing until `flush`, then every change in order; it cannot watch one
/// hint.
#[test]
fn deferred_sinks_wait_for_flush() {
    use std::sync::{Arc, Mutex};
    let mut engine = StateEngine::default();
    let key = |e: &str| HintKey {
        exten: e.into(),
        context: "default".into(),
    };
    engine.add_hint(key("100"), "Custom:a");
    let got = Arc::new(Mutex::new(Vec::new()));
    let into = got.clone();
    let sink = crate::state::Sink::deferred(move |change| {
        into.lock().expect("not poisoned").push(change.to_string());
        true
    });
    assert!(engine
        .watch_with(Some(&key("100")), false, sink.clone())
        .is_err());
    engine.watch_with(None, false, sink).expect("global");
    engine.set_device("Custom:a", DeviceState::Inuse);
    engine.set_device("Custom:a", DeviceState::NotInuse);
    assert!(got.lock().expect("not poisoned").is_empty());
    engine.flush();
    let seen: Vec<String> = got
        .lock()
        .expect("not poisoned")
        .iter()
        .filter(|it| it.starts_with("hint"))
        .cloned()
        .collect();
    assert_eq!(
        seen,
        [
            "hint 100@default Idle -> InUse",
            "hint 100@default InUse -> Idle"
        ]
    );
    engine.flush();
    assert_eq!(got.lock().expect("not poisoned").len(), 4);
}

/// The aggregation vectors of spec state.md §1.7: one device, a local and a remote server.
#[test]
fn remote_servers_take_part_in_a_devices_aggregate() {
    use std::sync::{Arc, Mutex};
    let mut engine = StateEngine::default();
    engine.add_hint(
        HintKey {
            exten: "100".into(),
            context: "default".into(),
        },
        "Custom:x",
    );
    let local: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = local.clone();
    engine.on_local_device(Some(Arc::new(move |id: &str, state: DeviceState| {
        seen.lock()
            .expect("lock")
            .push(format!("{id} {}", state.as_str()));
    })));
    let remote: crate::state::Eid = "aa:bb:cc:dd:ee:ff".parse().expect("eid");
    let show = |changes: Vec<crate::state::Change>| -> Vec<String> {
        changes.iter().map(|it| it.to_string()).collect()
    };
    // 1: local NOT_INUSE → aggregate NOT_INUSE.
    assert_eq!(
        show(engine.set_device("Custom:x", DeviceState::NotInuse)),
        ["device Custom:x NOT_INUSE"]
    );
    // 2: remote NOT_INUSE → aggregate unchanged, nothing reported.
    assert!(engine
        .set_remote_device("Custom:x", remote, DeviceState::NotInuse)
        .is_empty());
    // 3: remote INUSE → INUSE.
    assert_eq!(
        show(engine.set_remote_device("Custom:x", remote, DeviceState::Inuse)),
        ["device Custom:x INUSE", "hint 100@default Idle -> InUse"]
    );
    // 4: local RINGING → RINGINUSE.
    assert_eq!(
        show(engine.set_device("Custom:x", DeviceState::Ringing)),
        [
            "device Custom:x RINGINUSE",
            "hint 100@default InUse -> InUse&Ringing"
        ]
    );
    assert_eq!(engine.device_state("Custom:x"), DeviceState::Ringinuse);
    assert_eq!(engine.local_devices(), [("Custom:x", DeviceState::Ringing)]);
    // Only local announcements reach the sink: a server never echoes a peer's change.
    assert_eq!(
        *local.lock().expect("lock"),
        ["Custom:x NOT_INUSE", "Custom:x RINGING"]
    );
    // The peer goes away: its entries go with it.
    assert_eq!(
        show(engine.forget_remote(remote)),
        [
            "device Custom:x RINGING",
            "hint 100@default InUse&Ringing -> Ringing"
        ]
    );
}
