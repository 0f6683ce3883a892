//! Extension names and patterns: matching, ordering, normalisation and a lookup index.
//!
//! This module is dialstate's copy of the rules Asterisk's default matcher follows
//! (`dialplan.md` §2.3 step 2, §2.6 and §3.1–3.5). An extension name starting with `_` is a
//! pattern; anything else is a literal. `extension_match` answers the three match questions of
//! §3.2, `ext_cmp` is the total order of §3.3 that is also the identity test of §2.6, and
//! `ExtenIndex` finds every MATCH of a dialed string among many extensions without scanning them.
//!
//! Everything works on bytes, as Asterisk's C code does. A NUL byte ends a name or a dialed
//! string, exactly as it would in C, so `"1\0x"` behaves like `"1"`. Literal bytes compare as
//! signed C `char` (bytes ≥ 0x80 sort before the end of a string and before ASCII), pattern
//! elements compare as unsigned bytes, and a range inside a set matches with signed bounds, the
//! way `_extension_match_core` compares them. No function in this module panics, whatever the
//! input.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

#[cfg(test)]
mod tests;

/// The three questions a lookup can ask of an extension (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchMode {
    /// Does the dialed string fully match?
    Match,
    /// Does it fully match, or is it a prefix of something that would match?
    CanMatch,
    /// Could a longer string starting with the dialed string match?
    MatchMore,
}

/// The answer of `extension_match`. `Early` (a `!` was reached) counts as a match in every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchResult {
    /// No match.
    No,
    /// A match.
    Yes,
    /// An "early match" produced by `!`; a match that ends a MATCHMORE search (§3.4).
    Early,
}

impl MatchResult {
    /// Whether this answer counts as a match (`Yes` or `Early`).
    pub fn is_match(self) -> bool {
        !matches!(self, MatchResult::No)
    }
}

/// Sort key of `.` (§3.3).
const KEY_WILD: u32 = 0x18000;
/// Sort key of `!`.
const KEY_EARLY: u32 = 0x28000;
/// Sort key of the end of a pattern.
const KEY_END: u32 = 0x30000;
/// Sort key of a `[` that has no closing `]`.
const KEY_UNCLOSED: u32 = 0x40000;

/// Number of set edges of one trie node above which the node gets a per-byte table.
const SET_TABLE_MIN: usize = 8;

/// The part of a Rust string that C would see: everything before the first NUL byte.
fn c_bytes(s: &str) -> &[u8] {
    c_str(s).as_bytes()
}

/// The same cut as `c_bytes`, as a `&str` (NUL is ASCII, so the cut is a char boundary).
fn c_str(s: &str) -> &str {
    match s.find('\0') {
        Some(n) => s.get(..n).unwrap_or(s),
        None => s,
    }
}

/// A byte read as a C `char` on x86-64 (signed).
fn signed(b: u8) -> i8 {
    b as i8
}

/// A set of byte values, stored as a 256-bit bitmap (bit `n` of the array is byte `n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Bits([u64; 4]);

impl Bits {
    const EMPTY: Bits = Bits([0; 4]);

    /// The bytes `lo..=hi`, compared as unsigned bytes.
    fn span(lo: u8, hi: u8) -> Bits {
        let mut bits = Bits::EMPTY;
        for b in lo..=hi {
            bits.insert(b);
        }
        bits
    }

    fn single(b: u8) -> Bits {
        let mut bits = Bits::EMPTY;
        bits.insert(b);
        bits
    }

    fn insert(&mut self, b: u8) {
        if let Some(word) = self.0.get_mut(usize::from(b >> 6)) {
            *word |= 1 << (b & 63);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|word| (word >> (b & 63)) & 1 == 1)
    }

    fn count(&self) -> u32 {
        self.0.iter().map(|word| word.count_ones()).sum()
    }

    fn lowest(&self) -> Option<u8> {
        let (n, word) = self.0.iter().enumerate().find(|(_, word)| **word != 0)?;
        u8::try_from(n * 64 + word.trailing_zeros() as usize).ok()
    }

