//! The comment-stripping vectors of spec dialplan.md §8.1.

use crate::config::comments::{CommentPass, Outcome};

/// Runs `lines` through one pass and returns, per line, the kept text or `None`.
#[track_caller]
fn check(lines: &[&str], expect: &[Option<&str>]) {
    let mut pass = CommentPass::default();
    let mut events = Vec::new();
    let got: Vec<Option<String>> = lines
        .iter()
        .enumerate()
        .map(|(idx, line)| match pass.line(idx, line, &mut events) {
            Outcome::Dropped => None,
            Outcome::Whole => Some(line.to_string()),
            Outcome::Rewritten(kept) => Some(kept.text),
        })
        .map(|it| it.map(|s| s.trim_matches(|c: char| c <= ' ').to_string()))
        .map(|it| it.filter(|s| !s.is_empty()))
        .collect();
    let expect: Vec<Option<String>> = expect.iter().map(|it| it.map(str::to_string)).collect();
    assert_eq!(got, expect, "lines {lines:?}");
}

#[test]
fn single_line_vectors() {
    check(
        &["exten => 1,1,NoOp(a) ; comment"],
        &[Some("exten => 1,1,NoOp(a)")],
    );
    check(
        &["exten => 1,n,NoOp(a\\;b)"],
        &[Some("exten => 1,n,NoOp(a;b)")],
    );
    check(
        &["exten => 3,1,Set(A=\\\\;)"],
        &[Some("exten => 3,1,Set(A=\\;)")],
    );
    check(&["k = v \\; w ; real comment"], &[Some("k = v ; w")]);
    check(&["x = y ;--- not a block"], &[Some("x = y")]);
    check(&[";--- triple dash is a plain comment"], &[None]);
    check(&["x=1;--c--;;tail"], &[Some("x=1")]);
    check(
        &["exten => 6,1,NoOp(\\;--not block)"],
        &[Some("exten => 6,1,NoOp(;--not block)")],
    );
}

#[test]
fn inline_block_comments_join_the_text_around_them() {
    let mut pass = CommentPass::default();
    let mut events = Vec::new();
    let Outcome::Rewritten(kept) = pass.line(0, "a ;-- inline --; b", &mut events) else {
        panic!("expected rewritten text");
    };
    assert_eq!(kept.text, "a  b");
    assert_eq!(kept.pieces, vec![(0, 0), (2, 16)]);
    let Outcome::Rewritten(kept) = pass.line(1, "c ;-- n1 ;-- n2 --; still --; d", &mut events)
    else {
        panic!("expected rewritten text");
    };
    assert_eq!(kept.text, "c  d");
}

#[test]
fn block_comment_opened_inside_a_value() {
    check(
        &["exten => 4,1,NoOp(;--)", "hidden", "--;x = 1"],
        &[Some("exten => 4,1,NoOp("), None, Some("x = 1")],
    );
}

#[test]
fn block_comment_over_three_lines() {
    check(
        &[
            "exten => 1,n,NoOp(x);--block",
            "still in block",
            "end--;exten => 2,1,NoOp(after)",
        ],
        &[
            Some("exten => 1,n,NoOp(x)"),
            None,
            Some("exten => 2,1,NoOp(after)"),
        ],
    );
}

#[test]
fn stray_close_comments_out_until_reopened() {
    check(
        &["q = r--;s", "next", ";-- reopen", "z = 1"],
        &[Some("q = r--;s"), None, None, Some("z = 1")],
    );
}

#[test]
fn semicolon_after_opener_marker_is_not_a_closer() {
    check(&[";--;", "x=1", "--;y=2"], &[None, None, Some("y=2")]);
}

#[test]
fn opener_wins_over_closer_on_the_same_semicolon() {
    check(
        &["a--;--b", "x", "--;c=1"],
        &[Some("a--"), None, Some("c=1")],
    );
}
