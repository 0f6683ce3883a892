//! Manager interface (AMI) load test, run by hand, never in CI: `cargo bench --bench ami`.
//! Starts the release server as a child process on a generated configuration (`serve --config
//! DIR --db :memory: --manager 127.0.0.1:0`) and measures, each run on a fresh server:
//!
//! a. fan-out: SESSIONS logged-in sessions receive events while state changes are made at RATE
//!    per second through one control-socket connection (`x devstate change Custom:lampN STATE`,
//!    pipelined, paced every millisecond; or see AMI_BENCH_VIA). Each change flips one hinted Custom device, so it
//!    raises one `DeviceStateChange` and one `ExtensionStatus`; every session must receive every
//!    event, in order (checked per event against the change that raised it). Latency is from the
//!    moment the change was written to the control socket to the moment a session read the event.
//!    A run where a session was disconnected, or lost or misordered an event, is INCOMPLETE (its
//!    latencies cover the events that did arrive). Target: p99 ≤ 10 ms.
//! b. memory: the server's VmRSS (/proc/PID/status) with IDLE sessions logged in (each then proven
//!    alive by one event reaching all of them). Target: ≤ 50 MB.
//! c. `ExtensionStateList` over LIST_HINTS hints: from sending the action to reading the
//!    `ExtensionStateListComplete`, every item counted. Target: ≤ 1 s.
//!
//! `cargo bench --bench ami -- fan` (or `mem`, `list`) runs one measurement only.
//!
//! Knobs (environment): AMI_BENCH_SESSIONS (100), AMI_BENCH_RATE (changes/s, 10000),
//! AMI_BENCH_SECS (seconds of changes per fan-out run, 2), AMI_BENCH_HINTS (hinted lamps the
//! changes cycle through, 100), AMI_BENCH_IDLE (sessions for the memory runs, 1000),
//! AMI_BENCH_LIST_HINTS (100000), AMI_BENCH_RUNS (runs of each measurement, 3),
//! AMI_BENCH_THREADS (client runtime threads, 2), AMI_BENCH_VIA (`control`: the changes go through
//! the control socket; `ami`: as pipelined `Setvar DEVICE_STATE(Custom:lampN)` actions on one
//! manager session logged in with `Events: off`), AMI_BENCH_BIN (server binary; default the
//! release build cargo made for this bench), AMI_BENCH_KEEP (keep the generated folders and
//! server logs).
//!
//! The machine this was written on has 2 cores shared with other work and the client runs on the
//! same cores as the server: figures are upper bounds for the server's own cost.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USER: &str = "bench";
const SECRET: &str = "bench";
/// First extension of the lamp hints (`exten => 1000+i,hint,Custom:lampI`).
const EXTEN_BASE: usize = 1000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
struct Cfg {
    sessions: usize,
    rate: usize,
    secs: f64,
    hints: usize,
    idle: usize,
    list_hints: usize,
    runs: usize,
    threads: usize,
    via: Via,
    bin: PathBuf,
    keep: bool,
}