    /// The tie-break of §3.3: at the lowest byte where the two sets differ, the set containing
    /// that byte sorts first (Asterisk's reversed `memcmp` of the membership bitmaps).
    fn order(&self, other: &Bits) -> Ordering {
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            let diff = a ^ b;
            if diff != 0 {
                let bit = diff.trailing_zeros();
                return if (a >> bit) & 1 == 1 {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
        }
        Ordering::Equal
    }
}

/// The members of the class letters `N`, `Z` and `X` (either case).
fn class_bits(c: u8) -> Option<Bits> {
    match c {
        b'N' | b'n' => Some(Bits::span(b'2', b'9')),
        b'Z' | b'z' => Some(Bits::span(b'1', b'9')),
        b'X' | b'x' => Some(Bits::span(b'0', b'9')),
        _ => None,
    }
}

/// One item of a set body: a single byte (`len` 1) or a range `lo-hi` (`len` 3).
#[derive(Debug, Clone, Copy)]
struct SetItem {
    /// Offset of the item inside the set body.
    at: usize,
    len: usize,
    lo: u8,
    hi: u8,
}

/// Splits the text between `[` and `]` into items. A `-` is a range only when a byte follows it
/// inside the set, so a `-` first or last in the set is a member.
fn set_items(body: &[u8]) -> impl Iterator<Item = SetItem> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let &lo = body.get(i)?;
        let item = match (body.get(i + 1), body.get(i + 2)) {
            (Some(b'-'), Some(&hi)) => SetItem {
                at: i,
                len: 3,
                lo,
                hi,
            },
            _ => SetItem {
                at: i,
                len: 1,
                lo,
                hi: lo,
            },
        };
        i += item.len;
        Some(item)
    })
}

/// Whether a set body contains byte `c` when matching (ranges use signed bounds).
fn set_matches(body: &[u8], c: u8) -> bool {
    let c = signed(c);
    set_items(body).any(|it| signed(it.lo) <= c && c <= signed(it.hi))
}

/// All bytes a set body matches when matching (ranges use signed bounds).
fn match_bits(body: &[u8]) -> Bits {
    let mut bits = Bits::EMPTY;
    for it in set_items(body) {
        for v in signed(it.lo)..=signed(it.hi) {
            bits.insert(v as u8);
        }
    }
    bits
}

/// The members of a set body for sorting (ranges use unsigned bounds, as `ext_cmp` does).
fn sort_bits(body: &[u8]) -> Bits {
    let mut bits = Bits::EMPTY;
    for it in set_items(body) {
        for v in it.lo..=it.hi {
            bits.insert(v);
        }
    }
    bits
}

/// Finds the `]` closing a set whose body starts at `from`, searching the rest of the pattern.
fn find_close(q: &[u8], from: usize) -> Option<usize> {
    let rest = q.get(from..)?;
    rest.iter().position(|&b| b == b']').map(|n| from + n)
}

/// Skips `-` bytes starting at `i`.
fn skip_dashes(s: &[u8], mut i: usize) -> usize {
    while s.get(i) == Some(&b'-') {
        i += 1;
    }
    i
}

/// The bytes of `s` other than `-`.
fn no_dashes(s: &[u8]) -> impl Iterator<Item = u8> + Clone + '_ {
    s.iter().copied().filter(|&b| b != b'-')
}

/// Answers one of the questions of §3.2 for an extension name as stored (`ext`, a literal or a
/// pattern starting with `_`) and a dialed string. `-` is ignored outside sets, in the pattern
/// and in the dialed string alike.
pub fn extension_match(ext: &str, dialed: &str, mode: MatchMode) -> MatchResult {
    let (p, d) = (c_bytes(ext), c_bytes(dialed));
    match p.split_first() {
        Some((b'_', q)) => pattern_match(q, d, mode),
        _ => literal_match(p, d, mode),
    }
}

