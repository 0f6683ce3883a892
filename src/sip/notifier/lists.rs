//! Resource-list subscriptions (RFC 4662, spec sip-presence.md §9): one dialog watching the
//! hints of a `type=resource_list`, told of them in multipart/related NOTIFYs with an RLMI part.
//!
//! The tree is built depth-first in item order with one visited set (§9.3): duplicates and
//! loops are skipped, a sub-list is kept only with at least one child, a leaf only when its hint
//! exists. Each leaf counts as one watcher of its hint. Initial, refresh and final NOTIFYs carry
//! every resource; a change carries only the resources whose body changed, or all of them with
//! `full_state=yes` (§9.5); `notification_batch_interval` of the root list gathers changes.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::sip::body::rlmi::{self, Child, InstanceState, ListBody};
use crate::sip::body::{Slots, Template};
use crate::sip::uri::Uri;
use crate::state::HintKey;

use super::{template_for, End, HintState, Notifier, NotifyBody, Now, Outbound};

/// A list subscription's tree and batching state.
#[derive(Debug)]
pub(super) struct ListSub {
    pub root: ListNode,
    pub batch: Duration,
    /// When the batched NOTIFY is due, while one is scheduled.
    pub batch_due: Option<Instant>,
    /// The next NOTIFY carries every resource (initial, refresh).
    pub force_full: bool,
}

#[derive(Debug)]
pub(super) struct ListNode {
    pub name: Box<str>,
    pub uri: Box<str>,
    pub full_state: bool,
    /// The RLMI version of the next NOTIFY.
    pub version: u64,
    pub children: Vec<Node>,
}

#[derive(Debug)]
pub(super) enum Node {
    Leaf(Leaf),
    List { node: ListNode, instance: Box<str> },
}

#[derive(Debug)]
pub(super) struct Leaf {
    pub resource: Box<str>,
    /// The RLMI `<name>`: the resource, or the hint's display name (`resource_display_name`).
    pub name: Box<str>,
    pub key: HintKey,
    pub uri: Box<str>,
    pub instance: Box<str>,
    /// The body last sent for this resource.
    pub sent: Option<Arc<Template>>,
    /// The dialog-info version of the last body (`None` before the first).
    pub version: Option<u64>,
    pub atom_id: Box<str>,
    /// Its hint changed since the last NOTIFY.
    pub changed: bool,
    /// Its hint went away: shown once as terminated, then dropped.
    pub gone: bool,
    /// The dialog-info version persisted (a restart continues from it).
    pub reserved: u64,
}

impl ListNode {
    /// The names of the tree in order (what a refresh compares, §9.6).
    fn shape(&self, out: &mut Vec<String>) {
        for child in &self.children {
            match child {
                Node::Leaf(leaf) => out.push(format!("{}/{}", leaf.resource, leaf.name)),
                Node::List { node, .. } => {
                    out.push(format!("[{}", node.name));
                    node.shape(out);
                    out.push("]".to_string());
                }
            }
        }
    }

    /// The hints of the resources still there (a gone one was released when its hint went).
    fn leaves(&self, out: &mut Vec<HintKey>) {
        for child in &self.children {
            match child {
                Node::Leaf(leaf) if leaf.gone => {}
                Node::Leaf(leaf) => out.push(leaf.key.clone()),
                Node::List { node, .. } => node.leaves(out),
            }
        }
    }

    fn mark(&mut self, key: &HintKey, gone: bool) {
        for child in &mut self.children {
            match child {
                Node::Leaf(leaf) if leaf.key == *key => {
                    leaf.changed = true;
                    leaf.gone |= gone;
                }
                Node::Leaf(_) => {}
                Node::List { node, .. } => node.mark(key, gone),
            }
        }
    }

    /// Whether any resource is still there (not gone).
    fn has_live(&self) -> bool {
        self.children.iter().any(|child| match child {
            Node::Leaf(leaf) => !leaf.gone,
            Node::List { node, .. } => node.has_live(),
        })
    }

    /// Drops the leaves shown as gone, and the sub-lists left empty.
    fn prune(&mut self) {
        self.children.retain_mut(|child| match child {
            Node::Leaf(leaf) => !leaf.gone,
            Node::List { node, .. } => {
                node.prune();
                !node.children.is_empty()
            }
        });
    }
}

impl ListNode {
    fn leaves_mut(&mut self, f: &mut dyn FnMut(&mut Leaf)) {
        for child in &mut self.children {
            match child {
                Node::Leaf(leaf) => f(leaf),
                Node::List { node, .. } => node.leaves_mut(f),
            }
        }
    }
}