impl Cfg {
    fn from_env() -> Cfg {
        Cfg {
            sessions: env_usize("AMI_BENCH_SESSIONS", 100).max(1),
            rate: env_usize("AMI_BENCH_RATE", 10_000).max(1),
            secs: env_f64("AMI_BENCH_SECS", 2.0),
            hints: env_usize("AMI_BENCH_HINTS", 100).max(1),
            idle: env_usize("AMI_BENCH_IDLE", 1000).max(1),
            list_hints: env_usize("AMI_BENCH_LIST_HINTS", 100_000).max(1),
            runs: env_usize("AMI_BENCH_RUNS", 3).max(1),
            threads: env_usize("AMI_BENCH_THREADS", 2).max(1),
            via: match std::env::var("AMI_BENCH_VIA").as_deref() {
                Ok("ami") => Via::Ami,
                _ => Via::Control,
            },
            bin: std::env::var("AMI_BENCH_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|_| PathBuf::from(env!("CARGO_BIN_EXE_dialstate"))),
            keep: std::env::var_os("AMI_BENCH_KEEP").is_some(),
        }
    }
}

/// A generated configuration folder: `hints` lamp hints and a manager user.
fn config_dir(name: &str, hints: usize) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("dialstate-ami-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut ext = String::with_capacity(hints * 40 + 64);
    ext.push_str("[bench]\n");
    for i in 0..hints {
        ext.push_str(&format!(
            "exten => {},hint,Custom:lamp{i}\n",
            EXTEN_BASE + i
        ));
    }
    std::fs::write(dir.join("extensions.conf"), ext).unwrap();
    std::fs::write(
        dir.join("manager.conf"),
        format!(
            "[general]\nenabled = yes\nport = 5038\nbindaddr = 127.0.0.1\ntimestampevents = yes\n\n[{USER}]\nsecret = {SECRET}\nread = call\nwrite = call,reporting,command\n"
        ),
    )
    .unwrap();
    dir
}

struct Server {
    child: Child,
    manager: String,
    control: PathBuf,
    keep: bool,
    started_in: Duration,
}

impl Server {
    fn start(cfg: &Cfg, dir: &Path) -> Server {
        let control = dir.join("ctl");
        let _ = std::fs::remove_file(&control);
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let t0 = Instant::now();
        let mut child = Command::new(&cfg.bin)
            .args(["serve", "--config"])
            .arg(dir)
            .args(["--sip", "udp:127.0.0.1:0", "--db", ":memory:", "--control"])
            .arg(&control)
            .args(["--manager", "127.0.0.1:0"])
            .env("DIALSTATE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", cfg.bin.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let started_in = t0.elapsed();
        let manager = line
            .trim()
            .rsplit_once("; manager ")
            .map(|(_, a)| a.to_string())
            .unwrap_or_else(|| panic!("no manager address in `{line}` (see {})", dir.display()));
        Server {
            child,
            manager,
            control,
            keep: cfg.keep,
            started_in,
        }
    }

    /// A `/proc/PID/status` field in KiB.
    fn status_kib(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep {
            let _ = std::fs::remove_file(&self.control);
        }
    }
}

/// Finds `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A header's value inside one message.
fn header<'a>(msg: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    msg.split(|&b| b == b'\n').find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(b": "))
    })
}

