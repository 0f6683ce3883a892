//! Outbound PUBLISH of `asterisk-devicestate` (spec sip-presence.md §11.1, §11.3;
//! res_pjsip_outbound_publish.c with res_pjsip_publish_asterisk.c): every local device change
//! (never a peer's, so two servers never echo a change) goes to each `type=outbound-publish`
//! with `event=asterisk-devicestate` whose `@device_state_filter` matches, one PUBLISH at a
//! time per publisher, with RFC 3903's entity tags: 412 starts over with an initial PUBLISH,
//! 423 adopts Min-Expires, 401/407 answers the challenge with `outbound_auth` up to
//! `max_auth_attempts`. On start the whole local cache is published and each
//! `asterisk-publication` with `devicestate_publish` asks its peer for a refresh; on shutdown
//! the publication is removed (`Expires: 0`).
//!
//! With `event=presence` or `event=dialog` and `@body=<type>` it publishes hint state instead
//! (res_pjsip_exten_state.c's publisher, §11.1): every change of a hint whose context and
//! extension match `@context` and `@exten` is sent as that body, built as for a subscriber with
//! the `from_uri` as local and the `to_uri` as remote URI, without device detail, the
//! dialog-info version counting per publisher.
//!
//! dialstate refreshes 5 s before the publication expires (Asterisk refreshes only when the
//! whole `expiration` has passed, racing the server's expiry).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sip::body::{self, BodyOptions, BodyType, HintSnapshot, Slots};
use crate::sip::config::{OutboundPublish, Protocol};
use crate::sip::limits;
use crate::sip::message::Message;
use crate::sip::publish::{self, DEVICESTATE_EVENT};
use crate::sip::uri::Uri;
use crate::state::{DeviceState, HintKey};

use super::{Notifier, Now, Outbound};

/// What one PUBLISH carries.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Send {
    /// A body and its Content-Type.
    Body(&'static str, String),
    /// A body-less refresh of the publication.
    Refresh,
    /// `Expires: 0`.
    Remove,
}

/// One publisher's state machine.
#[derive(Debug)]
pub(super) struct Publisher {
    conf: OutboundPublish,
    /// Hint state publishing: the body type, and the dialog-info version of the next body.
    hint_body: Option<BodyType>,
    version: u64,
    dest: Option<SocketAddr>,
    call_id: String,
    cseq: u32,
    etag: Option<String>,
    expires: u32,
    queue: VecDeque<Send>,
    /// The request in flight: what it carries, its branch number, its bytes (UDP resends),
    /// the next resend and the give-up time.
    in_flight: Option<InFlight>,
    auth_attempts: u32,
    /// The challenge answered (header to answer with, challenge text) and the nonce count of
    /// its last use: each PUBLISH answers it again with the next count.
    auth: Option<(&'static str, String)>,
    nc: u32,
    refresh_due: Option<Instant>,
    /// The last body sent (resent when a hint publisher's refresh meets a 412).
    last_body: Option<Send>,
}

#[derive(Debug)]
struct InFlight {
    send: Send,
    branch: u64,
    bytes: Arc<Vec<u8>>,
    interval: Duration,
    next: Instant,
    deadline: Instant,
}

/// Resolves `sip:host[:port]` once at start (numeric hosts need no DNS).
fn destination(uri: &str) -> Option<SocketAddr> {
    let uri = Uri::parse(uri.trim_start_matches('<').trim_end_matches('>')).ok()?;
    let host = uri.host.trim_start_matches('[').trim_end_matches(']');
    (host, uri.port.unwrap_or(5060))
        .to_socket_addrs()
        .ok()?
        .next()
}

fn angle(uri: &str) -> String {
    if uri.starts_with('<') {
        uri.to_string()
    } else {
        format!("<{uri}>")
    }
}

impl Publisher {
    pub(super) fn new(conf: OutboundPublish, seed: u128) -> Publisher {
        let dest = destination(&conf.server_uri);
        if dest.is_none() {
            tracing::error!(publish = %conf.name, uri = %conf.server_uri, "outbound publish: server_uri does not resolve; nothing is published");
        }
        Publisher {
            hint_body: None,
            version: 0,
            expires: conf.expiration,
            conf,
            dest,
            call_id: format!("{}", uuid::Uuid::from_u128(seed)),
            cseq: (seed % 0xffff) as u32,
            etag: None,
            queue: VecDeque::new(),
            in_flight: None,
            auth_attempts: 0,
            auth: None,
            nc: 0,
            refresh_due: None,
            last_body: None,
        }
    }

