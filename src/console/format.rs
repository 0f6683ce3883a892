//! Output of the console commands, byte for byte as Asterisk prints it: `dialplan show`
//! (`show_dialplan_helper` in `main/pbx.c`) and `core show hints` / `core show hint`
//! (`handle_show_hints`, spec state.md §6.1–6.2).

use std::fmt::Write;

use crate::dialplan::pattern::{extension_match, MatchMode};
use crate::dialplan::{Context, Dialplan, Exten, Priority, PRIORITY_HINT};
use crate::pbx::Pbx;
use crate::state::HintView;

/// Deepest include chain `dialplan show EXTEN@` follows (`AST_PBX_MAX_STACK`).
const MAX_SHOW_INCLUDE_DEPTH: usize = 512;

/// Counters of one `dialplan show`.
#[derive(Default)]
struct Counters {
    contexts: usize,
    extens: usize,
    priorities: usize,
    context_existence: bool,
    extension_existence: bool,
}

/// `dialplan show [[exten@]context]`: the text and whether the command succeeded.
pub(crate) fn dialplan_show(pbx: &Pbx, arg: Option<&str>) -> (String, bool) {
    let (exten, context) = match arg {
        None => (None, None),
        Some(arg) => match arg.split_once('@') {
            Some((exten, context)) => (
                Some(exten).filter(|it| !it.is_empty()),
                Some(context).filter(|it| !it.is_empty()),
            ),
            None => (None, Some(arg).filter(|it| !it.is_empty())),
        },
    };
    let mut out = String::new();
    let mut counters = Counters::default();
    let mut includes = Vec::new();
    let show = Show {
        pbx,
        plan: pbx.dialplan(),
    };
    show.contexts(
        &mut out,
        context,
        exten,
        &mut counters,
        false,
        &mut includes,
    );
    if let Some(context) = context {
        if !counters.context_existence {
            let _ = writeln!(out, "There is no existence of '{context}' context");
            return (out, false);
        }
    }
    if let Some(exten) = exten {
        if !counters.extension_existence {
            match context {
                Some(context) => {
                    let _ = writeln!(out, "There is no existence of {exten}@{context} extension");
                }
                None => {
                    let _ = writeln!(
                        out,
                        "There is no existence of '{exten}' extension in all contexts"
                    );
                }
            }
            return (out, false);
        }
    }
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let _ = writeln!(
        out,
        "-= {} {} ({} {}) in {} {}. =-",
        counters.extens,
        plural(counters.extens, "extension", "extensions"),
        counters.priorities,
        plural(counters.priorities, "priority", "priorities"),
        counters.contexts,
        plural(counters.contexts, "context", "contexts"),
    );
    (out, true)
}

struct Show<'a> {
    pbx: &'a Pbx,
    plan: &'a Dialplan,
}

impl Show<'_> {
    /// Asterisk walks contexts newest first: the last context defined prints first.
    fn contexts(
        &self,
        out: &mut String,
        context: Option<&str>,
        exten: Option<&str>,
        counters: &mut Counters,
        included: bool,
        includes: &mut Vec<String>,
    ) {
        for ctx in self.plan.contexts.values().rev() {
            if context.is_some_and(|it| it != &*ctx.name) {
                continue;
            }
            counters.context_existence = true;
            self.context(out, ctx, exten, counters, included, includes);
        }
    }

    fn context(
        &self,
        out: &mut String,
        ctx: &Context,
        exten: Option<&str>,
        counters: &mut Counters,
        included: bool,
        includes: &mut Vec<String>,
    ) {
        let mut printed = false;
        if exten.is_none() {
            counters.contexts += 1;
            self.header(out, ctx, false);
            printed = true;
        }
        for e in &ctx.extens {
            if let Some(wanted) = exten {
                if !extension_match(&e.name, wanted, MatchMode::Match).is_match() {
                    continue;
                }
            }
            counters.extension_existence = true;
            if !printed {
                counters.contexts += 1;
                self.header(out, ctx, included);
                printed = true;
            }
            self.extension(out, e, counters);
        }
        for include in &ctx.includes {
            match exten {
                Some(_) => {
                    if includes.len() >= MAX_SHOW_INCLUDE_DEPTH {
                        continue;
                    }
                    if includes
                        .iter()
                        .any(|it| it.eq_ignore_ascii_case(&include.text))
                    {
                        continue;
                    }
                    includes.push(include.text.to_string());
                    self.contexts(out, Some(&include.text), exten, counters, true, includes);
                    includes.pop();
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  Include =>        {:<45} [pbx_config]",
                        format!("'{}'", include.text)
                    );
                }
            }
        }
        for ignorepat in &ctx.ignorepats {
            let shown = match exten {
                None => true,
                Some(wanted) => {
                    let pattern = format!("_{}.", ignorepat.pattern);
                    extension_match(&pattern, wanted, MatchMode::Match).is_match()
                }
            };
            if shown {
                let _ = writeln!(
                    out,
                    "  Ignore pattern => {:<45} [pbx_config]",
                    format!("'{}'", ignorepat.pattern)
                );
            }
        }
        if !included {
            for switch in &ctx.switches {
                let _ = writeln!(
                    out,
                    "  Alt. Switch =>    {:<45} [pbx_config]",
                    format!("'{}/{}'", switch.name, switch.data)
                );
            }
        }
        if printed {
            out.push('\n');
        }
    }

    fn header(&self, out: &mut String, ctx: &Context, included: bool) {
        if included {
            let _ = writeln!(
                out,
                "[ Included context '{}' created by 'pbx_config' ]",
                ctx.name
            );
        } else {
            let _ = writeln!(out, "[ Context '{}' created by 'pbx_config' ]", ctx.name);
            if ctx.autohints {
                out.push_str("Autohints support enabled\n");
            }
        }
    }

    fn extension(&self, out: &mut String, e: &Exten, counters: &mut Counters) {
        for (idx, p) in e.priorities.iter().enumerate() {
            counters.priorities += 1;
            let first = if idx == 0 {
                match &e.cid {
                    Some(cid) => format!("'{}' (CID match '{}') => ", e.name, cid),
                    None => format!("'{}' =>", e.name),
                }
            } else {
                match &p.label {
                    Some(label) => format!("   [{label}]"),
                    None => String::new(),
                }
            };
            let second = priority_text(p);
            let _ = writeln!(out, "  {first:<17} {second:<45} [{}]", self.location(p));
        }
        counters.extens += 1;
    }

    /// `file:line` of a priority: the file's base name and its 1-based line.
    fn location(&self, p: &Priority) -> String {
        let sources = self.pbx.sources();
        let name = sources.name(p.span.file);
        let base = name.rsplit('/').next().unwrap_or(name);
        let line = sources.line_col(p.span.file, p.span.start as usize).line;
        format!("{base}:{line}")
    }
}

