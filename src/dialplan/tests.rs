//! Loading and lookup vectors of spec dialplan.md §8.2 and §8.3.

use crate::diag::render_short;
use crate::dialplan::{load_str, Caller, NotFound, Target};

/// Loads `text` and compares the normalised dialplan plus short diagnostics with `expect`.
#[track_caller]
fn check(text: &str, expect: &str) {
    let loaded = load_str("extensions.conf", text);
    let mut got = loaded.value.to_string();
    for diag in loaded.diagnostics.items() {
        got.push_str(&render_short(&loaded.sources, diag));
        got.push('\n');
    }
    assert_eq!(got.trim_end(), expect.trim_end(), "\n--- got ---\n{got}");
}

const SPEC_8_2: &str = "[general]
autofallthrough=yes
[globals]
PREFIX=9
OUT=${PREFIX}1
[tmpl](!)
exten => _X.,1,NoOp(template)
[default](tmpl)
exten => 100,1,NoOp(one)
 same => n(again),NoOp(two)
exten => 200,n,NoOp(three)
exten => 100,again+2,NoOp(four)
exten => 555-1212,1,NoOp(dash)
exten => 5551212,1,NoOp(dup)
exten => 300,hint,PJSIP/300
exten => 300,n,NoOp(lost)
exten => 400,1,NoOp (x)
exten => ${OUT},1,NoOp(${OUT})
exten => 600,1,NoOp,foo
exten => 700/5551212,1,NoOp(vip)
include => other
";

#[test]
fn spec_loading_example() {
    check(
        SPEC_8_2,
        "global PREFIX=9
global OUT=91
[default]
  100,1,NoOp(one)
  100,2(again),NoOp(two)
  100,4,NoOp(four)
  200,3,NoOp(three)
  300,hint,PJSIP/300()
  400,1,NoOp (x)
  555-1212,1,NoOp(dash)
  600,1,NoOp,foo()
  700/5551212,1,NoOp(vip)
  91,1,NoOp(${OUT})
  _X.,1,NoOp(template)
  include other
extensions.conf:11:1: warning[dialplan::unreachable-priority]: priority 3 of extension `200` follows a gap (there is no priority 1); execution never falls through to it
extensions.conf:12:1: warning[dialplan::unreachable-priority]: priority 4 of extension `100` follows a gap (there is no priority 3); execution never falls through to it
extensions.conf:14:1: error[dialplan::duplicate-priority]: extension `5551212` priority 1 in context `default` is already in use by aliased extension `555-1212`; line dropped
extensions.conf:16:14: warning[dialplan::priority-zero-dropped]: `n` right after a `hint` gives priority 0, which Asterisk silently drops
extensions.conf:17:16: warning[dialplan::app-trailing-blank]: the application name is `NoOp ` with a trailing blank, which no application has; a call reaching it hangs up
extensions.conf:19:1: warning[dialplan::unknown-application]: unknown application `NoOp,foo`; a call reaching it hangs up
extensions.conf:21:12: error[dialplan::include-missing-context]: context `default` includes `other`, which does not exist",
    );
}

