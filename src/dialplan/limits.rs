//! Limits of the dialplan layer.

/// Deepest nesting of `[` in an extension field; deeper lines are refused (Asterisk has no
/// limit, but such a line can only be garbage).
pub const MAX_BRACKET_NESTING: usize = 32;
/// Most contexts one lookup visits through includes (`AST_PBX_MAX_STACK`).
pub const MAX_INCLUDE_VISITS: usize = 512;
