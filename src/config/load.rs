//! Reading a config file as `main/config.c` does (spec dialplan.md §1): lines, comments, section
//! headers with templates, inheritance and append, items, and `#include` / `#tryinclude` /
//! `#exec` directives. Loading never fails: problems become diagnostics, and the problems that
//! make Asterisk refuse the file are errors.

use std::path::{Path, PathBuf};

use pest::Parser;

use crate::config::comments::{CommentPass, Event, Outcome};
use crate::config::grammar::{ConfGrammar, Rule};
use crate::config::limits::{MAX_CATEGORY_NAME, MAX_FILES, MAX_INCLUDE_DEPTH, MAX_LINE_BYTES};
use crate::config::model::{Category, ConfFile, Item, Origin, Value};
use crate::config::provider::{expand_braces, PathKind, SourceProvider};
use crate::diag::{Diagnostics, FileId, Loaded, SourceMap, Span};

/// How many distinct item names are shared; a dialplan uses a handful, `[globals]` more.
const MAX_SHARED_NAMES: usize = 16;

/// Reads `path` and everything it includes.
pub fn load(provider: &dyn SourceProvider, path: &Path) -> Loaded<ConfFile> {
    let top_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut loader = Loader {
        provider,
        sources: SourceMap::default(),
        diags: Diagnostics::default(),
        file: ConfFile::default(),
        current: None,
        names: Vec::new(),
        chain: Vec::new(),
        n_files: 0,
        top_dir,
    };
    loader.load_file(path, 0, None);
    Loaded {
        value: loader.file,
        sources: loader.sources,
        diagnostics: loader.diags,
    }
}

/// Reads config text that is already in memory, under the given display name.
pub fn load_str(name: &str, text: &str) -> Loaded<ConfFile> {
    let provider = crate::config::MemProvider::default().with(name, text.as_bytes().to_vec());
    load(&provider, Path::new(name))
}

struct Loader<'p> {
    provider: &'p dyn SourceProvider,
    sources: SourceMap,
    diags: Diagnostics,
    file: ConfFile,
    /// Index of the category items go to (Asterisk's "current category").
    current: Option<usize>,
    /// Item names, shared between items (the first few distinct ones).
    names: Vec<std::sync::Arc<str>>,
    /// The files being read right now, outermost first (to catch a file that includes itself).
    chain: Vec<PathBuf>,
    /// How many files this load has read.
    n_files: usize,
    top_dir: PathBuf,
}

/// One line after comment removal and stripping, with its way back to the source.
struct LineText<'a> {
    text: &'a str,
    /// The whole file, shared with items that point into it.
    source: &'a std::sync::Arc<str>,
    file: FileId,
    /// File offset of the physical line's first byte.
    base: usize,
    /// Offset of `text` inside the kept text.
    shift: usize,
    /// Pieces of the kept text when comments were cut out of the middle of the line.
    pieces: Option<&'a [(u32, u32)]>,
}

impl LineText<'_> {
    fn offset(&self, at: usize) -> usize {
        let clean = self.shift + at;
        match self.pieces {
            None => self.base + clean,
            Some(pieces) => {
                let idx = match pieces.binary_search_by(|it| (it.0 as usize).cmp(&clean)) {
                    Ok(idx) => idx,
                    Err(idx) => idx.saturating_sub(1),
                };
                let (start, src) = pieces.get(idx).copied().unwrap_or((0, 0));
                self.base + src as usize + (clean - start as usize)
            }
        }
    }

    fn span(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.offset(range.start);
        let end = if range.end > range.start {
            self.offset(range.end - 1) + 1
        } else {
            start
        };
        Span::new(self.file, start, end.max(start))
    }

    fn origin(&self, range: std::ops::Range<usize>) -> Origin {
        match self.pieces {
            None => Origin::At(self.file, self.offset(range.start) as u32),
            Some(pieces) => {
                let from = self.shift + range.start;
                let to = self.shift + range.end;
                let mut out = Vec::new();
                for (idx, &(start, src)) in pieces.iter().enumerate() {
                    let end = pieces.get(idx + 1).map_or(usize::MAX, |it| it.0 as usize);
                    let (start, end) = (start as usize, end);
                    if end <= from || start >= to.max(from + 1) {
                        continue;
                    }
                    let lo = start.max(from);
                    out.push((
                        (lo - from) as u32,
                        self.file,
                        (self.base + src as usize + (lo - start)) as u32,
                    ));
                }
                if out.len() == 1 {
                    Origin::At(out[0].1, out[0].2)
                } else if out.is_empty() {
                    Origin::At(self.file, self.offset(range.start) as u32)
                } else {
                    Origin::Pieces(out.into_boxed_slice())
                }
            }
        }
    }
}

