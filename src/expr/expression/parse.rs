//! From text to `Program`: lexes the text, runs the pest grammar on the token codes and
//! compiles its tree into postfix code, applying Asterisk's operator precedence and reproducing
//! what its bison parser does at a syntax error (spec dialplan.md §5.7).
//!
//! Bison evaluates during parsing and, at an error, has first carried out every reduction the
//! tokens before the error allowed (its default reductions). So the value is: the whole
//! expression before the error when that expression is complete (`1 + 2 3` → `3`); the empty
//! string when the very first token cannot start an expression (`+5`); otherwise `0`, after the
//! complete sub-expressions before the error were evaluated for their side effects (`(1/0`
//! warns about the division). The grammar marks the error places with `missing` and `stray`;
//! the code emitted up to the first of them is exactly what bison evaluated, because postfix
//! order is bison's reduction order and an operator is emitted only once its operands are
//! complete.

use std::borrow::Cow;

use pest::iterators::Pair;
use pest::Parser;

use crate::expr::expression::code::{Bin, Ending, Lit, Op, PatternSlot, Program, SyntaxError};
use crate::expr::expression::grammar::{ExprGrammar, Rule};
use crate::expr::expression::ldouble::Ld;
use crate::expr::expression::lex::{lex, Kind, Token};
use crate::expr::expression::limits::MAX_NESTING;
use crate::expr::expression::value::strip_quotes;

/// Compiles expression text (the part between `$[` and `]`, already substituted).
pub(crate) fn compile(text: &str) -> Program {
    // The text is a C string in Asterisk: a NUL ends it.
    let text = match text.find('\0') {
        Some(end) => &text[..end],
        None => text,
    };
    let (tokens, end) = lex(text);
    compile_tokens(text, &tokens, end, &[])
}

/// Compiles text that `lex` split into `tokens` (`end` is its `$end` offset). `slots[i]`, when
/// present, makes token `i` the given slot token of a template: its literal gets its text from
/// the values at evaluation, and a pattern made of it is not cached.
pub(crate) fn compile_tokens(
    text: &str,
    tokens: &[Token],
    end: usize,
    slots: &[Option<u32>],
) -> Program {
    if nesting(tokens) > MAX_NESTING {
        return failed(
            text,
            format!("expression nested deeper than {MAX_NESTING} levels"),
        );
    }
    let codes: String = tokens.iter().map(|token| token.kind.code()).collect();
    let start = match ExprGrammar::parse(Rule::start, &codes) {
        Ok(mut pairs) => pairs.next(),
        Err(_) => None,
    };
    let Some(start) = start else {
        return failed(text, "expression too complex to parse".to_string());
    };
    let mut builder = Builder {
        text,
        tokens,
        slots,
        code: Vec::with_capacity(tokens.len()),
        lits: Vec::with_capacity(tokens.len()),
        patterns: Vec::new(),
        error: None,
        depth: 0,
        max_depth: 0,
    };
    let mut ending = Ending::Empty;
    let mut error = None;
    for item in start.into_inner() {
        match item.as_rule() {
            Rule::expr => {
                if builder.expr(item) {
                    ending = Ending::Value;
                } else {
                    ending = Ending::Zero;
                    error = builder.error.take();
                    break;
                }
            }
            Rule::stray => {
                error = Some((item.as_span().start(), Expecting::End));
                break;
            }
            _ => {}
        }
    }
    let error = error.map(|(index, expecting)| {
        let error = syntax_error(tokens, end, index, expecting);
        with_warning(text, error)
    });
    Program {
        code: builder.code,
        lits: builder.lits,
        patterns: builder.patterns,
        ending,
        error,
        max_stack: builder.max_depth,
    }
}

/// A program that only reports `message` and gives `0`, as Asterisk does when bison gives up
/// (`memory exhausted`).
fn failed(text: &str, message: String) -> Program {
    let error = SyntaxError {
        message,
        offset: text.len(),
    };
    Program {
        code: Vec::new(),
        lits: Vec::new(),
        patterns: Vec::new(),
        ending: Ending::Zero,
        error: Some(with_warning(text, error)),
        max_stack: 0,
    }
}

/// The error and the warning text Asterisk logs for it (which shows the input).
fn with_warning(text: &str, error: SyntaxError) -> (SyntaxError, String) {
    let warning = format!("{}; input: {text}", error.message);
    (error, warning)
}

/// How deeply the grammar recurses: open parentheses plus open ternary middles.
fn nesting(tokens: &[Token]) -> usize {
    let (mut parens, mut conds, mut max) = (0usize, 0usize, 0usize);
    for token in tokens {
        match token.kind {
            Kind::LParen => parens += 1,
            Kind::RParen => parens = parens.saturating_sub(1),
            Kind::Cond => conds += 1,
            Kind::ColonColon => conds = conds.saturating_sub(1),
            _ => continue,
        }
        max = max.max(parens + conds);
    }
    max
}