    /// Whether this is a hint-state publisher whose `@context` and `@exten` match `key`.
    fn publishes(&self, key: &HintKey) -> bool {
        self.hint_body.is_some()
            && self
                .conf
                .context_filter
                .as_ref()
                .is_none_or(|re| re.is_match(&key.context))
            && self
                .conf
                .exten_filter
                .as_ref()
                .is_none_or(|re| re.is_match(&key.exten))
    }

    fn wants(&self, device: &str) -> bool {
        self.hint_body.is_none()
            && self.conf.event == DEVICESTATE_EVENT
            && self
                .conf
                .device_state_filter
                .as_ref()
                .is_none_or(|re| re.is_match(device))
    }
}

const JSON: &str = "application/json";

impl Notifier {
    /// Whether any publisher sends hint state (the notifier then looks at every hint change).
    pub(super) fn publishes_hints(&self) -> bool {
        self.publishers.iter().any(|p| p.hint_body.is_some())
    }

    /// A hint changed: each hint-state publisher whose `@context` and `@exten` match sends
    /// its body.
    pub(super) fn publish_hint(&mut self, key: &HintKey, now: Now, out: &mut Vec<Outbound>) {
        self.queue_hint(key);
        self.pump_publishers(now, out);
    }

    fn queue_hint(&mut self, key: &HintKey) {
        self.queue_hint_for(key, None);
    }

    /// Queues `key`'s body on every matching hint publisher, or only on publisher `only`.
    fn queue_hint_for(&mut self, key: &HintKey, only: Option<usize>) {
        let wanted: Vec<usize> = self
            .publishers
            .iter()
            .enumerate()
            .filter(|(at, p)| only.is_none_or(|o| o == *at) && p.publishes(key))
            .map(|(at, _)| at)
            .collect();
        if wanted.is_empty() {
            return;
        }
        let Some(state) = self.hints_api.peek(key) else {
            return;
        };
        for at in wanted {
            let p = &mut self.publishers[at];
            let Some(kind) = p.hint_body else { continue };
            let snap = HintSnapshot {
                exten: &key.exten,
                state: state.state,
                presence: &state.presence,
                ringing: None,
                has_device_info: false,
            };
            let template = body::build(kind, &snap, BodyOptions::default());
            let domain = Uri::parse(
                p.conf
                    .from_uri
                    .trim_start_matches('<')
                    .trim_end_matches('>'),
            )
            .map(|u| u.host)
            .unwrap_or_default();
            let text = template.render(&Slots {
                local_uri: p
                    .conf
                    .from_uri
                    .trim_start_matches('<')
                    .trim_end_matches('>'),
                remote_uri: p.conf.to_uri.trim_start_matches('<').trim_end_matches('>'),
                domain: &domain,
                version: p.version,
                atom_id: &super::random_id(),
            });
            p.version += 1;
            if p.queue.len() >= limits::MAX_PUBLISH_QUEUE {
                p.queue.pop_front();
            }
            p.queue.push_back(Send::Body(kind.content_type(), text));
        }
    }

    /// The publishers of this configuration (called once, at start).
    pub(super) fn publishers_from_config(&mut self) {
        let confs = self.config.outbound_publishes.clone();
        for conf in confs {
            let hint_body = match conf.event.as_str() {
                DEVICESTATE_EVENT => None,
                "presence" | "dialog" => {
                    let body = conf.body.as_deref().and_then(BodyType::from_mime);
                    let fits = match (conf.event.as_str(), body) {
                        ("dialog", Some(BodyType::DialogInfo)) => true,
                        ("presence", Some(b)) => b != BodyType::DialogInfo,
                        _ => false,
                    };
                    if !fits {
                        tracing::error!(publish = %conf.name, event = %conf.event, body = ?conf.body, "outbound publish needs an @body of its event package; skipped");
                        continue;
                    }
                    body
                }
                other => {
                    tracing::warn!(publish = %conf.name, event = %other, "outbound publish of this event is not supported; skipped");
                    continue;
                }
            };
            let seed = uuid::Uuid::new_v4().as_u128();
            let mut publisher = Publisher::new(conf, seed);
            publisher.hint_body = hint_body;
            self.publishers.push(publisher);
        }
    }

