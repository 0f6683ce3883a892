//! A rendered body with holes: literal text plus the per-subscription values (slots) that are
//! filled in for each watcher. A template is built once per change of a hint and rendered for
//! every subscriber by plain concatenation, so no XML work happens per watcher. Slot values are
//! escaped here, at render time, with the same mapping as every other interpolated string.

use std::borrow::Cow;
use std::ops::Range;

use crate::sip::body::BodyType;

/// A per-subscription value that a template leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The local URI: the SUBSCRIBE Request-URI with the resource as user (spec §7.3).
    LocalUri,
    /// The remote URI: the subscriber's `From` URI printed without port (spec §7.3).
    RemoteUri,
    /// The host of the SUBSCRIBE `To` URI, used in dialog-info identities (spec §7.3).
    Domain,
    /// The dialog-info `version` counter of this subscription and resource.
    Version,
    /// The XPIDF `atomid`, a fresh unique id chosen by the caller.
    AtomId,
}

/// The values of the slots for one subscriber. They are given raw; rendering escapes them.
///
/// A template only reads the slots its body type uses, so unused fields may stay empty. Slot
/// values are expected to be non-empty where they are used: an empty value is printed as an empty
/// string and does not turn its element into an empty one the way literal text would.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slots<'a> {
    pub local_uri: &'a str,
    pub remote_uri: &'a str,
    pub domain: &'a str,
    pub version: u64,
    pub atom_id: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(Range<usize>),
    Slot(Slot),
}

/// A NOTIFY body with its per-subscription values left open; see [`crate::sip::body::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    kind: BodyType,
    text: String,
    pieces: Vec<Piece>,
}

impl Template {
    /// The body type this template renders.
    pub fn kind(&self) -> BodyType {
        self.kind
    }

    /// The `Content-Type` to send with the rendered body.
    pub fn content_type(&self) -> &'static str {
        self.kind.content_type()
    }

    /// Whether the template contains `slot` (dialog-info uses `Version`, XPIDF uses `AtomId`).
    pub fn uses(&self, slot: Slot) -> bool {
        self.pieces.contains(&Piece::Slot(slot))
    }

    /// The number of literal bytes; a rendered body is at least this long.
    pub fn len_hint(&self) -> usize {
        self.text.len()
    }

    /// Appends the body for one subscriber to `out`.
    pub fn render_into(&self, slots: &Slots, out: &mut Vec<u8>) {
        let n_slot_bytes: usize = self
            .pieces
            .iter()
            .map(|it| match it {
                Piece::Text(_) => 0,
                Piece::Slot(slot) => slot_text(slots, *slot).map_or(20, str::len),
            })
            .sum();
        out.reserve(self.text.len() + n_slot_bytes);
        for piece in &self.pieces {
            match piece {
                Piece::Text(range) => out.extend_from_slice(&self.text.as_bytes()[range.clone()]),
                Piece::Slot(Slot::Version) => push_decimal(out, slots.version),
                Piece::Slot(slot) => {
                    let text = slot_text(slots, *slot).unwrap_or_default();
                    out.extend_from_slice(sanitize(text).as_bytes());
                }
            }
        }
    }

    /// The body for one subscriber as a string.
    pub fn render(&self, slots: &Slots) -> String {
        let mut out = Vec::new();
        self.render_into(slots, &mut out);
        match String::from_utf8(out) {
            Ok(it) => it,
            Err(_) => unreachable!("invariant: literals and slot values are UTF-8"),
        }
    }
}

fn slot_text<'a>(slots: &Slots<'a>, slot: Slot) -> Option<&'a str> {
    match slot {
        Slot::LocalUri => Some(slots.local_uri),
        Slot::RemoteUri => Some(slots.remote_uri),
        Slot::Domain => Some(slots.domain),
        Slot::AtomId => Some(slots.atom_id),
        Slot::Version => None,
    }
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut idx = digits.len();
    loop {
        idx -= 1;
        digits[idx] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[idx..]);
}

/// Escapes text for an XML body with the mapping of spec §7.2: `<`, `>`, `"`, `&` and `'`
/// become entities, CR and LF become `&#13;` and `&#10;`; everything else is kept. Text that
/// needs no escaping is returned borrowed.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let first = match text.bytes().position(|b| entity(b).is_some()) {
        Some(idx) => idx,
        None => return Cow::Borrowed(text),
    };
    let mut res = String::with_capacity(text.len() + 8);
    res.push_str(&text[..first]);
    for ch in text[first..].chars() {
        let entity = match u8::try_from(ch) {
            Ok(b) => entity(b),
            Err(_) => None,
        };
        match entity {
            Some(it) => res.push_str(it),
            None => res.push(ch),
        }
    }
    Cow::Owned(res)
}

fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'&' => Some("&amp;"),
        b'\'' => Some("&apos;"),
        b'\r' => Some("&#13;"),
        b'\n' => Some("&#10;"),
        _ => None,
    }
}

/// Collects literal text and slots into a [`Template`]; literal text is given already escaped.
#[derive(Debug)]
pub(crate) struct TemplateWriter {
    text: String,
    pieces: Vec<Piece>,
    run_start: usize,
}

impl TemplateWriter {
    pub(crate) fn new() -> TemplateWriter {
        TemplateWriter {
            text: String::new(),
            pieces: Vec::new(),
            run_start: 0,
        }
    }

    /// Appends literal text as is.
    pub(crate) fn raw(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a slot, closing the current run of literal text.
    pub(crate) fn slot(&mut self, slot: Slot) {
        self.close_run();
        self.pieces.push(Piece::Slot(slot));
    }

    pub(crate) fn finish(mut self, kind: BodyType) -> Template {
        self.close_run();
        Template {
            kind,
            text: self.text,
            pieces: self.pieces,
        }
    }

    fn close_run(&mut self) {
        if self.run_start < self.text.len() {
            self.pieces
                .push(Piece::Text(self.run_start..self.text.len()));
        }
        self.run_start = self.text.len();
    }
}
