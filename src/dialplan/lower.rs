//! Lowering a `ConfFile` into a `Dialplan`, statement by statement, as `pbx/pbx_config.c` and
//! `ast_add_extension2` in `main/pbx.c` do (spec dialplan.md §2). Every line Asterisk would
//! warn about becomes a diagnostic; the rest of the file still loads.

use indexmap::IndexMap;
use pest::Parser;

use crate::config::{Category, ConfFile, Item};
use crate::diag::{Diagnostics, Span};
use crate::dialplan::grammar::{DialplanGrammar, Rule};
use crate::dialplan::limits::MAX_BRACKET_NESTING;
use crate::dialplan::model::{
    Context, Dialplan, Exten, General, Ignorepat, Include, Priority, Switch, PRIORITY_HINT,
};
use crate::dialplan::pattern::{self, ExtenIndex};
use crate::expr::{substitute, Vars};
use rustc_hash::{FxHashMap as FastMap, FxHashSet as FastSet};

/// Builds the dialplan. `diags` receives every problem found on the way.
pub(crate) fn lower(conf: &ConfFile, diags: &mut Diagnostics) -> Dialplan {
    let mut plan = Dialplan {
        general: general(conf, diags),
        ..Dialplan::default()
    };
    for cat in conf
        .visible()
        .filter(|it| it.name.eq_ignore_ascii_case("globals"))
    {
        for item in &cat.items {
            let value = substitute(item.value(), &mut GlobalVars(&plan.globals)).into_owned();
            plan.globals.insert(Box::from(&*item.name), value.into());
        }
    }
    let mut builder = Builder {
        globals: &plan.globals,
        apps: FastSet::default(),
        contexts: IndexMap::new(),
        diags,
    };
    for cat in conf.visible() {
        if cat.name.eq_ignore_ascii_case("general") || cat.name.eq_ignore_ascii_case("globals") {
            continue;
        }
        builder.section(cat);
    }
    let contexts = builder.finish();
    plan.contexts = contexts;
    plan
}

fn general(conf: &ConfFile, diags: &mut Diagnostics) -> General {
    let mut general = General::default();
    let Some(cat) = conf
        .visible()
        .find(|it| it.name.eq_ignore_ascii_case("general"))
    else {
        return general;
    };
    let last = |name: &str| -> Option<&Item> {
        cat.items
            .iter()
            .rev()
            .find(|it| it.name.eq_ignore_ascii_case(name))
    };
    if let Some(item) = last("autofallthrough") {
        general.autofallthrough = is_true(item.value());
    }
    if let Some(item) = last("clearglobalvars") {
        general.clearglobalvars = is_true(item.value());
    }
    if let Some(item) = last("extenpatternmatchnew") {
        general.extenpatternmatchnew = is_true(item.value());
        if general.extenpatternmatchnew {
            diags.unsupported_option(
                item.line_span(),
                "extenpatternmatchnew",
                "selects Asterisk's alternative matcher; dialstate implements only the default one and ignores this",
            );
        }
    }
    if let Some(item) = last("overrideswitch") {
        if !item.value().is_empty() {
            diags.unsupported_option(
                item.line_span(),
                "overrideswitch",
                "is ignored: dialstate has no switch modules",
            );
        }
    }
    general
}

/// Asterisk's `ast_true`.
pub(crate) fn is_true(text: &str) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|it| text.eq_ignore_ascii_case(it))
}

/// Substitution at load time: globals only, no channel.
struct GlobalVars<'a>(&'a IndexMap<Box<str>, Box<str>>);

impl Vars for GlobalVars<'_> {
    fn var(&mut self, name: &str) -> Option<String> {
        self.0.get(name).map(|it| it.to_string())
    }

    fn function(&mut self, name: &str, args: &str) -> Option<String> {
        match name {
            "GLOBAL" => self.var(args),
            _ => None,
        }
    }

    /// Asterisk evaluates `$[...]` at load time too (without a channel).
    fn expression(&mut self, text: &str) -> String {
        crate::expr::expression::evaluate(text, &crate::expr::expression::NoFunctions).value
    }
}

