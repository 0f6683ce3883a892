//! `${...}` substitution (spec dialplan.md §4) and, in `expression`, Asterisk's `$[...]`
//! expression language (§8).

pub mod expression;
mod subst;

pub use subst::{substitute, substring, Vars};

#[cfg(test)]
mod tests;