fn literal_match(p: &[u8], d: &[u8], mode: MatchMode) -> MatchResult {
    let lp = no_dashes(p).count();
    let ld = no_dashes(d).count();
    if lp < ld {
        return MatchResult::No;
    }
    let hit = match mode {
        MatchMode::Match => no_dashes(p).eq(no_dashes(d)),
        MatchMode::CanMatch => no_dashes(p).take(ld).eq(no_dashes(d)),
        MatchMode::MatchMore => lp > ld && no_dashes(p).take(ld).eq(no_dashes(d)),
    };
    if hit {
        MatchResult::Yes
    } else {
        MatchResult::No
    }
}

fn pattern_match(q: &[u8], d: &[u8], mode: MatchMode) -> MatchResult {
    if mode == MatchMode::Match {
        if let Some((b'_', rest)) = d.split_first() {
            if cmp_pattern(q, rest) == Ordering::Equal {
                return MatchResult::Yes;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    loop {
        j = skip_dashes(d, j);
        i = skip_dashes(q, i);
        let (Some(&c), Some(&pc)) = (d.get(j), q.get(i)) else {
            break;
        };
        match pc {
            b'/' => break,
            b'.' => return MatchResult::Yes,
            b'!' => return MatchResult::Early,
            b'[' => {
                let Some(close) = find_close(q, i + 1) else {
                    return MatchResult::No;
                };
                let body = q.get(i + 1..close).unwrap_or_default();
                i = close + 1;
                if body.is_empty() {
                    continue;
                }
                if !set_matches(body, c) {
                    return MatchResult::No;
                }
            }
            _ => {
                let ok = match class_bits(pc) {
                    Some(bits) => bits.contains(c),
                    None => pc == c,
                };
                if !ok {
                    return MatchResult::No;
                }
                i += 1;
            }
        }
        j += 1;
    }
    if j < d.len() {
        return MatchResult::No;
    }
    match q.get(i) {
        None | Some(b'/') if mode == MatchMode::MatchMore => MatchResult::No,
        None | Some(b'/') => MatchResult::Yes,
        Some(b'!') => MatchResult::Early,
        Some(_) if mode == MatchMode::Match => MatchResult::No,
        Some(_) => MatchResult::Yes,
    }
}

/// Asterisk's `ext_cmp` (§3.3): the total order of extension names, which is also the priority
/// order of a context. `Ordering::Equal` means "the same extension" (§2.6): `_X` ≡ `_[0-9]`,
/// `555-1212` ≡ `5551212`.
pub fn ext_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (c_bytes(a), c_bytes(b));
    match (a.split_first(), b.split_first()) {
        (Some((b'_', qa)), Some((b'_', qb))) => cmp_pattern(qa, qb),
        (Some((b'_', _)), _) => Ordering::Greater,
        (_, Some((b'_', _))) => Ordering::Less,
        _ => cmp_literal(a, b),
    }
}

/// Compares two literals as C strings of signed `char`, ignoring `-`. The terminating NUL takes
/// part, so a proper prefix sorts first unless the longer string continues with a byte ≥ 0x80.
fn cmp_literal(a: &[u8], b: &[u8]) -> Ordering {
    let terminated = |s| no_dashes(s).map(signed).chain(std::iter::once(0));
    terminated(a).cmp(terminated(b))
}

/// Reads the next sort element of a pattern body at `*i` and returns its key and members.
/// Sets without members are skipped. An unclosed `[` consumes only itself.
fn sort_elem(q: &[u8], i: &mut usize) -> (u32, Bits) {
    loop {
        *i = skip_dashes(q, *i);
        let Some(&c) = q.get(*i) else {
            return (KEY_END, Bits::EMPTY);
        };
        *i += 1;
        let bits = match c {
            b'.' => return (KEY_WILD, Bits::EMPTY),
            b'!' => return (KEY_EARLY, Bits::EMPTY),
            b'[' => {
                let Some(close) = find_close(q, *i) else {
                    return (KEY_UNCLOSED, Bits::EMPTY);
                };
                let bits = sort_bits(q.get(*i..close).unwrap_or_default());
                *i = close + 1;
                bits
            }
            _ => class_bits(c).unwrap_or_else(|| Bits::single(c)),
        };
        if let Some(low) = bits.lowest() {
            return (0x100 * bits.count() + u32::from(low), bits);
        }
    }
}

/// `ext_cmp` for two pattern bodies (the text after `_`).
fn cmp_pattern(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        let (ka, ba) = sort_elem(a, &mut i);
        let (kb, bb) = sort_elem(b, &mut j);
        let ord = ka.cmp(&kb).then_with(|| ba.order(&bb));
        if ord != Ordering::Equal || ka == KEY_END {
            return ord;
        }
    }
}

/// A key that is equal for two names exactly when `ext_cmp` calls them equal: the identity of an
/// extension inside a context (§2.6), usable in a hash map.
pub fn identity_key(ext: &str) -> Vec<u8> {
    let bytes = c_bytes(ext);
    match bytes.split_first() {
        Some((b'_', q)) => {
            let mut out = vec![b'P'];
            let mut i = 0;
            loop {
                let (key, bits) = sort_elem(q, &mut i);
                out.extend_from_slice(&key.to_le_bytes());
                if key == KEY_END {
                    break;
                }
                if key < KEY_WILD {
                    for word in bits.0 {
                        out.extend_from_slice(&word.to_le_bytes());
                    }
                }
            }
            out
        }
        _ => {
            let mut out = vec![b'L'];
            out.extend(no_dashes(bytes));
            out
        }
    }
}

/// The order of two CID conditions of the same extension (§3.3 rule 4): a condition sorts
/// before no condition, and conditions compare with `ext_cmp` on their normalised keys.
pub fn cid_cmp(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => ext_cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The full order of a context's entries, `(extension, CID condition)`: `ext_cmp` first, then
/// `cid_cmp` (§3.3 rules 1–4). `Ordering::Equal` means the same extension with the same
/// condition (§2.6 identity).
pub fn entry_cmp(a: (&str, Option<&str>), b: (&str, Option<&str>)) -> Ordering {
    ext_cmp(a.0, b.0).then_with(|| cid_cmp(a.1, b.1))
}

/// The caller-ID condition of §3.5: `cid` is the normalised CID pattern, `caller` the caller
/// number. With no (or an empty) caller number only an empty pattern holds; otherwise the pattern
/// must MATCH the number.
pub fn cid_match(cid: &str, caller: Option<&str>) -> bool {
    match caller.map(c_str) {
        None | Some("") => c_str(cid).is_empty(),
        Some(number) => extension_match(cid, number, MatchMode::Match).is_match(),
    }
}

/// Removes spaces (and, with `dashes`, `-`) outside the `[...]` sets of a pattern, as Asterisk's
/// `ext_strncpy` does. In a literal no text counts as a set.
fn strip_fluff(ext: &str, dashes: bool) -> String {
    let ext = c_str(ext);
    let is_pattern = ext.starts_with('_');
    let mut in_set = false;
    let mut out = String::with_capacity(ext.len());
    for c in ext.chars() {
        match c {
            '[' if is_pattern => in_set = true,
            ']' => in_set = false,
            ' ' if !in_set => continue,
            '-' if dashes && !in_set => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The stored display name of an extension (§2.6): `ext` with every space removed, except
/// spaces inside the `[...]` sets of a pattern.
pub fn display_name(ext: &str) -> String {
    strip_fluff(ext, false)
}

/// The matching key of an extension (§2.6): the display name with every `-` outside `[...]`
/// removed as well. It is the identity key of non-hint extensions and of CID patterns.
pub fn match_key(ext: &str) -> String {
    strip_fluff(ext, true)
}

/// Normalises a CID pattern like Asterisk's `ast_shrink_phone_number` (§2.3 step 2): deletes
/// `(`, `)` and spaces everywhere, deletes `-` outside `[...]`, and deletes `.` unless it is the
/// last character. A `]` without an open `[` is kept and does not count. The key that identifies
/// the condition (§2.6) is `match_key` of the result.
pub fn shrink_cid(cid: &str) -> String {
    let cid = c_str(cid);
    let mut depth = 0usize;
    let mut out = String::with_capacity(cid.len());
    let mut chars = cid.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '(' | ')' | ' ' => continue,
            '-' if depth == 0 => continue,
            '.' if chars.peek().is_some() => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Something in a pattern that probably does not do what its author meant, found by
/// `pattern_problems`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatternProblem {
    /// Nothing but `-` follows the `_`, so the pattern matches only an empty dialed string.
    EmptyPattern {
        /// The pattern text.
        text: String,
    },
    /// A `[` with no closing `]`: the pattern never matches once it reaches it.
    UnclosedSet {
        /// The text from the `[` to the end of the name.
        text: String,
    },
    /// `[]` has no members and is skipped.
    EmptySet,
    /// Text after `.` or `!`, which matching ignores.
    IgnoredTail {
        /// The `.` or `!`.
        wildcard: char,
        /// The ignored text.
        text: String,
    },
    /// A range whose first byte is above its last one, like `9-0`: it matches nothing.
    ReversedRange {
        /// The range text.
        text: String,
    },
    /// A `-` member of a set: dashes in a dialed string are skipped, so it never matches.
    DashInSet {
        /// The whole set, brackets included.
        set: String,
    },
}

impl PatternProblem {
    /// A one-line description: lowercase, no final period, the offending text in backticks.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// True when the pattern cannot work as written (it never matches what it seems to);
    /// false for harmless oddities.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            PatternProblem::EmptyPattern { .. }
                | PatternProblem::UnclosedSet { .. }
                | PatternProblem::ReversedRange { .. }
        )
    }
}

impl fmt::Display for PatternProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternProblem::EmptyPattern { text } => {
                write!(
                    f,
                    "empty pattern `{text}` matches only an empty dialed string"
                )
            }
            PatternProblem::UnclosedSet { text } => write!(
                f,
                "`{text}` has no closing `]`, so the pattern never matches past it"
            ),
            PatternProblem::EmptySet => write!(f, "empty set `[]` is ignored"),
            PatternProblem::IgnoredTail { wildcard, text } => {
                write!(f, "`{text}` after `{wildcard}` is ignored")
            }
            PatternProblem::ReversedRange { text } => {
                write!(f, "reversed range `{text}` matches nothing")
            }
            PatternProblem::DashInSet { set } => write!(
                f,
                "`-` in `{set}` never matches because dashes in a dialed string are ignored"
            ),
        }
    }
}

