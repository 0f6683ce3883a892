//! The pjsip.conf objects beyond endpoints: `aor` (the registrar's rules), `resource_list`
//! (spec sip-presence.md §9.1), `inbound-publication`, `asterisk-publication` and
//! `outbound-publish` (§11). Each reader takes one category and returns the object, or `None`
//! after a diagnostic (the rest of the file still loads, as in Asterisk).

use std::collections::BTreeMap;

use regex::Regex;

use crate::config::Category;
use crate::diag::Diagnostics;

use super::{names, yes};

/// One `type=aor` (res_pjsip location.c defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aor {
    pub name: String,
    /// How many contacts may register (0: none, the AOR only has static contacts).
    pub max_contacts: u32,
    /// A REGISTER over the limit replaces the contacts closest to expiring instead of failing.
    pub remove_existing: bool,
    pub minimum_expiration: u32,
    pub maximum_expiration: u32,
    pub default_expiration: u32,
    /// Permanent contacts (`contact=`).
    pub static_contacts: Vec<String>,
}

impl Aor {
    pub fn new(name: &str) -> Aor {
        Aor {
            name: name.to_string(),
            max_contacts: 0,
            remove_existing: false,
            minimum_expiration: 60,
            maximum_expiration: 7200,
            default_expiration: 3600,
            static_contacts: Vec::new(),
        }
    }
}

/// One `type=resource_list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceList {
    pub name: String,
    pub event: String,
    /// Items in order, duplicates dropped (Asterisk drops them at load).
    pub items: Vec<String>,
    pub full_state: bool,
    /// Milliseconds; only the root list's value is used.
    pub batch_interval_ms: u32,
    pub resource_display_name: bool,
}

/// One `type=inbound-publication`: which handler configuration serves each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPublication {
    pub name: String,
    /// When set, only this endpoint may publish here (else 403).
    pub endpoint: Option<String>,
    /// `event_<package>=<config name>`, by package.
    pub events: BTreeMap<String, String>,
}

/// One `type=asterisk-publication`: what another server may tell us, and how we answer.
#[derive(Debug, Clone)]
pub struct AsteriskPublication {
    pub name: String,
    pub device_state: bool,
    pub device_state_filter: Option<Regex>,
    /// The `outbound-publish` that sends our device states to that server (a `refresh` from
    /// it is answered through this one).
    pub devicestate_publish: Option<String>,
}

impl PartialEq for AsteriskPublication {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.device_state == other.device_state
            && self.device_state_filter.as_ref().map(Regex::as_str)
                == other.device_state_filter.as_ref().map(Regex::as_str)
            && self.devicestate_publish == other.devicestate_publish
    }
}

impl Eq for AsteriskPublication {}

/// One `type=outbound-publish`.
#[derive(Debug, Clone)]
pub struct OutboundPublish {
    pub name: String,
    pub server_uri: String,
    pub from_uri: String,
    pub to_uri: String,
    pub event: String,
    pub expiration: u32,
    pub outbound_auth: Vec<String>,
    pub max_auth_attempts: u32,
    /// `@device_state_filter` (asterisk-devicestate): only matching devices are published.
    pub device_state_filter: Option<Regex>,
    /// `@body`, `@context`, `@exten` (presence and dialog publishers of hint state).
    pub body: Option<String>,
    pub context_filter: Option<Regex>,
    pub exten_filter: Option<Regex>,
}

impl PartialEq for OutboundPublish {
    fn eq(&self, other: &Self) -> bool {
        let re = |r: &Option<Regex>| r.as_ref().map(|it| it.as_str().to_string());
        self.name == other.name
            && self.server_uri == other.server_uri
            && self.from_uri == other.from_uri
            && self.to_uri == other.to_uri
            && self.event == other.event
            && self.expiration == other.expiration
            && self.outbound_auth == other.outbound_auth
            && self.max_auth_attempts == other.max_auth_attempts
            && re(&self.device_state_filter) == re(&other.device_state_filter)
            && self.body == other.body
            && re(&self.context_filter) == re(&other.context_filter)
            && re(&self.exten_filter) == re(&other.exten_filter)
    }
}

impl Eq for OutboundPublish {}

fn number(item: &crate::config::Item, name: &str, diags: &mut Diagnostics) -> Option<u32> {
    let value = item.value().trim();
    match value.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            diags.pjsip_bad_value(item.line_span(), name, &item.name, "a number", value);
            None
        }
    }
}

fn flag(item: &crate::config::Item, name: &str, diags: &mut Diagnostics) -> Option<bool> {
    let value = item.value().trim();
    let v = yes(value);
    if v.is_none() {
        diags.pjsip_bad_value(item.line_span(), name, &item.name, "yes or no", value);
    }
    v
}

/// A POSIX extended regex as Asterisk's filters take it (every filter here is compiled
/// case-insensitive by Asterisk: `REG_ICASE`).
fn regex(
    item: &crate::config::Item,
    name: &str,
    case_insensitive: bool,
    diags: &mut Diagnostics,
) -> Option<Regex> {
    let value = item.value().trim();
    match regex::RegexBuilder::new(value)
        .case_insensitive(case_insensitive)
        .build()
    {
        Ok(re) => Some(re),
        Err(_) => {
            diags.pjsip_bad_value(
                item.line_span(),
                name,
                &item.name,
                "a regular expression",
                value,
            );
            None
        }
    }
}