    /// Start of publishing: the whole local cache to every publisher, and a refresh request to
    /// each peer we publish to through an `asterisk-publication`.
    pub fn start_publishing(&mut self, now: Now, out: &mut Vec<Outbound>) {
        if self.publishers.is_empty() {
            return;
        }
        let devices = self.hints_api.local_devices();
        for (device, state) in devices {
            self.queue_device(&device, state);
        }
        // A hint-state publisher whose filters select exactly one hint starts with its state
        // (one publication holds one body: with several hints, each change overwrites the last,
        // so a start-up burst would only leave an arbitrary one).
        if self.publishes_hints() {
            let keys = self.hints_api.all_hints();
            for at in 0..self.publishers.len() {
                let matching: Vec<&HintKey> = keys
                    .iter()
                    .filter(|k| self.publishers[at].publishes(k))
                    .collect();
                if let [only] = matching[..] {
                    let only = only.clone();
                    self.queue_hint_for(&only, Some(at));
                }
            }
        }
        let eid = self.eid;
        let names: Vec<String> = self
            .config
            .asterisk_publications
            .values()
            .filter_map(|p| p.devicestate_publish.clone())
            .collect();
        for name in names {
            if let Some(p) = self.publishers.iter_mut().find(|p| p.conf.name == name) {
                p.queue.push_back(Send::Body(
                    JSON,
                    publish::Message::Refresh { eid }.to_json(),
                ));
            }
        }
        self.pump_publishers(now, out);
    }

    /// A local device announcement from the state engine.
    pub fn on_local_device(
        &mut self,
        device: &str,
        state: DeviceState,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        self.queue_device(device, state);
        self.pump_publishers(now, out);
    }

    fn queue_device(&mut self, device: &str, state: DeviceState) {
        let body = publish::Message::DeviceState {
            device: device.to_string(),
            state,
            cachable: true,
            eid: self.eid,
        }
        .to_json();
        for p in self.publishers.iter_mut().filter(|p| p.wants(device)) {
            if p.queue.len() >= limits::MAX_PUBLISH_QUEUE {
                tracing::warn!(publish = %p.conf.name, "outbound publish queue full; oldest change dropped");
                p.queue.pop_front();
            }
            p.queue.push_back(Send::Body(JSON, body.clone()));
        }
    }

    /// A peer asked for our cache (`refresh`): resend it through publisher `name`.
    pub(super) fn resend_cache(&mut self, name: &str) -> bool {
        let Some(at) = self.publishers.iter().position(|p| p.conf.name == name) else {
            return false;
        };
        let eid = self.eid;
        let devices = self.hints_api.local_devices();
        let p = &mut self.publishers[at];
        for (device, state) in devices {
            if p.wants(&device) && p.queue.len() < limits::MAX_PUBLISH_QUEUE {
                p.queue.push_back(Send::Body(
                    JSON,
                    publish::Message::DeviceState {
                        device,
                        state,
                        cachable: true,
                        eid,
                    }
                    .to_json(),
                ));
            }
        }
        true
    }

    /// Removes every publication (shutdown).
    pub fn stop_publishing(&mut self, now: Now, out: &mut Vec<Outbound>) {
        for at in 0..self.publishers.len() {
            let p = &mut self.publishers[at];
            p.queue.clear();
            p.in_flight = None;
            if p.etag.is_some() {
                self.send_publish(at, Send::Remove, now, out);
            }
        }
    }

    /// Sends the next queued PUBLISH of every idle publisher.
    pub(super) fn pump_publishers(&mut self, now: Now, out: &mut Vec<Outbound>) {
        for at in 0..self.publishers.len() {
            let p = &mut self.publishers[at];
            if p.in_flight.is_some() || p.dest.is_none() {
                continue;
            }
            if let Some(send) = p.queue.pop_front() {
                self.send_publish(at, send, now, out);
            }
        }
    }

