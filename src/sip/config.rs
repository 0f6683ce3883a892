//! The `pjsip.conf` subset that governs subscriptions (spec sip-presence.md §3): `endpoint`,
//! `auth`, `aor`, `transport` and `global` objects, read through the config layer (templates,
//! includes) in Asterisk's syntax. Loading never fails: a bad value skips its object with a
//! diagnostic, the rest loads.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;

use crate::config::{Category, SourceProvider};
use crate::diag::{Diagnostics, Loaded};

mod objects;

pub use objects::{Aor, AsteriskPublication, InboundPublication, OutboundPublish, ResourceList};

/// One `type=endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub context: String,
    pub subscribe_context: String,
    pub allow_subscribe: bool,
    pub sub_min_expiry: u32,
    /// Names of `type=auth` objects for inbound authentication.
    pub auth: Vec<String>,
    pub aors: Vec<String>,
    pub notify_early_inuse_ringing: bool,
    pub rewrite_contact: bool,
}

impl Endpoint {
    fn new(name: &str) -> Endpoint {
        Endpoint {
            name: name.to_string(),
            context: "default".to_string(),
            subscribe_context: String::new(),
            allow_subscribe: true,
            sub_min_expiry: 0,
            auth: Vec::new(),
            aors: Vec::new(),
            notify_early_inuse_ringing: false,
            rewrite_contact: false,
        }
    }

    /// The context hints are looked up in: `subscribe_context`, else `context`.
    pub fn hint_context(&self) -> &str {
        if self.subscribe_context.is_empty() {
            &self.context
        } else {
            &self.subscribe_context
        }
    }
}

/// One `type=auth` with `auth_type=userpass` (or `digest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub name: String,
    pub username: String,
    pub password: String,
    pub realm: String,
    /// `supported_algorithms_uas`: the digest algorithms challenged with, in order (MD5 when
    /// empty).
    pub algorithms: Vec<String>,
}

/// Transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Udp,
    Tcp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Udp => "UDP",
            Protocol::Tcp => "TCP",
        }
    }
}

/// One `type=transport`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    pub name: String,
    pub protocol: Protocol,
    pub bind: SocketAddr,
}

/// Everything read from `pjsip.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipConfig {
    pub endpoints: HashMap<String, Endpoint>,
    pub auths: HashMap<String, Auth>,
    pub aors: HashMap<String, Aor>,
    pub transports: Vec<Transport>,
    pub resource_lists: HashMap<String, ResourceList>,
    pub inbound_publications: HashMap<String, InboundPublication>,
    pub asterisk_publications: HashMap<String, AsteriskPublication>,
    /// In file order (each runs its own PUBLISH state machine).
    pub outbound_publishes: Vec<OutboundPublish>,
    /// `[global] user_agent`: `User-Agent` of requests and `Server` of responses.
    pub user_agent: String,
    /// `[global] default_realm` (Asterisk's default: `asterisk`).
    pub default_realm: String,
}

impl Default for SipConfig {
    fn default() -> SipConfig {
        SipConfig {
            endpoints: HashMap::new(),
            auths: HashMap::new(),
            aors: HashMap::new(),
            transports: Vec::new(),
            resource_lists: HashMap::new(),
            inbound_publications: HashMap::new(),
            asterisk_publications: HashMap::new(),
            outbound_publishes: Vec::new(),
            user_agent: format!("dialstate {}", env!("CARGO_PKG_VERSION")),
            default_realm: "asterisk".to_string(),
        }
    }
}

