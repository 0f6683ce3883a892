//! Expression tests: every vector of spec dialplan.md §8.4 (grouped as the spec lists them),
//! the §11 facts, warnings, dialplan functions, syntax-error side effects and robustness.

use std::cell::RefCell;

use pest::Parser;

use crate::expr::expression::grammar::{ExprGrammar, Rule};
use crate::expr::expression::ldouble::Ld;
use crate::expr::expression::lex::{lex, Kind};
use crate::expr::expression::limits::MAX_NESTING;
use crate::expr::expression::{evaluate, parse, Functions, NoFunctions, Outcome};

/// A few functions that record how they were called.
#[derive(Default)]
struct Recorder {
    calls: RefCell<Vec<String>>,
}

impl Functions for Recorder {
    fn call(&self, name: &str, args: &str) -> Option<String> {
        self.calls.borrow_mut().push(format!("{name}({args})"));
        match name {
            "ECHO" => Some(args.to_string()),
            "LEN" => Some(args.len().to_string()),
            "EMPTY" => Some(String::new()),
            "BIG" => Some("x".repeat(600)),
            _ => None,
        }
    }
}

#[track_caller]
fn check(text: &str, expect: &str) {
    let Outcome { value, warnings } = evaluate(text, &NoFunctions);
    assert_eq!(value, expect, "$[{text}] (warnings: {warnings:?})");
}

#[track_caller]
fn check_warnings(text: &str, expect: &str, expect_warnings: &[&str]) {
    let Outcome { value, warnings } = evaluate(text, &NoFunctions);
    assert_eq!(value, expect, "$[{text}] (warnings: {warnings:?})");
    assert_eq!(warnings, expect_warnings, "warnings of $[{text}]");
}

#[track_caller]
fn check_calls(text: &str, expect: &str, expect_calls: &[&str]) {
    let functions = Recorder::default();
    let Outcome { value, warnings } = evaluate(text, &functions);
    assert_eq!(value, expect, "$[{text}] (warnings: {warnings:?})");
    assert_eq!(
        *functions.calls.borrow(),
        expect_calls,
        "calls of $[{text}]"
    );
}