/// What bison expected where the error was found (decides its message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expecting {
    /// The start of an expression (after an operator, `(`, `?`, `::` or `NAME(`).
    Operand,
    /// `)` closing a parenthesis (or any operator).
    CloseParen,
    /// `::` of a ternary (or any operator).
    CondColon,
    /// `,` or `)` in an argument list.
    CallClose,
    /// The end of the text.
    End,
}

/// The error at token `index` (`$end` at byte `end` past the last token).
fn syntax_error(tokens: &[Token], end: usize, index: usize, expecting: Expecting) -> SyntaxError {
    let (unexpected, offset) = match tokens.get(index) {
        Some(token) => (token.kind.bison_name(), token.start),
        None => ("$end", end),
    };
    let message = match expecting {
        Expecting::Operand => format!(
            "syntax error, unexpected {unexpected}, expecting '-' or '!' or '(' or '<token>'"
        ),
        Expecting::CloseParen | Expecting::CondColon => {
            format!("syntax error, unexpected {unexpected}")
        }
        Expecting::CallClose => {
            format!("syntax error, unexpected {unexpected}, expecting ',' or ')'")
        }
        Expecting::End => format!("syntax error, unexpected {unexpected}, expecting $end"),
    };
    SyntaxError { message, offset }
}

/// Binding strength, higher binds tighter (bison's `%left`/`%right` order).
const COND: u8 = 1;
const OR: u8 = 2;
const AND: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const UNARY: u8 = 7;
const MATCH: u8 = 8;

/// An operator waiting for its right operand.
#[derive(Clone, Copy, Debug)]
enum Pending {
    Neg,
    Not,
    Bin(Bin, u8),
    Match(bool),
    Cond,
}

impl Pending {
    fn prec(self) -> u8 {
        match self {
            Pending::Neg | Pending::Not => UNARY,
            Pending::Bin(_, prec) => prec,
            Pending::Match(_) => MATCH,
            Pending::Cond => COND,
        }
    }
}

struct Builder<'t> {
    text: &'t str,
    tokens: &'t [Token],
    /// Which tokens are slot tokens (see `compile_tokens`); empty for plain text.
    slots: &'t [Option<u32>],
    code: Vec<Op>,
    lits: Vec<Lit>,
    patterns: Vec<(Box<str>, PatternSlot)>,
    /// The first error: its token index, and what was expected there.
    error: Option<(usize, Expecting)>,
    /// Depth of the value stack after the code so far, and its maximum.
    depth: usize,
    max_depth: usize,
}