impl ListSub {
    /// The persisted dialog-info version of each resource.
    pub fn leaf_versions(&mut self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        self.root
            .leaves_mut(&mut |leaf| out.push((leaf.resource.to_string(), leaf.reserved)));
        out
    }

    /// Continues each resource's dialog-info version from what was persisted (restart).
    pub fn seed_versions(&mut self, stored: &[(String, u64)]) {
        self.root.leaves_mut(&mut |leaf| {
            if let Some((_, v)) = stored.iter().find(|(name, _)| **name == *leaf.resource) {
                leaf.version = Some(*v);
                leaf.reserved = *v;
            }
        });
    }

    /// Whether a resource used up its reserved block of versions: then every resource gets a
    /// new block (persisted by the caller).
    pub fn reserve_versions(&mut self, block: u64) -> bool {
        let mut used_up = false;
        self.root.leaves_mut(&mut |leaf| {
            used_up |= leaf.version.is_some_and(|v| v >= leaf.reserved);
        });
        if used_up {
            self.root.leaves_mut(&mut |leaf| {
                leaf.reserved = leaf.version.unwrap_or(0) + block;
            });
        }
        used_up
    }

    /// The hints the list watches, in tree order.
    pub fn keys(&self) -> Vec<HintKey> {
        let mut out = Vec::new();
        self.root.leaves(&mut out);
        out
    }

    /// Notes that `key`'s hint changed (or went away).
    pub fn mark(&mut self, key: &HintKey, gone: bool) {
        self.root.mark(key, gone);
    }
}

/// What one NOTIFY shows of a list, owned (phase one); borrowed into `rlmi::ListBody` to render.
struct Shown {
    uri: Box<str>,
    name: Box<str>,
    version: u64,
    full_state: bool,
    boundary: String,
    rlmi_cid: String,
    children: Vec<ShownChild>,
}

enum ShownChild {
    Resource {
        uri: Box<str>,
        name: Box<str>,
        instance: Box<str>,
        cid: String,
        state: InstanceState,
        content_type: &'static str,
        body: Vec<u8>,
    },
    List {
        list: Shown,
        instance: Box<str>,
        cid: String,
        state: InstanceState,
    },
}

impl Shown {
    fn borrow<'a>(&'a self, host: &'a str) -> ListBody<'a> {
        ListBody {
            uri: &self.uri,
            name: &self.name,
            host,
            version: self.version,
            full_state: self.full_state,
            boundary: &self.boundary,
            rlmi_cid: &self.rlmi_cid,
            children: self
                .children
                .iter()
                .map(|child| match child {
                    ShownChild::Resource {
                        uri,
                        name,
                        instance,
                        cid,
                        state,
                        content_type,
                        body,
                    } => Child::Resource {
                        uri,
                        name,
                        instance,
                        cid,
                        state: *state,
                        content_type,
                        body,
                    },
                    ShownChild::List {
                        list,
                        instance,
                        cid,
                        state,
                    } => Child::List {
                        list: list.borrow(host),
                        instance,
                        cid,
                        state: *state,
                    },
                })
                .collect(),
        }
    }
}

/// Five random lowercase letters from a xorshift state.
fn letters(rng: &mut u64) -> String {
    let mut out = String::with_capacity(5);
    for _ in 0..5 {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        out.push(char::from(b'a' + (*rng % 26) as u8));
    }
    out
}

/// What the per-resource bodies of one subscription need.
struct Render<'a> {
    kind: crate::sip::body::BodyType,
    opts: crate::sip::body::BodyOptions,
    remote_uri: &'a str,
    domain: &'a str,
}

