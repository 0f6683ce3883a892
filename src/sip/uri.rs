//! SIP URIs as text: split into scheme, user, host, port and parameters, and printed in pjsip's
//! two contexts (spec §7.3): the Contact context keeps everything, the From/To context drops the
//! port and the `transport`, `maddr`, `ttl` and `lr` parameters.

use std::fmt;

/// A `sip:`/`sips:` (or other scheme) URI, kept close to its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    pub scheme: String,
    /// The user part (with `:password` if given), without the `@`.
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// Parameters in order, each without its leading `;`.
    pub params: Vec<(String, Option<String>)>,
    /// Everything after `?`, without it.
    pub headers: Option<String>,
}

/// Why a URI was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("no scheme in `{0}`")]
    NoScheme(String),
    #[error("no host in `{0}`")]
    NoHost(String),
    #[error("bad port in `{0}`")]
    BadPort(String),
}

impl Uri {
    /// Parses a bare URI (no angle brackets).
    pub fn parse(text: &str) -> Result<Uri, UriError> {
        let text = text.trim();
        // No blanks, controls, quotes or angle brackets inside a URI (RFC 3261 §25.1): such
        // text would break every header it is printed into.
        if text
            .bytes()
            .any(|b| b <= b' ' || b >= 0x7f || matches!(b, b'<' | b'>' | b'"'))
        {
            return Err(UriError::NoHost(text.to_string()));
        }
        let (scheme, rest) = text
            .split_once(':')
            .filter(|(s, _)| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            })
            .ok_or_else(|| UriError::NoScheme(text.to_string()))?;
        let (rest, headers) = match rest.split_once('?') {
            Some((a, b)) => (a, Some(b.to_string())),
            None => (rest, None),
        };
        let (user, hostpart) = match rest.find('@') {
            Some(at) => (Some(rest[..at].to_string()), &rest[at + 1..]),
            None => (None, rest),
        };
        // RFC 3261 §25.1 user and password characters (no second `@`, no `/`-less oddities).
        let user_char = |b: u8| b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/%:".contains(&b);
        if user.as_deref().is_some_and(|u| !u.bytes().all(user_char)) {
            return Err(UriError::NoHost(text.to_string()));
        }
        let mut pieces = hostpart.split(';');
        let hostport = pieces.next().unwrap_or_default();
        let (host, port) =
            split_host_port(hostport).ok_or_else(|| UriError::BadPort(text.to_string()))?;
        let host_ok = if let Some(v6) = host.strip_prefix('[') {
            v6.strip_suffix(']').is_some_and(|a| {
                !a.is_empty()
                    && a.bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            })
        } else {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        };
        if !host_ok {
            return Err(UriError::NoHost(text.to_string()));
        }
        let mut params = Vec::new();
        for p in pieces.filter(|p| !p.is_empty()) {
            let (k, v) = match p.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (p, None),
            };
            // RFC 3261 §25.1: a parameter name is a token, a value paramchars, without the
            // ones rsip-based peers misread in a Request-URI (`/ $ & ( ) : [ ]`: `;x=tSIP/2.0`
            // ends its request line, `;x=$` makes it unreadable; checked by a test).
            let token = |c: u8| c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c);
            let paramchar = |c: u8| c.is_ascii_alphanumeric() || b"-_.!~*'%+".contains(&c);
            if k.is_empty() || !k.bytes().all(token) || !v.unwrap_or("x").bytes().all(paramchar) {
                return Err(UriError::NoHost(text.to_string()));
            }
            params.push((k.to_string(), v.map(str::to_string)));
        }
        Ok(Uri {
            scheme: scheme.to_ascii_lowercase(),
            user,
            host: host.to_string(),
            port,
            params,
            headers,
        })
    }

    /// The user part without any password.
    pub fn user_name(&self) -> &str {
        let user = self.user.as_deref().unwrap_or("");
        user.split_once(':').map_or(user, |(u, _)| u)
    }

    /// A parameter's value (`Some("")` for a flag), by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    /// Printed in pjsip's From/To context: no port, no `transport`/`maddr`/`ttl`/`lr`, no headers.
    pub fn fromto(&self) -> String {
        let mut out = format!("{}:", self.scheme);
        if let Some(user) = &self.user {
            out.push_str(user);
            out.push('@');
        }
        out.push_str(&self.host);
        for (k, v) in &self.params {
            if ["transport", "maddr", "ttl", "lr"]
                .iter()
                .any(|it| k.eq_ignore_ascii_case(it))
            {
                continue;
            }
            push_param(&mut out, k, v.as_deref());
        }
        out
    }

    /// The same URI with another user part (the local URI of a subscription, spec §7.3).
    pub fn with_user(&self, user: &str) -> Uri {
        Uri {
            user: Some(user.to_string()),
            headers: None,
            ..self.clone()
        }
    }
}

