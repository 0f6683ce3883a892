//! Event rendering against the spec's examples.

use crate::ami::event::{escape_c, from_change};
use crate::state::{Change, DeviceState, ExtensionState, HintKey, Presence, PresenceState};

fn key(exten: &str, context: &str) -> HintKey {
    HintKey {
        exten: exten.into(),
        context: context.into(),
    }
}

#[test]
fn spec_examples() {
    let hint = |k: &HintKey| {
        if &*k.exten == "6003" {
            "Custom:lamp3".to_string()
        } else {
            ",CustomPresence:Ellen".to_string()
        }
    };
    let dev = from_change(
        &Change::Device {
            id: "Custom:lamp3".into(),
            state: DeviceState::Inuse,
        },
        &hint,
        None,
    )
    .unwrap();
    assert_eq!(dev.text, "Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: Custom:lamp3\r\nState: INUSE\r\n\r\n");
    let ext = from_change(
        &Change::Extension {
            key: key("6003", "internal"),
            old: ExtensionState::Idle,
            new: ExtensionState::InUse,
            repeat: false,
            call: None,
        },
        &hint,
        None,
    )
    .unwrap();
    assert_eq!(ext.text, "Event: ExtensionStatus\r\nPrivilege: call,all\r\nExten: 6003\r\nContext: internal\r\nHint: Custom:lamp3\r\nStatus: 1\r\nStatusText: InUse\r\n\r\n");
    let mut away = Presence::new(PresenceState::Away);
    away.subtype = "lunch".into();
    away.message = "Back at 2".into();
    let pres = from_change(
        &Change::ProviderPresence {
            id: "CustomPresence:Ellen".into(),
            presence: away.clone(),
        },
        &hint,
        None,
    )
    .unwrap();
    assert_eq!(pres.text, "Event: PresenceStateChange\r\nPrivilege: call,all\r\nPresentity: CustomPresence:Ellen\r\nStatus: away\r\nSubtype: lunch\r\nMessage: Back at 2\r\n\r\n");
    let hint_pres = from_change(
        &Change::Presence {
            key: key("6005", "internal"),
            old: Presence::new(PresenceState::NotSet),
            new: away,
        },
        &hint,
        Some("1700000000.000001"),
    )
    .unwrap();
    assert_eq!(hint_pres.text, "Event: PresenceStatus\r\nPrivilege: call,all\r\nTimestamp: 1700000000.000001\r\nExten: 6005\r\nContext: internal\r\nHint: ,CustomPresence:Ellen\r\nStatus: away\r\nSubtype: lunch\r\nMessage: Back at 2\r\n\r\n");
    let repeat = Change::Extension {
        key: key("6003", "internal"),
        old: ExtensionState::Ringing,
        new: ExtensionState::Ringing,
        repeat: true,
        call: None,
    };
    assert!(from_change(&repeat, &hint, None).is_none());
    assert_eq!(escape_c("a\n\"b\"?"), "a\\n\\\"b\\\"\\?");
}
