//! Application data compiled once per priority: literal text, plain `${NAME}` references and
//! `$[...]` expressions over plain references, kept as a parsed expression `Template`. Data with
//! anything else (functions, substrings, nesting, unbalanced brackets) is not compiled and goes
//! through the general substitution every time. Evaluating compiled data gives exactly what
//! `expr::substitute` gives: a template that cannot take a value falls back to substitution.

use crate::expr::expression::{template, Piece, Template};

/// One piece of compiled data.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Lit(String),
    Var(String),
    Expr(Box<ExprSeg>),
}

/// A `$[...]` of compiled data.
#[derive(Debug, Clone)]
pub(crate) struct ExprSeg {
    pub template: Template,
    pub vars: Vec<String>,
    /// The expression body as written, for the fallback.
    pub body: String,
}

/// Compiled application data.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub segs: Vec<Seg>,
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The body of `${...}` or `$[...]` starting at `start` and where it ends; `None` when the
/// closing bracket is missing (the general path reports that).
fn body(text: &str, start: usize, open: u8, close: u8) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    for (idx, &b) in bytes.iter().enumerate().skip(start) {
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Some((&text[start..idx], idx + 1));
            }
        }
    }
    None
}

/// Splits an expression body into text and plain `${NAME}` references.
fn expression(body_text: &str) -> Option<Seg> {
    let mut pieces = Vec::new();
    let mut vars = Vec::new();
    let mut pos = 0;
    while let Some(found) = body_text[pos..].find("${") {
        let at = pos + found;
        pieces.push(Piece::Text(&body_text[pos..at]));
        let (name, next) = body(body_text, at + 2, b'{', b'}')?;
        if !is_name(name) {
            return None;
        }
        pieces.push(Piece::Slot);
        vars.push(name.to_string());
        pos = next;
    }
    let rest = &body_text[pos..];
    if rest.contains("$[") {
        return None;
    }
    pieces.push(Piece::Text(rest));
    let template = template(&pieces)?;
    Some(Seg::Expr(Box::new(ExprSeg {
        template,
        vars,
        body: body_text.to_string(),
    })))
}

/// Compiles `data`, or `None` when it needs the general substitution.
pub(crate) fn compile(data: &str) -> Option<Compiled> {
    let mut segs = Vec::new();
    let bytes = data.as_bytes();
    let mut pos = 0;
    let mut lit = String::new();
    while pos < bytes.len() {
        let Some(found) = data[pos..].find('$') else {
            lit.push_str(&data[pos..]);
            break;
        };
        let at = pos + found;
        lit.push_str(&data[pos..at]);
        match bytes.get(at + 1) {
            Some(b'{') => {
                let (name, next) = body(data, at + 2, b'{', b'}')?;
                if !is_name(name) {
                    return None;
                }
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(Seg::Var(name.to_string()));
                pos = next;
            }
            Some(b'[') => {
                let (text, next) = body(data, at + 2, b'[', b']')?;
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(expression(text)?);
                pos = next;
            }
            _ => {
                lit.push('$');
                pos = at + 1;
            }
        }
    }
    if !lit.is_empty() {
        segs.push(Seg::Lit(lit));
    }
    Some(Compiled { segs })
}
