//! The registrar (res_pjsip_registrar.c as of Asterisk 22): contacts bound to the AORs of
//! pjsip.conf, their expiry, and the CLI views `pjsip show contacts|aors|aor`. Pure: the
//! notifier parses REGISTER, authenticates and answers; this module decides what a REGISTER
//! does to an AOR, and what is stored (family `registrar/contact`, key `<aor>;@<md5 of uri>`,
//! as Asterisk keeps contacts in astdb).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::sip::config::Aor;

/// The astdb family contacts are stored under.
pub const FAMILY: &str = "registrar/contact";

/// One registered contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub aor: String,
    /// The Contact URI as printed in Contact context (no display name, no header parameters).
    pub uri: String,
    /// Wall-clock expiry in milliseconds since the epoch.
    pub expires_ms: u64,
    pub endpoint: String,
    pub user_agent: String,
    pub call_id: String,
    /// Bound over a stream transport: gone with its connection, dropped on restart.
    pub prune_on_boot: bool,
    /// Where the REGISTER came from (a stream contact ends when that connection closes).
    pub source: Option<std::net::SocketAddr>,
}

impl Contact {
    /// The object id: `<aor>;@<md5 hex of uri>` (dynamic contacts).
    pub fn id(&self) -> String {
        format!("{};@{}", self.aor, md5_hex(&self.uri))
    }

    pub fn to_json(&self) -> String {
        json!({
            "uri": self.uri, "expiration_time": (self.expires_ms / 1000).to_string(),
            "endpoint": self.endpoint, "user_agent": self.user_agent, "call_id": self.call_id,
            "prune_on_boot": if self.prune_on_boot { "yes" } else { "no" },
        })
        .to_string()
    }

    /// Reads a stored contact (key `<aor>;@<hash>`); `None` when malformed.
    pub fn from_json(key: &str, text: &str) -> Option<Contact> {
        let v: Value = serde_json::from_str(text).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let aor = key.split_once(";@")?.0.to_string();
        Some(Contact {
            aor,
            uri: s("uri")?,
            expires_ms: s("expiration_time")?.parse::<u64>().ok()? * 1000,
            endpoint: s("endpoint").unwrap_or_default(),
            user_agent: s("user_agent").unwrap_or_default(),
            call_id: s("call_id").unwrap_or_default(),
            prune_on_boot: s("prune_on_boot").as_deref() == Some("yes"),
            source: None,
        })
    }
}

/// Whether two contact URIs are the same binding, compared as RFC 3261 §19.1.4 (pjsip's
/// `pjsip_uri_cmp`) says: scheme, user and password exactly, host without regard to case, the
/// same port (or none on both), `transport`, `user`, `ttl`, `method` and `maddr` equal when
/// either has them, any other parameter equal when both have it. Unparsable text compares as is.
pub fn same_uri(a: &str, b: &str) -> bool {
    let (Ok(x), Ok(y)) = (
        crate::sip::uri::Uri::parse(a),
        crate::sip::uri::Uri::parse(b),
    ) else {
        return a == b;
    };
    if x.scheme != y.scheme
        || x.user != y.user
        || !x.host.eq_ignore_ascii_case(&y.host)
        || x.port != y.port
    {
        return false;
    }
    const STRICT: [&str; 5] = ["transport", "user", "ttl", "method", "maddr"];
    let value = |u: &crate::sip::uri::Uri, k: &str| {
        u.params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone().unwrap_or_default().to_ascii_lowercase())
    };
    let names = x
        .params
        .iter()
        .chain(y.params.iter())
        .map(|(k, _)| k.to_ascii_lowercase());
    for name in names {
        let (vx, vy) = (value(&x, &name), value(&y, &name));
        let strict = STRICT.contains(&name.as_str());
        match (vx, vy) {
            (Some(p), Some(q)) if p != q => return false,
            (Some(_), None) | (None, Some(_)) if strict => return false,
            _ => {}
        }
    }
    true
}

pub fn md5_hex(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    let mut out = String::with_capacity(32);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// One Contact of a REGISTER, with the expiry it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `Contact: *` (valid only with expiry 0).
    Star,
    Uri {
        uri: String,
        expires: Option<u32>,
    },
}

/// Why a REGISTER is refused (code and reason, as Asterisk answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
}

/// What a REGISTER changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub saved: Vec<Contact>,
    pub removed: Vec<Contact>,
}

