//! The raw result of reading a config file: sections (Asterisk's "categories") holding items in
//! file order, each with the spans needed to point at it.

use std::ops::Range;
use std::sync::Arc;

use crate::diag::{FileId, Span};

/// A whole config file with everything it `#include`d, as Asterisk's `main/config.c` builds it.
#[derive(Debug, Default, Clone)]
pub struct ConfFile {
    pub categories: Vec<Category>,
}

impl ConfFile {
    /// Visible categories (templates are kept only for inheritance).
    pub fn visible(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|it| !it.template)
    }
}

/// One `[name]` section. Several sections may share a name.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: Box<str>,
    pub template: bool,
    /// The `[...]` header (through the closing bracket or parenthesis).
    pub header: Span,
    pub items: Vec<Item>,
}

/// One `name = value` or `name => value` line.
#[derive(Debug, Clone)]
pub struct Item {
    /// Shared between items with the same name.
    pub name: Arc<str>,
    pub(crate) value: Value,
    /// Written with `=>`.
    pub object: bool,
    /// Copied from a template or base section.
    pub inherited: bool,
    pub name_span: Span,
}

/// An item's value: a stretch of the source text (most lines) or text the reader rewrote
/// (comments cut out, `\;` unescaped, `+=` appended), with its way back to the source.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Source {
        text: Arc<str>,
        file: FileId,
        start: u32,
        len: u32,
    },
    Owned {
        text: Box<str>,
        origin: Origin,
    },
}

/// Maps byte offsets in an item's value back to the source.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// The value is a contiguous stretch of one file starting at this offset.
    At(FileId, u32),
    /// `(offset in value, file, offset in file)` at the start of each contiguous piece.
    Pieces(Box<[(u32, FileId, u32)]>),
}

impl Origin {
    pub(crate) fn to_pieces(&self) -> Vec<(u32, FileId, u32)> {
        match self {
            Origin::At(file, start) => vec![(0, *file, *start)],
            Origin::Pieces(pieces) => pieces.to_vec(),
        }
    }

    fn locate(&self, offset: usize) -> (FileId, usize) {
        match self {
            Origin::At(file, start) => (*file, *start as usize + offset),
            Origin::Pieces(pieces) => {
                let idx = match pieces.binary_search_by(|it| (it.0 as usize).cmp(&offset)) {
                    Ok(idx) => idx,
                    Err(idx) => idx.saturating_sub(1),
                };
                match pieces.get(idx) {
                    Some(&(clean, file, src)) => {
                        (file, src as usize + offset.saturating_sub(clean as usize))
                    }
                    None => (FileId::default(), 0),
                }
            }
        }
    }
}

impl Item {
    /// The value, stripped of surrounding blanks.
    pub fn value(&self) -> &str {
        match &self.value {
            Value::Source {
                text, start, len, ..
            } => text
                .get(*start as usize..(*start + *len) as usize)
                .unwrap_or(""),
            Value::Owned { text, .. } => text,
        }
    }

    pub(crate) fn origin(&self) -> Origin {
        match &self.value {
            Value::Source { file, start, .. } => Origin::At(*file, *start),
            Value::Owned { origin, .. } => origin.clone(),
        }
    }

    fn locate(&self, offset: usize) -> (FileId, usize) {
        match &self.value {
            Value::Source { file, start, .. } => (*file, *start as usize + offset),
            Value::Owned { origin, .. } => origin.locate(offset),
        }
    }

    /// The source span of `range`, a byte range of `value`.
    pub fn value_span(&self, range: Range<usize>) -> Span {
        let (file, start) = self.locate(range.start);
        if range.end <= range.start {
            return Span::new(file, start, start);
        }
        let (end_file, last) = self.locate(range.end - 1);
        let end = if end_file == file && last >= start {
            last + 1
        } else {
            start + 1
        };
        Span::new(file, start, end)
    }

    /// The span of the whole value (or the place right after the `=` when it is empty).
    pub fn value_full_span(&self) -> Span {
        self.value_span(0..self.value().len())
    }

    /// From the name to the end of the value: the whole line as written.
    pub fn line_span(&self) -> Span {
        let value = self.value_full_span();
        if value.file == self.name_span.file && value.end >= self.name_span.start {
            Span {
                file: value.file,
                start: self.name_span.start,
                end: value.end,
            }
        } else {
            self.name_span
        }
    }
}
