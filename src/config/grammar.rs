//! The pest parser for `grammar/conf.pest`. `Rule` and `Pair` never leave the `config` module.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/conf.pest"]
pub(crate) struct ConfGrammar;