/// The contacts of every AOR, shared with the console.
#[derive(Debug, Default)]
pub struct Registrar {
    contacts: BTreeMap<String, Vec<Contact>>,
}

/// The expiry Asterisk gives one contact (`registrar_get_expiration`): the Contact's own
/// `expires`, else the Expires header, else the AOR default; 0 stays 0, the rest is clamped to
/// the AOR's bounds (no 423 from Asterisk's registrar).
pub fn expiration(aor: &Aor, contact: Option<u32>, header: Option<u32>) -> u32 {
    match contact.or(header) {
        Some(0) => 0,
        Some(v) => v.clamp(
            aor.minimum_expiration,
            aor.maximum_expiration.max(aor.minimum_expiration),
        ),
        None => aor.default_expiration,
    }
}

impl Registrar {
    /// The live contacts of an AOR, in id (md5) order.
    pub fn contacts(&self, aor: &str) -> &[Contact] {
        self.contacts.get(aor).map_or(&[], Vec::as_slice)
    }

    /// Whether any AOR in `aors` has a contact.
    pub fn any(&self, aors: &[String]) -> bool {
        aors.iter().any(|a| !self.contacts(a).is_empty())
    }

    /// Applies one REGISTER to `aor` (`register_aor_core`): validates every binding, counts
    /// against `max_contacts` (with `remove_existing`), then adds, refreshes and removes.
    #[allow(clippy::too_many_arguments)]
    pub fn register(
        &mut self,
        aor: &Aor,
        bindings: &[Binding],
        header_expires: Option<u32>,
        endpoint: &str,
        user_agent: &str,
        call_id: &str,
        stream: Option<std::net::SocketAddr>,
        now_ms: u64,
    ) -> Result<Outcome, Refusal> {
        // Contacts whose time is up do not count (Asterisk prunes them when it reads the AOR).
        if let Some(list) = self.contacts.get_mut(&aor.name) {
            list.retain(|c| c.expires_ms > now_ms);
        }
        let bad = Refusal {
            code: 400,
            reason: "Bad Request",
        };
        let stars = bindings.iter().filter(|b| **b == Binding::Star).count();
        if stars > 0 && (bindings.len() > 1 || header_expires != Some(0)) {
            return Err(bad);
        }
        let existing = self.contacts.get(&aor.name).cloned().unwrap_or_default();
        let mut outcome = Outcome::default();
        if stars == 1 {
            outcome.removed = existing;
            self.contacts.remove(&aor.name);
            return Ok(outcome);
        }
        // Classify.
        let mut plan: Vec<(String, u32)> = Vec::new();
        let (mut added, mut updated, mut deleted) = (0u32, 0u32, 0u32);
        for b in bindings {
            let Binding::Uri { uri, expires } = b else {
                continue;
            };
            if uri.len() > 512 {
                return Err(bad);
            }
            let secs = expiration(aor, *expires, header_expires);
            let known = existing.iter().any(|c| same_uri(&c.uri, uri));
            match (known, secs) {
                (true, 0) => deleted += 1,
                (true, _) => updated += 1,
                (false, 0) => {}
                (false, _) => added += 1,
            }
            plan.push((uri.clone(), secs));
        }
        let count = if aor.remove_existing {
            (updated + added).saturating_sub(deleted)
        } else {
            (existing.len() as u32 + added).saturating_sub(deleted)
        };
        if count > aor.max_contacts {
            return Err(Refusal {
                code: 403,
                reason: "Forbidden",
            });
        }
        let mut list = existing;
        let mut touched = Vec::new();
        for (uri, secs) in plan {
            let at = list.iter().position(|c| same_uri(&c.uri, &uri));
            match (at, secs) {
                (Some(at), 0) => outcome.removed.push(list.remove(at)),
                (None, 0) => {}
                (Some(at), secs) => {
                    let c = &mut list[at];
                    c.expires_ms = now_ms + u64::from(secs) * 1000;
                    c.user_agent = user_agent.to_string();
                    outcome.saved.push(c.clone());
                    touched.push(c.uri.clone());
                }
                (None, secs) => {
                    let c = Contact {
                        aor: aor.name.clone(),
                        uri: uri.clone(),
                        expires_ms: now_ms + u64::from(secs) * 1000,
                        endpoint: endpoint.to_string(),
                        user_agent: user_agent.to_string(),
                        call_id: call_id.to_string(),
                        prune_on_boot: stream.is_some(),
                        source: stream,
                    };
                    outcome.saved.push(c.clone());
                    list.push(c);
                    touched.push(uri);
                }
            }
        }
        if aor.remove_existing {
            // Trim the contacts this REGISTER did not touch, soonest to expire first.
            while list.len() as u32 > aor.max_contacts {
                let Some((at, _)) = list
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !touched.contains(&c.uri))
                    .min_by_key(|(_, c)| c.expires_ms)
                else {
                    break;
                };
                let gone = list.remove(at);
                tracing::info!(contact = %gone.uri, aor = %aor.name, "Removed contact due to remove existing");
                outcome.removed.push(gone);
            }
        }
        list.sort_by_key(Contact::id);
        if list.is_empty() {
            self.contacts.remove(&aor.name);
        } else {
            self.contacts.insert(aor.name.clone(), list);
        }
        Ok(outcome)
    }

    /// Drops the contacts expired at `now_ms`; returns them.
    pub fn expire(&mut self, now_ms: u64) -> Vec<Contact> {
        let mut gone = Vec::new();
        self.contacts.retain(|_, list| {
            list.retain(|c| {
                let live = c.expires_ms > now_ms;
                if !live {
                    gone.push(c.clone());
                }
                live
            });
            !list.is_empty()
        });
        gone
    }

    /// Drops the contacts bound over the stream connection from `peer`; returns them.
    pub fn connection_closed(&mut self, peer: std::net::SocketAddr) -> Vec<Contact> {
        let mut gone = Vec::new();
        self.contacts.retain(|_, list| {
            list.retain(|c| {
                let keep = c.source != Some(peer);
                if !keep {
                    gone.push(c.clone());
                }
                keep
            });
            !list.is_empty()
        });
        gone
    }

    /// Whether no contact is bound (empty AORs are removed, so this is O(1)).
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Adds a stored contact back (restart).
    pub fn restore(&mut self, contact: Contact) {
        let list = self.contacts.entry(contact.aor.clone()).or_default();
        list.retain(|c| c.uri != contact.uri);
        list.push(contact);
        list.sort_by_key(Contact::id);
    }

    /// Every contact, for the console.
    pub fn all(&self) -> Vec<Contact> {
        self.contacts.values().flatten().cloned().collect()
    }
}

