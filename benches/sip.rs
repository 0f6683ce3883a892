//! SIP load generator (run by hand: `cargo bench --bench sip`). Starts the real server as a child
//! process (`dialstate serve` on a generated configuration, `--db :memory:`), subscribes over
//! loopback from many UDP sockets on 127.0.0.2, 127.0.0.3, … (each socket carrying many dialogs,
//! every NOTIFY answered with 200 OK) and measures:
//!
//! 1. fan-out: one device change on a hint with 10,000 watchers, time from the change until every
//!    NOTIFY is received (p50, p99, max over the watchers);
//! 2. memory per held subscription: the server's VmRSS before and after 100,000 subscriptions;
//! 3. new subscriptions per second (SUBSCRIBE → 200 → first NOTIFY answered);
//! 4. sustained NOTIFYs per second, every one answered and none lost (checked by CSeq continuity,
//!    duplicates, and every watcher ending on the last state).
//!
//! Knobs (environment): SIP_BENCH_SUBS (100000), SIP_BENCH_FAN (10000), SIP_BENCH_IPS (16),
//! SIP_BENCH_SOCKETS (sockets per IP, 16), SIP_BENCH_WINDOW (subscriptions in progress in all,
//! 64), SIP_BENCH_GROUP_HINTS (hints flipped by one device change in the NOTIFY runs, 1: 100
//! NOTIFYs per change), SIP_BENCH_INFLIGHT (changes in progress during a NOTIFY run, 8),
//! SIP_BENCH_SECS (seconds per NOTIFY run, 3), SIP_BENCH_RUNS (fan-out and NOTIFY runs, 3),
//! SIP_BENCH_SETTLE (seconds without any NOTIFY before each fan-out and NOTIFY run, 4.1: longer
//! than T2, so no retransmission is pending), SIP_BENCH_THREADS
//! (subscriber runtime threads, 2), SIP_BENCH_DB (:memory:), SIP_BENCH_LOG (passed as
//! DIALSTATE_LOG), SIP_BENCH_BIN (server binary), SIP_BENCH_HOLD (seconds to pause before each
//! phase, e.g. to attach a profiler), SIP_BENCH_KEEP (keep the generated folder and server log),
//! SIP_BENCH_TXWAIT (seconds to wait, then measure memory again after the server's transaction
//! cache expired; 0: skip).
//!
//! On loopback a UDP socket's default receive buffer holds only ~166 of these 200 OKs: when the
//! server's reader is not scheduled for a couple of milliseconds during a burst, the kernel drops
//! answers and the server retransmits NOTIFYs (T1 = 500 ms). The bench reports those drops per
//! side (/proc/net/udp) and the retransmissions it sees, and lets them settle before each
//! fan-out so one run's retransmissions do not delay (coalesce) the next run's NOTIFYs.

use std::io::{BufRead, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UdpSocket, UnixStream};

/// Watchers per hint in the throughput set.
const WATCHERS_PER_HINT: usize = 100;
/// The fan-out hint's extension and device.
const FAN_EXTEN: &str = "6000";
const FAN_DEVICE: &str = "Custom:fan";
/// First extension of the throughput hints.
const HINT_BASE: usize = 100_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
struct Cfg {
    subs: usize,
    fan: usize,
    ips: usize,
    sockets_per_ip: usize,
    window: usize,
    group_hints: usize,
    inflight: usize,
    settle: f64,
    secs: f64,
    fan_runs: usize,
    notify_runs: usize,
    db: String,
    log: Option<String>,
    bin: PathBuf,
    hold: u64,
}

