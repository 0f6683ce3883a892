//! The pest parser for `grammar/dialplan.pest`. `Rule` and `Pair` never leave the `dialplan` module.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/dialplan.pest"]
pub(crate) struct DialplanGrammar;