#[test]
fn statement_errors() {
    let cases = [
        ("same => n,NoOp", "error[dialplan::same-without-exten]"),
        ("exten => 1,n,NoOp", "warning[dialplan::next-on-first]"),
        ("exten => 1,s,NoOp", "warning[dialplan::same-on-first]"),
        ("exten => 1,0,NoOp", "warning[dialplan::invalid-priority]: invalid priority `0`"),
        ("exten => 1,foo,NoOp", "warning[dialplan::unknown-priority-label]"),
        ("exten => 1,1(lbl,NoOp", "warning[dialplan::label-missing-paren]"),
        ("exten => 1,1,NoOp(x", "warning[dialplan::app-missing-paren]"),
        ("exten => _.,1,NoOp", "warning[dialplan::discouraged-pattern]"),
        ("exten => ,1,NoOp", "error[dialplan::empty-extension]"),
        ("foo => bar", "warning[dialplan::unknown-item]: unknown statement `foo`"),
        ("exten => 100", "warning[dialplan::missing-fields]"),
        ("exten => _1[23,1,NoOp", "error[dialplan::invalid-pattern]"),
        ("exten => _1[9-0],1,NoOp", "error[dialplan::invalid-pattern]"),
        ("exten => _X,hint,PJSIP/x", "warning[dialplan::hint-on-pattern]"),
        ("exten => 1,1,Dail(PJSIP/1)", "warning[dialplan::unknown-application]: unknown application `Dail`"),
        ("exten => 1,1,Goto(nowhere,1)", "error[dialplan::missing-goto-target]"),
        ("exten => 1,1,Goto(other,s,1)", "error[dialplan::missing-goto-target]: `Goto` target `other,s,1` does not exist: there is no context `other`"),
        ("exten => 1,1,GotoIf($[${X}=1]?lbl:2)", "error[dialplan::missing-goto-target]: `GotoIf` target `lbl` does not exist: extension `1` in context `ctx` has no label `lbl`"),
        ("exten => 1,1,Gosub(sub,s,1(a,b))", "error[dialplan::missing-goto-target]"),
    ];
    for (line, expect) in cases {
        let loaded = load_str("extensions.conf", &format!("[ctx]\n{line}\n"));
        let rendered: Vec<String> = loaded
            .diagnostics
            .items()
            .iter()
            .map(|it| render_short(&loaded.sources, it))
            .collect();
        assert!(
            rendered.iter().any(|it| it.contains(expect)),
            "{line}: expected {expect}, got {rendered:#?}"
        );
    }
    check(
        "[ctx]\nexten => 2,1(top),NoOp\nexten => 2,2(top),NoOp\n",
        "[ctx]\n  2,1(top),NoOp()\n  2,2,NoOp()\nextensions.conf:3:1: warning[dialplan::duplicate-label]: label `top` is already in use at priority 1; this priority is kept without it",
    );
    check(
        "[ctx]\nexten => _XXX,1,NoOp\nexten => _[0-9]XX,1,NoOp\n",
        "[ctx]\n  _XXX,1,NoOp()\nextensions.conf:3:1: error[dialplan::duplicate-priority]: extension `_[0-9]XX` priority 1 in context `ctx` is already in use by aliased extension `_XXX`; line dropped",
    );
}

#[test]
fn constant_jumps_that_exist_are_quiet() {
    check(
        "[ctx]\nexten => 1,1,Goto(2,1)\nexten => 2,1,GotoIf(${X}?ok:3,1)\n same => n(ok),Gosub(sub,s,1(x))\nexten => 3,1,Goto(ok)\n same => n(ok),Hangup\n[sub]\nexten => s,1,Return\n",
        "[ctx]\n  1,1,Goto(2,1)\n  2,1,GotoIf(${X}?ok:3,1)\n  2,2(ok),Gosub(sub,s,1(x))\n  3,1,Goto(ok)\n  3,2(ok),Hangup()\n[sub]\n  s,1,Return()",
    );
}

fn lookup(
    plan: &crate::dialplan::Dialplan,
    ctx: &str,
    dialed: &str,
    pri: i32,
    cid: Option<&str>,
) -> String {
    match plan.find(ctx, dialed, Target::Priority(pri), cid) {
        Ok(found) => format!(
            "{}@{}:{}",
            found.exten.name, found.context.name, found.priority.data
        ),
        Err(status) => format!("{status:?}"),
    }
}

