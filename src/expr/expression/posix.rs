//! POSIX extended regular expressions as glibc's `regcomp(REG_EXTENDED)` reads them, run on the
//! `regex` crate.
//!
//! The pattern is parsed with glibc's rules (`RE_SYNTAX_POSIX_EXTENDED`: a repetition operator
//! at the start of an expression or after an anchor is an error, an unmatched `)` is a literal,
//! `\{`/`\(`/`\|` are literals, a backslash is literal inside brackets, the GNU operators
//! `\w \W \s \S \b \B \< \> \` \'` exist) and rewritten into the `regex` crate's syntax; invalid
//! patterns get glibc's `regerror` texts. Matching follows POSIX leftmost-longest for the whole
//! match: the leftmost start comes from an ordinary search, then the longest end is found by
//! trying end positions from the right with an end-anchored variant of the pattern (run on the
//! text cut at that end; a pattern with word-boundary operators instead gets the rest of the
//! text appended as a literal, so the boundary sees the real next character). Within that span
//! the capture group is the `regex` crate's (leftmost-first) choice, which can differ from
//! glibc's for ambiguous patterns: an empty group beside an empty alternative (`|(a*)`), or a
//! repeated group whose last round may be empty (`(.*){1,2}`). Back-references (`\1`…`\9`) are
//! not supported (the `regex` crate has none) and are reported as an error.

use std::sync::OnceLock;

use regex::Regex;

/// Deepest nesting of `(` in a pattern.
const MAX_GROUP_NESTING: usize = 200;
/// Most end positions tried when looking for the longest match (each is one search).
const MAX_END_PROBES: usize = 4096;
/// The same for patterns with word-boundary operators (each probe compiles a pattern).
const MAX_SUFFIX_PROBES: usize = 256;

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    /// The pattern in `regex` syntax with POSIX `$` as `\z`, for searching.
    search: Regex,
    /// `(?:…)\z` variants for probing end positions: at the end of the text and before it
    /// (where a POSIX `$` can never match).
    at_end: OnceLock<Option<Regex>>,
    before_end: OnceLock<Option<Regex>>,
    source: String,
    /// Number of `(` groups (`re_nsub`).
    groups: usize,
    /// Whether the pattern has `\b`, `\B`, `\<` or `\>` (which a cut text would mislead).
    word_assertions: bool,
}

/// A successful match: byte ranges of the whole match and of group 1 (if it took part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) group: Option<(usize, usize)>,
}

impl Pattern {
    /// `regcomp(pattern, REG_EXTENDED)`; the error is glibc's `regerror` text.
    pub(crate) fn compile(pattern: &str) -> Result<Pattern, String> {
        let translated = Translator::new(pattern).run()?;
        let search = build(&format!("(?s){}", translated.render("\\z")))?;
        Ok(Pattern {
            search,
            at_end: OnceLock::new(),
            before_end: OnceLock::new(),
            source: pattern.to_string(),
            groups: translated.groups,
            word_assertions: translated.word_assertions,
        })
    }

    /// Whether the pattern has a `(` group (`re_nsub > 0`).
    pub(crate) fn has_groups(&self) -> bool {
        self.groups > 0
    }

    /// `regexec`: the leftmost-longest match, or with `anchored` only one starting at 0.
    pub(crate) fn exec(&self, text: &str, anchored: bool) -> Option<Found> {
        let first = self.search.find(text)?;
        let start = first.start();
        if anchored && start != 0 {
            return None;
        }
        let mut end = first.end();
        if end < text.len() {
            let mut probes = 0;
            let max_probes = if self.word_assertions {
                MAX_SUFFIX_PROBES
            } else {
                MAX_END_PROBES
            };
            let mut cut = text.len();
            loop {
                if cut <= end || probes >= max_probes {
                    break;
                }
                if text.is_char_boundary(cut) {
                    probes += 1;
                    if self.matches_exactly(text, start, cut) {
                        end = cut;
                        break;
                    }
                }
                cut -= 1;
            }
        }
        let group = if self.groups > 0 {
            self.group_of(text, start, end)
        } else {
            None
        };
        Some(Found { start, end, group })
    }

    /// Whether the pattern matches exactly `text[start..end]`.
    fn matches_exactly(&self, text: &str, start: usize, end: usize) -> bool {
        if self.word_assertions {
            return self
                .with_suffix(&text[end..])
                .and_then(|re| re.find_at(text, start))
                .is_some_and(|m| m.start() == start);
        }
        self.variant(end == text.len())
            .and_then(|re| re.find_at(&text[..end], start))
            .is_some_and(|m| m.start() == start)
    }

