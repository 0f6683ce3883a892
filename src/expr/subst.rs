//! The substitution scanner of `main/pbx_variables.c`: one left-to-right pass, results never
//! rescanned, `${NAME:offset:length}` cut by bytes, nesting limited to 15 levels.

/// Where substitution looks names up.
pub trait Vars {
    /// A variable's value; `None` when it is unset.
    fn var(&mut self, name: &str) -> Option<String>;
    /// A function call `NAME(args)`; `None` when it fails or is unknown.
    fn function(&mut self, name: &str, args: &str) -> Option<String>;
    /// What `$[text]` becomes (`text` is already substituted). Without a channel (load time)
    /// the expression is kept as written.
    fn expression(&mut self, text: &str) -> String {
        format!("$[{text}]")
    }
    /// A warning about the text being substituted (a missing `}` or `]`).
    fn warn(&mut self, message: &str) {
        let _ = message;
    }
}

/// Deepest nesting of `${...}` inside `${...}`.
const MAX_DEPTH: usize = 15;

/// Substitutes every `${...}` in `text`; borrows when there is nothing to substitute.
pub fn substitute<'a>(text: &'a str, vars: &mut dyn Vars) -> std::borrow::Cow<'a, str> {
    if !text.contains("${") && !text.contains("$[") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    scan(text, vars, 0, &mut out);
    std::borrow::Cow::Owned(out)
}

fn scan(text: &str, vars: &mut dyn Vars, depth: usize, out: &mut String) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(dollar) = text[pos..].find('$').map(|it| it + pos) else {
            out.push_str(&text[pos..]);
            return;
        };
        out.push_str(&text[pos..dollar]);
        match bytes.get(dollar + 1) {
            Some(b'{') => {
                let (body, next, nested, closed) = body_of(text, dollar + 2, b'{', b'}');
                if !closed {
                    vars.warn("error in extension logic (missing '}')");
                }
                let body = if nested {
                    if depth + 1 > MAX_DEPTH {
                        String::new()
                    } else {
                        let mut inner = String::new();
                        scan(body, vars, depth + 1, &mut inner);
                        inner
                    }
                } else {
                    body.to_string()
                };
                out.push_str(&evaluate(&body, vars));
                pos = next;
            }
            Some(b'[') => {
                let (body, next, nested, closed) = body_of(text, dollar + 2, b'[', b']');
                if !closed {
                    vars.warn("error in extension logic (missing ']')");
                }
                let body = if nested && depth < MAX_DEPTH {
                    let mut inner = String::new();
                    scan(body, vars, depth + 1, &mut inner);
                    inner
                } else {
                    body.to_string()
                };
                let value = vars.expression(&body);
                out.push_str(&value);
                pos = next;
            }
            _ => {
                out.push('$');
                pos = dollar + 1;
            }
        }
    }
}

/// Finds the body of a reference starting at `start` (just after `${` or `$[`): returns the
/// body, the position after the closing bracket, whether it holds nested references and whether
/// the closing bracket was there.
fn body_of(text: &str, start: usize, open: u8, close: u8) -> (&str, usize, bool, bool) {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut nested = false;
    let mut idx = start;
    while idx < bytes.len() {
        let b = bytes[idx];
        if b == b'$' && matches!(bytes.get(idx + 1), Some(b'{') | Some(b'[')) {
            nested = true;
        }
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return (&text[start..idx], idx + 1, nested, true);
            }
        }
        idx += 1;
    }
    (&text[start..], bytes.len(), nested, false)
}

/// Evaluates a `${...}` body: a variable or a function call, then the optional substring.
fn evaluate(body: &str, vars: &mut dyn Vars) -> String {
    let bytes = body.as_bytes();
    let mut parens = 0i32;
    let mut is_call = false;
    let mut split = body.len();
    for (idx, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => {
                parens += 1;
                is_call = true;
            }
            b')' => parens -= 1,
            b':' if parens == 0 => {
                split = idx;
                break;
            }
            _ => {}
        }
    }
    let name = &body[..split];
    let value = if is_call {
        match (name.find('('), name.rfind(')')) {
            (Some(open), Some(close)) if close > open => {
                vars.function(&name[..open], &name[open + 1..close])
            }
            (Some(open), _) => vars.function(&name[..open], &name[open + 1..]),
            _ => None,
        }
    } else {
        vars.var(name)
    };
    let Some(value) = value else {
        return String::new();
    };
    if split == body.len() {
        return value;
    }
    let rest = &body[split + 1..];
    let (offset, rest) = c_int(rest);
    let Some(offset) = offset else {
        return value;
    };
    let length = rest.strip_prefix(':').and_then(|it| c_int(it).0);
    substring(&value, offset, length)
}

/// C `%d`: leading blanks, optional sign, digits; junk after them is ignored.
fn c_int(text: &str) -> (Option<i64>, &str) {
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let bytes = trimmed.as_bytes();
    let mut idx = 0;
    if matches!(bytes.first(), Some(b'+') | Some(b'-')) {
        idx = 1;
    }
    let digits = bytes[idx..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return (None, text);
    }
    let end = idx + digits;
    let value = trimmed[..end].parse::<i64>().ok().or_else(|| {
        Some(if trimmed.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        })
    });
    (value, &trimmed[end..])
}

/// Asterisk's `substring`: offsets and lengths count bytes; negative ones count from the end.
pub fn substring(value: &str, offset: i64, length: Option<i64>) -> String {
    let bytes = value.as_bytes();
    let n = bytes.len() as i64;
    let length_val = length.unwrap_or(i64::MAX);
    if offset == 0 && length_val >= n {
        return value.to_string();
    }
    let mut offset = offset;
    if offset < 0 {
        offset = (n + offset).max(0);
    }
    if offset >= n {
        return String::new();
    }
    let rest = &bytes[offset as usize..];
    let cut = if length_val >= 0 {
        &rest[..(length_val as usize).min(rest.len())]
    } else {
        let drop = length_val.unsigned_abs() as usize;
        if drop >= rest.len() {
            &rest[..0]
        } else {
            &rest[..rest.len() - drop]
        }
    };
    String::from_utf8_lossy(cut).into_owned()
}