impl Cfg {
    fn from_env() -> Cfg {
        let runs = std::env::var("SIP_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok());
        Cfg {
            subs: env_usize("SIP_BENCH_SUBS", 100_000),
            fan: env_usize("SIP_BENCH_FAN", 10_000),
            ips: env_usize("SIP_BENCH_IPS", 16).clamp(1, 250),
            sockets_per_ip: env_usize("SIP_BENCH_SOCKETS", 16).max(1),
            window: env_usize("SIP_BENCH_WINDOW", 64).max(1),
            group_hints: env_usize("SIP_BENCH_GROUP_HINTS", 1).max(1),
            inflight: env_usize("SIP_BENCH_INFLIGHT", 8).max(1),
            settle: std::env::var("SIP_BENCH_SETTLE")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(4.1),
            secs: std::env::var("SIP_BENCH_SECS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3.0),
            fan_runs: runs.unwrap_or(3),
            notify_runs: runs.unwrap_or(3),
            db: std::env::var("SIP_BENCH_DB").unwrap_or_else(|_| ":memory:".to_string()),
            log: std::env::var("SIP_BENCH_LOG").ok(),
            bin: std::env::var("SIP_BENCH_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|_| PathBuf::from(env!("CARGO_BIN_EXE_dialstate"))),
            hold: env_usize("SIP_BENCH_HOLD", 0) as u64,
        }
    }
}

/// Where each dialog points: the fan hint or one of the throughput hints (and its group).
#[derive(Debug, Clone)]
struct Layout {
    fan: usize,
    hints: usize,
    groups: usize,
}

impl Layout {
    fn new(cfg: &Cfg) -> Layout {
        let fan = cfg.fan.min(cfg.subs);
        let rest = cfg.subs - fan;
        let hints = rest.div_ceil(WATCHERS_PER_HINT);
        let groups = hints.div_ceil(cfg.group_hints);
        Layout { fan, hints, groups }
    }

    /// The extension dialog `idx` subscribes to.
    fn exten(&self, idx: usize) -> String {
        if idx < self.fan {
            FAN_EXTEN.to_string()
        } else {
            (HINT_BASE + (idx - self.fan) % self.hints).to_string()
        }
    }

    /// The counter group of dialog `idx`: the throughput groups, then the fan hint.
    fn group(&self, idx: usize) -> usize {
        if idx < self.fan {
            self.groups
        } else {
            ((idx - self.fan) % self.hints) % self.groups
        }
    }

    fn extensions_conf(&self) -> String {
        let mut s = String::from("[internal]\n");
        s.push_str(&format!("exten => {FAN_EXTEN},hint,{FAN_DEVICE}\n"));
        for h in 0..self.hints {
            s.push_str(&format!(
                "exten => {},hint,Custom:grp{}\n",
                HINT_BASE + h,
                h % self.groups
            ));
        }
        s
    }
}

/// One dialog as the subscriber side sees it.
#[derive(Default)]
struct Dialog {
    /// NOTIFYs received (retransmissions not counted).
    count: AtomicU32,
    /// CSeq of the last NOTIFY.
    cseq: AtomicU32,
    /// Arrival of the last NOTIFY, ns since `Shared::base`.
    last_ns: AtomicU64,
    /// First byte of the PIDF `<note>` of the last NOTIFY (`R`eady, `O`n the phone, …).
    state: AtomicU8,
    /// Final status of the SUBSCRIBE.
    code: AtomicU16,
    /// When the SUBSCRIBE was last sent (ns since `Shared::base`, 0: not yet).
    sent_ns: AtomicU64,
    /// Set once the subscription attempt is over (first NOTIFY, or refused).
    finished: std::sync::atomic::AtomicBool,
}

struct Agent {
    sock: Arc<UdpSocket>,
    local: SocketAddr,
    dialogs: Vec<u32>,
}

struct Shared {
    base: Instant,
    run: u64,
    server: SocketAddr,
    layout: Layout,
    dialogs: Vec<Dialog>,
    agents: Vec<Agent>,
    group_counts: Vec<AtomicU64>,
    notifies: AtomicU64,
    dups: AtomicU64,
    gaps: AtomicU64,
    refused: AtomicU64,
    junk: AtomicU64,
    /// Arrival of the last NOTIFY, retransmissions included.
    last_any_ns: AtomicU64,
    /// Subscriptions that may be in progress.
    window: tokio::sync::Semaphore,
}

impl Shared {
    fn ns(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    /// The subscription attempt of `d` is over: its window slot is free.
    fn finish(&self, d: &Dialog) {
        if !d.finished.swap(true, Relaxed) {
            self.window.add_permits(1);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = 0;
    while at + needle.len() <= hay.len() {
        let pos = hay[at..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        if &hay[at + pos..at + pos + needle.len()] == needle {
            return Some(at + pos);
        }
        at += pos + 1;
    }
    None
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

fn leading_number(s: &[u8]) -> Option<u64> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    std::str::from_utf8(&s[..digits]).ok()?.parse().ok()
}

#[derive(Clone, Copy, PartialEq)]
enum Hdr {
    Copy,
    CallId,
    CSeq,
    Other,
}

fn classify(name: &[u8]) -> Hdr {
    let n = trim(name);
    let is = |x: &str| n.eq_ignore_ascii_case(x.as_bytes());
    if is("call-id") || is("i") {
        Hdr::CallId
    } else if is("cseq") {
        Hdr::CSeq
    } else if is("via") || is("v") || is("from") || is("f") || is("to") || is("t") {
        Hdr::Copy
    } else {
        Hdr::Other
    }
}

/// Handles one datagram; fills `resp` with the 200 OK to send when it is a NOTIFY.
fn handle(sh: &Shared, msg: &[u8], now: u64, resp: &mut Vec<u8>) {
    resp.clear();
    let Some(end) = find(msg, b"\r\n\r\n") else {
        sh.junk.fetch_add(1, Relaxed);
        return;
    };
    let head = &msg[..end];
    let notify = head.starts_with(b"NOTIFY ");
    let response = head.starts_with(b"SIP/2.0 ");
    if !notify && !response {
        sh.junk.fetch_add(1, Relaxed);
        return;
    }
    if notify {
        resp.extend_from_slice(b"SIP/2.0 200 OK\r\n");
    }
    let mut call_id: Option<u64> = None;
    let mut cseq: Option<u64> = None;
    for line in head.split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let kind = classify(&line[..colon]);
        if kind == Hdr::Other {
            continue;
        }
        let value = trim(&line[colon + 1..]);
        match kind {
            Hdr::CallId => call_id = leading_number(value),
            Hdr::CSeq => cseq = leading_number(value),
            _ => {}
        }
        if notify {
            resp.extend_from_slice(line);
            resp.extend_from_slice(b"\r\n");
        }
    }
    let dialog = call_id.and_then(|i| sh.dialogs.get(i as usize).map(|d| (i as usize, d)));
    let Some((idx, d)) = dialog else {
        // Not one of ours; a NOTIFY is still answered.
        sh.junk.fetch_add(1, Relaxed);
        if notify {
            resp.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        }
        return;
    };
    if response {
        let code = leading_number(&head[8..]).unwrap_or(0) as u16;
        if code >= 200 {
            d.code.store(code, Relaxed);
        }
        if code >= 300 && !d.finished.load(Relaxed) {
            sh.refused.fetch_add(1, Relaxed);
            sh.finish(d);
        }
        return;
    }
    resp.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    let cseq = cseq.unwrap_or(0) as u32;
    let count = d.count.load(Relaxed);
    if count > 0 && cseq <= d.cseq.load(Relaxed) {
        sh.dups.fetch_add(1, Relaxed);
        sh.last_any_ns.store(now, Relaxed);
        return;
    }
    if count > 0 && cseq != d.cseq.load(Relaxed).wrapping_add(1) {
        sh.gaps.fetch_add(1, Relaxed);
    }
    let body = &msg[end + 4..];
    let state = find(body, b"<note>")
        .and_then(|p| body.get(p + 6).copied())
        .unwrap_or(b'?');
    d.cseq.store(cseq, Relaxed);
    d.last_ns.store(now, Relaxed);
    sh.last_any_ns.store(now, Relaxed);
    d.state.store(state, Relaxed);
    d.count.store(count + 1, Relaxed);
    sh.notifies.fetch_add(1, Relaxed);
    sh.group_counts[sh.layout.group(idx)].fetch_add(1, Relaxed);
    if count == 0 {
        sh.finish(d);
    }
}

/// One socket's receive loop: answers every NOTIFY at once.
async fn receiver(sh: Arc<Shared>, a: usize) {
    let agent = &sh.agents[a];
    let sock = agent.sock.clone();
    let mut buf = vec![0u8; 65_536];
    let mut resp = Vec::with_capacity(2048);
    loop {
        if sock.readable().await.is_err() {
            return;
        }
        loop {
            match sock.try_recv_from(&mut buf) {
                Ok((n, peer)) => {
                    let now = sh.ns();
                    handle(&sh, &buf[..n], now, &mut resp);
                    if !resp.is_empty() {
                        match sock.try_send_to(&resp, peer) {
                            Ok(_) => {}
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                                let _ = sock.send_to(&resp, peer).await;
                            }
                            Err(_) => {}
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => continue,
            }
        }
    }
}

fn subscribe_bytes(sh: &Shared, agent: &Agent, idx: usize, out: &mut String) {
    use std::fmt::Write as _;
    out.clear();
    let (server, local, run) = (sh.server, agent.local, sh.run);
    let ip = local.ip();
    let exten = sh.layout.exten(idx);
    let _ = write!(
        out,
        "SUBSCRIBE sip:{exten}@{server} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK-b{idx}-{run}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:bench@{ip}>;tag=f{idx}\r\n\
         To: <sip:{exten}@{server}>\r\n\
         Call-ID: {idx}-{run}@bench\r\n\
         CSeq: 1 SUBSCRIBE\r\n\
         Contact: <sip:bench@{local}>\r\n\
         Event: presence\r\n\
         Accept: application/pidf+xml\r\n\
         Expires: 3600\r\n\
         Content-Length: 0\r\n\r\n"
    );
}

/// Subscribes every dialog of one socket, each taking a slot of the shared window until its
/// first NOTIFY (or refusal) arrives.
async fn subscriber(sh: Arc<Shared>, a: usize, deadline: Instant) {
    let agent = &sh.agents[a];
    let mut text = String::with_capacity(1024);
    for &idx in &agent.dialogs {
        let Ok(Ok(permit)) = tokio::time::timeout_at(deadline.into(), sh.window.acquire()).await
        else {
            return;
        };
        permit.forget();
        subscribe_bytes(&sh, agent, idx as usize, &mut text);
        sh.dialogs[idx as usize].sent_ns.store(sh.ns(), Relaxed);
        let _ = agent.sock.send_to(text.as_bytes(), sh.server).await;
    }
}

/// Resends (same branch: a retransmission) SUBSCRIBEs unanswered for `after`, until `stop`.
async fn resender(
    sh: Arc<Shared>,
    after: Duration,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> u64 {
    let mut text = String::with_capacity(1024);
    let mut resends = 0;
    let after = after.as_nanos() as u64;
    while !stop.load(Relaxed) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = sh.ns();
        for (idx, d) in sh.dialogs.iter().enumerate() {
            let sent = d.sent_ns.load(Relaxed);
            if sent == 0 || d.finished.load(Relaxed) || now - sent.min(now) < after {
                continue;
            }
            let agent = &sh.agents[idx % sh.agents.len()];
            subscribe_bytes(&sh, agent, idx, &mut text);
            d.sent_ns.store(now, Relaxed);
            let _ = agent.sock.send_to(text.as_bytes(), sh.server).await;
            resends += 1;
        }
    }
    resends
}

/// The control socket: `x COMMAND\n`, answered by `LEN OK EXIT\n` and LEN bytes.
struct Control {
    stream: BufReader<UnixStream>,
    line: String,
}

impl Control {
    async fn connect(path: &Path) -> std::io::Result<Control> {
        Ok(Control {
            stream: BufReader::new(UnixStream::connect(path).await?),
            line: String::new(),
        })
    }

    async fn run(&mut self, command: &str) -> Result<String, String> {
        let req = format!("x {command}\n");
        self.stream
            .get_mut()
            .write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.line.clear();
        self.stream
            .read_line(&mut self.line)
            .await
            .map_err(|e| e.to_string())?;
        let mut parts = self.line.split_whitespace();
        let len: usize = parts
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or("bad control header")?;
        let ok = parts.next() == Some("1");
        let mut text = vec![0u8; len];
        self.stream
            .read_exact(&mut text)
            .await
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&text).into_owned();
        if ok {
            Ok(text)
        } else {
            Err(text)
        }
    }
}

// ---- the server process ---------------------------------------------------------------------

struct Server {
    child: Child,
    dir: PathBuf,
    control: PathBuf,
    log: PathBuf,
    addr: SocketAddr,
}

impl Server {
    fn start(cfg: &Cfg, layout: &Layout, run: u64) -> Server {
        let dir = std::env::temp_dir().join(format!("bench-sip-{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("extensions.conf"), layout.extensions_conf())
            .expect("extensions.conf");
        std::fs::write(
            dir.join("pjsip.conf"),
            "[bench]\ntype=endpoint\ncontext=internal\n",
        )
        .expect("pjsip.conf");
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let control = std::env::temp_dir().join(format!("bench-sip-{run}.ctl"));
        let log = dir.join("server.log");
        let mut cmd = Command::new(&cfg.bin);
        cmd.arg("serve")
            .arg("--config")
            .arg(&dir)
            .arg("--sip")
            .arg(format!("udp:{addr}"))
            .arg("--db")
            .arg(&cfg.db)
            .arg("--control")
            .arg(&control)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        if let Some(level) = &cfg.log {
            cmd.env("DIALSTATE_LOG", level);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", cfg.bin.display()));
        Server {
            child,
            dir,
            control,
            log,
            addr,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn status_kib(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    /// User + system CPU seconds of the server so far.
    fn cpu_secs(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())) else {
            return 0.0;
        };
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            return 0.0;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        let ticks = |i: usize| {
            fields
                .get(i - 3)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(14) + ticks(15)) / 100.0
    }

    /// Log lines at WARN or ERROR, and the distinct messages among them.
    fn warnings(&self) -> (usize, Vec<(String, usize)>) {
        let Ok(file) = std::fs::File::open(&self.log) else {
            return (0, Vec::new());
        };
        let mut total = 0;
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
            if !(line.contains(" WARN ")
                || line.contains("ERROR")
                || line.contains("timed out")
                || line.contains("refused"))
            {
                continue;
            }
            total += 1;
            // Strip the timestamp and fields: keep the message after the target.
            let msg = line.split_once(": ").map_or(line.as_str(), |(_, m)| m);
            let msg: String = msg
                .split(" peer=")
                .next()
                .unwrap_or(msg)
                .chars()
                .take(80)
                .collect();
            match kinds.iter_mut().find(|(m, _)| *m == msg) {
                Some((_, n)) => *n += 1,
                None => kinds.push((msg, 1)),
            }
        }
        (total, kinds)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.control);
        if std::env::var_os("SIP_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Per-socket receive drops from /proc/net/udp: (the server's socket, the subscribers' sockets).
fn udp_drops(
    server: SocketAddr,
    subscribers: &std::collections::HashSet<SocketAddr>,
) -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string("/proc/net/udp") else {
        return (0, 0);
    };
    let (mut srv, mut subs) = (0, 0);
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(drops)) = (f.get(1), f.last()) else {
            continue;
        };
        let Some((ip, port)) = local.split_once(':') else {
            continue;
        };
        let (Ok(ip), Ok(port), Ok(drops)) = (
            u32::from_str_radix(ip, 16),
            u16::from_str_radix(port, 16),
            drops.parse::<u64>(),
        ) else {
            continue;
        };
        let addr = SocketAddr::from((Ipv4Addr::from(ip.swap_bytes()), port));
        if addr == server {
            srv += drops;
        } else if subscribers.contains(&addr) {
            subs += drops;
        }
    }
    (srv, subs)
}

/// CPU seconds of this process.
fn self_cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| {
        f.get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (t(14) + t(15)) / 100.0
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn hold(cfg: &Cfg, server: &Server, phase: &str) {
    if cfg.hold > 0 {
        println!(
            "  [hold {}s before {phase}; server pid {}]",
            cfg.hold,
            server.pid()
        );
        tokio::time::sleep(Duration::from_secs(cfg.hold)).await;
    }
}

/// Waits until no NOTIFY (new or retransmitted) has arrived for `quiet` seconds, at most 20 s:
/// with `quiet` above T2 (4 s) the server then has no NOTIFY in flight that would hold back
/// (coalesce) the next change's.
async fn settle(sh: &Shared, quiet: f64) {
    let quiet = (quiet * 1e9) as u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let last = sh.last_any_ns.load(Relaxed);
        if sh.ns().saturating_sub(last) >= quiet {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---- phases ---------------------------------------------------------------------------------

struct SubscribeResult {
    rate: f64,
    secs: f64,
    done: usize,
    refused: u64,
    resends: u64,
    cpu: f64,
}

async fn subscribe_all(sh: &Arc<Shared>, server: &Server) -> SubscribeResult {
    let cpu0 = server.cpu_secs();
    let start = sh.ns();
    let deadline = Instant::now() + Duration::from_secs(120);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let resend = tokio::spawn(resender(
        sh.clone(),
        Duration::from_millis(300),
        stop.clone(),
    ));
    let mut tasks = Vec::new();
    for a in 0..sh.agents.len() {
        tasks.push(tokio::spawn(subscriber(sh.clone(), a, deadline)));
    }
    for t in tasks {
        let _ = t.await;
    }
    while Instant::now() < deadline && sh.dialogs.iter().any(|d| !d.finished.load(Relaxed)) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.store(true, Relaxed);
    let resends = resend.await.unwrap_or(0);
    let end = sh
        .dialogs
        .iter()
        .map(|d| d.last_ns.load(Relaxed))
        .max()
        .unwrap_or(start);
    let done = sh
        .dialogs
        .iter()
        .filter(|d| d.count.load(Relaxed) > 0)
        .count();
    let secs = (end.saturating_sub(start)) as f64 / 1e9;
    SubscribeResult {
        rate: done as f64 / secs.max(1e-9),
        secs,
        done,
        refused: sh.refused.load(Relaxed),
        resends,
        cpu: server.cpu_secs() - cpu0,
    }
}

struct FanResult {
    first_ms: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    cmd_ms: f64,
    missing: usize,
}

async fn fan_out(sh: &Arc<Shared>, ctl: &mut Control, state: &str) -> FanResult {
    let fan = sh.layout.fan;
    let counter = &sh.group_counts[sh.layout.groups];
    let before: Vec<u32> = sh.dialogs[..fan]
        .iter()
        .map(|d| d.count.load(Relaxed))
        .collect();
    let target = counter.load(Relaxed) + fan as u64;
    let t0 = sh.ns();
    if let Err(e) = ctl
        .run(&format!("devstate change {FAN_DEVICE} {state}"))
        .await
    {
        eprintln!("devstate change failed: {e}");
    }
    let t_cmd = sh.ns();
    let deadline = Instant::now() + Duration::from_secs(10);
    while counter.load(Relaxed) < target && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let mut lat: Vec<u64> = Vec::with_capacity(fan);
    let mut missing = 0;
    for (d, b) in sh.dialogs[..fan].iter().zip(&before) {
        if d.count.load(Relaxed) > *b {
            lat.push(d.last_ns.load(Relaxed).saturating_sub(t0));
        } else {
            missing += 1;
        }
    }
    lat.sort_unstable();
    let ms = |ns: u64| ns as f64 / 1e6;
    FanResult {
        first_ms: ms(lat.first().copied().unwrap_or(0)),
        p50_ms: ms(percentile(&lat, 50.0)),
        p99_ms: ms(percentile(&lat, 99.0)),
        max_ms: ms(lat.last().copied().unwrap_or(0)),
        cmd_ms: ms(t_cmd - t0),
        missing,
    }
}

struct NotifyResult {
    rate: f64,
    notifies: u64,
    changes: u64,
    secs: f64,
    undelivered: u64,
    wrong_state: usize,
    cpu: f64,
}

async fn notify_run(
    sh: &Arc<Shared>,
    ctl: &mut Control,
    cfg: &Cfg,
    server: &Server,
    flip: &mut [bool],
) -> NotifyResult {
    let groups = sh.layout.groups;
    let sizes: Vec<u64> = {
        let mut s = vec![0u64; groups];
        for idx in sh.layout.fan..sh.dialogs.len() {
            s[sh.layout.group(idx)] += 1;
        }
        s
    };
    let mut expected: Vec<u64> = (0..groups)
        .map(|g| sh.group_counts[g].load(Relaxed))
        .collect();
    let cpu0 = server.cpu_secs();
    let n0 = sh.notifies.load(Relaxed);
    let t0 = sh.ns();
    let run_for = Duration::from_secs_f64(cfg.secs);
    let start = Instant::now();
    let mut changes = 0u64;
    let mut g = 0usize;
    while start.elapsed() < run_for {
        let mut busy = 0;
        let mut issued = false;
        for k in 0..groups {
            let gg = (g + k) % groups;
            if sh.group_counts[gg].load(Relaxed) < expected[gg] {
                busy += 1;
            }
        }
        for k in 0..groups {
            if busy >= cfg.inflight {
                break;
            }
            let gg = (g + k) % groups;
            if sh.group_counts[gg].load(Relaxed) < expected[gg] {
                continue;
            }
            flip[gg] = !flip[gg];
            let state = if flip[gg] { "INUSE" } else { "NOT_INUSE" };
            if let Err(e) = ctl
                .run(&format!("devstate change Custom:grp{gg} {state}"))
                .await
            {
                eprintln!("devstate change failed: {e}");
            }
            expected[gg] += sizes[gg];
            changes += 1;
            busy += 1;
            issued = true;
            g = (gg + 1) % groups;
        }
        if !issued {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    // Drain: every change issued must reach every watcher of its group.
    // Past timer F (32 s) a NOTIFY still missing is lost: the server gave up on it.
    let deadline = Instant::now() + Duration::from_secs(35);
    while (0..groups).any(|k| sh.group_counts[k].load(Relaxed) < expected[k])
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let end = sh.dialogs[sh.layout.fan..]
        .iter()
        .map(|d| d.last_ns.load(Relaxed))
        .max()
        .unwrap_or(t0);
    let notifies = sh.notifies.load(Relaxed) - n0;
    let undelivered: u64 = (0..groups)
        .map(|k| expected[k].saturating_sub(sh.group_counts[k].load(Relaxed)))
        .sum();
    let wrong_state = (sh.layout.fan..sh.dialogs.len())
        .filter(|&idx| {
            let want = if flip[sh.layout.group(idx)] {
                b'O'
            } else {
                b'R'
            };
            sh.dialogs[idx].state.load(Relaxed) != want
        })
        .count();
    let secs = end.saturating_sub(t0) as f64 / 1e9;
    NotifyResult {
        rate: notifies as f64 / secs.max(1e-9),
        notifies,
        changes,
        secs,
        undelivered,
        wrong_state,
        cpu: server.cpu_secs() - cpu0,
    }
}

// ---- main -----------------------------------------------------------------------------------

fn main() {
    let cfg = Cfg::from_env();
    let workers = env_usize("SIP_BENCH_THREADS", 2).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench(cfg));
}

async fn bench(cfg: Cfg) {
    let layout = Layout::new(&cfg);
    let run = u64::from(std::process::id()) * 1000
        + (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
            % 1000);
    println!(
        "sip bench: {} subscriptions ({} on the fan-out hint, {} hints x {} watchers, {} per device change), {} IPs x {} sockets, server {}",
        cfg.subs,
        layout.fan,
        layout.hints,
        WATCHERS_PER_HINT,
        cfg.group_hints * WATCHERS_PER_HINT,
        cfg.ips,
        cfg.sockets_per_ip,
        cfg.bin.display()
    );
    let loadavg = || {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "load average at start: {} ({} CPUs)",
        loadavg(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let server = Server::start(&cfg, &layout, run);
    // Wait for the control socket.
    let mut ctl = None;
    let ready = Instant::now();
    while ready.elapsed() < Duration::from_secs(20) {
        if let Ok(c) = Control::connect(&server.control).await {
            ctl = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let Some(mut ctl) = ctl else {
        eprintln!("the server did not start; log: {}", server.log.display());
        if let Ok(text) = std::fs::read_to_string(&server.log) {
            eprintln!("{text}");
        }
        server.stop();
        return;
    };
    let _ = ctl
        .run(&format!("devstate change {FAN_DEVICE} NOT_INUSE"))
        .await;
    for g in 0..layout.groups {
        let _ = ctl
            .run(&format!("devstate change Custom:grp{g} NOT_INUSE"))
            .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Sockets: IP a % ips, dialog idx on agent idx % agents.
    let n_agents = cfg.ips * cfg.sockets_per_ip;
    let mut agents = Vec::with_capacity(n_agents);
    for a in 0..n_agents {
        let ip = Ipv4Addr::new(127, 0, 0, 2 + (a % cfg.ips) as u8);
        let sock = UdpSocket::bind(SocketAddr::from((ip, 0)))
            .await
            .expect("bind subscriber socket");
        let local = sock.local_addr().expect("local addr");
        let dialogs = (a..cfg.subs).step_by(n_agents).map(|i| i as u32).collect();
        agents.push(Agent {
            sock: Arc::new(sock),
            local,
            dialogs,
        });
    }
    let sh = Arc::new(Shared {
        base: Instant::now(),
        run,
        server: server.addr,
        layout: layout.clone(),
        dialogs: (0..cfg.subs).map(|_| Dialog::default()).collect(),
        agents,
        group_counts: (0..=layout.groups).map(|_| AtomicU64::new(0)).collect(),
        notifies: AtomicU64::new(0),
        dups: AtomicU64::new(0),
        gaps: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        junk: AtomicU64::new(0),
        last_any_ns: AtomicU64::new(0),
        window: tokio::sync::Semaphore::new(cfg.window),
    });
    let sub_addrs: std::collections::HashSet<SocketAddr> =
        sh.agents.iter().map(|a| a.local).collect();
    let drops = || udp_drops(server.addr, &sub_addrs);
    let fmt_drops = |(s0, c0): (u64, u64), (s1, c1): (u64, u64)| {
        format!("UDP drops server {} subscribers {}", s1 - s0, c1 - c0)
    };
    let receivers: Vec<_> = (0..n_agents)
        .map(|a| tokio::spawn(receiver(sh.clone(), a)))
        .collect();

    // 2 + 3: subscribe everything, memory before and after.
    hold(&cfg, &server, "subscribing").await;
    let rss0 = server.status_kib("VmRSS:");
    let drops0 = drops();
    let cpu0 = self_cpu();
    let sub = subscribe_all(&sh, &server).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss1 = server.status_kib("VmRSS:");
    let per_sub = (rss1.saturating_sub(rss0) * 1024) as f64 / sub.done.max(1) as f64;
    println!(
        "subscribe: {}/{} in {:.2}s = {:.0}/s (refused {}, resent {}, server CPU {:.2}s = {:.1} us/sub, bench CPU {:.2}s, {})",
        sub.done,
        cfg.subs,
        sub.secs,
        sub.rate,
        sub.refused,
        sub.resends,
        sub.cpu,
        sub.cpu * 1e6 / sub.done.max(1) as f64,
        self_cpu() - cpu0,
        fmt_drops(drops0, drops())
    );
    println!(
        "memory: VmRSS {} KiB -> {} KiB = {:.0} B per subscription (VmHWM {} KiB)",
        rss0,
        rss1,
        per_sub,
        server.status_kib("VmHWM:")
    );

    // Optional: the same after the server's transaction cache (every 200 OK, kept for timer F,
    // 32 s) has expired; an OPTIONS makes the server sweep it.
    let tx_wait = env_usize("SIP_BENCH_TXWAIT", 0);
    if tx_wait > 0 {
        tokio::time::sleep(Duration::from_secs(tx_wait as u64)).await;
        let agent = &sh.agents[0];
        let options = format!(
            "OPTIONS sip:{srv} SIP/2.0\r\nVia: SIP/2.0/UDP {l};rport;branch=z9hG4bK-opt-{run}\r\nMax-Forwards: 70\r\nFrom: <sip:bench@{ip}>;tag=opt\r\nTo: <sip:{srv}>\r\nCall-ID: options-{run}@bench\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
            srv = server.addr,
            l = agent.local,
            ip = agent.local.ip(),
        );
        let _ = agent.sock.send_to(options.as_bytes(), server.addr).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss2 = server.status_kib("VmRSS:");
        println!(
            "memory after {tx_wait}s (transaction cache swept): VmRSS {rss2} KiB = {:.0} B per subscription",
            (rss2.saturating_sub(rss0) * 1024) as f64 / sub.done.max(1) as f64
        );
    }

    // 1: fan-out.
    hold(&cfg, &server, "fan-out").await;
    let mut fans = Vec::new();
    if layout.fan > 0 {
        for r in 0..cfg.fan_runs {
            let state = if r % 2 == 0 { "INUSE" } else { "NOT_INUSE" };
            let waited = Instant::now();
            settle(&sh, cfg.settle).await;
            let waited = waited.elapsed().as_secs_f64();
            let drops0 = drops();
            let f = fan_out(&sh, &mut ctl, state).await;
            println!(
                "fan-out {}: {} watchers, first {:.1} ms, p50 {:.1} ms, p99 {:.1} ms, all {:.1} ms (command {:.2} ms, missing {}, {}; settled {:.1}s before)",
                r + 1,
                layout.fan,
                f.first_ms,
                f.p50_ms,
                f.p99_ms,
                f.max_ms,
                f.cmd_ms,
                f.missing,
                fmt_drops(drops0, drops()),
                waited
            );
            fans.push(f);
        }
    }

    // 4: sustained NOTIFYs.
    hold(&cfg, &server, "NOTIFY runs").await;
    let mut notes = Vec::new();
    if layout.groups > 0 {
        let mut flip = vec![false; layout.groups];
        for r in 0..cfg.notify_runs {
            settle(&sh, cfg.settle).await;
            let (dups0, gaps0, drops0) = (sh.dups.load(Relaxed), sh.gaps.load(Relaxed), drops());
            let cpu0 = self_cpu();
            let n = notify_run(&sh, &mut ctl, &cfg, &server, &mut flip).await;
            let (dups, gaps) = (sh.dups.load(Relaxed) - dups0, sh.gaps.load(Relaxed) - gaps0);
            println!(
                "notify {}: {} NOTIFYs from {} changes in {:.2}s = {:.0}/s (undelivered {}, wrong final state {}, retransmitted {}, CSeq gaps {}, {}, server CPU {:.2}s = {:.1} us/NOTIFY, bench CPU {:.2}s)",
                r + 1,
                n.notifies,
                n.changes,
                n.secs,
                n.rate,
                n.undelivered,
                n.wrong_state,
                dups,
                gaps,
                fmt_drops(drops0, drops()),
                n.cpu,
                n.cpu * 1e6 / n.notifies.max(1) as f64,
                self_cpu() - cpu0
            );
            notes.push((n, dups, gaps));
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    let (warn_total, warn_kinds) = server.warnings();
    let rss_end = server.status_kib("VmRSS:");
    for r in receivers {
        r.abort();
    }
    let junk = sh.junk.load(Relaxed);
    server.stop();

    // The table.
    let mut p50: Vec<f64> = fans.iter().map(|f| f.p50_ms).collect();
    let mut p99: Vec<f64> = fans.iter().map(|f| f.p99_ms).collect();
    let mut all: Vec<f64> = fans.iter().map(|f| f.max_ms).collect();
    let worst_all = all.iter().copied().fold(0.0, f64::max);
    let fan_missing: usize = fans.iter().map(|f| f.missing).sum();
    let mut rates: Vec<f64> = notes.iter().map(|(n, _, _)| n.rate).collect();
    let lost: u64 = notes
        .iter()
        .map(|(n, _, g)| n.undelivered + n.wrong_state as u64 + g)
        .sum();
    let retx: u64 = notes.iter().map(|(_, d, _)| d).sum();
    let ok = |b: bool| if b { "yes" } else { "NO" };
    let (m50, m99, mall) = (median(&mut p50), median(&mut p99), median(&mut all));
    let mrate = median(&mut rates);
    let mut rows: Vec<[String; 4]> = Vec::new();
    if !fans.is_empty() {
        rows.push([
            format!("1. fan-out to {} watchers: all received", layout.fan),
            format!(
                "{mall:.1} ms (median of {}, worst {worst_all:.1})",
                fans.len()
            ),
            "<= 100 ms".into(),
            ok(mall <= 100.0 && fan_missing == 0).into(),
        ]);
        rows.push([
            "   change -> NOTIFY received p50 / p99".into(),
            format!("{m50:.1} / {m99:.1} ms"),
            String::new(),
            String::new(),
        ]);
    }
    rows.push([
        format!("2. server memory per subscription ({} held)", sub.done),
        format!("{per_sub:.0} B"),
        "<= 2048 B".into(),
        ok(per_sub <= 2048.0).into(),
    ]);
    rows.push([
        "3. new subscriptions/s (to 1st NOTIFY answered)".into(),
        format!("{:.0} /s", sub.rate),
        ">= 10000 /s".into(),
        ok(sub.rate >= 10_000.0 && sub.done == cfg.subs).into(),
    ]);
    if !notes.is_empty() {
        rows.push([
            "4. NOTIFY/s, every one answered".into(),
            format!("{mrate:.0} /s (median of {})", notes.len()),
            ">= 60000 /s".into(),
            ok(mrate >= 60_000.0).into(),
        ]);
        rows.push([
            "   NOTIFYs lost / retransmitted (all runs)".into(),
            format!("{lost} / {retx}"),
            "0 lost".into(),
            ok(lost == 0).into(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .max(["measure", "measured", "target", "met"][i].len())
        })
        .collect();
    let line = |cells: [&str; 4]| {
        let mut out = String::from("|");
        for (c, w) in cells.iter().zip(&widths) {
            out.push_str(&format!(" {c:<w$} |"));
        }
        out
    };
    println!();
    println!("{}", line(["measure", "measured", "target", "met"]));
    println!(
        "|{}",
        widths
            .iter()
            .map(|w| format!("{}|", "-".repeat(w + 2)))
            .collect::<String>()
    );
    for r in &rows {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3]]));
    }
    println!();
    println!("load average at end: {}", loadavg());
    println!(
        "server log: {warn_total} warnings; final VmRSS {rss_end} KiB; unparsed datagrams at the subscribers: {junk}"
    );
    for (msg, n) in warn_kinds.iter().take(8) {
        println!("  {n:>7} x {msg}");
    }
    let _ = std::io::stdout().flush();
}
