//! Tests for argument splitting and the truth rule: every row of spec §8.6 (argument splitting)
//! and of the §8.7 truth-rule table, plus the splits behind the application-level rows of §8.6.

use crate::interp::args::{is_true, leading_int, split, Mode};

#[track_caller]
fn check_split(mode: Mode, slots: usize, delim: char, text: &str, expect: &[&str]) {
    let res = split(text, delim, slots, mode);
    assert_eq!(res, expect, "{mode:?} N={slots} delim {delim:?} «{text}»");
}

#[test]
fn split_vectors() {
    use Mode::{Raw, Standard as Std};
    let rows: &[(Mode, usize, char, &str, &[&str])] = &[
        // §8.6
        (Std, 2, ',', "a,b,c", &["a", "b,c"]),
        (Std, 3, ',', "a,b,c", &["a", "b", "c"]),
        (Std, 5, ',', "a,b,c", &["a", "b", "c"]),
        (Std, 5, ',', "a,,c,", &["a", "", "c", ""]),
        (Std, 5, ',', "", &[]),
        (Std, 5, ',', ",", &["", ""]),
        (Std, 5, ',', r#"a,"b,c",d"#, &["a", "b,c", "d"]),
        (Std, 5, ',', r"a\,b,c", &["a,b", "c"]),
        (Std, 5, ',', r"a\\b,c", &[r"a\b", "c"]),
        (Std, 5, ',', r#"a"b"c,d"#, &["abc", "d"]),
        (Std, 5, ',', "f(x,y),z", &["f(x,y)", "z"]),
        (Std, 5, ',', "[a,b],c", &["[a,b]", "c"]),
        (Std, 5, ',', "a)b,c", &["a)b", "c"]),
        (Std, 5, ',', "a(b,c", &["a(b,c"]),
        (Std, 2, ',', r#"1,"hi""#, &["1", r#""hi""#]),
        (Std, 2, ',', r#""hi""#, &["hi"]),
        (Raw, 5, ',', r#"a,"b,c",d"#, &["a", r#""b,c""#, "d"]),
        (Raw, 5, ',', r"a\,b,c", &[r"a\,b", "c"]),
        (Std, 2, '=', "FOO=bar=baz", &["FOO", "bar=baz"]),
        (Std, 2, '?', "cond?a:b", &["cond", "a:b"]),
        (Std, 2, ':', r#""x:y":z"#, &["x:y", "z"]),
        (Std, 2, ':', "a:b:c", &["a", "b:c"]),
        // The splits behind §8.6's application-level rows.
        (Std, 2, ',', r#"1,"hi""#, &["1", r#""hi""#]), // Verbose(1,"hi")
        (Std, 2, ',', r#""hi""#, &["hi"]),             // Verbose("hi")
        (Std, 2, ',', "2,a,b", &["2", "a,b"]),         // Verbose(2,a,b)
        (Raw, 100, ',', r#""a,b",c"#, &[r#""a,b""#, "c"]), // Gosub(sub,s,1("a,b",c))
        (Std, 99, ',', r#"a="x,y",b=2"#, &["a=x,y", "b=2"]), // MSet(a="x,y",b=2)
        (Std, 2, '=', r#"a="x,y""#, &["a", r#""x,y""#]), // Set(a="x,y")
        (Std, 3, ',', "ctx, 100, 1", &["ctx", " 100", " 1"]), // Goto(ctx, 100, 1)
        // Edges of __ast_app_separate_args.
        (Std, 2, ',', "a,", &["a", ""]),
        (Std, 1, ',', "a,b", &["a,b"]),
        (Std, 0, ',', "a,b", &[]),
        (Std, 5, ',', r"a\", &["a"]),
        (Raw, 5, ',', r"a\", &[r"a\"]),
        (Std, 5, ',', r#"a\"b,c"#, &[r#"a"b"#, "c"]),
        (Std, 3, '"', r#""^a.c" abc"#, &["", "^a.c", " abc"]),
        (
            Std,
            5,
            ',',
            "x(a,b)y,[c,(d],e),f",
            &["x(a,b)y", "[c,(d],e)", "f"],
        ),
        (Std, 5, ',', "é,ü", &["é", "ü"]),
    ];
    for &(mode, slots, delim, text, expect) in rows {
        check_split(mode, slots, delim, text, expect);
    }
}

#[test]
fn truth_rule_vectors() {
    let rows: &[(&str, bool)] = &[
        // §8.7
        ("", false),
        ("0", false),
        ("1", true),
        ("-1", true),
        ("2", true),
        ("abc", true),
        ("0.5", false),
        ("1.5", true),
        (" 1", true),
        (" 0", false),
        ("1abc", true),
        ("0abc", false),
        ("00", false),
        ("+0", false),
        ("-0", false),
        (" ", true),
        ("0x10", false),
        (r#""""#, true),
        ("2=1", true),
        ("0=1", false),
        // glibc: the long read by %d is truncated to int.
        ("4294967296", false),
        ("4294967297", true),
        ("-", true),
        ("+", true),
        ("\t\n0", false),
    ];
    for &(text, expect) in rows {
        assert_eq!(is_true(text), expect, "«{text}»");
    }
}

#[test]
fn leading_int_reads_like_sscanf() {
    assert_eq!(leading_int("  -12x"), Some((-12, 5)));
    assert_eq!(leading_int("x"), None);
    assert_eq!(leading_int(""), None);
    assert_eq!(leading_int(&"9".repeat(40)), Some((-1, 30)));
    assert_eq!(leading_int(&format!("-{}", "9".repeat(40))), Some((0, 30)));
}
