//! NOTIFY bodies for the `presence` and `dialog` event packages (spec sip-presence.md §5, §7).
//!
//! A body is built once per change of a hint and body type as a [`Template`], whose
//! per-subscription values (local and remote URI, domain, dialog-info version, XPIDF atom id)
//! are [`Slot`]s filled in for each watcher by concatenation. The output matches Asterisk 22 byte
//! for byte (pjlib's XML printer, §7.2), except that dialstate escapes every interpolated string
//! and may add RFC 4235 dialog identifiers when it knows them.
//!
//! Architecture invariant: this module is pure. It does no IO, reads no clock and draws no
//! random numbers; the caller passes the XPIDF atom id and the dialog-info version in.

mod dialog_info;
mod presence;
pub mod rlmi;
mod template;
mod xml;

pub use template::{sanitize, Slot, Slots, Template};

use crate::sip::limits::MAX_ACCEPT;
use crate::state::{ExtensionState, Presence};

/// A NOTIFY body type of the exten-state kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyType {
    /// `application/pidf+xml` (spec §7.4).
    Pidf,
    /// `application/xpidf+xml` (spec §7.5).
    Xpidf,
    /// `application/cpim-pidf+xml`: the XPIDF body under another name (spec §7.5).
    CpimPidf,
    /// `application/dialog-info+xml` (spec §7.6).
    DialogInfo,
}

impl BodyType {
    pub const ALL: [BodyType; 4] = [
        BodyType::Pidf,
        BodyType::Xpidf,
        BodyType::CpimPidf,
        BodyType::DialogInfo,
    ];

    /// The MIME type, as sent in `Content-Type` and matched in `Accept`.
    pub fn content_type(self) -> &'static str {
        match self {
            BodyType::Pidf => "application/pidf+xml",
            BodyType::Xpidf => "application/xpidf+xml",
            BodyType::CpimPidf => "application/cpim-pidf+xml",
            BodyType::DialogInfo => "application/dialog-info+xml",
        }
    }

    /// The body type with exactly this MIME type (case-sensitive, parameters not stripped).
    pub fn from_mime(mime: &str) -> Option<BodyType> {
        BodyType::ALL
            .into_iter()
            .find(|it| it.content_type() == mime)
    }
}

/// The event packages served from hints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Package {
    /// `Event: presence`.
    Presence,
    /// `Event: dialog`.
    Dialog,
}

impl Package {
    /// The body type used when the SUBSCRIBE names none.
    pub fn default_body(self) -> BodyType {
        match self {
            Package::Presence => BodyType::Pidf,
            Package::Dialog => BodyType::DialogInfo,
        }
    }
}

/// Chooses the body type for a SUBSCRIBE from its `Accept` header values, in header order
/// (spec §5). Each value may be a comma-separated list. `multipart/related` and
/// `application/rlmi+xml` are skipped and at most 32 other values are looked at; the first one
/// naming one of the four body types wins, whichever the package (both packages take all four).
/// No value left means the package default; only unknown values mean `None` (489 Bad Event).
pub fn negotiate(package: Package, accept_values: &[&str]) -> Option<BodyType> {
    let mut it = accept_values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|mime| !mime.is_empty())
        .filter(|mime| *mime != "multipart/related" && *mime != "application/rlmi+xml")
        .take(MAX_ACCEPT)
        .peekable();
    if it.peek().is_none() {
        return Some(package.default_body());
    }
    it.find_map(BodyType::from_mime)
}

/// A caller-ID style identity carried by a channel: a number and a name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyId<'a> {
    /// The number, `None` when it is not valid.
    pub number: Option<&'a str>,
    /// The name, `None` when it is not valid.
    pub name: Option<&'a str>,
    /// The number's presentation is restricted.
    pub number_restricted: bool,
    /// The name's presentation is restricted.
    pub name_restricted: bool,
}

/// The channel that makes a hint ring (the oldest ringing one, spec §7.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ringing<'a> {
    /// The channel's caller ID: the dialog-info `local` identity.
    pub caller: PartyId<'a>,
    /// The channel's connected line: the dialog-info `remote` identity.
    pub connected: PartyId<'a>,
    /// The SIP Call-ID of the ringing call, when dialstate knows it (not in Asterisk).
    pub call_id: Option<&'a str>,
    /// The local tag of the ringing call's dialog, when known (not in Asterisk).
    pub local_tag: Option<&'a str>,
    /// The remote tag of the ringing call's dialog, when known (not in Asterisk).
    pub remote_tag: Option<&'a str>,
}

