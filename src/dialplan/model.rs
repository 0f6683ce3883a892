//! The checked dialplan: contexts with their extensions (in Asterisk's match order), priorities,
//! labels, hints, includes, ignore patterns and switches.

use indexmap::IndexMap;

use crate::diag::Span;

/// The priority number Asterisk stores a hint under.
pub const PRIORITY_HINT: i32 = -1;

/// Options of the `[general]` section that change behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct General {
    pub autofallthrough: bool,
    pub clearglobalvars: bool,
    pub extenpatternmatchnew: bool,
}

impl Default for General {
    fn default() -> Self {
        General {
            autofallthrough: true,
            clearglobalvars: false,
            extenpatternmatchnew: false,
        }
    }
}

/// A whole dialplan.
#[derive(Debug, Default)]
pub struct Dialplan {
    /// Contexts in the order their first section appears in the files.
    pub contexts: IndexMap<Box<str>, Context>,
    /// `[globals]` after substitution, in the order they were set.
    pub globals: IndexMap<Box<str>, Box<str>>,
    pub general: General,
}

impl Dialplan {
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.get(name)
    }

    /// Every hint, as `(context, extension)` pairs, in context and extension order.
    pub fn hints(&self) -> impl Iterator<Item = (&Context, &Exten, &Priority)> {
        self.contexts.values().flat_map(|ctx| {
            ctx.extens
                .iter()
                .filter_map(move |ext| ext.hint().map(|hint| (ctx, ext, hint)))
        })
    }

    pub fn n_priorities(&self) -> usize {
        self.contexts
            .values()
            .flat_map(|it| it.extens.iter())
            .map(|it| it.priorities.len())
            .sum()
    }
}

/// One context. Several sections with the same name feed one context.
#[derive(Debug)]
pub struct Context {
    pub name: Box<str>,
    /// Where the first section of this context starts.
    pub span: Span,
    /// Extensions in Asterisk's order (spec dialplan.md §3.3), which is the match order.
    pub extens: Vec<Exten>,
    pub includes: Vec<Include>,
    pub ignorepats: Vec<Ignorepat>,
    pub switches: Vec<Switch>,
    pub autohints: bool,
    pub(crate) index: crate::dialplan::pattern::ExtenIndex,
}

/// One extension: a name (literal or `_pattern`), an optional caller-ID condition and its
/// priorities in ascending order (the hint, −1, first).
#[derive(Debug, Clone)]
pub struct Exten {
    /// The name as displayed: spaces removed outside `[...]`, dashes kept.
    pub name: Box<str>,
    /// The caller-ID pattern (`None` = no condition; `Some("")` = callers without a number).
    pub cid: Option<Box<str>>,
    pub priorities: Vec<Priority>,
}

impl Exten {
    pub fn is_pattern(&self) -> bool {
        self.name.starts_with('_')
    }

    pub fn hint(&self) -> Option<&Priority> {
        self.priorities
            .first()
            .filter(|it| it.number == PRIORITY_HINT)
    }

    pub fn priority(&self, number: i32) -> Option<&Priority> {
        self.priorities
            .binary_search_by_key(&number, |it| it.number)
            .ok()
            .map(|idx| &self.priorities[idx])
    }

    pub fn label(&self, label: &str) -> Option<&Priority> {
        self.priorities
            .iter()
            .find(|it| it.label.as_deref() == Some(label))
    }
}

/// One priority line (or the hint).
#[derive(Debug, Clone)]
pub struct Priority {
    /// 1 and up, or `PRIORITY_HINT`.
    pub number: i32,
    pub label: Option<Box<str>>,
    /// The application name as written (for a hint: the hint string). Shared between priorities.
    pub app: std::sync::Arc<str>,
    /// The application data, unsubstituted (for a hint: its display name).
    pub data: Box<str>,
    /// The `exten`/`same` line this came from.
    pub span: Span,
}

/// `include => context[,timespec]`.
#[derive(Debug, Clone)]
pub struct Include {
    /// The whole value as written, timing included (what `dialplan show` prints).
    pub text: Box<str>,
    /// The context part.
    pub context: Box<str>,
    pub timespec: Option<Box<str>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Ignorepat {
    pub pattern: Box<str>,
    pub span: Span,
}

/// `switch`, `lswitch` or `eswitch`.
#[derive(Debug, Clone)]
pub struct Switch {
    pub name: Box<str>,
    pub data: Box<str>,
    pub eval: bool,
    pub span: Span,
}

/// A normalised dump, one line per priority, used by tests and `--format raw` output.
impl std::fmt::Display for Dialplan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, value) in &self.globals {
            writeln!(f, "global {name}={value}")?;
        }
        for ctx in self.contexts.values() {
            writeln!(f, "[{}]", ctx.name)?;
            for exten in &ctx.extens {
                let cid = match &exten.cid {
                    Some(cid) => format!("/{cid}"),
                    None => String::new(),
                };
                for p in &exten.priorities {
                    let number = if p.number == PRIORITY_HINT {
                        "hint".to_string()
                    } else {
                        p.number.to_string()
                    };
                    let label = p
                        .label
                        .as_ref()
                        .map_or(String::new(), |it| format!("({it})"));
                    writeln!(
                        f,
                        "  {}{cid},{number}{label},{}({})",
                        exten.name, p.app, p.data
                    )?;
                }
            }
            for it in &ctx.includes {
                writeln!(f, "  include {}", it.text)?;
            }
            for it in &ctx.ignorepats {
                writeln!(f, "  ignorepat {}", it.pattern)?;
            }
            for it in &ctx.switches {
                writeln!(f, "  switch {}/{}", it.name, it.data)?;
            }
        }
        Ok(())
    }
}
