//! Asterisk's argument splitting and truth rule (spec dialplan.md §4.7, §6.2). Applications and
//! functions receive their argument text raw and cut it here, the way `__ast_app_separate_args`
//! in `main/app.c` does, and conditions are judged the way `pbx_checkcondition` in `main/pbx.c`
//! judges them.
//!
//! Splitting tracks parenthesis and bracket depth and double quotes; a delimiter only cuts at
//! depth 0 outside quotes. Standard mode deletes quotes and escaping backslashes, raw mode keeps
//! them. Once all but one slot are filled, the rest of the text is the last argument, untouched.
//! Nothing is trimmed.

#[cfg(test)]
mod tests;

/// How quotes and backslashes are treated while splitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Quotes are deleted, a backslash is deleted and keeps the next character literally.
    Standard,
    /// Quotes and backslashes stay; a backslash still protects the next character.
    Raw,
}

/// Splits `text` on `delim` into at most `slots` arguments (the last one takes the rest, raw).
/// Empty text gives no arguments.
pub fn split(text: &str, delim: char, slots: usize, mode: Mode) -> Vec<String> {
    let mut res = Vec::new();
    if slots == 0 || text.is_empty() {
        return res;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut idx = 0;
    let mut paren = 0usize;
    let mut bracket = 0usize;
    let mut quoted = false;
    // Whether the argument cut last ended at a delimiter (not at the end of the text).
    let mut ended_at_delim = false;
    while idx < chars.len() && res.len() < slots - 1 {
        let mut arg = String::new();
        ended_at_delim = false;
        while idx < chars.len() {
            let c = chars[idx];
            match c {
                '(' => {
                    paren += 1;
                    arg.push(c);
                }
                ')' => {
                    paren = paren.saturating_sub(1);
                    arg.push(c);
                }
                '[' => {
                    bracket += 1;
                    arg.push(c);
                }
                ']' => {
                    bracket = bracket.saturating_sub(1);
                    arg.push(c);
                }
                '"' if delim != '"' => {
                    quoted = !quoted;
                    if mode == Mode::Raw {
                        arg.push(c);
                    }
                }
                '\\' => {
                    if mode == Mode::Raw {
                        arg.push(c);
                    }
                    // The next character is taken literally (a trailing backslash ends the text).
                    if let Some(&next) = chars.get(idx + 1) {
                        arg.push(next);
                        idx += 1;
                    }
                }
                _ if c == delim && paren == 0 && bracket == 0 && !quoted => {
                    idx += 1;
                    ended_at_delim = true;
                    break;
                }
                _ => arg.push(c),
            }
            idx += 1;
        }
        res.push(arg);
    }
    if idx < chars.len() {
        res.push(chars[idx..].iter().collect());
    } else if ended_at_delim {
        // A delimiter at the very end yields one more, empty, argument.
        res.push(String::new());
    }
    res
}

/// Asterisk's truth rule for conditions (§6.2, vectors §8.7): empty text is false; text that
/// starts (after blanks) with a C integer is true when that integer is not 0; anything else is
/// true.
pub fn is_true(text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    match leading_int(text) {
        Some((n, _)) => n != 0,
        None => true,
    }
}

/// Reads a leading integer the way C's `sscanf(text, "%30d", ..)` does on glibc: blanks
/// (`isspace`) skipped, at most 30 characters of optional sign and digits, the value converted
/// through `long` (saturating) and then truncated to `int`. Returns the value and the number of
/// bytes consumed (blanks included); `None` when no digit follows.
pub fn leading_int(text: &str) -> Option<(i32, usize)> {
    let bytes = text.as_bytes();
    let mut idx = 0;
    while bytes.get(idx).is_some_and(|&b| is_c_space(b)) {
        idx += 1;
    }
    let end = bytes.len().min(idx + 30);
    let mut negative = false;
    if idx < end && (bytes[idx] == b'+' || bytes[idx] == b'-') {
        negative = bytes[idx] == b'-';
        idx += 1;
    }
    let digits_start = idx;
    let mut magnitude: Option<i64> = Some(0);
    while idx < end && bytes[idx].is_ascii_digit() {
        let digit = i64::from(bytes[idx] - b'0');
        magnitude = magnitude
            .and_then(|it| it.checked_mul(10))
            .and_then(|it| it.checked_add(digit));
        idx += 1;
    }
    if idx == digits_start {
        return None;
    }
    let long = match (magnitude, negative) {
        (Some(it), false) => it,
        (Some(it), true) => -it,
        (None, false) => i64::MAX,
        (None, true) => i64::MIN,
    };
    // C's conversion of a `long` to `int` keeps the low 32 bits.
    Some((long as i32, idx))
}

/// C's `isspace` in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}
