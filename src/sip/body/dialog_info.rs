//! The `application/dialog-info+xml` body (spec §7.6): one dialog named after the extension,
//! with ringing detail in the `early` state and the `+sip.rendering` hold marker for ONHOLD.
//! dialstate adds the RFC 4235 `call-id`, `local-tag` and `remote-tag` attributes only when the
//! ringing channel carries them, so without them the output is Asterisk's.

use crate::sip::body::xml::{Element, Value};
use crate::sip::body::{row, BodyOptions, DialogState, HintSnapshot, PartyId, Ringing, Slot};
use crate::state::ExtensionState;

const DIALOG_INFO_NS: &str = "urn:ietf:params:xml:ns:dialog-info";

/// The identity shown for a connected line whose number is restricted.
const ANONYMOUS_URI: &str = "sip:anonymous@anonymous.invalid";

pub(crate) fn dialog_info(snap: &HintSnapshot, opts: BodyOptions) -> Element {
    let row = row(snap.state, opts);
    let mut dialog = Element::new("dialog").attr("id", snap.exten);
    let state = match row.dialog {
        DialogState::Early => "early",
        DialogState::Confirmed => "confirmed",
        DialogState::Terminated => "terminated",
    };
    if row.dialog == DialogState::Early {
        early_detail(&mut dialog, snap);
    }
    dialog.push(Element::new("state").text(state));
    if snap.state == ExtensionState::Hold {
        let param = Element::new("param")
            .attr("pname", "+sip.rendering")
            .attr("pvalue", "no");
        let target = Element::new("target")
            .attr("uri", Slot::LocalUri)
            .child(param);
        dialog.push(Element::new("local").child(target));
    }
    Element::new("dialog-info")
        .attr("xmlns", DIALOG_INFO_NS)
        .attr("version", Slot::Version)
        .attr("state", "full")
        .attr("entity", Slot::LocalUri)
        .child(dialog)
}

/// Adds the dialog ids, `direction` and the `remote`/`local` parties of an early dialog.
fn early_detail(dialog: &mut Element, snap: &HintSnapshot) {
    if let Some(ringing) = &snap.ringing {
        let ids = [
            ("call-id", ringing.call_id),
            ("local-tag", ringing.local_tag),
            ("remote-tag", ringing.remote_tag),
        ];
        for (name, value) in ids {
            if let Some(value) = value {
                dialog.push_attr(name, value);
            }
        }
    }
    dialog.push_attr("direction", "recipient");
    match (&snap.ringing, snap.has_device_info) {
        (Some(ringing), _) => {
            dialog.push(remote(ringing));
            dialog.push(local(ringing));
        }
        (None, true) => {
            let identity = Element::new("identity").text(Slot::LocalUri);
            let target = Element::new("target").attr("uri", Slot::LocalUri);
            dialog.push(Element::new("local").child(identity).child(target));
        }
        (None, false) => {}
    }
}

/// The connected line of the ringing channel, hidden when its presentation is restricted.
fn remote(ringing: &Ringing) -> Element {
    let party = &ringing.connected;
    let uri = match party.number_restricted {
        true => Value::text(ANONYMOUS_URI),
        false => number_uri(party),
    };
    let display = match party.name_restricted {
        true => Some("anonymous"),
        false => party.name.filter(|it| !it.is_empty()),
    };
    party_element("remote", uri.clone(), display, uri)
}

/// The caller ID of the ringing channel; its target is the watched resource itself.
fn local(ringing: &Ringing) -> Element {
    let party = &ringing.caller;
    let display = party.name.filter(|it| !it.is_empty());
    party_element(
        "local",
        number_uri(party),
        display,
        Value::slot(Slot::LocalUri),
    )
}

/// `sip:<number>@<domain>`, with `invalid` standing for a number that is not valid.
fn number_uri(party: &PartyId) -> Value {
    Value::text("sip:")
        .and(party.number.unwrap_or("invalid"))
        .and("@")
        .and_slot(Slot::Domain)
}

fn party_element(
    name: &'static str,
    identity: Value,
    display: Option<&str>,
    target: Value,
) -> Element {
    let mut identity = Element::new("identity").text(identity);
    if let Some(display) = display {
        identity.push_attr("display", display);
    }
    Element::new(name)
        .child(identity)
        .child(Element::new("target").attr("uri", target))
}