impl Notifier {
    /// A refresh of a list subscription rebuilds its tree from the configuration now in force
    /// (§9.6): a different tree replaces the old one (keeping the RLMI version counter), the
    /// same one is kept; a list left with no resource ends the subscription. True while the
    /// subscription lives.
    pub(super) fn rebuild_list(&mut self, id: u64, now: Now, out: &mut Vec<Outbound>) -> bool {
        let Some(sub) = self.subs.get(&id) else {
            return false;
        };
        let Some(old) = &sub.list else {
            return true;
        };
        let package = sub
            .event
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let (name, context) = (sub.exten.to_string(), sub.context.to_string());
        let mut old_shape = Vec::new();
        old.root.shape(&mut old_shape);
        let old_version = old.root.version;
        let base = Uri::parse(&sub.local_uri).ok();
        let built = match base {
            Some(base) if self.config.resource_lists.contains_key(&name) => {
                self.build_list(&name, &package, &context, &base, None)
            }
            _ => None,
        };
        let Some((mut list, states)) = built else {
            tracing::info!(list = %name, "list has no resources any more; subscription ended");
            self.terminate(id, End::HintGone, now, out);
            return false;
        };
        let mut new_shape = Vec::new();
        list.root.shape(&mut new_shape);
        if new_shape == old_shape {
            // The same tree: give back what the rebuild subscribed.
            for (key, _) in &states {
                self.hints_api.release(key);
            }
            return true;
        }
        list.root.version = old_version;
        let Some(sub) = self.subs.get_mut(&id) else {
            return false;
        };
        let old_keys = sub.list.as_ref().map(|l| l.keys()).unwrap_or_default();
        sub.list = Some(Box::new(list));
        for key in old_keys {
            if let Some(entry) = self.hints.get_mut(&key) {
                entry.subs.swap_remove(&id);
                if entry.subs.is_empty() {
                    self.hints.remove(&key);
                }
            }
            self.hints_api.release(&key);
        }
        for (key, state) in states {
            let entry = self.hints.entry(key).or_insert_with(|| super::HintEntry {
                state: state.clone(),
                subs: indexmap::IndexSet::new(),
                templates: Vec::new(),
            });
            // An entry nobody watches takes the fresh state (as `install` does).
            if entry.subs.is_empty() && entry.state != state {
                entry.state = state;
                entry.templates.clear();
            }
            entry.subs.insert(id);
        }
        true
    }

    fn letters(&mut self) -> String {
        letters(&mut self.rng)
    }

    /// Builds the tree of list `name` for `event` (§9.3), subscribing each leaf's hint.
    /// `None` when the root ends up with no resource (then nothing stays subscribed).
    pub(super) fn build_list(
        &mut self,
        name: &str,
        event: &str,
        context: &str,
        base: &Uri,
        batch_ms: Option<u32>,
    ) -> Option<(ListSub, Vec<(HintKey, HintState)>)> {
        let mut visited = HashSet::new();
        let mut states = Vec::new();
        let root = self.build_node(name, event, context, base, &mut visited, &mut states)?;
        let batch_ms = batch_ms.or_else(|| {
            self.config
                .resource_lists
                .get(name)
                .map(|l| l.batch_interval_ms)
        });
        Some((
            ListSub {
                root,
                batch: Duration::from_millis(u64::from(batch_ms.unwrap_or(0))),
                batch_due: None,
                force_full: true,
            },
            states,
        ))
    }

    fn build_node(
        &mut self,
        name: &str,
        event: &str,
        context: &str,
        base: &Uri,
        visited: &mut HashSet<String>,
        states: &mut Vec<(HintKey, HintState)>,
    ) -> Option<ListNode> {
        let list = self.config.resource_lists.get(name)?.clone();
        visited.insert(name.to_string());
        let mut children = Vec::new();
        for item in &list.items {
            if !visited.insert(item.clone()) {
                tracing::info!(list = %name, item = %item, "list item already in the tree (a duplicate or a loop); left out");
                continue;
            }
            let nested = self
                .config
                .resource_lists
                .get(item)
                .is_some_and(|l| l.event == event);
            if nested {
                if let Some(node) = self.build_node(item, event, context, base, visited, states) {
                    let instance = self.letters().into();
                    children.push(Node::List { node, instance });
                }
            } else if let Some((key, state)) = self.hints_api.subscribe(context, item) {
                let name = if list.resource_display_name {
                    self.hints_api
                        .display_name(&key)
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| item.clone())
                } else {
                    item.clone()
                };
                states.push((key.clone(), state));
                children.push(Node::Leaf(Leaf {
                    resource: item.as_str().into(),
                    name: name.into(),
                    key,
                    uri: base.with_user(item).to_string().into(),
                    instance: self.letters().into(),
                    sent: None,
                    version: None,
                    atom_id: super::random_id().into(),
                    changed: true,
                    gone: false,
                    reserved: 0,
                }));
            } else {
                tracing::info!(list = %name, item = %item, "list item has no hint; left out");
            }
        }
        if children.is_empty() {
            return None;
        }
        Some(ListNode {
            name: name.into(),
            uri: base.with_user(name).to_string().into(),
            full_state: list.full_state,
            version: 0,
            children,
        })
    }

    /// Sends a list subscription's NOTIFY: every resource when `end` is set or a full NOTIFY is
    /// due, else the changed ones (none changed: nothing is sent). Changes wait for the batch
    /// interval unless `from_batch`.
    pub(super) fn send_list_notify(
        &mut self,
        id: u64,
        end: Option<End>,
        from_batch: bool,
        now: Now,
        out: &mut Vec<Outbound>,
    ) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        let Some(list) = sub.list.as_mut() else {
            return;
        };
        // The last resource went away: this NOTIFY is the final one (every instance shown
        // terminated), and the subscription ends with it.
        let end = match end {
            None if !list.root.has_live() => Some(End::HintGone),
            other => other,
        };
        let full = end.is_some() || list.force_full;
        if !full && !from_batch && !list.batch.is_zero() {
            if list.batch_due.is_none() {
                let due = now.mono + list.batch;
                list.batch_due = Some(due);
                self.batches.push(Reverse((due, id)));
            }
            return;
        }
        list.batch_due = None;
        list.force_full = false;
        let render = Render {
            kind: sub.kind,
            opts: sub.opts,
            remote_uri: &sub.remote_uri,
            domain: &sub.domain,
        };
        let host = Uri::parse(&sub.local_uri)
            .map(|u| u.host)
            .unwrap_or_default();
        let shown = show_node(
            &mut list.root,
            full,
            end.is_some(),
            &render,
            &mut self.hints,
            &mut self.rng,
        );
        list.root.prune();
        let Some(shown) = shown else {
            return;
        };
        let mut body = Vec::with_capacity(1024);
        rlmi::render(
            &shown.borrow(host.trim_start_matches('[').trim_end_matches(']')),
            &mut body,
        );
        let content_type = rlmi::content_type(&shown.boundary);
        let save = list.reserve_versions(u64::from(super::RESERVE)) && end.is_none();
        self.write_notify(id, end, NotifyBody::Bytes(content_type, body), now, out);
        if save {
            self.save(id);
        }
        if end == Some(End::HintGone) {
            // Every resource went away (or the whole list did): the subscription is over.
            self.remove(id, now);
        }
    }
}

