//! `${...}` substitution (spec dialplan.md §4). The `$[...]` expression language arrives with the
//! interpreter; until then an expression is kept as written, with its body substituted.

pub mod expression;
mod subst;

pub use subst::{substitute, substring, Vars};

#[cfg(test)]
mod tests;
