//! Byte-exact checks of the NOTIFY bodies of spec sip-presence.md §7 and of the body type
//! negotiation of §5. Each feature goes through one `check` helper; expected bodies are string
//! literals copied from the spec's examples, and the §7.1 table is checked row by row.

use crate::sip::body::{
    build, negotiate, BodyOptions, BodyType, HintSnapshot, Package, PartyId, Ringing, Slot, Slots,
};
use crate::state::{ExtensionState, Presence, PresenceState};

const LOCAL: &str = "sip:1001@192.0.2.10:5060";
const REMOTE: &str = "sip:alice@192.0.2.20";
const DOMAIN: &str = "192.0.2.10";
const ATOM: &str = "7c1e54a0-3b1f-4a52-9d0e-2f6c1f0b8a11";

fn slots(version: u64) -> Slots<'static> {
    Slots {
        local_uri: LOCAL,
        remote_uri: REMOTE,
        domain: DOMAIN,
        version,
        atom_id: ATOM,
    }
}

fn snap<'a>(exten: &'a str, state: ExtensionState, presence: &'a Presence) -> HintSnapshot<'a> {
    HintSnapshot {
        exten,
        state,
        presence,
        ringing: None,
        has_device_info: true,
    }
}

/// Builds one template and renders it with `slots`; `expect` starts with a newline that is
/// not part of the body.
#[track_caller]
fn check(kind: BodyType, snap: &HintSnapshot, opts: BodyOptions, slots: &Slots, expect: &str) {
    let expect = expect.strip_prefix('\n').unwrap_or(expect);
    let template = build(kind, snap, opts);
    assert_eq!(template.kind(), kind);
    assert_eq!(template.content_type(), kind.content_type());
    let got = template.render(slots);
    assert!(
        got == expect,
        "body differs\n--- got\n{got}--- expected\n{expect}---"
    );
    let mut appended = b"prefix".to_vec();
    template.render_into(slots, &mut appended);
    assert_eq!(&appended[..6], b"prefix");
    assert_eq!(&appended[6..], got.as_bytes());
    assert!(template.len_hint() <= got.len());
}

#[track_caller]
fn check_negotiate(package: Package, accept: &[&str], expect: Option<&str>) {
    let got = negotiate(package, accept).map(BodyType::content_type);
    assert_eq!(got, expect, "{package:?} with Accept {accept:?}");
}

fn idle() -> Presence {
    Presence::new(PresenceState::NotSet)
}

#[test]
fn pidf_example_a_ready() {
    let presence = idle();
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Idle, &presence),
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ready</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn pidf_example_b_on_the_phone() {
    let presence = idle();
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::InUse, &presence),
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>On the phone</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <dm:person>
  <rpid:activities>
   <rpid:on-the-phone />
  </rpid:activities>
 </dm:person>
</presence>
"#,
    );
}

#[test]
fn pidf_example_c_unavailable() {
    let presence = idle();
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Unavailable, &presence),
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Unavailable</note>
 <tuple id="1001">
  <status>
   <basic>closed</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn pidf_example_d_digium_presence() {
    let presence = Presence {
        state: PresenceState::Away,
        subtype: "lunch".to_string(),
        message: "banana".to_string(),
    };
    let local = "sip:alice@192.0.2.10:5060";
    check(
        BodyType::Pidf,
        &snap("alice", ExtensionState::Idle, &presence),
        BodyOptions {
            digium: true,
            ..BodyOptions::default()
        },
        &Slots {
            local_uri: local,
            ..slots(0)
        },
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:alice@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ready</note>
 <tuple id="alice">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <tuple id="digium-presence">
  <status>
   <digium_presence type="away" subtype="lunch">banana</digium_presence>
  </status>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn pidf_digium_presence_not_set_is_empty_element() {
    let presence = idle();
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Busy, &presence),
        BodyOptions {
            digium: true,
            ..BodyOptions::default()
        },
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>On the phone</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <tuple id="digium-presence">
  <status>
   <digium_presence type="not_set" />
  </status>
 </tuple>
 <dm:person>
  <rpid:activities>
   <rpid:on-the-phone />
  </rpid:activities>
 </dm:person>
</presence>
"#,
    );
}

