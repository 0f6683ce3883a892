//! Loader and lookup benchmark (run by hand: `cargo bench --bench loader`). Generates a dialplan
//! of about 1,000,000 lines (100k extensions, 10% patterns, 10k hints), then measures load
//! throughput, peak memory per priority and the median time of one extension lookup in a context
//! of 100k extensions with 1k patterns.

use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use dialstate::config::MemProvider;
use dialstate::dialplan::{load, Target};

/// A tiny deterministic generator, so every run measures the same dialplan.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// 10 contexts × 10k extensions; every 10th extension is a pattern, every 10th literal has a
/// hint; each extension has 9 or 10 priority lines.
fn big_dialplan() -> String {
    let mut text = String::with_capacity(48 << 20);
    text.push_str("[general]\nautofallthrough=yes\n[globals]\nTRUNK=PJSIP/trunk\n");
    let mut n = 0u32;
    for ctx in 0..10 {
        let _ = writeln!(text, "[ctx{ctx}]");
        for i in 0..10_000u32 {
            n += 1;
            if i % 10 == 9 {
                let _ = writeln!(text, "exten => _{ctx}{i:05}XX,1,NoOp(pattern ${{EXTEN}})");
            } else {
                let _ = writeln!(text, "exten => {ctx}{i:06},1,NoOp(call ${{EXTEN}})");
            }
            text.push_str(" same => n,Set(CDR(userfield)=${CALLERID(num)})\n");
            text.push_str(" same => n,GotoIf($[${DIALSTATUS} = BUSY]?busy)\n");
            text.push_str(" same => n,Dial(${TRUNK}/${EXTEN},30,tT)\n");
            text.push_str(" same => n,VoiceMail(${EXTEN}@default,u)\n");
            text.push_str(" same => n,Hangup()\n");
            text.push_str(" same => n(busy),Playback(vm-busy)\n");
            text.push_str(" same => n,VoiceMail(${EXTEN}@default,b)\n");
            text.push_str(" same => n,Hangup(17)\n");
            text.push_str(" same => n,NoOp(unreachable after hangup)\n");
            if i % 10 == 0 {
                let _ = writeln!(
                    text,
                    "exten => {ctx}{i:06},hint,PJSIP/{ctx}{i:06}&Custom:dnd{n}"
                );
            }
        }
    }
    text
}

/// One context of 100k extensions, 1k of them patterns.
fn lookup_dialplan() -> String {
    let mut text = String::from("[big]\n");
    for i in 0..99_000u32 {
        let _ = writeln!(text, "exten => {:07},1,NoOp", 2_000_000 + i * 7);
    }
    for i in 0..1_000u32 {
        let _ = writeln!(text, "exten => _{:04}XXX,1,NoOp", 1000 + i * 3);
    }
    text
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|it| it.starts_with(field))
        .and_then(|it| it.split_whitespace().nth(1))
        .and_then(|it| it.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let text = big_dialplan();
    let lines = text.lines().count();
    let bytes = text.len();
    let provider = MemProvider::default().with("big.conf", text.into_bytes());
    let before = rss_kib("VmRSS:");
    let start = Instant::now();
    let loaded = load(&provider, Path::new("big.conf"));
    let elapsed = start.elapsed();
    let peak = rss_kib("VmHWM:");
    let plan = &loaded.value;
    let priorities = plan.n_priorities();
    let extens: usize = plan.contexts.values().map(|it| it.extens.len()).sum();
    let hints = plan.hints().count();
    println!("generated: {lines} lines, {bytes} bytes, {extens} extensions, {priorities} priorities, {hints} hints, {} diagnostics", loaded.diagnostics.len());
    let mbps = bytes as f64 / elapsed.as_secs_f64() / 1e6;
    println!("load: {:.3} s, {mbps:.1} MB/s", elapsed.as_secs_f64());
    let per_priority = (peak.saturating_sub(before)) as f64 * 1024.0 / priorities as f64;
    println!(
        "peak memory: {} KiB above the baseline, {per_priority:.0} bytes per priority",
        peak.saturating_sub(before)
    );
    drop(loaded);
    {
        let start = Instant::now();
        let conf = dialstate::config::load(&provider, Path::new("big.conf"));
        let t_conf = start.elapsed();
        let start = Instant::now();
        let loaded = dialstate::dialplan::from_conf(conf);
        println!(
            "phases: config {:.3} s, dialplan {:.3} s ({} priorities)",
            t_conf.as_secs_f64(),
            start.elapsed().as_secs_f64(),
            loaded.value.n_priorities()
        );
    }

    let provider = MemProvider::default().with("lookup.conf", lookup_dialplan().into_bytes());
    let loaded = load(&provider, Path::new("lookup.conf"));
    let plan = &loaded.value;
    let ctx = plan.context("big").map_or(0, |it| it.extens.len());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut dialed = Vec::new();
    for _ in 0..200_000 {
        let r = rng.next();
        let s = match r % 3 {
            0 => format!("{:07}", 2_000_000 + (r >> 8) % 99_000 * 7),
            1 => format!("{:04}{:03}", 1000 + (r >> 8) % 1000 * 3, (r >> 20) % 1000),
            _ => format!("{:07}", 9_000_000 + (r >> 8) % 1_000_000),
        };
        dialed.push(s);
    }
    let mut times = Vec::with_capacity(dialed.len());
    let mut hits = 0usize;
    for d in &dialed {
        let start = Instant::now();
        let found = plan.find(black_box("big"), black_box(d), Target::Priority(1), None);
        times.push(start.elapsed().as_nanos() as u64);
        hits += usize::from(found.is_ok());
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];
    println!("lookup: context of {ctx} extensions (1000 patterns), {} lookups, {hits} found, median {median} ns, p99 {p99} ns", dialed.len());
}
