//! Template tests: common shapes are accepted, unsafe shapes and values are refused, and a
//! differential test checks on generated templates and values that every evaluation a
//! template accepts equals substituting the values and evaluating the text.

use std::cell::RefCell;

use crate::expr::expression::{evaluate, template, Functions, Piece, Template};

/// A few dialplan functions that record how they were called.
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
            _ => None,
        }
    }
}

/// Splits `text` at each `${}` into pieces (a slot for each).
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    for (i, part) in text.split("${}").enumerate() {
        if i > 0 {
            pieces.push(Piece::Slot);
        }
        if !part.is_empty() {
            pieces.push(Piece::Text(part));
        }
    }
    pieces
}

/// The text with the values in the `${}` slots.
fn substitute(text: &str, values: &[&str]) -> String {
    let mut out = String::new();
    for (i, part) in text.split("${}").enumerate() {
        if i > 0 {
            out.push_str(values[i - 1]);
        }
        out.push_str(part);
    }
    out
}

#[track_caller]
fn template_of(text: &str) -> Template {
    template(&pieces(text)).unwrap_or_else(|| panic!("template {text:?} refused"))
}

/// Evaluates the template and checks the outcome and the function calls against
/// substitute + `evaluate`; false when the template refused the values.
#[track_caller]
fn agrees(text: &str, template: &Template, values: &[&str]) -> bool {
    let functions = Recorder::default();
    let Some(outcome) = template.eval(values, &functions) else {
        return false;
    };
    let substituted = substitute(text, values);
    assert_eq!(template.substitute(values), substituted);
    let reference = Recorder::default();
    let expected = evaluate(&substituted, &reference);
    assert_eq!(
        outcome, expected,
        "template {text:?} with {values:?} (substituted: {substituted:?})"
    );
    assert_eq!(
        *functions.calls.borrow(),
        *reference.calls.borrow(),
        "calls of {text:?} with {values:?}"
    );
    true
}

#[track_caller]
fn accepted(text: &str, values: &[&str], value: &str) {
    let template = template_of(text);
    let outcome = template.eval(values, &Recorder::default());
    assert_eq!(
        outcome.as_ref().map(|o| o.value.as_str()),
        Some(value),
        "{text:?} with {values:?}"
    );
    assert!(agrees(text, &template, values));
}

#[track_caller]
fn refused_values(text: &str, values: &[&str]) {
    let template = template_of(text);
    assert_eq!(
        template.eval(values, &Recorder::default()),
        None,
        "{text:?} with {values:?}"
    );
}

#[test]
fn common_shapes_are_accepted() {
    accepted("${} + 1", &["12345"], "12346");
    accepted("${} + 1", &["abc"], "1");
    accepted("${} < 200000", &["199999"], "1");
    accepted("${} % 2", &["7"], "1");
    accepted("\"${}\" = \"available\"", &["available"], "1");
    accepted("\"${}\" = \"available\"", &[""], "0");
    accepted("\"${}\" = \"available\"", &["in use (2)"], "0");
    accepted("\"${}\" = \"\"", &[""], "1");
    accepted("${} = ${}", &["a", "a"], "1");
    accepted("${} = ${}", &["1.0", "1"], "1");
    accepted("${} > 3 & ${} < 2", &["4", "1"], "1");
    accepted("${} > 3 & ${} < 2", &["4", "abc"], "0");
    accepted("${}", &["05"], "05");
    accepted("(${} + 1) * 2", &["1e5"], "2");
    accepted("${} : ${}", &["abc", "a.c"], "3");
    accepted("${} =~ \"b(.)\"", &["abc"], "c");
    accepted("${}(${})", &["ECHO", "hello"], "hello");
    accepted("LEN(\"${}\")", &["a b"], "5");
    accepted("1${}", &["5"], "15");
    accepted("${}${}", &["1", "2"], "12");
    accepted("${}.${}", &["1", "5"], "1.5");
    accepted("${} ? yes :: no", &["0"], "no");
    accepted("- ${}", &["3"], "-3");
    accepted("-${}", &["3"], "-3");
    accepted("${} + 99999999999999999999999", &["1"], "1e+23");
    accepted("1 + ", &[], "0");
    // A syntax error's warning shows the substituted input.
    accepted("${} ${}", &["1", "2"], "1");
    accepted("${} +", &["7"], "0");
}