    /// Group 1 of the match of exactly `text[start..end]`.
    fn group_of(&self, text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
        let caps = if self.word_assertions {
            self.with_suffix(&text[end..])?.captures_at(text, start)?
        } else {
            self.variant(end == text.len())?
                .captures_at(&text[..end], start)?
        };
        if caps.get(0).is_some_and(|m| m.start() == start) {
            caps.get(1).map(|g| (g.start(), g.end()))
        } else {
            None
        }
    }

    /// The pattern followed by `suffix` as a literal and the end of the text.
    fn with_suffix(&self, suffix: &str) -> Option<Regex> {
        let translated = Translator::new(&self.source).run().ok()?;
        let mut pattern = format!("(?s)(?:{})", translated.render("\\z"));
        for c in suffix.chars() {
            pattern.push_str(&literal(c));
        }
        pattern.push_str("\\z");
        build(&pattern).ok()
    }

    fn variant(&self, at_text_end: bool) -> Option<&Regex> {
        let (slot, dollar) = if at_text_end {
            (&self.at_end, "\\z")
        } else {
            // `\b\B` never matches: a POSIX `$` before the end of the text.
            (&self.before_end, "(?:\\b\\B)")
        };
        slot.get_or_init(|| {
            let translated = Translator::new(&self.source).run().ok()?;
            build(&format!("(?s)(?:{})\\z", translated.render(dollar))).ok()
        })
        .as_ref()
    }
}

fn build(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|_| RegError::Size.message().to_string())
}

/// glibc's `reg_errcode_t` values that `regcomp` can return here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegError {
    BadPat,
    Collate,
    CType,
    Escape,
    SubReg,
    Brack,
    Paren,
    Brace,
    BadBr,
    Range,
    Space,
    BadRpt,
    Size,
    BackRef,
}

impl RegError {
    /// `regerror`'s text.
    fn message(self) -> &'static str {
        match self {
            RegError::BadPat => "Invalid regular expression",
            RegError::Collate => "Invalid collation character",
            RegError::CType => "Invalid character class name",
            RegError::Escape => "Trailing backslash",
            RegError::SubReg => "Invalid back reference",
            RegError::Brack => "Unmatched [, [^, [:, [., or [=",
            RegError::Paren => "Unmatched ( or \\(",
            RegError::Brace => "Unmatched \\{",
            RegError::BadBr => "Invalid content of \\{\\}",
            RegError::Range => "Invalid range end",
            RegError::Space => "Memory exhausted",
            RegError::BadRpt => "Invalid preceding regular expression",
            RegError::Size => "Regular expression too big",
            RegError::BackRef => "back references are not supported",
        }
    }
}

/// One token of the pattern outside brackets (glibc `peek_token`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    End,
    Char(char),
    Alt,
    Star,
    Plus,
    Question,
    OpenBrace,
    CloseBrace,
    Open,
    Close,
    Bracket,
    Period,
    /// `^`, `$`, `\<`, `\>`, `\b`, `\B`, `` \` ``, `\'`.
    Anchor(Anchor),
    /// `\w`, `\W`, `\s`, `\S`.
    Class(&'static str),
    BackRef(usize),
    TrailingBackslash,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    LineFirst,
    LineLast,
    WordFirst,
    WordLast,
    WordDelim,
    NotWordDelim,
    BufFirst,
    BufLast,
}

/// The rewritten pattern: pieces of `regex` syntax with POSIX end anchors left open.
struct Translated {
    pieces: Vec<Piece>,
    groups: usize,
    word_assertions: bool,
}

enum Piece {
    Text(String),
    Dollar,
}

impl Translated {
    fn render(&self, dollar: &str) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Dollar => out.push_str(dollar),
            }
        }
        out
    }
}

/// An element of a bracket expression.
#[derive(Clone, Copy, Debug)]
enum Elem {
    Char(char),
    Class(&'static str),
    Equiv(char),
}

struct Translator {
    chars: Vec<char>,
    pos: usize,
    tok: Tok,
    tok_len: usize,
    groups: usize,
    /// Groups whose `)` has been seen (back-references may only name those).
    completed: Vec<bool>,
    word_assertions: bool,
}

impl Translator {
    fn new(src: &str) -> Translator {
        Translator {
            chars: src.chars().collect(),
            pos: 0,
            tok: Tok::End,
            tok_len: 0,
            groups: 0,
            completed: Vec::new(),
            word_assertions: false,
        }
    }

