//! Data-driven tests of the config layer: text in, a dump of sections, items and diagnostics out.
//! The vectors are spec dialplan.md §8.1.

use std::fmt::Write;
use std::path::Path;

use crate::config::{load, load_str, MemProvider};
use crate::diag::{render_short, Loaded};

fn dump(loaded: &Loaded<crate::config::ConfFile>) -> String {
    let mut out = String::new();
    for cat in &loaded.value.categories {
        let tmpl = if cat.template { "(!)" } else { "" };
        let _ = writeln!(out, "[{}]{tmpl}", cat.name);
        for item in &cat.items {
            let op = if item.object { "=>" } else { "=" };
            let inh = if item.inherited { " (inherited)" } else { "" };
            let _ = writeln!(out, "  {} {op} «{}»{inh}", item.name, item.value());
        }
    }
    for diag in loaded.diagnostics.items() {
        let _ = writeln!(out, "{}", render_short(&loaded.sources, diag));
    }
    out
}

#[track_caller]
fn check(text: &str, expect: &str) {
    let loaded = load_str("t.conf", text);
    let got = dump(&loaded);
    assert_eq!(got.trim_end(), expect.trim_end(), "\n--- got ---\n{got}");
}

#[test]
fn templates_and_inheritance() {
    check(
        "[c1t](!)\nvar1=val1\nvar1=val2\nvar2=val21\n[c1](c1t)\nvar1=val3\nvar1=val4\n",
        "[c1t](!)\n  var1 = «val1»\n  var1 = «val2»\n  var2 = «val21»\n[c1]\n  var1 = «val1» (inherited)\n  var1 = «val2» (inherited)\n  var2 = «val21» (inherited)\n  var1 = «val3»\n  var1 = «val4»",
    );
}

#[test]
fn append_goes_to_the_first_section_of_that_name() {
    check(
        "[a]\nx=1\n[b]\ny=2\n[a](+)\nz=3\n",
        "[a]\n  x = «1»\n  z = «3»\n[b]\n  y = «2»",
    );
    check("[a]\nx=1\n[a]\nz=3\n", "[a]\n  x = «1»\n[a]\n  z = «3»");
    check(
        "[t](!)\nx=1\n[a](t)\n[t](+)\ny=2\n",
        "[t](!)\n  x = «1»\n  y = «2»\n[a]\n  x = «1» (inherited)",
    );
}

#[test]
fn plus_equals_appends_raw_text() {
    check(
        "[a]\nFOO=abc\nFOO+=def\nFOO += ghi\n",
        "[a]\n  FOO = «abcdef ghi»",
    );
    check("[a]\nBAR += x\n", "[a]\n  BAR = «x»");
}

#[test]
fn section_names_are_not_trimmed() {
    check("[ foo ]\n[foo] trailing junk\n", "[ foo ]\n[foo]");
}

#[test]
fn fatal_problems_are_errors() {
    check(
        "x=1\n",
        "t.conf:1:1: error[config::item-outside-section]: item before the first section header; Asterisk refuses the whole file",
    );
    check(
        "[foo\n",
        "t.conf:1:1: error[config::missing-bracket]: section header has no closing `]`; Asterisk refuses the whole file",
    );
    check(
        "[foo](!\n",
        "t.conf:1:1: error[config::missing-paren]: section options have no closing `)`; Asterisk refuses the whole file",
    );
    check(
        "[foo](+)\n",
        "t.conf:1:7: error[config::unknown-append-target]: `(foo)(+)` appends to section `foo`, but no earlier section has that name; Asterisk refuses the whole file",
    );
    check(
        "[foo](bar)\n",
        "t.conf:1:7: error[config::unknown-template]: inherits from `bar`, but no earlier section or template has that name; Asterisk refuses the whole file",
    );
}

#[test]
fn warnings_skip_the_line_and_keep_going() {
    check(
        "[a]\njusttext\n= value\nok=1\n",
        "[a]\n  ok = «1»\nt.conf:2:1: warning[config::missing-equals]: expected `name = value` or `name => value`, found `justtext`; line skipped\nt.conf:3:1: warning[config::missing-name]: item has no name before `=`; line skipped",
    );
}

#[test]
fn directives() {
    check(
        "[a]\n#foo bar\n#include\n#exec /bin/true\n#tryinclude nosuch.conf\n",
        "[a]\nt.conf:2:1: warning[config::unknown-directive]: unknown directive `#foo`; ignored\nt.conf:3:1: warning[config::directive-needs-argument]: `#include / tryinclude` needs an argument (filename); ignored\nt.conf:4:1: warning[config::exec-refused]: `#exec` is refused: dialstate never runs programs from a config file",
    );
    check(
        "[a]\n#include nosuch.conf\n",
        "[a]\nt.conf:2:10: error[config::include-not-found]: `#include` of `nosuch.conf`, which does not exist; Asterisk refuses the whole file",
    );
}