fn is_blank(c: char) -> bool {
    (c as u32) < 0x21
}

fn strip_range(text: &str) -> std::ops::Range<usize> {
    let start = text.len() - text.trim_start_matches(is_blank).len();
    let end = text.trim_end_matches(is_blank).len();
    start..end.max(start)
}

fn truncate_to(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Loader<'_> {
    /// Loads one file; `site` is the `#include` line that asked for it. Returns the new file id.
    fn load_file(&mut self, path: &Path, depth: usize, site: Option<Span>) -> Option<FileId> {
        let display = if depth == 0 {
            path.display().to_string()
        } else {
            path.strip_prefix(&self.top_dir)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        let bytes = match self.provider.read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                self.diags
                    .unreadable_file(site, &path.display().to_string(), &err.to_string());
                return None;
            }
        };
        let (text, bad_utf8) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                (
                    String::from_utf8_lossy(err.as_bytes()).into_owned(),
                    Some(valid),
                )
            }
        };
        let file = self.sources.add(display.clone(), text);

        if let Some(at) = bad_utf8 {
            self.diags.not_utf8(Span::new(file, at, at + 1), &display);
        }
        let text = self
            .sources
            .get(file)
            .map(|it| it.text.clone())
            .unwrap_or_else(|| "".into());
        self.chain.push(path.to_path_buf());
        self.n_files += 1;
        self.parse_text(file, &text, path, depth);
        self.chain.pop();
        Some(file)
    }

    fn parse_text(&mut self, file: FileId, text: &std::sync::Arc<str>, path: &Path, depth: usize) {
        let mut pass = CommentPass::default();
        let mut events = Vec::new();
        let mut base = 0usize;
        let mut line_idx = 0usize;
        let total = text.len();
        while base < total || (base == 0 && total == 0) {
            if total == 0 {
                break;
            }
            let rest = &text[base..];
            let (raw_len, next) = match memchr_newline(rest.as_bytes()) {
                Some(pos) => (pos, base + pos + 1),
                None => (rest.len(), total),
            };
            let mut raw = &rest[..raw_len];
            let mut start = base;
            if line_idx == 0 {
                if let Some(stripped) = raw.strip_prefix('\u{feff}') {
                    raw = stripped;
                    start += 3;
                }
            }
            // C string functions stop at a NUL byte.
            if let Some(nul) = raw.find('\0') {
                raw = &raw[..nul];
            }
            let has_newline = next > base + raw_len;
            if raw_len + usize::from(has_newline) > MAX_LINE_BYTES {
                let begins = truncate_to(raw, 32);
                self.diags.line_too_long(
                    Span::new(file, start, start + begins.len()),
                    raw_len,
                    begins,
                );
            } else {
                let outcome = pass.line(line_idx, raw, &mut events);
                for event in events.drain(..) {
                    match event {
                        Event::StrayClose(at) => self.diags.stray_block_comment_end(Span::new(
                            file,
                            start + at,
                            start + at + 3,
                        )),
                        Event::NestLimit(at) => self.diags.comment_nest_limit(Span::new(
                            file,
                            start + at,
                            start + at + 3,
                        )),
                        Event::Opened(_) => {}
                    }
                }
                match outcome {
                    Outcome::Dropped => {}
                    Outcome::Whole => {
                        let range = strip_range(raw);
                        if !range.is_empty() {
                            let line = LineText {
                                text: &raw[range.clone()],
                                source: text,
                                file,
                                base: start,
                                shift: range.start,
                                pieces: None,
                            };
                            self.line(&line, path, depth);
                        }
                    }
                    Outcome::Rewritten(kept) => {
                        let range = strip_range(&kept.text);
                        if !range.is_empty() {
                            let line = LineText {
                                text: &kept.text[range.clone()],
                                source: text,
                                file,
                                base: start,
                                shift: range.start,
                                pieces: Some(&kept.pieces),
                            };
                            self.line(&line, path, depth);
                        }
                    }
                }
            }
            base = next;
            line_idx += 1;
        }
        if let Some((open_line, at)) = pass.unterminated() {
            let offset = line_offset(text, open_line) + at;
            self.diags
                .unterminated_comment(Span::new(file, offset, offset + 3));
        }
    }

    fn line(&mut self, line: &LineText<'_>, path: &Path, depth: usize) {
        // Most lines are plain `name = value` items: split those without the pest machinery.
        // `split_item` gives exactly what the `item` rule gives (tested against it).
        if !matches!(line.text.as_bytes().first(), Some(b'[' | b'#' | b'\\')) {
            match split_item(line.text) {
                Some(parts) => self.item(line, parts),
                None => self.no_equals(line),
            }
            return;
        }
        let Ok(mut pairs) = ConfGrammar::parse(Rule::line, line.text) else {
            return;
        };
        let Some(pair) = pairs.next() else {
            return;
        };
        match pair.as_rule() {
            Rule::header => self.header(line, pair),
            Rule::directive => self.directive(line, pair, path, depth),
            Rule::item => self.item(line, item_parts(pair, line.text.len())),
            _ => self.no_equals(line),
        }
    }

    fn no_equals(&mut self, line: &LineText<'_>) {
        if self.current.is_none() {
            self.diags
                .item_outside_section(line.span(0..line.text.len()));
        } else {
            self.diags
                .no_equals(line.span(0..line.text.len()), line.text);
        }
    }

    fn header(&mut self, line: &LineText<'_>, pair: pest::iterators::Pair<'_, Rule>) {
        let mut name = "";
        let mut closed = false;
        let mut options: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
        let mut options_closed = true;
        let mut end = line.text.len();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::header_name => name = part.as_str(),
                Rule::header_close => {
                    closed = true;
                    end = part.as_span().start() + 1;
                    for inner in part.into_inner() {
                        if inner.as_rule() != Rule::header_options {
                            continue;
                        }
                        for opt in inner.into_inner() {
                            match opt.as_rule() {
                                Rule::header_option => {
                                    let span = opt.as_span();
                                    options.push((opt.as_str(), span.start()..span.end()));
                                }
                                Rule::options_unclosed => options_closed = false,
                                Rule::options_close => end = opt.as_span().start() + 1,
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !closed {
            self.diags.missing_bracket(line.span(0..line.text.len()));
            return;
        }
        if !options_closed {
            self.diags.missing_paren(line.span(0..line.text.len()));
            return;
        }
        let name = truncate_to(name, MAX_CATEGORY_NAME);
        let header = line.span(0..end);
        // Like Asterisk, build the new category first and apply options left to right.
        let mut fresh = Some(Category {
            name: name.into(),
            template: false,
            header,
            items: Vec::new(),
        });
        let mut target: Option<usize> = None;
        for (opt, range) in options {
            if opt == "!" {
                match (&mut fresh, target) {
                    (Some(cat), _) => cat.template = true,
                    (None, Some(idx)) => self.file.categories[idx].template = true,
                    (None, None) => {}
                }
            } else if opt.starts_with('+') {
                let found = self
                    .file
                    .categories
                    .iter()
                    .position(|it| it.name.eq_ignore_ascii_case(name));
                let Some(idx) = found else {
                    self.diags.unknown_append_target(line.span(range), name);
                    return;
                };
                if let Some(cat) = fresh.take() {
                    let existing = &mut self.file.categories[idx];
                    existing.template |= cat.template;
                    existing.items.extend(cat.items);
                }
                target = Some(idx);
            } else {
                let base = self
                    .file
                    .categories
                    .iter()
                    .position(|it| it.name.eq_ignore_ascii_case(opt));
                let Some(base) = base else {
                    self.diags.unknown_template(line.span(range), opt);
                    return;
                };
                let inherited: Vec<Item> = self.file.categories[base]
                    .items
                    .iter()
                    .cloned()
                    .map(|mut it| {
                        it.inherited = true;
                        it
                    })
                    .collect();
                match (&mut fresh, target) {
                    (Some(cat), _) => cat.items.extend(inherited),
                    (None, Some(idx)) => self.file.categories[idx].items.extend(inherited),
                    (None, None) => {}
                }
            }
        }
        match fresh {
            Some(cat) => {
                self.file.categories.push(cat);
                self.current = Some(self.file.categories.len() - 1);
            }
            None => self.current = target,
        }
    }

    fn directive(
        &mut self,
        line: &LineText<'_>,
        pair: pest::iterators::Pair<'_, Rule>,
        path: &Path,
        depth: usize,
    ) {
        let mut word = "";
        let mut word_span = 0..0;
        let mut arg = "";
        let mut arg_span = line.text.len()..line.text.len();
        for part in pair.into_inner() {
            let span = part.as_span();
            match part.as_rule() {
                Rule::directive_name => {
                    word = part.as_str();
                    word_span = span.start()..span.end();
                }
                Rule::directive_arg => {
                    let range = strip_range(part.as_str());
                    arg = &part.as_str()[range.clone()];
                    arg_span = span.start() + range.start..span.start() + range.end;
                }
                _ => {}
            }
        }
        let directive_span = line.span(0..word_span.end);
        let (include, try_include) = if word.eq_ignore_ascii_case("include") {
            (true, false)
        } else if word.eq_ignore_ascii_case("tryinclude") {
            (true, true)
        } else if word.eq_ignore_ascii_case("exec") {
            self.diags.exec_refused(line.span(0..line.text.len()));
            return;
        } else {
            self.diags.unknown_directive(directive_span, word);
            return;
        };
        debug_assert!(include);
        if arg.is_empty() {
            self.diags
                .directive_needs_argument(directive_span, "include / tryinclude", "filename");
            return;
        }
        let unquoted = if arg.len() >= 2
            && ((arg.starts_with('"') && arg.ends_with('"'))
                || (arg.starts_with('<') && arg.ends_with('>')))
        {
            &arg[1..arg.len() - 1]
        } else {
            arg
        };
        let site = line.span(arg_span);
        if depth + 1 > MAX_INCLUDE_DEPTH {
            if !try_include {
                self.diags.include_depth(site, unquoted);
            }
            return;
        }
        let matches = self.resolve_include(unquoted, path);
        if matches.is_empty() {
            if !try_include {
                self.diags.include_not_found(site, unquoted);
            }
            return;
        }
        let saved = self.current;
        let mut loaded_any = false;
        for found in matches {
            if self.chain.contains(&found) {
                // Asterisk would include it again until the depth limit and then refuse the
                // file; say so at once instead of reading it ten more times.
                if !try_include {
                    self.diags.include_cycle(site, &found.display().to_string());
                }
                loaded_any = true;
                continue;
            }
            if self.n_files >= MAX_FILES {
                self.diags.too_many_files(site, MAX_FILES);
                loaded_any = true;
                break;
            }
            match self.provider.kind(&found) {
                PathKind::File => {
                    loaded_any |= self.load_file(&found, depth + 1, Some(site)).is_some();
                }
                PathKind::Other => self
                    .diags
                    .not_regular_file(site, &found.display().to_string()),
                PathKind::Missing => {}
            }
        }
        if !loaded_any && !try_include {
            self.diags.include_not_found(site, unquoted);
        }
        // The including file resumes the category it was in before the include.
        self.current = saved;
    }

    /// Files an `#include` argument names: relative paths are taken from the directory of the
    /// top file (Asterisk's config directory), then from the including file's directory.
    fn resolve_include(&self, arg: &str, includer: &Path) -> Vec<PathBuf> {
        let mut bases = vec![self.top_dir.clone()];
        if let Some(dir) = includer.parent() {
            if dir != self.top_dir {
                bases.push(dir.to_path_buf());
            }
        }
        let relative = Path::new(arg).is_relative();
        for base in if relative {
            bases
        } else {
            vec![PathBuf::new()]
        } {
            let mut found = Vec::new();
            for alt in expand_braces(arg) {
                let full = if relative {
                    base.join(&alt)
                } else {
                    PathBuf::from(&alt)
                };
                if alt.contains(['*', '?', '[']) {
                    found.extend(self.provider.glob(&full));
                } else if self.provider.kind(&full) != PathKind::Missing {
                    found.push(full);
                }
            }
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn item(&mut self, line: &LineText<'_>, parts: ItemParts) {
        let Some(current) = self.current else {
            self.diags
                .item_outside_section(line.span(0..line.text.len()));
            return;
        };
        let mut name = &line.text[parts.name.clone()];
        let mut name_range = parts.name;
        let append = parts.op == Op::Append;
        let object = parts.op == Op::Object;
        let value_range = parts.value;
        // A leading backslash escapes the first character of the name.
        if let Some(rest) = name.strip_prefix('\\') {
            match rest.chars().next() {
                Some(c) if !is_blank(c) => {
                    name = rest;
                    name_range.start += 1;
                }
                _ => {
                    self.diags
                        .invalid_escape(line.span(0..1.min(line.text.len())));
                    return;
                }
            }
        }
        let stripped = strip_range(name);
        let name_span =
            line.span(name_range.start + stripped.start..name_range.start + stripped.end);
        let name = &name[stripped];
        let raw_value = &line.text[value_range.clone()];
        if append {
            let category = &mut self.file.categories[current];
            if let Some(existing) = category.items.iter_mut().rev().find(|it| &*it.name == name) {
                let old = existing.value();
                let mut joined = String::with_capacity(old.len() + raw_value.len());
                joined.push_str(old);
                joined.push_str(raw_value);
                let mut pieces = existing.origin().to_pieces();
                if let Origin::At(file, start) = line.origin(value_range.clone()) {
                    pieces.push((old.len() as u32, file, start));
                } else if let Origin::Pieces(more) = line.origin(value_range.clone()) {
                    let shift = old.len() as u32;
                    pieces.extend(more.iter().map(|&(at, f, s)| (at + shift, f, s)));
                }
                let keep = strip_range(&joined);
                let skipped = keep.start as u32;
                let pieces: Vec<(u32, FileId, u32)> = rebase_pieces(&pieces, skipped);
                let origin = if pieces.len() == 1 {
                    Origin::At(pieces[0].1, pieces[0].2)
                } else {
                    Origin::Pieces(pieces.into_boxed_slice())
                };
                existing.value = Value::Owned {
                    text: joined[keep].into(),
                    origin,
                };
                return;
            }
        }
        if name.is_empty() {
            self.diags.no_name(line.span(0..line.text.len()));
            return;
        }
        let value_strip = strip_range(raw_value);
        let value_abs = value_range.start + value_strip.start..value_range.start + value_strip.end;
        let value = match (line.pieces, line.origin(value_abs.clone())) {
            (None, Origin::At(file, start)) => Value::Source {
                text: line.source.clone(),
                file,
                start,
                len: (value_abs.end - value_abs.start) as u32,
            },
            (_, origin) => Value::Owned {
                text: raw_value[value_strip].into(),
                origin,
            },
        };
        // Item names repeat (`exten`, `same`, ...): share one allocation per distinct name.
        let name = match self.names.iter().find(|it| ***it == *name) {
            Some(it) => it.clone(),
            None => {
                let it: std::sync::Arc<str> = name.into();
                if self.names.len() < MAX_SHARED_NAMES {
                    self.names.push(it.clone());
                }
                it
            }
        };
        let item = Item {
            name,
            value,
            object,
            inherited: false,
            name_span,
        };
        self.file.categories[current].items.push(item);
    }
}

/// How an item line assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Assign,
    Object,
    Append,
}

/// An item line split into name, operator and value (byte ranges of the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemParts {
    pub name: std::ops::Range<usize>,
    pub op: Op,
    pub value: std::ops::Range<usize>,
}

/// Reads the `item` rule's pair.
fn item_parts(pair: pest::iterators::Pair<'_, Rule>, len: usize) -> ItemParts {
    let mut parts = ItemParts {
        name: 0..0,
        op: Op::Assign,
        value: len..len,
    };
    for part in pair.into_inner() {
        let span = part.as_span();
        match part.as_rule() {
            Rule::item_name => parts.name = span.start()..span.end(),
            Rule::item_op => {
                parts.op = match part.as_str() {
                    "+=" => Op::Append,
                    "=>" => Op::Object,
                    _ => Op::Assign,
                };
                parts.value = span.end()..len;
            }
            _ => {}
        }
    }
    parts
}

/// The `item` rule of conf.pest for a line that does not start with `[`, `#` or `\`: the name
/// runs to the first `=` (or the `+` of a `+=`), then `=>`, `+=` or `=`, then the value.
/// `None` when there is no `=` at all.
pub(crate) fn split_item(text: &str) -> Option<ItemParts> {
    let eq = text.find('=')?;
    let bytes = text.as_bytes();
    let (name_end, op, value_start) = if eq > 0 && bytes[eq - 1] == b'+' {
        (eq - 1, Op::Append, eq + 1)
    } else if bytes.get(eq + 1) == Some(&b'>') {
        (eq, Op::Object, eq + 2)
    } else {
        (eq, Op::Assign, eq + 1)
    };
    Some(ItemParts {
        name: 0..name_end,
        op,
        value: value_start..text.len(),
    })
}

/// The same split done by the grammar, for tests.
#[cfg(test)]
pub(crate) fn split_item_with_grammar(text: &str) -> Option<ItemParts> {
    let mut pairs = ConfGrammar::parse(Rule::line, text).ok()?;
    let pair = pairs.next()?;
    (pair.as_rule() == Rule::item).then(|| item_parts(pair, text.len()))
}

/// Moves piece offsets after dropping `skipped` leading bytes of the value.
fn rebase_pieces(pieces: &[(u32, FileId, u32)], skipped: u32) -> Vec<(u32, FileId, u32)> {
    let mut out = Vec::new();
    for (idx, &(at, file, src)) in pieces.iter().enumerate() {
        let next = pieces.get(idx + 1).map_or(u32::MAX, |it| it.0);
        if next <= skipped {
            continue;
        }
        if at >= skipped {
            out.push((at - skipped, file, src));
        } else {
            out.push((0, file, src + (skipped - at)));
        }
    }
    if out.is_empty() {
        out.push((0, FileId::default(), 0));
    }
    out
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn line_offset(text: &str, line_idx: usize) -> usize {
    if line_idx == 0 {
        return 0;
    }
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .nth(line_idx - 1)
        .map_or(text.len(), |(idx, _)| idx + 1)
}
