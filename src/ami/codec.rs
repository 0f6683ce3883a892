//! AMI framing: `Key: Value` lines ending in CRLF, a blank line ending each message. The decoder
//! accepts bare LF too (as Asterisk does), bounds line length and header count, and keeps keys
//! as sent; lookups ignore case.

use crate::ami::limits::{MAX_HEADERS, MAX_LINE};

/// One action (or any message): headers in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub headers: Vec<(String, String)>,
}

impl Message {
    /// The first value of `key`, ignoring case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order (`Variable:` may repeat).
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a connection is closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("more than {MAX_HEADERS} headers in one message")]
    TooManyHeaders,
}

/// Splits a byte stream into messages.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    current: Vec<(String, String)>,
}

impl Decoder {
    /// Adds bytes; returns the messages completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Message>, CodecError> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let line = &self.buf[start..start + pos];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > MAX_LINE {
                return Err(CodecError::LineTooLong);
            }
            let text = String::from_utf8_lossy(line).into_owned();
            start += pos + 1;
            if text.is_empty() {
                if !self.current.is_empty() {
                    out.push(Message {
                        headers: std::mem::take(&mut self.current),
                    });
                }
                continue;
            }
            if self.current.len() >= MAX_HEADERS {
                return Err(CodecError::TooManyHeaders);
            }
            // Asterisk takes the text before the first colon as the key and skips one blank.
            let (key, value) = match text.split_once(':') {
                Some((k, v)) => (k.trim().to_string(), v.trim_start().to_string()),
                None => (text.trim().to_string(), String::new()),
            };
            self.current.push((key, value));
        }
        self.buf.drain(..start);
        if self.buf.len() > MAX_LINE {
            return Err(CodecError::LineTooLong);
        }
        Ok(out)
    }
}

/// Renders one message: each pair as `Key: Value` CRLF, then a blank line.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(
        pairs
            .iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum::<usize>()
            + 2,
    );
    for (k, v) in pairs {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests;