/// Substitution of a hint string: globals plus the hint's own EXTEN and CONTEXT.
struct HintVars<'a> {
    globals: &'a IndexMap<Box<str>, Box<str>>,
    exten: &'a str,
    context: &'a str,
}

impl Vars for HintVars<'_> {
    fn var(&mut self, name: &str) -> Option<String> {
        match name {
            "EXTEN" => Some(self.exten.to_string()),
            "CONTEXT" => Some(self.context.to_string()),
            _ => self.globals.get(name).map(|it| it.to_string()),
        }
    }

    fn function(&mut self, name: &str, args: &str) -> Option<String> {
        GlobalVars(self.globals).function(name, args)
    }
}

/// Identity of an extension inside a context: equal under `ext_cmp` and equal CID condition.
type Identity = (Vec<u8>, Option<Vec<u8>>);

struct CtxBuilder {
    span: Span,
    extens: Vec<Exten>,
    by_identity: FastMap<Identity, usize>,
    includes: Vec<Include>,
    ignorepats: Vec<Ignorepat>,
    switches: Vec<Switch>,
    autohints: bool,
}

/// Which extension a priority goes to: the name and CID as written, or the slot found for the
/// line before (`same`).
struct Entry<'a> {
    ext: &'a str,
    cid: Option<String>,
    slot: Option<usize>,
}

struct Builder<'a> {
    globals: &'a IndexMap<Box<str>, Box<str>>,
    /// Application names, shared between priorities.
    apps: FastSet<std::sync::Arc<str>>,
    contexts: IndexMap<Box<str>, CtxBuilder>,
    diags: &'a mut Diagnostics,
}

/// The "previous extension / previous priority" memory of one section.
#[derive(Default)]
struct Memory {
    /// The previous extension string as written (with `/CID`), after substitution.
    exten: Option<std::rc::Rc<str>>,
    /// Index of that extension in the context, once a priority was added to it.
    slot: Option<usize>,
    priority: Option<i32>,
}