#[test]
fn pidf_digium_message_without_subtype() {
    let presence = Presence {
        state: PresenceState::Dnd,
        subtype: String::new(),
        message: "in a meeting".to_string(),
    };
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Idle, &presence),
        BodyOptions {
            digium: true,
            ..BodyOptions::default()
        },
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ready</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <tuple id="digium-presence">
  <status>
   <digium_presence type="dnd">in a meeting</digium_presence>
  </status>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn pidf_digium_invalid_presence_prints_bare_attribute() {
    // pjlib prints an attribute with an empty value as its bare name (spec §7.2).
    let presence = Presence::new(PresenceState::Invalid);
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Idle, &presence),
        BodyOptions {
            digium: true,
            ..BodyOptions::default()
        },
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ready</note>
 <tuple id="1001">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <tuple id="digium-presence">
  <status>
   <digium_presence type />
  </status>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn pidf_presence_without_digium_is_ignored() {
    let presence = Presence {
        state: PresenceState::Dnd,
        subtype: "x".to_string(),
        message: "y".to_string(),
    };
    check(
        BodyType::Pidf,
        &snap("1001", ExtensionState::Unavailable, &presence),
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Unavailable</note>
 <tuple id="1001">
  <status>
   <basic>closed</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn xpidf_example_inuse() {
    let presence = idle();
    for kind in [BodyType::Xpidf, BodyType::CpimPidf] {
        check(
            kind,
            &snap("1001", ExtensionState::InUse, &presence),
            BodyOptions::default(),
            &slots(0),
            r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence>
 <presentity uri="sip:1001@192.0.2.10:5060;method=SUBSCRIBE" />
 <atom atomid="7c1e54a0-3b1f-4a52-9d0e-2f6c1f0b8a11" id="1001">
  <address uri="sip:alice@192.0.2.20;user=ip" priority="0.80000">
   <status status="inuse" />
   <msnsubstatus substatus="onthephone" />
  </address>
 </atom>
</presence>
"#,
        );
    }
}

#[test]
fn dialog_info_version_0_not_inuse() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::Idle, &presence),
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001">
  <state>terminated</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_version_1_ringing_custom_device() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::Ringing, &presence),
        BodyOptions::default(),
        &slots(1),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <local>
   <identity>sip:1001@192.0.2.10:5060</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

fn carol_rings_desk() -> Ringing<'static> {
    Ringing {
        caller: PartyId {
            number: Some("1001"),
            name: Some("Desk 1001"),
            ..PartyId::default()
        },
        connected: PartyId {
            number: Some("2000"),
            name: Some("Carol"),
            ..PartyId::default()
        },
        ..Ringing::default()
    }
}