/// Widens a byte range of `s` to the nearest char boundaries.
fn widen(s: &str, r: Range<usize>) -> Range<usize> {
    let mut start = r.start.min(s.len());
    while start > 0 && !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.clamp(start, s.len());
    while end < s.len() && !s.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Problems with a pattern, for the `check` linter, in the order they appear. Each comes with a
/// byte range of `ext` (on char boundaries) to point at. Literals have no problems.
pub fn pattern_problems(ext: &str) -> Vec<(Range<usize>, PatternProblem)> {
    let name = c_str(ext);
    let mut res = Vec::new();
    let Some(q) = name.as_bytes().strip_prefix(b"_") else {
        return res;
    };
    let text = |r: &Range<usize>| name.get(r.clone()).unwrap_or_default().to_string();
    let mut i = 0;
    let mut seen_element = false;
    loop {
        i = skip_dashes(q, i);
        let Some(&c) = q.get(i) else { break };
        match c {
            b'/' => break,
            b'.' | b'!' => {
                seen_element = true;
                let tail = q.get(i + 1..).unwrap_or_default();
                if no_dashes(tail).next().is_some() {
                    let r = i + 2..name.len();
                    let wildcard = char::from(c);
                    let problem = PatternProblem::IgnoredTail {
                        wildcard,
                        text: text(&r),
                    };
                    res.push((r, problem));
                }
                break;
            }
            b'[' => {
                seen_element = true;
                let Some(close) = find_close(q, i + 1) else {
                    let r = i + 1..name.len();
                    res.push((r.clone(), PatternProblem::UnclosedSet { text: text(&r) }));
                    break;
                };
                let set = i + 1..close + 2;
                let body = q.get(i + 1..close).unwrap_or_default();
                if body.is_empty() {
                    res.push((set.clone(), PatternProblem::EmptySet));
                }
                for it in set_items(body) {
                    let at = i + 2 + it.at;
                    if it.len == 3 && signed(it.lo) > signed(it.hi) {
                        let r = widen(name, at..at + 3);
                        res.push((r.clone(), PatternProblem::ReversedRange { text: text(&r) }));
                    } else if it.len == 1 && it.lo == b'-' {
                        let problem = PatternProblem::DashInSet { set: text(&set) };
                        res.push((at..at + 1, problem));
                    }
                }
                i = close + 1;
            }
            _ => {
                seen_element = true;
                i += 1;
            }
        }
    }
    if !seen_element {
        let r = 0..i + 1;
        res.push((r.clone(), PatternProblem::EmptyPattern { text: text(&r) }));
    }
    res
}

/// An edge of the pattern trie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Edge {
    /// One exact byte (a literal character or a set with one member).
    Byte(u8),
    /// A class or set with several members, by index into `ExtenIndex::sets`.
    Set(u32),
    /// An empty set `[]`: skipped while dialed characters remain, but it keeps the pattern
    /// from ending here.
    Skip,
}