#[test]
fn lookups_fall_through_and_follow_includes() {
    let plan = load_str(
        "e.conf",
        "[test_pattern]\ninclude => test_pattern_include\nexten => _2.,1,NoOp(p)\nexten => 2000,1,NoOp(a)\n[test_pattern_include]\nexten => 2000,2,NoOp(b)\n",
    )
    .value;
    assert_eq!(
        lookup(&plan, "test_pattern", "200", 1, None),
        "_2.@test_pattern:p"
    );
    assert_eq!(
        lookup(&plan, "test_pattern", "2000", 1, None),
        "2000@test_pattern:a"
    );
    assert_eq!(
        lookup(&plan, "test_pattern", "2000", 2, None),
        "2000@test_pattern_include:b"
    );
    assert_eq!(
        lookup(&plan, "test_pattern_include", "2000", 2, None),
        "2000@test_pattern_include:b"
    );
    assert_eq!(lookup(&plan, "test_pattern", "2000", 3, None), "NoPriority");
    assert_eq!(
        lookup(&plan, "test_pattern", "3000", 1, None),
        "NoExtension"
    );
    assert_eq!(lookup(&plan, "test_Pattern", "200", 1, None), "NoContext");

    let plan = load_str(
        "e.conf",
        "[a]\ninclude => b\ninclude => c\nexten => _1XX,1,NoOp(a1)\n[b]\nexten => 123,1,NoOp(b1)\nexten => 123,2,NoOp(b2)\n[c]\nexten => 123,1,NoOp(c1)\nexten => 124,1,NoOp(c124)\ninclude => a\n",
    )
    .value;
    assert_eq!(lookup(&plan, "a", "123", 1, None), "_1XX@a:a1");
    assert_eq!(lookup(&plan, "a", "123", 2, None), "123@b:b2");
    assert_eq!(lookup(&plan, "a", "124", 1, None), "_1XX@a:a1");
    assert_eq!(lookup(&plan, "a", "124", 2, None), "NoPriority");
    assert_eq!(lookup(&plan, "c", "150", 1, None), "_1XX@a:a1");
    assert_eq!(lookup(&plan, "b", "150", 1, None), "NoExtension");
    assert_eq!(lookup(&plan, "c", "123", 2, None), "123@b:b2");
}

#[test]
fn caller_id_variants() {
    let loaded = load_str(
        "e.conf",
        "[cid]\nexten => 100/5551212,1,NoOp(vip)\nexten => 100,1,NoOp(normal)\nexten => 100,2,NoOp(normal2)\nexten => 200/,1,NoOp(anonymous)\nexten => 200,1,NoOp(known)\nexten => _X./_555XXXX,1,NoOp(555-caller)\n",
    );
    let plan = &loaded.value;
    assert_eq!(
        lookup(plan, "cid", "100", 1, Some("5551212")),
        "100@cid:vip"
    );
    assert_eq!(
        lookup(plan, "cid", "100", 2, Some("5551212")),
        "100@cid:normal2"
    );
    assert_eq!(
        lookup(plan, "cid", "100", 1, Some("9999")),
        "100@cid:normal"
    );
    assert_eq!(lookup(plan, "cid", "100", 1, None), "100@cid:normal");
    assert_eq!(lookup(plan, "cid", "200", 1, None), "200@cid:anonymous");
    assert_eq!(lookup(plan, "cid", "200", 1, Some("123")), "200@cid:known");
    assert_eq!(
        lookup(plan, "cid", "12", 1, Some("5550000")),
        "_X.@cid:555-caller"
    );
    assert_eq!(
        lookup(plan, "cid", "12", 1, Some("555-0000")),
        "_X.@cid:555-caller"
    );
    assert_eq!(lookup(plan, "cid", "12", 1, Some("5551")), "NoExtension");
    let order: Vec<String> = plan.contexts["cid"]
        .extens
        .iter()
        .map(|it| match &it.cid {
            Some(cid) => format!("{}/{cid}", it.name),
            None => it.name.to_string(),
        })
        .collect();
    assert_eq!(order, ["100/5551212", "100", "200/", "200", "_X./_555XXXX"]);
    assert!(plan
        .find_with("cid", "12", Target::Priority(1), Caller::Any)
        .is_ok());
    assert_eq!(
        plan.find("cid", "12", Target::Label("x"), None).err(),
        Some(NotFound::NoExtension)
    );
}

#[test]
fn fast_statement_split_agrees_with_the_grammar() {
    use crate::dialplan::lower::{split_simple_for_test, split_with_grammar};
    let pieces = [
        "1", ",", "n", "hint", "NoOp", "(", ")", "x y", "_X.", "+", "lbl", "${A}", "/", " ",
    ];
    let mut seed: u32 = 99;
    let mut simple = 0;
    for _ in 0..50_000 {
        let mut value = String::new();
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        for _ in 0..((seed >> 16) % 9) {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            value.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
        }
        for same in [false, true] {
            if let Some(fast) = split_simple_for_test(&value, same) {
                simple += 1;
                assert_eq!(
                    Some(fast),
                    split_with_grammar(&value, same),
                    "value {value:?} same {same}"
                );
            }
        }
    }
    assert!(
        simple > 10_000,
        "the fast path was taken only {simple} times"
    );
}