/// The registrar and the AOR settings, shared by the notifier (which registers) and the
/// console (which lists): one lock, no copies per REGISTER.
#[derive(Debug, Default)]
pub struct View {
    pub aors: BTreeMap<String, Aor>,
    pub registrar: Registrar,
}

pub type SharedView = Arc<Mutex<View>>;

const FILLER: &str =
    "..........................................................................................";
const RULE: &str =
    "==========================================================================================";
const LAST_TABSTOP: usize = 62;

fn indent(level: usize) -> usize {
    level * 2 + 1 + 8
}

fn contact_header(out: &mut String, level: usize) {
    let ind = indent(level);
    let fill = LAST_TABSTOP - ind - 23;
    let _ = writeln!(
        out,
        "{:>ind$}:  <Aor/ContactUri{}> <Hash....> <Status> <RTT(ms)..>",
        "Contact",
        &FILLER[..fill]
    );
}

fn contact_line(out: &mut String, level: usize, c: &Contact) {
    let ind = indent(level);
    let flex = (LAST_TABSTOP + 1).saturating_sub(ind + 9 + c.aor.len());
    let uri: String = c.uri.chars().take(flex).collect();
    let hash = md5_hex(&c.uri);
    let _ = writeln!(
        out,
        "{:>ind$}:  {}/{:<flex$} {:<10.10} {:<7.7} {:>11}",
        "Contact", c.aor, uri, hash, "NonQual", "nan"
    );
}

fn aor_header(out: &mut String) {
    let ind = indent(0);
    let fill = LAST_TABSTOP - ind - 7;
    let _ = writeln!(
        out,
        "{:>ind$}:  <Aor{}>  <MaxContact>",
        "Aor",
        &FILLER[..fill]
    );
    contact_header(out, 1);
}