/// Endpoint options Asterisk has that dialstate reads but does not act on (accepted silently,
/// so an existing pjsip.conf loads without noise).
const ENDPOINT_PASSIVE: &[&str] = &[
    "accountcode",
    "acl",
    "aggregate_mwi",
    "allow",
    "allow_overlap",
    "allow_transfer",
    "allow_unauthenticated_options",
    "asymmetric_rtp_codec",
    "bind_rtp_to_media_address",
    "bundle",
    "call_group",
    "callerid",
    "callerid_privacy",
    "callerid_tag",
    "codec_prefs_incoming_answer",
    "codec_prefs_incoming_offer",
    "codec_prefs_outgoing_answer",
    "codec_prefs_outgoing_offer",
    "connected_line_method",
    "contact_acl",
    "contact_deny",
    "contact_permit",
    "context",
    "cos_audio",
    "cos_video",
    "deny",
    "device_state_busy_at",
    "direct_media",
    "direct_media_glare_mitigation",
    "direct_media_method",
    "disable_direct_media_on_nat",
    "disallow",
    "dtls_auto_generate_cert",
    "dtls_ca_file",
    "dtls_ca_path",
    "dtls_cert_file",
    "dtls_cipher",
    "dtls_fingerprint",
    "dtls_private_key",
    "dtls_rekey",
    "dtls_setup",
    "dtls_verify",
    "dtmf_mode",
    "fax_detect",
    "fax_detect_timeout",
    "follow_early_media_fork",
    "force_avp",
    "force_rport",
    "from_domain",
    "from_user",
    "g726_non_standard",
    "ice_support",
    "identify_by",
    "ignore_183_without_sdp",
    "inband_progress",
    "incoming_call_offer_pref",
    "incoming_mwi_mailbox",
    "language",
    "mailboxes",
    "max_audio_streams",
    "max_video_streams",
    "media_address",
    "media_encryption",
    "media_encryption_optimistic",
    "media_use_received_transport",
    "message_context",
    "moh_passthrough",
    "moh_suggest",
    "mwi_from_user",
    "mwi_subscribe_replaces_unsolicited",
    "named_call_group",
    "named_pickup_group",
    "one_touch_recording",
    "outbound_auth",
    "outbound_proxy",
    "outgoing_call_offer_pref",
    "permit",
    "pickup_group",
    "preferred_codec_only",
    "record_off_feature",
    "record_on_feature",
    "refer_blind_progress",
    "rel100",
    "rpid_immediate",
    "rtcp_mux",
    "rtp_engine",
    "rtp_ipv6",
    "rtp_keepalive",
    "rtp_symmetric",
    "rtp_timeout",
    "rtp_timeout_hold",
    "sdp_owner",
    "sdp_session",
    "send_connected_line",
    "send_diversion",
    "send_history_info",
    "send_pai",
    "send_rpid",
    "set_var",
    "srtp_tag_32",
    "stir_shaken",
    "stir_shaken_profile",
    "suppress_q850_reason_headers",
    "t38_udptl",
    "t38_udptl_ec",
    "t38_udptl_ipv6",
    "t38_udptl_maxdatagram",
    "t38_udptl_nat",
    "timers",
    "timers_min_se",
    "timers_sess_expires",
    "tone_zone",
    "tos_audio",
    "tos_video",
    "transport",
    "trust_connected_line",
    "trust_id_inbound",
    "trust_id_outbound",
    "use_avpf",
    "use_ptime",
    "user_eq_phone",
    "voicemail_extension",
    "webrtc",
    "100rel",
    "notify_early_inuse_ringing",
    "rewrite_contact",
];
const TRANSPORT_PASSIVE: &[&str] = &[
    "async_operations",
    "ca_list_file",
    "ca_list_path",
    "cert_file",
    "cipher",
    "cos",
    "domain",
    "external_media_address",
    "external_signaling_address",
    "external_signaling_port",
    "local_net",
    "method",
    "password",
    "priv_key_file",
    "require_client_cert",
    "tos",
    "verify_client",
    "verify_server",
    "websocket_write_timeout",
    "allow_reload",
    "symmetric_transport",
    "allow_wildcard_certs",
];

/// Loads `path` (and what it includes).
pub fn load(provider: &dyn SourceProvider, path: &Path) -> Loaded<SipConfig> {
    let loaded = crate::config::load(provider, path);
    let mut diags = loaded.diagnostics;
    let value = lower(loaded.value.visible(), &mut diags);
    Loaded {
        value,
        sources: loaded.sources,
        diagnostics: diags,
    }
}