/// A parsed `exten`/`same` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement<'v> {
    saw_pri: bool,
    ext: &'v str,
    ext_range: std::ops::Range<usize>,
    pri: &'v str,
    pri_range: std::ops::Range<usize>,
    base: &'v str,
    offset: Option<&'v str>,
    label: Option<&'v str>,
    label_closed: bool,
    /// Text after the label's `)`, ignored by Asterisk, and its offset.
    label_tail: Option<(&'v str, usize)>,
    app_field: Option<(&'v str, usize)>,
}

impl Builder<'_> {
    fn section(&mut self, cat: &Category) {
        let name: Box<str> = cat.name.clone();
        self.contexts
            .entry(name.clone())
            .or_insert_with(|| CtxBuilder {
                span: cat.header,
                extens: Vec::new(),
                by_identity: FastMap::default(),
                includes: Vec::new(),
                ignorepats: Vec::new(),
                switches: Vec::new(),
                autohints: false,
            });
        let mut memory = Memory::default();
        for item in &cat.items {
            let lname = &item.name;
            if lname.len() >= 4 && lname.as_bytes()[..4].eq_ignore_ascii_case(b"same") {
                self.exten_item(&name, item, &mut memory, true);
            } else if lname.eq_ignore_ascii_case("exten") {
                self.exten_item(&name, item, &mut memory, false);
            } else if lname.eq_ignore_ascii_case("include") {
                self.include(&name, item);
            } else if lname.eq_ignore_ascii_case("ignorepat") {
                self.ignorepat(&name, item);
            } else if lname.eq_ignore_ascii_case("switch")
                || lname.eq_ignore_ascii_case("lswitch")
                || lname.eq_ignore_ascii_case("eswitch")
            {
                self.switch(&name, item);
            } else if lname.eq_ignore_ascii_case("autohints") {
                if let Some(ctx) = self.contexts.get_mut(&name) {
                    ctx.autohints = is_true(item.value());
                }
            } else {
                self.diags.unknown_item(item.name_span, lname);
            }
        }
    }

    fn parse_statement<'v>(&mut self, item: &'v Item, same: bool) -> Option<Statement<'v>> {
        let value: &'v str = item.value();
        if ext_bracket_depth(value) > MAX_BRACKET_NESTING {
            self.diags.invalid_pattern(
                item.value_full_span(),
                format!("brackets nested more than {MAX_BRACKET_NESTING} deep"),
            );
            return None;
        }
        let st = split_statement(value, same)?;
        let saw_pri = st.saw_pri;
        if !saw_pri && !same && ext_bracket_depth_open(value) {
            self.diags.invalid_pattern(
                item.value_full_span(),
                "the extension has a `[` with no closing `]`, which swallows the commas after it; line dropped".to_string(),
            );
            return None;
        }
        if !saw_pri {
            let expected = if same {
                "`PRIORITY,APP(DATA)`"
            } else {
                "`EXTEN,PRIORITY,APP(DATA)`"
            };
            let name = if same { "same" } else { "exten" };
            self.diags
                .missing_fields(item.value_full_span(), name, expected);
            return None;
        }
        Some(st)
    }

    fn exten_item(&mut self, context: &str, item: &Item, memory: &mut Memory, same: bool) {
        let Some(mut st) = self.parse_statement(item, same) else {
            return;
        };
        let realext: std::rc::Rc<str> = if same {
            match &memory.exten {
                Some(ext) => ext.clone(),
                None => {
                    self.diags.same_without_exten(item.name_span, context);
                    return;
                }
            }
        } else {
            let ext: std::rc::Rc<str> = substitute(st.ext, &mut GlobalVars(self.globals)).into();
            memory.exten = Some(ext.clone());
            memory.slot = None;
            ext
        };
        let ext_span = if same {
            item.name_span
        } else {
            item.value_span(st.ext_range.clone())
        };
        let (ext, cid) = match realext.split_once('/') {
            Some((ext, cid)) => (ext, Some(pattern::shrink_cid(cid))),
            None => (&*realext, None),
        };
        // The priority field is stripped as a whole.
        let pri_span = item.value_span(st.pri_range.clone());
        st.base = st.base.trim_start_matches(|c: char| (c as u32) < 0x21);
        if st.offset.is_none() && st.label.is_none() {
            st.base = st.base.trim_end_matches(|c: char| (c as u32) < 0x21);
        }
        if st.label.is_some() && !st.label_closed {
            self.diags.label_missing_paren(pri_span);
            return;
        }
        let number = match st.base {
            "hint" => PRIORITY_HINT,
            "n" | "next" => match memory.priority {
                Some(prev) => prev.saturating_add(1),
                None => {
                    self.diags.next_on_first(pri_span);
                    return;
                }
            },
            "s" | "same" => match memory.priority {
                Some(prev) => prev,
                None => {
                    self.diags.same_on_first(pri_span);
                    return;
                }
            },
            base => match c_int(base) {
                Some(n) if n < 1 => {
                    self.diags.invalid_priority(pri_span, st.pri.trim());
                    return;
                }
                Some(n) => n,
                None => match self.find_label(context, ext, cid.as_deref(), base) {
                    Some(n) => n,
                    None => {
                        self.diags.unknown_priority_label(pri_span, base);
                        return;
                    }
                },
            },
        };
        // The application field.
        let (app, data, app_span) = match st.app_field {
            None => (
                "",
                "",
                item.value_span(item.value().len()..item.value().len()),
            ),
            Some((field, start)) => {
                let span = item.value_span(start..start + field.len());
                match field.find('(') {
                    None => (field, "", span),
                    Some(open) => {
                        let name = &field[..open];
                        if name.contains("${") || name.contains("$[") {
                            (field, "", span)
                        } else {
                            let rest = &field[open + 1..];
                            match rest.rfind(')') {
                                Some(close) => (name, &rest[..close], span),
                                None => {
                                    let app = name.trim_start_matches(|c: char| (c as u32) < 0x21);
                                    self.diags.app_missing_paren(span, app);
                                    (name, rest, span)
                                }
                            }
                        }
                    }
                }
            }
        };
        let app = app.trim_start_matches(|c: char| (c as u32) < 0x21);
        if number == 0 {
            // `n` right after a hint: Asterisk drops the line and keeps the previous priority.
            self.diags.priority_zero_dropped(pri_span);
            return;
        }
        let number = match st.offset {
            Some(offset) => number.saturating_add(c_atoi(offset)),
            None => number,
        };
        memory.priority = Some(number);
        if ext == "_." || ext == "_!" {
            let better = format!("_X{}", &ext[1..]);
            self.diags.discouraged_pattern(ext_span, ext, &better);
        }
        let tail = st
            .label_tail
            .filter(|(text, _)| !text.trim_matches(|c: char| (c as u32) < 0x21).is_empty());
        if let (Some((text, start)), None) = (tail, st.app_field) {
            let text = text.trim_end_matches(|c: char| (c as u32) < 0x21);
            self.diags
                .text_after_label(item.value_span(start..start + text.len()), text);
        } else if number != PRIORITY_HINT && number != 0 && app.is_empty() {
            self.diags.empty_application(app_span);
        } else if number != PRIORITY_HINT && app.ends_with(|c: char| (c as u32) < 0x21) {
            self.diags.app_trailing_blank(app_span, app);
        }
        let label = st.label.filter(|it| !it.is_empty());
        let slot = self.add_priority(
            context,
            Entry {
                ext,
                cid,
                slot: memory.slot,
            },
            number,
            label,
            app,
            data,
            item.line_span(),
            ext_span,
        );
        if slot.is_some() {
            memory.slot = slot;
        }
    }

    /// A label used as a priority: the label's number in the first matching extension loaded
    /// so far in this context (`ast_findlabel_extension2`).
    fn find_label(&self, context: &str, ext: &str, cid: Option<&str>, label: &str) -> Option<i32> {
        let ctx = self.contexts.get(context)?;
        let key = identity(ext, cid);
        if let Some(&idx) = ctx.by_identity.get(&key) {
            if let Some(p) = ctx.extens[idx].label(label) {
                return Some(p.number);
            }
        }
        let mut candidates: Vec<&Exten> = ctx
            .extens
            .iter()
            .filter(|it| {
                pattern::extension_match(&it.name, ext, pattern::MatchMode::Match)
                    != pattern::MatchResult::No
            })
            .filter(|it| cid_matches(it.cid.as_deref(), cid))
            .collect();
        candidates.sort_by(|a, b| exten_order(a, b));
        candidates
            .iter()
            .find_map(|it| it.label(label).map(|p| p.number))
    }

    /// Adds one priority (spec dialplan.md §2.6). Returns the index of its extension.
    #[allow(clippy::too_many_arguments)]
    fn add_priority(
        &mut self,
        context: &str,
        entry: Entry<'_>,
        number: i32,
        label: Option<&str>,
        app: &str,
        data: &str,
        span: Span,
        ext_span: Span,
    ) -> Option<usize> {
        let Entry { ext, cid, slot } = entry;
        if ext.is_empty() {
            self.diags.empty_extension(ext_span, context);
            return None;
        }
        let ctx = self.contexts.get_mut(context)?;
        let idx = match slot {
            // `same` lines reuse the extension found for the line before.
            Some(idx) => idx,
            None => {
                let name = pattern::display_name(ext);
                if name.starts_with('_') {
                    for (range, problem) in pattern::pattern_problems(&name) {
                        let at = narrow(ext_span, &name, range);
                        if problem.is_error() {
                            self.diags.invalid_pattern(at, problem.message());
                        } else {
                            self.diags.ignored_pattern_tail(at, problem.message());
                        }
                    }
                }
                let cid = cid.map(|it| pattern::display_name(&it));
                let key = identity(&name, cid.as_deref());
                match ctx.by_identity.get(&key) {
                    Some(&idx) => idx,
                    None => {
                        ctx.extens.push(Exten {
                            name: name.into(),
                            cid: cid.map(Into::into),
                            priorities: Vec::new(),
                        });
                        ctx.by_identity.insert(key, ctx.extens.len() - 1);
                        ctx.extens.len() - 1
                    }
                }
            }
        };
        let exten = &mut ctx.extens[idx];
        let app: std::sync::Arc<str> =
            if number == PRIORITY_HINT && !exten.name.starts_with('_') && app.contains("${") {
                substitute(
                    app,
                    &mut HintVars {
                        globals: self.globals,
                        exten: &exten.name,
                        context,
                    },
                )
                .into()
            } else {
                match self.apps.get(app) {
                    Some(it) => it.clone(),
                    None => {
                        let it: std::sync::Arc<str> = app.into();
                        self.apps.insert(it.clone());
                        it
                    }
                }
            };
        let pos = match exten
            .priorities
            .binary_search_by_key(&number, |it| it.number)
        {
            Ok(existing) => {
                let written = pattern::display_name(ext);
                let first = exten.priorities[existing].span;
                let alias = (*exten.name != *written).then(|| exten.name.to_string());
                self.diags.duplicate_priority(
                    span,
                    first,
                    &written,
                    number as i64,
                    context,
                    alias.as_deref(),
                );
                return Some(idx);
            }
            Err(pos) => pos,
        };
        let mut label = label.map(Box::<str>::from);
        if let Some(text) = &label {
            if let Some(other) = exten.label(text) {
                self.diags
                    .duplicate_label(span, other.span, text, other.number as i64);
                label = None;
            }
        }
        exten.priorities.insert(
            pos,
            Priority {
                number,
                label,
                app,
                data: data.into(),
                span,
            },
        );
        Some(idx)
    }

    fn include(&mut self, context: &str, item: &Item) {
        let value = substitute(item.value(), &mut GlobalVars(self.globals)).into_owned();
        let span = item.value_full_span();
        let (target, timespec) = match DialplanGrammar::parse(Rule::include_value, &value) {
            Ok(pairs) => {
                let mut target = "";
                let mut timespec = None;
                for pair in pairs.flatten() {
                    match pair.as_rule() {
                        Rule::include_context => target = pair.as_str(),
                        Rule::include_timespec => timespec = Some(pair.as_str()),
                        _ => {}
                    }
                }
                (target.to_string(), timespec.map(str::to_string))
            }
            Err(_) => (value.clone(), None),
        };
        let Some(ctx) = self.contexts.get_mut(context) else {
            return;
        };
        if ctx
            .includes
            .iter()
            .any(|it| it.text.eq_ignore_ascii_case(&value))
        {
            self.diags.duplicate_include(span, &value, context);
            return;
        }
        ctx.includes.push(Include {
            text: value.clone().into(),
            context: target.into(),
            timespec: timespec.map(Into::into),
            span,
        });
    }

    fn ignorepat(&mut self, context: &str, item: &Item) {
        let value = substitute(item.value(), &mut GlobalVars(self.globals)).into_owned();
        let span = item.value_full_span();
        let Some(ctx) = self.contexts.get_mut(context) else {
            return;
        };
        if ctx
            .ignorepats
            .iter()
            .any(|it| it.pattern.eq_ignore_ascii_case(&value))
        {
            self.diags.duplicate_ignorepat(span, &value, context);
            return;
        }
        ctx.ignorepats.push(Ignorepat {
            pattern: value.into(),
            span,
        });
    }

    fn switch(&mut self, context: &str, item: &Item) {
        let kind = item.name.to_ascii_lowercase();
        let value = if kind == "switch" {
            substitute(item.value(), &mut GlobalVars(self.globals)).into_owned()
        } else {
            item.value().to_string()
        };
        let span = item.value_full_span();
        let (name, data) = match value.split_once('/') {
            Some((name, data)) => (name.to_string(), data.to_string()),
            None => (value.clone(), String::new()),
        };
        let Some(ctx) = self.contexts.get_mut(context) else {
            return;
        };
        if ctx
            .switches
            .iter()
            .any(|it| it.name.eq_ignore_ascii_case(&name) && it.data.eq_ignore_ascii_case(&data))
        {
            self.diags.duplicate_switch(span, &value, context);
            return;
        }
        self.diags.switch_ignored(span, &value);
        ctx.switches.push(Switch {
            name: name.into(),
            data: data.into(),
            eval: kind == "eswitch",
            span,
        });
    }

    fn finish(self) -> IndexMap<Box<str>, Context> {
        let mut out = IndexMap::with_capacity(self.contexts.len());
        for (name, mut ctx) in self.contexts {
            ctx.extens.sort_by(exten_order);
            let index = ExtenIndex::new(ctx.extens.iter().map(|it| &*it.name));
            out.insert(
                name.clone(),
                Context {
                    name,
                    span: ctx.span,
                    extens: ctx.extens,
                    includes: ctx.includes,
                    ignorepats: ctx.ignorepats,
                    switches: ctx.switches,
                    autohints: ctx.autohints,
                    index,
                },
            );
        }
        out
    }
}