/// Connects and logs in; returns the stream and any bytes read past the login answer.
async fn login(addr: &str) -> std::io::Result<(TcpStream, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(
            format!("Action: Login\r\nUsername: {USER}\r\nSecret: {SECRET}\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("closed during login"));
        }
        buf.extend_from_slice(&chunk[..n]);
        // Banner line, then the login response.
        if let Some(banner_end) = find(&buf, b"\r\n") {
            if let Some(end) = find(&buf[banner_end + 2..], b"\r\n\r\n") {
                let resp = &buf[banner_end + 2..banner_end + 2 + end];
                if !resp.starts_with(b"Response: Success") {
                    return Err(std::io::Error::other(
                        String::from_utf8_lossy(resp).into_owned(),
                    ));
                }
                let rest = buf[banner_end + 2 + end + 4..].to_vec();
                return Ok((stream, rest));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// a. fan-out latency

/// Change number `k` (counted over the server's life): which lamp, and whether it goes in use.
fn change(k: u64, hints: usize) -> (usize, bool) {
    let lamp = (k % hints as u64) as usize;
    let inuse = (k / hints as u64).is_multiple_of(2);
    (lamp, inuse)
}

/// What one session saw in one fan-out run: the arrival time (ns since `base`) of the k-th
/// DeviceStateChange and the k-th ExtensionStatus, and what went wrong.
#[derive(Default)]
struct Seen {
    dsc: Vec<u64>,
    /// The `Timestamp:` the server wrote in the k-th DeviceStateChange (ns since `base`): when
    /// its hub rendered the event.
    stamped: Vec<u64>,
    es: Vec<u64>,
    wrong: usize,
    closed: bool,
}

async fn fan_session(
    mut stream: TcpStream,
    mut buf: Vec<u8>,
    first: u64,
    n: usize,
    hints: usize,
    (base, base_epoch): (Instant, f64),
    deadline: tokio::time::Instant,
) -> Seen {
    let mut seen = Seen {
        dsc: Vec::with_capacity(n),
        es: Vec::with_capacity(n),
        ..Seen::default()
    };
    buf.reserve(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    // What each lamp's events must say, made once (the client must cost less than the server).
    let devices: Vec<Vec<u8>> = (0..hints)
        .map(|i| format!("Custom:lamp{i}").into_bytes())
        .collect();
    let extens: Vec<Vec<u8>> = (0..hints)
        .map(|i| (EXTEN_BASE + i).to_string().into_bytes())
        .collect();
    while seen.dsc.len() < n || seen.es.len() < n {
        let read = tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await;
        let now = base.elapsed().as_nanos() as u64;
        let got = match read {
            Err(_) => break,
            Ok(Ok(0)) | Ok(Err(_)) => {
                seen.closed = true;
                break;
            }
            Ok(Ok(got)) => got,
        };
        buf.extend_from_slice(&chunk[..got]);
        let mut start = 0;
        // One pass over the lines: a blank line ends a message (the client must cost less
        // than the server, so nothing is looked at twice).
        let mut msg = Msg::default();
        let mut from = 0;
        for nl in memchr::memchr_iter(b'\n', &buf) {
            let line = &buf[from..nl];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            from = nl + 1;
            if !line.is_empty() {
                msg.line(line);
                continue;
            }
            match msg.event {
                b"DeviceStateChange" => {
                    let (lamp, inuse) = change(first + seen.dsc.len() as u64, hints);
                    let ok = msg.device == &devices[lamp][..]
                        && msg.state == if inuse { &b"INUSE"[..] } else { b"NOT_INUSE" };
                    seen.wrong += usize::from(!ok);
                    seen.dsc.push(now);
                    // Every 8th only: a float parse per event costs the client too much.
                    let stamp = (seen.dsc.len() % 8 == 1)
                        .then(|| std::str::from_utf8(msg.timestamp).ok())
                        .flatten()
                        .and_then(|t| t.parse::<f64>().ok())
                        .map_or(0, |t| ((t - base_epoch).max(0.0) * 1e9) as u64);
                    seen.stamped.push(stamp);
                }
                b"ExtensionStatus" => {
                    let (lamp, inuse) = change(first + seen.es.len() as u64, hints);
                    let ok = msg.exten == &extens[lamp][..]
                        && msg.status == if inuse { &b"1"[..] } else { b"0" };
                    seen.wrong += usize::from(!ok);
                    seen.es.push(now);
                }
                _ => {}
            }
            msg = Msg::default();
            start = from;
        }
        buf.drain(..start);
    }
    seen
}

/// The fields of one event the fan-out check reads.
#[derive(Default)]
struct Msg<'a> {
    event: &'a [u8],
    device: &'a [u8],
    state: &'a [u8],
    exten: &'a [u8],
    status: &'a [u8],
    timestamp: &'a [u8],
}

impl<'a> Msg<'a> {
    fn line(&mut self, line: &'a [u8]) {
        let Some(colon) = memchr::memchr(b':', line) else {
            return;
        };
        let value = line[colon + 1..]
            .strip_prefix(b" ")
            .unwrap_or(&line[colon + 1..]);
        match &line[..colon] {
            b"Event" => self.event = value,
            b"Device" => self.device = value,
            b"State" => self.state = value,
            b"Exten" => self.exten = value,
            b"Status" => self.status = value,
            b"Timestamp" => self.timestamp = value,
            _ => {}
        }
    }
}

/// How the changes are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `x devstate change Custom:lampN STATE` on one control-socket connection.
    Control,
    /// `Action: Setvar` of `DEVICE_STATE(Custom:lampN)` on one manager session logged in with
    /// `Events: off`.
    Ami,
}

/// Counts `n` control answers (`LEN OK EXIT` + LEN bytes); returns how many were not OK.
fn control_answers(mut reader: impl BufRead, n: usize) -> usize {
    let mut bad = 0;
    let mut line = String::new();
    for _ in 0..n {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return bad + 1;
        }
        let mut parts = line.split_whitespace();
        let len: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        bad += usize::from(parts.next() != Some("1"));
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return bad + 1;
        }
    }
    bad
}

/// Counts `n` manager responses; returns how many were not `Response: Success`.
fn ami_answers(mut reader: impl BufRead, n: usize) -> usize {
    let mut bad = 0;
    let mut seen = 0;
    let mut line = String::new();
    while seen < n {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return bad + n - seen;
        }
        if let Some(kind) = line.strip_prefix("Response: ") {
            seen += 1;
            bad += usize::from(kind.trim_end() != "Success");
        }
    }
    bad
}