    fn run(mut self) -> Result<Translated, String> {
        self.fetch();
        let body = self.reg_exp(0).map_err(|e| e.message().to_string())?;
        Ok(Translated {
            pieces: body,
            groups: self.groups,
            word_assertions: self.word_assertions,
        })
    }

    fn peek_at(&self, pos: usize) -> (Tok, usize) {
        let Some(&c) = self.chars.get(pos) else {
            return (Tok::End, 0);
        };
        if c == '\\' {
            let Some(&c2) = self.chars.get(pos + 1) else {
                return (Tok::TrailingBackslash, 1);
            };
            let tok = match c2 {
                '1'..='9' => Tok::BackRef(c2 as usize - '1' as usize),
                '<' => Tok::Anchor(Anchor::WordFirst),
                '>' => Tok::Anchor(Anchor::WordLast),
                'b' => Tok::Anchor(Anchor::WordDelim),
                'B' => Tok::Anchor(Anchor::NotWordDelim),
                '`' => Tok::Anchor(Anchor::BufFirst),
                '\'' => Tok::Anchor(Anchor::BufLast),
                'w' => Tok::Class("\\w"),
                'W' => Tok::Class("\\W"),
                's' => Tok::Class("\\s"),
                'S' => Tok::Class("\\S"),
                other => Tok::Char(other),
            };
            return (tok, 2);
        }
        let tok = match c {
            '|' => Tok::Alt,
            '*' => Tok::Star,
            '+' => Tok::Plus,
            '?' => Tok::Question,
            '{' => Tok::OpenBrace,
            '}' => Tok::CloseBrace,
            '(' => Tok::Open,
            ')' => Tok::Close,
            '[' => Tok::Bracket,
            '.' => Tok::Period,
            '^' => Tok::Anchor(Anchor::LineFirst),
            '$' => Tok::Anchor(Anchor::LineLast),
            other => Tok::Char(other),
        };
        (tok, 1)
    }

    /// Makes the token at `pos` current.
    fn fetch(&mut self) {
        let (tok, len) = self.peek_at(self.pos);
        self.tok = tok;
        self.tok_len = len;
    }

    /// Consumes the current token and reads the next.
    fn advance(&mut self) {
        self.pos += self.tok_len;
        self.fetch();
    }

    fn reg_exp(&mut self, nest: usize) -> Result<Vec<Piece>, RegError> {
        let mut out = self.branch(nest)?;
        while self.tok == Tok::Alt {
            self.advance();
            out.push(Piece::Text("|".into()));
            let ends_branch =
                matches!(self.tok, Tok::Alt | Tok::End) || (nest > 0 && self.tok == Tok::Close);
            if !ends_branch {
                out.extend(self.branch(nest)?);
            }
        }
        Ok(out)
    }

    fn branch(&mut self, nest: usize) -> Result<Vec<Piece>, RegError> {
        let mut out = Vec::new();
        loop {
            let ends =
                matches!(self.tok, Tok::Alt | Tok::End) || (nest > 0 && self.tok == Tok::Close);
            if ends {
                return Ok(out);
            }
            out.extend(self.expression(nest)?);
        }
    }

    fn expression(&mut self, nest: usize) -> Result<Vec<Piece>, RegError> {
        let atom: Vec<Piece> = match self.tok {
            Tok::Char(c) => vec![Piece::Text(literal(c))],
            Tok::Open => return self.sub_exp(nest + 1).and_then(|atom| self.dups(atom)),
            Tok::Bracket => {
                let text = self.bracket()?;
                return self.dups(vec![Piece::Text(text)]);
            }
            Tok::BackRef(idx) => {
                if !self.completed.get(idx).copied().unwrap_or(false) {
                    return Err(RegError::SubReg);
                }
                return Err(RegError::BackRef);
            }
            Tok::OpenBrace | Tok::Star | Tok::Plus | Tok::Question => return Err(RegError::BadRpt),
            // An unmatched `)` and a lone `}` are ordinary characters.
            Tok::Close => vec![Piece::Text("\\)".into())],
            Tok::CloseBrace => vec![Piece::Text("\\}".into())],
            Tok::Anchor(anchor) => {
                if matches!(
                    anchor,
                    Anchor::WordFirst | Anchor::WordLast | Anchor::WordDelim | Anchor::NotWordDelim
                ) {
                    self.word_assertions = true;
                }
                let piece = match anchor {
                    Anchor::LineFirst => Piece::Text("^".into()),
                    Anchor::LineLast | Anchor::BufLast => Piece::Dollar,
                    Anchor::WordFirst => Piece::Text("\\b{start}".into()),
                    Anchor::WordLast => Piece::Text("\\b{end}".into()),
                    Anchor::WordDelim => Piece::Text("\\b".into()),
                    Anchor::NotWordDelim => Piece::Text("\\B".into()),
                    Anchor::BufFirst => Piece::Text("\\A".into()),
                };
                // An anchor is never followed by a repetition operator: the next token starts
                // a new expression (so `^*` is an error).
                self.advance();
                return Ok(vec![piece]);
            }
            Tok::Period => vec![Piece::Text(".".into())],
            Tok::Class(class) => vec![Piece::Text(class.into())],
            Tok::Alt | Tok::End => return Ok(Vec::new()),
            Tok::TrailingBackslash => return Err(RegError::Escape),
        };
        self.advance();
        self.dups(atom)
    }

