//! Tests for the string and logic functions: data-driven tables holding every `IF`, `ISNULL`,
//! `EXISTS`, `LEN`, `CUT`, `FIELDQTY` and `FIELDNUM` row of spec §8.7, the `LISTFILTER`, `LEN`,
//! `TOUPPER`, `ISNULL`, `VARIABLE_EXISTS` and `GLOBAL` rows of §8.5, and our own rows for the
//! other functions. Arguments are written as the function receives them, after substitution
//! (`${IF($[1=1]?yes:no)}` arrives as `1?yes:no`).

use std::collections::HashMap;

use crate::interp::ctx::FuncCtx;
use crate::interp::functions::PureFn;

/// A pure function by name, as the registry has it.
fn read(name: &str) -> Option<PureFn> {
    crate::interp::functions::pure(name)
}

/// The fixed clock: Tue Nov 14 22:13:20 2023 UTC.
const NOW: i64 = 1_700_000_000;

/// A channel as a function sees it: variables, globals, a fixed clock and the warnings logged.
#[derive(Default)]
struct TestCtx {
    vars: HashMap<String, String>,
    globals: HashMap<String, String>,
    warnings: Vec<String>,
}

impl FuncCtx for TestCtx {
    fn var(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .or_else(|| self.globals.get(name))
            .cloned()
    }

    fn set_var(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }

    fn delete_var(&mut self, name: &str) {
        self.vars.remove(name);
    }

    fn global(&self, name: &str) -> Option<String> {
        self.globals.get(name).cloned()
    }

    fn set_global(&mut self, name: &str, value: &str) {
        self.globals.insert(name.to_string(), value.to_string());
    }

    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    fn now(&self) -> i64 {
        NOW
    }
}

/// The variables every row sees: those of §8.5 and §8.7 plus a few of our own.
fn ctx() -> TestCtx {
    let mut ctx = TestCtx::default();
    for (name, value) in [
        // §8.5
        ("foo", "123"),
        ("abc", "abcdefgh"),
        ("empty", ""),
        ("X", ""),
        ("G", "c"),
        ("list1", "ab&cd&ef"),
        ("list2", "ab"),
        // §8.7
        ("x", "a-b-c-d"),
        ("e", ""),
        // ours
        ("nl", "a\nb\nc"),
        ("commas", "1,2,3"),
        ("list3", "a::b::c"),
        ("list4", "ab&&cd&"),
        ("rep", "a-b_c d"),
        ("mixed", "One,Two,THREE"),
    ] {
        ctx.vars.insert(name.to_string(), value.to_string());
    }
    ctx.globals.insert("G".to_string(), "g".to_string());
    ctx.globals
        .insert("onlyglobal".to_string(), "gv".to_string());
    ctx
}

/// One row: function name, raw arguments, expected result (`None` = the read fails) and the
/// warnings it logs.
type Row<'a> = (&'a str, &'a str, Option<&'a str>, &'a [&'a str]);