/// Phase one of a list NOTIFY: decides what each list shows, bumps versions and remembers what
/// was sent. `None` when the list shows nothing.
fn show_node(
    node: &mut ListNode,
    parent_full: bool,
    ending: bool,
    render: &Render<'_>,
    hints: &mut std::collections::HashMap<HintKey, super::HintEntry>,
    rng: &mut u64,
) -> Option<Shown> {
    let full = parent_full || node.full_state;
    let mut children = Vec::new();
    for child in &mut node.children {
        match child {
            Node::Leaf(leaf) => {
                let changed = std::mem::take(&mut leaf.changed);
                if !full && !changed {
                    continue;
                }
                let template = if leaf.gone {
                    leaf.sent.clone()
                } else {
                    template_for(hints, &leaf.key, render.kind, render.opts, &leaf.resource)
                        .or_else(|| leaf.sent.clone())
                };
                let Some(template) = template else {
                    continue;
                };
                let fresh = leaf.sent.as_ref().is_none_or(|s| **s != *template);
                if !full && !fresh && !leaf.gone {
                    continue;
                }
                if fresh || leaf.version.is_none() {
                    leaf.version = Some(leaf.version.map_or(0, |v| v + 1));
                }
                leaf.sent = Some(template.clone());
                let mut body = Vec::with_capacity(template.len_hint() + 64);
                template.render_into(
                    &Slots {
                        local_uri: &leaf.uri,
                        remote_uri: render.remote_uri,
                        domain: render.domain,
                        version: leaf.version.unwrap_or(0),
                        atom_id: &leaf.atom_id,
                    },
                    &mut body,
                );
                children.push(ShownChild::Resource {
                    uri: leaf.uri.clone(),
                    name: leaf.name.clone(),
                    instance: leaf.instance.clone(),
                    cid: letters(rng),
                    state: if leaf.gone || ending {
                        InstanceState::Terminated
                    } else {
                        InstanceState::Active
                    },
                    content_type: template.content_type(),
                    body,
                });
            }
            Node::List {
                node: inner,
                instance,
            } => {
                // A list sending full state makes its nested lists send theirs.
                if let Some(list) = show_node(inner, full, ending, render, hints, rng) {
                    children.push(ShownChild::List {
                        list,
                        instance: instance.clone(),
                        cid: letters(rng),
                        state: if ending {
                            InstanceState::Terminated
                        } else {
                            InstanceState::Active
                        },
                    });
                }
            }
        }
    }
    if children.is_empty() {
        return None;
    }
    let version = node.version;
    node.version += 1;
    Some(Shown {
        uri: node.uri.clone(),
        name: node.name.clone(),
        version,
        full_state: full,
        boundary: letters(rng),
        rlmi_cid: letters(rng),
        children,
    })
}