/// What a body says about one hint at one moment.
#[derive(Clone, Copy, Debug)]
pub struct HintSnapshot<'a> {
    /// The resource name: PIDF tuple id, XPIDF atom id, dialog id.
    pub exten: &'a str,
    pub state: ExtensionState,
    pub presence: &'a Presence,
    /// The ringing channel, if any; read only by dialog-info in its `early` state.
    pub ringing: Option<Ringing<'a>>,
    /// Device state detail exists (false on the outbound PUBLISH path); read only by
    /// dialog-info in its `early` state.
    pub has_device_info: bool,
}

/// Per-subscriber choices that change a body's shape. Build one template per distinct value
/// among a hint's watchers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BodyOptions {
    /// Add the Digium presence tuple to PIDF (see [`BodyOptions::is_digium_user_agent`]).
    pub digium: bool,
    /// Endpoint `notify_early_inuse_ringing`: dialog-info reports INUSE|RINGING as `early`.
    pub early_inuse_ringing: bool,
}

impl BodyOptions {
    /// Whether the initial SUBSCRIBE's `User-Agent` marks a Digium or Sangoma phone.
    pub fn is_digium_user_agent(user_agent: &str) -> bool {
        let lower = user_agent.to_ascii_lowercase();
        lower.contains("digium") || lower.contains("sangoma")
    }
}

/// Builds the body of `kind` for a hint, leaving the per-subscription values open.
pub fn build(kind: BodyType, snap: &HintSnapshot, opts: BodyOptions) -> Template {
    let root = match kind {
        BodyType::Pidf => presence::pidf(snap, opts),
        BodyType::Xpidf | BodyType::CpimPidf => presence::xpidf(snap),
        BodyType::DialogInfo => dialog_info::dialog_info(snap, opts),
    };
    let mut out = template::TemplateWriter::new();
    root.print_document(&mut out);
    out.finish(kind)
}

/// The dialog-info `<state>` of an extension state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DialogState {
    Early,
    Confirmed,
    Terminated,
}

/// One row of the state table of spec §7.1.
#[derive(Clone, Copy, Debug)]
struct Row {
    dialog: DialogState,
    /// PIDF `<basic>`.
    basic: &'static str,
    /// PIDF `<note>`.
    note: &'static str,
    /// RPID activity `on-the-phone`.
    on_the_phone: bool,
    /// XPIDF `status`.
    status: &'static str,
    /// XPIDF `substatus`.
    substatus: &'static str,
}

const READY: Row = Row {
    dialog: DialogState::Terminated,
    basic: "open",
    note: "Ready",
    on_the_phone: false,
    status: "open",
    substatus: "online",
};

const BUSY: Row = Row {
    dialog: DialogState::Confirmed,
    basic: "open",
    note: "On the phone",
    on_the_phone: true,
    status: "inuse",
    substatus: "onthephone",
};

fn row(state: ExtensionState, opts: BodyOptions) -> Row {
    match state {
        ExtensionState::InUse | ExtensionState::Busy => BUSY,
        ExtensionState::Unavailable => Row {
            dialog: DialogState::Terminated,
            basic: "closed",
            note: "Unavailable",
            on_the_phone: false,
            status: "closed",
            substatus: "offline",
        },
        ExtensionState::Ringing => Row {
            dialog: DialogState::Early,
            note: "Ringing",
            ..BUSY
        },
        ExtensionState::InUseRinging => Row {
            dialog: match opts.early_inuse_ringing {
                true => DialogState::Early,
                false => DialogState::Confirmed,
            },
            note: "Ringing",
            ..BUSY
        },
        ExtensionState::Hold => Row {
            note: "On hold",
            ..BUSY
        },
        ExtensionState::Idle
        | ExtensionState::InUseHold
        | ExtensionState::Deactivated
        | ExtensionState::Removed => READY,
    }
}

#[cfg(test)]
mod tests;