#[test]
fn time_specifications() {
    use crate::dialplan::timespec::{LocalTime, TimeSpec};
    let at = |h: u16, m: u16, weekday: u8, monthday: u8, month: u8| LocalTime {
        minute_of_day: h * 60 + m,
        weekday,
        monthday,
        month,
    };
    let (spec, problems) = TimeSpec::parse("09:00-17:00,mon-fri,*,*");
    assert!(problems.is_empty());
    assert!(spec.matches(at(9, 0, 1, 5, 3)));
    assert!(spec.matches(at(17, 0, 5, 5, 3)), "end minute is inclusive");
    assert!(!spec.matches(at(17, 1, 5, 5, 3)));
    assert!(!spec.matches(at(12, 0, 0, 5, 3)), "sunday");
    let (spec, _) = TimeSpec::parse("22:00-06:00|fri-mon|1&15|dec-jan");
    assert!(spec.matches(at(23, 30, 6, 1, 12)));
    assert!(spec.matches(at(5, 59, 0, 15, 1)));
    assert!(!spec.matches(at(12, 0, 6, 1, 12)));
    assert!(!spec.matches(at(23, 0, 3, 1, 12)), "wednesday");
    assert!(!spec.matches(at(23, 0, 6, 2, 12)), "the 2nd");
    assert!(!spec.matches(at(23, 0, 6, 1, 6)), "june");
    let (spec, problems) = TimeSpec::parse("25:00,funday,32,13,Europe/Paris");
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(spec.timezone.as_deref(), Some("Europe/Paris"));
    let (_, problems) = TimeSpec::parse("*,1-7,*,*");
    assert!(problems.is_empty(), "{problems:?}");
}

/// The `exten_value` rule of dialplan.pest on the priority and application forms of §2.3.
#[test]
fn statement_grammar_vectors() {
    use crate::dialplan::lower::split_with_grammar;
    #[track_caller]
    fn check(value: &str, expect: &str) {
        let st = split_with_grammar(value, false).expect("the rule accepts every string");
        let got = format!("{st:?}");
        assert!(got.contains(expect), "{value}: {got}");
    }
    check(
        "100,1,NoOp(one)",
        r#"ext: "100", ext_range: 0..3, pri: "1""#,
    );
    check(
        "100,n(again),NoOp(two)",
        r#"base: "n", offset: None, label: Some("again")"#,
    );
    check(
        "100,again+2,NoOp(four)",
        r#"base: "again", offset: Some("2")"#,
    );
    check(
        "100,n+1(lbl),x",
        r#"base: "n", offset: Some("1"), label: Some("lbl")"#,
    );
    check("100,n(lbl)+1,x", r#"label_tail: Some(("+1", 10))"#);
    check("1,1(lbl,NoOp", "label_closed: false");
    check("_X[,]X,1,NoOp", r#"ext: "_X[,]X""#);
    check("a\\,b,1,NoOp", r#"ext: "a\\,b""#);
    check("_[[1]],1,NoOp", r#"ext: "_[[1]]""#);
    check(
        "100,hint,PJSIP/a&PJSIP/b(Joe)",
        r#"app_field: Some(("PJSIP/a&PJSIP/b(Joe)", 9))"#,
    );
    check("100", "saw_pri: false");
}

#[test]
fn extension_names_and_globals_are_substituted_at_load_time() {
    check(
        "[globals]\nBASE=100\nNEXT=$[${BASE} + 1]\n[ctx]\nexten => ${NEXT},1,NoOp\nexten => $[${BASE} * 2],1,NoOp\n",
        "global BASE=100\nglobal NEXT=101\n[ctx]\n  101,1,NoOp()\n  200,1,NoOp()",
    );
}
