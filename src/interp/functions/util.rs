//! Helpers shared by the function families: C-like string handling as Asterisk's `main/app.c`
//! and `main/utils.c` do it.

use crate::interp::ctx::FuncCtx;


/// `1` or `0`.
pub(super) fn flag(value: bool) -> String {
    if value { "1" } else { "0" }.to_string()
}

/// Removes leading and trailing blanks (bytes below 0x21), like `ast_strip`.
pub(super) fn strip(text: &str) -> &str {
    text.trim_matches(|c: char| u32::from(c) < 0x21)
}

/// What `${name}` reads for functions that take a variable name.
pub(super) fn lookup(ctx: &mut dyn FuncCtx, name: &str) -> String {
    ctx.var(name).unwrap_or_default()
}

/// C's `strsep` with a one-character delimiter set (`0` = the empty set): the next field, and
/// `rest` moves past its delimiter (`None` after the last field).
pub(super) fn strsep<'a>(rest: &mut Option<&'a [u8]>, delim: u8) -> Option<&'a [u8]> {
    let text = rest.take()?;
    match text.iter().position(|&b| b == delim && delim != 0) {
        Some(at) => {
            *rest = Some(&text[at + 1..]);
            Some(&text[..at])
        }
        None => Some(text),
    }
}

/// The number of fields `strsep` finds in a non-empty value.
pub(super) fn count_fields(value: &[u8], delim: u8) -> usize {
    if delim == 0 {
        1
    } else {
        value.iter().filter(|&&b| b == delim).count() + 1
    }
}

/// The first occurrence of `needle` in `hay` at or after `from`.
pub(super) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|it| it == needle)
        .map(|at| at + from)
}

/// `ast_get_encoded_char`: one character of `text`, with `\n \r \t \xHH \0ooo \c` decoded.
/// Returns the byte and how many bytes it took; `None` for empty text or a bad `\x`.
pub(super) fn decode_char(ctx: &mut dyn FuncCtx, text: &[u8]) -> Option<(u8, usize)> {
    let first = *text.first()?;
    if first != b'\\' {
        return Some((first, 1));
    }
    let hex = |at: usize| text.get(at).and_then(|&b| (b as char).to_digit(16));
    match text.get(1).copied() {
        Some(b'n') => Some((b'\n', 2)),
        Some(b'r') => Some((b'\r', 2)),
        Some(b't') => Some((b'\t', 2)),
        Some(b'x') => {
            let Some(high) = hex(2) else {
                let shown = text.get(2).map(|&b| char::from(b).to_string());
                ctx.warn(format!(
                    "illegal character '{}' in hexadecimal string",
                    shown.unwrap_or_default()
                ));
                return None;
            };
            match hex(3) {
                Some(low) => Some(((high * 16 + low) as u8, 4)),
                None => Some((high as u8, 3)),
            }
        }
        Some(b'0') => {
            let digits = text[2..]
                .iter()
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let value = text[2..2 + digits]
                .iter()
                .fold(0u8, |acc, b| acc.wrapping_shl(3).wrapping_add(b - b'0'));
            Some((value, 2 + digits))
        }
        Some(other) => Some((other, 2)),
        // A lone backslash at the end decodes to NUL.
        None => Some((0, 2)),
    }
}

/// `ast_get_encoded_str`: `text` decoded into at most `size - 1` bytes; it ends at the first
/// character that does not decode or decodes to NUL.
pub(super) fn decode_str(ctx: &mut dyn FuncCtx, text: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while out.len() + 1 < size {
        let Some((byte, used)) = decode_char(ctx, text.get(at..).unwrap_or_default()) else {
            break;
        };
        if byte == 0 {
            break;
        }
        out.push(byte);
        at += used;
    }
    out
}

