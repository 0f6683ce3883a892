//! The `application/pidf+xml` body with its RPID person and optional Digium tuple (spec §7.4),
//! and the XPIDF body sent as `application/xpidf+xml` or `application/cpim-pidf+xml` (§7.5).
//! Presence state only ever shows in the Digium tuple; everything else follows the extension
//! state alone.

use crate::sip::body::xml::{Element, Value};
use crate::sip::body::{row, BodyOptions, HintSnapshot, Slot};

const PIDF_NS: &str = "urn:ietf:params:xml:ns:pidf";
const DATA_MODEL_NS: &str = "urn:ietf:params:xml:ns:pidf:data-model";
const RPID_NS: &str = "urn:ietf:params:xml:ns:pidf:rpid";

pub(crate) fn pidf(snap: &HintSnapshot, opts: BodyOptions) -> Element {
    let row = row(snap.state, opts);
    let tuple = Element::new("tuple")
        .attr("id", snap.exten)
        .child(Element::new("status").child(Element::new("basic").text(row.basic)))
        .child(
            Element::new("contact")
                .attr("priority", "1")
                .text(Slot::RemoteUri),
        );
    let mut root = Element::new("presence")
        .attr("entity", Slot::LocalUri)
        .attr("xmlns", PIDF_NS)
        .attr("xmlns:dm", DATA_MODEL_NS)
        .attr("xmlns:rpid", RPID_NS)
        .child(Element::new("note").text(row.note))
        .child(tuple);
    if opts.digium {
        root.push(digium_tuple(snap));
    }
    let mut person = Element::new("dm:person");
    if row.on_the_phone {
        person.push(Element::new("rpid:activities").child(Element::new("rpid:on-the-phone")));
    }
    root.child(person)
}

fn digium_tuple(snap: &HintSnapshot) -> Element {
    let presence = snap.presence;
    let mut digium = Element::new("digium_presence")
        .attr("type", presence.state.as_str())
        .text(presence.message.as_str());
    if !presence.subtype.is_empty() {
        digium.push_attr("subtype", presence.subtype.as_str());
    }
    Element::new("tuple")
        .attr("id", "digium-presence")
        .child(Element::new("status").child(digium))
}

pub(crate) fn xpidf(snap: &HintSnapshot) -> Element {
    let row = row(snap.state, BodyOptions::default());
    let address = Element::new("address")
        .attr("uri", Value::slot(Slot::RemoteUri).and(";user=ip"))
        .attr("priority", "0.80000")
        .child(Element::new("status").attr("status", row.status))
        .child(Element::new("msnsubstatus").attr("substatus", row.substatus));
    Element::new("presence")
        .child(
            Element::new("presentity")
                .attr("uri", Value::slot(Slot::LocalUri).and(";method=SUBSCRIBE")),
        )
        .child(
            Element::new("atom")
                .attr("atomid", Slot::AtomId)
                .attr("id", snap.exten)
                .child(address),
        )
}
