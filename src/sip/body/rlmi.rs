//! Resource-list NOTIFY bodies (RFC 4662, spec sip-presence.md §9.4 and §9.5): a
//! `multipart/related` body whose first part is the RLMI document and whose further parts carry
//! one child resource each. A child that is itself a list becomes one nested `multipart/related`
//! part with its own RLMI. The bytes match Asterisk 22 (`res_pjsip_pubsub.c` with pjproject
//! 2.17's multipart printer), except that every string put into the RLMI is escaped (spec §7.2
//! DECISION) and that a part longer than 99999 bytes gets its full length (see [`render`]).
//!
//! Architecture invariant: this module is pure. It does no IO, reads no clock and draws no
//! random numbers; the caller passes every random string (boundaries, instance ids, Content-ID
//! local parts) and the RLMI version in.
//!
//! What the caller decides (as Asterisk's `generate_list_body` does): which children a NOTIFY
//! includes (all of them for full state; for partial state only those whose body changed, and a
//! nested list only when it has such a child of its own), never render a list with no child
//! (Asterisk sends no NOTIFY then), and bump each list's own RLMI version once per rendered
//! RLMI. A nested list is rendered with full state whenever its parent is; otherwise with its own
//! `full_state` setting.

use crate::sip::body::template::{Slots, TemplateWriter};
use crate::sip::body::xml::Element;
use crate::sip::body::BodyType;

/// The MIME type of the RLMI part.
const RLMI_CONTENT_TYPE: &str = "application/rlmi+xml";

/// The RLMI namespace, the `xmlns` of the root `list` element.
const RLMI_NAMESPACE: &str = "urn:ietf:params:xml:ns:rlmi";

/// Width of the space-padded field for a part's Content-Length (pjproject 2.17 `CLEN_SPACE`).
const CLEN_WIDTH: usize = 5;

/// `active` or `terminated` (RLMI instance state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceState {
    Active,
    Terminated,
}

impl InstanceState {
    /// The value of the RLMI `instance` element's `state` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Active => "active",
            InstanceState::Terminated => "terminated",
        }
    }
}

/// One child of a list NOTIFY.
#[derive(Clone, Debug)]
pub enum Child<'a> {
    /// A leaf resource with its already rendered body (e.g. a PIDF document).
    Resource {
        /// The resource URI, e.g. `sip:alice@192.0.2.10:5060`: the list's Request-URI with the
        /// resource name as user (spec §7.3), printed with its port.
        uri: &'a str,
        /// The RLMI `<name>`: the resource name, or its display name when the list has
        /// `resource_display_name=yes` and the hint has one. Given raw; escaped here.
        name: &'a str,
        /// The RLMI instance id: 5 random lowercase letters.
        instance: &'a str,
        /// The local part of the Content-ID (5 random lowercase letters); the Content-ID is
        /// `<cid@host>` with the parent list's [`ListBody::host`].
        cid: &'a str,
        /// The instance state: `Terminated` once the resource's subscription ended.
        state: InstanceState,
        /// The body's MIME type, e.g. `application/pidf+xml`, sent without parameters.
        content_type: &'a str,
        /// The rendered body, copied as is.
        body: &'a [u8],
    },
    /// A nested list: its own RLMI and parts, printed as one multipart/related part. In the
    /// parent's RLMI it appears as a resource with the nested list's URI and name.
    List {
        list: ListBody<'a>,
        /// The RLMI instance id of the nested list in the parent's RLMI: 5 random lowercase
        /// letters.
        instance: &'a str,
        /// The local part of the nested part's Content-ID (5 random lowercase letters); the
        /// Content-ID is `<cid@host>` with the nested list's own [`ListBody::host`]. Distinct
        /// from the nested list's [`ListBody::rlmi_cid`].
        cid: &'a str,
        /// The instance state of the nested list in the parent's RLMI.
        state: InstanceState,
    },
}

/// A resource list as one NOTIFY (or nested part) renders it.
#[derive(Clone, Debug)]
pub struct ListBody<'a> {
    /// The list URI, e.g. `sip:pres_list@192.0.2.10:5060`: the Request-URI with the list name
    /// as user, printed with its port (the RLMI `list` element's `uri`).
    pub uri: &'a str,
    /// The list name (the RLMI `list` element's `<name>`, and the nested list's `<name>` in its
    /// parent's RLMI). Given raw; escaped here.
    pub name: &'a str,
    /// The host of the list's URI without port (and, for an IPv6 address, without the
    /// brackets, as pjsip stores it), used in the Content-IDs of the RLMI part and of this
    /// list's leaf children. All URIs of one subscription share the Request-URI's host.
    pub host: &'a str,
    /// The RLMI `version`: this list's own counter, starting at 0.
    pub version: u64,
    /// The RLMI `fullState`: true when every child is included.
    pub full_state: bool,
    /// The multipart boundary: 5 random lowercase letters.
    pub boundary: &'a str,
    /// The local part of the RLMI part's Content-ID: 5 random lowercase letters.
    pub rlmi_cid: &'a str,
    /// The children included in this NOTIFY, in list order.
    pub children: Vec<Child<'a>>,
}