/// Asterisk's order of extensions in a context: `ext_cmp` on the names, then the variant
/// without a caller-ID condition after those with one (spec dialplan.md §3.3 rule 4).
pub(crate) fn exten_order(a: &Exten, b: &Exten) -> std::cmp::Ordering {
    pattern::ext_cmp(&a.name, &b.name).then_with(|| match (&a.cid, &b.cid) {
        (None, None) => std::cmp::Ordering::Equal,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => pattern::ext_cmp(x, y),
    })
}

fn identity(name: &str, cid: Option<&str>) -> Identity {
    (pattern::identity_key(name), cid.map(pattern::identity_key))
}

/// Caller-ID condition of an extension against the caller-ID text of a lookup.
pub(crate) fn cid_matches(cond: Option<&str>, caller: Option<&str>) -> bool {
    match (cond, caller) {
        (None, _) => true,
        (Some(cond), None) | (Some(cond), Some("")) if cond.is_empty() => true,
        (Some(_), None) | (Some(_), Some("")) => false,
        (Some(cond), Some(caller)) => {
            pattern::extension_match(cond, caller, pattern::MatchMode::Match)
                != pattern::MatchResult::No
        }
    }
}

/// The span of `range` inside `name`, when `name` is exactly what `span` covers; else `span`.
fn narrow(span: Span, name: &str, range: std::ops::Range<usize>) -> Span {
    if span.len() == name.len() && range.end <= name.len() {
        Span {
            file: span.file,
            start: span.start + range.start as u32,
            end: span.start + range.end.max(range.start + 1).min(name.len()) as u32,
        }
    } else {
        span
    }
}

