//! Expression templates: an expression whose variable parts are slots, parsed once and
//! evaluated with different values, with exactly the outcome of substituting the values and
//! parsing the result.
//!
//! `template` joins the pieces with a one-byte placeholder word standing for each slot and
//! lexes that text. Every placeholder must then lie inside a token, which makes the token a
//! slot token of one of two contexts:
//!
//! - a word (a number or a plain word, such as `${I}` alone or `1${X}`): a value must be a
//!   non-empty run of word characters (no blank, operator, quote, parenthesis, brace or `$`);
//! - a quoted string (`"${X}"`): a value may hold anything but `"` and NUL.
//!
//! A value of its context cannot change any decision of the lexer (see `lex.rs`): the lexer
//! looks past a token start only to pair an operator or a `$` with the next byte, to find the
//! closing quote, to match braces after `${`, or to extend a word; a word value starts, ends
//! and continues a word just as the placeholder does, and a quoted value holds no quote. So the
//! substituted text splits into the same tokens as the placeholder text, the grammar sees the
//! same token codes, and the compiled program is the same except for the slot tokens' texts,
//! which `Template::eval` fills in (deciding number or word as the lexer would). A pattern
//! made of a slot token is compiled at each evaluation, as for a freshly parsed text.
//!
//! The template is refused when a placeholder falls where a value could move token
//! boundaries: in no token (after an unterminated `${`), inside a leftover `${...}` token, or
//! before the end of a `${...}` token whose text runs to the end of the input (the `unput()`
//! quirk). A syntax error's warning shows the input, so it is rebuilt from the values.

use std::borrow::Cow;

use crate::expr::expression::code::Program;
use crate::expr::expression::eval::{run, Filled};
use crate::expr::expression::lex::{is_number, is_word_byte, lex};
use crate::expr::expression::parse::compile_tokens;
use crate::expr::expression::{Functions, Outcome};

/// The text that stands for a slot while the template is parsed: one word character.
const PLACEHOLDER: &str = "s";

/// Up to this many slot tokens are filled in without allocating.
const INLINE: usize = 4;

/// A piece of an expression template: literal expression text, or a slot that a value fills at
/// evaluation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Expression text, used as it is.
    Text(&'a str),
    /// A place for a value (in the dialplan, a `${...}` that is substituted).
    Slot,
}

/// An expression parsed with slots; cheap to evaluate with different values. Cheap to share
/// between threads.
#[derive(Clone, Debug)]
pub struct Template {
    program: Program,
    /// The literal text before each slot, then the text after the last one.
    texts: Vec<Box<str>>,
    /// The context of each slot.
    contexts: Vec<Context>,
    /// The slot tokens, in the numbering of the program's literals.
    tokens: Vec<SlotToken>,
}

/// Where a slot sits, which decides the values that keep the tokens as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// In a word: the value must be a non-empty run of word characters.
    Word,
    /// In a quoted string: the value must hold no `"` and no NUL.
    Quoted,
}

/// A token that holds slots: the literal text and slots it is made of.
#[derive(Clone, Debug)]
struct SlotToken {
    parts: Vec<Part>,
    /// A quoted string (never a number token).
    quoted: bool,
}

