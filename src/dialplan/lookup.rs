//! Finding an extension and priority the way `pbx_find_extension` does (spec dialplan.md §3.4):
//! the context's own extensions in match order, falling through to less specific ones that have
//! the wanted priority, then the includes depth-first with a visited list.

use crate::dialplan::limits::MAX_INCLUDE_VISITS;
use crate::dialplan::lower::cid_matches;
use crate::dialplan::model::{Context, Dialplan, Exten, Priority};

/// What to find inside a matching extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Priority(i32),
    Label(&'a str),
}

/// The caller-ID side of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// A call with this caller number (`None` = no number): CID conditions apply.
    Number(Option<&'a str>),
    /// Static checks: every CID variant counts.
    Any,
}

/// A successful lookup.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// The context the extension was found in (possibly an included one).
    pub context: &'a Context,
    pub exten: &'a Exten,
    pub priority: &'a Priority,
}

/// How far a failed lookup got, ordered from least to most progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NotFound {
    NoContext,
    NoExtension,
    NoPriority,
    NoLabel,
}

impl Dialplan {
    /// Looks up `dialed` in `context` (and, failing that, its includes) for `target`, with the
    /// caller number `cid` (`None` = no caller number). Includes with a time window are always
    /// followed: this is the static view used by `check` and `dialplan show`.
    pub fn find<'a>(
        &'a self,
        context: &str,
        dialed: &str,
        target: Target<'_>,
        cid: Option<&str>,
    ) -> Result<Found<'a>, NotFound> {
        self.find_with(context, dialed, target, Caller::Number(cid))
    }

    /// Like `find`, with the caller side spelled out.
    pub fn find_with<'a>(
        &'a self,
        context: &str,
        dialed: &str,
        target: Target<'_>,
        cid: Caller<'_>,
    ) -> Result<Found<'a>, NotFound> {
        let mut visited: Vec<&str> = Vec::new();
        let mut status = NotFound::NoContext;
        let mut ids = Vec::new();
        self.search(
            context,
            dialed,
            target,
            cid,
            &mut visited,
            &mut status,
            &mut ids,
        )
        .ok_or(status)
    }

    #[allow(clippy::too_many_arguments)]
    fn search<'a>(
        &'a self,
        context: &str,
        dialed: &str,
        target: Target<'_>,
        cid: Caller<'_>,
        visited: &mut Vec<&'a str>,
        status: &mut NotFound,
        ids: &mut Vec<u32>,
    ) -> Option<Found<'a>> {
        if visited.iter().any(|it| it.eq_ignore_ascii_case(context))
            || visited.len() >= MAX_INCLUDE_VISITS
        {
            return None;
        }
        let ctx = self.contexts.get(context)?;
        *status = (*status).max(NotFound::NoExtension);
        ctx.index.matches(dialed, ids);
        for &id in ids.iter() {
            let Some(exten) = ctx.extens.get(id as usize) else {
                continue;
            };
            let cid_ok = match cid {
                Caller::Any => true,
                Caller::Number(number) => cid_matches(exten.cid.as_deref(), number),
            };
            if !cid_ok {
                continue;
            }
            let hit = match target {
                Target::Priority(number) => {
                    *status = (*status).max(NotFound::NoPriority);
                    exten.priority(number)
                }
                Target::Label(label) => {
                    *status = (*status).max(NotFound::NoLabel);
                    exten.label(label)
                }
            };
            if let Some(priority) = hit {
                return Some(Found {
                    context: ctx,
                    exten,
                    priority,
                });
            }
        }
        visited.push(&ctx.name);
        for include in &ctx.includes {
            let mut inner = Vec::new();
            if let Some(found) = self.search(
                &include.context,
                dialed,
                target,
                cid,
                visited,
                status,
                &mut inner,
            ) {
                return Some(found);
            }
        }
        None
    }
}
