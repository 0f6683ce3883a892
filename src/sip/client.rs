//! A subscriber over UDP: what `dialstate watch` runs and what the integration tests and the
//! load generator drive the server with. It sends SUBSCRIBE (answering a digest challenge),
//! answers every NOTIFY with 200 OK, refreshes and unsubscribes.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

use crate::sip::message::{Builder, Message, ParseError};
use crate::sip::uri::Uri;

/// What went wrong on the subscriber side.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("bad message from the server: {0}")]
    Parse(#[from] ParseError),
    #[error("the server answered {0} {1}")]
    Refused(u16, String),
    #[error("bad target `{0}`")]
    Target(String),
    #[error("authentication: {0}")]
    Auth(String),
}

/// How to subscribe.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `sip:EXT@HOST[:PORT]`.
    pub target: String,
    pub user: String,
    pub password: Option<String>,
    /// `presence` or `dialog`.
    pub event: String,
    pub accept: Option<String>,
    pub expires: u32,
    pub user_agent: String,
    /// Send `Supported: eventlist` (subscribe to a resource list, RFC 4662).
    pub eventlist: bool,
}

impl Spec {
    pub fn new(target: &str, user: &str) -> Spec {
        Spec {
            target: target.to_string(),
            user: user.to_string(),
            password: None,
            event: "presence".to_string(),
            accept: None,
            expires: 600,
            user_agent: format!(
                "dialstate-watch/{} (digium presence)",
                env!("CARGO_PKG_VERSION")
            ),
            eventlist: false,
        }
    }
}

/// A NOTIFY as received.
#[derive(Debug, Clone)]
pub struct Notify {
    pub subscription_state: String,
    pub content_type: String,
    pub body: String,
    pub cseq: u32,
    pub raw: String,
}

/// One subscription from this socket.
#[derive(Debug)]
pub struct Subscriber {
    socket: UdpSocket,
    local: SocketAddr,
    server: SocketAddr,
    spec: Spec,
    ruri: String,
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
    cseq: u32,
    nc: u32,
    challenge: Option<String>,
    queue: VecDeque<Message>,
    /// Every message sent and received, when kept (`--raw`).
    pub log: Option<Vec<String>>,
    /// Expires granted by the last 200 OK.
    pub granted: u32,
}

