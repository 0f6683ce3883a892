//! SIP messages: framing by Content-Length, parsing with rsip into a start line and headers kept
//! as text (compact forms expanded), typed accessors, and a builder that prints headers exactly
//! as given (Asterisk's formatting is kept byte for byte).

use std::fmt::Write as _;

use crate::sip::limits::{MAX_HEADERS, MAX_MESSAGE};
use crate::sip::uri::{NameAddr, Uri};

/// Why bytes are not a usable SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("message larger than {MAX_MESSAGE} bytes")]
    TooLarge,
    #[error("no end of headers")]
    Incomplete,
    #[error("bad Content-Length `{0}`")]
    BadLength(String),
    #[error("Content-Length {0} is more than the {1} bytes received")]
    ShortBody(usize, usize),
    #[error("malformed start line or header: {0}")]
    Syntax(String),
    #[error("too many headers")]
    TooManyHeaders,
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("bad {0} header")]
    Bad(&'static str),
}

/// A request line or a status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Request { method: String, uri: String },
    Response { code: u16, reason: String },
}

/// A parsed SIP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub start: Start,
    /// Headers in order, names in their full canonical spelling, values trimmed.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Where one message ends in a stream buffer: `Ok(Some(len))` when a whole message is there.
/// A missing Content-Length counts as 0 (stream transports require it).
pub fn frame(buf: &[u8]) -> Result<Option<usize>, ParseError> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        if buf.len() > MAX_MESSAGE {
            return Err(ParseError::TooLarge);
        }
        return Ok(None);
    };
    let head = &buf[..end];
    let length = content_length(head)?.unwrap_or(0);
    let total = end + 4 + length;
    if total > MAX_MESSAGE {
        return Err(ParseError::TooLarge);
    }
    Ok((buf.len() >= total).then_some(total))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The Content-Length of a header block (`Content-Length` or `l`), if present.
fn content_length(head: &[u8]) -> Result<Option<usize>, ParseError> {
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon]);
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l") {
            let value = String::from_utf8_lossy(&line[colon + 1..])
                .trim()
                .to_string();
            return value
                .parse::<usize>()
                .map(Some)
                .map_err(|_| ParseError::BadLength(value));
        }
    }
    Ok(None)
}

/// Compact header forms (RFC 3261 §7.3.3 and the event extensions).
fn expand(name: &str) -> &str {
    match name {
        "i" | "I" => "Call-ID",
        "m" | "M" => "Contact",
        "e" | "E" => "Content-Encoding",
        "l" | "L" => "Content-Length",
        "c" | "C" => "Content-Type",
        "f" | "F" => "From",
        "s" | "S" => "Subject",
        "k" | "K" => "Supported",
        "t" | "T" => "To",
        "v" | "V" => "Via",
        "o" | "O" => "Event",
        "u" | "U" => "Allow-Events",
        _ => name,
    }
}