impl Builder<'_> {
    /// Records the first error (at token `index`) and returns false.
    fn fail(&mut self, index: usize, expecting: Expecting) -> bool {
        if self.error.is_none() {
            self.error = Some((index, expecting));
        }
        false
    }

    fn emit(&mut self, op: Op) {
        match &op {
            Op::Push(_) | Op::PushEmpty => {
                self.depth += 1;
                self.max_depth = self.max_depth.max(self.depth);
            }
            Op::Neg | Op::Not => {}
            Op::Bin(_) | Op::Match { .. } => self.depth = self.depth.saturating_sub(1),
            Op::Cond => self.depth = self.depth.saturating_sub(2),
            Op::Call { argc, .. } => {
                self.depth = self.depth.saturating_sub(*argc as usize) + 1;
                self.max_depth = self.max_depth.max(self.depth);
            }
        }
        self.code.push(op);
    }

    fn emit_pending(&mut self, pending: Pending) {
        let op = match pending {
            Pending::Neg => Op::Neg,
            Pending::Not => Op::Not,
            Pending::Bin(bin, _) => Op::Bin(bin),
            Pending::Cond => Op::Cond,
            Pending::Match(anchored) => {
                // A pattern that is a single token is compiled once and cached, unless the
                // token is a template's slot token (its text changes with the values).
                let literal = match self.code.last() {
                    Some(Op::Push(lit)) => self.lits.get(*lit as usize),
                    _ => None,
                };
                let cache = match literal {
                    Some(lit) if lit.slot.is_none() => {
                        let text = strip_quotes(Cow::Borrowed(&lit.text));
                        self.patterns
                            .push((text.into_owned().into_boxed_str(), PatternSlot::new()));
                        Some((self.patterns.len() - 1) as u32)
                    }
                    _ => None,
                };
                Op::Match { anchored, cache }
            }
        };
        self.emit(op);
    }

    /// Emits pending operators that bind at least as tightly as `prec` (all operators are
    /// left-associative; a prefix operator is popped by any weaker infix operator).
    fn reduce(&mut self, pending: &mut Vec<Pending>, prec: u8) {
        while let Some(&top) = pending.last() {
            if top.prec() < prec {
                break;
            }
            pending.pop();
            self.emit_pending(top);
        }
    }

    /// Compiles an `expr`; false when it holds the first error (nothing pending is emitted).
    fn expr(&mut self, pair: Pair<'_, Rule>) -> bool {
        let mut pending: Vec<Pending> = Vec::new();
        let mut items = pair.into_inner().peekable();
        while let Some(item) = items.next() {
            let infix = match item.as_rule() {
                Rule::neg => {
                    pending.push(Pending::Neg);
                    continue;
                }
                Rule::not => {
                    pending.push(Pending::Not);
                    continue;
                }
                Rule::missing => return self.fail(item.as_span().start(), Expecting::Operand),
                Rule::cond => {
                    self.reduce(&mut pending, COND);
                    let mut inner = item.into_inner();
                    match inner.next() {
                        Some(middle) if middle.as_rule() == Rule::expr => {
                            if !self.expr(middle) {
                                return false;
                            }
                        }
                        Some(missing) => {
                            return self.fail(missing.as_span().start(), Expecting::Operand)
                        }
                        None => return false,
                    }
                    if let Some(missing) = inner.next() {
                        return self.fail(missing.as_span().start(), Expecting::CondColon);
                    }
                    pending.push(Pending::Cond);
                    continue;
                }
                Rule::binary => match self.binary(&item) {
                    Some(op) => op,
                    None => continue,
                },
                Rule::paren => {
                    if !self.paren(item) {
                        return false;
                    }
                    continue;
                }
                _ => {
                    let args = items.next_if(|next| next.as_rule() == Rule::args);
                    if !self.operand(item, args) {
                        return false;
                    }
                    continue;
                }
            };
            self.reduce(&mut pending, infix.prec());
            pending.push(infix);
        }
        self.reduce(&mut pending, 0);
        true
    }

    /// The binary operator of a `binary` pair (its token tells which).
    fn binary(&self, pair: &Pair<'_, Rule>) -> Option<Pending> {
        let token = self.tokens.get(pair.as_span().start())?;
        let op = match token.kind {
            Kind::Or => Pending::Bin(Bin::Or, OR),
            Kind::And => Pending::Bin(Bin::And, AND),
            Kind::Eq => Pending::Bin(Bin::Eq, CMP),
            Kind::Ne => Pending::Bin(Bin::Ne, CMP),
            Kind::Lt => Pending::Bin(Bin::Lt, CMP),
            Kind::Gt => Pending::Bin(Bin::Gt, CMP),
            Kind::Le => Pending::Bin(Bin::Le, CMP),
            Kind::Ge => Pending::Bin(Bin::Ge, CMP),
            Kind::Plus => Pending::Bin(Bin::Add, ADD),
            Kind::Minus => Pending::Bin(Bin::Sub, ADD),
            Kind::Mult => Pending::Bin(Bin::Mul, MUL),
            Kind::Div => Pending::Bin(Bin::Div, MUL),
            Kind::Mod => Pending::Bin(Bin::Rem, MUL),
            Kind::Colon => Pending::Match(true),
            Kind::EqTilde => Pending::Match(false),
            Kind::TildeTilde => Pending::Bin(Bin::Concat, MATCH),
            _ => return None,
        };
        Some(op)
    }

    fn literal(&mut self, pair: &Pair<'_, Rule>) -> u32 {
        let index = pair.as_span().start();
        let slot = self.slots.get(index).copied().flatten();
        let (text, number) = match self.tokens.get(index) {
            Some(token) => {
                let text = self.text.get(token.start..token.text_end).unwrap_or("");
                let number =
                    (token.kind == Kind::Number && slot.is_none()).then(|| Ld::parse_prefix(text));
                (text, number)
            }
            None => ("", None),
        };
        self.lits.push(Lit {
            text: text.into(),
            number,
            slot,
        });
        (self.lits.len() - 1) as u32
    }

    /// Compiles a parenthesis; false when it holds the first error.
    fn paren(&mut self, pair: Pair<'_, Rule>) -> bool {
        let mut inner = pair.into_inner();
        match inner.next() {
            Some(body) if body.as_rule() == Rule::expr => {
                if !self.expr(body) {
                    return false;
                }
            }
            Some(missing) => return self.fail(missing.as_span().start(), Expecting::Operand),
            None => return false,
        }
        match inner.next() {
            Some(missing) => self.fail(missing.as_span().start(), Expecting::CloseParen),
            None => true,
        }
    }

    /// Compiles a token, or a function call when `args` follow it; false when it holds the
    /// first error.
    fn operand(&mut self, token: Pair<'_, Rule>, args: Option<Pair<'_, Rule>>) -> bool {
        let lit = self.literal(&token);
        let Some(args) = args else {
            self.emit(Op::Push(lit));
            return true;
        };
        let mut inner = args.into_inner();
        let mut argc: u32 = 0;
        match inner.next() {
            Some(list) if list.as_rule() == Rule::arglist => {
                for arg in list.into_inner() {
                    if arg.as_rule() == Rule::expr {
                        if !self.expr(arg) {
                            return false;
                        }
                    } else {
                        self.emit(Op::PushEmpty);
                    }
                    argc += 1;
                }
            }
            Some(missing) => return self.fail(missing.as_span().start(), Expecting::Operand),
            None => return false,
        }
        if let Some(missing) = inner.next() {
            return self.fail(missing.as_span().start(), Expecting::CallClose);
        }
        self.emit(Op::Call { name: lit, argc });
        true
    }
}