/// Per-byte children of a node with many set edges: the children for byte `b` are
/// `children[starts[b]..starts[b + 1]]`.
#[derive(Debug, Clone)]
struct ByteTable {
    starts: Vec<u32>,
    children: Vec<u32>,
}

impl ByteTable {
    fn children(&self, b: u8) -> &[u32] {
        let b = usize::from(b);
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&lo), Some(&hi)) => self
                .children
                .get(lo as usize..hi as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }
}

/// A trie node: the position after some sequence of pattern elements.
#[derive(Debug, Clone, Default)]
struct Node {
    /// Exact-byte edges, sorted by byte.
    bytes: Vec<(u8, u32)>,
    /// Set edges: (set index, child).
    sets: Vec<(u32, u32)>,
    /// Built when `sets` is long.
    set_table: Option<Box<ByteTable>>,
    /// The child behind an empty set `[]`.
    skip: Option<u32>,
    /// Patterns that end here (or reach `/`).
    end: Vec<u32>,
    /// Patterns with `.` here.
    wild: Vec<u32>,
    /// Patterns with `!` here.
    early: Vec<u32>,
}

/// Reusable buffers of `ExtenIndex::matches`, one set per thread.
#[derive(Debug, Default)]
struct Scratch {
    key: Vec<u8>,
    cur: Vec<u32>,
    next: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A compiled index of the extensions of one context, for fast MATCH-mode lookups.
///
/// It is built from extension names already sorted in §3.3 order; the id of an entry is its
/// position. Literals sit in a hash map keyed by their bytes without `-`; patterns sit in a trie
/// over their elements. CID conditions are not part of the index: callers check them.
#[derive(Debug, Clone)]
pub struct ExtenIndex {
    literals: HashMap<Box<[u8]>, Vec<u32>>,
    nodes: Vec<Node>,
    sets: Vec<Bits>,
    /// Pattern bodies (after `_`) with their ids, sorted by `ext_cmp`, for dialed strings that
    /// are themselves patterns (§3.2, first line).
    patterns: Vec<(Box<[u8]>, u32)>,
    n_entries: usize,
}

impl Default for ExtenIndex {
    fn default() -> Self {
        ExtenIndex::new([])
    }
}

/// Build-time state of an `ExtenIndex`.
struct Builder {
    nodes: Vec<Node>,
    sets: Vec<Bits>,
    set_ids: HashMap<Bits, u32>,
    edges: HashMap<(u32, Edge), u32>,
}

impl Builder {
    fn set_id(&mut self, bits: Bits) -> Option<u32> {
        if let Some(&id) = self.set_ids.get(&bits) {
            return Some(id);
        }
        let id = u32::try_from(self.sets.len()).ok()?;
        self.sets.push(bits);
        self.set_ids.insert(bits, id);
        Some(id)
    }

