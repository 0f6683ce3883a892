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
