//! A tiny XML tree and a printer that follows the pjlib-util rules of spec §7.2, writing into a
//! template. Literal text is escaped when it is printed and slots are left open, so every
//! interpolated string goes through the same escaping whether it is known now or at render time.

use crate::sip::body::template::{sanitize, Slot, TemplateWriter};

/// The XML declaration every body starts with.
const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// One piece of an attribute value or element text.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    /// Literal text, escaped when printed.
    Text(String),
    /// A per-subscription value, escaped when rendered.
    Slot(Slot),
}

/// An attribute value or element text: a sequence of literal text and slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Value(Vec<Part>);

impl Value {
    pub(crate) fn text(text: &str) -> Value {
        Value::default().and(text)
    }

    pub(crate) fn slot(slot: Slot) -> Value {
        Value::default().and_slot(slot)
    }

    pub(crate) fn and(mut self, text: &str) -> Value {
        if !text.is_empty() {
            self.0.push(Part::Text(text.to_string()));
        }
        self
    }

    pub(crate) fn and_slot(mut self, slot: Slot) -> Value {
        self.0.push(Part::Slot(slot));
        self
    }

    /// Empty in pjlib's sense: no literal text and no slot.
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::text(text)
    }
}

impl From<Slot> for Value {
    fn from(slot: Slot) -> Value {
        Value::slot(slot)
    }
}

/// An element with attributes in insertion order, optional text and children.
#[derive(Clone, Debug)]
pub(crate) struct Element {
    name: &'static str,
    attrs: Vec<(&'static str, Value)>,
    text: Value,
    children: Vec<Element>,
}

impl Element {
    pub(crate) fn new(name: &'static str) -> Element {
        Element {
            name,
            attrs: Vec::new(),
            text: Value::default(),
            children: Vec::new(),
        }
    }

    pub(crate) fn attr(mut self, name: &'static str, value: impl Into<Value>) -> Element {
        self.attrs.push((name, value.into()));
        self
    }

    pub(crate) fn text(mut self, text: impl Into<Value>) -> Element {
        self.text = text.into();
        self
    }

    pub(crate) fn child(mut self, child: Element) -> Element {
        self.children.push(child);
        self
    }

    pub(crate) fn push_attr(&mut self, name: &'static str, value: impl Into<Value>) {
        self.attrs.push((name, value.into()));
    }

    pub(crate) fn push(&mut self, child: Element) {
        self.children.push(child);
    }

    /// Prints the document: prolog, this element as root, trailing LF.
    pub(crate) fn print_document(&self, out: &mut TemplateWriter) {
        out.raw(PROLOG);
        self.print(0, out);
        out.raw("\n");
    }

    fn print(&self, depth: usize, out: &mut TemplateWriter) {
        debug_assert!(
            self.text.is_empty() || self.children.is_empty(),
            "invariant: no element has both text and children"
        );
        out.raw("<");
        out.raw(self.name);
        for (name, value) in &self.attrs {
            out.raw(" ");
            out.raw(name);
            // pjlib prints an attribute with an empty value as its bare name.
            if !value.is_empty() {
                out.raw("=\"");
                print_value(value, out);
                out.raw("\"");
            }
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.raw(" />");
            return;
        }
        out.raw(">");
        print_value(&self.text, out);
        for child in &self.children {
            out.raw("\n");
            indent(depth + 1, out);
            child.print(depth + 1, out);
        }
        if !self.children.is_empty() {
            out.raw("\n");
            indent(depth, out);
        }
        out.raw("</");
        out.raw(self.name);
        out.raw(">");
    }
}

fn print_value(value: &Value, out: &mut TemplateWriter) {
    for part in &value.0 {
        match part {
            Part::Text(text) => out.raw(&sanitize(text)),
            Part::Slot(slot) => out.slot(*slot),
        }
    }
}

fn indent(depth: usize, out: &mut TemplateWriter) {
    for _ in 0..depth {
        out.raw(" ");
    }
}