/// Loads `pjsip.conf` text (tests).
pub fn load_str(name: &str, text: &str) -> Loaded<SipConfig> {
    let provider = crate::config::MemProvider::default().with(name, text.as_bytes().to_vec());
    load(&provider, Path::new(name))
}

fn yes(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" | "t" | "1" | "on" => Some(true),
        "no" | "false" | "n" | "f" | "0" | "off" => Some(false),
        _ => None,
    }
}

fn names(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|it| !it.is_empty())
        .map(str::to_string)
        .collect()
}

fn lower<'a>(categories: impl Iterator<Item = &'a Category>, diags: &mut Diagnostics) -> SipConfig {
    let mut config = SipConfig::default();
    let mut auth_refs = Vec::new();
    for cat in categories {
        let name = cat.name.to_string();
        let Some(kind) = cat.items.iter().rev().find(|it| &*it.name == "type") else {
            diags.pjsip_no_type(cat.header, &name);
            continue;
        };
        match kind.value().trim() {
            "endpoint" => {
                for item in cat.items.iter().filter(|it| &*it.name == "auth") {
                    for auth in names(item.value()) {
                        auth_refs.push((item.line_span(), name.clone(), auth));
                    }
                }
                if let Some(ep) = endpoint(cat, &name, diags) {
                    config.endpoints.insert(name, ep);
                }
            }
            "auth" => {
                if let Some(auth) = auth(cat, &name, diags) {
                    config.auths.insert(name, auth);
                }
            }
            "aor" => {
                if let Some(aor) = objects::aor(cat, &name, diags) {
                    config.aors.insert(name, aor);
                }
            }
            "resource_list" => {
                if let Some(list) = objects::resource_list(cat, &name, diags) {
                    config.resource_lists.insert(name, list);
                }
            }
            "inbound-publication" => {
                if let Some(it) = objects::inbound_publication(cat, &name, diags) {
                    config.inbound_publications.insert(name, it);
                }
            }
            "asterisk-publication" => {
                if let Some(it) = objects::asterisk_publication(cat, &name, diags) {
                    config.asterisk_publications.insert(name, it);
                }
            }
            "outbound-publish" => {
                if let Some(it) = objects::outbound_publish(cat, &name, diags) {
                    config.outbound_publishes.push(it);
                }
            }
            "transport" => {
                if let Some(t) = transport(cat, &name, diags) {
                    config.transports.push(t);
                }
            }
            "global" => {
                for item in &cat.items {
                    match &*item.name {
                        "user_agent" => config.user_agent = item.value().trim().to_string(),
                        "default_realm" => config.default_realm = item.value().trim().to_string(),
                        _ => {}
                    }
                }
            }
            "system" | "domain_alias" | "contact" | "identify" | "registration" | "phoneprov"
            | "acl" => {}
            other => diags.pjsip_unknown_type(kind.name_span, &name, other),
        }
    }
    for (span, ep, auth) in auth_refs {
        if config.endpoints.contains_key(&ep) && !config.auths.contains_key(&auth) {
            diags.pjsip_missing_object(span, &ep, "auth", &auth);
        }
    }
    config
}