/// C `sscanf("%d")`: optional sign and digits at the start; `None` when there are no digits.
fn c_int(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() && bytes[idx].is_ascii_whitespace() {
        idx += 1;
    }
    let neg = match bytes.get(idx) {
        Some(b'-') => {
            idx += 1;
            true
        }
        Some(b'+') => {
            idx += 1;
            false
        }
        _ => false,
    };
    let digits = bytes[idx..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in &bytes[idx..idx + digits] {
        value = (value * 10 + i64::from(b - b'0')).min(i64::from(i32::MAX) + 1);
    }
    let value = if neg { -value } else { value };
    Some(value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

/// C `atoi`: like `c_int` but 0 when there are no digits.
fn c_atoi(text: &str) -> i32 {
    c_int(text).unwrap_or(0)
}

fn ext_bracket_depth(text: &str) -> usize {
    // Only the extension field is parsed recursively: stop at its end.
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' => depth = depth.saturating_sub(1),
            b'\\' => {
                bytes.next();
            }
            b',' if depth == 0 => break,
            _ => {}
        }
    }
    max
}

/// True when the extension field ends inside an unclosed `[`.
fn ext_bracket_depth_open(text: &str) -> bool {
    let mut depth = 0usize;
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'\\' => {
                bytes.next();
            }
            b',' if depth == 0 => return false,
            _ => {}
        }
    }
    depth > 0
}

