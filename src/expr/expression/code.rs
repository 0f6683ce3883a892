//! The compiled form of an expression: postfix code for a small stack machine.
//!
//! Asterisk evaluates while it parses, bottom-up, so every operand is evaluated (there is no
//! short-circuit, not even for `|`, `&` or `?:`) in the order of a post-order walk. Postfix code
//! replays exactly that order without recursion, however long or deep the expression is.

use std::sync::OnceLock;

use crate::expr::expression::ldouble::Conv;
use crate::expr::expression::posix::Pattern;

/// A token from the text.
#[derive(Clone, Debug)]
pub(crate) struct Lit {
    pub(crate) text: Box<str>,
    /// `Some` for a number token (a numeric string), with its conversion done in advance.
    pub(crate) number: Option<Conv>,
    /// `Some(n)` for the `n`th token of a template that holds slots: its text (and whether it
    /// is a number) comes from the values at each evaluation, and `text` is only the
    /// placeholder's.
    pub(crate) slot: Option<u32>,
}

/// Binary operators that take two values and give one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bin {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
}

/// One instruction.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// Pushes literal number `n`.
    Push(u32),
    /// Pushes the empty string (an empty function argument).
    PushEmpty,
    Neg,
    Not,
    Bin(Bin),
    /// `:` (anchored) or `=~`; `cache` names a slot for a pattern that is a literal.
    Match {
        anchored: bool,
        cache: Option<u32>,
    },
    /// `c ? x :: y`, all three already evaluated.
    Cond,
    /// A function call with `argc` arguments; `name` is a literal number.
    Call {
        name: u32,
        argc: u32,
    },
}

/// What `$[...]` gives once the code has run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The value left on the stack.
    Value,
    /// The empty string (empty input, or a syntax error at the first token).
    Empty,
    /// `0` (a syntax error inside the expression; whatever was evaluated is discarded).
    Zero,
}

/// A compiled pattern (or `regcomp`'s error) for a literal pattern.
pub(crate) type PatternSlot = OnceLock<Result<Pattern, String>>;

#[derive(Clone, Debug)]
pub(crate) struct Program {
    pub(crate) code: Vec<Op>,
    pub(crate) lits: Vec<Lit>,
    /// Literal pattern text (quotes stripped) and its lazily compiled form, per `Match` cache.
    pub(crate) patterns: Vec<(Box<str>, PatternSlot)>,
    pub(crate) ending: Ending,
    /// The syntax error Asterisk would log, if any, and its warning text.
    pub(crate) error: Option<(SyntaxError, String)>,
    /// Deepest the value stack gets.
    pub(crate) max_stack: usize,
}

/// A syntax error as Asterisk's `ast_yyerror` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Bison's message after Asterisk's token renaming, e.g.
    /// `syntax error, unexpected '<token>', expecting $end`.
    pub message: String,
    /// Byte offset of the unexpected token in the expression text (where Asterisk puts `^`).
    pub offset: usize,
}