    fn send_publish(&mut self, at: usize, send: Send, now: Now, out: &mut Vec<Outbound>) {
        let Some(transport) = self
            .transports
            .iter()
            .position(|t| t.protocol == Protocol::Udp)
        else {
            return;
        };
        let local = self.transports[transport];
        self.next_branch += 1;
        let branch = self.next_branch;
        let user_agent = self.config.user_agent.clone();
        let creds = self.outbound_creds(at);
        let salt = self.salt;
        let tag = super::random_id();
        let p = &mut self.publishers[at];
        let Some(dest) = p.dest else {
            return;
        };
        p.cseq = p.cseq.wrapping_add(1);
        // Without an entity tag there is nothing to refresh or remove: publish the body anew.
        let send = match (&send, &p.etag) {
            (Send::Refresh | Send::Remove, None) => return,
            _ => send,
        };
        let mut text = String::with_capacity(512);
        let _ = write!(
            text,
            "PUBLISH {} SIP/2.0\r\nVia: SIP/2.0/UDP {};rport;branch=",
            p.conf.server_uri, local.addr
        );
        super::push_branch(&mut text, salt, branch);
        let _ = write!(
            text,
            "\r\nMax-Forwards: 70\r\nFrom: {};tag={tag}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} PUBLISH\r\n",
            angle(&p.conf.from_uri),
            angle(&p.conf.to_uri),
            p.call_id,
            p.cseq
        );
        if let (Some((header, challenge)), Some((user, pass))) = (&p.auth, creds.first()) {
            p.nc += 1;
            let cnonce = &super::random_id()[..8];
            if let Ok(a) = crate::sip::auth::respond(
                challenge,
                "PUBLISH",
                &p.conf.server_uri,
                user,
                pass,
                cnonce,
                p.nc,
            ) {
                let _ = write!(text, "{header}: {a}\r\n");
            }
        }
        let _ = write!(text, "Event: {}\r\n", p.conf.event);
        if let Some(etag) = &p.etag {
            let _ = write!(text, "SIP-If-Match: {etag}\r\n");
        }
        let expires = if send == Send::Remove { 0 } else { p.expires };
        let _ = write!(text, "Expires: {expires}\r\nUser-Agent: {user_agent}\r\n");
        match &send {
            Send::Body(content_type, body) => {
                let _ = write!(
                    text,
                    "Content-Type: {content_type}\r\nContent-Length: {:>5}\r\n\r\n{body}",
                    body.len()
                );
            }
            Send::Refresh | Send::Remove => text.push_str("Content-Length:     0\r\n\r\n"),
        }
        let bytes = Arc::new(text.into_bytes());
        if let Send::Body(..) = &send {
            p.last_body = Some(send.clone());
        }
        p.in_flight = Some(InFlight {
            send,
            branch,
            bytes: bytes.clone(),
            interval: Duration::from_millis(limits::T1_MS),
            next: now.mono + Duration::from_millis(limits::T1_MS),
            deadline: now.mono + Duration::from_millis(limits::TIMER_F_MS),
        });
        p.refresh_due = None;
        self.publish_branches.insert(branch, at);
        out.push(Outbound {
            transport,
            peer: dest,
            bytes,
        });
    }

