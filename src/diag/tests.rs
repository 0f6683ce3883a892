//! Tests of the renderers: positions, clipping of long lines and the three output forms.

use crate::diag::{render_json, render_rich, render_short, Diagnostics, FileId, SourceMap, Span};

fn map_with(text: &str) -> (SourceMap, FileId) {
    let mut map = SourceMap::default();
    let id = map.add("extensions.conf", text.to_string());
    (map, id)
}

#[test]
fn short_form_names_file_line_and_column() {
    let (map, id) = map_with("[default]\nexten => 1,x,NoOp\n");
    let mut diags = Diagnostics::default();
    diags.invalid_priority(Span::new(id, 21, 22), "x");
    let out = render_short(&map, &diags.items()[0]);
    assert_eq!(
        out,
        "extensions.conf:2:12: warning[dialplan::invalid-priority]: invalid priority `x`; line dropped"
    );
}

#[test]
fn rich_form_shows_caret_under_the_span() {
    let (map, id) = map_with("[default]\nexten => 1,x,NoOp\n");
    let mut diags = Diagnostics::default();
    diags.invalid_priority(Span::new(id, 21, 22), "x");
    let out = render_rich(&map, &diags.items()[0]);
    assert!(out.contains("[extensions.conf:2:12]"), "{out}");
    assert!(out.contains("exten => 1,x,NoOp"), "{out}");
}

#[test]
fn rich_form_clips_very_long_lines() {
    let long = format!("[a]\nx={}\n", "y".repeat(100_000));
    let (map, id) = map_with(&long);
    let mut diags = Diagnostics::default();
    diags.no_equals(Span::new(id, 50_000, 50_001), "y");
    let out = render_rich(&map, &diags.items()[0]);
    assert!(out.len() < 2_000, "{}", out.len());
    assert!(out.contains("[extensions.conf:2:49997]"), "{out}");
}

#[test]
fn json_form_is_one_object() {
    let (map, id) = map_with("[a]\nfoo\n");
    let mut diags = Diagnostics::default();
    diags.no_equals(Span::new(id, 4, 7), "foo");
    let out = render_json(&map, &diags.items()[0]);
    let value: serde_json::Value = serde_json::from_str(&out).expect("valid json");
    assert_eq!(value["line"], 2);
    assert_eq!(value["column"], 1);
    assert_eq!(value["code"], "config::missing-equals");
}

#[test]
fn rich_form_shows_both_labels_of_a_duplicate() {
    let (map, id) = map_with("[default]\nexten => 1,1,NoOp\nexten => 1,1,NoOp\n");
    let mut diags = Diagnostics::default();
    diags.duplicate_priority(
        Span::new(id, 37, 38),
        Span::new(id, 19, 20),
        "1",
        1,
        "default",
        None,
    );
    let out = render_rich(&map, &diags.items()[0]);
    // Both labels on their own lines, the header at the primary (second) one.
    assert!(out.contains("error[dialplan::duplicate-priority]"), "{out}");
    assert!(out.contains("[extensions.conf:3:10]"), "{out}");
    assert!(out.contains("first defined here"), "{out}");
    assert!(out.contains("duplicate"), "{out}");
    assert!(out.contains(" 2 │ exten => 1,1,NoOp"), "{out}");
}