impl Message {
    /// Parses one datagram (or one framed stream message). On a datagram, a missing
    /// Content-Length means "the rest"; one larger than what arrived is an error.
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        if bytes.len() > MAX_MESSAGE {
            return Err(ParseError::TooLarge);
        }
        let end = find(bytes, b"\r\n\r\n").ok_or(ParseError::Incomplete)?;
        let body_len = match content_length(&bytes[..end])? {
            Some(n) if end + 4 + n > bytes.len() => {
                return Err(ParseError::ShortBody(n, bytes.len() - end - 4))
            }
            Some(n) => n,
            None => bytes.len() - end - 4,
        };
        let whole = &bytes[..end + 4 + body_len];
        // rsip knows the RFC methods only; an extension method (a well-formed token) is parsed
        // under a stand-in name and keeps its own (it is answered 501, as pjsip does).
        let method_end = whole.iter().position(|&b| b == b' ').unwrap_or(0);
        let token = &whole[..method_end];
        const KNOWN: &[&[u8]] = &[
            b"ACK",
            b"BYE",
            b"CANCEL",
            b"INFO",
            b"INVITE",
            b"MESSAGE",
            b"NOTIFY",
            b"OPTIONS",
            b"PRACK",
            b"PUBLISH",
            b"REFER",
            b"REGISTER",
            b"SUBSCRIBE",
            b"UPDATE",
        ];
        let extension = method_end > 0
            && !token.starts_with(b"SIP/")
            && !KNOWN.contains(&token)
            && token
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(b));
        let stand_in;
        let to_parse = if extension {
            let mut copy = b"OPTIONS".to_vec();
            copy.extend_from_slice(&whole[method_end..]);
            stand_in = copy;
            &stand_in[..]
        } else {
            whole
        };
        let parsed = rsip::SipMessage::try_from(to_parse)
            .map_err(|err| ParseError::Syntax(first_line(&err.to_string())))?;
        let (start, headers) = match &parsed {
            rsip::SipMessage::Request(req) => (
                Start::Request {
                    method: if extension {
                        String::from_utf8_lossy(token).into_owned()
                    } else {
                        req.method.to_string()
                    },
                    uri: raw_request_uri(whole),
                },
                &req.headers,
            ),
            rsip::SipMessage::Response(resp) => (
                Start::Response {
                    code: resp.status_code.code(),
                    reason: raw_reason(whole),
                },
                &resp.headers,
            ),
        };
        let mut out = Vec::new();
        for header in headers.iter() {
            if out.len() >= MAX_HEADERS {
                return Err(ParseError::TooManyHeaders);
            }
            let text = header.to_string();
            // A lone CR or LF inside a value would become a header of its own wherever the
            // value is printed again.
            if text.contains(['\r', '\n']) {
                return Err(ParseError::Syntax(
                    "line break inside a header value".to_string(),
                ));
            }
            let Some((name, value)) = text.split_once(':') else {
                continue;
            };
            out.push((expand(name.trim()).to_string(), value.trim().to_string()));
        }
        Ok(Message {
            start,
            headers: out,
            body: whole[end + 4..].to_vec(),
        })
    }

    pub fn method(&self) -> Option<&str> {
        match &self.start {
            Start::Request { method, .. } => Some(method),
            Start::Response { .. } => None,
        }
    }

    pub fn code(&self) -> Option<u16> {
        match &self.start {
            Start::Response { code, .. } => Some(*code),
            Start::Request { .. } => None,
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, comma lists not split.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header with comma lists split (outside quotes and angle brackets).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.all(name).flat_map(split_commas).collect()
    }

    pub fn call_id(&self) -> Result<&str, ParseError> {
        self.header("Call-ID")
            .filter(|v| !v.is_empty())
            .ok_or(ParseError::Missing("Call-ID"))
    }

    pub fn cseq(&self) -> Result<(u32, &str), ParseError> {
        let value = self.header("CSeq").ok_or(ParseError::Missing("CSeq"))?;
        let (n, method) = value
            .split_once(char::is_whitespace)
            .ok_or(ParseError::Bad("CSeq"))?;
        let n = n.parse().map_err(|_| ParseError::Bad("CSeq"))?;
        Ok((n, method.trim()))
    }

    pub fn from(&self) -> Result<NameAddr, ParseError> {
        let v = self.header("From").ok_or(ParseError::Missing("From"))?;
        NameAddr::parse(v).map_err(|_| ParseError::Bad("From"))
    }

    pub fn to(&self) -> Result<NameAddr, ParseError> {
        let v = self.header("To").ok_or(ParseError::Missing("To"))?;
        NameAddr::parse(v).map_err(|_| ParseError::Bad("To"))
    }

    pub fn via(&self) -> Result<Via, ParseError> {
        let v = self.header("Via").ok_or(ParseError::Missing("Via"))?;
        let first = split_commas(v).into_iter().next().unwrap_or_default();
        Via::parse(&first).ok_or(ParseError::Bad("Via"))
    }

    /// The request URI, parsed.
    pub fn request_uri(&self) -> Option<Result<Uri, crate::sip::uri::UriError>> {
        match &self.start {
            Start::Request { uri, .. } => Some(Uri::parse(uri)),
            Start::Response { .. } => None,
        }
    }

    /// `Expires` as a number; `Err` when present but not a number.
    pub fn expires(&self) -> Result<Option<u32>, ParseError> {
        match self.header("Expires") {
            None => Ok(None),
            Some(v) => v
                .parse::<u64>()
                .map(|n| Some(n.min(u64::from(u32::MAX)) as u32))
                .map_err(|_| ParseError::Bad("Expires")),
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect()
}

fn raw_request_uri(bytes: &[u8]) -> String {
    let line = bytes.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    line.split(' ').nth(1).unwrap_or("").to_string()
}

fn raw_reason(bytes: &[u8]) -> String {
    let line = bytes.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    line.splitn(3, ' ').nth(2).unwrap_or("").to_string()
}

/// What the notifier needs of a response, read without a full parse: the status code, the top
/// Via's branch and whether a Retry-After is present. `None` when the bytes do not look like a
/// response with a Via.
pub fn response_summary(bytes: &[u8]) -> Option<(u16, &str, bool)> {
    let text = std::str::from_utf8(bytes.get(..bytes.len().min(MAX_MESSAGE))?).ok()?;
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.strip_prefix("SIP/2.0 ")?;
    let code: u16 = status.get(..3)?.parse().ok()?;
    let mut branch = None;
    let mut retry_after = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if branch.is_none() && (name.eq_ignore_ascii_case("via") || name == "v") {
            let first = value.split(',').next().unwrap_or_default();
            branch = first.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case("branch").then(|| v.trim())
            });
        } else if name.eq_ignore_ascii_case("retry-after") {
            retry_after = true;
        }
    }
    Some((code, branch?, retry_after))
}

