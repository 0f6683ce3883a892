//! The notifier: everything the SIP server decides, as a synchronous state machine. Datagrams
//! and stream messages come in, state changes come in, timers fire; responses and NOTIFYs go
//! out as bytes. No sockets, no clock: the caller passes `Now` and sends what `Outbound` says,
//! so the whole SIP behaviour is testable in memory and over loopback alike.
//!
//! Check order, response codes and header layout follow spec sip-presence.md §§4–7 (Asterisk 22
//! with res_pjsip); where dialstate does better than Asterisk (Min-Expires on 423, Allow-Events
//! on 489, 400 to malformed requests, `reason=timeout` on expiry) README says so.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexSet;
use rustc_hash::FxHashMap;

use crate::sip::auth::{Authenticator, Credentials, Verdict};
use crate::sip::body::{self, BodyOptions, BodyType, HintSnapshot, Package, Slots, Template};
use crate::sip::config::{Endpoint, Protocol, SipConfig};
use crate::sip::limits;
use crate::sip::message::{Builder, Message, Start, Via};
use crate::sip::persist::Record;
use crate::sip::uri::{NameAddr, Uri};
use crate::state::{Change, ExtensionState, HintKey, Presence, RingingCall};

mod inbound_publish;
mod lists;
mod outbound_publish;
mod register;

/// The time, twice: monotonic for timers, wall-clock seconds for what is persisted.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub mono: Instant,
    pub epoch: u64,
}

/// One listening transport, as advertised in Via and Contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTransport {
    pub protocol: Protocol,
    pub addr: SocketAddr,
}

/// Bytes that arrived.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    /// Index into the notifier's transports.
    pub transport: usize,
    pub peer: SocketAddr,
    pub bytes: &'a [u8],
}

/// Bytes to send: over `transport` to `peer` (on TCP, over the connection with that peer,
/// opened if needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub transport: usize,
    pub peer: SocketAddr,
    /// Shared with the retransmission state, so a NOTIFY is never copied.
    pub bytes: Arc<Vec<u8>>,
}

/// What the notifier needs to know about a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HintState {
    pub state: ExtensionState,
    pub presence: Presence,
    /// Whether the hint names devices (dialog-info then carries a `local` part when ringing).
    pub has_devices: bool,
    /// The channel ringing one of the hint's devices, when known (dialog-info shows it).
    pub ringing: Option<Arc<RingingCall>>,
}

/// The PBX as the notifier sees it: hint lookup and watcher counting. Implemented by the
/// process over the real PBX, and by tests over a table.
pub trait Hints: Send {
    /// The hint for `exten` in `context` (includes and patterns honoured) and its state, counting
    /// one more watcher on it; `None` when there is none.
    fn subscribe(&mut self, context: &str, exten: &str) -> Option<(HintKey, HintState)>;
    /// One watcher fewer on `key`.
    fn release(&mut self, key: &HintKey);
    /// Announces this server's state of a device (`PJSIP/<endpoint>` from registrations).
    fn set_device(&mut self, _device: &str, _state: crate::state::DeviceState) {}
    /// Announces another server's state of a device (inbound `asterisk-devicestate`).
    fn set_remote_device(
        &mut self,
        _device: &str,
        _eid: crate::state::Eid,
        _state: crate::state::DeviceState,
    ) {
    }
    /// This server's own state of every device that announced one (published to a peer).
    fn local_devices(&mut self) -> Vec<(String, crate::state::DeviceState)> {
        Vec::new()
    }
    /// Forgets what another server announced (its publication ended).
    fn forget_remote(&mut self, _eid: crate::state::Eid) {}
    /// A hint's current state without counting a watcher (hint-state PUBLISH).
    fn peek(&mut self, _key: &HintKey) -> Option<HintState> {
        None
    }
    /// Every hint (hint-state PUBLISH sends each matching one at start).
    fn all_hints(&mut self) -> Vec<HintKey> {
        Vec::new()
    }
    /// The display name of a hint (`exten => 100,hint,PJSIP/a(Alice)` → `Alice`).
    fn display_name(&mut self, _key: &HintKey) -> Option<String> {
        None
    }
}

/// Where subscriptions are kept across restarts (the state database's writer thread).
pub trait Persist: Send {
    fn save(&mut self, id: &str, record: &str);
    fn delete(&mut self, id: &str);
    /// Stores a value in another family (registrar contacts).
    fn save_in(&mut self, _family: &str, _key: &str, _value: &str) {}
    fn delete_in(&mut self, _family: &str, _key: &str) {}
}

/// A persist that keeps nothing.
#[derive(Debug, Default)]
pub struct NoPersist;

impl Persist for NoPersist {
    fn save(&mut self, _: &str, _: &str) {}
    fn delete(&mut self, _: &str) {}
}

/// Counters for logs, the bench and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub notifies_sent: u64,
    pub notifies_answered: u64,
    pub notifies_failed: u64,
    pub retransmissions: u64,
    pub dropped: u64,
}

/// One row of `pjsip show subscriptions inbound`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRow {
    pub endpoint: Arc<str>,
    pub resource: Arc<str>,
    pub event: Arc<str>,
    pub call_id: Arc<str>,
    /// Now + the raw Expires asked for, in epoch seconds (Asterisk shows this, not the grant).
    pub shown_epoch: u64,
}

/// The subscriptions as the console sees them, shared with the notifier (which updates it on
/// subscribe, refresh and end) so listing never waits for the SIP task.
pub type InboundTable = Arc<std::sync::Mutex<std::collections::BTreeMap<u64, InboundRow>>>;

/// `pjsip show subscriptions inbound` as Asterisk prints it (res_pjsip_pubsub.c), in creation
/// order.
pub fn render_inbound(table: &InboundTable, now_epoch: u64) -> String {
    let mut out = String::new();
    out.push_str("Endpoint: <Endpoint/Caller-ID.............................................>\n");
    out.push_str("Resource: <Resource/Event.................................................>\n");
    out.push_str("  Expiry: <Expiry>  <Call-id..............................................>\n");
    out.push_str(&"=".repeat(75));
    out.push_str("\n\n");
    let rows = match table.lock() {
        Ok(rows) => rows.values().cloned().collect::<Vec<_>>(),
        Err(poisoned) => poisoned.into_inner().values().cloned().collect(),
    };
    for row in &rows {
        let left = row.shown_epoch.saturating_sub(now_epoch);
        let _ = write!(
            out,
            "Endpoint: {}/<none>\nResource: {}/{}\n  Expiry: {:>8}  {}\n\n",
            row.endpoint, row.resource, row.event, left, row.call_id
        );
    }
    let _ = writeln!(out, "{} active subscriptions", rows.len());
    out
}

/// Why a subscription ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// `Expires: 0` from the subscriber: `terminated`, as Asterisk.
    Unsubscribed,
    /// The hint went away: `terminated`, as Asterisk.
    HintGone,
    /// No refresh in time: `terminated;reason=timeout` (RFC 6665; Asterisk sends no reason).
    Timeout,
}

impl End {
    fn header(self) -> &'static str {
        match self {
            End::Unsubscribed | End::HintGone => "terminated",
            End::Timeout => "terminated;reason=timeout",
        }
    }
}

#[derive(Debug)]
struct Subscription {
    id: u64,
    endpoint: Arc<str>,
    key: HintKey,
    context: Box<str>,
    exten: Arc<str>,
    call_id: Arc<str>,
    local_tag: Box<str>,
    remote_tag: Box<str>,
    /// Our From (their To, reprinted) without tag; their To (their From, reprinted) without tag.
    from_hdr: Box<str>,
    to_hdr: Box<str>,
    /// Request URI of our NOTIFYs (their Contact).
    target: Box<str>,
    routes: Vec<Box<str>>,
    event: Arc<str>,
    kind: BodyType,
    opts: BodyOptions,
    local_uri: Box<str>,
    remote_uri: Box<str>,
    domain: Box<str>,
    transport: usize,
    dest: SocketAddr,
    source: SocketAddr,
    expires_at: Instant,
    expires_epoch: u64,
    /// What `pjsip show subscriptions` shows: now + the raw Expires asked for (Asterisk's quirk).
    shown_epoch: u64,
    granted: u32,
    cseq: u32,
    cseq_reserved: u32,
    remote_cseq: u32,
    /// dialog-info version of the last generated body (`None` before the first).
    version: Option<u64>,
    version_reserved: u64,
    atom_id: Box<str>,
    /// The template of the last NOTIFY (Asterisk's cached body, resent on refresh).
    sent: Option<Arc<Template>>,
    in_flight: bool,
    dirty: bool,
    /// Waiting in `fanout`.
    queued: bool,
    generation: u32,
    /// A resource-list subscription: its tree (the leaves' hints are its keys).
    list: Option<Box<lists::ListSub>>,
    /// Over a stream transport with `rewrite_contact`: ends with its connection and is not
    /// restored after a restart (spec §6.9, §10).
    prune_on_boot: bool,
    /// The `host:port` of a Contact or Record-Route given by name, while `dest` is the packet
    /// source waiting for its resolution.
    dest_name: Option<Box<str>>,
}

struct HintEntry {
    state: HintState,
    subs: IndexSet<u64>,
    templates: Vec<((BodyType, BodyOptions), Arc<Template>)>,
}

struct Pending {
    sub: u64,
    /// What to retransmit (UDP); `None` on stream transports.
    bytes: Option<Arc<Vec<u8>>>,
    transport: usize,
    dest: SocketAddr,
    interval: Duration,
    deadline: Instant,
    final_notify: bool,
}

