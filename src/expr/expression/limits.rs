//! Limits of the expression engine.

/// Deepest nesting of parentheses, braces and ternary middles in one expression; deeper
/// expressions give `0` with a warning, as Asterisk does when its parser stack overflows
/// (bison's limit is 10000 states; dialplans never come near either).
pub const MAX_NESTING: usize = 128;
/// Most bytes of a dialplan function's result (`workspace[512]` in `op_func`).
pub const MAX_FUNCTION_RESULT: usize = 511;