/// Splits a header value at commas outside quotes and angle brackets.
pub fn split_commas(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut start) = (false, false, 0);
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(value[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim().to_string());
    out.retain(|it| !it.is_empty());
    out
}

/// The top Via of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, ... as written.
    pub transport: String,
    pub host: String,
    pub port: Option<u16>,
    pub params: Vec<(String, Option<String>)>,
}

impl Via {
    pub fn parse(text: &str) -> Option<Via> {
        let text = text.trim();
        // No control characters anywhere (a CR or LF would split the Via we echo).
        if text.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return None;
        }
        let (proto, rest) = text.split_once(char::is_whitespace)?;
        let mut parts = proto.split('/');
        let (name, version, transport) = (parts.next()?, parts.next()?, parts.next()?);
        if !name.trim().eq_ignore_ascii_case("SIP") || version.trim() != "2.0" {
            return None;
        }
        let mut pieces = rest.trim().split(';');
        let sent_by = pieces.next()?.trim();
        let (host, port) = crate::sip::uri::split_host_port(sent_by)?;
        let host_char = |b: u8| b.is_ascii_alphanumeric() || b".-_[]:".contains(&b);
        if host.is_empty() || !host.bytes().all(host_char) {
            return None;
        }
        let params = pieces
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
                None => (p.to_string(), None),
            })
            .collect();
        Some(Via {
            transport: transport.trim().to_string(),
            host: host.to_string(),
            port,
            params,
        })
    }

    pub fn branch(&self) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("branch"))
            .and_then(|(_, v)| v.as_deref())
    }

    /// The Via as a response carries it (RFC 3261 §18.2.1, RFC 3581): `rport` filled with the
    /// source port, `received` with the source address, printed in pjsip's parameter order
    /// (ttl, rport, maddr, received, branch, then the others).
    pub fn for_response(&self, source: std::net::SocketAddr) -> String {
        let mut out = format!("SIP/2.0/{} {}", self.transport, self.host);
        if let Some(port) = self.port {
            let _ = write!(out, ":{port}");
        }
        let get = |name: &str| {
            self.params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        let push = |out: &mut String, k: &str, v: Option<&str>| {
            out.push(';');
            out.push_str(k);
            if let Some(v) = v {
                out.push('=');
                out.push_str(v);
            }
        };
        if let Some((k, v)) = get("ttl") {
            push(&mut out, k, v.as_deref());
        }
        let rport = get("rport").is_some();
        if rport {
            let _ = write!(out, ";rport={}", source.port());
        }
        if let Some((k, v)) = get("maddr") {
            push(&mut out, k, v.as_deref());
        }
        if rport || get("received").is_some() || self.host != source.ip().to_string() {
            let _ = write!(out, ";received={}", source.ip());
        }
        if let Some((k, v)) = get("branch") {
            push(&mut out, k, v.as_deref());
        }
        for (k, v) in &self.params {
            if ["ttl", "rport", "maddr", "received", "branch"]
                .iter()
                .any(|it| k.eq_ignore_ascii_case(it))
            {
                continue;
            }
            push(&mut out, k, v.as_deref());
        }
        out
    }
}

/// A message under construction: start line and headers printed exactly as given.
#[derive(Debug, Default)]
pub struct Builder {
    text: String,
}

impl Builder {
    pub fn request(method: &str, uri: &str) -> Builder {
        Builder {
            text: format!("{method} {uri} SIP/2.0\r\n"),
        }
    }

    pub fn response(code: u16, reason: &str) -> Builder {
        Builder {
            text: format!("SIP/2.0 {code} {reason}\r\n"),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Builder {
        self.push(name, value);
        self
    }

    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        self.text.push_str(": ");
        self.text.push_str(value);
        self.text.push_str("\r\n");
    }

    /// Finishes without a body: `Content-Length:  0` as pjsip prints it.
    pub fn finish(mut self) -> Vec<u8> {
        self.text.push_str("Content-Length:  0\r\n\r\n");
        self.text.into_bytes()
    }

    /// Finishes with a body: pjsip right-aligns the length in five columns.
    pub fn finish_with(mut self, content_type: &str, body: &[u8]) -> Vec<u8> {
        let _ = write!(
            self.text,
            "Content-Type: {content_type}\r\nContent-Length: {:>5}\r\n\r\n",
            body.len()
        );
        let mut out = self.text.into_bytes();
        out.extend_from_slice(body);
        out
    }
}

#[cfg(test)]
mod tests;
