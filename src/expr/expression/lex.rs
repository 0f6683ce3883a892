//! The lexer of `main/ast_expr2.fl`, hand-written for speed.
//!
//! It reproduces flex's longest-match rules: blanks are skipped, a quoted string keeps its
//! quotes, a run of word characters is a number token only when all of it matches
//! `[0-9]+(\.[0-9]+)?`, `${` swallows a balanced brace group and the text after it up to a blank
//! or operator (an unterminated one drops everything to the end), and bytes that start no token
//! are dropped. The `tokens` rule of `grammar/expr.pest` states the same language; a test checks
//! that both split generated texts alike.
//!
//! One flex quirk is not a matter of splitting: when a `${...}` token ends because a blank or an
//! operator follows the `}` directly, the scanner puts that character back with `unput()`, which
//! undoes the NUL that ended `yytext`, so the token's text runs to the end of the input
//! (`$[(${X})]` gives `${X})`, `$[${X} = ${X}]` compares `${X} = ${X}` with `${X}`). Lexing
//! still resumes at the put-back character. `Token::text_end` records where the text ends.

/// What a token is, as bison sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `TOKEN` from a number (a numeric string).
    Number,
    /// `TOKEN` from a word, a quoted string or a `${...}` leftover (a string).
    Text,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Plus,
    Minus,
    Mult,
    Div,
    Mod,
    Compl,
    Colon,
    ColonColon,
    EqTilde,
    TildeTilde,
    Cond,
    Comma,
    LParen,
    RParen,
}

impl Kind {
    /// The one-character code the grammar's `start` rule reads (see `grammar/expr.pest`).
    pub(crate) fn code(self) -> char {
        match self {
            Kind::Number | Kind::Text => 't',
            Kind::Or => 'A',
            Kind::And => 'B',
            Kind::Eq => 'C',
            Kind::Ne => 'D',
            Kind::Lt => 'E',
            Kind::Gt => 'F',
            Kind::Le => 'G',
            Kind::Ge => 'H',
            Kind::Plus => 'I',
            Kind::Minus => 'J',
            Kind::Mult => 'K',
            Kind::Div => 'L',
            Kind::Mod => 'M',
            Kind::Colon => 'N',
            Kind::EqTilde => 'O',
            Kind::TildeTilde => 'P',
            Kind::Compl => '!',
            Kind::ColonColon => ';',
            Kind::Cond => '?',
            Kind::Comma => ',',
            Kind::LParen => '(',
            Kind::RParen => ')',
        }
    }

    /// Bison's name for the token after Asterisk's renaming (`expr2_token_subst`), as syntax
    /// errors print it.
    pub(crate) fn bison_name(self) -> &'static str {
        match self {
            Kind::Number | Kind::Text => "'<token>'",
            Kind::Or => "'|'",
            Kind::And => "'&'",
            Kind::Eq => "'='",
            Kind::Ne => "'!='",
            Kind::Lt => "'<'",
            Kind::Gt => "'>'",
            Kind::Le => "'<='",
            Kind::Ge => "'>='",
            Kind::Plus => "'+'",
            Kind::Minus => "'-'",
            Kind::Mult => "'*'",
            Kind::Div => "'/'",
            Kind::Mod => "'%'",
            Kind::Compl => "'!'",
            Kind::Colon => "':'",
            Kind::ColonColon => "'::'",
            // Renamed by prefix: `TOK_EQ` matches first, leaving `TILDE`.
            Kind::EqTilde => "'='TILDE",
            // Asterisk's renaming table has no entry for this one.
            Kind::TildeTilde => "TOK_TILDETILDE",
            Kind::Cond => "'?'",
            Kind::Comma => "','",
            Kind::LParen => "'('",
            Kind::RParen => "')'",
        }
    }
}

/// A token: its kind, its byte range in the text, and where its value's text ends (after
/// `end` only for the `${...}` quirk described above).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text_end: usize,
}

/// Word characters: letters, digits, `.`, `'`, `;`, `\`, `_`, `^`, `#`, `@` and bytes ≥ 0x80.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || b >= 0x80
        || matches!(b, b'.' | b'\'' | b';' | b'\\' | b'_' | b'^' | b'#' | b'@')
}

/// Bytes that end the text after a `${...}` (`<trail>` in the flex file).
fn ends_trail(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'\t'
            | b'\r'
            | b' '
            | b'\n'
            | b'$'
            | b'('
            | b')'
            | b':'
            | b'?'
            | b'%'
            | b'/'
            | b'+'
            | b'='
            | b'*'
            | b'<'
            | b'>'
            | b'!'
            | b'|'
            | b'&'
    )
}

