//! The lexical layer of Asterisk config files (`main/config.c`): text in, a raw `ConfFile` of
//! sections and items out, with diagnostics. Nothing here knows what a dialplan is.

mod comments;
mod grammar;
pub mod limits;
mod load;
mod model;
mod provider;

pub use load::{load, load_str};
pub use model::{Category, ConfFile, Item};
pub use provider::{FsProvider, MemProvider, PathKind, SourceProvider};

#[cfg(test)]
mod tests;
