//! Encodings and digests (`funcs/func_base64.c`, `funcs/func_uri.c`, `funcs/func_md5.c`,
//! `funcs/func_sha1.c`, `funcs/func_strings.c`'s SQL escapes, `funcs/func_env.c`'s path
//! helpers): `BASE64_ENCODE`, `BASE64_DECODE`, `URIENCODE`, `URIDECODE`, `MD5`, `SHA1`,
//! `SQL_ESC`, `SQL_ESC_BACKSLASHES`, `BASENAME`, `DIRNAME`.

use std::fmt::Write as _;

use base64::Engine as _;
use md5::Digest as _;

use crate::interp::ctx::FuncCtx;
use crate::interp::functions::Func;

pub(super) const FUNCS: &[Func] = &[
    Func::pure("BASE64_ENCODE", "Encode a string in base64.", base64_encode),
    Func::pure("BASE64_DECODE", "Decode a base64 string.", base64_decode),
    Func::pure(
        "URIENCODE",
        "Encodes a string to URI-safe encoding according to RFC 2396.",
        uriencode,
    ),
    Func::pure(
        "URIDECODE",
        "Decodes a URI-encoded string according to RFC 2396.",
        uridecode,
    ),
    Func::pure("MD5", "Computes an MD5 digest.", md5),
    Func::pure("SHA1", "Computes a SHA1 digest.", sha1),
    Func::pure(
        "SQL_ESC",
        "Escapes single ticks for use in SQL statements.",
        sql_esc,
    ),
    Func::pure(
        "SQL_ESC_BACKSLASHES",
        "Escapes backslashes for use in SQL statements.",
        sql_esc_backslashes,
    ),
    Func::pure("BASENAME", "Return the name of a file.", basename),
    Func::pure("DIRNAME", "Return the directory of a file.", dirname),
];

pub fn base64_encode(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("Syntax: BASE64_ENCODE(<data>) - missing argument!".to_string());
        return None;
    }
    Some(base64::engine::general_purpose::STANDARD.encode(args))
}

/// `ast_base64decode`: stops at `=` or the end; characters outside the alphabet count as 63;
/// the result ends at its first NUL byte.
pub fn base64_decode(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("Syntax: BASE64_DECODE(<data>) - missing argument!".to_string());
        return None;
    }
    let value = |b: u8| -> u32 {
        match b {
            b'A'..=b'Z' => u32::from(b - b'A'),
            b'a'..=b'z' => u32::from(b - b'a') + 26,
            b'0'..=b'9' => u32::from(b - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in args.bytes().take_while(|&b| b != b'=') {
        acc = (acc << 6) | value(b);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

pub fn uriencode(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let mut out = String::with_capacity(args.len());
    for b in args.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Some(out)
}

pub fn uridecode(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    let bytes = args.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(16));
        if bytes[at] == b'%' && at + 2 < bytes.len() {
            if let Some(high) = hex(bytes.get(at + 1)) {
                let value = match hex(bytes.get(at + 2)) {
                    Some(low) => high * 16 + low,
                    None => high,
                };
                out.push(value as u8);
                at += 3;
                continue;
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

pub fn md5(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("Syntax: MD5(<data>) - missing argument!".to_string());
        return None;
    }
    Some(hex(&md5::Md5::digest(args.as_bytes())))
}

pub fn sha1(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("Syntax: SHA1(<data>) - missing argument!".to_string());
        return None;
    }
    Some(hex(&sha1_digest(args.as_bytes())))
}

/// SHA-1 (FIPS 180-4); no approved crate provides it.
fn sha1_digest(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (idx, word) in block.chunks_exact(4).enumerate() {
            w[idx] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for idx in 16..80 {
            w[idx] = (w[idx - 3] ^ w[idx - 8] ^ w[idx - 14] ^ w[idx - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (idx, word) in w.iter().enumerate() {
            let (f, k) = match idx {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let temp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*word);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        for (slot, value) in h.iter_mut().zip([a, b, c, d, e]) {
            *slot = slot.wrapping_add(value);
        }
    }
    let mut out = [0u8; 20];
    for (idx, word) in h.iter().enumerate() {
        out[idx * 4..idx * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

pub fn sql_esc(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.replace('\'', "''"))
}

pub fn sql_esc_backslashes(_ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    Some(args.replace('\\', "\\\\"))
}

/// `basename(3)` of the argument.
pub fn basename(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("BASENAME requires an argument, BASENAME(<filename>)".to_string());
        return None;
    }
    let trimmed = args.trim_end_matches('/');
    if trimmed.is_empty() {
        return Some("/".to_string());
    }
    Some(trimmed.rsplit('/').next().unwrap_or(trimmed).to_string())
}

/// `dirname(3)` of the argument.
pub fn dirname(ctx: &mut dyn FuncCtx, args: &str) -> Option<String> {
    if args.is_empty() {
        ctx.warn("DIRNAME requires an argument, DIRNAME(<filename>)".to_string());
        return None;
    }
    let trimmed = args.trim_end_matches('/');
    match trimmed.rfind('/') {
        None if trimmed.is_empty() => Some("/".to_string()),
        None => Some(".".to_string()),
        Some(0) => Some("/".to_string()),
        Some(at) => Some(trimmed[..at].trim_end_matches('/').to_string()),
    }
}