#[test]
fn unsafe_values_are_refused() {
    for value in [
        "", " ", "1 + 2", "\"x\"", "(", "a b", "-3", "$x", "${X}", "}", "1,2",
    ] {
        refused_values("${} + 1", &[value]);
    }
    for value in ["\"", "a\"b", "\0"] {
        refused_values("\"${}\" = \"available\"", &[value]);
    }
    refused_values("${} + 1", &[]);
    refused_values("${} + 1", &["1", "2"]);
}

#[test]
fn unsafe_shapes_are_refused() {
    for text in [
        "${Y${}}",
        "${Y}${}",
        "${}${Y}",
        "${Y} + ${}",
        "${Y ${}",
        "${} \0",
    ] {
        assert!(template(&pieces(text)).is_none(), "{text:?}");
    }
    // A `${...}` leftover after the last slot is harmless.
    accepted("${} + ${Y}", &["1"], "1");
}

#[test]
fn templates_are_shareable() {
    fn shareable<T: Send + Sync>(_: &T) {}
    shareable(&template_of("${} + 1"));
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

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Generated templates and values: whenever a template and its values are accepted, the
/// outcome (value, warnings, function calls) is that of substituting and evaluating.
#[test]
fn differential() {
    const TEXT: &[&str] = &[
        " ", " ", " ", "  ", "\t", "1", "12", "0", "1.5", "05", "abc", "x", "ECHO", "LEN", "SQRT",
        "EMPTY", "+", "-", "*", "/", "%", "<", ">", "<=", ">=", "=", "==", "!=", "&", "|", "!",
        ":", "=~", "~~", "~", "?", "::", ",", "(", ")", "(", ")", "\"", "\"a\"", "\"\"", "$", "$$",
        "${", "}", "{", "${Y}", "x*", ".", "é", "'", "[", "\\", " + ", " = ", " : ",
    ];
    const VALUES: &[&str] = &[
        "0",
        "5",
        "-3",
        "1.5",
        "abc",
        "",
        " ",
        "1 + 2",
        "\"x\"",
        "05",
        "1e5",
        "0x10",
        "(",
        "a b",
        "12345",
        "ECHO",
        "LEN",
        "x*",
        "a.c",
        "$",
        "${",
        "}",
        "{",
        "99999999999999999999999",
        ".",
        "1.",
        "é",
        "'",
        "^a",
        "a\"b",
        ",",
        "1,2",
        "\0",
        "available",
        "in use",
        "0.0",
        "-0",
        "\\",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut templates, mut accepted, mut evaluations, mut agreed) = (0, 0, 0, 0);
    for _ in 0..40_000 {
        let len = 1 + rng.below(9);
        let text: String = (0..len)
            .map(|_| {
                if rng.below(3) == 0 {
                    "${}"
                } else {
                    rng.pick(TEXT)
                }
            })
            .collect();
        templates += 1;
        let Some(template) = template(&pieces(&text)) else {
            continue;
        };
        accepted += 1;
        let slots = template.slots();
        assert_eq!(slots, text.matches("${}").count(), "slots of {text:?}");
        for _ in 0..12 {
            let values: Vec<&str> = (0..slots).map(|_| rng.pick(VALUES)).collect();
            evaluations += 1;
            if agrees(&text, &template, &values) {
                agreed += 1;
            }
        }
    }
    eprintln!(
        "templates: {templates} generated, {accepted} accepted; evaluations: {evaluations}, \
         {agreed} accepted and checked"
    );
    assert!(accepted > templates / 2, "too few templates accepted");
    assert!(agreed > evaluations / 4, "too few evaluations accepted");
}