#[track_caller]
fn check(rows: &[Row<'_>]) {
    for &(name, args, expect, warnings) in rows {
        let mut ctx = ctx();
        let Some(function) = read(name) else {
            panic!("{name} is not a string function");
        };
        let res = function(&mut ctx, args);
        assert_eq!(res.as_deref(), expect, "{name}({args})");
        assert_eq!(ctx.warnings, warnings, "warnings of {name}({args})");
    }
}

#[test]
fn if_vectors() {
    check(&[
        // §8.7
        ("IF", "1?yes:no", Some("yes"), &[]),
        ("IF", "0?yes:no", Some("no"), &[]),
        ("IF", "1?yes", Some("yes"), &[]),
        ("IF", "0?yes", Some(""), &[]),
        ("IF", "abc?t:f", Some("t"), &[]),
        ("IF", "0.5?t:f", Some("f"), &[]),
        ("IF", "1? a : b ", Some("a"), &[]),
        ("IF", "0? a : b ", Some("b"), &[]),
        ("IF", r#"1?"a":"b""#, Some("a"), &[]),
        ("IF", r#"0?"a":"b""#, Some(r#""b""#), &[]),
        ("IF", "1?a:b:c", Some("a"), &[]),
        ("IF", "0?a:b:c", Some("b:c"), &[]),
        ("IF", "?a:b", None, &[]),
        ("IF", "1?", None, &[]),
        // ours
        ("IF", "", None, &[]),
        ("IF", "1", None, &[]),
        ("IF", " ?a:b", Some("b"), &[]),
        ("IF", "1?:b", Some(""), &[]),
        ("IF", "0?:b", Some("b"), &[]),
        ("IF", "2=1?yes:no", Some("yes"), &[]),
        ("IF", "1?f(x:y):z", Some("f(x:y)"), &[]),
    ]);
}

#[test]
fn logic_vectors() {
    check(&[
        // §8.7
        ("ISNULL", "", Some("1"), &[]),
        ("ISNULL", " ", Some("0"), &[]),
        ("EXISTS", "x", Some("1"), &[]),
        ("EXISTS", "", Some("0"), &[]),
        // §8.5
        ("ISNULL", "123", Some("0"), &[]),
        ("VARIABLE_EXISTS", "X", Some("1"), &[]),
        ("VARIABLE_EXISTS", "Y", Some("0"), &[]),
        // ours
        ("VARIABLE_EXISTS", "onlyglobal", Some("1"), &[]),
        ("SET", "a=b=c", Some("b=c"), &[]),
        ("SET", " y = 1 2 ", Some("1 2"), &[]),
        ("SET", "y=", Some(""), &[]),
        ("SET", "=x", None, &["syntax SET(<varname>=[<value>])"]),
        ("SET", "x", None, &["syntax SET(<varname>=[<value>])"]),
        ("SET", "", None, &["syntax SET(<varname>=[<value>])"]),
    ]);
}

#[test]
fn set_sets_the_stripped_name() {
    let mut ctx = ctx();
    let res = crate::interp::functions::logic::set(&mut ctx, " y = 1 2 ");
    assert_eq!(res.as_deref(), Some("1 2"));
    assert_eq!(ctx.vars.get("y").map(String::as_str), Some("1 2"));
}

#[test]
fn string_vectors() {
    check(&[
        // §8.7
        ("LEN", " a ", Some("3"), &[]),
        ("LEN", "a,b", Some("3"), &[]),
        // §8.5
        ("LEN", "abcdefgh", Some("8"), &[]),
        ("LEN", "abc,def", Some("7"), &[]),
        ("LEN", "", Some("0"), &[]),
        ("LEN", "2", Some("1"), &[]),
        ("TOUPPER", "abcdefgh", Some("ABCDEFGH"), &[]),
        // ours
        ("LEN", "é", Some("2"), &[]),
        ("TOUPPER", "é-x,\"y\"", Some("é-X,\"Y\""), &[]),
        ("TOLOWER", "AbC-É", Some("abc-É"), &[]),
        ("TOLOWER", "", Some(""), &[]),
    ]);
}

#[test]
fn cut_vectors() {
    const MISSING: &str = "syntax: CUT(<varname>,<char-delim>,<range-spec>) - missing argument!";
    const USAGE: &str = "usage: CUT(<varname>,<char-delim>,<range-spec>)";
    const PAST: &str = "we're already past the field you wanted?";
    check(&[
        // §8.7
        ("CUT", "x,-,2", Some("b"), &[]),
        ("CUT", "x,-,2-3", Some("b-c"), &[]),
        ("CUT", "x,-,-2", Some("a-b"), &[]),
        ("CUT", "x,-,3-", Some("c-d"), &[]),
        ("CUT", "x,-,1&3", Some("a-c"), &[]),
        ("CUT", "x,,2", Some("b"), &[]),
        ("CUT", "x,-,5", Some(""), &[]),
        ("CUT", "x,-,3&1", Some("c"), &[PAST]),
        ("CUT", "x,-", None, &[MISSING]),
        // ours
        ("CUT", "", None, &[MISSING]),
        ("CUT", "x,-,0", Some(""), &[PAST]),
        ("CUT", "x,-,1-2&4", Some("a-b-d"), &[]),
        ("CUT", "x,-,2-2&2", Some("b"), &[PAST]),
        ("CUT", "x,-,-3-", Some("a-b-c"), &[]),
        ("CUT", "x,-,abc", None, &[USAGE]),
        ("CUT", "x,-,", None, &[USAGE]),
        ("CUT", "x,-,1&", None, &[USAGE]),
        ("CUT", "x,-,9&junk", Some(""), &[]),
        ("CUT", "e,-,abc", Some(""), &[]),
        ("CUT", "nosuch,-,1", Some(""), &[]),
        ("CUT", "nl,\\n,2", Some(""), &[]),
        ("CUT", "nl,\\\\n,2", Some("b"), &[]),
        ("CUT", "commas,\\,,2-", Some("2,3"), &[]),
        ("CUT", "x,\\\\0,1", Some("a-b-c-d"), &[]),
        ("CUT", "x,\\\\x2d,4", Some("d"), &[]),
        (
            "CUT",
            "x,\\\\xZZ,1",
            Some("a"),
            &["illegal character 'Z' in hexadecimal string"],
        ),
        ("CUT", "x,-,\"2\"", None, &[USAGE]),
    ]);
}

#[test]
fn field_vectors() {
    const USAGE: &str = "usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)";
    check(&[
        // §8.7
        ("FIELDQTY", "x,-", Some("4"), &[]),
        ("FIELDQTY", "e,-", Some("0"), &[]),
        ("FIELDQTY", "x", Some("1"), &[]),
        ("FIELDNUM", "x,-,c", Some("3"), &[]),
        ("FIELDNUM", "x,-,C", Some("3"), &[]),
        ("FIELDNUM", "x,-,z", Some("0"), &[]),
        // ours
        ("FIELDQTY", "", Some("1"), &[]),
        ("FIELDQTY", "nosuch,-", Some("0"), &[]),
        ("FIELDQTY", "x,", Some("1"), &[]),
        ("FIELDQTY", "nl,\\n", Some("3"), &[]),
        ("FIELDQTY", "commas,\\,", Some("3"), &[]),
        ("FIELDQTY", "x,--", Some("4"), &[]),
        ("FIELDQTY", "list4,&", Some("4"), &[]),
        ("FIELDNUM", "mixed,\\,,three", Some("3"), &[]),
        ("FIELDNUM", "x,,c", Some("0"), &[]),
        ("FIELDNUM", "e,-,a", Some("0"), &[]),
        ("FIELDNUM", "x,-", None, &[USAGE]),
        ("FIELDNUM", "x,-,", Some("0"), &[]),
        ("FIELDNUM", "list4,&,", Some("2"), &[]),
        (
            "FIELDNUM",
            "x,\\\\xg,a",
            None,
            &["illegal character 'g' in hexadecimal string"],
        ),
    ]);
}

#[test]
fn listfilter_vectors() {
    const USAGE: &str = "usage: LISTFILTER(<listname>,<delimiter>,<fieldvalue>)";
    check(&[
        // §8.5
        ("LISTFILTER", "list1,&,ab", Some("cd&ef"), &[]),
        ("LISTFILTER", "list1,&,cd", Some("ab&ef"), &[]),
        ("LISTFILTER", "list1,&,ef", Some("ab&cd"), &[]),
        ("LISTFILTER", "list1,&,gh", Some("ab&cd&ef"), &[]),
        ("LISTFILTER", "list1,&,c", Some("ab&cd&ef"), &[]),
        ("LISTFILTER", "list2,&,ab", Some(""), &[]),
        // ours
        ("LISTFILTER", "list1,&", None, &[USAGE]),
        ("LISTFILTER", "nosuch,&,a", None, &[]),
        ("LISTFILTER", "list1,,cd", Some("ab&cd&ef"), &[]),
        ("LISTFILTER", "commas,,2", Some("1,3"), &[]),
        ("LISTFILTER", "list3,::,b", Some("a::c"), &[]),
        ("LISTFILTER", "list4,&,", Some("ab&cd"), &[]),
        ("LISTFILTER", "list4,&,cd", Some("ab&&"), &[]),
        ("LISTFILTER", "nl,\\\\n,b", Some("a\nc"), &[]),
    ]);
}

#[test]
fn replace_vectors() {
    const USAGE: &str = "usage: REPLACE(<varname>,<search-chars>[,<replace-char>])";
    const EMPTY: &str = "the characters to search for and the variable name must not be empty";
    check(&[
        ("REPLACE", "rep,-_", Some("abc d"), &[]),
        ("REPLACE", "rep,-_,.", Some("a.b.c d"), &[]),
        ("REPLACE", "rep,-,xyz", Some("axb_c d"), &[]),
        ("REPLACE", "rep,\\\\x20,_", Some("a-b_c_d"), &[]),
        ("REPLACE", "rep,\\ ,\\x41", Some("a-b_cAd"), &[]),
        ("REPLACE", "rep,q,z", Some("a-b_c d"), &[]),
        ("REPLACE", "rep,-,", Some("ab_c d"), &[]),
        ("REPLACE", "rep", None, &[USAGE]),
        ("REPLACE", "rep,", None, &[EMPTY]),
        ("REPLACE", ",-", None, &[EMPTY]),
        ("REPLACE", "nosuch,a", None, &[]),
        ("REPLACE", "empty,a", None, &[]),
    ]);
}

#[test]
fn regex_vectors() {
    const FORM: &str = "unexpected arguments: should have been in the form '\"<regex>\" <string>'";
    check(&[
        ("REGEX", r#""^a.c" abc"#, Some("1"), &[]),
        ("REGEX", r#""^a.c" xbc"#, Some("0"), &[]),
        ("REGEX", r#""[0-9]+$" abc123"#, Some("1"), &[]),
        ("REGEX", r#""^$""#, Some("1"), &[]),
        ("REGEX", r#""^ b"  b"#, Some("1"), &[]),
        ("REGEX", "\"^b\"\tb", Some("1"), &[]),
        ("REGEX", r#""^b"  b"#, Some("0"), &[]),
        ("REGEX", r#""^b"b"#, Some("1"), &[]),
        ("REGEX", "\"a.b\" a\nb", Some("1"), &[]),
        ("REGEX", r#""^[[:digit:]]{3}$" 123"#, Some("1"), &[]),
        ("REGEX", r#""^(12|34)$" 34"#, Some("1"), &[]),
        ("REGEX", r#""ABC" abc"#, Some("0"), &[]),
        // Standard splitting eats one backslash: `\.` reaches the regex as `.`.
        ("REGEX", r#""a\.c" abc"#, Some("1"), &[]),
        ("REGEX", r#""a\\.c" abc"#, Some("0"), &[]),
        ("REGEX", r#""a\\.c" a.c"#, Some("1"), &[]),
        ("REGEX", "abc", None, &[FORM]),
        ("REGEX", "", None, &[FORM]),
        // The parenthesis hides the closing quote from the splitter.
        ("REGEX", r#""(a" abc"#, None, &[FORM]),
        (
            "REGEX",
            r#""a{2,1}" aa"#,
            None,
            &["malformed input REGEX(): invalid repetition count range, the start must be <= the end"],
        ),
        (
            "REGEX",
            r#"x"a{2,1}" aa"#,
            None,
            &["malformed input REGEX(x): invalid repetition count range, the start must be <= the end"],
        ),
    ]);
}

#[test]
fn strftime_vectors() {
    const NOTHING: &str = "C function strftime() output nothing?!!";
    check(&[
        ("STRFTIME", "", Some("Tue Nov 14 22:13:20 2023"), &[]),
        ("STRFTIME", ",,%s", Some("1700000000"), &[]),
        ("STRFTIME", "abc,,%s", Some("1700000000"), &[]),
        ("STRFTIME", "0", Some("Thu Jan  1 00:00:00 1970"), &[]),
        ("STRFTIME", "-1,,%c", Some("Wed Dec 31 23:59:59 1969"), &[]),
        ("STRFTIME", "-2208988800", Some("Mon Jan  1 00:00:00 1900"), &[]),
        ("STRFTIME", "253402300799", Some("Fri Dec 31 23:59:59 9999"), &[]),
        ("STRFTIME", " 0x10,,%s", Some("16"), &[]),
        ("STRFTIME", "1e3,,%s", Some("1000"), &[]),
        (
            "STRFTIME",
            "0,,%Y-%m-%d %H:%M:%S",
            Some("1970-01-01 00:00:00"),
            &[],
        ),
        (
            "STRFTIME",
            "1700000000,UTC,%F %T %Z",
            Some("2023-11-14 22:13:20 UTC"),
            &[],
        ),
        ("STRFTIME", "1700000000,GMT,%Z %z", Some("GMT +0000"), &[]),
        (
            "STRFTIME",
            "1700000000,,%a %A %b %B %h %j %e %p %I %l %k %y %C %D %x %X %r %R %u %w %U %W %V %G %g %z %P",
            Some("Tue Tuesday Nov November Nov 318 14 PM 10 10 22 23 20 11/14/23 11/14/23 22:13:20 10:13:20 PM 22:13 2 2 46 46 46 2023 23 +0000 pm"),
            &[],
        ),
        ("STRFTIME", "1704067200,,%G-W%V-%u %U %W %j", Some("2024-W01-1 00 01 001"), &[]),
        ("STRFTIME", "1703980800,,%G-W%V-%u %U %W %j", Some("2023-W52-7 53 52 365"), &[]),
        ("STRFTIME", "1609459200,,%G-W%V-%u %U %W %j", Some("2020-W53-5 00 00 001"), &[]),
        ("STRFTIME", "951782400,,%j %D %a", Some("060 02/29/00 Tue"), &[]),
        (
            "STRFTIME",
            "1700000000,,%-d/%_m/%5Y|%^a|%10A|%-j|%_H",
            Some("14/11/02023|TUE|   Tuesday|318|22"),
            &[],
        ),
        ("STRFTIME", "0,,a%nb%tc%%d", Some("a\nb\tc%d"), &[]),
        ("STRFTIME", "0,,%Q|%", Some("%Q|%"), &[]),
        ("STRFTIME", "86399.5,,%T.%q", Some("23:59:59.500"), &[]),
        ("STRFTIME", "86399.25,,%1q %2q %6q", Some("2 25 250000"), &[]),
        ("STRFTIME", ",,%q", Some("000"), &[]),
        ("STRFTIME", "1700000000,,", Some(""), &[NOTHING]),
        (
            "STRFTIME",
            "1700000000,Europe/Paris,%H",
            Some("22"),
            &["timezone 'Europe/Paris' is not supported, using UTC"],
        ),
        ("STRFTIME", "1700000000,,%Y,%m", Some("2023,11"), &[]),
    ]);
}

#[test]
fn strftime_output_fits_asterisks_buffer() {
    let mut ctx = ctx();
    let res = crate::interp::functions::time::strftime(&mut ctx, "0,,%4095Y");
    assert_eq!(res, Some(format!("{}1970", "0".repeat(4091))));
    assert!(ctx.warnings.is_empty());
    let res = crate::interp::functions::time::strftime(&mut ctx, "0,,%4095Y.");
    assert_eq!(res.as_deref(), Some(""));
    assert_eq!(ctx.warnings, ["C function strftime() output nothing?!!"]);
}

#[test]
fn math_vectors() {
    const SYNTAX: &str =
        "syntax: MATH(<number1><op><number 2>[,<type_of_result>]) - missing argument!";
    const SUPPLY: &str = "supply all the parameters - just this once, please";
    check(&[
        ("MATH", "1+2", Some("3.000000"), &[]),
        ("MATH", "1+2,f", Some("3.000000"), &[]),
        ("MATH", "1+2,float", Some("3.000000"), &[]),
        ("MATH", "1+2,i", Some("3"), &[]),
        ("MATH", "1+2,INT", Some("3"), &[]),
        ("MATH", "3 * 4,i", Some("12"), &[]),
        ("MATH", "1/3", Some("0.333333"), &[]),
        ("MATH", "10/4", Some("2.500000"), &[]),
        ("MATH", "10/3,i", Some("3"), &[]),
        ("MATH", "10/0,i", Some("0"), &[]),
        ("MATH", "10/-2", Some("0.000000"), &[]),
        ("MATH", "7%3,i", Some("1"), &[]),
        ("MATH", "7.9%3.9,i", Some("1"), &[]),
        ("MATH", "7%0,i", Some("0"), &[]),
        ("MATH", "-7%3,i", Some("-1"), &[]),
        ("MATH", "2^10,i", Some("1024"), &[]),
        ("MATH", "2^0.5", Some("1.414214"), &[]),
        ("MATH", "1<<4,i", Some("16"), &[]),
        ("MATH", "256>>4,i", Some("16"), &[]),
        ("MATH", "12AND10,i", Some("8"), &[]),
        ("MATH", "12XOR10,i", Some("6"), &[]),
        ("MATH", "12OR10,i", Some("14"), &[]),
        ("MATH", "3>2", Some("TRUE"), &[]),
        ("MATH", "3<2", Some("FALSE"), &[]),
        ("MATH", "3>=3", Some("TRUE"), &[]),
        ("MATH", "2<=1", Some("FALSE"), &[]),
        ("MATH", "5==5,i", Some("TRUE"), &[]),
        ("MATH", "5==5.0", Some("TRUE"), &[]),
        ("MATH", "-5-3,i", Some("-8"), &[]),
        ("MATH", "5--3,i", Some("8"), &[]),
        ("MATH", "-5*-2", Some("10.000000"), &[]),
        ("MATH", "1e3+1,i", Some("1001"), &[]),
        ("MATH", "0x10+1,i", Some("17"), &[]),
        ("MATH", "255+0,h", Some("ff"), &[]),
        ("MATH", "255+0,hex", Some("ff"), &[]),
        ("MATH", "-1+0,h", Some("ffffffff"), &[]),
        ("MATH", "65+0,c", Some("A"), &[]),
        ("MATH", "0+0,c", Some(""), &[]),
        ("MATH", "inf+1", Some("inf"), &[]),
        ("MATH", "0-inf", Some("-inf"), &[]),
        ("MATH", "3000000000+0,i", Some("-2147483648"), &[]),
        ("MATH", "1000000*1000000", Some("1000000000000.000000"), &[]),
        ("MATH", "-0*1", Some("0.000000"), &[]),
        ("MATH", "0*-1", Some("-0.000000"), &[]),
        ("MATH", "", None, &[SYNTAX]),
        ("MATH", "5=5", None, &[SUPPLY]),
        ("MATH", "5", None, &[SUPPLY]),
        ("MATH", "-5", None, &[SUPPLY]),
        (
            "MATH",
            "1+2,x",
            None,
            &["unknown type of result requested 'x'"],
        ),
        (
            "MATH",
            "1+2,",
            None,
            &["unknown type of result requested ''"],
        ),
        (
            "MATH",
            "5,x",
            None,
            &["unknown type of result requested 'x'"],
        ),
        ("MATH", "a+2", None, &["'a' is not a valid number"]),
        ("MATH", "2+", None, &["'' is not a valid number"]),
    ]);
}

#[test]
fn read_knows_exactly_these_names() {
    for name in [
        "IF",
        "ISNULL",
        "EXISTS",
        "LEN",
        "VARIABLE_EXISTS",
        "SET",
        "CUT",
        "FIELDQTY",
        "FIELDNUM",
        "LISTFILTER",
        "REPLACE",
        "REGEX",
        "STRFTIME",
        "TOUPPER",
        "TOLOWER",
        "MATH",
    ] {
        assert!(read(name).is_some(), "{name}");
    }
    for name in ["len", "If", "CALLERID", "", "LEN "] {
        assert!(read(name).is_none(), "{name}");
    }
}

#[test]
fn no_input_panics() {
    let samples = [
        "",
        ",",
        ",,",
        "\\",
        "\"",
        "(",
        "[",
        "%",
        "%-",
        "%5",
        "-",
        "--",
        "\\x",
        "\\0",
        "é,é,é",
        "x,\\",
        "x,-,-",
        "x,-,99999999999999999999",
        "x,-,1-99999999999",
        "1e99999+1",
        "0x,,%s",
        "nan*nan,c",
        "99999999999999999999999999999999,,%c",
        "-1e300,,%c",
        "\"\" \"",
        "a==",
        "1<<99,i",
        "1>>-1,i",
        "-2147483648%-1,i",
    ];
    let names: Vec<&str> = crate::interp::functions::catalogue()
        .into_iter()
        .map(|it| it.0)
        .filter(|it| read(it).is_some())
        .collect();
    assert!(names.len() > 40, "{names:?}");
    for name in names {
        let Some(function) = read(name) else {
            panic!("{name} is not a string function");
        };
        for args in samples {
            let mut ctx = ctx();
            let _ = function(&mut ctx, args);
        }
    }
}