fn random() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Subscriber {
    /// Opens a socket on `bind` (port 0 for any) towards the server named in `spec.target`.
    pub async fn connect(spec: Spec, bind: SocketAddr) -> Result<Subscriber, ClientError> {
        let uri = Uri::parse(&spec.target).map_err(|_| ClientError::Target(spec.target.clone()))?;
        let host = uri.host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port.unwrap_or(5060);
        let server = tokio::net::lookup_host((host, port))
            .await?
            .next()
            .ok_or_else(|| ClientError::Target(spec.target.clone()))?;
        let socket = UdpSocket::bind(bind).await?;
        // The address the server sees us at: what Via, From and Contact carry.
        let mut local = socket.local_addr()?;
        if local.ip().is_unspecified() {
            let probe = std::net::UdpSocket::bind(SocketAddr::new(local.ip(), 0))?;
            probe.connect(server)?;
            local.set_ip(probe.local_addr()?.ip());
        }
        Ok(Subscriber {
            local,
            socket,
            server,
            ruri: uri.to_string(),
            spec,
            call_id: format!("{}@dialstate", random()),
            from_tag: random()[..12].to_string(),
            to_tag: None,
            cseq: 0,
            nc: 0,
            challenge: None,
            queue: VecDeque::new(),
            log: None,
            granted: 0,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    fn subscribe_bytes(
        &mut self,
        expires: u32,
        authorization: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        self.cseq += 1;
        let local = self.local;
        let server = Uri::parse(&self.ruri).map_err(|_| ClientError::Target(self.ruri.clone()))?;
        let mut b = Builder::request("SUBSCRIBE", &self.ruri);
        b.push(
            "Via",
            &format!("SIP/2.0/UDP {local};rport;branch=z9hG4bK{}", random()),
        );
        b.push("Max-Forwards", "70");
        b.push(
            "From",
            &format!(
                "<sip:{}@{}>;tag={}",
                self.spec.user,
                local.ip(),
                self.from_tag
            ),
        );
        let to = format!("<{}>", server);
        match &self.to_tag {
            Some(tag) => b.push("To", &format!("{to};tag={tag}")),
            None => b.push("To", &to),
        }
        b.push("Call-ID", &self.call_id);
        b.push("CSeq", &format!("{} SUBSCRIBE", self.cseq));
        b.push("Contact", &format!("<sip:{}@{}>", self.spec.user, local));
        b.push("Event", &self.spec.event);
        if let Some(accept) = &self.spec.accept {
            b.push("Accept", accept);
        }
        b.push("Expires", &expires.to_string());
        if self.spec.eventlist {
            b.push("Supported", "eventlist");
        }
        b.push("User-Agent", &self.spec.user_agent);
        if let Some(auth) = authorization {
            b.push("Authorization", auth);
        }
        Ok(b.finish())
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        if let Some(log) = &mut self.log {
            log.push(String::from_utf8_lossy(bytes).into_owned());
        }
        self.socket.send_to(bytes, self.server).await?;
        Ok(())
    }

    /// Receives the next message, answering NOTIFYs and queueing them.
    async fn recv(&mut self, wait: Duration) -> Result<Message, ClientError> {
        let mut buf = vec![0u8; 65_536];
        let (n, peer) = tokio::time::timeout(wait, self.socket.recv_from(&mut buf))
            .await
            .map_err(|_| ClientError::Timeout(wait))??;
        if let Some(log) = &mut self.log {
            log.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        let msg = Message::parse(&buf[..n])?;
        if msg.method() == Some("NOTIFY") {
            let ok = ok_for(&msg)?;
            if let Some(log) = &mut self.log {
                log.push(String::from_utf8_lossy(&ok).into_owned());
            }
            self.socket.send_to(&ok, peer).await?;
        }
        Ok(msg)
    }

    /// Sends a SUBSCRIBE (initial, refresh with `expires`, or unsubscribe with 0) and waits for
    /// its final response, answering one digest challenge. Returns the final status code.
    pub async fn subscribe(&mut self, expires: u32, wait: Duration) -> Result<u16, ClientError> {
        let mut authorization = self.authorization()?;
        for _ in 0..2 {
            let bytes = self.subscribe_bytes(expires, authorization.as_deref())?;
            let sent_cseq = self.cseq;
            self.send(&bytes).await?;
            let code = loop {
                let msg = self.recv(wait).await?;
                match msg.code() {
                    Some(code)
                        if code >= 200 && msg.cseq().map(|c| c.0).ok() == Some(sent_cseq) =>
                    {
                        if code == 401 {
                            self.challenge = msg.header("WWW-Authenticate").map(str::to_string);
                            self.nc = 0;
                        }
                        if (200..300).contains(&code) {
                            if self.to_tag.is_none() {
                                self.to_tag = msg.to()?.tag().map(str::to_string);
                            }
                            self.granted = msg.expires().ok().flatten().unwrap_or(0);
                        }
                        break code;
                    }
                    Some(_) => continue,
                    None => {
                        if msg.method() == Some("NOTIFY") {
                            self.queue.push_back(msg);
                        }
                    }
                }
            };
            if code == 401 && self.spec.password.is_some() && authorization.is_none() {
                authorization = self.authorization()?;
                continue;
            }
            return Ok(code);
        }
        Ok(401)
    }

    fn authorization(&mut self) -> Result<Option<String>, ClientError> {
        let (Some(challenge), Some(password)) = (&self.challenge, &self.spec.password) else {
            return Ok(None);
        };
        self.nc += 1;
        crate::sip::auth::respond(
            challenge,
            "SUBSCRIBE",
            &self.ruri,
            &self.spec.user,
            password,
            &random()[..16],
            self.nc,
        )
        .map(Some)
        .map_err(|err| ClientError::Auth(err.to_string()))
    }

    /// The next NOTIFY (already answered with 200 OK).
    pub async fn next_notify(&mut self, wait: Duration) -> Result<Notify, ClientError> {
        loop {
            if let Some(msg) = self.queue.pop_front() {
                return Ok(to_notify(&msg));
            }
            let msg = self.recv(wait).await?;
            if msg.method() == Some("NOTIFY") {
                return Ok(to_notify(&msg));
            }
        }
    }
}

fn to_notify(msg: &Message) -> Notify {
    let mut raw = String::new();
    for (k, v) in &msg.headers {
        raw.push_str(k);
        raw.push_str(": ");
        raw.push_str(v);
        raw.push('\n');
    }
    Notify {
        subscription_state: msg
            .header("Subscription-State")
            .unwrap_or_default()
            .to_string(),
        content_type: msg.header("Content-Type").unwrap_or_default().to_string(),
        body: String::from_utf8_lossy(&msg.body).into_owned(),
        cseq: msg.cseq().map(|c| c.0).unwrap_or(0),
        raw,
    }
}

/// A 200 OK for a request (the subscriber's answer to NOTIFY).
pub fn ok_for(msg: &Message) -> Result<Vec<u8>, ClientError> {
    let mut b = Builder::response(200, "OK");
    for via in msg.all("Via") {
        b.push("Via", via);
    }
    b.push("From", msg.header("From").unwrap_or_default());
    b.push("To", msg.header("To").unwrap_or_default());
    b.push("Call-ID", msg.call_id()?);
    b.push("CSeq", msg.header("CSeq").unwrap_or_default());
    Ok(b.finish())
}

/// What a NOTIFY body says, read with quick-xml: the resource, PIDF note and basic status,
/// Digium presence, dialog-info state, XPIDF status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BodyInfo {
    pub exten: String,
    pub note: Option<String>,
    pub basic: Option<String>,
    pub presence: Option<String>,
    pub subtype: Option<String>,
    pub message: Option<String>,
    pub dialog: Option<String>,
    pub version: Option<String>,
    pub xpidf: Option<String>,
}

/// Reads a PIDF, XPIDF or dialog-info body; unknown elements are skipped, bad XML stops early.
pub fn read_body(body: &str) -> BodyInfo {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    let mut info = BodyInfo::default();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let attr = |key: &str| {
                e.attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == key.as_bytes())
                    .map(|a| {
                        a.unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_default()
                    })
            };
            match name.as_str() {
                "tuple" if info.exten.is_empty() => info.exten = attr("id").unwrap_or_default(),
                "dialog" => info.exten = attr("id").unwrap_or_default(),
                "atom" => info.exten = attr("id").unwrap_or_default(),
                "dialog-info" => info.version = attr("version"),
                "digium_presence" => {
                    info.presence = attr("type");
                    info.subtype = attr("subtype");
                }
                "status" if attr("status").is_some() => info.xpidf = attr("status"),
                _ => {}
            }
            if !empty {
                path.push(name);
            }
            continue;
        }
        match event {
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.xml_content().map(|v| v.into_owned()).unwrap_or_default();
                match path.last().map(String::as_str) {
                    Some("note") => info.note = Some(text),
                    Some("basic") => info.basic = Some(text),
                    Some("digium_presence") => info.message = Some(text),
                    Some("state") if path.iter().any(|p| p == "dialog") => info.dialog = Some(text),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    info
}

/// One line for a NOTIFY: the extension, its state and presence as the body tells them
/// (`6001 On the phone presence=away subtype=lunch "banana"`, `6001 dialog=confirmed version=2`).
pub fn describe(notify: &Notify) -> String {
    let mut out = describe_body(&notify.content_type, &notify.body).join("\n");
    if notify.subscription_state.starts_with("terminated") {
        out.push_str(&format!(" ({})", notify.subscription_state));
    }
    out
}

/// One line per resource: a list's multipart body is split into its parts (RLMI skipped,
/// nested lists followed).
fn describe_body(content_type: &str, body: &str) -> Vec<String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string());
    match boundary {
        Some(boundary) if content_type.starts_with("multipart/") => {
            let delimiter = format!("--{boundary}");
            body.split(&delimiter)
                .filter_map(|part| {
                    let (head, body) = part.split_once("\r\n\r\n")?;
                    let kind = head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim()
                            .eq_ignore_ascii_case("Content-Type")
                            .then(|| v.trim().to_string())
                    })?;
                    if kind.starts_with("application/rlmi+xml") {
                        return None;
                    }
                    let body = body.strip_suffix("\r\n").unwrap_or(body);
                    Some(describe_body(&kind, body))
                })
                .flatten()
                .collect()
        }
        _ => vec![describe_one(body)],
    }
}