fn endpoint(cat: &Category, name: &str, diags: &mut Diagnostics) -> Option<Endpoint> {
    let mut ep = Endpoint::new(name);
    let mut ok = true;
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        let value = item.value().trim();
        let mut flag = |target: &mut bool| match yes(value) {
            Some(v) => *target = v,
            None => {
                diags.pjsip_bad_value(item.line_span(), name, &item.name, "yes or no", value);
                ok = false;
            }
        };
        match &*item.name {
            "context" => ep.context = value.to_string(),
            "subscribe_context" => ep.subscribe_context = value.to_string(),
            "allow_subscribe" => flag(&mut ep.allow_subscribe),
            "notify_early_inuse_ringing" => flag(&mut ep.notify_early_inuse_ringing),
            "rewrite_contact" => flag(&mut ep.rewrite_contact),
            "sub_min_expiry" => match value.parse() {
                Ok(v) => ep.sub_min_expiry = v,
                Err(_) => {
                    diags.pjsip_bad_value(
                        item.line_span(),
                        name,
                        &item.name,
                        "a number of seconds",
                        value,
                    );
                    ok = false;
                }
            },
            "auth" => ep.auth.extend(names(value)),
            "aors" => ep.aors.extend(names(value)),
            other if ENDPOINT_PASSIVE.contains(&other) => {}
            other => diags.pjsip_unknown_option(item.name_span, "endpoint", name, other),
        }
    }
    ok.then_some(ep)
}

fn auth(cat: &Category, name: &str, diags: &mut Diagnostics) -> Option<Auth> {
    let mut auth = Auth {
        name: name.to_string(),
        username: String::new(),
        password: String::new(),
        realm: String::new(),
        algorithms: Vec::new(),
    };
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        let value = item.value().trim();
        match &*item.name {
            "auth_type" => {
                if !matches!(value, "userpass" | "digest" | "md5") {
                    diags.pjsip_bad_value(
                        item.line_span(),
                        name,
                        "auth_type",
                        "`userpass` or `digest`",
                        value,
                    );
                    return None;
                }
            }
            "username" => auth.username = value.to_string(),
            "password" => auth.password = value.to_string(),
            "realm" => auth.realm = value.to_string(),
            "md5_cred"
            | "nonce_lifetime"
            | "refresh_token"
            | "oauth_clientid"
            | "oauth_secret"
            | "password_digest"
            | "supported_algorithms_uac" => {}
            "supported_algorithms_uas" => {
                for algorithm in names(value) {
                    if crate::sip::auth::Algorithm::from_name(&algorithm).is_none() {
                        diags.pjsip_bad_value(
                            item.line_span(),
                            name,
                            "supported_algorithms_uas",
                            "MD5, SHA-256 or SHA-512-256",
                            &algorithm,
                        );
                        return None;
                    }
                    auth.algorithms.push(algorithm);
                }
            }
            other => diags.pjsip_unknown_option(item.name_span, "auth", name, other),
        }
    }
    Some(auth)
}

fn transport(cat: &Category, name: &str, diags: &mut Diagnostics) -> Option<Transport> {
    let mut protocol = Protocol::Udp;
    let mut bind: Option<SocketAddr> = None;
    for item in cat.items.iter().filter(|it| &*it.name != "type") {
        let value = item.value().trim();
        match &*item.name {
            "protocol" => match value.to_ascii_lowercase().as_str() {
                "udp" => protocol = Protocol::Udp,
                "tcp" => protocol = Protocol::Tcp,
                _ => {
                    diags.pjsip_bad_value(
                        item.line_span(),
                        name,
                        "protocol",
                        "`udp` or `tcp` (dialstate serves no TLS or WebSocket yet)",
                        value,
                    );
                    return None;
                }
            },
            "bind" => {
                // `host`, `host:port`, `[v6]` or `[v6]:port`; no port means 5060.
                let has_port = if value.starts_with('[') {
                    value.contains("]:")
                } else {
                    value.matches(':').count() == 1
                };
                let text = if has_port {
                    value.to_string()
                } else {
                    format!("{value}:5060")
                };
                match text.parse() {
                    Ok(addr) => bind = Some(addr),
                    Err(_) => {
                        diags.pjsip_bad_value(
                            item.line_span(),
                            name,
                            "bind",
                            "an address[:port]",
                            value,
                        );
                        return None;
                    }
                }
            }
            other if TRANSPORT_PASSIVE.contains(&other) => {}
            other => diags.pjsip_unknown_option(item.name_span, "transport", name, other),
        }
    }
    Some(Transport {
        name: name.to_string(),
        protocol,
        bind: bind.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 5060))),
    })
}

#[cfg(test)]
mod tests;
