//! This fuzz target feeds arbitrary text to the `$[...]` expression engine: it parses and
//! evaluates it, checks that a pre-parsed template evaluates exactly like substitution followed
//! by parsing whenever it accepts a value, and runs the text through the interpreter as the data
//! of a `Set` so that substitution, functions and the executor see it too.

#![no_main]

use dialstate::expr::expression::{evaluate, parse, template, Functions, Piece};
use dialstate::interp::{run, CallOptions};
use dialstate::pbx::Pbx;
use libfuzzer_sys::fuzz_target;

struct Echo;

impl Functions for Echo {
    fn call(&self, name: &str, args: &str) -> Option<String> {
        (name == "LEN").then(|| args.len().to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let direct = evaluate(text, &Echo);
    let again = parse(text).eval(&Echo);
    assert_eq!(direct, again);

    // Split at the first `|` into a template with one slot and a value for it.
    if let Some((before, rest)) = text.split_once('|') {
        let (after, value) = rest.split_once('|').unwrap_or((rest, "5"));
        if let Some(t) = template(&[Piece::Text(before), Piece::Slot, Piece::Text(after)]) {
            if let Some(outcome) = t.eval(&[value], &Echo) {
                let substituted = format!("{before}{value}{after}");
                assert_eq!(outcome, evaluate(&substituted, &Echo));
            }
        }
    }

    if text.len() < 512 && !text.contains('\n') {
        let conf = format!("[f]\nexten => s,1,Set(X=$[{text}])\n same => n,NoOp(${{X}} ${{LEN({text})}})\n");
        let mut pbx = Pbx::load_str("extensions.conf", &conf);
        let options = CallOptions {
            context: "f".to_string(),
            max_steps: 50,
            ..CallOptions::default()
        };
        let _ = run(&mut pbx, &options);
    }
});