/// Splits `text` into tokens; also returns where flex's `yytext` is when the input ends (where
/// Asterisk's caret points at `$end`): the end of the text, except when the text ends with an
/// unterminated `${` that has nothing after it (then the start of that token).
pub(crate) fn lex(text: &str) -> (Vec<Token>, usize) {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(bytes.len() / 2 + 1);
    let mut pos = 0;
    while pos < bytes.len() {
        let b = bytes[pos];
        let next = bytes.get(pos + 1).copied();
        let op = |kind, len| Some((kind, len));
        let operator = match (b, next) {
            (b'|', Some(b'|')) => op(Kind::Or, 2),
            (b'|', _) => op(Kind::Or, 1),
            (b'&', Some(b'&')) => op(Kind::And, 2),
            (b'&', _) => op(Kind::And, 1),
            (b'=', Some(b'=')) => op(Kind::Eq, 2),
            (b'=', Some(b'~')) => op(Kind::EqTilde, 2),
            (b'=', _) => op(Kind::Eq, 1),
            (b'!', Some(b'=')) => op(Kind::Ne, 2),
            (b'!', _) => op(Kind::Compl, 1),
            (b'<', Some(b'=')) => op(Kind::Le, 2),
            (b'<', _) => op(Kind::Lt, 1),
            (b'>', Some(b'=')) => op(Kind::Ge, 2),
            (b'>', _) => op(Kind::Gt, 1),
            (b'~', Some(b'~')) => op(Kind::TildeTilde, 2),
            (b':', Some(b':')) => op(Kind::ColonColon, 2),
            (b':', _) => op(Kind::Colon, 1),
            (b'+', _) => op(Kind::Plus, 1),
            (b'-', _) => op(Kind::Minus, 1),
            (b'*', _) => op(Kind::Mult, 1),
            (b'/', _) => op(Kind::Div, 1),
            (b'%', _) => op(Kind::Mod, 1),
            (b'?', _) => op(Kind::Cond, 1),
            (b',', _) => op(Kind::Comma, 1),
            (b'(', _) => op(Kind::LParen, 1),
            (b')', _) => op(Kind::RParen, 1),
            _ => None,
        };
        if let Some((kind, len)) = operator {
            tokens.push(Token {
                kind,
                start: pos,
                end: pos + len,
                text_end: pos + len,
            });
            pos += len;
            continue;
        }
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'"' => match bytes[pos + 1..].iter().position(|&c| c == b'"') {
                Some(close) => {
                    let end = pos + 1 + close + 1;
                    tokens.push(Token {
                        kind: Kind::Text,
                        start: pos,
                        end,
                        text_end: end,
                    });
                    pos = end;
                }
                // A `"` that is never closed is dropped.
                None => pos += 1,
            },
            _ if is_word_byte(b) || (b == b'$' && next.is_some()) => {
                let start = pos;
                let end = word_end(bytes, pos);
                if bytes[end..].starts_with(b"${") {
                    match variable_end(bytes, end) {
                        Some((end, put_back)) => {
                            let text_end = if put_back { bytes.len() } else { end };
                            tokens.push(Token {
                                kind: Kind::Text,
                                start,
                                end,
                                text_end,
                            });
                            pos = end;
                        }
                        // An unterminated `${` drops everything to the end.
                        None => {
                            let at_end = end + 2 == bytes.len();
                            return (tokens, if at_end { start } else { bytes.len() });
                        }
                    }
                } else {
                    let kind = if is_number(&bytes[start..end]) {
                        Kind::Number
                    } else {
                        Kind::Text
                    };
                    tokens.push(Token {
                        kind,
                        start,
                        end,
                        text_end: end,
                    });
                    pos = end;
                }
            }
            // Anything else (`~`, `[`, `]`, `{`, `}`, control bytes, a final `$`) is dropped.
            _ => pos += 1,
        }
        // Never stop inside a UTF-8 sequence.
        while pos < bytes.len() && !text.is_char_boundary(pos) {
            pos += 1;
        }
    }
    (tokens, bytes.len())
}

/// The end of the run of word characters (and `$x` pairs) starting at `pos`; empty when a
/// `${` starts right there.
fn word_end(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() {
        let b = bytes[pos];
        if is_word_byte(b) {
            pos += 1;
        } else if b == b'$' && pos + 1 < bytes.len() && bytes[pos + 1] != b'{' {
            pos += 2;
        } else {
            break;
        }
    }
    pos
}

/// `[0-9]+(\.[0-9]+)?` over the whole of `text`.
pub(crate) fn is_number(text: &[u8]) -> bool {
    let int = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if int == 0 {
        return false;
    }
    match &text[int..] {
        [] => true,
        [b'.', frac @ ..] => !frac.is_empty() && frac.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Where a `${...}` token starting with the `${` at `pos` ends: after the balanced braces and
/// the text up to a blank or operator, again while another `${` follows. `None` when a brace
/// group never closes. The flag tells whether flex ends it by putting back a blank or operator
/// that directly follows the last `}` (the text-to-the-end quirk).
fn variable_end(bytes: &[u8], mut pos: usize) -> Option<(usize, bool)> {
    loop {
        // `pos` is at `${`.
        pos += 2;
        let mut depth: usize = 0;
        loop {
            match bytes.get(pos)? {
                b'{' => depth += 1,
                b'}' if depth == 0 => break,
                b'}' => depth -= 1,
                _ => {}
            }
            pos += 1;
        }
        pos += 1;
        let trail = pos;
        while pos < bytes.len() && !ends_trail(bytes[pos]) {
            pos += 1;
        }
        if !bytes[pos..].starts_with(b"${") {
            return Some((pos, pos == trail && pos < bytes.len()));
        }
    }
}
