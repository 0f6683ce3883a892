//! PUBLISH, the pure parts (spec sip-presence.md §11): how an inbound PUBLISH is classified
//! (RFC 3903 as res_pjsip_pubsub.c reads it) and the `asterisk-devicestate` JSON messages
//! servers exchange (res_pjsip_publish_asterisk.c): compact JSON, keys in Asterisk's order.

use serde_json::{json, Value};

use crate::state::{DeviceState, Eid};

/// The event package of server-to-server device state.
pub const DEVICESTATE_EVENT: &str = "asterisk-devicestate";

/// What an inbound PUBLISH asks for (`determine_sip_publish_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Initial,
    Refresh(u32),
    Modify(u32),
    Remove(Option<u32>),
}

/// Classifies a PUBLISH by its `Expires` (absent: 3600), `SIP-If-Match` and whether it has a
/// body; `None` is a 400 (no entity tag and no body, or an entity tag that is not a number).
/// Like Asterisk's `%d` scan, a leading number is enough (`12abc` is 12).
pub fn classify(expires: Option<u32>, if_match: Option<&str>, has_body: bool) -> Option<Kind> {
    let etag = match if_match {
        None => None,
        Some(text) => {
            let digits: String = text
                .trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            Some(digits.parse::<u32>().ok()?)
        }
    };
    if expires == Some(0) {
        return Some(Kind::Remove(etag));
    }
    match (etag, has_body) {
        (None, true) => Some(Kind::Initial),
        (Some(tag), false) => Some(Kind::Refresh(tag)),
        (Some(tag), true) => Some(Kind::Modify(tag)),
        (None, false) => None,
    }
}

/// One `asterisk-devicestate` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A device's state on the sending server.
    DeviceState {
        device: String,
        state: DeviceState,
        cachable: bool,
        eid: Eid,
    },
    /// "Send me your whole cache."
    Refresh { eid: Eid },
}

/// Why a body is refused (logged; the PUBLISH gets the answer Asterisk gives).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("Content-Type is `{0}`, not application/json")]
    ContentType(String),
    #[error("the body is not JSON")]
    NotJson,
    #[error("no `eid` string")]
    NoEid,
    #[error("`eid` {0}")]
    BadEid(String),
    #[error("no `type`")]
    NoType,
    #[error("unknown type `{0}`")]
    UnknownType(String),
    #[error("devicestate without `device` or `state`")]
    NoDevice,
}

impl Message {
    /// Reads a PUBLISH body of Content-Type `content_type`.
    pub fn parse(content_type: &str, body: &[u8]) -> Result<Message, BodyError> {
        let mime = content_type.split(';').next().unwrap_or_default().trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(BodyError::ContentType(content_type.to_string()));
        }
        let v: Value = serde_json::from_slice(body).map_err(|_| BodyError::NotJson)?;
        let eid = v
            .get("eid")
            .and_then(Value::as_str)
            .ok_or(BodyError::NoEid)?;
        let eid: Eid = eid
            .parse()
            .map_err(|e: crate::state::EidError| BodyError::BadEid(e.to_string()))?;
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or(BodyError::NoType)?;
        match kind {
            "devicestate" => {
                let text = |k: &str| {
                    v.get(k)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                let (Some(device), Some(state)) = (text("device"), text("state")) else {
                    return Err(BodyError::NoDevice);
                };
                Ok(Message::DeviceState {
                    device,
                    state: DeviceState::parse(&state),
                    cachable: v.get("cachable").and_then(Value::as_i64) == Some(1),
                    eid,
                })
            }
            "refresh" => Ok(Message::Refresh { eid }),
            other => Err(BodyError::UnknownType(other.to_string())),
        }
    }

    /// The compact JSON Asterisk sends.
    pub fn to_json(&self) -> String {
        match self {
            Message::DeviceState {
                device,
                state,
                cachable,
                eid,
            } => {
                // serde_json keeps insertion order only with `preserve_order`; write it out.
                format!(
                    "{{\"type\":\"devicestate\",\"device\":{},\"state\":\"{}\",\"cachable\":{},\"eid\":\"{}\"}}",
                    json!(device),
                    state.as_str(),
                    u8::from(*cachable),
                    eid
                )
            }
            Message::Refresh { eid } => format!("{{\"type\":\"refresh\",\"eid\":\"{eid}\"}}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{classify, BodyError, Kind, Message};
    use crate::state::DeviceState;

    #[test]
    fn publish_kinds_as_res_pjsip_pubsub_reads_them() {
        assert_eq!(classify(None, None, true), Some(Kind::Initial));
        assert_eq!(classify(Some(60), Some("7"), false), Some(Kind::Refresh(7)));
        assert_eq!(classify(None, Some("12abc"), true), Some(Kind::Modify(12)));
        assert_eq!(
            classify(Some(0), Some("3"), false),
            Some(Kind::Remove(Some(3)))
        );
        assert_eq!(classify(None, None, false), None);
        assert_eq!(classify(None, Some("abc"), true), None);
    }

    #[test]
    fn devicestate_json_round_trips_in_asterisk_key_order() {
        let eid = "02:00:00:00:00:01".parse().unwrap();
        let m = Message::DeviceState {
            device: "Custom:presence".into(),
            state: DeviceState::Ringing,
            cachable: true,
            eid,
        };
        assert_eq!(
            m.to_json(),
            r#"{"type":"devicestate","device":"Custom:presence","state":"RINGING","cachable":1,"eid":"02:00:00:00:00:01"}"#
        );
        assert_eq!(
            Message::parse("application/json", m.to_json().as_bytes()),
            Ok(m)
        );
        assert_eq!(
            Message::Refresh { eid }.to_json(),
            r#"{"type":"refresh","eid":"02:00:00:00:00:01"}"#
        );
        assert_eq!(
            Message::parse("text/plain", b"{}"),
            Err(BodyError::ContentType("text/plain".into()))
        );
        assert_eq!(
            Message::parse("application/json", b"hello"),
            Err(BodyError::NotJson)
        );
        assert_eq!(
            Message::parse(
                "application/json",
                br#"{"type":"mailboxstate","eid":"02:00:00:00:00:01"}"#
            ),
            Err(BodyError::UnknownType("mailboxstate".into()))
        );
        assert_eq!(
            Message::parse(
                "application/json",
                br#"{"type":"devicestate","eid":"02:00:00:00:00:01","device":"Custom:x"}"#
            ),
            Err(BodyError::NoDevice)
        );
    }
}