    fn child(&mut self, node: u32, edge: Edge) -> Option<u32> {
        if let Some(&child) = self.edges.get(&(node, edge)) {
            return Some(child);
        }
        let child = u32::try_from(self.nodes.len()).ok()?;
        let parent = self.nodes.get_mut(node as usize)?;
        match edge {
            Edge::Byte(b) => parent.bytes.push((b, child)),
            Edge::Set(s) => parent.sets.push((s, child)),
            Edge::Skip => parent.skip = Some(child),
        }
        self.nodes.push(Node::default());
        self.edges.insert((node, edge), child);
        Some(child)
    }

    /// Adds the pattern body `q` with id `id`. Patterns that can never match by walking (an
    /// unclosed `[` or a set without members before any `.`/`!`/end) are left out.
    fn insert(&mut self, q: &[u8], id: u32) -> Option<()> {
        let mut node = 0u32;
        let mut i = 0;
        loop {
            i = skip_dashes(q, i);
            let edge = match q.get(i) {
                None | Some(b'/') => {
                    self.nodes.get_mut(node as usize)?.end.push(id);
                    return Some(());
                }
                Some(b'.') => {
                    self.nodes.get_mut(node as usize)?.wild.push(id);
                    return Some(());
                }
                Some(b'!') => {
                    self.nodes.get_mut(node as usize)?.early.push(id);
                    return Some(());
                }
                Some(b'[') => {
                    let close = find_close(q, i + 1)?;
                    let body = q.get(i + 1..close).unwrap_or_default();
                    i = close + 1;
                    if body.is_empty() {
                        Edge::Skip
                    } else {
                        self.set_edge(match_bits(body))?
                    }
                }
                Some(&c) => {
                    i += 1;
                    match class_bits(c) {
                        Some(bits) => self.set_edge(bits)?,
                        None => Edge::Byte(c),
                    }
                }
            };
            node = self.child(node, edge)?;
        }
    }