/// Makes `n` changes starting at change `first`, paced at `rate` per second in 1 ms ticks (each
/// tick's changes in one write, the answers read by another thread); returns each change's send
/// time (ns since `base`) and the number of answers that were not OK.
fn drive(
    server: &Server,
    via: Via,
    first: u64,
    n: usize,
    rate: usize,
    hints: usize,
    base: Instant,
) -> (Vec<u64>, usize) {
    let (mut writer, answers): (Box<dyn Write + Send>, std::thread::JoinHandle<usize>) = match via {
        Via::Control => {
            let stream = UnixStream::connect(&server.control).unwrap();
            let reader = BufReader::new(stream.try_clone().unwrap());
            (
                Box::new(stream),
                std::thread::spawn(move || control_answers(reader, n)),
            )
        }
        Via::Ami => {
            let mut stream = std::net::TcpStream::connect(&server.manager).unwrap();
            stream.set_nodelay(true).unwrap();
            stream
                .write_all(format!("Action: Login\r\nUsername: {USER}\r\nSecret: {SECRET}\r\nEvents: off\r\n\r\n").as_bytes())
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let login_ok = ami_answers(&mut reader, 1) == 0;
            assert!(login_ok, "the driver's login failed");
            (
                Box::new(stream),
                std::thread::spawn(move || ami_answers(reader, n)),
            )
        }
    };
    let per_tick = rate as f64 / 1000.0;
    let mut sent = Vec::with_capacity(n);
    let mut text = String::new();
    let t0 = Instant::now();
    let mut tick = 0u64;
    while sent.len() < n {
        tick += 1;
        let due = ((tick as f64 * per_tick).round() as usize).min(n);
        let at = t0 + Duration::from_millis(tick - 1);
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        text.clear();
        let now = base.elapsed().as_nanos() as u64;
        while sent.len() < due {
            let (lamp, inuse) = change(first + sent.len() as u64, hints);
            let state = if inuse { "INUSE" } else { "NOT_INUSE" };
            match via {
                Via::Control => text.push_str(&format!("x devstate change Custom:lamp{lamp} {state}\n")),
                Via::Ami => text.push_str(&format!(
                    "Action: Setvar\r\nVariable: DEVICE_STATE(Custom:lamp{lamp})\r\nValue: {state}\r\n\r\n"
                )),
            }
            sent.push(now);
        }
        if !text.is_empty() && writer.write_all(text.as_bytes()).is_err() {
            // The server closed the driver's connection: report it rather than stop the bench.
            eprintln!(
                "the server closed the {via:?} driver's connection after {} changes (see server.log)",
                sent.len()
            );
            drop(writer);
            let unanswered = n - sent.len();
            return (sent, answers.join().unwrap_or(n) + unanswered);
        }
    }
    let bad = answers.join().unwrap_or(n);
    (sent, bad)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

struct FanResult {
    events_expected: usize,
    events_seen: usize,
    wrong: usize,
    closed: usize,
    bad_answers: usize,
    achieved_rate: f64,
    p50: u64,
    p99: u64,
    max: u64,
    /// DeviceStateChange p50 and p99 from the driver's write to the event's `Timestamp:` (the
    /// server's hub rendering it), and from there to a session reading it.
    to_hub: (u64, u64),
    from_hub: (u64, u64),
    server_cpu: f64,
    bench_cpu: f64,
}

/// User plus system CPU of a process (`self` or a pid), in clock ticks (1/100 s).
fn cpu_ticks(pid: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name: utime and stime are the 12th and 13th.
    let after = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

fn fan_run(cfg: &Cfg, rt: &tokio::runtime::Runtime) -> FanResult {
    let dir = config_dir("fan", cfg.hints);
    let server = Server::start(cfg, &dir);
    let n = (cfg.rate as f64 * cfg.secs).round() as usize;
    let base = Instant::now();
    let base_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let sessions: Vec<(TcpStream, Vec<u8>)> = rt.block_on(async {
        let mut out = Vec::new();
        for _ in 0..cfg.sessions {
            out.push(login(&server.manager).await.expect("login"));
        }
        out
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(cfg.secs + 10.0);
    let handles: Vec<_> = sessions
        .into_iter()
        .map(|(stream, rest)| {
            rt.spawn(fan_session(
                stream,
                rest,
                0,
                n,
                cfg.hints,
                (base, base_epoch),
                deadline,
            ))
        })
        .collect();
    let pid = server.child.id().to_string();
    let cpu0 = cpu_ticks(&pid);
    let self0 = cpu_ticks("self");
    let t0 = Instant::now();
    let (sent, bad_answers) = drive(&server, cfg.via, 0, n, cfg.rate, cfg.hints, base);
    let took = t0.elapsed().as_secs_f64();
    let seen: Vec<Seen> = rt.block_on(async {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    });
    let cpu = (cpu_ticks(&pid) - cpu0) as f64 / 100.0;
    let bench_cpu = (cpu_ticks("self") - self0) as f64 / 100.0;
    let mut lat = Vec::with_capacity(cfg.sessions * n * 2);
    let mut to_hub = Vec::with_capacity(n);
    let mut from_hub = Vec::with_capacity(cfg.sessions * n);
    let mut wrong = 0;
    let mut closed = 0;
    let mut events_seen = 0;
    for s in &seen {
        wrong += s.wrong;
        closed += usize::from(s.closed);
        events_seen += s.dsc.len() + s.es.len();
        for ((stamp, at), sent_at) in s.stamped.iter().zip(&s.dsc).zip(&sent) {
            if *stamp == 0 {
                continue;
            }
            if std::ptr::eq(s, &seen[0]) {
                to_hub.push(stamp.saturating_sub(*sent_at));
            }
            from_hub.push(at.saturating_sub(*stamp));
        }
        for list in [&s.dsc, &s.es] {
            for (at, sent_at) in list.iter().zip(&sent) {
                lat.push(at.saturating_sub(*sent_at));
            }
        }
    }
    lat.sort_unstable();
    to_hub.sort_unstable();
    from_hub.sort_unstable();
    FanResult {
        to_hub: (percentile(&to_hub, 0.5), percentile(&to_hub, 0.99)),
        from_hub: (percentile(&from_hub, 0.5), percentile(&from_hub, 0.99)),
        events_expected: cfg.sessions * n * 2,
        events_seen,
        wrong,
        closed,
        bad_answers,
        achieved_rate: n as f64 / took,
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        max: lat.last().copied().unwrap_or(0),
        server_cpu: cpu,
        bench_cpu,
    }
}

// ---------------------------------------------------------------------------------------------
// b. memory with many sessions

struct MemResult {
    baseline_kib: u64,
    logged_in_kib: u64,
    after_event_kib: u64,
    sessions: usize,
    reached: usize,
    hwm_kib: u64,
}

fn mem_run(cfg: &Cfg, rt: &tokio::runtime::Runtime) -> MemResult {
    let dir = config_dir("mem", cfg.hints);
    let mut server = Server::start(cfg, &dir);
    std::thread::sleep(Duration::from_millis(200));
    let baseline_kib = server.status_kib("VmRSS:");
    let addr = server.manager.clone();
    let sessions: Vec<(TcpStream, Vec<u8>)> = rt.block_on(async {
        let mut out = Vec::with_capacity(cfg.idle);
        // 50 logins in flight at a time.
        let mut pending = tokio::task::JoinSet::new();
        let mut started = 0;
        while out.len() < cfg.idle {
            while started < cfg.idle && pending.len() < 50 {
                let addr = addr.clone();
                pending.spawn(async move { login(&addr).await });
                started += 1;
            }
            match pending.join_next().await {
                Some(Ok(Ok(s))) => out.push(s),
                other => panic!("login failed: {other:?}"),
            }
        }
        out
    });
    std::thread::sleep(Duration::from_millis(300));
    let logged_in_kib = server.status_kib("VmRSS:");
    // One change: every session must get its DeviceStateChange (they are all alive).
    let (sent, _) = drive(&server, Via::Control, 0, 1, 1000, cfg.hints, Instant::now());
    debug_assert_eq!(sent.len(), 1);
    let reached = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (mut stream, mut buf) in sessions {
            set.spawn(async move {
                let mut chunk = [0u8; 4096];
                let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
                loop {
                    if find(&buf, b"Event: DeviceStateChange\r\n").is_some() {
                        return Some(stream);
                    }
                    match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
                        Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                        _ => return None,
                    }
                }
            });
        }
        let mut alive = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(Some(s)) = r {
                alive.push(s);
            }
        }
        alive
    });
    std::thread::sleep(Duration::from_millis(200));
    let after_event_kib = server.status_kib("VmRSS:");
    let hwm_kib = server.status_kib("VmHWM:");
    assert!(server.alive(), "the server died");
    let result = MemResult {
        baseline_kib,
        logged_in_kib,
        after_event_kib,
        sessions: cfg.idle,
        reached: reached.len(),
        hwm_kib,
    };
    drop(reached);
    result
}

