//! Inbound PUBLISH (spec sip-presence.md §11.2, §11.3): the event state compositor for
//! `asterisk-devicestate`. A publication is found by its entity tag; an initial PUBLISH needs a
//! `type=inbound-publication` named by the Request-URI user with an
//! `event_asterisk-devicestate` line naming a `type=asterisk-publication`. Device states from
//! the body enter the state engine under the sender's EID (state.md §1.7).
//!
//! Where dialstate does better than Asterisk (README): a body carrying our own EID is refused
//! (a loop), and a publication that expires or is removed withdraws the states its server
//! announced, so a server that went away stops holding devices busy.

use std::cmp::Reverse;
use std::time::{Duration, Instant};

use crate::sip::message::{Message, Via};
use crate::sip::publish::{self, Kind, DEVICESTATE_EVENT};
use crate::state::Eid;

use super::{Inbound, Notifier, Now, Outbound};

/// One live publication.
#[derive(Debug, Clone)]
pub(super) struct Publication {
    /// The `asterisk-publication` that governs it.
    config: String,
    /// The endpoint that made it (only it may refresh, modify or remove it).
    endpoint: String,
    expires_at: Instant,
    /// The server whose states it carried.
    eid: Option<Eid>,
}

/// Why an asterisk-devicestate body was not applied.
enum Refused {
    /// Asterisk's handler failure (500 on an initial PUBLISH).
    Failed(String),
    /// Our own EID: a loop between servers.
    Loop,
}

impl Notifier {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_publish(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        // Out-of-dialog: identified and authenticated first, as pjsip's distributor does.
        let user = msg
            .from()
            .map(|f| f.uri.user_name().to_string())
            .unwrap_or_default();
        let endpoint = self.config.endpoints.get(&user).cloned();
        if !self.authenticate(msg, via, inb, endpoint.as_ref(), now, out) {
            return;
        }
        let Some(endpoint) = endpoint else {
            return;
        };
        let event = msg
            .header("Event")
            .map(|e| e.split(';').next().unwrap_or_default().trim().to_string());
        if event.as_deref() != Some(DEVICESTATE_EVENT) {
            self.refuse(msg, via, inb, 489, now, out);
            return;
        }
        let expires = match msg.expires() {
            Ok(v) => v,
            Err(_) => {
                self.refuse(msg, via, inb, 400, now, out);
                return;
            }
        };
        let Some(kind) =
            publish::classify(expires, msg.header("SIP-If-Match"), !msg.body.is_empty())
        else {
            self.refuse(msg, via, inb, 400, now, out);
            return;
        };
        let expires = expires.unwrap_or(3600);
        let old_tag = match kind {
            Kind::Refresh(t) | Kind::Modify(t) | Kind::Remove(Some(t)) => Some(t),
            Kind::Initial | Kind::Remove(None) => None,
        };
        let config = if kind == Kind::Initial {
            if self.publications.len() >= crate::sip::limits::MAX_PUBLICATIONS {
                tracing::warn!(peer = %inb.peer, "publication limit reached");
                let retry = [("Retry-After", "60")];
                self.reply(
                    msg,
                    via,
                    inb,
                    503,
                    "Service Unavailable",
                    &retry,
                    None,
                    now,
                    out,
                );
                return;
            }
            let Some(ruri) = self.sip_request_uri(msg, via, inb, now, out) else {
                return;
            };
            let resource = ruri.user_name().to_string();
            let Some(publication) = self.config.inbound_publications.get(&resource) else {
                self.refuse(msg, via, inb, 404, now, out);
                return;
            };
            if publication
                .endpoint
                .as_deref()
                .is_some_and(|ep| ep != endpoint.name)
            {
                self.refuse(msg, via, inb, 403, now, out);
                return;
            }
            let config = publication.events.get(DEVICESTATE_EVENT).cloned();
            let Some(config) = config.filter(|c| self.config.asterisk_publications.contains_key(c))
            else {
                self.refuse(msg, via, inb, 404, now, out);
                return;
            };
            config
        } else {
            // A publication belongs to the endpoint that made it: another one guessing its
            // entity tag gets 412 as if it did not exist (dialstate; Asterisk does not check).
            let owned = old_tag
                .and_then(|t| self.publications.get(&t))
                .filter(|p| p.endpoint == endpoint.name);
            match owned {
                Some(p) => p.config.clone(),
                None => {
                    self.refuse(msg, via, inb, 412, now, out);
                    return;
                }
            }
        };
        let mut publication = old_tag
            .and_then(|t| self.publications.remove(&t))
            .unwrap_or(Publication {
                config: config.clone(),
                endpoint: endpoint.name.clone(),
                expires_at: now.mono,
                eid: None,
            });
        if let Kind::Remove(_) = kind {
            self.withdraw(&publication);
            self.publish_ok(msg, via, inb, 0, now, out);
            return;
        }
        if !msg.body.is_empty() {
            match self.apply_devicestate(msg, &config, &mut publication) {
                Ok(()) => {}
                Err(Refused::Loop) => {
                    tracing::warn!(peer = %inb.peer, "PUBLISH carries our own EID (a loop between servers) or another server's than its publication; refused");
                    if let Some(tag) = old_tag {
                        // The publication stays as it was.
                        self.publications.insert(tag, publication);
                    }
                    self.refuse(msg, via, inb, 400, now, out);
                    return;
                }
                Err(Refused::Failed(why)) => {
                    tracing::warn!(peer = %inb.peer, error = %why, "asterisk-devicestate PUBLISH not applied");
                    if kind == Kind::Initial {
                        self.refuse(msg, via, inb, 500, now, out);
                    } else {
                        // Asterisk answers 200 and drops the publication (the next PUBLISH
                        // gets 412).
                        self.withdraw(&publication);
                        self.publish_ok(msg, via, inb, expires, now, out);
                    }
                    return;
                }
            }
        }
        let tag = self.publish_ok(msg, via, inb, expires, now, out);
        publication.expires_at = now.mono + Duration::from_secs(u64::from(expires));
        self.pub_expiry.push(Reverse((publication.expires_at, tag)));
        self.publications.insert(tag, publication);
        if self.pub_expiry.len() > 2 * self.publications.len() + 1024 {
            // Entries of refreshed or removed publications: keep only the live ones.
            let live = &self.publications;
            let keep: Vec<Reverse<(Instant, u32)>> = std::mem::take(&mut self.pub_expiry)
                .into_iter()
                .filter(|Reverse((when, tag))| live.get(tag).is_some_and(|p| p.expires_at == *when))
                .collect();
            self.pub_expiry = keep.into_iter().collect();
        }
        // A `refresh` from the peer queued our cache for it.
        self.pump_publishers(now, out);
    }