fn priority_text(p: &Priority) -> String {
    if p.number == PRIORITY_HINT {
        format!("hint: {}", p.app)
    } else {
        format!("{}. {}({})", p.number, p.app, p.data)
    }
}

/// Pads `text` with spaces to `width` bytes and cuts it there (C `%-W.Ws`).
fn pad_cut(text: &str, width: usize) -> String {
    let mut end = text.len().min(width);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:<width$}", &text[..end])
}

fn hint_line(out: &mut String, hint: &HintView<'_>) {
    let _ = writeln!(
        out,
        "{}: {}  State:{} Presence:{} Watchers {:>2}",
        pad_cut(&hint.key.to_string(), 30),
        pad_cut(hint.text, 60),
        pad_cut(hint.state.as_str(), 15),
        pad_cut(hint.presence.state.as_str(), 15),
        hint.watchers
    );
}

/// `core show hints`.
pub(crate) fn core_show_hints(pbx: &Pbx) -> String {
    let state = pbx.state();
    if state.n_hints() == 0 {
        return "There are no registered dialplan hints\n".to_string();
    }
    let mut out = String::from("\n    -= Registered Asterisk Dial Plan Hints =-\n");
    for hint in state.hints() {
        hint_line(&mut out, &hint);
    }
    let _ = writeln!(
        out,
        "----------------\n- {} hints registered",
        state.n_hints()
    );
    out
}

/// `core show hint <exten>`: hints whose `exten@context` starts with the argument, ignoring case.
pub(crate) fn core_show_hint(pbx: &Pbx, prefix: &str) -> String {
    let state = pbx.state();
    if state.n_hints() == 0 {
        return "There are no registered dialplan hints\n".to_string();
    }
    let mut out = String::new();
    let mut n = 0;
    let wanted = prefix.to_ascii_lowercase();
    for hint in state.hints() {
        if hint
            .key
            .to_string()
            .to_ascii_lowercase()
            .starts_with(&wanted)
        {
            hint_line(&mut out, &hint);
            n += 1;
        }
    }
    match n {
        0 => {
            let _ = writeln!(out, "No hints matching extension {prefix}");
        }
        1 => {
            let _ = writeln!(out, "1 hint matching extension {prefix}");
        }
        n => {
            let _ = writeln!(out, "{n} hints matching extension {prefix}");
        }
    }
    out
}

pub(crate) fn help(commands: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (command, summary) in commands {
        let _ = writeln!(out, "{command:>25.25}  {summary}");
    }
    out
}

/// Dash rule of the Custom state listings (69 characters).
const RULE: &str = "---------------------------------------------------------------------";

/// `devstate list` (spec state.md §6.3).
pub(crate) fn devstate_list(entries: &[(String, String)]) -> String {
    let mut out = format!(
        "\n{RULE}\n--- Custom Device States --------------------------------------------\n{RULE}\n---\n"
    );
    for (name, value) in entries {
        let name = name.rsplit('/').next().unwrap_or(name);
        let _ = writeln!(out, "--- Name: 'Custom:{name}'  State: '{value}'\n---");
    }
    let _ = writeln!(out, "{RULE}\n{RULE}\n");
    out
}

/// `presencestate list` (spec state.md §6.4): entries that do not parse are skipped.
pub(crate) fn presencestate_list(entries: &[(String, String)]) -> String {
    let mut out = format!(
        "\n{RULE}\n--- Custom Presence States ------------------------------------------\n{RULE}\n---\n"
    );
    if entries.is_empty() {
        out.push_str("No custom presence states defined\n");
        return out;
    }
    for (name, value) in entries {
        let name = name.rsplit('/').next().unwrap_or(name);
        let mut fields = value.splitn(5, ',');
        let state = crate::state::PresenceState::parse(fields.next().unwrap_or(""));
        let subtype = fields.next().unwrap_or("");
        let message = fields.next().unwrap_or("");
        let options = fields.next().unwrap_or("");
        if crate::state::PresenceValue::parse(value).is_err() {
            continue;
        }
        let base64 = if options.contains('e') { "Yes" } else { "No" };
        let _ = writeln!(
            out,
            "--- Name: 'CustomPresence:{name}'\n    --- State: '{}'\n    --- Subtype: '{subtype}'\n    --- Message: '{message}'\n    --- Base64 Encoded: '{base64}'\n---",
            state.as_str()
        );
    }
    let _ = writeln!(out, "{RULE}\n{RULE}\n");
    out
}