fn aor_body(out: &mut String, aor: &Aor, contacts: &[Contact]) {
    let ind = indent(0);
    let flex = LAST_TABSTOP - ind - 12;
    let name: String = aor.name.chars().take(flex).collect();
    let _ = writeln!(
        out,
        "{:>ind$}:  {:<flex$} {:>12}",
        "Aor", name, aor.max_contacts
    );
    for c in contacts.iter().filter(|c| c.aor == aor.name) {
        contact_line(out, 1, c);
    }
    out.push('\n');
}

/// Every contact the console lists: the registered ones and the AORs' permanent `contact=`
/// entries (object id `<aor>@@<md5>`, after the registered `<aor>;@<md5>` ones), in id order.
fn listed(view: &View) -> Vec<Contact> {
    let mut all: Vec<(String, Contact)> = view
        .registrar
        .all()
        .into_iter()
        .map(|c| (c.id(), c))
        .collect();
    for aor in view.aors.values() {
        for uri in &aor.static_contacts {
            let c = Contact {
                aor: aor.name.clone(),
                uri: uri.clone(),
                expires_ms: 0,
                endpoint: String::new(),
                user_agent: String::new(),
                call_id: String::new(),
                prune_on_boot: false,
                source: None,
            };
            all.push((format!("{}@@{}", aor.name, md5_hex(uri)), c));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.into_iter().map(|(_, c)| c).collect()
}

/// `pjsip show contacts`.
pub fn show_contacts(view: &View) -> String {
    let mut contacts = listed(view);
    if contacts.is_empty() {
        return "No objects found.\n\n".to_string();
    }
    contacts.sort_by(|a, b| format!("{}/{}", a.aor, a.uri).cmp(&format!("{}/{}", b.aor, b.uri)));
    let mut out = String::from("\n");
    contact_header(&mut out, 0);
    out.push_str(RULE);
    out.push_str("\n\n");
    for c in &contacts {
        contact_line(&mut out, 0, c);
    }
    let _ = write!(out, "\nObjects found: {}\n\n", contacts.len());
    out
}

/// `pjsip show aors`.
pub fn show_aors(view: &View) -> String {
    if view.aors.is_empty() {
        return "No objects found.\n\n".to_string();
    }
    let mut out = String::from("\n");
    aor_header(&mut out);
    out.push_str(RULE);
    out.push_str("\n\n");
    for aor in view.aors.values() {
        aor_body(&mut out, aor, &listed(view));
    }
    let _ = write!(out, "\nObjects found: {}\n\n", view.aors.len());
    out
}

/// `pjsip show aor NAME`: the AOR, its contacts and its settings.
pub fn show_aor(view: &View, name: &str) -> String {
    let Some(aor) = view.aors.get(name) else {
        return format!("Unable to find object {name}.\n\n");
    };
    let mut out = String::from("\n");
    aor_header(&mut out);
    out.push_str(RULE);
    out.push_str("\n\n");
    aor_body(&mut out, aor, &listed(view));
    out.push('\n');
    let mut rows: Vec<(String, String)> = vec![
        ("authenticate_qualify".into(), "false".into()),
        (
            "default_expiration".into(),
            aor.default_expiration.to_string(),
        ),
        ("mailboxes".into(), String::new()),
        ("max_contacts".into(), aor.max_contacts.to_string()),
        (
            "maximum_expiration".into(),
            aor.maximum_expiration.to_string(),
        ),
        (
            "minimum_expiration".into(),
            aor.minimum_expiration.to_string(),
        ),
        ("outbound_proxy".into(), String::new()),
        ("qualify_2xx_only".into(), "false".into()),
        ("qualify_frequency".into(), "0".into()),
        ("qualify_timeout".into(), "3.000000".into()),
        ("remove_existing".into(), aor.remove_existing.to_string()),
        ("remove_unavailable".into(), "false".into()),
        ("support_path".into(), "false".into()),
        ("voicemail_extension".into(), String::new()),
    ];
    for uri in aor.static_contacts.iter().cloned().chain(
        view.registrar
            .all()
            .iter()
            .filter(|c| c.aor == aor.name)
            .map(|c| c.uri.clone()),
    ) {
        rows.push(("contact".into(), uri));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let namew = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(13);
    let valw = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(14);
    let _ = writeln!(out, " {:<namew$} : ParameterValue", "ParameterName");
    let _ = writeln!(out, " {}", "=".repeat(namew + valw + 3));
    for (k, v) in rows {
        let _ = writeln!(out, " {k:<namew$} : {v}");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
