//! Source files and positions. A `Span` is a byte range in one file of a `SourceMap`; the map turns
//! byte offsets into 1-based line and column numbers when a diagnostic is displayed.

use std::sync::OnceLock;

/// Index of a file inside a `SourceMap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A 1-based line number and a 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// One loaded file: the name shown to users and its full text.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    /// Shared with the config items that point into it.
    pub text: std::sync::Arc<str>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            for (idx, byte) in self.text.bytes().enumerate() {
                if byte == b'\n' {
                    starts.push(u32::try_from(idx + 1).unwrap_or(u32::MAX));
                }
            }
            starts
        })
    }

    /// The 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        match starts.binary_search(&offset) {
            Ok(idx) => idx,
            Err(idx) => idx.saturating_sub(1),
        }
    }

    /// Byte range of the 0-based line `line_index`, without its line terminator.
    pub fn line_range(&self, line_index: usize) -> std::ops::Range<usize> {
        let starts = self.line_starts();
        let start = starts
            .get(line_index)
            .map_or(self.text.len(), |&it| it as usize);
        let mut end = starts
            .get(line_index + 1)
            .map_or(self.text.len(), |&it| it as usize);
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line_index = self.line_index(offset);
        let start = self.line_starts()[line_index] as usize;
        let col = self.text[start.min(offset)..offset].chars().count() + 1;
        LineCol {
            line: line_index + 1,
            col,
        }
    }
}

/// Rounds `idx` down to the nearest character boundary of `text`.
pub(crate) fn floor_char_boundary(text: &str, mut idx: usize) -> usize {
    idx = idx.min(text.len());
    while idx > 0 && !text.is_char_boundary(idx) {
        idx -= 1;
    }
    idx
}

/// Rounds `idx` up to the nearest character boundary of `text`.
pub(crate) fn ceil_char_boundary(text: &str, mut idx: usize) -> usize {
    idx = idx.min(text.len());
    while idx < text.len() && !text.is_char_boundary(idx) {
        idx += 1;
    }
    idx
}

/// Every file read while loading, addressed by `FileId`.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<std::sync::Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map_or("<unknown>", |it| it.name.as_str())
    }

    /// The source text a span covers (empty when the span is out of range).
    pub fn text(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|it| it.text.get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }

    pub fn line_col(&self, file: FileId, offset: usize) -> LineCol {
        self.get(file)
            .map_or(LineCol { line: 0, col: 0 }, |it| it.line_col(offset))
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(idx, it)| (FileId(idx as u32), it))
    }
}
