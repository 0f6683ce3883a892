//! Diagnostics shared by every layer: where a problem is (`Span` inside a `SourceMap`), what it is
//! (`Diagnostic` with a stable code) and how it is shown (short, rich and JSON renderers).
//!
//! Spans are byte ranges; line and column numbers are computed only when a diagnostic is rendered.

mod codes;
mod factory;
mod render;
mod source;

pub use codes::Code;
pub use factory::Diagnostics;
pub use render::{render_json, render_rich, render_short};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};

/// How bad a problem is. Errors are the problems that make Asterisk refuse a whole file or that
/// lose a line the admin clearly wanted; warnings are everything Asterisk loads anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One labelled place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in user content. The first label is the primary location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|it| it.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests;

/// The result of loading user content: always a value (best effort), the sources it was read
/// from, and what was wrong with them. Loading never fails on content.
#[derive(Debug)]
pub struct Loaded<T> {
    pub value: T,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}