// ---------------------------------------------------------------------------------------------
// c. ExtensionStateList over many hints

struct ListResult {
    items: usize,
    list_items: usize,
    first_byte: Duration,
    total: Duration,
    bytes: usize,
}

async fn list_once(addr: &str, id: usize) -> ListResult {
    let (mut stream, mut buf) = login(addr).await.expect("login");
    let t0 = Instant::now();
    stream
        .write_all(format!("Action: ExtensionStateList\r\nActionID: list{id}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut chunk = vec![0u8; 1 << 20];
    let mut first_byte = None;
    let mut bytes = 0;
    let mut items = 0;
    let marker = b"Event: ExtensionStateListComplete\r\n";
    loop {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .expect("the list finished within 30 s")
            .unwrap();
        assert!(n > 0, "the server closed the list session");
        first_byte.get_or_insert_with(|| t0.elapsed());
        bytes += n;
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = find(&buf, marker) {
            if let Some(end) = find(&buf[at..], b"\r\n\r\n") {
                let total = t0.elapsed();
                items += count(&buf[..at], b"Event: ExtensionStatus\r\n");
                let tail = &buf[at..at + end + 2];
                let list_items = header(tail, b"ListItems")
                    .and_then(|v| std::str::from_utf8(v).ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                return ListResult {
                    items,
                    list_items,
                    first_byte: first_byte.unwrap_or_default(),
                    total,
                    bytes,
                };
            }
        }
        // Count complete items as we go and drop them, keeping a tail that may hold a cut marker.
        let keep_from = buf.len().saturating_sub(marker.len() + 64);
        let cut = buf[..keep_from]
            .windows(4)
            .rposition(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
            .unwrap_or(0);
        items += count(&buf[..cut], b"Event: ExtensionStatus\r\n");
        buf.drain(..cut);
    }
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while let Some(p) = find(&hay[i..], needle) {
        n += 1;
        i += p + needle.len();
    }
    n
}

// ---------------------------------------------------------------------------------------------

fn ms(ns: u64) -> String {
    format!("{:.2} ms", ns as f64 / 1e6)
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters: "fan", "mem", "list".
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    let cfg = Cfg::from_env();
    println!(
        "ami bench: server {} ; {} runs ; fan-out {} sessions x {} changes/s for {} s over {} hints via {:?} ; memory {} sessions ; list {} hints",
        cfg.bin.display(),
        cfg.runs,
        cfg.sessions,
        cfg.rate,
        cfg.secs,
        cfg.hints,
        cfg.via,
        cfg.idle,
        cfg.list_hints
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cfg.threads)
        .enable_all()
        .build()
        .unwrap();
    let mut rows: Vec<[String; 4]> = Vec::new();

    if want("fan") {
        for run in 1..=cfg.runs {
            let r = fan_run(&cfg, &rt);
            let ok = r.events_seen == r.events_expected
                && r.wrong == 0
                && r.closed == 0
                && r.bad_answers == 0;
            println!(
                "fan-out run {run}: {:.0} changes/s made; events {}/{} ({} out of order or wrong, {} sessions closed, {} driver answers not OK or missing); latency p50 {} p99 {} max {} (change to hub p50 {} p99 {}; hub to session p50 {} p99 {}); CPU server {:.2} s, bench {:.2} s",
                r.achieved_rate,
                r.events_seen,
                r.events_expected,
                r.wrong,
                r.closed,
                r.bad_answers,
                ms(r.p50),
                ms(r.p99),
                ms(r.max),
                ms(r.to_hub.0),
                ms(r.to_hub.1),
                ms(r.from_hub.0),
                ms(r.from_hub.1),
                r.server_cpu,
                r.bench_cpu
            );
            rows.push([
                format!(
                    "a. event p99, {} sessions @ {:.0}/s",
                    cfg.sessions, r.achieved_rate
                ),
                format!("{run}"),
                format!(
                    "{} (p50 {}, max {}){}",
                    ms(r.p99),
                    ms(r.p50),
                    ms(r.max),
                    if ok { "" } else { " INCOMPLETE" }
                ),
                format!(
                    "<= 10 ms: {}",
                    if ok && r.p99 <= 10_000_000 {
                        "met"
                    } else {
                        "NOT met"
                    }
                ),
            ]);
        }
    }

    if want("mem") {
        for run in 1..=cfg.runs {
            let r = mem_run(&cfg, &rt);
            let per = (r.logged_in_kib.saturating_sub(r.baseline_kib)) as f64 * 1024.0
                / r.sessions as f64;
            println!(
                "memory run {run}: VmRSS {} idle, {} with {} sessions ({:.1} KB each), {} after one event reached {}/{}; VmHWM {}",
                mb(r.baseline_kib),
                mb(r.logged_in_kib),
                r.sessions,
                per / 1024.0,
                mb(r.after_event_kib),
                r.reached,
                r.sessions,
                mb(r.hwm_kib)
            );
            let worst = r.logged_in_kib.max(r.after_event_kib);
            rows.push([
                format!("b. VmRSS, {} sessions", r.sessions),
                format!("{run}"),
                format!("{} (idle {})", mb(worst), mb(r.baseline_kib)),
                format!(
                    "<= 50 MB: {}",
                    if worst <= 50 * 1024 && r.reached == r.sessions {
                        "met"
                    } else {
                        "NOT met"
                    }
                ),
            ]);
        }
    }

    if want("list") {
        let dir = config_dir("list", cfg.list_hints);
        let server = Server::start(&cfg, &dir);
        println!(
            "list: server with {} hints up in {:.2} s, VmRSS {}",
            cfg.list_hints,
            server.started_in.as_secs_f64(),
            mb(server.status_kib("VmRSS:"))
        );
        for run in 1..=cfg.runs {
            let r = rt.block_on(list_once(&server.manager, run));
            let ok = r.items == cfg.list_hints && r.list_items == cfg.list_hints;
            println!(
                "list run {run}: {} items (ListItems {}), {:.1} MB, first byte {:.1} ms, complete {:.1} ms",
                r.items,
                r.list_items,
                r.bytes as f64 / 1e6,
                r.first_byte.as_secs_f64() * 1e3,
                r.total.as_secs_f64() * 1e3
            );
            rows.push([
                format!("c. ExtensionStateList, {} hints", cfg.list_hints),
                format!("{run}"),
                format!(
                    "{:.0} ms (first byte {:.0} ms){}",
                    r.total.as_secs_f64() * 1e3,
                    r.first_byte.as_secs_f64() * 1e3,
                    if ok { "" } else { " INCOMPLETE" }
                ),
                format!(
                    "<= 1 s: {}",
                    if ok && r.total <= Duration::from_secs(1) {
                        "met"
                    } else {
                        "NOT met"
                    }
                ),
            ]);
        }
        drop(server);
        if !cfg.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    if !cfg.keep {
        for name in ["fan", "mem"] {
            let _ = std::fs::remove_dir_all(
                std::env::temp_dir()
                    .join(format!("dialstate-ami-bench-{}-{name}", std::process::id())),
            );
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([12])
                .max()
                .unwrap_or(12)
        })
        .collect();
    println!();
    let head = ["measurement", "run", "result", "target"];
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    println!("{}", line(&head.map(String::from)));
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-|-")
    );
    for r in &rows {
        println!("{}", line(r));
    }
}
