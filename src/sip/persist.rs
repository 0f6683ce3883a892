//! What is stored of a subscription so it survives a restart (spec §10): the dialog (ids, tags,
//! route set, target), the resource, the body type, the expiry and the reserved CSeq and
//! dialog-info version, as one JSON value per subscription in the state database.

use std::net::SocketAddr;

use serde_json::{json, Value};

/// The astdb family subscriptions are stored under.
pub const FAMILY: &str = "subscription_persistence";

/// One stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: u64,
    pub endpoint: String,
    pub context: String,
    pub exten: String,
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
    pub from_hdr: String,
    pub to_hdr: String,
    pub target: String,
    pub routes: Vec<String>,
    pub event: String,
    pub body: String,
    pub digium: bool,
    pub early_inuse_ringing: bool,
    pub local_uri: String,
    pub remote_uri: String,
    pub domain: String,
    pub transport: String,
    pub dest: SocketAddr,
    pub source: SocketAddr,
    pub expires_epoch: u64,
    pub shown_epoch: u64,
    pub granted: u32,
    /// The next CSeq to use after a restart (above anything sent).
    pub cseq: u32,
    pub remote_cseq: u32,
    /// The dialog-info version to continue from after a restart (above anything sent).
    pub version: u64,
    /// A resource-list subscription (`exten` names the list; the tree is rebuilt on restore
    /// from the configuration then in force, spec §10 step 5).
    pub list: bool,
    /// Bound to a stream connection (`rewrite_contact` over TCP): deleted at start.
    pub prune_on_boot: bool,
    /// A list's resources: the dialog-info version each continues from after a restart (above
    /// anything sent), by resource name (Asterisk's `generator_data`).
    pub leaf_versions: Vec<(String, u64)>,
}

impl Record {
    pub fn to_json(&self) -> String {
        json!({
            "id": self.id, "endpoint": self.endpoint, "context": self.context, "exten": self.exten,
            "call_id": self.call_id, "local_tag": self.local_tag, "remote_tag": self.remote_tag,
            "from": self.from_hdr, "to": self.to_hdr, "target": self.target, "routes": self.routes,
            "event": self.event, "body": self.body, "digium": self.digium,
            "early_inuse_ringing": self.early_inuse_ringing, "local_uri": self.local_uri,
            "remote_uri": self.remote_uri, "domain": self.domain, "transport": self.transport,
            "dest": self.dest.to_string(), "source": self.source.to_string(),
            "expires": self.expires_epoch, "shown": self.shown_epoch, "granted": self.granted,
            "cseq": self.cseq, "remote_cseq": self.remote_cseq, "version": self.version,
            "list": self.list, "prune_on_boot": self.prune_on_boot,
            "leaf_versions": self.leaf_versions.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<String, Value>>(),
        })
        .to_string()
    }

    /// Reads a stored record; `None` for anything malformed (it is then deleted).
    pub fn from_json(text: &str) -> Option<Record> {
        let v: Value = serde_json::from_str(text).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        let b = |k: &str| v.get(k).and_then(Value::as_bool);
        Some(Record {
            id: n("id")?,
            endpoint: s("endpoint")?,
            context: s("context")?,
            exten: s("exten")?,
            call_id: s("call_id")?,
            local_tag: s("local_tag")?,
            remote_tag: s("remote_tag")?,
            from_hdr: s("from")?,
            to_hdr: s("to")?,
            target: s("target")?,
            routes: v
                .get("routes")?
                .as_array()?
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            event: s("event")?,
            body: s("body")?,
            digium: b("digium")?,
            early_inuse_ringing: b("early_inuse_ringing")?,
            local_uri: s("local_uri")?,
            remote_uri: s("remote_uri")?,
            domain: s("domain")?,
            transport: s("transport")?,
            dest: s("dest")?.parse().ok()?,
            source: s("source")?.parse().ok()?,
            expires_epoch: n("expires")?,
            shown_epoch: n("shown")?,
            granted: u32::try_from(n("granted")?).ok()?,
            cseq: u32::try_from(n("cseq")?).ok()?,
            remote_cseq: u32::try_from(n("remote_cseq")?).ok()?,
            version: n("version")?,
            list: b("list").unwrap_or(false),
            prune_on_boot: b("prune_on_boot").unwrap_or(false),
            leaf_versions: v
                .get("leaf_versions")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}