/// Splits an `exten`/`same` value into its fields: the fast split when the value is simple, the
/// `exten_value`/`same_value` rules of dialplan.pest otherwise.
pub(crate) fn split_statement(value: &str, same: bool) -> Option<Statement<'_>> {
    split_simple(value, same).or_else(|| split_with_grammar(value, same))
}

/// The grammar's split, written out for values whose extension field has no `[` or `\\` (every
/// `same` line and most `exten` lines). Gives exactly what `split_with_grammar` gives (tested
/// against it on generated input).
fn split_simple(value: &str, same: bool) -> Option<Statement<'_>> {
    let mut st = Statement {
        saw_pri: false,
        ext: "",
        ext_range: 0..0,
        pri: "",
        pri_range: value.len()..value.len(),
        base: "",
        offset: None,
        label: None,
        label_closed: true,
        label_tail: None,
        app_field: None,
    };
    let rest_start = if same {
        0
    } else {
        let end = value.find(',').unwrap_or(value.len());
        if value[..end].contains(['[', '\\']) {
            return None;
        }
        st.ext = &value[..end];
        st.ext_range = 0..end;
        if end == value.len() {
            return Some(st);
        }
        end + 1
    };
    let rest = &value[rest_start..];
    let pri_len = rest.find(',').unwrap_or(rest.len());
    if pri_len < rest.len() {
        st.app_field = Some((&rest[pri_len + 1..], rest_start + pri_len + 1));
    }
    let pri = &rest[..pri_len];
    st.saw_pri = true;
    st.pri = pri;
    st.pri_range = rest_start..rest_start + pri_len;
    // base ["+" offset] ["(" label [")" tail]]
    let base_end = pri.find(['+', '(']).unwrap_or(pri.len());
    st.base = &pri[..base_end];
    let mut pos = base_end;
    if pri.as_bytes().get(pos) == Some(&b'+') {
        let end = pri[pos + 1..]
            .find('(')
            .map_or(pri.len(), |it| it + pos + 1);
        st.offset = Some(&pri[pos + 1..end]);
        pos = end;
    }
    if pos < pri.len() {
        let label = &pri[pos + 1..];
        match label.find(')') {
            Some(close) => {
                st.label = Some(&label[..close]);
                let tail = pos + 1 + close + 1;
                st.label_tail = Some((&pri[tail..], rest_start + tail));
            }
            None => {
                st.label = Some(label);
                st.label_closed = false;
            }
        }
    }
    Some(st)
}

