//! Asterisk's `$[...]` expression language (spec dialplan.md §5; `main/ast_expr2.fl`,
//! `main/ast_expr2.y`).
//!
//! `parse` compiles the text between `$[` and `]` (already substituted) once; `Expr::eval`
//! runs it as often as needed and returns what `$[...]` becomes plus the warnings Asterisk would
//! log. Nothing here fails: a syntax error gives Asterisk's value for it (§5.7) and a warning.
//!
//! Numbers are x87 80-bit `long double`s computed exactly as Asterisk's FPU does and printed as
//! `%.18Lg` (`ldouble.rs`), so results match Asterisk digit for digit; only the transcendental
//! maths functions go through `f64` (see `math.rs`). Regular expressions are POSIX extended
//! ones with glibc's syntax and leftmost-longest matching (`posix.rs`).
//!
//! Layout: `lex.rs` splits the text into flex's tokens; `grammar.rs` derives the pest parser
//! for `grammar/expr.pest`, which parses the token sequence; `parse.rs` turns its tree into
//! postfix code (`code.rs`), reproducing bison's behaviour at syntax errors; `eval.rs` runs the
//! code with the operator semantics of `value.rs` and the functions of `math.rs`; `limits.rs`
//! holds the bounds; `template.rs` parses expressions with slots for values (`template`).
//!
//! Cost: parsing a short expression takes a microsecond or two, evaluating a parsed one a few
//! hundred nanoseconds (`5 + 1 > 5`: about 0.2 µs) and allocates only the result. An `Expr` is
//! `Send + Sync`, so callers can keep parsed expressions in a map keyed by their (substituted)
//! text; a regular expression that is a literal token is compiled once per `Expr`.
//!
//! Templates avoid even that re-parsing when only variable values change: `template` parses
//! expression text with slots where `${...}` substitutions go (`${I} + 1`), and
//! `Template::eval` evaluates it with the values in the slots, giving exactly what `evaluate`
//! gives for the substituted text, or `None` when a value could make that text split into
//! different tokens (then the caller substitutes and parses).

mod code;
mod eval;
mod grammar;
mod ldouble;
mod lex;
mod limits;
mod math;
mod parse;
mod posix;
mod template;
mod value;

#[cfg(test)]
mod template_tests;
#[cfg(test)]
mod tests;

pub use code::SyntaxError;
pub use template::{template, Piece, Template};

/// Calls the dialplan functions that appear inside an expression (`FUNC(args)`, §5.5).
pub trait Functions {
    /// The function's result; `None` when the function failed or is unknown. `args` are the
    /// evaluated arguments joined with `,`.
    fn call(&self, name: &str, args: &str) -> Option<String>;
}

/// No dialplan functions: every `FUNC()` call fails, as in Asterisk without a channel (load
/// time, `dialstate eval`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFunctions;

impl Functions for NoFunctions {
    fn call(&self, _name: &str, _args: &str) -> Option<String> {
        None
    }
}

/// What an evaluation gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The text `$[...]` becomes.
    pub value: String,
    /// The warnings Asterisk would log, in its order (lowercase, no final period).
    pub warnings: Vec<String>,
}

/// A parsed expression; parse once, evaluate many times. Cheap to share between threads.
#[derive(Clone, Debug)]
pub struct Expr {
    program: code::Program,
}

/// Parses the text between `$[` and `]` (already variable-substituted). Syntax errors are not
/// Rust errors: the `Expr` evaluates to Asterisk's result for that error and warns.
pub fn parse(text: &str) -> Expr {
    Expr {
        program: parse::compile(text),
    }
}

/// Parses and evaluates `text` in one go.
pub fn evaluate(text: &str, functions: &dyn Functions) -> Outcome {
    parse(text).eval(functions)
}

impl Expr {
    /// Evaluates the expression, calling `functions` for dialplan functions.
    pub fn eval(&self, functions: &dyn Functions) -> Outcome {
        eval::run(&self.program, &[], functions)
    }

    /// The syntax error Asterisk reports for this text, if any (its message is also the last
    /// warning of every evaluation). `offset` is where Asterisk's caret points.
    pub fn syntax_error(&self) -> Option<&SyntaxError> {
        self.program.error.as_ref().map(|(error, _)| error)
    }
}
