//! The stable codes of every diagnostic. A code never changes meaning once released: editors and
//! CI filters match on it. `Code::as_str` gives the `module::kebab-name` spelling users see.

macro_rules! codes {
    (@severity Fatal) => { crate::diag::Severity::Error };
    (@severity Error) => { crate::diag::Severity::Error };
    (@severity Warning) => { crate::diag::Severity::Warning };
    (@fatal Fatal) => { true };
    (@fatal $other:ident) => { false };
    ($($variant:ident => $text:literal, $severity:ident;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// The severity a diagnostic with this code always has.
            pub fn severity(self) -> crate::diag::Severity {
                match self {
                    $(Code::$variant => codes!(@severity $severity),)*
                }
            }

            /// True for the problems that make Asterisk reject the whole file (spec dialplan.md
            /// §1.7): a running server keeps its previous dialplan when any of them is present.
            pub fn rejects_file(self) -> bool {
                match self {
                    $(Code::$variant => codes!(@fatal $severity),)*
                }
            }
        }
    };
}

codes! {
    // pjsip.conf objects (`res/res_pjsip/pjsip_configuration.c`, sorcery): a bad object is
    // skipped, the rest loads.
    PjsipUnknownType => "pjsip::unknown-type", Warning;
    PjsipUnknownOption => "pjsip::unknown-option", Warning;
    PjsipBadValue => "pjsip::bad-value", Error;
    PjsipMissingObject => "pjsip::missing-object", Warning;
    // The config lexical layer (`main/config.c`). Errors are the problems that make Asterisk
    // refuse the whole file (`Fatal`).
    UnreadableFile => "config::unreadable-file", Fatal;
    NotUtf8 => "config::not-utf8", Warning;
    LineTooLong => "config::line-too-long", Warning;
    CommentNestLimit => "config::comment-nest-limit", Warning;
    UnterminatedComment => "config::unterminated-block-comment", Warning;
    StrayBlockCommentEnd => "config::stray-block-comment-end", Warning;
    MissingBracket => "config::missing-bracket", Fatal;
    MissingParen => "config::missing-paren", Fatal;
    UnknownAppendTarget => "config::unknown-append-target", Fatal;
    UnknownTemplate => "config::unknown-template", Fatal;
    NoCategory => "config::item-outside-section", Fatal;
    InvalidEscape => "config::invalid-escape", Fatal;
    NoEquals => "config::missing-equals", Warning;
    NoName => "config::missing-name", Warning;
    DirectiveNeedsArgument => "config::directive-needs-argument", Warning;
    UnknownDirective => "config::unknown-directive", Warning;
    ExecRefused => "config::exec-refused", Warning;
    IncludeNotFound => "config::include-not-found", Fatal;
    IncludeDepth => "config::include-depth", Fatal;
    NotRegularFile => "config::not-regular-file", Warning;
    // Dialplan statements (`pbx/pbx_config.c`, `main/pbx.c`).
    NoPreviousExtension => "dialplan::same-without-exten", Error;
    NextOnFirst => "dialplan::next-on-first", Warning;
    SameOnFirst => "dialplan::same-on-first", Warning;
    InvalidPriority => "dialplan::invalid-priority", Warning;
    UnknownPriorityLabel => "dialplan::unknown-priority-label", Warning;
    LabelMissingParen => "dialplan::label-missing-paren", Warning;
    AppMissingParen => "dialplan::app-missing-paren", Warning;
    DiscouragedPattern => "dialplan::discouraged-pattern", Warning;
    EmptyExtension => "dialplan::empty-extension", Error;
    UnknownItem => "dialplan::unknown-item", Warning;
    MissingFields => "dialplan::missing-fields", Warning;
    DuplicatePriority => "dialplan::duplicate-priority", Error;
    DuplicateLabel => "dialplan::duplicate-label", Warning;
    PriorityZeroDropped => "dialplan::priority-zero-dropped", Warning;
    DuplicateInclude => "dialplan::duplicate-include", Warning;
    DuplicateIgnorepat => "dialplan::duplicate-ignorepat", Warning;
    DuplicateSwitch => "dialplan::duplicate-switch", Warning;
    SwitchIgnored => "dialplan::switch-ignored", Warning;
    MissingInclude => "dialplan::include-missing-context", Error;
    InvalidTimespec => "dialplan::invalid-timespec", Warning;
    InvalidPattern => "dialplan::invalid-pattern", Error;
    IgnoredPatternTail => "dialplan::ignored-pattern-tail", Warning;
    HintOnPattern => "dialplan::hint-on-pattern", Warning;
    HintPresenceComma => "dialplan::hint-presence-comma", Warning;
    UnknownApplication => "dialplan::unknown-application", Warning;
    RemovedMacro => "dialplan::removed-macro", Warning;
    AppTrailingBlank => "dialplan::app-trailing-blank", Warning;
    EmptyApplication => "dialplan::empty-application", Warning;
    TextAfterLabel => "dialplan::text-after-label", Warning;
    MissingTarget => "dialplan::missing-goto-target", Error;
    UnreachablePriority => "dialplan::unreachable-priority", Warning;
    UnsupportedOption => "dialplan::unsupported-option", Warning;
}