pub fn aor(cat: &Category, name: &str, diags: &mut Diagnostics) -> Option<Aor> {
    let mut aor = Aor::new(name);
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        match &*item.name {
            "max_contacts" => aor.max_contacts = number(item, name, diags)?,
            "remove_existing" => aor.remove_existing = flag(item, name, diags)?,
            "minimum_expiration" => aor.minimum_expiration = number(item, name, diags)?,
            "maximum_expiration" => aor.maximum_expiration = number(item, name, diags)?,
            "default_expiration" => aor.default_expiration = number(item, name, diags)?,
            "contact" => aor.static_contacts.extend(names(item.value())),
            "authenticate_qualify"
            | "mailboxes"
            | "outbound_proxy"
            | "qualify_frequency"
            | "qualify_timeout"
            | "remove_unavailable"
            | "support_path"
            | "voicemail_extension"
            | "qualify_2xx_only" => {}
            other => diags.pjsip_unknown_option(item.name_span, "aor", name, other),
        }
    }
    Some(aor)
}

pub fn resource_list(cat: &Category, name: &str, diags: &mut Diagnostics) -> Option<ResourceList> {
    let mut list = ResourceList {
        name: name.to_string(),
        event: String::new(),
        items: Vec::new(),
        full_state: false,
        batch_interval_ms: 0,
        resource_display_name: false,
    };
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        match &*item.name {
            "event" => list.event = item.value().trim().to_string(),
            "list_item" => {
                for it in names(item.value()) {
                    if !list.items.contains(&it) {
                        list.items.push(it);
                    }
                }
            }
            "full_state" => list.full_state = flag(item, name, diags)?,
            "notification_batch_interval" => list.batch_interval_ms = number(item, name, diags)?,
            "resource_display_name" => list.resource_display_name = flag(item, name, diags)?,
            other => diags.pjsip_unknown_option(item.name_span, "resource_list", name, other),
        }
    }
    if list.event.is_empty() || list.items.is_empty() {
        let what = if list.event.is_empty() {
            "an `event`"
        } else {
            "at least one `list_item`"
        };
        diags.pjsip_bad_value(cat.header, name, "type=resource_list", what, "nothing");
        return None;
    }
    Some(list)
}

pub fn inbound_publication(
    cat: &Category,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<InboundPublication> {
    let mut publication = InboundPublication {
        name: name.to_string(),
        endpoint: None,
        events: BTreeMap::new(),
    };
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        match &*item.name {
            "endpoint" => publication.endpoint = Some(item.value().trim().to_string()),
            other => match other.strip_prefix("event_") {
                Some(event) if !event.is_empty() => {
                    publication
                        .events
                        .insert(event.to_string(), item.value().trim().to_string());
                }
                _ => diags.pjsip_unknown_option(item.name_span, "inbound-publication", name, other),
            },
        }
    }
    Some(publication)
}

pub fn asterisk_publication(
    cat: &Category,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<AsteriskPublication> {
    let mut publication = AsteriskPublication {
        name: name.to_string(),
        device_state: false,
        device_state_filter: None,
        devicestate_publish: None,
    };
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        match &*item.name {
            "device_state" => publication.device_state = flag(item, name, diags)?,
            "device_state_filter" => {
                publication.device_state_filter = Some(regex(item, name, true, diags)?)
            }
            "devicestate_publish" => {
                publication.devicestate_publish = Some(item.value().trim().to_string())
            }
            "mailbox_state" | "mailbox_state_filter" | "mailboxstate_publish" => {}
            other => {
                diags.pjsip_unknown_option(item.name_span, "asterisk-publication", name, other)
            }
        }
    }
    Some(publication)
}

pub fn outbound_publish(
    cat: &Category,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<OutboundPublish> {
    let mut publish = OutboundPublish {
        name: name.to_string(),
        server_uri: String::new(),
        from_uri: String::new(),
        to_uri: String::new(),
        event: String::new(),
        expiration: 3600,
        outbound_auth: Vec::new(),
        max_auth_attempts: 5,
        device_state_filter: None,
        body: None,
        context_filter: None,
        exten_filter: None,
    };
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        let value = item.value().trim();
        match &*item.name {
            "server_uri" => publish.server_uri = value.to_string(),
            "from_uri" => publish.from_uri = value.to_string(),
            "to_uri" => publish.to_uri = value.to_string(),
            "event" => publish.event = value.to_string(),
            "expiration" => publish.expiration = number(item, name, diags)?,
            "outbound_auth" => publish.outbound_auth = names(value),
            "max_auth_attempts" => publish.max_auth_attempts = number(item, name, diags)?,
            "@device_state_filter" => {
                publish.device_state_filter = Some(regex(item, name, true, diags)?)
            }
            "@body" => publish.body = Some(value.to_string()),
            "@context" => publish.context_filter = Some(regex(item, name, true, diags)?),
            "@exten" => publish.exten_filter = Some(regex(item, name, true, diags)?),
            "outbound_proxy" | "transport" | "multi_user" | "contact_user" => {}
            other if other.starts_with('@') => {}
            other => diags.pjsip_unknown_option(item.name_span, "outbound-publish", name, other),
        }
    }
    let missing = if publish.server_uri.is_empty() {
        Some("a `server_uri`")
    } else if publish.event.is_empty() {
        Some("an `event`")
    } else {
        None
    };
    if let Some(what) = missing {
        diags.pjsip_bad_value(cat.header, name, "type=outbound-publish", what, "nothing");
        return None;
    }
    if publish.from_uri.is_empty() {
        publish.from_uri = publish.server_uri.clone();
    }
    if publish.to_uri.is_empty() {
        publish.to_uri = publish.server_uri.clone();
    }
    Some(publish)
}