/// The `exten_value` / `same_value` rules of dialplan.pest.
pub(crate) fn split_with_grammar(value: &str, same: bool) -> Option<Statement<'_>> {
    let rule = if same {
        Rule::same_value
    } else {
        Rule::exten_value
    };
    let pairs = DialplanGrammar::parse(rule, value).ok()?;
    let mut st = Statement {
        saw_pri: false,
        ext: "",
        ext_range: 0..0,
        pri: "",
        pri_range: value.len()..value.len(),
        base: "",
        offset: None,
        label: None,
        label_closed: true,
        label_tail: None,
        app_field: None,
    };
    for pair in pairs.flatten() {
        let span = pair.as_span();
        match pair.as_rule() {
            Rule::ext_field => {
                st.ext = pair.as_str();
                st.ext_range = span.start()..span.end();
            }
            Rule::pri_field => {
                st.saw_pri = true;
                st.pri = pair.as_str();
                st.pri_range = span.start()..span.end();
            }
            Rule::pri_base => st.base = pair.as_str(),
            Rule::pri_offset => st.offset = Some(pair.as_str()),
            Rule::label_text => st.label = Some(pair.as_str()),
            Rule::label_unclosed => st.label_closed = false,
            Rule::label_tail => st.label_tail = Some((pair.as_str(), span.start())),
            Rule::app_field => {
                // The field runs to the end of the value (the grammar stops after `(`).
                st.app_field = Some((&value[span.start()..], span.start()));
            }
            _ => {}
        }
    }
    Some(st)
}

#[cfg(test)]
pub(crate) fn split_simple_for_test(value: &str, same: bool) -> Option<Statement<'_>> {
    split_simple(value, same)
}