impl SlotToken {
    /// The token's text with `values` in its slots, and whether it is a number token.
    fn fill<'a>(&'a self, values: &[&'a str]) -> Option<Filled<'a>> {
        let text = match self.parts.as_slice() {
            [Part::Slot(slot)] => Cow::Borrowed(*values.get(*slot)?),
            parts => {
                let mut joined = String::new();
                for part in parts {
                    match part {
                        Part::Text(text) => joined.push_str(text),
                        Part::Slot(slot) => joined.push_str(values.get(*slot)?),
                    }
                }
                Cow::Owned(joined)
            }
        };
        let number = !self.quoted && is_number(text.as_bytes());
        Some(Filled { text, number })
    }
}

#[derive(Clone, Debug)]
enum Part {
    Text(Box<str>),
    Slot(usize),
}

/// Parses `Text` pieces joined with a placeholder token standing for each `Slot`.
///
/// Returns `None` when the template cannot be pre-parsed safely: a slot where a value could
/// move token boundaries (inside a leftover `${...}`, or after an unterminated `${`), or a
/// NUL in the text. A slot inside a word (`1${X}`, `${A}${B}`) or a quoted string (`"${X}"`) is
/// accepted; its values are checked at evaluation.
pub fn template(pieces: &[Piece<'_>]) -> Option<Template> {
    let mut text = String::new();
    let mut texts = Vec::new();
    let mut current = String::new();
    let mut places = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(part) => {
                text.push_str(part);
                current.push_str(part);
            }
            Piece::Slot => {
                places.push(text.len());
                text.push_str(PLACEHOLDER);
                texts.push(std::mem::take(&mut current).into_boxed_str());
            }
        }
    }
    texts.push(current.into_boxed_str());
    // A NUL ends the text in Asterisk; keep the simple case only.
    if text.contains('\0') {
        return None;
    }
    let (lexed, end) = lex(&text);
    let mut slot_of_token = vec![None; lexed.len()];
    let mut contexts = vec![Context::Word; places.len()];
    let mut tokens = Vec::new();
    let mut next = 0;
    for (index, token) in lexed.iter().enumerate() {
        // A placeholder before this token belongs to no token.
        if places.get(next).is_some_and(|&place| place < token.start) {
            return None;
        }
        // The text of a `${...}` token ended by `unput()` runs to the end of the input.
        if token.text_end > token.end && next < places.len() {
            return None;
        }
        let mut parts = Vec::new();
        let mut pos = token.start;
        while let Some(&place) = places.get(next).filter(|&&place| place < token.end) {
            if place > pos {
                parts.push(Part::Text(text.get(pos..place)?.into()));
            }
            parts.push(Part::Slot(next));
            pos = place + PLACEHOLDER.len();
            next += 1;
        }
        if parts.is_empty() {
            continue;
        }
        if pos > token.end {
            return None;
        }
        if pos < token.end {
            parts.push(Part::Text(text.get(pos..token.end)?.into()));
        }
        let body = text.get(token.start..token.end)?;
        let quoted = body.starts_with('"');
        if !quoted && body.contains("${") {
            return None;
        }
        let context = if quoted {
            Context::Quoted
        } else {
            Context::Word
        };
        for part in &parts {
            if let Part::Slot(slot) = part {
                *contexts.get_mut(*slot)? = context;
            }
        }
        *slot_of_token.get_mut(index)? = Some(u32::try_from(tokens.len()).ok()?);
        tokens.push(SlotToken { parts, quoted });
    }
    if next < places.len() {
        return None;
    }
    let program = compile_tokens(&text, &lexed, end, &slot_of_token);
    Some(Template {
        program,
        texts,
        contexts,
        tokens,
    })
}

impl Template {
    /// How many slots the template has (the number of values `eval` takes).
    pub fn slots(&self) -> usize {
        self.contexts.len()
    }

    /// Evaluates with `values[i]` in slot `i`. Returns `None` when a value would not keep the
    /// tokens of the placeholder text (a value in a word that is empty or holds a blank,
    /// operator, quote, parenthesis, brace or `$`; a value in a quoted string that holds `"`
    /// or NUL) or when the number of values is wrong; the caller then substitutes and calls
    /// `evaluate`, whose outcome this one otherwise equals exactly.
    pub fn eval(&self, values: &[&str], functions: &dyn Functions) -> Option<Outcome> {
        if values.len() != self.contexts.len() {
            return None;
        }
        for (value, context) in values.iter().zip(&self.contexts) {
            let fits = match context {
                Context::Word => !value.is_empty() && value.bytes().all(is_word_byte),
                Context::Quoted => !value.bytes().any(|b| b == b'"' || b == 0),
            };
            if !fits {
                return None;
            }
        }
        // Few slot tokens (the usual case) are filled in on the stack.
        let mut outcome = if self.tokens.len() <= INLINE {
            let mut filled: [Filled<'_>; INLINE] = std::array::from_fn(|_| Filled::default());
            for (slot, token) in filled.iter_mut().zip(&self.tokens) {
                *slot = token.fill(values)?;
            }
            run(&self.program, filled.get(..self.tokens.len())?, functions)
        } else {
            let filled = self
                .tokens
                .iter()
                .map(|token| token.fill(values))
                .collect::<Option<Vec<_>>>()?;
            run(&self.program, &filled, functions)
        };
        // The syntax error's warning (always the last) shows the substituted input.
        if let Some((error, _)) = &self.program.error {
            if let Some(last) = outcome.warnings.last_mut() {
                *last = format!("{}; input: {}", error.message, self.substitute(values));
            }
        }
        Some(outcome)
    }

    /// The text with the values in the slots (what the caller would otherwise parse); a
    /// missing value counts as empty.
    pub fn substitute(&self, values: &[&str]) -> String {
        let mut text = String::new();
        for (i, literal) in self.texts.iter().enumerate() {
            if i > 0 {
                text.push_str(values.get(i - 1).copied().unwrap_or(""));
            }
            text.push_str(literal);
        }
        text
    }
}
