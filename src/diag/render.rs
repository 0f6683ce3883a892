//! Renderers. `render_short` gives `path:line:col: error[code]: message` (logs, reload summaries),
//! `render_rich` a miette report with the source line and carets (console, `check`, snapshots),
//! `render_json` one JSON object per diagnostic (editors and CI).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diag::source::{ceil_char_boundary, floor_char_boundary};
use crate::diag::{Diagnostic, Severity, SourceMap};

/// Longest stretch of one source line shown around a caret.
const MAX_SNIPPET: usize = 240;
/// Labels further than this many lines from the primary one become notes.
const MAX_GAP_LINES: usize = 4;

pub fn render_short(map: &SourceMap, diag: &Diagnostic) -> String {
    let sev = diag.severity.as_str();
    let code = diag.code.as_str();
    match diag.primary_span() {
        Some(span) => {
            let pos = map.line_col(span.file, span.start as usize);
            format!(
                "{}:{}:{}: {sev}[{code}]: {}",
                map.name(span.file),
                pos.line,
                pos.col,
                diag.message
            )
        }
        None => format!("{sev}[{code}]: {}", diag.message),
    }
}

pub fn render_json(map: &SourceMap, diag: &Diagnostic) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("severity".into(), diag.severity.as_str().into());
    obj.insert("code".into(), diag.code.as_str().into());
    obj.insert("message".into(), diag.message.clone().into());
    if let Some(span) = diag.primary_span() {
        let start = map.line_col(span.file, span.start as usize);
        let end = map.line_col(span.file, span.end as usize);
        obj.insert("file".into(), map.name(span.file).into());
        obj.insert("line".into(), start.line.into());
        obj.insert("column".into(), start.col.into());
        obj.insert("end_line".into(), end.line.into());
        obj.insert("end_column".into(), end.col.into());
    }
    let labels: Vec<serde_json::Value> = diag
        .labels
        .iter()
        .map(|label| {
            let pos = map.line_col(label.span.file, label.span.start as usize);
            serde_json::json!({
                "file": map.name(label.span.file),
                "line": pos.line,
                "column": pos.col,
                "text": label.text,
            })
        })
        .collect();
    obj.insert("labels".into(), labels.into());
    if let Some(help) = &diag.help {
        obj.insert("help".into(), help.clone().into());
    }
    serde_json::Value::Object(obj).to_string()
}

/// Renders a diagnostic with miette's graphical handler: `file:line:col` header, the source line
/// and a labelled caret. Labels in other files than the primary one become notes.
pub fn render_rich(map: &SourceMap, diag: &Diagnostic) -> String {
    let report = Report::new(map, diag);
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        return render_short(map, diag);
    }
    out
}

/// One label of a window, in window-local byte offsets.
struct LocalLabel {
    start: usize,
    len: usize,
    text: String,
}

/// The part of one file a report shows: one line (or a clipped stretch of it) per label.
struct Window {
    name: String,
    data: String,
    /// For each line of `data`: byte offset in `data`, 0-based line index and 0-based column in
    /// the real file.
    lines: Vec<(usize, usize, usize)>,
}

impl Window {
    /// The 0-based line and column of window-local offset `local` in the real file.
    fn position(&self, local: usize) -> (usize, usize) {
        let idx = match self.lines.binary_search_by(|it| it.0.cmp(&local)) {
            Ok(idx) => idx,
            Err(idx) => idx.saturating_sub(1),
        };
        let (start, line, col) = self.lines.get(idx).copied().unwrap_or((0, 0, 0));
        let upto = floor_char_boundary(&self.data, local.min(self.data.len()));
        let col = col + self.data[start.min(upto)..upto].chars().count();
        (line, col)
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // Every window line is shown: the window only holds lines that carry labels.
        let (line, col) = self.position(span.offset());
        let first = self.lines.first().copied().unwrap_or((0, 0, 0));
        let whole = SourceSpan::new(0.into(), self.data.len());
        let contents = if span.is_empty() && span.offset() == 0 {
            MietteSpanContents::new_named(
                self.name.clone(),
                self.data.as_bytes(),
                whole,
                first.1,
                first.2,
                self.lines.len(),
            )
        } else {
            MietteSpanContents::new_named(
                self.name.clone(),
                self.data.as_bytes(),
                whole,
                line,
                col,
                self.lines.len(),
            )
        };
        Ok(Box::new(contents))
    }
}