/// The Content-Type header value for a list body with this boundary:
/// `multipart/related;type="application/rlmi+xml";boundary=<boundary>`.
pub fn content_type(boundary: &str) -> String {
    format!("multipart/related;type=\"{RLMI_CONTENT_TYPE}\";boundary={boundary}")
}

/// Appends the whole multipart body (starting with the CRLF before the first delimiter, ending
/// with the closing delimiter line) to `out`.
///
/// Every part is `CRLF --boundary CRLF`, then `Content-ID`, `Content-Type` and `Content-Length`
/// (the length right-aligned in 5 columns), a blank line and the part's body; the closing
/// delimiter is `CRLF --boundary-- CRLF`. A part longer than 99999 bytes gets all its digits
/// (pjproject 2.17 would print only the first five; Asterisk cannot send such a NOTIFY anyway,
/// its messages being limited to 65535 bytes).
pub fn render(list: &ListBody<'_>, out: &mut Vec<u8>) {
    let rlmi = rlmi_document(list);
    write_part(
        out,
        list.boundary,
        list.rlmi_cid,
        list.host,
        RLMI_CONTENT_TYPE,
        |out| out.extend_from_slice(rlmi.as_bytes()),
    );
    for child in &list.children {
        match child {
            Child::Resource {
                cid,
                content_type,
                body,
                ..
            } => write_part(out, list.boundary, cid, list.host, content_type, |out| {
                out.extend_from_slice(body)
            }),
            Child::List {
                list: nested, cid, ..
            } => write_part(
                out,
                list.boundary,
                cid,
                nested.host,
                &content_type(nested.boundary),
                |out| render(nested, out),
            ),
        }
    }
    push_all(out, &["\r\n--", list.boundary, "--\r\n"]);
}

/// The RLMI document of `list`, printed by the pjlib rules of spec §7.2.
fn rlmi_document(list: &ListBody<'_>) -> String {
    let version = list.version.to_string();
    let mut root = Element::new("list")
        .attr("xmlns", RLMI_NAMESPACE)
        .attr("uri", list.uri)
        .attr("version", version.as_str())
        .attr("fullState", if list.full_state { "true" } else { "false" })
        .child(Element::new("name").text(list.name));
    for child in &list.children {
        let (uri, name, instance, cid, host, state) = match child {
            Child::Resource {
                uri,
                name,
                instance,
                cid,
                state,
                ..
            } => (*uri, *name, *instance, *cid, list.host, *state),
            Child::List {
                list: nested,
                instance,
                cid,
                state,
            } => (
                nested.uri,
                nested.name,
                *instance,
                *cid,
                nested.host,
                *state,
            ),
        };
        let cid = format!("{cid}@{host}");
        root.push(
            Element::new("resource")
                .attr("uri", uri)
                .child(Element::new("name").text(name))
                .child(
                    Element::new("instance")
                        .attr("id", instance)
                        .attr("state", state.as_str())
                        .attr("cid", cid.as_str()),
                ),
        );
    }
    let mut writer = TemplateWriter::new();
    root.print_document(&mut writer);
    // The printer writes into a template; RLMI uses no slot, so rendering it with empty slots
    // yields exactly the printed text. The body type only labels the template and is not read.
    writer.finish(BodyType::Pidf).render(&Slots::default())
}

/// Appends one part: delimiter, the three headers, blank line and the body written by `body`,
/// then fills in the Content-Length.
fn write_part(
    out: &mut Vec<u8>,
    boundary: &str,
    cid: &str,
    host: &str,
    content_type: &str,
    body: impl FnOnce(&mut Vec<u8>),
) {
    push_all(
        out,
        &[
            "\r\n--",
            boundary,
            "\r\nContent-ID: <",
            cid,
            "@",
            host,
            ">\r\nContent-Type: ",
            content_type,
            "\r\nContent-Length: ",
        ],
    );
    let len_at = out.len();
    out.resize(len_at + CLEN_WIDTH, b' ');
    out.extend_from_slice(b"\r\n\r\n");
    let body_start = out.len();
    body(out);
    let digits = (out.len() - body_start).to_string();
    match CLEN_WIDTH.checked_sub(digits.len()) {
        Some(pad) => out[len_at + pad..len_at + CLEN_WIDTH].copy_from_slice(digits.as_bytes()),
        None => {
            out.splice(len_at..len_at + CLEN_WIDTH, digits.bytes());
        }
    }
}

fn push_all(out: &mut Vec<u8>, pieces: &[&str]) {
    for piece in pieces {
        out.extend_from_slice(piece.as_bytes());
    }
}

#[cfg(test)]
mod tests;