#[test]
fn dialog_info_ringing_with_channel() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(carol_rings_desk()),
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(1),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <remote>
   <identity display="Carol">sip:2000@192.0.2.10</identity>
   <target uri="sip:2000@192.0.2.10" />
  </remote>
  <local>
   <identity display="Desk 1001">sip:1001@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_ringing_with_dialog_ids() {
    let presence = idle();
    let ringing = Ringing {
        call_id: Some("a84b4c76e66710@pc33"),
        local_tag: Some("1928301774"),
        remote_tag: Some("456248"),
        ..carol_rings_desk()
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(ringing),
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(4),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="4" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" call-id="a84b4c76e66710@pc33" local-tag="1928301774" remote-tag="456248" direction="recipient">
  <remote>
   <identity display="Carol">sip:2000@192.0.2.10</identity>
   <target uri="sip:2000@192.0.2.10" />
  </remote>
  <local>
   <identity display="Desk 1001">sip:1001@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_ringing_with_call_id_only() {
    let presence = idle();
    let ringing = Ringing {
        call_id: Some("c1"),
        ..carol_rings_desk()
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(ringing),
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(0),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" call-id="c1" direction="recipient">
  <remote>
   <identity display="Carol">sip:2000@192.0.2.10</identity>
   <target uri="sip:2000@192.0.2.10" />
  </remote>
  <local>
   <identity display="Desk 1001">sip:1001@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_ringing_restricted_and_invalid_parties() {
    let presence = idle();
    let ringing = Ringing {
        caller: PartyId {
            number: None,
            name: Some(""),
            ..PartyId::default()
        },
        connected: PartyId {
            number: Some("2000"),
            name: Some("Carol"),
            number_restricted: true,
            name_restricted: true,
        },
        ..Ringing::default()
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(ringing),
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(2),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <remote>
   <identity display="anonymous">sip:anonymous@anonymous.invalid</identity>
   <target uri="sip:anonymous@anonymous.invalid" />
  </remote>
  <local>
   <identity>sip:invalid@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_ringing_connected_invalid_number_without_name() {
    let presence = idle();
    let ringing = Ringing {
        caller: PartyId {
            number: Some("1001"),
            ..PartyId::default()
        },
        connected: PartyId::default(),
        ..Ringing::default()
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(ringing),
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(2),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <remote>
   <identity>sip:invalid@192.0.2.10</identity>
   <target uri="sip:invalid@192.0.2.10" />
  </remote>
  <local>
   <identity>sip:1001@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_ringing_without_device_info() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            has_device_info: false,
            ..snap("1001", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots(7),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_version_2_confirmed() {
    let presence = idle();
    for state in [
        ExtensionState::InUse,
        ExtensionState::Busy,
        ExtensionState::InUseRinging,
    ] {
        check(
            BodyType::DialogInfo,
            &HintSnapshot {
                ringing: Some(carol_rings_desk()),
                ..snap("1001", state, &presence)
            },
            BodyOptions::default(),
            &slots(2),
            r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001">
  <state>confirmed</state>
 </dialog>
</dialog-info>
"#,
        );
    }
}

#[test]
fn dialog_info_version_3_on_hold() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::Hold, &presence),
        BodyOptions::default(),
        &slots(3),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001">
  <state>confirmed</state>
  <local>
   <target uri="sip:1001@192.0.2.10:5060">
    <param pname="+sip.rendering" pvalue="no" />
   </target>
  </local>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_early_inuse_ringing_option() {
    let presence = idle();
    let opts = BodyOptions {
        early_inuse_ringing: true,
        ..BodyOptions::default()
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(carol_rings_desk()),
            ..snap("1001", ExtensionState::InUseRinging, &presence)
        },
        opts,
        &slots(5),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="5" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001" direction="recipient">
  <remote>
   <identity display="Carol">sip:2000@192.0.2.10</identity>
   <target uri="sip:2000@192.0.2.10" />
  </remote>
  <local>
   <identity display="Desk 1001">sip:1001@192.0.2.10</identity>
   <target uri="sip:1001@192.0.2.10:5060" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
    // The option changes nothing for plain INUSE.
    check(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::InUse, &presence),
        opts,
        &slots(5),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="5" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001">
  <state>confirmed</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn dialog_info_largest_version() {
    let presence = idle();
    check(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::Unavailable, &presence),
        BodyOptions::default(),
        &slots(u64::MAX),
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="18446744073709551615" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001">
  <state>terminated</state>
 </dialog>
</dialog-info>
"#,
    );
}

/// One row of the spec §7.1 table, transcribed.
struct Row {
    state: ExtensionState,
    dialog: &'static str,
    basic: &'static str,
    note: &'static str,
    on_the_phone: bool,
    status: &'static str,
    substatus: &'static str,
}

const fn row(
    state: ExtensionState,
    dialog: &'static str,
    basic: &'static str,
    note: &'static str,
    on_the_phone: bool,
    status: &'static str,
    substatus: &'static str,
) -> Row {
    Row {
        state,
        dialog,
        basic,
        note,
        on_the_phone,
        status,
        substatus,
    }
}

#[rustfmt::skip]
const TABLE: [Row; 10] = {
    use ExtensionState::*;
    [
        row(Idle,         "terminated", "open",   "Ready",        false, "open",   "online"),
        row(InUseHold,    "terminated", "open",   "Ready",        false, "open",   "online"),
        row(Deactivated,  "terminated", "open",   "Ready",        false, "open",   "online"),
        row(Removed,      "terminated", "open",   "Ready",        false, "open",   "online"),
        row(InUse,        "confirmed",  "open",   "On the phone", true,  "inuse",  "onthephone"),
        row(Busy,         "confirmed",  "open",   "On the phone", true,  "inuse",  "onthephone"),
        row(Unavailable,  "terminated", "closed", "Unavailable",  false, "closed", "offline"),
        row(Ringing,      "early",      "open",   "Ringing",      true,  "inuse",  "onthephone"),
        row(InUseRinging, "confirmed",  "open",   "Ringing",      true,  "inuse",  "onthephone"),
        row(Hold,         "confirmed",  "open",   "On hold",      true,  "inuse",  "onthephone"),
    ]
};

#[test]
fn state_table_pidf() {
    let presence = idle();
    for row in &TABLE {
        let person = match row.on_the_phone {
            true => " <dm:person>\n  <rpid:activities>\n   <rpid:on-the-phone />\n  </rpid:activities>\n </dm:person>\n",
            false => " <dm:person />\n",
        };
        let expect = format!(
            r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:1001@192.0.2.10:5060" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>{}</note>
 <tuple id="1001">
  <status>
   <basic>{}</basic>
  </status>
  <contact priority="1">sip:alice@192.0.2.20</contact>
 </tuple>
{person}</presence>
"#,
            row.note, row.basic
        );
        check(
            BodyType::Pidf,
            &snap("1001", row.state, &presence),
            BodyOptions::default(),
            &slots(0),
            &expect,
        );
    }
}

#[test]
fn state_table_xpidf_and_cpim_pidf() {
    let presence = idle();
    for kind in [BodyType::Xpidf, BodyType::CpimPidf] {
        for row in &TABLE {
            let expect = format!(
                r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence>
 <presentity uri="sip:1001@192.0.2.10:5060;method=SUBSCRIBE" />
 <atom atomid="7c1e54a0-3b1f-4a52-9d0e-2f6c1f0b8a11" id="1001">
  <address uri="sip:alice@192.0.2.20;user=ip" priority="0.80000">
   <status status="{}" />
   <msnsubstatus substatus="{}" />
  </address>
 </atom>
</presence>
"#,
                row.status, row.substatus
            );
            check(
                kind,
                &snap("1001", row.state, &presence),
                BodyOptions::default(),
                &slots(0),
                &expect,
            );
        }
    }
}

#[test]
fn state_table_dialog_info() {
    let presence = idle();
    for row in &TABLE {
        let (direction, detail) = match row.dialog {
            "early" => (
                " direction=\"recipient\"",
                "  <local>\n   <identity>sip:1001@192.0.2.10:5060</identity>\n   <target uri=\"sip:1001@192.0.2.10:5060\" />\n  </local>\n",
            ),
            _ => ("", ""),
        };
        let hold = match row.state {
            ExtensionState::Hold => "  <local>\n   <target uri=\"sip:1001@192.0.2.10:5060\">\n    <param pname=\"+sip.rendering\" pvalue=\"no\" />\n   </target>\n  </local>\n",
            _ => "",
        };
        let expect = format!(
            r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="9" state="full" entity="sip:1001@192.0.2.10:5060">
 <dialog id="1001"{direction}>
{detail}  <state>{}</state>
{hold} </dialog>
</dialog-info>
"#,
            row.dialog
        );
        check(
            BodyType::DialogInfo,
            &snap("1001", row.state, &presence),
            BodyOptions::default(),
            &slots(9),
            &expect,
        );
    }
}

#[test]
fn escapes_interpolated_strings() {
    let presence = Presence {
        state: PresenceState::Away,
        subtype: "<\"sub\">".to_string(),
        message: "gone & back\r\nsoon 'ish'".to_string(),
    };
    let slots = Slots {
        local_uri: "sip:a'b@h",
        remote_uri: "sip:\"x\"<y>&z@h",
        ..slots(0)
    };
    check(
        BodyType::Pidf,
        &snap("x<&\"'\r\n", ExtensionState::Idle, &presence),
        BodyOptions {
            digium: true,
            ..BodyOptions::default()
        },
        &slots,
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence entity="sip:a&apos;b@h" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">
 <note>Ready</note>
 <tuple id="x&lt;&amp;&quot;&apos;&#13;&#10;">
  <status>
   <basic>open</basic>
  </status>
  <contact priority="1">sip:&quot;x&quot;&lt;y&gt;&amp;z@h</contact>
 </tuple>
 <tuple id="digium-presence">
  <status>
   <digium_presence type="away" subtype="&lt;&quot;sub&quot;&gt;">gone &amp; back&#13;&#10;soon &apos;ish&apos;</digium_presence>
  </status>
 </tuple>
 <dm:person />
</presence>
"#,
    );
}

#[test]
fn escapes_xpidf_slots_and_exten() {
    let presence = idle();
    let slots = Slots {
        local_uri: "sip:<l>@h",
        remote_uri: "sip:r&@h",
        atom_id: "a\"b",
        ..slots(0)
    };
    check(
        BodyType::Xpidf,
        &snap("é&1", ExtensionState::Idle, &presence),
        BodyOptions::default(),
        &slots,
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<presence>
 <presentity uri="sip:&lt;l&gt;@h;method=SUBSCRIBE" />
 <atom atomid="a&quot;b" id="é&amp;1">
  <address uri="sip:r&amp;@h;user=ip" priority="0.80000">
   <status status="open" />
   <msnsubstatus substatus="online" />
  </address>
 </atom>
</presence>
"#,
    );
}

#[test]
fn escapes_dialog_info_parties_and_domain() {
    let presence = idle();
    let ringing = Ringing {
        caller: PartyId {
            number: Some("1<2"),
            name: Some("O'Neil\n"),
            ..PartyId::default()
        },
        connected: PartyId {
            number: Some("&"),
            name: Some("\"Carol\""),
            ..PartyId::default()
        },
        call_id: Some("id<1>"),
        local_tag: Some("l&"),
        remote_tag: Some("r'"),
    };
    let slots = Slots {
        local_uri: "sip:1001@h>",
        domain: "d\r",
        ..slots(0)
    };
    check(
        BodyType::DialogInfo,
        &HintSnapshot {
            ringing: Some(ringing),
            ..snap("10\"01", ExtensionState::Ringing, &presence)
        },
        BodyOptions::default(),
        &slots,
        r#"
<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1001@h&gt;">
 <dialog id="10&quot;01" call-id="id&lt;1&gt;" local-tag="l&amp;" remote-tag="r&apos;" direction="recipient">
  <remote>
   <identity display="&quot;Carol&quot;">sip:&amp;@d&#13;</identity>
   <target uri="sip:&amp;@d&#13;" />
  </remote>
  <local>
   <identity display="O&apos;Neil&#10;">sip:1&lt;2@d&#13;</identity>
   <target uri="sip:1001@h&gt;" />
  </local>
  <state>early</state>
 </dialog>
</dialog-info>
"#,
    );
}

#[test]
fn template_is_rendered_per_subscriber() {
    let presence = idle();
    let template = build(
        BodyType::DialogInfo,
        &snap("1001", ExtensionState::InUse, &presence),
        BodyOptions::default(),
    );
    assert!(template.uses(Slot::Version));
    assert!(template.uses(Slot::LocalUri));
    assert!(!template.uses(Slot::AtomId));
    let first = template.render(&slots(0));
    let second = template.render(&Slots {
        local_uri: "sip:1001@198.51.100.1",
        ..slots(12)
    });
    assert!(first.contains(r#"version="0" state="full" entity="sip:1001@192.0.2.10:5060""#));
    assert!(second.contains(r#"version="12" state="full" entity="sip:1001@198.51.100.1""#));

    let xpidf = build(
        BodyType::Xpidf,
        &snap("1001", ExtensionState::InUse, &presence),
        BodyOptions::default(),
    );
    assert!(xpidf.uses(Slot::AtomId));
    assert!(!xpidf.uses(Slot::Version));
    assert!(!xpidf.uses(Slot::Domain));
}

#[test]
fn body_type_names() {
    for kind in BodyType::ALL {
        assert_eq!(BodyType::from_mime(kind.content_type()), Some(kind));
    }
    assert_eq!(BodyType::from_mime("Application/PIDF+xml"), None);
    assert_eq!(BodyType::from_mime("application/pidf+xml;q=1"), None);
    assert_eq!(
        BodyType::from_mime("application/simple-message-summary"),
        None
    );
    assert_eq!(Package::Presence.default_body(), BodyType::Pidf);
    assert_eq!(Package::Dialog.default_body(), BodyType::DialogInfo);
}

#[test]
fn digium_user_agents() {
    assert!(BodyOptions::is_digium_user_agent("Digium D40 1_4_1"));
    assert!(BodyOptions::is_digium_user_agent("SANGOMA P310"));
    assert!(!BodyOptions::is_digium_user_agent("Polycom VVX"));
    assert!(!BodyOptions::is_digium_user_agent(""));
}

#[test]
fn negotiate_without_accept_uses_package_default() {
    check_negotiate(Package::Presence, &[], Some("application/pidf+xml"));
    check_negotiate(Package::Dialog, &[], Some("application/dialog-info+xml"));
    check_negotiate(Package::Presence, &[""], Some("application/pidf+xml"));
}

#[test]
fn negotiate_first_known_value_wins() {
    check_negotiate(
        Package::Presence,
        &["application/xpidf+xml", "application/pidf+xml"],
        Some("application/xpidf+xml"),
    );
    check_negotiate(
        Package::Presence,
        &["text/plain", "application/cpim-pidf+xml"],
        Some("application/cpim-pidf+xml"),
    );
}

#[test]
fn negotiate_crosses_packages_within_exten_state_kind() {
    check_negotiate(
        Package::Dialog,
        &["application/pidf+xml"],
        Some("application/pidf+xml"),
    );
    check_negotiate(
        Package::Presence,
        &["application/dialog-info+xml"],
        Some("application/dialog-info+xml"),
    );
}

#[test]
fn negotiate_unknown_only_is_none() {
    check_negotiate(
        Package::Presence,
        &["application/simple-message-summary"],
        None,
    );
    check_negotiate(Package::Dialog, &["text/plain", "application/sdp"], None);
    // Case and parameters matter.
    check_negotiate(Package::Presence, &["APPLICATION/PIDF+XML"], None);
    check_negotiate(Package::Presence, &["application/pidf+xml;q=0.5"], None);
}

#[test]
fn negotiate_skips_list_types() {
    check_negotiate(
        Package::Presence,
        &["multipart/related", "application/rlmi+xml"],
        Some("application/pidf+xml"),
    );
    check_negotiate(
        Package::Presence,
        &[
            "multipart/related",
            "application/rlmi+xml",
            "application/xpidf+xml",
        ],
        Some("application/xpidf+xml"),
    );
    check_negotiate(Package::Dialog, &["multipart/related, text/plain"], None);
}

#[test]
fn negotiate_splits_comma_lists() {
    check_negotiate(
        Package::Presence,
        &["multipart/related,application/rlmi+xml, application/dialog-info+xml ,application/pidf+xml"],
        Some("application/dialog-info+xml"),
    );
    check_negotiate(
        Package::Dialog,
        &["text/plain, text/html", "application/xpidf+xml"],
        Some("application/xpidf+xml"),
    );
}

#[test]
fn negotiate_looks_at_32_values() {
    let unknown = vec!["text/plain"; 31];
    let mut accept = unknown.clone();
    accept.push("application/xpidf+xml");
    check_negotiate(Package::Presence, &accept, Some("application/xpidf+xml"));
    let mut accept = unknown.clone();
    accept.push("text/plain");
    accept.push("application/xpidf+xml");
    check_negotiate(Package::Presence, &accept, None);
    // Skipped list types do not count.
    let mut accept = vec!["multipart/related"; 40];
    accept.extend(&unknown);
    accept.push("application/xpidf+xml");
    check_negotiate(Package::Presence, &accept, Some("application/xpidf+xml"));
}