#[test]
fn included_text_behaves_as_if_inline() {
    let provider = MemProvider::default()
        .with("dir/top.conf", "[a]\nx=1\n#include \"inc.conf\"\ny=2\n")
        .with("dir/inc.conf", "z=3\n[b]\nw=4\n");
    let loaded = load(&provider, Path::new("dir/top.conf"));
    assert_eq!(
        dump(&loaded).trim_end(),
        "[a]\n  x = «1»\n  z = «3»\n  y = «2»\n[b]\n  w = «4»"
    );
    for form in ["<inc.conf>", "inc.conf", "\"inc.conf\""] {
        let provider = MemProvider::default()
            .with("top.conf", format!("[a]\n#include {form}\n"))
            .with("inc.conf", "z=3\n");
        let loaded = load(&provider, Path::new("top.conf"));
        assert_eq!(dump(&loaded).trim_end(), "[a]\n  z = «3»");
    }
}

#[test]
fn include_globs_and_braces_load_every_match_in_order() {
    let provider = MemProvider::default()
        .with(
            "top.conf",
            "[a]\n#include conf.d/*.conf\n#include {x,y}.inc\n",
        )
        .with("conf.d/b.conf", "b=1\n")
        .with("conf.d/a.conf", "a=1\n")
        .with("x.inc", "x=1\n")
        .with("y.inc", "y=1\n");
    let loaded = load(&provider, Path::new("top.conf"));
    assert_eq!(
        dump(&loaded).trim_end(),
        "[a]\n  a = «1»\n  b = «1»\n  x = «1»\n  y = «1»"
    );
}

#[test]
fn include_cycles_stop_at_the_depth_limit() {
    let provider = MemProvider::default().with("loop.conf", "[a]\n#include loop.conf\nx=1\n");
    let loaded = load(&provider, Path::new("loop.conf"));
    assert!(loaded.diagnostics.rejects_file());
    assert_eq!(loaded.value.categories.len(), 1);
    let out = dump(&loaded);
    assert!(out.contains("it includes itself"), "{out}");
    // Two files including each other, each twice: still read once each.
    let provider = MemProvider::default()
        .with("a.conf", "[a]\n#include b.conf\n#include b.conf\n")
        .with("b.conf", "x=1\n#include a.conf\n#include a.conf\n");
    let loaded = load(&provider, Path::new("a.conf"));
    assert!(loaded.diagnostics.rejects_file());
    assert_eq!(loaded.value.categories[0].items.len(), 2);
}

#[test]
fn escapes_and_comments_in_values() {
    check(
        "[a]\nexten => 1,n,NoOp(a\\;b) ; comment\n\\[x=1\n",
        "[a]\n  exten => «1,n,NoOp(a;b)»\n  [x = «1»",
    );
    check(
        "[a]\n\\ x=1\n",
        "[a]\nt.conf:2:1: error[config::invalid-escape]: a leading `\\` must escape a visible character; Asterisk refuses the whole file",
    );
}

#[test]
fn stray_block_comment_end_warns() {
    check(
        "[a]\nq = r--;s\nnext=1\n;-- reopen\nz = 1\n",
        "[a]\n  q = «r--;s»\n  z = «1»\nt.conf:2:6: warning[config::stray-block-comment-end]: `--;` outside a block comment: Asterisk keeps this line but treats every following line as a comment until the next `;--`",
    );
}

#[test]
fn unterminated_block_comment_warns() {
    check(
        "[a]\nx=1 ;-- open\ny=2\n",
        "[a]\n  x = «1»\nt.conf:2:5: warning[config::unterminated-block-comment]: unterminated block comment: the rest of the file is commented out",
    );
}

#[test]
fn long_lines_are_skipped() {
    let text = format!("[a]\nx={}\ny=1\n", "v".repeat(9000));
    let loaded = load_str("t.conf", &text);
    let out = dump(&loaded);
    assert!(out.contains("y = «1»"), "{out}");
    assert!(out.contains("config::line-too-long"), "{out}");
    assert!(!out.contains("  x ="), "{out}");
}

#[test]
fn value_spans_point_into_the_source() {
    let text = "[a]\nexten => 1,1 ;-- c --; ,NoOp(x)\n";
    let loaded = load_str("t.conf", text);
    let item = &loaded.value.categories[0].items[0];
    assert_eq!(item.value(), "1,1  ,NoOp(x)");
    let span = item.value_span(6..13);
    assert_eq!(loaded.sources.text(span), "NoOp(x)");
    let span = item.value_span(0..3);
    assert_eq!(loaded.sources.text(span), "1,1");
}

#[test]
fn bom_and_crlf_are_handled() {
    check("\u{feff}[a]\r\nx = 1\r\n", "[a]\n  x = «1»");
}

#[test]
fn fast_item_split_agrees_with_the_grammar() {
    use crate::config::load::{split_item, split_item_with_grammar};
    let pieces = [
        "a", "=", "+", ">", " ", "b", "=>", "+=", "x y", "\t", "é", "==", "+",
    ];
    let mut seed: u32 = 7;
    for _ in 0..20_000 {
        let mut line = String::new();
        for _ in 0..(seed % 7) {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            line.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
        }
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        if line.starts_with(['[', '#', '\\']) {
            continue;
        }
        assert_eq!(
            split_item(&line),
            split_item_with_grammar(&line),
            "line {line:?}"
        );
    }
}
