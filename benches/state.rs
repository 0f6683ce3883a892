//! State engine benchmark (run by hand: `cargo bench --bench state`): 100k hints over 200k
//! devices; the time for a device change to reach the watchers of the hint that names it;
//! sustained device changes per second with no watchers; and durable Custom state writes per
//! second through the group-committing store writer.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialstate::state::{DeviceState, HintKey, StateEngine};
use dialstate::store::{BatchWriter, SqliteStore, Store};

const HINTS: usize = 100_000;

fn build_engine() -> StateEngine {
    let mut engine = StateEngine::default();
    for i in 0..HINTS {
        engine.add_hint(
            HintKey {
                exten: format!("{}", 100_000 + i).into(),
                context: "default".into(),
            },
            &format!("PJSIP/d{}&Custom:d{}", 2 * i, 2 * i + 1),
        );
    }
    engine
}

const STATES: [DeviceState; 4] = [
    DeviceState::NotInuse,
    DeviceState::Inuse,
    DeviceState::Busy,
    DeviceState::Onhold,
];

fn main() {
    // 1. Watched hints: one watcher per hint; a change reaches it through its channel.
    let mut engine = build_engine();
    let mut receivers = Vec::with_capacity(HINTS);
    for i in 0..HINTS {
        let key = HintKey {
            exten: format!("{}", 100_000 + i).into(),
            context: "default".into(),
        };
        if let Ok((_, rx)) = engine.watch(Some(&key), false) {
            receivers.push(rx);
        }
    }
    let names: Vec<String> = (0..2 * HINTS)
        .map(|i| {
            if i % 2 == 0 {
                format!("PJSIP/d{i}")
            } else {
                format!("Custom:d{i}")
            }
        })
        .collect();
    // Warm-up: every device changes once, so every watcher's channel has been used.
    for (idx, name) in names.iter().enumerate() {
        engine.set_device_quiet(name, DeviceState::NotInuse);
        if let Some(rx) = receivers.get(idx / 2) {
            let _ = rx.try_iter().count();
        }
    }
    let mut times = Vec::with_capacity(200_000);
    let mut delivered = 0usize;
    for round in 0..200_000usize {
        let device = (round * 7919) % names.len();
        let state = STATES[round % STATES.len()];
        let start = Instant::now();
        let changes = engine.set_device(&names[device], state);
        let took = start.elapsed();
        let hints = changes.iter().filter(|it| it.hint().is_some()).count();
        if hints > 0 {
            times.push(took.as_nanos() as u64 / hints as u64);
        }
        if let Some(rx) = receivers.get(device / 2) {
            delivered += rx.try_iter().count();
        }
    }
    times.sort_unstable();
    println!(
        "watched: {HINTS} hints over {} devices, {} changes that moved a hint, {delivered} delivered; per affected hint median {} ns, p99 {} ns",
        names.len(),
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
    drop(receivers);
    if std::env::var_os("DIALSTATE_BENCH_ONLY_WATCHED").is_some() {
        return;
    }

    // 2. No watchers: sustained changes per second through aggregation.
    let mut engine = build_engine();
    let n = 3_000_000usize;
    let start = Instant::now();
    let mut moved = 0usize;
    for round in 0..n {
        let device = (round * 7919) % names.len();
        moved += engine.set_device_quiet(black_box(&names[device]), STATES[round % STATES.len()]);
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!("unwatched: {n} device changes, {moved} changes reported, {rate:.0} changes/s");

    // 3. Durable writes: 64 writers through the group-committing store writer on a real file.
    let path = std::env::temp_dir().join(format!("dialstate-bench-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let sqlite = match SqliteStore::open(&path) {
        Ok(it) => it,
        Err(err) => {
            println!("durable: cannot open {}: {err}", path.display());
            return;
        }
    };
    let writer = match BatchWriter::spawn(Box::new(sqlite)) {
        Ok(it) => Arc::new(it),
        Err(err) => {
            println!("durable: {err}");
            return;
        }
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    let start = Instant::now();
    let threads: Vec<_> = (0..64)
        .map(|t| {
            let writer = writer.clone();
            std::thread::spawn(move || {
                let mut done = 0usize;
                while Instant::now() < deadline {
                    let rx =
                        writer.submit("CustomDevstate", &format!("lamp{t}-{}", done % 100), "BUSY");
                    if matches!(rx.recv(), Ok(Ok(()))) {
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|it| it.join().unwrap_or(0)).sum();
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "durable: 64 writers, {total} Custom state writes durable in {elapsed:.2} s = {:.0} writes/s (group commit, WAL, synchronous=FULL)",
        total as f64 / elapsed
    );
    let single = {
        let mut store = match SqliteStore::open(&path) {
            Ok(it) => it,
            Err(_) => return,
        };
        let start = Instant::now();
        let mut n = 0;
        while start.elapsed() < Duration::from_secs(1) {
            if store.put("CustomDevstate", "solo", "INUSE").is_ok() {
                n += 1;
            }
        }
        n as f64 / start.elapsed().as_secs_f64()
    };
    println!("durable: one writer, one commit per write = {single:.0} writes/s");
    drop(writer);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