/// The vectors that also appear in Asterisk's `tests/test_expr.c`.
#[test]
fn vectors_test_expr_c() {
    check("2 + 2", "4");
    check("      2     +       2            ", "4");
    check("", "");
    check("2 - 4", "-2");
    check("4 - 2", "2");
    check("-4 - -2", "-2");
    check("4 + 2 * 8", "20");
    check("(4 + 2) * 8", "48");
    check("4 + (2 * 8)", "20");
    check("4 + (2 * 8) ? 3 :: 6", "3");
    check("4 + 8 / 2", "8");
    check("4 + 8 / 3", "6.66666666666666667");
    check("FLOOR(4 + 8 / 3)", "6");
    check("(4+8) / 3", "4");
    check("4 + 8 % 3", "6");
    check("4 + 9 % 3", "4");
    check("(4+9) %3", "1");
    check("(4+8)% 3", "0");
    check("4 & 4", "4");
    check("0 & 4", "0");
    check("0 & 0", "0");
    check("2 | 0", "2");
    check("2 | 4", "2");
    check("0 | 0", "0");
    check("!0 | 0", "1");
    check("!4 | 0", "0");
    check("4 | !0", "4");
    check("!4 | !0", "1");
    check("0", "0");
    check("!0", "1");
    check("00", "00");
    check("!00", "1");
    check("1", "1");
    check("!1", "0");
    check("01", "01");
    check("!01", "0");
    check("3 < 4", "1");
    check("4 < 3", "0");
    check("3 > 4", "0");
    check("4 > 3", "1");
    check("3 = 3", "1");
    check("3 = 4", "0");
    check("3 != 3", "0");
    check("3 != 4", "1");
    check("3 >= 4", "0");
    check("3 >= 3", "1");
    check("4 <= 3", "0");
    check("4 <= 4", "1");
    check("3 > 4 & 4 < 3", "0");
    check("4 > 3 & 3 < 4", "1");
    check("x = x", "1");
    check("y = x", "0");
    check("x != y", "1");
    check(r#""Something interesting" =~ interesting"#, "11");
    check(r#""Something interesting" =~ Something"#, "9");
    check(r#""Something interesting" : Something"#, "9");
    check(r#""Something interesting" : interesting"#, "0");
    check(r#""Something interesting" =~ "interesting""#, "11");
    check(r#""Something interesting" : "Something""#, "9");
    check(r#""Something interesting" =~ (interesting)"#, "11");
    check(r#""Something interesting" : (interesting)"#, "0");
    check(r#""Something interesting" =~ "\(interesting\)""#, "0");
    check(r#""011043567857575" : "011\(..\)""#, "0");
    check(
        r#""Something interesting" =~ "(interesting)""#,
        "interesting",
    );
    check(r#""Something interesting" =~ "(Something)""#, "Something");
    check(r#""Something interesting" : "(Something)""#, "Something");
    check(r#""Something interesting" : "(interesting)""#, "");
    check(r#""011043567857575" : "011(..)""#, "04");
    check(r#""9011043567857575" : "011(..)""#, "");
    check(r#""011043567857575" =~ "011(..)""#, "04");
    check(r#""9011043567857575" =~ "011(..)""#, "04");
    check("3", "3");
    check("something", "something");
    check("043", "043");
    check("${GLOBAL(ULKOPREFIX)}9${x}", "${GLOBAL(ULKOPREFIX)}9${x}");
    check("512059${x}", "512059${x}");
}

/// Floating-point arithmetic, maths functions, division and non-numeric operands.
#[test]
fn vectors_arithmetic_and_maths() {
    check("2.1+4.2", "6.3");
    check(
        "1.500003+1.4999999999999898989898989898989898989889898",
        "3.0000029999999899",
    );
    check("1/4", "0.25");
    check("REMAINDER(13,3)", "1");
    check("POW(10.0,4.0)", "10000");
    check("SQRT(4)", "2");
    check("SQRT(2)", "1.41421356237309505");
    check("FLOOR(2.4)", "2");
    check("FLOOR(2.6)", "2");
    check("CEIL(2.4)", "3");
    check("CEIL(2.6)", "3");
    check("ROUND(2.4)", "2");
    check("ROUND(2.5)", "3");
    check("RINT(2.5)", "2");
    check("RINT(3.5)", "4");
    check("TRUNC(2.6)", "2");
    check("EXP2(1.0)", "2");
    check("LOG10(10)", "1");
    check("SQRT(2)*SQRT(2)", "2");
    check("ACOS(12)", "nan");
    check("7 / 2", "3.5");
    check("1 / 3", "0.333333333333333333");
    check("10 / 0", "2147483647");
    check("10 % 0", "0");
    check("abc / 2", "0");
    check("2 / abc", "2147483647");
    check("-7 % 3", "-1");
    check("7.5 % 2", "1.5");
    check("abc + 5", "5");
    check("5 + abc", "5");
    check("abc - 5", "-5");
    check("5 - abc", "5");
    check("abc * 5", "0");
    check("-abc", "0");
}

/// `!`, `|` and `&`, and when numeric strings get converted.
#[test]
fn vectors_not_or_and() {
    check("!abc", "1");
    check(r#"!"""#, "1");
    check(r#"!"0""#, "1");
    check("!0.5", "1");
    check("!1.5", "0");
    check("!-1", "0");
    check("!!5", "1");
    check("!!0", "0");
    check("0 | abc", "abc");
    check("abc | 0", "abc");
    check(r#""" | 5"#, r#""""#);
    check("abc & def", "abc");
    check("abc & 0", "0");
    check("05 | 1", "5");
    check("0 | 05", "05");
    check("05 & 07", "5");
    check("05", "05");
    check("05 + 0", "5");
    check("- 05", "-5");
}

/// Comparisons (numeric or byte-wise), quoted strings, number tokens.
#[test]
fn vectors_comparisons_and_number_tokens() {
    check("007 = 7", "1");
    check(r#""abc""#, r#""abc""#);
    check(r#""""#, r#""""#);
    check(r#""abc" = "abc""#, "1");
    check(r#""abc" = abc"#, "0");
    check(r#"x = "x""#, "0");
    check(r#""x y" = "x y""#, "1");
    check(r#""" = """#, "1");
    check(r#""1" = 1"#, "0");
    check("abc < abd", "1");
    check("B < a", "1");
    check("A = a", "0");
    check("10 < 9", "0");
    check("10 < 9a", "1");
    check(r#""10" < "9""#, "1");
    check("100 > 099", "1");
    check(r#""100" > "99""#, "0");
    check("10 = 10.0", "1");
    check("1.5 = 1.50", "1");
    check("1e3", "1e3");
    check("1.0", "1.0");
    check("1.50", "1.50");
    check(".5 + 1", "1");
    check("1. + 1", "1");
    check("0.1 + 0.2", "0.3");
}

/// Precedence and associativity of the binary and unary operators.
#[test]
fn vectors_precedence_and_associativity() {
    check("2 - 3 - 4", "-5");
    check("100 / 10 / 2", "5");
    check("10 / 4 * 2", "5");
    check("10 % 3 * 2", "2");
    check("1 = 1 = 1", "1");
    check("2 = 2 = 2", "0");
    check("3 > 2 > 1", "0");
    check("1 | 1 & 0", "1");
    check("0 & 1 | 1", "1");
    check("1 = 1 | 0", "1");
    check("1 + 1 = 2", "1");
    check("1 + (1 = 2)", "1");
    check("! 1 = 2", "0");
    check("!1 = 0", "1");
    check("-(2 + 3)", "-5");
    check("- - 3", "3");
    check("4 - -2", "6");
    check("3 - - - 3", "0");
}

/// The `? ::` conditional.
#[test]
fn vectors_ternary() {
    check("1 ? 2 :: 3", "2");
    check("0 ? 2 :: 3", "3");
    check("abc ? yes :: no", "yes");
    check(r#""" ? yes :: no"#, "no");
    check(r#""0" ? yes :: no"#, "yes");
    check("0.0 ? yes :: no", "no");
    check("00 ? a :: b", "b");
    check("1 ? 05 :: 6", "05");
    check("1 ? 2 :: 0 ? 4 :: 5", "4");
    check("0 ? x :: y ? 1 :: 2", "1");
    check(r#"1 = 1 ? "yes" :: "no""#, r#""yes""#);
}

/// `~~`, `:` and `=~`.
#[test]
fn vectors_concatenation_and_regex() {
    check("abc ~~ def", "abcdef");
    check("1 ~~ 2", "12");
    check(r#""a b" ~~ "c""#, "a bc");
    check("12 ~~ 34 + 1", "1235");
    check("05 ~~ 1", "051");
    check("1 = 1 ~~ 1", "0");
    check("(1 = 1) ~~ 1", "11");
    check("-5 : 5", "-1");
    check("abc : a", "1");
    check("abc : b", "0");
    check(r#"abc : "a(b)c""#, "b");
    check(r#"abc =~ "b(c)""#, "c");
    check(r#"abcabc =~ "b""#, "1");
    check(r#"12345 : "[0-9]*""#, "5");
    check(r#""" : ".*""#, "0");
    check(r#"5551234 : "555(.*)""#, "1234");
    check(r#"95551234 : "9(.*)""#, "5551234");
    check(r#"95551234 : "9.*""#, "8");
    check(r#"95551234 =~ "55""#, "2");
    check(r#"95551234 =~ "^55""#, "0");
    check("X : Y : Z", "0");
    check("555 : 5 : 1", "1");
}

/// Words, `-` as an operator, dropped characters.
#[test]
fn vectors_lexer() {
    check("foo-bar", "0");
    check("$foo", "$foo");
    check("a$b", "a$b");
    check("a'b", "a'b");
    check("@#^", "@#^");
    check("x;y", "x;y");
    check(r#""a"b"#, r#""a""#);
}

/// Built-in maths functions and their argument counts.
#[test]
fn vectors_maths_functions() {
    check("FLOOR(7/2)", "3");
    check("ROUND(-2.5)", "-3");
    check("FLOOR(-2.5)", "-3");
    check("CEIL(-2.5)", "-2");
    check("TRUNC(-2.5)", "-2");
    check("REMAINDER(14,4)", "-2");
    check("ABS(-2.5)", "2.5");
    check("POW(2,10)", "1024");
    check("EXP10(2)", "100");
    check("LOG(0)", "-inf");
    check("POW(2)", "0");
    check("SQRT(16,2)", "0");
    check("lower(1)", "0");
}

/// Results whose digits depend on the 80-bit `long double`.
#[test]
fn vectors_long_double_results() {
    check("1000000 * 1000000", "1000000000000");
    check("99999999999999999999 + 1", "1e+20");
    check("9223372036854775807 + 1", "9.22337203685477581e+18");
}

/// Syntax errors (§5.7) and `TOKEN (` as a function call.
#[test]
fn vectors_syntax_errors() {
    check("a b", "a");
    check("1 + 2 3", "3");
    check("1 + 2 * 3 4", "7");
    check("1 2 3", "1");
    check("1)", "1");
    check("3 ,4", "3");
    check("1 :: 2", "1");
    check("2 ^ 3", "2");
    check("1 ~ 2", "1");
    check("- 4 x", "-4");
    check("5 - x y", "5");
    check("+", "");
    check("+5", "");
    check("= a", "");
    check(" = ", "");
    check(":: 2", "");
    check(") 1", "");
    check("1 +", "0");
    check("(1", "0");
    check("( )", "0");
    check("(1 2)", "0");
    check("a = ", "0");
    check("1 ? 2", "0");
    check("1 ? 2 : 3", "0");
    check("!", "0");
    check("95551234 : 9(.*)", "0");
    check("1 (2)", "0");
}
/// Facts checked on a live Asterisk 22 (§11): signed zeros and NaN signs survive.
#[test]
fn negative_zero_and_nan() {
    check("-0", "-0");
    check("- 0", "-0");
    check("0*-1", "-0");
    check("CEIL(-0.5)", "-0");
    check("TRUNC(-0.5)", "-0");
    check("ABS(-0)", "-0");
    check("SQRT(-1)", "-nan");
    check("LOG(-1)", "nan");
    check("abc - 0", "0");
    check("10 % -0", "-0");
    check("LOG(0) - LOG(0)", "-nan");
    check("-LOG(0)", "inf");
}

/// Maths functions; the expected values come from Asterisk's own engine built with glibc.
#[test]
fn maths_against_glibc() {
    check("EXP(1)", "2.71828182845904524");
    check("SIN(1)", "0.841470984807896507");
    check("ATAN(1)*4", "3.14159265358979324");
    check("ATAN2(-0,-1)", "-3.14159265358979324");
    check("ATAN2(0,0)", "0");
    check("ACOS(-1)", "3.14159265358979324");
    check("ACOS(1)", "0");
    check("ASIN(-0)", "-0");
    check("SIN(-0)", "-0");
    check("COS(-0)", "1");
    check("LOG(2)", "0.693147180559945309");
    check("LOG10(0.001)", "-3");
    check("LOG2(0.125)", "-3");
    check("EXP2(0.5)", "1.41421356237309505");
    check("EXP(-11355.5)", "2.33889511932563737e-4932");
    check("EXP2(-16445.5)", "3.6451995318824746e-4951");
    check("POW(2.5,3.5)", "24.7052942200654635");
    check("POW(-8,1.5)", "-nan");
    check("POW(LOG(-1),0)", "1");
    check("POW(0,-1)", "inf");
    check("POW(-0,-3)", "-inf");
    check("REMAINDER(5,0)", "-nan");
    check("SIN(EXP(20000))", "-nan");
    check("ASIN(2)", "nan");
    check("LOG2(-1)", "nan");
    // Two NaNs: the positive one wins, as on the x87.
    check("SQRT(-1) + LOG(-1)", "nan");
    check("SQRT(-1) + SQRT(-1)", "-nan");
    check("SQRT(-1) = SQRT(-1)", "0");
    check("!SQRT(-1)", "0");
    check("SQRT(-1) ? a :: b", "a");
}

#[test]
fn number_formatting() {
    check("1 / 8", "0.125");
    check("1 / 16384", "6.103515625e-05");
    check("1 / 10000", "0.0001");
    check("1 / 100000", "1e-05");
    check("999999999999999999 + 0", "999999999999999999");
    check("999999999999999999 + 1", "1e+18");
    check("123456789012345678 * 10", "1.23456789012345678e+18");
    check("2 / 3", "0.666666666666666667");
    check("0.5 * 3", "1.5");
    check("100000000000000000000000 * 1", "1e+23");
    check("POW(2,64)", "1.84467440737095516e+19");
    check("POW(10,-5)", "1e-05");
    check("EXP10(4000) * 1", "1e+4000");
    check("EXP10(5000)", "inf");
    check("POW(2,-16445)", "3.6451995318824746e-4951");
    check("POW(2,-16446)", "0");
}

#[test]
fn warnings() {
    check_warnings("10 / 0", "2147483647", &["division by zero"]);
    check_warnings("10 % 0", "0", &["div by zero"]);
    check_warnings("abc + 5", "5", &["non-numeric argument"]);
    check_warnings("5 + abc", "5", &[]);
    check_warnings("5 - abc", "5", &["non-numeric argument"]);
    check_warnings("abc * 5", "0", &["non-numeric argument"]);
    check_warnings("0.1 * 0.1", "0.01", &["overflow"]);
    check_warnings("3 * 4", "12", &[]);
    check_warnings(
        "-(0 - 9223372036854775808)",
        "9.22337203685477581e+18",
        &["overflow"],
    );
    check_warnings(
        "lower(1)",
        "0",
        &["'lower' is not possibly a function name"],
    );
    check_warnings("POW(2)", "0", &["wrong args to POW() function"]);
    check_warnings("SQRT(x)", "0", &["non-numeric argument to SQRT() function"]);
    check_warnings(
        "FOO(1)",
        "0",
        &["'FOO' doesn't appear to be an available function"],
    );
    check_warnings(
        r#"abc : "(""#,
        "",
        &[r"regcomp() error : unmatched ( or \("],
    );
    check_warnings(
        r#"abc : "*""#,
        "",
        &["regcomp() error : invalid preceding regular expression"],
    );
    check_warnings(
        "a b",
        "a",
        &["syntax error, unexpected '<token>', expecting $end; input: a b"],
    );
    check_warnings(
        "1 +",
        "0",
        &["syntax error, unexpected $end, expecting '-' or '!' or '(' or '<token>'; input: 1 +"],
    );
    check_warnings(
        "(1 2)",
        "0",
        &["syntax error, unexpected '<token>'; input: (1 2)"],
    );
    check_warnings(
        "F(1 2)",
        "0",
        &["syntax error, unexpected '<token>', expecting ',' or ')'; input: F(1 2)"],
    );
    check_warnings(
        "1 ~~",
        "0",
        &["syntax error, unexpected $end, expecting '-' or '!' or '(' or '<token>'; input: 1 ~~"],
    );
    check_warnings(
        "~~",
        "",
        &["syntax error, unexpected TOK_TILDETILDE, expecting $end; input: ~~"],
    );
    check_warnings(
        "! =~ 3",
        "0",
        &["syntax error, unexpected '='TILDE, expecting '-' or '!' or '(' or '<token>'; input: ! =~ 3"],
    );
    let huge = format!("1{} + 0", "0".repeat(5000));
    let Outcome { value, warnings } = evaluate(&huge, &NoFunctions);
    assert_eq!(value, "0");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("conversion of 1000") && warnings[0].ends_with("under/overflowed")
    );
    assert_eq!(warnings[1], "non-numeric argument");
}

#[test]
fn syntax_error_offsets() {
    let offset = |text: &str| parse(text).syntax_error().map(|it| it.offset);
    assert_eq!(offset("1 + 2"), None);
    assert_eq!(offset("1 + 2 3"), Some(6));
    assert_eq!(offset("1 +"), Some(3));
    assert_eq!(offset("+5"), Some(0));
    assert_eq!(offset("(1 ${x"), Some(6));
    assert_eq!(offset("(1 ${"), Some(3));
    assert_eq!(offset("(1"), Some(2));
}

/// At a syntax error, what bison reduced before the error was evaluated (warnings and
/// function calls happen), and nothing after it.
#[test]
fn syntax_errors_evaluate_what_came_before() {
    check_warnings(
        "(1/0",
        "0",
        &[
            "division by zero",
            "syntax error, unexpected $end; input: (1/0",
        ],
    );
    check_warnings(
        "1/0 + 2 3",
        "2147483649",
        &[
            "division by zero",
            "syntax error, unexpected '<token>', expecting $end; input: 1/0 + 2 3",
        ],
    );
    check_calls("(ECHO(1) +", "0", &["ECHO(1)"]);
    check_calls("ECHO(7) ECHO(8)", "7", &["ECHO(7)"]);
    check_calls("1 ? ECHO(2) ECHO(3)", "0", &["ECHO(2)"]);
    check_calls("ECHO(1, ECHO(2)", "0", &["ECHO(2)"]);
    check_calls("1 + ECHO(2) * ", "0", &["ECHO(2)"]);
}

#[test]
fn dialplan_functions() {
    check_calls("LEN(abc)", "3", &["LEN(abc)"]);
    check_calls("LEN(abc) + 1", "4", &["LEN(abc)"]);
    check_calls(
        r#"ECHO(1,2.50,"x",)"#,
        r#"1,2.50,"x","#,
        &[r#"ECHO(1,2.50,"x",)"#],
    );
    check_calls(
        "ECHO(1+1, 1/3)",
        "2,0.333333333333333333",
        &["ECHO(2,0.333333333333333333)"],
    );
    check_calls("ECHO(-5) + 1", "-4", &["ECHO(-5)"]);
    check_calls("ECHO( 12 )", "12", &["ECHO(12)"]);
    check_calls("EMPTY(x)", "0", &["EMPTY(x)"]);
    check_calls("EMPTY(x) = 0", "1", &["EMPTY(x)"]);
    check_calls("ECHO(a) ~~ 1", "a1", &["ECHO(a)"]);
    check_calls("BIG()", "0", &[]);
    check_calls(r#"BIG(1) : "x*""#, "511", &["BIG(1)"]);
    // Every operand is evaluated: there is no short-circuit.
    check_calls("1 | ECHO(2)", "1", &["ECHO(2)"]);
    check_calls("0 & ECHO(2)", "0", &["ECHO(2)"]);
    check_calls("1 ? ECHO(2) :: ECHO(3)", "2", &["ECHO(2)", "ECHO(3)"]);
    check_calls("UNKNOWN(1)", "0", &["UNKNOWN(1)"]);
    check_calls("abc(1)", "0", &[]);
}

#[test]
fn regex_details() {
    // Leftmost-longest, not leftmost-first.
    check(r#"ab : "a|ab""#, "2");
    check(r#"ab : "(a|ab)""#, "ab");
    check(r#"xabc =~ "b|abc""#, "3");
    check(r#"aab : "(a*)(ab)?b""#, "aa");
    check(r#"aab : "a*(ab)?""#, "ab");
    // Group 1 that does not take part: the match length.
    check(r#"abc : "(x)?abc""#, "3");
    check(r#"abc : "(x)?z""#, "");
    // Captures that look numeric become numeric strings.
    check(r#"a12b : "a(..)" + 1"#, "13");
    check(r#"a-12b : "a(...)" + 1"#, "1");
    // POSIX syntax: literal braces, brackets, classes, anchors.
    check(r#""a{b" : "a\{b""#, "3");
    check(r#""a]b" : "a[]]b""#, "3");
    check(r#"a\b : "a[\]b""#, "3");
    check(r#""a-b" : "a[x-]b""#, "3");
    check(r#"abc123 : "[[:alpha:]]*""#, "3");
    check(r#"aaa : "a{2}""#, "2");
    check(r#"aaa : "a{,2}""#, "2");
    check(r#"aaa : "a{2,}""#, "3");
    check(r#""ab$" : "ab$""#, "0");
    check(r#"ab : "ab$""#, "2");
    check(r#"abab =~ "ab$""#, "2");
    check(r#""a)" : "a)""#, "2");
    check(r#""a+" : "a\+""#, "2");
    check(r#"x : "a**""#, "0");
    // Errors.
    check_warnings(r#"a : "a{1""#, "", &[r"regcomp() error : unmatched \{"]);
    check_warnings(
        r#"a : "a{2,1}""#,
        "",
        &[r"regcomp() error : invalid content of \{\}"],
    );
    check_warnings(
        r#"a : "[a""#,
        "",
        &["regcomp() error : unmatched [, [^, [:, [., or [="],
    );
    check_warnings(
        r#"a : "[z-a]""#,
        "",
        &["regcomp() error : invalid range end"],
    );
    check_warnings(
        r#"a : "[[:foo:]]""#,
        "",
        &["regcomp() error : invalid character class name"],
    );
    check_warnings(r#"a : "a\""#, "", &["regcomp() error : trailing backslash"]);
    check_warnings(
        r#"a : "^*""#,
        "",
        &["regcomp() error : invalid preceding regular expression"],
    );
    check_warnings(
        r#"a : "\1""#,
        "",
        &["regcomp() error : invalid back reference"],
    );
    // A cached pattern gives the same answers on every evaluation.
    let expr = parse(r#"${X} : "9(.*)""#.replace("${X}", "95551234").as_str());
    for _ in 0..3 {
        assert_eq!(expr.eval(&NoFunctions).value, "5551234");
    }
}

#[test]
fn lexer_details() {
    check("12${x}", "12${x}");
    check("${x}-1", "-1");
    check("${a}${b}c", "${a}${b}c");
    check("${a{b}c}d e", "${a{b}c}d");
    check("${x},5", "${x},5");
    check("ab${x", "");
    check("1 + ${x", "0");
    check("1 ${x", "1");
    check("$", "");
    check("a$", "a");
    check("a$ b", "a$ b");
    check("1.2.3 + 1", "1");
    check("\"a", "a");
    check("[1]", "1");
    check("1\n+\t2", "3");
    check("é = é", "1");
    check("1 =~~ 1", "1");
    check("1 !~ 1", "1");
    check("2\0 + 3", "2");
    // A `${...}` token ended by a blank or operator right after its `}` takes the rest of the
    // text as its value (flex's `unput()` quirk); lexing goes on after the `}`.
    check("(${X})", "${X})");
    check("${X} = ${X}", "0");
    check("${X}x = ${X}x", "1");
    check_warnings("${X} + 1", "1", &["non-numeric argument"]);
    check("1 == 1 && 2 || 0", "1");
    check("0 || 2 && 3", "2");
}

/// Parsing once and evaluating many times gives the same outcome each time; a parsed
/// expression can be shared between threads.
#[test]
fn parse_once_eval_many() {
    fn shareable<T: Send + Sync>(_: &T) {}
    shareable(&parse("1"));
    let expr = parse("10 / 0 + 1");
    for _ in 0..3 {
        assert_eq!(
            expr.eval(&NoFunctions),
            Outcome {
                value: "2147483648".into(),
                warnings: vec!["division by zero".into()],
            }
        );
    }
    let copy = expr.clone();
    assert_eq!(copy.eval(&NoFunctions).value, "2147483648");
}

#[test]
fn deep_and_long_inputs() {
    let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let outcome = evaluate(&deep, &NoFunctions);
    assert_eq!(outcome.value, "0");
    assert_eq!(outcome.warnings.len(), 1);
    let ok = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    check(&ok, "1");
    let ok = format!("{}1{}", "F(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    check(&ok, "0");
    let over = format!(
        "{}1{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    check(&over, "0");
    check(&format!("{}1", "- ".repeat(100_001)), "-1");
    check(&format!("{}1", "!".repeat(100_000)), "1");
    check(&format!("1{}", " + 1".repeat(100_000)), "100001");
    check(&format!("1{}", " ? 1".repeat(1_000)), "0");
    check(&format!("{}x", "${".repeat(100_000)), "");
    check(
        &format!("{}x{}", "${".repeat(100_000), "}".repeat(100_000)),
        &format!("{}x{}", "${".repeat(100_000), "}".repeat(100_000)),
    );
}

/// A tiny deterministic PRNG (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// The hand-written lexer splits texts exactly as the grammar's `tokens` rule does.
#[test]
fn lexer_agrees_with_grammar() {
    const PIECES: &[&str] = &[
        "${", "}", "{", "\"", "$", "$$", "(", ")", "|", "||", "&", "=", "==", "=~", "!", "!=", "<",
        "<=", ">", ">=", "~", "~~", ":", "::", "?", ",", "+", "-", "*", "/", "%", " ", "\t", "\n",
        "0", "12", ".", "1.5", "a", "Zq", "_", "'", ";", "\\", "^", "#", "@", "[", "]", "`", "é",
        "\u{1}", "\u{7f}", "x${y}z",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..20_000 {
        let len = (rng.next() % 12) as usize;
        let text: String = (0..len).map(|_| rng.pick(PIECES)).collect();
        let reference: Vec<(bool, usize, usize)> = ExprGrammar::parse(Rule::tokens, &text)
            .unwrap_or_else(|err| panic!("tokens rule failed on {text:?}: {err}"))
            .flat_map(|pair| pair.into_inner())
            .filter(|pair| !matches!(pair.as_rule(), Rule::EOI | Rule::lost))
            .map(|pair| {
                let span = pair.as_span();
                (pair.as_rule() == Rule::number, span.start(), span.end())
            })
            .collect();
        let hand: Vec<(bool, usize, usize)> = lex(&text)
            .0
            .iter()
            .map(|token| (token.kind == Kind::Number, token.start, token.end))
            .collect();
        assert_eq!(hand, reference, "tokens of {text:?}");
    }
}

/// The fast decimal printer agrees with the big-integer one.
#[test]
fn fast_formatting_agrees_with_exact() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let mantissa = rng.next() | (1 << 63);
        let exponent = 16383 + (rng.next() % 260) as u128 - 190;
        let sign = u128::from(rng.next() & 1) << 79;
        let value = Ld::from_raw(rustc_apfloat::Float::from_bits(
            sign | (exponent << 64) | u128::from(mantissa),
        ));
        assert_eq!(
            value.to_text(),
            value.to_text_exact(),
            "{mantissa:#x} × 2^{exponent}"
        );
    }
}

/// Arbitrary input never panics.
#[test]
fn garbage_never_panics() {
    const ALPHABET: &[&str] = &[
        "(",
        ")",
        "?",
        "::",
        ":",
        "=~",
        "~~",
        "~",
        "|",
        "&",
        "=",
        "!",
        "<",
        ">",
        "+",
        "-",
        "*",
        "/",
        "%",
        ",",
        "\"",
        "${",
        "}",
        "{",
        "$",
        "[",
        "]",
        "\\",
        " ",
        "0",
        "1",
        "9",
        ".",
        "00",
        "1.5",
        "abc",
        "SQRT",
        "POW",
        "ECHO",
        "é",
        "\u{7f}",
        "\n",
        "^",
        "x*",
        "99999999999",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let functions = Recorder::default();
    for _ in 0..20_000 {
        let len = (next() % 16) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let outcome = evaluate(&text, &functions);
        // Something is always produced, and a syntax error is always reported last.
        if let Some(error) = parse(&text).syntax_error() {
            assert!(outcome
                .warnings
                .last()
                .is_some_and(|w| w.starts_with(&error.message)));
        }
    }
}