/// What a NOTIFY carries: a hint's template rendered for the subscriber, or a body already
/// built (a resource list's multipart body).
enum NotifyBody {
    Template(Arc<Template>),
    Bytes(String, Vec<u8>),
}

/// CSeq and dialog-info version numbers are reserved in blocks, persisted when a block is used
/// up, so a restart continues above anything sent without a database write per NOTIFY.
const RESERVE: u32 = 1000;

/// The methods dialstate serves, for `Allow`.
const ALLOW: &str = "OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH";

/// Dialogs that ended recently answer 500 instead of 481 (spec §4: pjsip keeps the dialog for
/// Timer J).
const ENDED_LINGER: Duration = Duration::from_secs(32);

/// A server transaction (branch, method), or a dialog (Call-ID, local tag).
type TxKey = (Box<str>, Box<str>);

/// What a server transaction answers a retransmission with.
enum TxEntry {
    /// The response, as sent.
    Sent(Arc<Vec<u8>>),
    /// The 200 OK of a SUBSCRIBE that created this subscription: rebuilt from the
    /// retransmission itself (same headers) and the dialog, so thousands of new subscriptions
    /// keep no copy of their 200 OK.
    Subscribed(u64),
}

/// The notifier.
pub struct Notifier {
    config: Arc<SipConfig>,
    transports: Vec<LocalTransport>,
    /// Each transport's address as text (`Via` and `Contact` of every NOTIFY).
    transport_addrs: Vec<String>,
    hints_api: Box<dyn Hints>,
    persist: Box<dyn Persist>,
    auth: Authenticator,
    subs: FxHashMap<u64, Box<Subscription>>,
    dialogs: HashMap<(Box<str>, Box<str>), u64>,
    hints: HashMap<HintKey, HintEntry>,
    per_peer: HashMap<IpAddr, usize>,
    next_id: u64,
    expiry: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    /// NOTIFY client transactions by branch number (see `branch`).
    pending: FxHashMap<u64, Pending>,
    retx: BinaryHeap<Reverse<(Instant, u64)>>,
    next_branch: u64,
    /// The random part of every branch and tag this process makes.
    salt: u128,
    /// Subscriptions waiting to be told about a change (sent in slices by `pump`).
    fanout: VecDeque<u64>,
    /// A reusable buffer for building messages.
    scratch: String,
    server_tx: HashMap<TxKey, TxEntry>,
    /// The subscription the request being handled created, if any.
    created: Option<u64>,
    /// Endpoint names and Event values, shared by the subscriptions that use them.
    strings: std::collections::HashSet<Arc<str>>,
    server_tx_order: VecDeque<(Instant, TxKey)>,
    ended: HashMap<(Box<str>, Box<str>), Instant>,
    ended_order: VecDeque<(Instant, TxKey)>,
    rate: HashMap<IpAddr, (u64, u32)>,
    table: InboundTable,
    /// Resolved NOTIFY destination names (`host:port`), and the names waiting for the server
    /// to resolve them.
    dns: HashMap<String, SocketAddr>,
    dns_wanted: Vec<String>,
    /// Names being resolved, and names that did not resolve (not asked again).
    dns_pending: std::collections::HashSet<String>,
    dns_failed: std::collections::HashSet<String>,
    /// Batched list NOTIFYs by due time.
    batches: BinaryHeap<Reverse<(Instant, u64)>>,
    /// Random lowercase letters of list bodies (boundaries, Content-IDs, instance ids).
    rng: u64,
    /// The registrar (shared with the console, which lists it).
    reg_view: crate::sip::registrar::SharedView,
    /// Which endpoints list each AOR (whose `PJSIP/<endpoint>` a registration can flip).
    aor_endpoints: HashMap<String, Vec<String>>,
    /// When the next contact expires.
    reg_due: Option<Instant>,
    /// Endpoints with a contact (their `PJSIP/<name>` is NOT_INUSE).
    online: std::collections::HashSet<String>,
    /// This server's id in `asterisk-devicestate` messages.
    eid: crate::state::Eid,
    /// The next entity tag of an inbound publication (Asterisk's global counter, from 0).
    etag: u32,
    publications: HashMap<u32, inbound_publish::Publication>,
    pub_expiry: BinaryHeap<Reverse<(Instant, u32)>>,
    publishers: Vec<outbound_publish::Publisher>,
    /// Outbound PUBLISH transactions: branch number → publisher.
    publish_branches: FxHashMap<u64, usize>,

    pub stats: Stats,
}

fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn is_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

impl Notifier {
    pub fn new(
        config: Arc<SipConfig>,
        transports: Vec<LocalTransport>,
        hints: Box<dyn Hints>,
        persist: Box<dyn Persist>,
        secret: [u8; 32],
    ) -> Notifier {
        let mut n = Notifier {
            config: config.clone(),
            transport_addrs: transports.iter().map(|t| t.addr.to_string()).collect(),
            transports,
            hints_api: hints,
            persist,
            auth: Authenticator::new(secret, crate::sip::auth::Config::default()),
            subs: FxHashMap::default(),
            dialogs: HashMap::new(),
            hints: HashMap::new(),
            per_peer: HashMap::new(),
            next_id: 1,
            expiry: BinaryHeap::new(),
            pending: FxHashMap::default(),
            retx: BinaryHeap::new(),
            next_branch: 0,
            salt: uuid::Uuid::new_v4().as_u128(),
            fanout: VecDeque::new(),
            scratch: String::new(),
            server_tx: HashMap::new(),
            created: None,
            strings: std::collections::HashSet::new(),
            server_tx_order: VecDeque::new(),
            ended: HashMap::new(),
            ended_order: VecDeque::new(),
            rate: HashMap::new(),
            table: InboundTable::default(),
            batches: BinaryHeap::new(),
            dns: HashMap::new(),
            dns_wanted: Vec::new(),
            dns_pending: Default::default(),
            dns_failed: Default::default(),
            rng: (uuid::Uuid::new_v4().as_u128() as u64) | 1,
            reg_view: Arc::new(std::sync::Mutex::new(crate::sip::registrar::View {
                aors: config
                    .aors
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                registrar: Default::default(),
            })),
            aor_endpoints: {
                let mut map: HashMap<String, Vec<String>> = HashMap::new();
                for ep in config.endpoints.values() {
                    for aor in &ep.aors {
                        map.entry(aor.clone()).or_default().push(ep.name.clone());
                    }
                }
                map
            },
            reg_due: None,
            online: Default::default(),
            eid: crate::state::Eid::random(),
            etag: 0,
            publications: HashMap::new(),
            pub_expiry: BinaryHeap::new(),
            publishers: Vec::new(),
            publish_branches: FxHashMap::default(),

            stats: Stats::default(),
        };
        n.publishers_from_config();
        n
    }

    /// Sets this server's EID (before `start_publishing`).
    pub fn set_eid(&mut self, eid: crate::state::Eid) {
        self.eid = eid;
    }

    /// The number of live subscriptions.
    pub fn len(&self) -> usize {
        self.subs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subs.is_empty()
    }

    /// The earliest moment `on_timer` has work to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        let a = self.expiry.peek().map(|Reverse((t, _, _))| *t);
        let b = self.retx.peek().map(|Reverse((t, _))| *t);
        let c = self.batches.peek().map(|Reverse((t, _))| *t);
        let d = self.pub_expiry.peek().map(|Reverse((t, _))| *t);
        [a, b, c, d, self.reg_due, self.publisher_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    // ---- input -----------------------------------------------------------------------------

    /// Handles bytes from the network.
    pub fn on_packet(&mut self, inb: Inbound<'_>, now: Now, out: &mut Vec<Outbound>) {
        if inb.bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return; // keep-alive
        }
        // Responses are not counted against the flood limit: they answer our own NOTIFYs and
        // PUBLISHes (bounded by what we send), and one unmatched costs only a header scan.
        let response = inb.bytes.starts_with(b"SIP/2.0 ");
        if !response && !self.admit(inb.peer.ip(), now) {
            self.stats.dropped += 1;
            return;
        }
        if response {
            // Responses (to our NOTIFYs) are read without a full parse: status, top Via
            // branch, Retry-After.
            if let Some((code, branch, retry_after)) =
                crate::sip::message::response_summary(inb.bytes)
            {
                let Some(no) = parse_branch(branch, self.salt) else {
                    return;
                };
                if self.publish_branches.contains_key(&no) {
                    self.on_publish_response(no, inb.bytes, now, out);
                } else {
                    self.on_response(code, no, retry_after, now, out);
                }
            }
            return;
        }
        let msg = match Message::parse(inb.bytes) {
            Ok(msg) => msg,
            Err(err) => {
                tracing::warn!(peer = %inb.peer, error = %err, "malformed SIP message");
                self.salvage(inb, out);
                return;
            }
        };
        match &msg.start {
            Start::Response { .. } => {}
            Start::Request { .. } => self.on_request(&msg, inb, now, out),
        }
    }

    /// A 400 for a request that cannot be handled, when enough of it can be read to answer.
    fn salvage(&self, inb: Inbound<'_>, out: &mut Vec<Outbound>) {
        if let Some(bytes) = salvage_400(inb.bytes, inb.peer, &self.config.user_agent) {
            out.push(Outbound {
                transport: inb.transport,
                peer: inb.peer,
                bytes: Arc::new(bytes),
            });
        }
    }

