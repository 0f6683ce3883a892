//! REGISTER (res_pjsip_registrar.c): the endpoint is identified by the From user and
//! authenticated as for SUBSCRIBE; the AOR is the To user, one of the endpoint's `aors`. The
//! registrar applies the bindings; the 200 OK lists the AOR's contacts with their remaining
//! seconds and a `Date`. An endpoint is online (`PJSIP/<name>` NOT_INUSE) while any of its AORs
//! has a contact, UNAVAILABLE otherwise (qualify not modelled: contacts count as reachable, as
//! Asterisk's unqualified `NonQual` contacts do).

use std::time::Duration;

use crate::sip::config::Protocol;
use crate::sip::message::{split_commas, Message, Via};
use crate::sip::registrar::{self, Binding, Contact};
use crate::sip::uri::NameAddr;
use crate::state::DeviceState;

use super::{Inbound, Notifier, Now, Outbound};

/// `Date:` as Asterisk prints it (`%a, %d %b %Y %T GMT`).
pub(super) fn http_date(epoch: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch / 86_400;
    let secs = epoch % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

impl Notifier {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_register(
        &mut self,
        msg: &Message,
        via: &Via,
        from: &NameAddr,
        to: &NameAddr,
        inb: Inbound<'_>,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let user = from.uri.user_name().to_string();
        let endpoint = self.config.endpoints.get(&user).cloned();
        if !self.authenticate(msg, via, inb, endpoint.as_ref(), now, out) {
            return;
        }
        let Some(endpoint) = endpoint else {
            return;
        };
        if endpoint.aors.is_empty() {
            tracing::warn!(endpoint = %endpoint.name, peer = %inb.peer, "Endpoint has no configured AORs");
            self.refuse(msg, via, inb, 403, now, out);
            return;
        }
        let name = to.uri.user_name().to_string();
        let aor = endpoint
            .aors
            .contains(&name)
            .then(|| self.config.aors.get(&name).cloned())
            .flatten();
        let Some(aor) = aor else {
            tracing::warn!(aor = %name, endpoint = %endpoint.name, peer = %inb.peer, "AOR not found for endpoint");
            self.refuse(msg, via, inb, 404, now, out);
            return;
        };
        if aor.max_contacts == 0 {
            tracing::warn!(aor = %aor.name, endpoint = %endpoint.name, "AOR has no configured max_contacts; unable to register");
            self.refuse(msg, via, inb, 403, now, out);
            return;
        }
        let header_expires = match msg.expires() {
            Ok(v) => v,
            Err(_) => {
                self.refuse(msg, via, inb, 400, now, out);
                return;
            }
        };
        let mut bindings = Vec::new();
        for value in msg.all("Contact").flat_map(split_commas) {
            if value.trim() == "*" {
                bindings.push(Binding::Star);
                continue;
            }
            let Ok(contact) = NameAddr::parse(&value) else {
                self.refuse(msg, via, inb, 400, now, out);
                return;
            };
            if contact.uri.scheme != "sip" && contact.uri.scheme != "sips" {
                self.refuse(msg, via, inb, 416, now, out);
                return;
            }
            let expires = contact
                .params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("expires"))
                .and_then(|(_, v)| v.as_deref());
            let expires = match expires.map(str::parse::<u32>) {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(_)) => {
                    self.refuse(msg, via, inb, 400, now, out);
                    return;
                }
            };
            bindings.push(Binding::Uri {
                uri: contact.uri.to_string(),
                expires,
            });
        }
        let now_ms = now.epoch * 1000;
        let stream = (self.transports[inb.transport].protocol != Protocol::Udp).then_some(inb.peer);
        let mut view = self.registrar();
        let result = view.registrar.register(
            &aor,
            &bindings,
            header_expires,
            &endpoint.name,
            msg.header("User-Agent").unwrap_or_default(),
            msg.call_id().unwrap_or_default(),
            stream,
            now_ms,
        );
        let live: Vec<Contact> = view.registrar.contacts(&aor.name).to_vec();
        drop(view);
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(refusal) => {
                if refusal.code == 403 {
                    tracing::warn!(endpoint = %endpoint.name, aor = %aor.name, max = aor.max_contacts, "Registration attempt will exceed max contacts");
                }
                self.reply(
                    msg,
                    via,
                    inb,
                    refusal.code,
                    refusal.reason,
                    &[],
                    None,
                    now,
                    out,
                );
                return;
            }
        };
        for c in &outcome.removed {
            tracing::info!(contact = %c.uri, aor = %c.aor, "Removed contact");
            self.persist.delete_in(registrar::FAMILY, &c.id());
        }
        for c in &outcome.saved {
            self.persist
                .save_in(registrar::FAMILY, &c.id(), &c.to_json());
        }
        // The 200 OK: Date, every contact of the AOR with its remaining seconds, Expires when
        // the request had one.
        let date = http_date(now.epoch);
        let contacts: Vec<String> = aor
            .static_contacts
            .iter()
            .map(|uri| format!("<{uri}>"))
            .chain(live.iter().map(|c| {
                let left = c.expires_ms.saturating_sub(now_ms) / 1000;
                format!("<{}>;expires={}", c.uri, left.saturating_sub(1))
            }))
            .collect();
        let expires =
            header_expires.map(|e| registrar::expiration(&aor, None, Some(e)).to_string());
        let mut extra: Vec<(&str, &str)> = vec![("Date", &date)];
        for c in &contacts {
            extra.push(("Contact", c));
        }
        if let Some(e) = &expires {
            extra.push(("Expires", e));
        }
        self.reply(msg, via, inb, 200, "OK", &extra, None, now, out);
        self.registrations_changed(now, Some(&aor.name));
    }

    /// The registrar, locked (the console only takes this lock to list).
    fn registrar(&self) -> std::sync::MutexGuard<'_, registrar::View> {
        self.reg_view
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// After contacts changed (of `aor`, or of any): the expiry check, and the
    /// `PJSIP/<endpoint>` device of every endpoint whose online state flipped.
    pub(super) fn registrations_changed(&mut self, now: Now, aor: Option<&str>) {
        let view = self.registrar();
        // Expiry is checked every second while contacts exist (Asterisk: every 30 s).
        let any = !view.registrar.is_empty();
        let endpoints: Vec<String> = match aor {
            Some(aor) => self.aor_endpoints.get(aor).cloned().unwrap_or_default(),
            None => self.config.endpoints.keys().cloned().collect(),
        };
        let mut flips = Vec::new();
        for name in endpoints {
            let Some(ep) = self.config.endpoints.get(&name) else {
                continue;
            };
            if ep.aors.is_empty() {
                continue;
            }
            let online = view.registrar.any(&ep.aors)
                || ep.aors.iter().any(|a| {
                    self.config
                        .aors
                        .get(a)
                        .is_some_and(|a| !a.static_contacts.is_empty())
                });
            if online != self.online.contains(&ep.name) {
                flips.push((ep.name.clone(), online));
            }
        }
        drop(view);
        if !any {
            self.reg_due = None;
        } else if self.reg_due.is_none() {
            self.reg_due = Some(now.mono + Duration::from_secs(1));
        }
        for (name, online) in flips {
            if online {
                self.online.insert(name.clone());
                tracing::info!(endpoint = %name, "Endpoint is now Reachable");
            } else {
                self.online.remove(&name);
                tracing::info!(endpoint = %name, "Endpoint is now Unreachable");
            }
            let state = if online {
                DeviceState::NotInuse
            } else {
                DeviceState::Unavailable
            };
            self.hints_api.set_device(&format!("PJSIP/{name}"), state);
        }
    }

    /// A stream connection closed: the contacts it registered go (Asterisk: "due to shutdown").
    pub(super) fn contacts_connection_closed(&mut self, peer: std::net::SocketAddr, now: Now) {
        let gone = self.registrar().registrar.connection_closed(peer);
        if gone.is_empty() {
            return;
        }
        for c in &gone {
            tracing::info!(contact = %c.uri, aor = %c.aor, "Removed contact due to shutdown");
            self.persist.delete_in(registrar::FAMILY, &c.id());
        }
        self.registrations_changed(now, None);
    }

    /// Contacts whose time is up.
    pub(super) fn expire_contacts(&mut self, now: Now) {
        self.reg_due = None;
        let gone = self.registrar().registrar.expire(now.epoch * 1000);
        for c in &gone {
            tracing::info!(contact = %c.uri, aor = %c.aor, "Removed contact due to expiration");
            self.persist.delete_in(registrar::FAMILY, &c.id());
        }
        self.registrations_changed(now, None);
    }

    /// Contacts kept in the state database (restart): expired ones and ones bound over a
    /// stream transport are deleted, as Asterisk prunes them on boot.
    pub fn restore_contacts(&mut self, stored: Vec<(String, String)>, now: Now) -> usize {
        let mut n = 0;
        for (key, value) in stored {
            match Contact::from_json(&key, &value) {
                Some(c) if !c.prune_on_boot && c.expires_ms > now.epoch * 1000 => {
                    if self.config.aors.contains_key(&c.aor) {
                        self.registrar().registrar.restore(c);
                        n += 1;
                    } else {
                        self.persist.delete_in(registrar::FAMILY, &key);
                    }
                }
                _ => self.persist.delete_in(registrar::FAMILY, &key),
            }
        }
        self.registrations_changed(now, None);
        n
    }

    /// What `pjsip show contacts|aors` read.
    pub fn registrar_view(&self) -> registrar::SharedView {
        self.reg_view.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::http_date;

    #[test]
    fn date_header_as_asterisk_prints_it() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_764_754_620), "Wed, 03 Dec 2025 09:37:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
