//! The `Diagnostics` collector. Every diagnostic is made by a named method here, so the wording of
//! each message lives in one place: lowercase, no final period, user text in backticks.

use crate::diag::{Code, Diagnostic, Label, Span};

/// Collects the diagnostics of one load, in the order they were found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// True when Asterisk would refuse to load the file at all (spec dialplan.md §1.7).
    pub fn rejects_file(&self) -> bool {
        self.items.iter().any(|it| it.code.rejects_file())
    }

    /// Puts diagnostics in source order (file, then position); ones without a place come first.
    pub fn sort(&mut self) {
        self.items
            .sort_by_key(|it| it.primary_span().map(|s| (s.file, s.start)));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    #[cold]
    fn push(
        &mut self,
        code: Code,
        span: Option<Span>,
        label: &str,
        message: String,
    ) -> &mut Diagnostic {
        let labels = span
            .map(|span| Label {
                span,
                text: label.to_string(),
            })
            .into_iter()
            .collect();
        self.items.push(Diagnostic {
            severity: code.severity(),
            code,
            message,
            labels,
            help: None,
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    #[cold]
    fn with_help(&mut self, help: impl Into<String>) {
        if let Some(last) = self.items.last_mut() {
            last.help = Some(help.into());
        }
    }

    #[cold]
    fn with_label(&mut self, span: Span, text: impl Into<String>) {
        if let Some(last) = self.items.last_mut() {
            last.labels.push(Label {
                span,
                text: text.into(),
            });
        }
    }

    // ---- pjsip.conf ------------------------------------------------------------------------

    pub fn pjsip_unknown_type(&mut self, at: Span, section: &str, kind: &str) {
        self.push(
            Code::PjsipUnknownType,
            Some(at),
            "unknown type",
            format!(
                "section `{section}` has type `{kind}`, which dialstate does not serve; ignored"
            ),
        );
        self.with_help(
            "dialstate reads `endpoint`, `auth`, `aor`, `transport` and `global` objects",
        );
    }

    pub fn pjsip_no_type(&mut self, at: Span, section: &str) {
        self.push(
            Code::PjsipUnknownType,
            Some(at),
            "no type",
            format!("section `{section}` has no `type`; ignored"),
        );
    }

    pub fn pjsip_unknown_option(&mut self, at: Span, kind: &str, section: &str, option: &str) {
        self.push(
            Code::PjsipUnknownOption,
            Some(at),
            "unknown option",
            format!("`{option}` is not an option dialstate knows for {kind} `{section}`; ignored"),
        );
    }

    pub fn pjsip_bad_value(
        &mut self,
        at: Span,
        section: &str,
        option: &str,
        expected: &str,
        found: &str,
    ) {
        self.push(
            Code::PjsipBadValue,
            Some(at),
            "bad value",
            format!("`{option}` of `{section}` expects {expected}, found `{found}`; the object is not loaded"),
        );
    }

    pub fn pjsip_missing_object(&mut self, at: Span, section: &str, kind: &str, name: &str) {
        self.push(
            Code::PjsipMissingObject,
            Some(at),
            "not defined",
            format!("`{section}` names {kind} `{name}`, which is not defined"),
        );
    }

    // ---- config ----------------------------------------------------------------------------

    pub fn unreadable_file(&mut self, at: Option<Span>, path: &str, reason: &str) {
        self.push(
            Code::UnreadableFile,
            at,
            "included here",
            format!("cannot read `{path}`: {reason}"),
        );
    }

    pub fn not_utf8(&mut self, at: Span, path: &str) {
        self.push(
            Code::NotUtf8,
            Some(at),
            "first invalid byte",
            format!("`{path}` is not valid UTF-8; invalid bytes were replaced by U+FFFD"),
        );
    }

    pub fn line_too_long(&mut self, at: Span, len: usize, begins: &str) {
        self.push(
            Code::LineTooLong,
            Some(at),
            "line skipped",
            format!("line of {len} bytes is too long (the limit is 8191), skipping it; it begins with `{begins}`"),
        );
    }

    pub fn comment_nest_limit(&mut self, at: Span) {
        self.push(
            Code::CommentNestLimit,
            Some(at),
            "ignored",
            "block comments nested deeper than 128 levels; this `;--` is ignored".to_string(),
        );
    }

    pub fn unterminated_comment(&mut self, at: Span) {
        self.push(
            Code::UnterminatedComment,
            Some(at),
            "opened here",
            "unterminated block comment: the rest of the file is commented out".to_string(),
        );
        self.with_help("close it with `--;`");
    }

    pub fn stray_block_comment_end(&mut self, at: Span) {
        self.push(
            Code::StrayBlockCommentEnd,
            Some(at),
            "no block comment is open",
            "`--;` outside a block comment: Asterisk keeps this line but treats every following line as a comment until the next `;--`".to_string(),
        );
        self.with_help("write `-\\-;` or `--\\;` if the text is meant literally");
    }

    pub fn missing_bracket(&mut self, at: Span) {
        self.push(
            Code::MissingBracket,
            Some(at),
            "no `]` in this header",
            "section header has no closing `]`; Asterisk refuses the whole file".to_string(),
        );
    }

    pub fn missing_paren(&mut self, at: Span) {
        self.push(
            Code::MissingParen,
            Some(at),
            "no `)` after the options",
            "section options have no closing `)`; Asterisk refuses the whole file".to_string(),
        );
    }

    pub fn unknown_append_target(&mut self, at: Span, name: &str) {
        self.push(
            Code::UnknownAppendTarget,
            Some(at),
            "nothing to append to",
            format!("`({name})(+)` appends to section `{name}`, but no earlier section has that name; Asterisk refuses the whole file"),
        );
    }

    pub fn unknown_template(&mut self, at: Span, name: &str) {
        self.push(
            Code::UnknownTemplate,
            Some(at),
            "no such section",
            format!("inherits from `{name}`, but no earlier section or template has that name; Asterisk refuses the whole file"),
        );
    }

    pub fn item_outside_section(&mut self, at: Span) {
        self.push(
            Code::NoCategory,
            Some(at),
            "before any `[section]`",
            "item before the first section header; Asterisk refuses the whole file".to_string(),
        );
    }

    pub fn invalid_escape(&mut self, at: Span) {
        self.push(
            Code::InvalidEscape,
            Some(at),
            "escapes a blank",
            "a leading `\\` must escape a visible character; Asterisk refuses the whole file"
                .to_string(),
        );
    }

    pub fn no_equals(&mut self, at: Span, text: &str) {
        self.push(
            Code::NoEquals,
            Some(at),
            "expected `=` or `=>`",
            format!("expected `name = value` or `name => value`, found `{text}`; line skipped"),
        );
    }

    pub fn no_name(&mut self, at: Span) {
        self.push(
            Code::NoName,
            Some(at),
            "nothing before `=`",
            "item has no name before `=`; line skipped".to_string(),
        );
    }

    pub fn directive_needs_argument(&mut self, at: Span, directive: &str, what: &str) {
        self.push(
            Code::DirectiveNeedsArgument,
            Some(at),
            "argument missing",
            format!("`#{directive}` needs an argument ({what}); ignored"),
        );
    }

    pub fn unknown_directive(&mut self, at: Span, directive: &str) {
        self.push(
            Code::UnknownDirective,
            Some(at),
            "unknown",
            format!("unknown directive `#{directive}`; ignored"),
        );
        self.with_help("the directives are `#include`, `#tryinclude` and `#exec`");
    }

    pub fn exec_refused(&mut self, at: Span) {
        self.push(
            Code::ExecRefused,
            Some(at),
            "not run",
            "`#exec` is refused: dialstate never runs programs from a config file".to_string(),
        );
        self.with_help("Asterisk also refuses it unless `execincludes` is on in asterisk.conf");
    }

    pub fn include_not_found(&mut self, at: Span, path: &str) {
        self.push(
            Code::IncludeNotFound,
            Some(at),
            "no such file",
            format!(
                "`#include` of `{path}`, which does not exist; Asterisk refuses the whole file"
            ),
        );
        self.with_help("use `#tryinclude` for a file that may be absent");
    }

    pub fn include_depth(&mut self, at: Span, path: &str) {
        self.push(
            Code::IncludeDepth,
            Some(at),
            "too deep",
            format!("`#include` of `{path}` exceeds the maximum include depth of 10; Asterisk refuses the whole file"),
        );
    }

    pub fn include_cycle(&mut self, at: Span, path: &str) {
        self.push(
            Code::IncludeDepth,
            Some(at),
            "already being included",
            format!("`#include` of `{path}`, which is already being included: it includes itself; Asterisk would repeat it up to the depth limit of 10 and then refuse the whole file"),
        );
    }

    pub fn too_many_files(&mut self, at: Span, max: usize) {
        self.push(
            Code::IncludeDepth,
            Some(at),
            "not read",
            format!("more than {max} files included in all; the rest are not read and the file is refused"),
        );
    }

    pub fn not_regular_file(&mut self, at: Span, path: &str) {
        self.push(
            Code::NotRegularFile,
            Some(at),
            "not a file",
            format!("`{path}` is not a regular file; ignored"),
        );
    }

    // ---- dialplan statements --------------------------------------------------------------

    pub fn same_without_exten(&mut self, at: Span, context: &str) {
        self.push(
            Code::NoPreviousExtension,
            Some(at),
            "no `exten` before it",
            format!("`same` has no previous `exten` in this section of context `{context}`; line dropped"),
        );
    }

    pub fn next_on_first(&mut self, at: Span) {
        self.push(
            Code::NextOnFirst,
            Some(at),
            "no previous priority",
            "`n` priority on the first entry of a section; line dropped".to_string(),
        );
    }

    pub fn same_on_first(&mut self, at: Span) {
        self.push(
            Code::SameOnFirst,
            Some(at),
            "no previous priority",
            "`s` priority on the first entry of a section; line dropped".to_string(),
        );
    }

    pub fn invalid_priority(&mut self, at: Span, text: &str) {
        self.push(
            Code::InvalidPriority,
            Some(at),
            "expected a priority of 1 or more",
            format!("invalid priority `{text}`; line dropped"),
        );
    }

    pub fn unknown_priority_label(&mut self, at: Span, label: &str) {
        self.push(
            Code::UnknownPriorityLabel,
            Some(at),
            "not a label above",
            format!("expected a priority number, `n`, `s`, `hint` or a label defined above, found `{label}`; line dropped"),
        );
    }

    pub fn label_missing_paren(&mut self, at: Span) {
        self.push(
            Code::LabelMissingParen,
            Some(at),
            "expected `)`",
            "label has no closing `)`; line dropped".to_string(),
        );
    }

    pub fn app_missing_paren(&mut self, at: Span, app: &str) {
        self.push(
            Code::AppMissingParen,
            Some(at),
            "expected `)`",
            format!("application `{app}` has no closing `)`; the data runs to the end of the line"),
        );
    }

    pub fn discouraged_pattern(&mut self, at: Span, exten: &str, better: &str) {
        self.push(
            Code::DiscouragedPattern,
            Some(at),
            "matches everything, including `h`, `i` and `t`",
            format!(
                "the extension `{exten}` is strongly discouraged and can have unexpected behavior"
            ),
        );
        self.with_help(format!("use `{better}` instead"));
    }

    pub fn empty_extension(&mut self, at: Span, context: &str) {
        self.push(
            Code::EmptyExtension,
            Some(at),
            "empty",
            format!("empty extension name in context `{context}`; line dropped"),
        );
    }

    pub fn unknown_item(&mut self, at: Span, name: &str) {
        self.push(
            Code::UnknownItem,
            Some(at),
            "not a dialplan statement",
            format!("unknown statement `{name}`; ignored"),
        );
        self.with_help("a context holds `exten`, `same`, `include`, `ignorepat`, `switch`, `lswitch`, `eswitch` and `autohints`");
    }

    pub fn missing_fields(&mut self, at: Span, statement: &str, expected: &str) {
        self.push(
            Code::MissingFields,
            Some(at),
            "incomplete",
            format!("`{statement}` expects {expected}; line dropped"),
        );
    }

    pub fn duplicate_priority(
        &mut self,
        second: Span,
        first: Span,
        exten: &str,
        priority: i64,
        context: &str,
        aliased: Option<&str>,
    ) {
        let message = match aliased {
            Some(alias) => format!("extension `{exten}` priority {priority} in context `{context}` is already in use by aliased extension `{alias}`; line dropped"),
            None => format!("extension `{exten}` priority {priority} in context `{context}` is already in use; line dropped"),
        };
        self.push(Code::DuplicatePriority, Some(second), "duplicate", message);
        self.with_label(first, "first defined here");
    }

    pub fn duplicate_label(&mut self, second: Span, first: Span, label: &str, priority: i64) {
        self.push(
            Code::DuplicateLabel,
            Some(second),
            "label dropped",
            format!("label `{label}` is already in use at priority {priority}; this priority is kept without it"),
        );
        self.with_label(first, "label first defined here");
    }

    pub fn priority_zero_dropped(&mut self, at: Span) {
        self.push(
            Code::PriorityZeroDropped,
            Some(at),
            "becomes priority 0",
            "`n` right after a `hint` gives priority 0, which Asterisk silently drops".to_string(),
        );
        self.with_help("give the first real priority the number 1");
    }

    pub fn duplicate_include(&mut self, at: Span, included: &str, context: &str) {
        self.push(
            Code::DuplicateInclude,
            Some(at),
            "already included",
            format!("context `{included}` is already included in context `{context}`; ignored"),
        );
    }

    pub fn duplicate_ignorepat(&mut self, at: Span, pattern: &str, context: &str) {
        self.push(
            Code::DuplicateIgnorepat,
            Some(at),
            "duplicate",
            format!("ignorepat `{pattern}` is already in context `{context}`; ignored"),
        );
    }

    pub fn duplicate_switch(&mut self, at: Span, switch: &str, context: &str) {
        self.push(
            Code::DuplicateSwitch,
            Some(at),
            "duplicate",
            format!("switch `{switch}` is already in context `{context}`; ignored"),
        );
    }

    pub fn switch_ignored(&mut self, at: Span, switch: &str) {
        self.push(
            Code::SwitchIgnored,
            Some(at),
            "never consulted",
            format!("switch `{switch}` is kept and shown, but dialstate has no switch modules: lookups never match it"),
        );
    }

    pub fn missing_include(&mut self, at: Span, context: &str, included: &str) {
        self.push(
            Code::MissingInclude,
            Some(at),
            "no such context",
            format!("context `{context}` includes `{included}`, which does not exist"),
        );
    }

    pub fn invalid_timespec(&mut self, at: Span, problem: &str) {
        self.push(
            Code::InvalidTimespec,
            Some(at),
            "here",
            format!("invalid time specification: {problem}"),
        );
    }

    pub fn invalid_pattern(&mut self, at: Span, message: String) {
        self.push(Code::InvalidPattern, Some(at), "here", message);
    }

    pub fn ignored_pattern_tail(&mut self, at: Span, message: String) {
        self.push(Code::IgnoredPatternTail, Some(at), "ignored", message);
    }

    pub fn hint_on_pattern(&mut self, at: Span, exten: &str) {
        self.push(
            Code::HintOnPattern,
            Some(at),
            "pattern",
            format!("hint on pattern `{exten}` is never evaluated itself; a concrete hint appears only when someone asks for a matching number"),
        );
    }

    pub fn hint_presence_comma(&mut self, at: Span) {
        self.push(
            Code::HintPresenceComma,
            Some(at),
            "second comma",
            "the presence part of a hint contains another comma; Asterisk versions disagree on where it splits".to_string(),
        );
    }

    pub fn unknown_application(&mut self, at: Span, app: &str) {
        self.push(
            Code::UnknownApplication,
            Some(at),
            "not a known application",
            format!("unknown application `{app}`; a call reaching it hangs up"),
        );
    }

    pub fn removed_macro(&mut self, at: Span, app: &str, data: &str) {
        let (name, args) = data.split_once(',').unwrap_or((data, ""));
        let name = if name.is_empty() { "NAME" } else { name };
        let rewrite = match app.to_ascii_lowercase().as_str() {
            "macroexit" => "`Return()`".to_string(),
            "macroif" => "`GosubIf(cond?macro-NAME,s,1(args):...)`".to_string(),
            _ => format!("`Gosub(macro-{name},s,1({args}))` (the arguments stay `${{ARGn}}`; `${{MACRO_EXTEN}}`, `${{MACRO_CONTEXT}}` become `${{STACK_PEEK(1,e,1)}}`, `${{STACK_PEEK(1,c,1)}}`; `MacroExit` becomes `Return`)"),
        };
        self.push(
            Code::RemovedMacro,
            Some(at),
            "removed in Asterisk 21",
            format!("`{app}` was removed in Asterisk 21 (dialstate runs it as Asterisk 20 did); rewrite it as {rewrite}"),
        );
    }

    pub fn app_trailing_blank(&mut self, at: Span, app: &str) {
        self.push(
            Code::AppTrailingBlank,
            Some(at),
            "blank before `(`",
            format!("the application name is `{app}` with a trailing blank, which no application has; a call reaching it hangs up"),
        );
        self.with_help("remove the blank before `(`");
    }

    pub fn empty_application(&mut self, at: Span) {
        self.push(
            Code::EmptyApplication,
            Some(at),
            "no application",
            "priority has no application; a call reaching it hangs up".to_string(),
        );
        self.with_help("a comma may be missing after the priority label: `n(label),App(...)`");
    }

    pub fn text_after_label(&mut self, at: Span, text: &str) {
        self.push(
            Code::TextAfterLabel,
            Some(at),
            "ignored",
            format!("`{text}` after the label is ignored, so this priority has no application; a call reaching it hangs up"),
        );
        self.with_help("a comma is missing after the label: `n(label),App(...)`");
    }

    pub fn missing_target(&mut self, at: Span, app: &str, target: &str, why: &str) {
        self.push(
            Code::MissingTarget,
            Some(at),
            "no such target",
            format!("`{app}` target `{target}` does not exist: {why}"),
        );
    }

    pub fn unreachable_priority(&mut self, at: Span, exten: &str, priority: i64, gap: i64) {
        self.push(
            Code::UnreachablePriority,
            Some(at),
            "after a gap",
            format!("priority {priority} of extension `{exten}` follows a gap (there is no priority {gap}); execution never falls through to it"),
        );
        self.with_help("number priorities without gaps, or reach it by label");
    }

    pub fn unsupported_option(&mut self, at: Span, option: &str, what: &str) {
        self.push(
            Code::UnsupportedOption,
            Some(at),
            "ignored",
            format!("`{option}` {what}"),
        );
    }
}