fn describe_one(body: &str) -> String {
    let info = read_body(body);
    let mut out = info.exten.clone();
    if let Some(state) = &info.dialog {
        out.push_str(&format!(" dialog={state}"));
        if let Some(v) = &info.version {
            out.push_str(&format!(" version={v}"));
        }
    } else if let Some(note) = &info.note {
        out.push_str(&format!(" {note}"));
        if let Some(kind) = &info.presence {
            out.push_str(&format!(" presence={kind}"));
            if let Some(sub) = &info.subtype {
                out.push_str(&format!(" subtype={sub}"));
            }
            if let Some(msg) = &info.message {
                out.push_str(&format!(" \"{msg}\""));
            }
        }
    } else if let Some(status) = &info.xpidf {
        out.push_str(&format!(" status={status}"));
    }
    out
}

/// Sends one REGISTER of `user` binding `contact` to `aor` at `server` (answering one digest
/// challenge with `password`) and returns the final response. The admin's and the tests' way
/// to make a `PJSIP/<endpoint>` device available without a phone.
pub async fn register(
    server: SocketAddr,
    user: &str,
    password: Option<&str>,
    aor: &str,
    contact: &str,
    expires: u32,
) -> Result<Message, ClientError> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let local = socket.local_addr()?;
    let call_id = format!("{}@dialstate", random());
    let tag = random()[..12].to_string();
    let uri = format!("sip:{}", server);
    let mut authorization: Option<String> = None;
    for cseq in 1..=2u32 {
        let mut b = Builder::request("REGISTER", &uri);
        b.push(
            "Via",
            &format!("SIP/2.0/UDP {local};rport;branch=z9hG4bK{}", random()),
        );
        b.push("Max-Forwards", "70");
        b.push("From", &format!("<sip:{user}@{}>;tag={tag}", server.ip()));
        b.push("To", &format!("<sip:{aor}@{}>", server.ip()));
        b.push("Call-ID", &call_id);
        b.push("CSeq", &format!("{cseq} REGISTER"));
        b.push("Contact", &format!("<{contact}>"));
        b.push("Expires", &expires.to_string());
        if let Some(a) = &authorization {
            b.push("Authorization", a);
        }
        b.push("User-Agent", "dialstate-register");
        socket.send_to(&b.finish(), server).await?;
        let mut buf = vec![0u8; 65_536];
        let response = loop {
            let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
                .await
                .map_err(|_| ClientError::Timeout(Duration::from_secs(5)))??;
            let msg = Message::parse(&buf[..n])?;
            if msg.code().is_some_and(|c| c >= 200) {
                break msg;
            }
        };
        let challenge = response.header("WWW-Authenticate").map(str::to_string);
        match (response.code(), challenge, password, &authorization) {
            (Some(401), Some(challenge), Some(password), None) => {
                authorization = Some(
                    crate::sip::auth::respond(
                        &challenge,
                        "REGISTER",
                        &uri,
                        user,
                        password,
                        &random()[..16],
                        1,
                    )
                    .map_err(|e| ClientError::Auth(e.to_string()))?,
                );
            }
            _ => return Ok(response),
        }
    }
    Err(ClientError::Refused(401, "Unauthorized".to_string()))
}