fn push_param(out: &mut String, k: &str, v: Option<&str>) {
    out.push(';');
    out.push_str(k);
    if let Some(v) = v {
        out.push('=');
        out.push_str(v);
    }
}

/// Printed in pjsip's Contact context: everything kept but headers.
impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = format!("{}:", self.scheme);
        if let Some(user) = &self.user {
            out.push_str(user);
            out.push('@');
        }
        out.push_str(&self.host);
        if let Some(port) = self.port {
            out.push_str(&format!(":{port}"));
        }
        for (k, v) in &self.params {
            push_param(&mut out, k, v.as_deref());
        }
        f.write_str(&out)
    }
}

/// Splits `host[:port]`, with IPv6 references in brackets.
pub fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &text[..end + 2];
        let after = &rest[end + 1..];
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match text.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((text, None)),
    }
}

/// A name-addr or addr-spec header value (`From`, `To`, `Contact`, `Route`):
/// `"Display" <uri>;params` or `uri;params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name as written (with its quotes, if any), or empty.
    pub display: String,
    pub uri: Uri,
    /// Header parameters (after the `>`), e.g. `tag`.
    pub params: Vec<(String, Option<String>)>,
}

impl NameAddr {
    pub fn parse(text: &str) -> Result<NameAddr, UriError> {
        let text = text.trim();
        if let Some(open) = find_unquoted(text, '<') {
            let display = text[..open].trim().to_string();
            let rest = &text[open + 1..];
            let close = rest
                .find('>')
                .ok_or_else(|| UriError::NoHost(text.to_string()))?;
            let uri = Uri::parse(&rest[..close])?;
            let params = parse_params(&rest[close + 1..]);
            return Ok(NameAddr {
                display,
                uri,
                params,
            });
        }
        // addr-spec: parameters after the URI belong to the header.
        let (uri_text, params) = match text.find(';') {
            Some(at) => (&text[..at], parse_params(&text[at..])),
            None => (text, Vec::new()),
        };
        Ok(NameAddr {
            display: String::new(),
            uri: Uri::parse(uri_text)?,
            params,
        })
    }

    pub fn tag(&self) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("tag"))
            .and_then(|(_, v)| v.as_deref())
    }

    /// Reprinted as pjsip prints From and To: display name kept, URI in From/To context, and the
    /// given tag (other header parameters kept).
    pub fn fromto(&self, tag: Option<&str>) -> String {
        let mut out = String::new();
        if !self.display.is_empty() {
            out.push_str(&self.display);
            out.push(' ');
        }
        out.push('<');
        out.push_str(&self.uri.fromto());
        out.push('>');
        for (k, v) in &self.params {
            if k.eq_ignore_ascii_case("tag") {
                continue;
            }
            push_param(&mut out, k, v.as_deref());
        }
        if let Some(tag) = tag {
            push_param(&mut out, "tag", Some(tag));
        }
        out
    }
}

fn find_unquoted(text: &str, want: char) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == want && !quoted {
            return Some(i);
        }
    }
    None
}

fn parse_params(text: &str) -> Vec<(String, Option<String>)> {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
            None => (p.to_string(), None),
        })
        .collect()
}

#[cfg(test)]
mod tests;