    /// The edge for a set of members; `None` for a set that matches nothing.
    fn set_edge(&mut self, bits: Bits) -> Option<Edge> {
        match bits.count() {
            0 => None,
            1 => bits.lowest().map(Edge::Byte),
            _ => self.set_id(bits).map(Edge::Set),
        }
    }

    fn finish(mut self) -> (Vec<Node>, Vec<Bits>) {
        for node in &mut self.nodes {
            node.bytes.sort_unstable();
            if node.sets.len() > SET_TABLE_MIN {
                let mut starts = Vec::with_capacity(257);
                let mut children = Vec::new();
                for b in 0..=u8::MAX {
                    starts.push(u32::try_from(children.len()).unwrap_or(u32::MAX));
                    for &(set, child) in &node.sets {
                        if self.sets.get(set as usize).is_some_and(|s| s.contains(b)) {
                            children.push(child);
                        }
                    }
                }
                starts.push(u32::try_from(children.len()).unwrap_or(u32::MAX));
                node.set_table = Some(Box::new(ByteTable { starts, children }));
            }
        }
        (self.nodes, self.sets)
    }
}

impl ExtenIndex {
    /// Builds the index from extension names as stored, normally in §3.3 order. The caller sorts;
    /// the id of a name is its position, so ascending ids are priority order. Several ids may
    /// share a name. The index itself does not depend on the order.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut builder = Builder {
            nodes: vec![Node::default()],
            sets: Vec::new(),
            set_ids: HashMap::new(),
            edges: HashMap::new(),
        };
        let mut literals: HashMap<Box<[u8]>, Vec<u32>> = HashMap::new();
        let mut patterns = Vec::new();
        let mut n_entries = 0;
        for (idx, name) in names.into_iter().enumerate() {
            let Ok(id) = u32::try_from(idx) else { break };
            n_entries += 1;
            let name = c_bytes(name);
            match name.split_first() {
                Some((b'_', q)) => {
                    patterns.push((Box::from(q), id));
                    // `None` means the pattern never matches by walking: nothing to index.
                    let _ = builder.insert(q, id);
                }
                _ => {
                    let key: Box<[u8]> = no_dashes(name).collect();
                    literals.entry(key).or_default().push(id);
                }
            }
        }
        patterns.sort_by(|a, b| cmp_pattern(&a.0, &b.0).then(a.1.cmp(&b.1)));
        let (nodes, sets) = builder.finish();
        ExtenIndex {
            literals,
            nodes,
            sets,
            patterns,
            n_entries,
        }
    }

    /// Puts into `out` (cleared first) the ids of all entries whose extension MATCHes `dialed`
    /// (`Yes` or `Early`), in ascending order. `-` in `dialed` is ignored.
    pub fn matches(&self, dialed: &str, out: &mut Vec<u32>) {
        out.clear();
        let dialed = c_bytes(dialed);
        let found = SCRATCH.try_with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.lookup(dialed, &mut scratch, out),
            Err(_) => self.lookup(dialed, &mut Scratch::default(), out),
        });
        if found.is_err() {
            self.lookup(dialed, &mut Scratch::default(), out);
        }
        out.sort_unstable();
        out.dedup();
    }

    fn lookup(&self, d: &[u8], scratch: &mut Scratch, out: &mut Vec<u32>) {
        let Scratch { key, cur, next } = scratch;

        let literal_key = if d.contains(&b'-') {
            key.clear();
            key.extend(no_dashes(d));
            key.as_slice()
        } else {
            d
        };
        if let Some(ids) = self.literals.get(literal_key) {
            out.extend_from_slice(ids);
        }

        if let Some((b'_', rest)) = d.split_first() {
            let lo = self
                .patterns
                .partition_point(|(q, _)| cmp_pattern(q, rest) == Ordering::Less);
            let hi = self
                .patterns
                .partition_point(|(q, _)| cmp_pattern(q, rest) != Ordering::Greater);
            let equal = self.patterns.get(lo..hi).unwrap_or_default();
            out.extend(equal.iter().map(|&(_, id)| id));
        }

        cur.clear();
        cur.push(0);
        for c in no_dashes(d) {
            next.clear();
            for &start in cur.iter() {
                let mut at = Some(start);
                while let Some(node) = at.and_then(|n| self.nodes.get(n as usize)) {
                    out.extend_from_slice(&node.wild);
                    out.extend_from_slice(&node.early);
                    self.step(node, c, next);
                    at = node.skip;
                }
            }
            std::mem::swap(cur, next);
            if cur.is_empty() {
                return;
            }
        }
        for node in cur.iter().filter_map(|&n| self.nodes.get(n as usize)) {
            out.extend_from_slice(&node.end);
            out.extend_from_slice(&node.early);
        }
    }

    /// Pushes the children of `node` reached by dialed byte `c`.
    fn step(&self, node: &Node, c: u8, next: &mut Vec<u32>) {
        if let Ok(k) = node.bytes.binary_search_by_key(&c, |&(b, _)| b) {
            if let Some(&(_, child)) = node.bytes.get(k) {
                next.push(child);
            }
        }
        match &node.set_table {
            Some(table) => next.extend_from_slice(table.children(c)),
            None => {
                for &(set, child) in &node.sets {
                    if self.sets.get(set as usize).is_some_and(|s| s.contains(c)) {
                        next.push(child);
                    }
                }
            }
        }
    }

    /// The number of entries the index was built from.
    pub fn len(&self) -> usize {
        self.n_entries
    }

    /// Whether the index was built from no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