struct Report {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    window: Option<Window>,
    labels: Vec<LocalLabel>,
}

impl Report {
    fn new(map: &SourceMap, diag: &Diagnostic) -> Report {
        let mut help = diag.help.clone();
        let mut window = None;
        let mut labels = Vec::new();
        if let Some(primary) = diag.primary_span() {
            let file = map.get(primary.file);
            let primary_line = file.map_or(0, |it| it.line_index(primary.start as usize));
            // Labels shown in the snippet: the primary one and those a few lines around it; the
            // rest become notes.
            let near = |span: crate::diag::Span| {
                span.file == primary.file
                    && file.is_some_and(|it| {
                        it.line_index(span.start as usize).abs_diff(primary_line) <= MAX_GAP_LINES
                    })
            };
            let (same, other): (Vec<_>, Vec<_>) = diag.labels.iter().partition(|it| near(it.span));
            for label in other {
                let pos = map.line_col(label.span.file, label.span.start as usize);
                let note = format!(
                    "{}: {}:{}:{}",
                    label.text,
                    map.name(label.span.file),
                    pos.line,
                    pos.col
                );
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
            if let Some(file) = file {
                let label_lines: Vec<usize> = same
                    .iter()
                    .map(|it| file.line_index(it.span.start as usize))
                    .collect();
                let lo = label_lines.iter().copied().min().unwrap_or(primary_line);
                let hi = label_lines.iter().copied().max().unwrap_or(primary_line);
                let mut data = String::new();
                let mut lines = Vec::new();
                // (line index, window-local start, file offset of the shown stretch, shown end)
                let mut shown: Vec<(usize, usize, usize, usize)> = Vec::new();
                for line_idx in lo..=hi {
                    let range = file.line_range(line_idx);
                    let first_label = same
                        .iter()
                        .filter(|it| file.line_index(it.span.start as usize) == line_idx)
                        .map(|it| it.span.start as usize)
                        .min()
                        .unwrap_or(range.start);
                    let mut from = range.start;
                    let mut to = range.end;
                    if to - from > MAX_SNIPPET {
                        from = first_label.saturating_sub(MAX_SNIPPET / 3).max(range.start);
                        to = (from + MAX_SNIPPET).min(range.end);
                    }
                    let from = floor_char_boundary(&file.text, from);
                    let to = ceil_char_boundary(&file.text, to);
                    if line_idx > lo {
                        data.push('\n');
                    }
                    let col = file.text[range.start..from].chars().count();
                    lines.push((data.len(), line_idx, col));
                    let local = data.len();
                    data.push_str(&file.text[from..to]);
                    if to < range.end {
                        data.push('…');
                    }
                    shown.push((line_idx, local, from, to));
                }
                for label in same {
                    let line_idx = file.line_index(label.span.start as usize);
                    let Some(&(_, local, from, to)) = shown.iter().find(|it| it.0 == line_idx)
                    else {
                        continue;
                    };
                    let line_end = local + (to - from);
                    let mut start =
                        (local + (label.span.start as usize).saturating_sub(from)).min(line_end);
                    let mut len = label.span.len().min(line_end - start);
                    // A zero-width label gets one character so miette draws its caret.
                    if len == 0 {
                        if start < line_end {
                            len = 1;
                        } else if start > local {
                            start -= 1;
                            len = 1;
                        }
                    }
                    labels.push(LocalLabel {
                        start,
                        len,
                        text: label.text.clone(),
                    });
                }
                window = Some(Window {
                    name: file.name.clone(),
                    data,
                    lines,
                });
            }
        }
        Report {
            message: diag.message.clone(),
            code: diag.code.as_str(),
            severity: diag.severity,
            help,
            window,
            labels,
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}[{}]",
            self.severity.as_str(),
            self.code
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|it| Box::new(it) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.window.as_ref().map(|it| it as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.window.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(|(idx, it)| {
            let text = (!it.text.is_empty()).then(|| it.text.clone());
            if idx == 0 {
                LabeledSpan::new_primary_with_span(text, SourceSpan::new(it.start.into(), it.len))
            } else {
                LabeledSpan::new_with_span(text, SourceSpan::new(it.start.into(), it.len))
            }
        })))
    }
}
