//! Comment removal, exactly as `main/config.c` does it (spec dialplan.md §1.2). The tokens of a line
//! come from the `comment_tokens` rule of `grammar/conf.pest`; this pass keeps the block-comment
//! nesting depth from one line to the next, including the quirk that a stray `--;` drives it to −1.

use pest::Parser;

use crate::config::grammar::{ConfGrammar, Rule};
use crate::config::limits::MAX_COMMENT_NESTING;

/// Text kept from one physical line, with a map back to the line's byte offsets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Kept {
    pub text: String,
    /// `(offset in text, offset in the line)` at the start of every contiguous piece.
    pub pieces: Vec<(u32, u32)>,
}

impl Kept {
    fn push(&mut self, line: &str, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let here = self.text.len() as u32;
        match self.pieces.last() {
            Some(&(clean, src)) if src as usize + (here - clean) as usize == from => {}
            _ => self.pieces.push((here, from as u32)),
        }
        self.text.push_str(&line[from..to]);
    }
}

/// What the pass noticed on a line, for diagnostics (offsets are within the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Opened(usize),
    NestLimit(usize),
    StrayClose(usize),
}

/// The comment state of one file.
#[derive(Debug, Default)]
pub(crate) struct CommentPass {
    depth: i32,
    /// Line index and offset of each open block comment, innermost last.
    open: Vec<(usize, usize)>,
}

/// What the pass produced for one line: nothing (comment or blank), the line unchanged, or
/// rewritten text.
pub(crate) enum Outcome {
    Dropped,
    Whole,
    Rewritten(Kept),
}

impl CommentPass {
    /// Where the outermost block comment still open began: (line index, offset in that line).
    pub fn unterminated(&self) -> Option<(usize, usize)> {
        (self.depth != 0)
            .then(|| self.open.first().copied())
            .flatten()
    }

    /// Runs one line through the pass. `events` receives what deserves a diagnostic.
    pub fn line(&mut self, line_idx: usize, line: &str, events: &mut Vec<Event>) -> Outcome {
        if !line.contains(';') {
            return if self.depth == 0 {
                Outcome::Whole
            } else {
                Outcome::Dropped
            };
        }
        let Ok(tokens) = ConfGrammar::parse(Rule::comment_tokens, line) else {
            // The token rule accepts every string; keep the line as it is if that ever fails.
            return Outcome::Whole;
        };
        // `keeping` is Asterisk's process_buf: are we collecting text right now?
        let mut keeping = self.depth == 0;
        let mut kept = Kept::default();
        let mut started = keeping;
        for token in tokens {
            let span = token.as_span();
            let (from, to) = (span.start(), span.end());
            match token.as_rule() {
                Rule::comment_text if keeping && self.depth == 0 => kept.push(line, from, to),
                Rule::escaped_semi if keeping && self.depth == 0 => kept.push(line, from + 1, to),
                Rule::block_open => {
                    if self.depth < 0 {
                        // Asterisk ends a stray-close stretch at an opener; the line itself is dropped.
                        self.depth += 1;
                        if self.depth == 0 {
                            self.open.clear();
                        }
                        keeping = false;
                        started = false;
                        kept = Kept::default();
                    } else if self.depth as usize >= MAX_COMMENT_NESTING {
                        events.push(Event::NestLimit(from));
                    } else {
                        self.depth += 1;
                        self.open.push((line_idx, from));
                        events.push(Event::Opened(from));
                    }
                }
                Rule::block_close => {
                    self.depth -= 1;
                    self.open.pop();
                    if self.depth == 0 {
                        keeping = true;
                        started = true;
                    } else if self.depth < 0 {
                        events.push(Event::StrayClose(from));
                        if keeping {
                            // The line is kept verbatim from here on: nothing more is removed.
                            kept.push(line, from, line.len());
                        }
                        self.open.push((line_idx, from));
                        break;
                    }
                }
                Rule::semi if self.depth == 0 => break,
                _ => {}
            }
        }
        if !started || !keeping && self.depth > 0 && kept.text.is_empty() {
            return Outcome::Dropped;
        }
        Outcome::Rewritten(kept)
    }
}

#[cfg(test)]
mod tests;
