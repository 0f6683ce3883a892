//! Limits of the config reader, each matching Asterisk's (spec dialplan.md §1).

/// A physical line must fit, with its newline, in this many bytes (`main/config.c` buffer − 1).
pub const MAX_LINE_BYTES: usize = 8191;
/// Deepest block-comment nesting.
pub const MAX_COMMENT_NESTING: usize = 128;
/// Deepest `#include` chain below the top file.
pub const MAX_INCLUDE_DEPTH: usize = 10;
/// Section names are cut to this many bytes.
pub const MAX_CATEGORY_NAME: usize = 79;
/// Largest file read at all (byte offsets are 32-bit).
pub const MAX_FILE_BYTES: u64 = 1 << 31;
/// How many files one `#include` glob may load.
pub const MAX_GLOB_MATCHES: usize = 4096;
/// Most files one load reads, counting every `#include` of every file (Asterisk has no such
/// limit, so a file that includes itself twice would be read 2^10 times).
pub const MAX_FILES: usize = 1000;
