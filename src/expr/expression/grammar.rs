//! The pest parser for `grammar/expr.pest`. `Rule` and `Pair` never leave the `expression`
//! module.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/expr.pest"]
pub(crate) struct ExprGrammar;