    /// The 200 OK to a PUBLISH: the next entity tag (Asterisk's one counter, from 0) and the
    /// Expires asked for. Returns the tag.
    fn publish_ok(
        &mut self,
        msg: &Message,
        via: &Via,
        inb: Inbound<'_>,
        expires: u32,
        now: Now,
        out: &mut Vec<Outbound>,
    ) -> u32 {
        let tag = self.etag;
        self.etag = self.etag.wrapping_add(1);
        let (etag, e) = (tag.to_string(), expires.to_string());
        let extra = [("SIP-ETag", etag.as_str()), ("Expires", e.as_str())];
        self.reply(msg, via, inb, 200, "OK", &extra, None, now, out);
        tag
    }

    fn apply_devicestate(
        &mut self,
        msg: &Message,
        config: &str,
        publication: &mut Publication,
    ) -> Result<(), Refused> {
        let content_type = msg.header("Content-Type").unwrap_or_default();
        let body = publish::Message::parse(content_type, &msg.body)
            .map_err(|e| Refused::Failed(e.to_string()))?;
        let Some(settings) = self.config.asterisk_publications.get(config).cloned() else {
            return Err(Refused::Failed(format!(
                "no asterisk-publication `{config}`"
            )));
        };
        match body {
            publish::Message::DeviceState {
                device, state, eid, ..
            } => {
                if eid == self.eid || publication.eid.is_some_and(|e| e != eid) {
                    return Err(Refused::Loop);
                }
                publication.eid = Some(eid);
                if !settings.device_state {
                    return Ok(());
                }
                if settings
                    .device_state_filter
                    .as_ref()
                    .is_some_and(|re| !re.is_match(&device))
                {
                    return Ok(());
                }
                tracing::debug!(%device, state = state.as_str(), %eid, "device state from a peer");
                self.hints_api.set_remote_device(&device, eid, state);
                Ok(())
            }
            publish::Message::Refresh { eid } => {
                if eid == self.eid || publication.eid.is_some_and(|e| e != eid) {
                    return Err(Refused::Loop);
                }
                publication.eid = Some(eid);
                if let Some(name) = settings.devicestate_publish {
                    if !self.resend_cache(&name) {
                        tracing::error!(publication = %config, publish = %name, "Received refresh request for devicestate but the publish is not available");
                    }
                }
                Ok(())
            }
        }
    }

    /// The states a publication's server announced are withdrawn (it expired or was removed).
    fn withdraw(&mut self, publication: &Publication) {
        if let Some(eid) = publication.eid {
            // Only when no other live publication speaks for the same server.
            if !self.publications.values().any(|p| p.eid == Some(eid)) {
                self.hints_api.forget_remote(eid);
            }
        }
    }

    /// Publications whose time is up.
    pub(super) fn expire_publications(&mut self, now: Now) {
        while let Some(Reverse((when, _))) = self.pub_expiry.peek() {
            if *when > now.mono {
                break;
            }
            let Some(Reverse((when, tag))) = self.pub_expiry.pop() else {
                break;
            };
            if self
                .publications
                .get(&tag)
                .is_some_and(|p| p.expires_at == when)
            {
                if let Some(p) = self.publications.remove(&tag) {
                    tracing::info!(etag = tag, "publication expired");
                    self.withdraw(&p);
                }
            }
        }
    }
}
