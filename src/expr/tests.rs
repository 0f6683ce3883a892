//! Substitution vectors from spec dialplan.md §4.3 and §8.5 that need no channel.

use std::collections::HashMap;

use crate::expr::{substitute, Vars};

struct Table(HashMap<&'static str, &'static str>);

impl Vars for Table {
    fn var(&mut self, name: &str) -> Option<String> {
        self.0.get(name).map(|it| it.to_string())
    }

    fn function(&mut self, name: &str, args: &str) -> Option<String> {
        match name {
            "LEN" => Some(args.len().to_string()),
            _ => None,
        }
    }
}

#[track_caller]
fn check(text: &str, expect: &str) {
    let mut vars = Table(HashMap::from([
        ("A", "abcdefg"),
        ("B", "A"),
        ("C", "${A}"),
        ("PREFIX", "9"),
    ]));
    assert_eq!(substitute(text, &mut vars), expect, "substituting {text:?}");
}

#[test]
fn variables_and_substrings() {
    check("${A}", "abcdefg");
    check("x${A}y", "xabcdefgy");
    check("${A:2}", "cdefg");
    check("${A:2:3}", "cde");
    check("${A:-3}", "efg");
    check("${A:-3:2}", "ef");
    check("${A:1:-2}", "bcde");
    check("${A::3}", "abcdefg");
    check("${A:a}", "abcdefg");
    check("${A:10}", "");
    check("${NOPE}", "");
    check("${${B}}", "abcdefg");
    check("${C}", "${A}");
    check("${PREFIX}1", "91");
    check("$foo $$ $", "$foo $$ $");
    check("${LEN(abc)}", "3");
    check("${LEN(abc):1}", "");
    check("${A", "abcdefg");
}
