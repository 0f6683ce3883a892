//! Interpreter benchmark (run by hand: `cargo bench --bench interp`): simple `$[...]`
//! expressions per second, executed priorities per second on a loop-heavy dialplan, and the time
//! of a 10-priority call with 5 substitutions and 2 state-function reads.

use std::hint::black_box;
use std::time::Instant;

use dialstate::expr::expression::{parse, template, NoFunctions, Piece};
use dialstate::interp::{run, CallOptions};
use dialstate::pbx::Pbx;

const LOOP: &str = "[loop]
exten => s,1,Set(I=0)
 same => n,While($[${I} < 200000])
 same => n,Set(I=$[${I} + 1])
 same => n,GotoIf($[${I} % 2]?odd)
 same => n(odd),EndWhile()
 same => n,NoOp(done ${I})
";

const CALL: &str = "[default]
exten => 100,hint,PJSIP/100&Custom:dnd100
exten => 100,1,Set(A=${EXTEN})
 same => n,Set(B=${CALLERID(num)})
 same => n,Set(S=${DEVICE_STATE(Custom:dnd100)})
 same => n,Set(E=${EXTENSION_STATE(100@default)})
 same => n,NoOp(${A} ${B})
 same => n,Set(C=${A:1})
 same => n,NoOp(${C})
 same => n,Answer()
 same => n,NoOp(done)
 same => n,Hangup()
";

fn main() {
    let only_loop = std::env::var_os("DIALSTATE_BENCH_ONLY_LOOP").is_some();
    if !only_loop {
        expressions();
    }
    looping();
    if !only_loop {
        call();
    }
}

fn expressions() {
    // 1. Simple expressions, parsed once and evaluated many times.
    let expr = parse("5 + 1 > 5");
    let n = 2_000_000;
    let start = Instant::now();
    let mut ones = 0usize;
    for _ in 0..n {
        ones += usize::from(black_box(&expr).eval(&NoFunctions).value == "1");
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!("expressions: `5 + 1 > 5` parsed once, {n} evaluations, {ones} true, {rate:.0} evaluations/s");
    let start = Instant::now();
    for i in 0..200_000 {
        let text = format!("{} + 1 > 5", i % 10);
        black_box(parse(&text).eval(&NoFunctions));
    }
    let rate = 200_000.0 / start.elapsed().as_secs_f64();
    println!("expressions: substituted text parsed and evaluated each time, {rate:.0}/s");
    // `$[${X} + 1 > 5]` as the interpreter runs it: a template parsed once per priority.
    if let Some(t) = template(&[Piece::Slot, Piece::Text(" + 1 > 5")]) {
        let values = ["3", "7", "12345", "0"];
        let start = Instant::now();
        let mut ones = 0usize;
        for i in 0..n {
            let value = values[i % values.len()];
            if let Some(outcome) = t.eval(&[black_box(value)], &NoFunctions) {
                ones += usize::from(outcome.value == "1");
            }
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("expressions: `${{X}} + 1 > 5` template, {n} evaluations, {ones} true, {rate:.0} evaluations/s");
    }
}

fn looping() {
    // 2. A loop-heavy dialplan: While, Set with an expression, GotoIf, EndWhile.
    let mut pbx = Pbx::load_str("loop.conf", LOOP);
    let options = CallOptions {
        context: "loop".to_string(),
        exten: "s".to_string(),
        max_steps: 10_000_000,
        ..CallOptions::default()
    };
    for trace in [false, true] {
        let options = CallOptions {
            trace,
            ..options.clone()
        };
        let start = Instant::now();
        let result = run(&mut pbx, &options);
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "loop ({}): {} priorities in {elapsed:.3} s = {:.0} priorities/s (I = {}, {} events)",
            if trace { "trace kept" } else { "no trace" },
            result.steps,
            result.steps as f64 / elapsed,
            result.channel.var("I").unwrap_or("?"),
            result.events.len()
        );
    }
}

fn call() {
    // 3. A 10-priority call with 5 substitutions and 2 state-function reads.
    let mut pbx = Pbx::load_str("call.conf", CALL);
    let options = CallOptions {
        context: "default".to_string(),
        exten: "100".to_string(),
        caller_num: Some("5551234".to_string()),
        ..CallOptions::default()
    };
    let mut times = Vec::with_capacity(20_000);
    for _ in 0..20_000 {
        let start = Instant::now();
        let result = run(&mut pbx, black_box(&options));
        times.push(start.elapsed().as_nanos() as u64);
        black_box(result.steps);
    }
    times.sort_unstable();
    let steps = run(&mut pbx, &options).steps;
    println!(
        "call: {steps} priorities, median {} ns, p99 {} ns",
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
}