    /// Repetition operators after an element (any number, each wrapping the previous).
    fn dups(&mut self, mut atom: Vec<Piece>) -> Result<Vec<Piece>, RegError> {
        loop {
            let suffix = match self.tok {
                Tok::Star => "*".to_string(),
                Tok::Plus => "+".to_string(),
                Tok::Question => "?".to_string(),
                Tok::OpenBrace => self.interval()?,
                _ => return Ok(atom),
            };
            self.advance();
            let mut wrapped = Vec::with_capacity(atom.len() + 2);
            wrapped.push(Piece::Text("(?:".into()));
            wrapped.append(&mut atom);
            wrapped.push(Piece::Text(format!("){suffix}")));
            atom = wrapped;
        }
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` (glibc `parse_dup_op` with `fetch_number`); leaves the
    /// closing `}` as the current token.
    fn interval(&mut self) -> Result<String, RegError> {
        let (start, after) = self.number();
        let start = match start {
            Num::None if after == Tok::Char(',') => Num::Value(0),
            Num::None => return Err(RegError::BadBr),
            other => other,
        };
        let end = match start {
            Num::Invalid => Num::Invalid,
            _ if after == Tok::CloseBrace => start,
            _ if after == Tok::Char(',') => self.number().0,
            _ => Num::Invalid,
        };
        let (Num::Value(lo), end) = (start, end) else {
            return Err(if self.tok == Tok::End {
                RegError::Brace
            } else {
                RegError::BadBr
            });
        };
        let hi = match end {
            Num::Value(hi) => Some(hi),
            Num::None => None,
            Num::Invalid => {
                return Err(if self.tok == Tok::End {
                    RegError::Brace
                } else {
                    RegError::BadBr
                })
            }
        };
        if hi.is_some_and(|hi| lo > hi) || self.tok != Tok::CloseBrace {
            return Err(RegError::BadBr);
        }
        if hi.unwrap_or(lo) > 0x7fff {
            return Err(RegError::Size);
        }
        Ok(match hi {
            Some(hi) if hi == lo => format!("{{{lo}}}"),
            Some(hi) => format!("{{{lo},{hi}}}"),
            None => format!("{{{lo},}}"),
        })
    }

    /// glibc `fetch_number`: reads tokens up to `}` or `,` (which stays current).
    fn number(&mut self) -> (Num, Tok) {
        let mut num = Num::None;
        loop {
            self.advance();
            match self.tok {
                Tok::End => return (Num::Invalid, Tok::End),
                Tok::CloseBrace | Tok::Char(',') => return (num, self.tok),
                Tok::Char(c @ '0'..='9') => {
                    let digit = c as u32 - '0' as u32;
                    num = match num {
                        Num::None => Num::Value(digit),
                        Num::Value(v) => Num::Value((v * 10 + digit).min(0x8000)),
                        Num::Invalid => Num::Invalid,
                    };
                }
                _ => num = Num::Invalid,
            }
        }
    }

    fn sub_exp(&mut self, nest: usize) -> Result<Vec<Piece>, RegError> {
        if nest > MAX_GROUP_NESTING {
            return Err(RegError::Space);
        }
        let index = self.groups;
        self.groups += 1;
        self.advance();
        let mut out = vec![Piece::Text("(".into())];
        if self.tok != Tok::Close {
            out.extend(self.reg_exp(nest)?);
            if self.tok != Tok::Close {
                return Err(RegError::Paren);
            }
        }
        out.push(Piece::Text(")".into()));
        if self.completed.len() <= index {
            self.completed.resize(index + 1, false);
        }
        self.completed[index] = true;
        self.advance();
        Ok(out)
    }

    /// A bracket expression; the current token is `[` (glibc `parse_bracket_exp`).
    fn bracket(&mut self) -> Result<String, RegError> {
        let mut pos = self.pos + 1;
        let mut negate = false;
        if self.chars.get(pos).is_none() {
            return Err(RegError::BadPat);
        }
        if self.chars.get(pos) == Some(&'^') {
            negate = true;
            pos += 1;
            if self.chars.get(pos).is_none() {
                return Err(RegError::BadPat);
            }
        }
        let mut items: Vec<String> = Vec::new();
        let mut first = true;
        loop {
            let (start, next) = self.bracket_elem(pos, first)?;
            first = false;
            pos = next;
            let mut range_end = None;
            // Classes and equivalence classes cannot start a range.
            if !matches!(start, Elem::Class(_) | Elem::Equiv(_)) {
                match self.chars.get(pos) {
                    None => return Err(RegError::Brack),
                    Some('-') => match self.chars.get(pos + 1) {
                        None => return Err(RegError::Brack),
                        // A `-` right before the closing `]` is an ordinary character.
                        Some(']') => {}
                        Some(_) => {
                            let (end, after) = self.bracket_elem(pos + 1, true)?;
                            pos = after;
                            range_end = Some(end);
                        }
                    },
                    Some(_) => {}
                }
            }
            match (start, range_end) {
                (_, None) => items.push(match start {
                    Elem::Char(c) | Elem::Equiv(c) => class_literal(c),
                    Elem::Class(name) => format!("[:{name}:]"),
                }),
                (Elem::Char(a), Some(Elem::Char(b))) => {
                    if a > b {
                        return Err(RegError::Range);
                    }
                    items.push(format!("{}-{}", class_literal(a), class_literal(b)));
                }
                _ => return Err(RegError::Range),
            }
            match self.chars.get(pos) {
                None => return Err(RegError::Brack),
                Some(']') => break,
                Some(_) => {}
            }
        }
        // Skip the closing `]` and make the token after the bracket current.
        self.pos = pos + 1;
        self.fetch();
        let mut out = String::from(if negate { "[^" } else { "[" });
        for item in items {
            out.push_str(&item);
        }
        out.push(']');
        Ok(out)
    }

    /// One bracket element at `pos`: a character, `[:class:]`, `[=c=]` or `[.c.]`; returns it
    /// and the position after it.
    fn bracket_elem(&self, pos: usize, accept_hyphen: bool) -> Result<(Elem, usize), RegError> {
        let Some(&c) = self.chars.get(pos) else {
            return Err(RegError::Brack);
        };
        if c == '[' {
            if let Some(&kind @ ('.' | '=' | ':')) = self.chars.get(pos + 1) {
                let mut name = String::new();
                let mut p = pos + 2;
                loop {
                    let Some(&ch) = self.chars.get(p) else {
                        return Err(RegError::Brack);
                    };
                    if self.chars.get(p + 1).is_none() {
                        return Err(RegError::Brack);
                    }
                    if ch == kind && self.chars.get(p + 1) == Some(&']') {
                        break;
                    }
                    name.push(ch);
                    if name.len() >= 32 {
                        return Err(RegError::Brack);
                    }
                    p += 1;
                }
                let after = p + 2;
                return match kind {
                    ':' => match class_name(&name) {
                        Some(name) => Ok((Elem::Class(name), after)),
                        None => Err(RegError::CType),
                    },
                    _ => {
                        // Without collation rules only single-byte names exist.
                        let mut it = name.chars();
                        match (it.next(), it.next()) {
                            (Some(ch), None) if ch.is_ascii() => {
                                if kind == '=' {
                                    Ok((Elem::Equiv(ch), after))
                                } else {
                                    Ok((Elem::Char(ch), after))
                                }
                            }
                            _ => Err(RegError::Collate),
                        }
                    }
                };
            }
        }
        if c == '-' && !accept_hyphen && self.chars.get(pos + 1) != Some(&']') {
            return Err(RegError::Range);
        }
        Ok((Elem::Char(c), pos + 1))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Num {
    None,
    Value(u32),
    Invalid,
}

fn class_name(name: &str) -> Option<&'static str> {
    const NAMES: [&str; 12] = [
        "alpha", "upper", "lower", "digit", "xdigit", "space", "print", "punct", "graph", "cntrl",
        "blank", "alnum",
    ];
    NAMES.iter().copied().find(|it| *it == name)
}

/// A literal character outside brackets in `regex` syntax.
fn literal(c: char) -> String {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// A literal character inside a `regex` class.
fn class_literal(c: char) -> String {
    if "\\[]^-&~".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}