    /// Counts one packet from `ip` in the current second; false once it sent more than
    /// `REQUESTS_PER_PEER_PER_SEC` (a flood is dropped, other peers are not affected).
    fn admit(&mut self, ip: IpAddr, now: Now) -> bool {
        if self.rate.len() > 100_000 {
            let epoch = now.epoch;
            self.rate.retain(|_, (e, _)| *e == epoch);
        }
        let entry = self.rate.entry(ip).or_insert((now.epoch, 0));
        if entry.0 != now.epoch {
            *entry = (now.epoch, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 == limits::REQUESTS_PER_PEER_PER_SEC + 1 {
            tracing::warn!(%ip, "request flood; dropping for the rest of this second");
        }
        entry.1 <= limits::REQUESTS_PER_PEER_PER_SEC
    }

    fn on_request(&mut self, msg: &Message, inb: Inbound<'_>, now: Now, out: &mut Vec<Outbound>) {
        let method = msg.method().unwrap_or_default().to_string();
        let (Ok(via), Ok(_), Ok((_, cseq_method)), Ok(from), Ok(to)) =
            (msg.via(), msg.call_id(), msg.cseq(), msg.from(), msg.to())
        else {
            tracing::warn!(peer = %inb.peer, "request without usable Via, Call-ID, CSeq, From or To");
            self.salvage(inb, out);
            return;
        };
        if !cseq_method.eq_ignore_ascii_case(&method) {
            self.refuse(msg, &via, inb, 400, now, out);
            return;
        }
        if method == "ACK" {
            return;
        }
        // Numeric headers must be numbers (pjsip's parser refuses the message otherwise).
        let bad_number = |name: &str| msg.header(name).is_some_and(|v| v.parse::<u32>().is_err());
        if bad_number("Max-Forwards") || bad_number("Expires") || bad_number("Min-Expires") {
            self.refuse(msg, &via, inb, 400, now, out);
            return;
        }
        // A retransmission is answered from its transaction, never processed twice.
        let tx_key = (
            via.branch().unwrap_or_default().into(),
            method.clone().into_boxed_str(),
        );
        match self.server_tx.get(&tx_key) {
            Some(TxEntry::Sent(bytes)) => {
                out.push(Outbound {
                    transport: inb.transport,
                    peer: inb.peer,
                    bytes: bytes.clone(),
                });
                return;
            }
            Some(TxEntry::Subscribed(id)) => {
                if let Some(sub) = self.subs.get(id) {
                    let ok = self.subscribe_ok(
                        msg,
                        &via,
                        inb,
                        sub.granted,
                        sub.transport,
                        &sub.local_tag,
                        sub.list.is_some(),
                    );
                    out.push(ok);
                }
                return;
            }
            None => {}
        }
        self.created = None;
        let before = out.len();
        // Asterisk's message filter: a Contact URI that is not sip/sips, or a From or To that is
        // not sip/sips/tel, gets 416 before anything else looks at the request.
        let sip_scheme = |scheme: &str| scheme == "sip" || scheme == "sips";
        let allowed = |scheme: &str| sip_scheme(scheme) || scheme == "tel";
        let contact_scheme_ok = msg
            .all("Contact")
            .flat_map(crate::sip::message::split_commas)
            .filter(|c| c.trim() != "*")
            .all(|c| uri_scheme(&c).is_none_or(|s| sip_scheme(&s)));
        if to.tag().is_none()
            && (!allowed(&from.uri.scheme) || !allowed(&to.uri.scheme) || !contact_scheme_ok)
        {
            self.refuse(msg, &via, inb, 416, now, out);
            if out.len() > before {
                self.remember_tx(
                    tx_key,
                    TxEntry::Sent(out[before].bytes.clone()),
                    inb.transport,
                    now,
                );
            }
            return;
        }
        match method.as_str() {
            "SUBSCRIBE" if to.tag().is_some() => self.in_dialog_subscribe(msg, &via, inb, now, out),
            "SUBSCRIBE" => self.initial_subscribe(msg, &via, &from, &to, inb, now, out),
            "REGISTER" => self.on_register(msg, &via, &from, &to, inb, now, out),
            "PUBLISH" => self.on_publish(msg, &via, inb, now, out),
            "OPTIONS" => self.reply(msg, &via, inb, 200, "OK", &[("Accept", "application/pidf+xml, application/xpidf+xml, application/cpim-pidf+xml, application/dialog-info+xml"), ("Allow", ALLOW), ("Accept-Encoding", "identity"), ("Accept-Language", "en")], None, now, out),
            _ if to.tag().is_some() => {
                let known = self.dialog_of(msg, &to).is_some();
                if known {
                    self.reply(msg, &via, inb, 500, "Unhandled by dialog usages", &[], None, now, out);
                } else {
                    self.reply(msg, &via, inb, 481, "Call/Transaction Does Not Exist", &[], None, now, out);
                }
            }
            _ => self.reply(msg, &via, inb, 501, "Not Implemented", &[], None, now, out),
        }
        if out.len() > before && method != "ACK" {
            let entry = match self.created.take() {
                Some(id) => TxEntry::Subscribed(id),
                None => TxEntry::Sent(out[before].bytes.clone()),
            };
            self.remember_tx(tx_key, entry, inb.transport, now);
        }
    }

    fn remember_tx(
        &mut self,
        key: (Box<str>, Box<str>),
        entry: TxEntry,
        transport: usize,
        now: Now,
    ) {
        if key.0.is_empty() || self.transports[transport].protocol != Protocol::Udp {
            return;
        }
        self.sweep_server_tx(now);
        if self.server_tx.len() >= limits::MAX_SERVER_TRANSACTIONS {
            if let Some((_, old)) = self.server_tx_order.pop_front() {
                self.server_tx.remove(&old);
            }
        }
        self.server_tx.insert(key.clone(), entry);
        self.server_tx_order
            .push_back((now.mono + Duration::from_millis(limits::TIMER_F_MS), key));
    }

    fn sweep_server_tx(&mut self, now: Now) {
        while let Some((when, _)) = self.server_tx_order.front() {
            if *when > now.mono {
                break;
            }
            if let Some((_, key)) = self.server_tx_order.pop_front() {
                self.server_tx.remove(&key);
            }
        }
        while let Some((when, _)) = self.ended_order.front() {
            if *when > now.mono {
                break;
            }
            if let Some((when, key)) = self.ended_order.pop_front() {
                if self.ended.get(&key) == Some(&when) {
                    self.ended.remove(&key);
                }
            }
        }
    }

    fn dialog_of(&self, msg: &Message, to: &NameAddr) -> Option<u64> {
        let key: (Box<str>, Box<str>) = (msg.call_id().ok()?.into(), to.tag()?.into());
        self.dialogs.get(&key).copied()
    }

    // ---- responses -------------------------------------------------------------------------

    /// The Request-URI when it is a `sip:` or `sips:` URI; otherwise answers 416 and gives none.
    fn sip_request_uri(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) -> Option<Uri> {
        match msg.request_uri() {
            Some(Ok(uri)) if uri.scheme == "sip" || uri.scheme == "sips" => Some(uri),
            _ => {
                self.refuse(msg, via, inb, 416, now, out);
                None
            }
        }
    }

    /// A rejection with pjsip's default reason phrase and no extra header.
    fn refuse(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        code: u16,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let reason = match code {
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            412 => "Conditional Request Failed",
            416 => "Unsupported URI Scheme",
            489 => "Bad Event",
            500 => "Server Internal Error",
            _ => "Error",
        };
        self.reply(msg, via, inb, code, reason, &[], None, now, out);
    }

    /// A response to `msg`: Via (all, the top one with rport/received), Record-Route, Call-ID,
    /// From and To reprinted in From/To context, CSeq, then `extra`, `Server`, Content-Length.
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        code: u16,
        reason: &str,
        extra: &[(&str, &str)],
        to_tag: Option<&str>,
        _now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let bytes = self.response_bytes(msg, via, inb.peer, code, reason, extra, to_tag);
        out.push(Outbound {
            transport: inb.transport,
            peer: inb.peer,
            bytes: Arc::new(bytes),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn response_bytes(
        &self,
        msg: &Message,
        via: &Via,
        peer: SocketAddr,
        code: u16,
        reason: &str,
        extra: &[(&str, &str)],
        to_tag: Option<&str>,
    ) -> Vec<u8> {
        let mut b = Builder::response(code, reason);
        let mut vias = msg.all("Via").flat_map(crate::sip::message::split_commas);
        vias.next();
        b.push("Via", &via.for_response(peer));
        for rest in vias {
            b.push("Via", &rest);
        }
        for rr in msg.all("Record-Route") {
            b.push("Record-Route", rr);
        }
        b.push("Call-ID", msg.call_id().unwrap_or_default());
        let from = msg.from().ok();
        let to = msg.to().ok();
        if let Some(from) = &from {
            b.push("From", &from.fromto(from.tag()));
        }
        if let Some(to) = &to {
            // A response that creates no dialog gets the top Via branch as its tag (pjsip).
            let tag = to.tag().or(to_tag).or(via.branch());
            b.push("To", &to.fromto(tag));
        }
        b.push("CSeq", msg.header("CSeq").unwrap_or_default());
        for (k, v) in extra {
            b.push(k, v);
        }
        b.push("Server", &self.config.user_agent);
        b.finish()
    }

    // ---- SUBSCRIBE -------------------------------------------------------------------------

    /// The 200 OK to a SUBSCRIBE: `Expires`, our Contact, `Allow`, and our dialog tag.
    #[allow(clippy::too_many_arguments)]
    fn subscribe_ok(
        &self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        expires: u32,
        transport: usize,
        tag: &str,
        list: bool,
    ) -> Outbound {
        let expires = expires.to_string();
        let contact = local_contact(self.transports[transport]);
        let mut extra = vec![
            ("Expires", expires.as_str()),
            ("Contact", contact.as_str()),
            ("Allow", ALLOW),
        ];
        if list {
            // A list subscription's 200 OK requires eventlist (res_pjsip_pubsub.c).
            extra.push(("Require", "eventlist"));
        }
        let bytes = self.response_bytes(msg, via, inb.peer, 200, "OK", &extra, Some(tag));
        Outbound {
            transport: inb.transport,
            peer: inb.peer,
            bytes: Arc::new(bytes),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn initial_subscribe(
        &mut self,
        msg: &Message,
        via: &Via,
        from: &NameAddr,
        to: &NameAddr,
        inb: Inbound<'_>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        // The message filter runs first: no Contact, no dialog (spec §4 step 8, observed before
        // authentication).
        let Some(contact) = msg.header("Contact") else {
            self.reply(
                msg,
                via,
                inb,
                400,
                "Missing Contact header",
                &[],
                None,
                now,
                out,
            );
            return;
        };
        let Some(contact) = NameAddr::parse(contact)
            .ok()
            .filter(|c| usable_target(&c.uri))
        else {
            self.refuse(msg, via, inb, 400, now, out);
            return;
        };
        // The route set our NOTIFYs will carry: every Record-Route entry must be a usable URI.
        let Some(routes) = msg
            .all("Record-Route")
            .flat_map(crate::sip::message::split_commas)
            .map(|r| reprint_route(&r).map(String::into_boxed_str))
            .collect::<Option<Vec<Box<str>>>>()
        else {
            self.refuse(msg, via, inb, 400, now, out);
            return;
        };
        // Endpoint identification by From user, then digest authentication.
        let user = from.uri.user_name().to_string();
        let endpoint = self.config.endpoints.get(&user).cloned();
        if !self.authenticate(msg, via, inb, endpoint.as_ref(), now, out) {
            return;
        }
        let Some(endpoint) = endpoint else {
            return;
        };
        if !endpoint.allow_subscribe {
            self.reply(msg, via, inb, 603, "Decline", &[], None, now, out);
            return;
        }
        let Some(ruri) = self.sip_request_uri(msg, via, inb, now, out) else {
            return;
        };
        let resource = ruri.user_name().to_string();
        let asked = match msg.expires() {
            Ok(v) => v,
            Err(_) => {
                self.refuse(msg, via, inb, 400, now, out);
                return;
            }
        };
        if asked == Some(0) {
            self.refuse(msg, via, inb, 400, now, out);
            return;
        }
        if let Some(asked) = asked {
            if asked < endpoint.sub_min_expiry {
                let min = endpoint.sub_min_expiry.to_string();
                self.reply(
                    msg,
                    via,
                    inb,
                    423,
                    "Interval Too Brief",
                    &[("Min-Expires", &min)],
                    None,
                    now,
                    out,
                );
                return;
            }
        }
        let event_value = msg.header("Event").unwrap_or_default().to_string();
        let package = match event_value.split(';').next().unwrap_or_default().trim() {
            "presence" => Package::Presence,
            "dialog" => Package::Dialog,
            _ => {
                self.reply(
                    msg,
                    via,
                    inb,
                    489,
                    "Bad Event",
                    &[("Allow-Events", "presence, dialog")],
                    None,
                    now,
                    out,
                );
                return;
            }
        };
        let accept = msg.list("Accept");
        let accept: Vec<&str> = accept.iter().map(String::as_str).collect();
        let Some(kind) = body::negotiate(package, &accept) else {
            self.reply(
                msg,
                via,
                inb,
                489,
                "Bad Event",
                &[("Allow-Events", "presence, dialog")],
                None,
                now,
                out,
            );
            return;
        };
        if self.subs.len() >= limits::MAX_SUBSCRIPTIONS
            || self.per_peer.get(&inb.peer.ip()).copied().unwrap_or(0)
                >= limits::MAX_SUBSCRIPTIONS_PER_PEER
        {
            tracing::warn!(peer = %inb.peer, "subscription limit reached");
            self.reply(
                msg,
                via,
                inb,
                503,
                "Service Unavailable",
                &[("Retry-After", "60")],
                None,
                now,
                out,
            );
            return;
        }
        // A list only with `Supported: eventlist` (else the name is a single resource, §9.2).
        let package_name = event_value.split(';').next().unwrap_or_default().trim();
        let eventlist = msg
            .list("Supported")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("eventlist"));
        let is_list = eventlist
            && self
                .config
                .resource_lists
                .get(&resource)
                .is_some_and(|l| l.event == package_name);
        let (key, states, list) = if is_list {
            let package_name = package_name.to_string();
            let built = self.build_list(
                &resource,
                &package_name,
                endpoint.hint_context(),
                &ruri,
                None,
            );
            let Some((list, states)) = built else {
                // No resource of the list exists (§9.3: 500).
                self.refuse(msg, via, inb, 500, now, out);
                return;
            };
            (list_key(&resource), states, Some(Box::new(list)))
        } else {
            let Some((key, state)) = self.hints_api.subscribe(endpoint.hint_context(), &resource)
            else {
                self.refuse(msg, via, inb, 404, now, out);
                return;
            };
            (key.clone(), vec![(key, state)], None)
        };
        let granted = asked
            .unwrap_or(limits::MAX_EXPIRES)
            .min(limits::MAX_EXPIRES);
        let local_tag = random_id();
        let user_agent = msg.header("User-Agent").unwrap_or_default();
        let (dest, dest_name) = self.resolve(notify_destination(
            &routes,
            &contact.uri,
            inb.peer,
            endpoint.rewrite_contact,
        ));
        let id = self.next_id;
        self.next_id += 1;
        let cseq = (uuid::Uuid::new_v4().as_u128() % 32768) as u32;
        let sub = Subscription {
            id,
            endpoint: intern(&mut self.strings, &endpoint.name),
            key: key.clone(),
            context: endpoint.hint_context().into(),
            exten: resource.clone().into(),
            call_id: msg.call_id().unwrap_or_default().into(),
            local_tag: local_tag.clone().into(),
            remote_tag: from.tag().unwrap_or_default().into(),
            from_hdr: to.fromto(None).into(),
            to_hdr: from.fromto(None).into(),
            target: if endpoint.rewrite_contact {
                format!("sip:{}", inb.peer).into()
            } else {
                contact.uri.to_string().into()
            },
            routes,
            event: intern(&mut self.strings, &event_value),
            kind,
            opts: BodyOptions {
                digium: BodyOptions::is_digium_user_agent(user_agent),
                early_inuse_ringing: endpoint.notify_early_inuse_ringing,
            },
            local_uri: ruri.with_user(&resource).to_string().into(),
            remote_uri: from.uri.fromto().into(),
            domain: to.uri.host.clone().into(),
            transport: inb.transport,
            dest,
            source: inb.peer,
            expires_at: now.mono + Duration::from_secs(u64::from(granted)),
            expires_epoch: now.epoch + u64::from(granted),
            shown_epoch: now.epoch + u64::from(asked.unwrap_or(limits::MAX_EXPIRES)),
            granted,
            cseq,
            cseq_reserved: cseq,
            remote_cseq: msg.cseq().map(|(n, _)| n).unwrap_or(0),
            version: None,
            version_reserved: 0,
            atom_id: random_id().into(),
            sent: None,
            in_flight: false,
            dirty: false,
            queued: false,
            generation: 0,
            list,
            prune_on_boot: endpoint.rewrite_contact
                && self.transports[inb.transport].protocol != Protocol::Udp,
            dest_name,
        };
        out.push(self.subscribe_ok(msg, via, inb, granted, inb.transport, &local_tag, is_list));
        tracing::debug!(endpoint = %endpoint.name, resource = %resource, event = %event_value, "subscription established");
        self.created = Some(id);
        self.install(sub, states, now, out);
    }

    /// Adds a subscription (new or restored), persists it and sends its first NOTIFY.
    fn install(
        &mut self,
        sub: Subscription,
        states: Vec<(HintKey, HintState)>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let id = sub.id;
        for (key, state) in states {
            let entry = self.hints.entry(key).or_insert_with(|| HintEntry {
                state: state.clone(),
                subs: IndexSet::new(),
                templates: Vec::new(),
            });
            if entry.subs.is_empty() && entry.state != state {
                entry.state = state;
                entry.templates.clear();
            }
            entry.subs.insert(id);
        }
        *self.per_peer.entry(sub.source.ip()).or_default() += 1;
        self.dialogs
            .insert((Box::from(&*sub.call_id), sub.local_tag.clone()), id);
        self.expiry
            .push(Reverse((sub.expires_at, id, sub.generation)));
        self.subs.insert(id, Box::new(sub));
        self.save(id);
        self.publish_row(id);
        // A destination given by name waits for its resolution (`on_resolved` sends then).
        if self.subs.get(&id).is_some_and(|s| s.dest_name.is_none()) {
            self.send_notify(id, None, now, out);
        }
    }

    fn in_dialog_subscribe(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let Ok(to) = msg.to() else { return };
        let Some(id) = self.dialog_of(msg, &to) else {
            let key: (Box<str>, Box<str>) = (
                msg.call_id().unwrap_or_default().into(),
                to.tag().unwrap_or_default().into(),
            );
            self.sweep_server_tx(now);
            if self.ended.contains_key(&key) {
                // The dialog lingers after its subscription ended (spec §4).
                let until = now.mono + ENDED_LINGER;
                self.ended.insert(key.clone(), until);
                self.ended_order.push_back((until, key));
                self.reply(
                    msg,
                    via,
                    inb,
                    500,
                    "Unhandled by dialog usages",
                    &[],
                    None,
                    now,
                    out,
                );
            } else {
                self.reply(
                    msg,
                    via,
                    inb,
                    481,
                    "Call/Transaction Does Not Exist",
                    &[],
                    None,
                    now,
                    out,
                );
            }
            return;
        };
        let cseq = msg.cseq().map(|(n, _)| n).unwrap_or(0);
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        if cseq <= sub.remote_cseq {
            self.reply(msg, via, inb, 500, "Invalid CSeq", &[], None, now, out);
            return;
        }
        sub.remote_cseq = cseq;
        let asked = match msg.expires() {
            Ok(v) => v,
            Err(_) => {
                self.refuse(msg, via, inb, 400, now, out);
                return;
            }
        };
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        if let Some(contact) = msg
            .header("Contact")
            .and_then(|c| NameAddr::parse(c).ok())
            .filter(|c| usable_target(&c.uri))
        {
            let rewrite = self
                .config
                .endpoints
                .get(&*sub.endpoint)
                .is_some_and(|ep| ep.rewrite_contact);
            sub.target = if rewrite {
                format!("sip:{}", inb.peer).into()
            } else {
                contact.uri.to_string().into()
            };
            let target = notify_destination(&sub.routes, &contact.uri, inb.peer, rewrite);
            let (dest, name) = self.resolve(target);
            if let Some(sub) = self.subs.get_mut(&id) {
                sub.dest = dest;
                sub.dest_name = name;
            }
        }
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        let (transport, local_tag) = (sub.transport, sub.local_tag.clone());
        let is_list = sub.list.is_some();
        if let Some(list) = &mut sub.list {
            list.force_full = true;
        }
        if asked == Some(0) {
            out.push(self.subscribe_ok(msg, via, inb, 0, transport, &local_tag, is_list));
            self.terminate(id, End::Unsubscribed, now, out);
            return;
        }
        let granted = asked.map_or(sub.granted, |e| e.min(limits::MAX_EXPIRES));
        sub.granted = granted;
        sub.expires_at = now.mono + Duration::from_secs(u64::from(granted));
        sub.expires_epoch = now.epoch + u64::from(granted);
        sub.shown_epoch = now.epoch + u64::from(asked.unwrap_or(limits::MAX_EXPIRES));
        sub.generation += 1;
        self.expiry
            .push(Reverse((sub.expires_at, id, sub.generation)));
        out.push(self.subscribe_ok(msg, via, inb, granted, transport, &local_tag, is_list));
        if is_list && !self.rebuild_list(id, now, out) {
            return;
        }
        self.save(id);
        self.publish_row(id);
        // A refresh resends the cached body with the new expiry.
        self.send_notify(id, None, now, out);
    }

    // ---- NOTIFY ----------------------------------------------------------------------------

    /// Sends the current state to one subscription (or its end). With a NOTIFY already in
    /// flight, the subscription is marked and gets the newest state when that one is answered,
    /// so a burst never leaves a phone showing a stale state last.
    fn send_notify(&mut self, id: u64, end: Option<End>, now: Now, out: &mut Vec<Outbound>) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        if sub.in_flight && end.is_none() {
            sub.dirty = true;
            return;
        }
        if sub.list.is_some() {
            self.send_list_notify(id, end, false, now, out);
            return;
        }
        // Refresh and termination resend the cached body; a change builds a new one (once per
        // hint, body type and options, shared by every subscriber).
        let template = match (&sub.sent, end) {
            (Some(sent), Some(_)) => Some(sent.clone()),
            _ => template_for(&mut self.hints, &sub.key, sub.kind, sub.opts, &sub.exten),
        };
        let Some(template) = template else {
            return;
        };
        let fresh = sub.sent.as_ref().is_none_or(|s| !Arc::ptr_eq(s, &template));
        if fresh {
            sub.version = Some(sub.version.map_or(0, |v| v + 1));
            if sub.sent.is_some() && sub.kind != BodyType::DialogInfo {
                sub.atom_id = guid(self.salt, self.next_branch ^ 0x5a5a).into();
            }
        }
        sub.sent = Some(template.clone());
        self.write_notify(id, end, NotifyBody::Template(template), now, out);
    }

    /// Builds and sends one NOTIFY of subscription `id` with `body`: headers in Asterisk's
    /// order, the body, the client transaction.
    fn write_notify(
        &mut self,
        id: u64,
        end: Option<End>,
        body: NotifyBody,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        sub.cseq = sub.cseq.wrapping_add(1);
        let version = sub.version.unwrap_or(0);
        let reserve = sub.cseq >= sub.cseq_reserved || version >= sub.version_reserved;
        if reserve {
            sub.cseq_reserved = sub.cseq.saturating_add(RESERVE);
            sub.version_reserved = version + u64::from(RESERVE);
        }
        let transport = self.transports[sub.transport];
        self.next_branch += 1;
        let branch_no = self.next_branch;
        // Build the whole NOTIFY in one buffer: headers in Asterisk's order, then the body.
        let text = &mut self.scratch;
        text.clear();
        text.push_str("NOTIFY ");
        text.push_str(&sub.target);
        text.push_str(" SIP/2.0\r\nVia: SIP/2.0/");
        text.push_str(transport.protocol.as_str());
        text.push(' ');
        text.push_str(&self.transport_addrs[sub.transport]);
        text.push_str(";rport;branch=");
        push_branch(text, self.salt, branch_no);
        if transport.protocol == Protocol::Tcp {
            text.push_str(";alias");
        }
        text.push_str("\r\nFrom: ");
        text.push_str(&sub.from_hdr);
        text.push_str(";tag=");
        text.push_str(&sub.local_tag);
        text.push_str("\r\nTo: ");
        text.push_str(&sub.to_hdr);
        text.push_str(";tag=");
        text.push_str(&sub.remote_tag);
        text.push_str("\r\nContact: <sip:");
        text.push_str(&self.transport_addrs[sub.transport]);
        if transport.protocol == Protocol::Tcp {
            text.push_str(";transport=TCP");
        }
        text.push_str(">\r\nCall-ID: ");
        text.push_str(&sub.call_id);
        let _ = write!(text, "\r\nCSeq: {} NOTIFY\r\n", sub.cseq);
        for route in &sub.routes {
            text.push_str("Route: ");
            text.push_str(route);
            text.push_str("\r\n");
        }
        text.push_str("Event: ");
        text.push_str(&sub.event);
        text.push_str("\r\nSubscription-State: ");
        match end {
            Some(end) => text.push_str(end.header()),
            None => {
                let left = sub.expires_at.saturating_duration_since(now.mono).as_secs();
                let _ = write!(text, "active;expires={left}");
            }
        }
        text.push_str("\r\nAllow-Events: presence, dialog\r\nMax-Forwards: 70\r\n");
        if sub.list.is_some() {
            text.push_str("Require: eventlist\r\n");
        }
        text.push_str("User-Agent: ");
        text.push_str(&self.config.user_agent);
        text.push_str("\r\nContent-Type: ");
        let len_hint = match &body {
            NotifyBody::Template(template) => {
                text.push_str(template.content_type());
                template.len_hint()
            }
            NotifyBody::Bytes(content_type, bytes) => {
                text.push_str(content_type);
                bytes.len()
            }
        };
        text.push_str("\r\nContent-Length: ");
        let mut bytes = Vec::with_capacity(text.len() + len_hint + 160);
        bytes.extend_from_slice(text.as_bytes());
        let length_at = bytes.len();
        bytes.extend_from_slice(b"     \r\n\r\n");
        let body_at = bytes.len();
        match body {
            NotifyBody::Template(template) => template.render_into(
                &Slots {
                    local_uri: &sub.local_uri,
                    remote_uri: &sub.remote_uri,
                    domain: &sub.domain,
                    version,
                    atom_id: &sub.atom_id,
                },
                &mut bytes,
            ),
            NotifyBody::Bytes(_, body) => bytes.extend_from_slice(&body),
        }
        // pjsip right-aligns the length in five columns (wider bodies push it out).
        let len = bytes.len() - body_at;
        if len < 100_000 {
            let mut n = len;
            for at in (length_at..length_at + 5).rev() {
                bytes[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
        } else {
            bytes.splice(length_at..length_at + 5, len.to_string().into_bytes());
        }
        let bytes = Arc::new(bytes);
        sub.in_flight = true;
        sub.dirty = false;
        let dest = sub.dest;
        let sub_transport = sub.transport;
        let udp = transport.protocol == Protocol::Udp;
        self.stats.notifies_sent += 1;
        let first = if udp {
            limits::T1_MS
        } else {
            limits::TIMER_F_MS
        };
        self.retx.push(Reverse((
            now.mono + Duration::from_millis(first),
            branch_no,
        )));
        self.pending.insert(
            branch_no,
            Pending {
                sub: id,
                bytes: udp.then(|| bytes.clone()),
                transport: sub_transport,
                dest,
                interval: Duration::from_millis(limits::T1_MS),
                deadline: now.mono + Duration::from_millis(limits::TIMER_F_MS),
                final_notify: end.is_some(),
            },
        );
        out.push(Outbound {
            transport: sub_transport,
            peer: dest,
            bytes,
        });
        if reserve && end.is_none() {
            self.save(id);
        }
    }

    /// A response to one of our NOTIFYs, matched by its top Via branch.
    fn on_response(
        &mut self,
        code: u16,
        no: u64,
        retry_after: bool,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        if code < 200 {
            return;
        }
        let Some(pending) = self.pending.remove(&no) else {
            return;
        };
        if pending.final_notify {
            return;
        }
        let id = pending.sub;
        if (200..300).contains(&code) || retry_after {
            self.stats.notifies_answered += 1;
            let Some(sub) = self.subs.get_mut(&id) else {
                return;
            };
            sub.in_flight = false;
            if sub.dirty {
                self.send_notify(id, None, now, out);
            }
        } else {
            // 481, 408, or any failure without Retry-After ends the subscription (spec §6.8).
            self.stats.notifies_failed += 1;
            tracing::info!(code, "NOTIFY refused; subscription ended");
            self.remove(id, now);
        }
    }

    // ---- timers ----------------------------------------------------------------------------

    /// Runs what is due: NOTIFY retransmissions (timer E), their timeouts (timer F), and
    /// subscription expiry.
    pub fn on_timer(&mut self, now: Now, out: &mut Vec<Outbound>) {
        while let Some(Reverse((when, _))) = self.retx.peek() {
            if *when > now.mono {
                break;
            }
            let Some(Reverse((_, no))) = self.retx.pop() else {
                break;
            };
            let Some(p) = self.pending.get_mut(&no) else {
                continue;
            };
            if now.mono >= p.deadline {
                if let Some(p) = self.pending.remove(&no) {
                    if !p.final_notify {
                        self.stats.notifies_failed += 1;
                        tracing::info!("NOTIFY timed out; subscription ended");
                        self.remove(p.sub, now);
                    }
                }
                continue;
            }
            let Some(bytes) = &p.bytes else {
                // Stream transports do not retransmit; wait for timer F.
                self.retx.push(Reverse((p.deadline, no)));
                continue;
            };
            self.stats.retransmissions += 1;
            out.push(Outbound {
                transport: p.transport,
                peer: p.dest,
                bytes: bytes.clone(),
            });
            p.interval = (p.interval * 2).min(Duration::from_millis(limits::T2_MS));
            let next = (now.mono + p.interval).min(p.deadline);
            self.retx.push(Reverse((next, no)));
        }
        while let Some(Reverse((when, _, _))) = self.expiry.peek() {
            if *when > now.mono {
                break;
            }
            let Some(Reverse((_, id, generation))) = self.expiry.pop() else {
                break;
            };
            if self
                .subs
                .get(&id)
                .is_some_and(|s| s.generation == generation)
            {
                tracing::info!(id, "subscription expired");
                self.terminate(id, End::Timeout, now, out);
            }
        }
        if self.reg_due.is_some_and(|due| due <= now.mono) {
            self.expire_contacts(now);
        }
        self.expire_publications(now);
        self.publisher_timers(now, out);
        while let Some(Reverse((when, _))) = self.batches.peek() {
            if *when > now.mono {
                break;
            }
            let Some(Reverse((when, id))) = self.batches.pop() else {
                break;
            };
            let Some(sub) = self.subs.get_mut(&id) else {
                continue;
            };
            let Some(list) = sub.list.as_mut() else {
                continue;
            };
            if list.batch_due != Some(when) {
                continue;
            }
            if sub.in_flight {
                list.batch_due = None;
                sub.dirty = true;
            } else {
                self.send_list_notify(id, None, true, now, out);
            }
        }
        self.sweep_server_tx(now);
    }

    // ---- state changes ---------------------------------------------------------------------

    /// A change from the state engine.
    pub fn on_change(&mut self, change: &Change, now: Now, out: &mut Vec<Outbound>) {
        match change {
            Change::Extension { key, new, call, .. } => {
                let Some(entry) = self.hints.get_mut(key) else {
                    return;
                };
                entry.state.state = *new;
                entry.state.ringing = call.clone();
                entry.templates.clear();
                self.notify_all(key, now, out);
            }
            Change::Presence { key, new, .. } => {
                let Some(entry) = self.hints.get_mut(key) else {
                    return;
                };
                entry.state.presence = new.clone();
                entry.templates.clear();
                self.notify_all(key, now, out);
            }
            Change::HintGone { key, state } => {
                let Some(entry) = self.hints.get_mut(key) else {
                    return;
                };
                entry.state.state = *state;
                entry.templates.clear();
                let ids: Vec<u64> = entry.subs.iter().copied().collect();
                for id in ids {
                    if let Some(sub) = self.subs.get_mut(&id) {
                        if let Some(list) = &mut sub.list {
                            // The resource shows as terminated in the list; the list goes on.
                            list.mark(key, true);
                            if let Some(entry) = self.hints.get_mut(key) {
                                entry.subs.swap_remove(&id);
                                if entry.subs.is_empty() {
                                    self.hints.remove(key);
                                }
                            }
                            self.hints_api.release(key);
                            // One NOTIFY in flight at a time: the gone resource goes out with
                            // the next one.
                            self.send_notify(id, None, now, out);
                            continue;
                        }
                        // The final body shows the gone state (the §7.1 default row).
                        sub.sent = None;
                    }
                    self.terminate_with_fresh_body(id, now, out);
                }
            }
            Change::Device { .. } | Change::ProviderPresence { .. } => {}
        }
    }

    fn notify_all(&mut self, key: &HintKey, now: Now, out: &mut Vec<Outbound>) {
        self.queue_all(key);
        while self.pump(now, out, usize::MAX) {}
    }

    /// Queues every subscription of a hint for a NOTIFY (sent by `pump`).
    fn queue_all(&mut self, key: &HintKey) {
        let Some(entry) = self.hints.get(key) else {
            return;
        };
        self.fanout.reserve(entry.subs.len());
        for &id in &entry.subs {
            if let Some(sub) = self.subs.get_mut(&id) {
                if let Some(list) = &mut sub.list {
                    list.mark(key, false);
                }
                if !sub.queued {
                    sub.queued = true;
                    self.fanout.push_back(id);
                }
            }
        }
    }

    /// Sends up to `max` queued NOTIFYs; true while more are queued. The server sends each
    /// slice before building the next, so the first watchers hear of a change at once.
    pub fn pump(&mut self, now: Now, out: &mut Vec<Outbound>, max: usize) -> bool {
        let mut n = 0;
        while n < max {
            let Some(id) = self.fanout.pop_front() else {
                return false;
            };
            if let Some(sub) = self.subs.get_mut(&id) {
                sub.queued = false;
                self.send_notify(id, None, now, out);
                n += 1;
            }
        }
        !self.fanout.is_empty()
    }

    /// A change from the state engine, queued: the server then calls `pump`. What an earlier
    /// change queued is sent first, so every watcher not busy with a NOTIFY sees each state.
    pub fn queue_change(&mut self, change: &Change, now: Now, out: &mut Vec<Outbound>) {
        if let Change::Extension { key, .. } | Change::Presence { key, .. } = change {
            if self.publishes_hints() {
                self.publish_hint(key, now, out);
            }
        }
        if matches!(change, Change::Extension { .. } | Change::Presence { .. }) {
            while self.pump(now, out, usize::MAX) {}
        }
        match change {
            Change::Extension { key, new, call, .. } => {
                if let Some(entry) = self.hints.get_mut(key) {
                    entry.state.state = *new;
                    entry.state.ringing = call.clone();
                    entry.templates.clear();
                    self.queue_all(key);
                }
            }
            Change::Presence { key, new, .. } => {
                if let Some(entry) = self.hints.get_mut(key) {
                    entry.state.presence = new.clone();
                    entry.templates.clear();
                    self.queue_all(key);
                }
            }
            Change::HintGone { .. } | Change::Device { .. } | Change::ProviderPresence { .. } => {}
        }
    }

    /// The address of a NOTIFY target, and its name while that is not resolved yet (a name
    /// never seen is queued for the server to resolve; the packet source serves meanwhile).
    fn resolve(&mut self, target: Target) -> (SocketAddr, Option<Box<str>>) {
        match target {
            Target::Addr(addr) => (addr, None),
            Target::Name(name, source) => match self.dns.get(&name) {
                Some(addr) => (*addr, None),
                None if self.dns_pending.contains(&name) => (source, Some(name.into())),
                None if self.dns_failed.contains(&name)
                    || self.dns.len() + self.dns_failed.len() >= limits::MAX_DNS_NAMES
                    || self.dns_pending.len() >= limits::MAX_DNS_LOOKUPS =>
                {
                    // Not resolvable, or no room to ask: the packet source it is.
                    (source, None)
                }
                None => {
                    self.dns_pending.insert(name.clone());
                    self.dns_wanted.push(name.clone());
                    (source, Some(name.into()))
                }
            },
        }
    }

    /// Names the server should resolve (each asked once).
    pub fn take_dns_requests(&mut self) -> Vec<String> {
        std::mem::take(&mut self.dns_wanted)
    }

    /// A name resolved: subscriptions waiting for it send their NOTIFYs there from now on.
    /// A subscription's first NOTIFY waits for its destination.
    pub fn on_resolved(
        &mut self,
        name: &str,
        addr: Option<SocketAddr>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        self.dns_pending.remove(name);
        match addr {
            Some(addr) => {
                self.dns.insert(name.to_string(), addr);
            }
            None => {
                tracing::warn!(%name, "cannot resolve a NOTIFY destination; the packet source is used");
                self.dns_failed.insert(name.to_string());
            }
        }
        let mut first = Vec::new();
        for sub in self.subs.values_mut() {
            if sub.dest_name.as_deref() == Some(name) {
                if let Some(addr) = addr {
                    sub.dest = addr;
                }
                sub.dest_name = None;
                if sub.sent.is_none() && sub.list.as_ref().is_none_or(|l| l.force_full) {
                    first.push(sub.id);
                }
            }
        }
        for id in first {
            self.send_notify(id, None, now, out);
        }
    }

    /// A stream connection closed: the subscriptions bound to it (`prune_on_boot`) end without
    /// a NOTIFY (there is nothing left to send it on).
    pub fn on_transport_closed(&mut self, transport: usize, peer: SocketAddr, now: Now) {
        let gone: Vec<u64> = self
            .subs
            .values()
            .filter(|s| s.prune_on_boot && s.transport == transport && s.source == peer)
            .map(|s| s.id)
            .collect();
        for id in gone {
            tracing::info!(id, %peer, "connection closed; subscription ended");
            self.remove(id, now);
        }
        if self.transports[transport].protocol != Protocol::Udp {
            self.contacts_connection_closed(peer, now);
        }
    }

    /// Whether changes are waiting to be sent.
    pub fn has_backlog(&self) -> bool {
        !self.fanout.is_empty()
    }

    fn terminate_with_fresh_body(&mut self, id: u64, now: Now, out: &mut Vec<Outbound>) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        sub.sent = template_for(&mut self.hints, &sub.key, sub.kind, sub.opts, &sub.exten);
        sub.version = Some(sub.version.map_or(0, |v| v + 1));
        self.terminate(id, End::HintGone, now, out);
    }

    /// Sends the final NOTIFY and removes the subscription.
    fn terminate(&mut self, id: u64, end: End, now: Now, out: &mut Vec<Outbound>) {
        self.send_notify(id, Some(end), now, out);
        self.remove(id, now);
    }

    fn remove(&mut self, id: u64, now: Now) {
        let Some(sub) = self.subs.remove(&id) else {
            return;
        };
        if let Ok(mut table) = self.table.lock() {
            table.remove(&id);
        }
        let dialog: TxKey = (Box::from(&*sub.call_id), sub.local_tag.clone());
        self.dialogs.remove(&dialog);
        let until = now.mono + ENDED_LINGER;
        self.ended.insert(dialog.clone(), until);
        self.ended_order.push_back((until, dialog));
        if let Some(n) = self.per_peer.get_mut(&sub.source.ip()) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_peer.remove(&sub.source.ip());
            }
        }
        let keys = match &sub.list {
            Some(list) => list.keys(),
            None => vec![sub.key.clone()],
        };
        for key in keys {
            let mut gone = false;
            if let Some(entry) = self.hints.get_mut(&key) {
                entry.subs.swap_remove(&id);
                gone = entry.subs.is_empty();
            }
            if gone {
                self.hints.remove(&key);
            }
            self.hints_api.release(&key);
        }
        self.persist.delete(&id.to_string());
    }

    // ---- authentication --------------------------------------------------------------------

    /// Digest authentication of an out-of-dialog request (Asterisk authenticates those only).
    /// Unknown endpoints get the same challenge and never pass (spec: the artificial endpoint).
    fn authenticate(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        endpoint: Option<&Endpoint>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) -> bool {
        let method = msg.method().unwrap_or_default().to_string();
        let creds: Vec<Credentials> = match endpoint {
            Some(ep) => ep
                .auth
                .iter()
                .filter_map(|name| self.config.auths.get(name))
                .map(|a| Credentials {
                    username: a.username.clone(),
                    password: a.password.clone(),
                    realm: if a.realm.is_empty() {
                        self.config.default_realm.clone()
                    } else {
                        a.realm.clone()
                    },
                    algorithms: a
                        .algorithms
                        .iter()
                        .filter_map(|n| crate::sip::auth::Algorithm::from_name(n))
                        .collect(),
                })
                .collect(),
            None => vec![Credentials {
                username: String::new(),
                password: String::new(),
                realm: self.config.default_realm.clone(),
                algorithms: Vec::new(),
            }],
        };
        if endpoint.is_some_and(|ep| ep.auth.is_empty()) {
            return true;
        }
        let mut stale = false;
        if endpoint.is_some() {
            for authorization in msg.all("Authorization") {
                for c in &creds {
                    match self.auth.verify(c, &method, authorization, now.epoch) {
                        Verdict::Ok => return true,
                        v if v.is_stale() => stale = true,
                        _ => {}
                    }
                }
            }
        }
        if msg.header("Authorization").is_some() {
            let user = msg
                .from()
                .map(|f| f.uri.user_name().to_string())
                .unwrap_or_default();
            tracing::warn!(peer = %inb.peer, user = %user, "Request '{method}' failed to authenticate");
        }
        let salt = uuid::Uuid::new_v4().as_u64_pair().0;
        let mut headers = Vec::new();
        for c in &creds {
            for ch in self.auth.challenge(c, stale, now.epoch, salt) {
                headers.push(ch.to_string());
            }
        }
        let extra: Vec<(&str, &str)> = headers
            .iter()
            .map(|h| ("WWW-Authenticate", h.as_str()))
            .collect();
        self.reply(msg, via, inb, 401, "Unauthorized", &extra, None, now, out);
        false
    }

    // ---- persistence -----------------------------------------------------------------------

    fn save(&mut self, id: u64) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        let leaf_versions = sub
            .list
            .as_mut()
            .map(|l| l.leaf_versions())
            .unwrap_or_default();
        let sub = &**sub;
        let record = Record {
            id,
            endpoint: sub.endpoint.to_string(),
            context: sub.context.to_string(),
            exten: sub.exten.to_string(),
            call_id: sub.call_id.to_string(),
            local_tag: sub.local_tag.to_string(),
            remote_tag: sub.remote_tag.to_string(),
            from_hdr: sub.from_hdr.to_string(),
            to_hdr: sub.to_hdr.to_string(),
            target: sub.target.to_string(),
            routes: sub.routes.iter().map(|r| r.to_string()).collect(),
            event: sub.event.to_string(),
            body: sub.kind.content_type().to_string(),
            digium: sub.opts.digium,
            early_inuse_ringing: sub.opts.early_inuse_ringing,
            local_uri: sub.local_uri.to_string(),
            remote_uri: sub.remote_uri.to_string(),
            domain: sub.domain.to_string(),
            transport: self.transports[sub.transport].protocol.as_str().to_string(),
            dest: sub.dest,
            source: sub.source,
            expires_epoch: sub.expires_epoch,
            shown_epoch: sub.shown_epoch,
            granted: sub.granted,
            cseq: sub.cseq_reserved,
            remote_cseq: sub.remote_cseq,
            version: sub.version_reserved,
            list: sub.list.is_some(),
            prune_on_boot: sub.prune_on_boot,
            leaf_versions,
        };
        self.persist.save(&id.to_string(), &record.to_json());
    }

    /// Recreates stored subscriptions after a restart (spec §10): expired ones and ones whose
    /// hint is gone are deleted; the others get a NOTIFY with the current state, no 200.
    pub fn restore(&mut self, records: Vec<Record>, now: Now, out: &mut Vec<Outbound>) -> usize {
        let mut restored = 0;
        for r in records {
            let left = r.expires_epoch.saturating_sub(now.epoch);
            let transport = self
                .transports
                .iter()
                .position(|t| t.protocol.as_str() == r.transport);
            let kind = BodyType::from_mime(&r.body);
            let (Some(transport), Some(kind), true) = (transport, kind, left > 0) else {
                self.persist.delete(&r.id.to_string());
                continue;
            };
            if r.prune_on_boot {
                self.persist.delete(&r.id.to_string());
                continue;
            }
            let (key, states, list) = if r.list {
                let package = r.event.split(';').next().unwrap_or_default().trim();
                let base = Uri::parse(&r.local_uri).ok();
                let built = base
                    .and_then(|base| self.build_list(&r.exten, package, &r.context, &base, None));
                let Some((mut list, states)) = built else {
                    self.persist.delete(&r.id.to_string());
                    continue;
                };
                list.seed_versions(&r.leaf_versions);
                (list_key(&r.exten), states, Some(Box::new(list)))
            } else {
                let Some((key, state)) = self.hints_api.subscribe(&r.context, &r.exten) else {
                    self.persist.delete(&r.id.to_string());
                    continue;
                };
                (key.clone(), vec![(key, state)], None)
            };
            self.next_id = self.next_id.max(r.id + 1);
            let sub = Subscription {
                id: r.id,
                endpoint: intern(&mut self.strings, &r.endpoint),
                key,
                context: r.context.into(),
                exten: r.exten.into(),
                call_id: r.call_id.into(),
                local_tag: r.local_tag.into(),
                remote_tag: r.remote_tag.into(),
                from_hdr: r.from_hdr.into(),
                to_hdr: r.to_hdr.into(),
                target: r.target.into(),
                routes: r.routes.into_iter().map(String::into_boxed_str).collect(),
                event: intern(&mut self.strings, &r.event),
                kind,
                opts: BodyOptions {
                    digium: r.digium,
                    early_inuse_ringing: r.early_inuse_ringing,
                },
                local_uri: r.local_uri.into(),
                remote_uri: r.remote_uri.into(),
                domain: r.domain.into(),
                transport,
                dest: r.dest,
                source: r.source,
                expires_at: now.mono + Duration::from_secs(left),
                expires_epoch: r.expires_epoch,
                shown_epoch: r.shown_epoch,
                granted: r.granted,
                cseq: r.cseq,
                cseq_reserved: r.cseq,
                remote_cseq: r.remote_cseq,
                version: Some(r.version),
                version_reserved: r.version,
                atom_id: random_id().into(),
                sent: None,
                in_flight: false,
                dirty: false,
                queued: false,
                generation: 0,
                list,
                prune_on_boot: false,
                dest_name: None,
            };
            self.install(sub, states, now, out);
            restored += 1;
        }
        restored
    }

    /// The table `pjsip show subscriptions inbound` reads.
    pub fn table(&self) -> InboundTable {
        self.table.clone()
    }

    fn publish_row(&self, id: u64) {
        let Some(s) = self.subs.get(&id) else { return };
        let row = InboundRow {
            endpoint: s.endpoint.clone(),
            resource: s.exten.clone(),
            // The package name without parameters: shared when the header has none.
            event: if s.event.contains(';') {
                s.event.split(';').next().unwrap_or_default().trim().into()
            } else {
                s.event.clone()
            },
            call_id: s.call_id.clone(),
            shown_epoch: s.shown_epoch,
        };
        if let Ok(mut table) = self.table.lock() {
            table.insert(id, row);
        }
    }
}

/// The scheme of a name-addr or addr-spec header value (`"Bob" <tel:+1555>;x` → `tel`),
/// lower-cased; read textually, so URIs the strict parser refuses still have one.
fn uri_scheme(value: &str) -> Option<String> {
    let value = value.trim();
    let inner = match value.find('<') {
        Some(open) => &value[open + 1..],
        None => value,
    };
    let (scheme, _) = inner.split_once(':')?;
    let scheme = scheme.trim();
    (!scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
    .then(|| scheme.to_ascii_lowercase())
}

/// The key a list subscription is filed under (its leaves carry the real hints).
fn list_key(name: &str) -> HintKey {
    HintKey {
        exten: name.into(),
        context: "".into(),
    }
}

/// The template of a hint for a body type and options, built once per change of the hint.
fn template_for(
    hints: &mut HashMap<HintKey, HintEntry>,
    key: &HintKey,
    kind: BodyType,
    opts: BodyOptions,
    exten: &str,
) -> Option<Arc<Template>> {
    let entry = hints.get_mut(key)?;
    if let Some((_, t)) = entry.templates.iter().find(|(k, _)| *k == (kind, opts)) {
        return Some(t.clone());
    }
    let ringing = entry.state.ringing.as_deref().map(|c| body::Ringing {
        // The watched party is rung by the caller of the simulated call.
        caller: body::PartyId {
            number: Some(&c.callee),
            ..Default::default()
        },
        connected: body::PartyId {
            number: c.caller_num.as_deref(),
            name: c.caller_name.as_deref(),
            ..Default::default()
        },
        call_id: Some(&c.call_id),
        local_tag: Some(&c.local_tag),
        remote_tag: Some(&c.remote_tag),
    });
    let snap = HintSnapshot {
        exten,
        state: entry.state.state,
        presence: &entry.state.presence,
        ringing,
        has_device_info: entry.state.has_devices,
    };
    let t = Arc::new(body::build(kind, &snap, opts));
    entry.templates.push(((kind, opts), t.clone()));
    Some(t)
}

/// One shared copy of a short string many subscriptions repeat (bounded: past 10,000 distinct
/// values, new ones are not shared).
fn intern(strings: &mut std::collections::HashSet<Arc<str>>, text: &str) -> Arc<str> {
    if let Some(shared) = strings.get(text) {
        return shared.clone();
    }
    let shared: Arc<str> = text.into();
    if strings.len() < 10_000 {
        strings.insert(shared.clone());
    }
    shared
}

/// Whether NOTIFYs can be sent to this Contact: a SIP URI whose transport, if named, is one
/// dialstate (and the SIP stacks it talks to) know.
fn usable_target(uri: &Uri) -> bool {
    (uri.scheme == "sip" || uri.scheme == "sips")
        && uri.param("transport").is_none_or(|t| {
            ["udp", "tcp", "tls", "sctp", "ws", "wss"]
                .iter()
                .any(|k| t.eq_ignore_ascii_case(k))
        })
}

/// A pjlib-style lowercase GUID made from the process salt and a number.
fn guid(salt: u128, n: u64) -> String {
    let mut out = String::with_capacity(36);
    push_guid(&mut out, salt, n);
    out
}

fn push_guid(out: &mut String, salt: u128, n: u64) {
    let hi = (salt >> 64) as u64;
    let lo = salt as u64 ^ n;
    // `{:08x}-{:04x}-{:04x}-{:04x}-{:012x}` without the formatter (once per NOTIFY).
    push_hex(out, hi >> 32, 8);
    out.push('-');
    push_hex(out, (hi >> 16) & 0xffff, 4);
    out.push('-');
    push_hex(out, hi & 0xffff, 4);
    out.push('-');
    push_hex(out, lo >> 48, 4);
    out.push('-');
    push_hex(out, lo & 0xffff_ffff_ffff, 12);
}

/// Lower-case hex digits, as branches are written.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// The low `digits` hex digits of `value`, lower case, zero-padded.
fn push_hex(out: &mut String, value: u64, digits: u32) {
    for i in (0..digits).rev() {
        out.push(char::from(HEX[((value >> (i * 4)) & 0xf) as usize]));
    }
}

/// `z9hG4bKPj` and a GUID whose last 64 bits carry the branch number (xor the salt).
fn push_branch(out: &mut String, salt: u128, n: u64) {
    out.push_str("z9hG4bKPj");
    push_guid(out, salt, n);
}

/// The branch number of one of our branches; `None` for anybody else's.
fn parse_branch(branch: &str, salt: u128) -> Option<u64> {
    let guid = branch.strip_prefix("z9hG4bKPj")?.as_bytes();
    if guid.len() != 36 {
        return None;
    }
    // What we wrote: the first 19 characters come from the salt alone.
    let hi = (salt >> 64) as u64;
    let mut at = 0;
    for (value, digits) in [(hi >> 32, 8), ((hi >> 16) & 0xffff, 4), (hi & 0xffff, 4)] {
        for i in (0..digits).rev() {
            let want = HEX[((value >> (i * 4)) & 0xf) as usize];
            if guid[at] != want {
                return None;
            }
            at += 1;
        }
        if guid[at] != b'-' {
            return None;
        }
        at += 1;
    }
    if guid[23] != b'-' {
        return None;
    }
    let mut lo = 0u64;
    for &b in guid[19..23].iter().chain(&guid[24..36]) {
        lo = (lo << 4) | u64::from(char::from(b).to_digit(16)?);
    }
    Some(lo ^ salt as u64)
}

fn local_contact(t: LocalTransport) -> String {
    match t.protocol {
        Protocol::Udp => format!("<sip:{}>", t.addr),
        Protocol::Tcp => format!("<sip:{};transport=TCP>", t.addr),
    }
}

/// A Record-Route entry as a Route header value, parameters in pjsip's order (`lr` last).
fn reprint_route(rr: &str) -> Option<String> {
    let na = NameAddr::parse(rr)
        .ok()
        .filter(|na| usable_target(&na.uri))?;
    let mut uri = na.uri.clone();
    let lr = uri.params.iter().any(|(k, _)| k.eq_ignore_ascii_case("lr"));
    uri.params.retain(|(k, _)| !k.eq_ignore_ascii_case("lr"));
    if lr {
        uri.params.push(("lr".to_string(), None));
    }
    Some(format!("<{uri}>"))
}

/// Where NOTIFYs go: the first route, else the Contact; an address that is not an IP literal,
/// or `rewrite_contact`, means the packet source.
fn notify_destination(
    routes: &[Box<str>],
    contact: &Uri,
    source: SocketAddr,
    rewrite: bool,
) -> Target {
    if rewrite {
        return Target::Addr(source);
    }
    let uri = routes
        .first()
        .and_then(|r| NameAddr::parse(r).ok())
        .map(|na| na.uri)
        .unwrap_or_else(|| contact.clone());
    match is_ip(&uri.host) {
        Some(ip) => Target::Addr(SocketAddr::new(ip, uri.port.unwrap_or(5060))),
        None => Target::Name(format!("{}:{}", uri.host, uri.port.unwrap_or(5060)), source),
    }
}

/// Where NOTIFYs go: an address, or a host name to resolve (the packet source until then).
enum Target {
    Addr(SocketAddr),
    Name(String, SocketAddr),
}

/// A 400 for a request that could not be parsed whole, when its Via, Call-ID, From, To and CSeq
/// lines can still be read; `None` (drop) otherwise, and for responses.
pub fn salvage_400(bytes: &[u8], peer: SocketAddr, server: &str) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(limits::MAX_MESSAGE)]);
    let mut lines = text.split("\r\n");
    let first = lines.next()?;
    if first.starts_with("SIP/") || !first.ends_with("SIP/2.0") {
        return None;
    }
    let get = |names: &[&str]| -> Option<String> {
        text.split("\r\n")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                names
                    .iter()
                    .any(|x| n.trim().eq_ignore_ascii_case(x))
                    .then(|| v.trim().to_string())
            })
    };
    let via = Via::parse(
        &crate::sip::message::split_commas(&get(&["Via", "v"])?)
            .into_iter()
            .next()?,
    )?;
    let call_id = get(&["Call-ID", "i"])?;
    let from = get(&["From", "f"])?;
    let to = get(&["To", "t"])?;
    let cseq = get(&["CSeq"])?;
    let mut to = to;
    if !to.contains("tag=") {
        if let Some(branch) = via.branch() {
            to.push_str(";tag=");
            to.push_str(branch);
        }
    }
    if [&call_id, &from, &to, &cseq].iter().any(|v| {
        v.len() > 1024 || v.contains(['\r', '\n']) || v.bytes().any(|b| b < b' ' && b != b'\t')
    }) {
        return None;
    }
    Some(
        Builder::response(400, "Bad Request")
            .header("Via", &via.for_response(peer))
            .header("Call-ID", &call_id)
            .header("From", &from)
            .header("To", &to)
            .header("CSeq", &cseq)
            .header("Server", server)
            .finish(),
    )
}

#[cfg(test)]
mod tests;
