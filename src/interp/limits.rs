//! Limits of the interpreter (STYLE §2.10); Asterisk has none of them.

/// Default number of priorities one call may execute before it is stopped.
pub const DEFAULT_MAX_STEPS: u64 = 100_000;
/// Deepest Gosub nesting.
pub const MAX_GOSUB_DEPTH: usize = 256;
/// Substituted application data is cut at this many bytes (`EXT_DATA_SIZE`).
pub const MAX_DATA: usize = 8191;
/// Deepest Macro nesting whatever MACRO_RECURSION says (each level is a nested step loop).
pub const MAX_MACRO_DEPTH: usize = 64;