    /// A response to one of our PUBLISHes.
    pub(super) fn on_publish_response(
        &mut self,
        branch: u64,
        bytes: &[u8],
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let Some(&at) = self.publish_branches.get(&branch) else {
            return;
        };
        let Ok(msg) = Message::parse(bytes) else {
            return;
        };
        let Some(code) = msg.code() else { return };
        if code < 200 {
            return;
        }
        self.publish_branches.remove(&branch);
        let p = &mut self.publishers[at];
        let Some(flight) = p.in_flight.take() else {
            return;
        };
        if flight.branch != branch {
            p.in_flight = Some(flight);
            return;
        }
        let retry = |p: &mut Publisher, send: Send| p.queue.push_front(send);
        let mut resend_cache = false;
        match code {
            200..=299 => {
                p.auth_attempts = 0;
                p.etag = msg.header("SIP-ETag").map(str::to_string);
                if flight.send == Send::Remove {
                    p.etag = None;
                }
            }
            412 => {
                // The peer lost our publication: start over with a fresh initial PUBLISH. A
                // device-state peer gets our whole cache again (it forgot all of it).
                tracing::info!(publish = %p.conf.name, "412 to PUBLISH; publishing anew");
                p.etag = None;
                p.call_id = uuid::Uuid::new_v4().to_string();
                if p.hint_body.is_none() {
                    resend_cache = flight.send != Send::Remove;
                } else {
                    match flight.send {
                        Send::Body(..) => retry(p, flight.send),
                        Send::Refresh => {
                            if let Some(last) = p.last_body.take() {
                                retry(p, last);
                            }
                        }
                        Send::Remove => {}
                    }
                }
            }
            423 => match msg
                .header("Min-Expires")
                .and_then(|v| v.trim().parse::<u32>().ok())
            {
                Some(min) if min > 0 => {
                    p.expires = min;
                    retry(p, flight.send);
                }
                _ => {
                    tracing::error!(publish = %p.conf.name, "423 without a usable Min-Expires; PUBLISH given up")
                }
            },
            401 | 407 => {
                let (header, answer) = if code == 401 {
                    ("WWW-Authenticate", "Authorization")
                } else {
                    ("Proxy-Authenticate", "Proxy-Authorization")
                };
                p.auth_attempts += 1;
                match msg.header(header) {
                    Some(ch) if p.auth_attempts <= p.conf.max_auth_attempts => {
                        p.auth = Some((answer, ch.to_string()));
                        p.nc = 0;
                        retry(p, flight.send);
                    }
                    _ => {
                        tracing::error!(publish = %p.conf.name, "PUBLISH not authorized; given up")
                    }
                }
            }
            _ => {
                tracing::warn!(publish = %p.conf.name, code, "PUBLISH refused; this change is dropped")
            }
        }
        Self::schedule_refresh(p, now);
        if resend_cache {
            let name = p.conf.name.clone();
            self.resend_cache(&name);
        }
        self.pump_publishers(now, out);
    }

    /// After a final answer or a timeout: a live publication is refreshed 5 s before it expires.
    fn schedule_refresh(p: &mut Publisher, now: Now) {
        if p.etag.is_some() {
            let secs = u64::from(p.expires).saturating_sub(5).max(5);
            p.refresh_due = Some(now.mono + Duration::from_secs(secs));
        }
    }

    /// The `outbound_auth` credentials of publisher `at`.
    fn outbound_creds(&self, at: usize) -> Vec<(String, String)> {
        self.publishers[at]
            .conf
            .outbound_auth
            .iter()
            .filter_map(|n| self.config.auths.get(n))
            .map(|a| (a.username.clone(), a.password.clone()))
            .collect()
    }

    /// Retransmissions, timeouts and refreshes of outbound PUBLISHes.
    pub(super) fn publisher_timers(&mut self, now: Now, out: &mut Vec<Outbound>) {
        let mut any = false;
        for p in &mut self.publishers {
            let Some(flight) = &mut p.in_flight else {
                continue;
            };
            if now.mono >= flight.deadline {
                tracing::info!(publish = %p.conf.name, "No response received for outbound publish");
                self.publish_branches.remove(&flight.branch);
                p.in_flight = None;
                Self::schedule_refresh(p, now);
                any = true;
            } else if now.mono >= flight.next {
                flight.interval = (flight.interval * 2).min(Duration::from_millis(limits::T2_MS));
                flight.next = (now.mono + flight.interval).min(flight.deadline);
                if let Some(dest) = p.dest {
                    if let Some(transport) = self
                        .transports
                        .iter()
                        .position(|t| t.protocol == Protocol::Udp)
                    {
                        out.push(Outbound {
                            transport,
                            peer: dest,
                            bytes: flight.bytes.clone(),
                        });
                    }
                }
            }
        }
        for p in &mut self.publishers {
            if p.refresh_due.is_some_and(|due| due <= now.mono) {
                p.refresh_due = None;
                if p.queue.is_empty() && p.in_flight.is_none() {
                    p.queue.push_back(Send::Refresh);
                    any = true;
                }
            }
        }
        if any {
            self.pump_publishers(now, out);
        }
    }

    /// The earliest publisher deadline.
    pub(super) fn publisher_deadline(&self) -> Option<Instant> {
        let flights = self
            .publishers
            .iter()
            .filter_map(|p| p.in_flight.as_ref().map(|f| f.next.min(f.deadline)));
        let refresh = self.publishers.iter().filter_map(|p| p.refresh_due);
        flights.chain(refresh).min()
    }
}
