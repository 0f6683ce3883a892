//! Resource lists, registrations and server-to-server state (run by hand:
//! `cargo bench --bench lists`). Four measurements, each against the real code:
//!
//! 1. `first-notify`: the notifier handles a SUBSCRIBE to a list of 100 resources
//!    (`Supported: eventlist`) and builds its 200 OK and first multipart NOTIFY; time per
//!    SUBSCRIBE, in memory (no sockets).
//! 2. `fleet`: a server on loopback; LISTS_BENCH_PHONES (1,000) phones each hold one list of
//!    LISTS_BENCH_KEYS (40) keys out of LISTS_BENCH_EXTENS (1,000) hints (phone i watches keys
//!    i..i+40, so every key is on 40 lists); LISTS_BENCH_RATE (1,000) device changes per second
//!    for LISTS_BENCH_SECS (5) s through the control socket, lists batched at
//!    LISTS_BENCH_BATCH_MS (0); the time from each change until each list's NOTIFY showing it
//!    arrives (p50/p99/max), and how many of those NOTIFYs arrived.
//! 3. `register`: LISTS_BENCH_REG_CLIENTS (64) sockets register LISTS_BENCH_REG_SECS (3) s in a
//!    loop, each REGISTER challenged (401) and answered with MD5 digest; authenticated REGISTERs
//!    per second.
//! 4. `peer`: two servers of the `dialplans/cluster` example; a watcher on b, a device changed
//!    on a (published to b) or on b itself; time from the change to the watcher's NOTIFY.
//!
//! Everything runs in this process on 127.0.0.1 (the servers on their own 2-thread runtime, the
//! clients on another), so client work competes with the server for the same cores.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dialstate::app::remote::Remote;
use dialstate::app::serve::run_server;
use dialstate::config::MemProvider;
use dialstate::pbx::Pbx;
use dialstate::sip::config::{load_str, Protocol};
use dialstate::sip::notifier::{HintState, Hints, Inbound, LocalTransport, NoPersist, Notifier};
use dialstate::sip::server::{now, Bound};
use dialstate::state::{ExtensionState, HintKey, Presence, PresenceState};
use dialstate::store::BatchWriter;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

// ---- 1. first NOTIFY of a 100-resource list ----------------------------------------------------

struct Table;

impl Hints for Table {
    fn subscribe(&mut self, context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        Some((
            HintKey {
                exten: exten.into(),
                context: context.into(),
            },
            HintState {
                state: ExtensionState::Idle,
                presence: Presence::new(PresenceState::NotSet),
                has_devices: true,
                ringing: None,
            },
        ))
    }
    fn release(&mut self, _: &HintKey) {}
}

fn first_notify() {
    let items: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
    let conf = format!(
        "[phone]\ntype=endpoint\ncontext=internal\n\n[big]\ntype=resource_list\nevent=presence\nlist_item={}\n",
        items.join(",")
    );
    let config = Arc::new(load_str("pjsip.conf", &conf).value);
    let server: SocketAddr = "127.0.0.1:5060".parse().unwrap();
    let mut n = Notifier::new(
        config,
        vec![LocalTransport {
            protocol: Protocol::Udp,
            addr: server,
        }],
        Box::new(Table),
        Box::new(NoPersist),
        [7; 32],
    );
    let peer: SocketAddr = "127.0.0.1:5070".parse().unwrap();
    let runs = env("LISTS_BENCH_FIRST_RUNS", 2000);
    let mut times = Vec::with_capacity(runs as usize);
    let mut bytes = 0;
    for i in 0..runs {
        let text = format!(
            "SUBSCRIBE sip:big@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK-{i}\r\n\
From: <sip:phone@127.0.0.1>;tag=f{i}\r\nTo: <sip:big@127.0.0.1:5060>\r\nCall-ID: c{i}@bench\r\nCSeq: 1 SUBSCRIBE\r\n\
Contact: <sip:phone@127.0.0.1:5070>\r\nEvent: presence\r\nSupported: eventlist\r\nAccept: application/pidf+xml, application/rlmi+xml, multipart/related\r\n\
Expires: 600\r\nContent-Length: 0\r\n\r\n"
        );
        let mut out = Vec::new();
        let t = Instant::now();
        n.on_packet(
            Inbound {
                transport: 0,
                peer,
                bytes: text.as_bytes(),
            },
            now(),
            &mut out,
        );
        times.push(t.elapsed().as_micros() as u64);
        assert_eq!(out.len(), 2, "200 OK and the first NOTIFY");
        bytes = out[1].bytes.len();
    }
    times.sort_unstable();
    println!(
        "first-notify: list of 100 resources, {runs} SUBSCRIBEs: p50 {} p99 {} max {} per SUBSCRIBE (200 OK + NOTIFY of {bytes} bytes)",
        ms(times[times.len() / 2]),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&0)),
    );
}

// ---- a server in this process ------------------------------------------------------------------

struct Server {
    udp: SocketAddr,
    control: PathBuf,
    stop: watch::Sender<bool>,
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dialstate-lists-bench-{}-{name}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::create_dir_all(&dir);
    dir.join("ctl")
}

fn start_server(
    rt: &tokio::runtime::Runtime,
    extensions: String,
    pjsip: String,
    udp: SocketAddr,
    eid: Option<&str>,
    name: &str,
) -> Server {
    let control = temp(name);
    let ctl = control.clone();
    let (stop, stop_rx) = watch::channel(false);
    let eid = eid.map(|e| e.parse().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn(async move {
        let udp_socket = UdpSocket::bind(udp).await.unwrap();
        let sock = socket2::SockRef::from(&udp_socket);
        let _ = sock.set_recv_buffer_size(8 << 20);
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = udp_socket.local_addr().unwrap();
        let sip = load_str("pjsip.conf", &pjsip).value;
        let provider = MemProvider::default().with("conf/extensions.conf", extensions);
        let writer =
            Arc::new(BatchWriter::spawn(dialstate::store::open(":memory:").unwrap()).unwrap());
        let pbx = Pbx::open_shared(
            Arc::new(provider),
            Path::new("conf/extensions.conf"),
            Box::new(writer.clone()),
        )
        .unwrap();
        tx.send(addr).unwrap();
        let _ = run_server(
            pbx,
            sip,
            vec![Bound::Udp(udp_socket), Bound::Tcp(tcp)],
            None,
            Vec::new(),
            None,
            &ctl,
            eid,
            stop_rx,
        )
        .await;
    });
    let udp = rx.recv().unwrap();
    for _ in 0..200 {
        if control.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Server { udp, control, stop }
}

/// A 200 OK echoing the request's Via, From, To, Call-ID and CSeq.
fn answer(msg: &str) -> String {
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for line in msg.split("\r\n").skip(1) {
        if line.is_empty() {
            break;
        }
        let name = line.split(':').next().unwrap_or_default();
        if ["Via", "From", "To", "Call-ID", "CSeq", "v", "f", "t", "i"]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name.trim()))
        {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.split("\r\n")
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        })
        .map(|(_, v)| v.trim())
}

// ---- 2. the fleet ------------------------------------------------------------------------------

/// The recent changes of each key: (sequence number, when it was made in µs since start,
/// whether it set INUSE), oldest first.
struct Keys {
    recent: Vec<Mutex<std::collections::VecDeque<(u64, u64, bool)>>>,
    inuse: Vec<AtomicBool>,
}

fn fleet(rt: &tokio::runtime::Runtime, clients: &tokio::runtime::Runtime) {
    let phones = env("LISTS_BENCH_PHONES", 1000) as usize;
    let keys = env("LISTS_BENCH_KEYS", 40) as usize;
    let extens = env("LISTS_BENCH_EXTENS", 1000) as usize;
    let rate = env("LISTS_BENCH_RATE", 1000);
    let secs = env("LISTS_BENCH_SECS", 5);
    let batch = env("LISTS_BENCH_BATCH_MS", 0);
    let mut ext = String::from("[internal]\n");
    for k in 0..extens {
        ext.push_str(&format!("exten => k{k},hint,Custom:k{k}\n"));
    }
    let mut pjsip = String::from("[phone]\ntype=endpoint\ncontext=internal\n");
    for p in 0..phones {
        let items: Vec<String> = (0..keys)
            .map(|j| format!("k{}", (p + j) % extens))
            .collect();
        pjsip.push_str(&format!(
            "\n[list{p}]\ntype=resource_list\nevent=presence\nnotification_batch_interval={batch}\nlist_item={}\n",
            items.join(",")
        ));
    }
    let server = start_server(
        rt,
        ext,
        pjsip,
        "127.0.0.1:0".parse().unwrap(),
        None,
        "fleet",
    );
    let state = Arc::new(Keys {
        recent: (0..extens).map(|_| Mutex::default()).collect(),
        inuse: (0..extens).map(|_| AtomicBool::new(false)).collect(),
    });
    let start = Instant::now();
    let samples: Arc<Mutex<Vec<u64>>> = Arc::default();
    let notifies = Arc::new(AtomicU64::new(0));
    let subscribed = Arc::new(AtomicU64::new(0));
    let measuring = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    for p in 0..phones {
        let (state, samples, notifies, subscribed, measuring, done) = (
            state.clone(),
            samples.clone(),
            notifies.clone(),
            subscribed.clone(),
            measuring.clone(),
            done.clone(),
        );
        let srv = server.udp;
        clients.spawn(async move {
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let local = socket.local_addr().unwrap();
            let sub = format!(
                "SUBSCRIBE sip:list{p}@{srv} SIP/2.0\r\nVia: SIP/2.0/UDP {local};rport;branch=z9hG4bK-l{p}\r\n\
From: <sip:phone@127.0.0.1>;tag=p{p}\r\nTo: <sip:list{p}@{srv}>\r\nCall-ID: list{p}@bench\r\nCSeq: 1 SUBSCRIBE\r\n\
Contact: <sip:phone@{local}>\r\nEvent: presence\r\nSupported: eventlist\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n"
            );
            socket.send_to(sub.as_bytes(), srv).await.unwrap();
            let mut seen: HashMap<usize, u64> = HashMap::new();
            let mut buf = vec![0u8; 65_536];
            let mut mine = Vec::new();
            while !done.load(Relaxed) {
                let Ok(Ok((n, from))) =
                    tokio::time::timeout(Duration::from_millis(200), socket.recv_from(&mut buf)).await
                else {
                    continue;
                };
                let msg = String::from_utf8_lossy(&buf[..n]);
                if msg.starts_with("SIP/2.0 200") {
                    subscribed.fetch_add(1, Relaxed);
                    continue;
                }
                if !msg.starts_with("NOTIFY ") {
                    continue;
                }
                let _ = socket.send_to(answer(&msg).as_bytes(), from).await;
                if !measuring.load(Relaxed) {
                    continue;
                }
                notifies.fetch_add(1, Relaxed);
                let t = start.elapsed().as_micros() as u64;
                for part in msg.split("<presence entity=\"sip:k").skip(1) {
                    let Some(k) = part.split('@').next().and_then(|k| k.parse::<usize>().ok()) else {
                        continue;
                    };
                    let busy = part.contains("<note>On the phone</note>");
                    // The newest change not yet seen on this list that set this state: its
                    // latency; older unseen ones were coalesced into it.
                    let last = seen.get(&k).copied().unwrap_or(0);
                    let hit = state.recent[k]
                        .lock()
                        .unwrap()
                        .iter()
                        .rev()
                        .find(|(seq, _, b)| *seq > last && *b == busy)
                        .copied();
                    if let Some((seq, at, _)) = hit {
                        seen.insert(k, seq);
                        mine.push(t.saturating_sub(at));
                    }
                }
            }
            samples.lock().unwrap().extend(mine);
        });
    }
    let t0 = Instant::now();
    while (subscribed.load(Relaxed) as usize) < phones && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let subscribe_time = t0.elapsed();
    std::thread::sleep(Duration::from_millis(1500));
    measuring.store(true, Relaxed);
    let mut remote = Remote::connect(&server.control).unwrap();
    let total = rate * secs;
    let began = Instant::now();
    let mut made = 0u64;
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..total {
        let due = Duration::from_micros(i * 1_000_000 / rate);
        let el = began.elapsed();
        if el < due {
            std::thread::sleep(due - el);
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let k = (rng % extens as u64) as usize;
        let busy = !state.inuse[k].load(Relaxed);
        // Record before the change is made: the latency includes the control round trip.
        state.inuse[k].store(busy, Relaxed);
        {
            let mut recent = state.recent[k].lock().unwrap();
            if recent.len() == 16 {
                recent.pop_front();
            }
            recent.push_back((i + 1, start.elapsed().as_micros() as u64, busy));
        }
        let word = if busy { "INUSE" } else { "NOT_INUSE" };
        remote
            .run(&format!("devstate change Custom:k{k} {word}"))
            .unwrap();
        made += 1;
    }
    let injected = began.elapsed();
    std::thread::sleep(Duration::from_millis(1000 + batch * 2));
    done.store(true, Relaxed);
    std::thread::sleep(Duration::from_millis(400));
    let mut s = samples.lock().unwrap().clone();
    s.sort_unstable();
    let expected = made * keys as u64;
    println!(
        "fleet: {phones} phones x {keys}-key lists over {extens} hints (batch {batch} ms), subscribed in {:.2} s; {made} changes in {:.2} s ({:.0}/s): {} of {expected} list updates shown (the rest coalesced into a later change of the same key: {:.2}%), {} NOTIFYs ({:.0}/s); change-to-NOTIFY p50 {} p99 {} max {}",
        subscribe_time.as_secs_f64(),
        injected.as_secs_f64(),
        made as f64 / injected.as_secs_f64(),
        s.len(),
        100.0 - 100.0 * s.len() as f64 / expected.max(1) as f64,
        notifies.load(Relaxed),
        notifies.load(Relaxed) as f64 / injected.as_secs_f64(),
        ms(percentile(&s, 0.5)),
        ms(percentile(&s, 0.99)),
        ms(*s.last().unwrap_or(&0)),
    );
    let _ = server.stop.send(true);
}

// ---- 3. REGISTER -------------------------------------------------------------------------------

fn registers(rt: &tokio::runtime::Runtime, clients: &tokio::runtime::Runtime) {
    let n = env("LISTS_BENCH_REG_CLIENTS", 64) as usize;
    let secs = env("LISTS_BENCH_REG_SECS", 3);
    let mut pjsip = String::new();
    for i in 0..n {
        pjsip.push_str(&format!(
            "[r{i}]\ntype=endpoint\ncontext=internal\nauth=r{i}\naors=r{i}\n[r{i}]\ntype=auth\nauth_type=userpass\nusername=r{i}\npassword=pw{i}\n[r{i}]\ntype=aor\nmax_contacts=1\nremove_existing=yes\n"
        ));
    }
    let server = start_server(
        rt,
        "[internal]\n".to_string(),
        pjsip,
        "127.0.0.1:0".parse().unwrap(),
        None,
        "register",
    );
    let ok = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let stop_at = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for i in 0..n {
        let (ok, refused, srv) = (ok.clone(), refused.clone(), server.udp);
        tasks.push(clients.spawn(async move {
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let local = socket.local_addr().unwrap();
            let uri = format!("sip:{srv}");
            let mut cseq = 0u32;
            let mut buf = vec![0u8; 8192];
            let mut seq = 0u64;
            while Instant::now() < stop_at {
                let mut auth: Option<String> = None;
                for _ in 0..2 {
                    cseq += 1;
                    seq += 1;
                    let mut text = format!(
                        "REGISTER {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};rport;branch=z9hG4bK-{i}-{seq}\r\nMax-Forwards: 70\r\n\
From: <sip:r{i}@127.0.0.1>;tag=r{i}\r\nTo: <sip:r{i}@127.0.0.1>\r\nCall-ID: reg{i}@bench\r\nCSeq: {cseq} REGISTER\r\n\
Contact: <sip:r{i}@{local}>\r\nExpires: 600\r\n"
                    );
                    if let Some(a) = &auth {
                        text.push_str(&format!("Authorization: {a}\r\n"));
                    }
                    text.push_str("Content-Length: 0\r\n\r\n");
                    if socket.send_to(text.as_bytes(), srv).await.is_err() {
                        break;
                    }
                    let Ok(Ok((len, _))) =
                        tokio::time::timeout(Duration::from_millis(500), socket.recv_from(&mut buf)).await
                    else {
                        break;
                    };
                    let msg = String::from_utf8_lossy(&buf[..len]).into_owned();
                    if msg.starts_with("SIP/2.0 401") {
                        let Some(ch) = header(&msg, "WWW-Authenticate") else { break };
                        auth = dialstate::sip::auth::respond(
                            ch,
                            "REGISTER",
                            &uri,
                            &format!("r{i}"),
                            &format!("pw{i}"),
                            "0a4f113b",
                            1,
                        )
                        .ok();
                        continue;
                    }
                    if msg.starts_with("SIP/2.0 200") {
                        ok.fetch_add(1, Relaxed);
                    } else {
                        refused.fetch_add(1, Relaxed);
                    }
                    break;
                }
            }
        }));
    }
    let t = Instant::now();
    for task in tasks {
        let _ = clients.block_on(task);
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "register: {n} clients for {took:.2} s: {} authenticated REGISTERs answered 200 ({:.0}/s, each after a 401 challenge), {} refused",
        ok.load(Relaxed),
        ok.load(Relaxed) as f64 / took,
        refused.load(Relaxed)
    );
    let _ = server.stop.send(true);
}

// ---- 4. a change published to a peer ----------------------------------------------------------

fn peer(rt: &tokio::runtime::Runtime, clients: &tokio::runtime::Runtime) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialplans/cluster");
    let read = |s: &str, f: &str| std::fs::read_to_string(root.join(s).join(f)).unwrap();
    let free = || {
        std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let ports = [(5161u16, free()), (5162u16, free()), (5163u16, free())];
    let conf = |s: &str| {
        let mut text = read(s, "pjsip.conf");
        for (from, to) in ports {
            text = text.replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"));
        }
        text
    };
    let a = start_server(
        rt,
        read("a", "extensions.conf"),
        conf("a"),
        SocketAddr::from(([127, 0, 0, 1], ports[0].1)),
        Some("02:00:00:00:00:0a"),
        "peer-a",
    );
    let b = start_server(
        rt,
        read("b", "extensions.conf"),
        conf("b"),
        SocketAddr::from(([127, 0, 0, 1], ports[1].1)),
        Some("02:00:00:00:00:0b"),
        "peer-b",
    );
    std::thread::sleep(Duration::from_millis(700));
    let runs = env("LISTS_BENCH_PEER_RUNS", 200);
    let result = clients.block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let local = socket.local_addr().unwrap();
        let srv = b.udp;
        let sub = format!(
            "SUBSCRIBE sip:101@{srv} SIP/2.0\r\nVia: SIP/2.0/UDP {local};rport;branch=z9hG4bK-peer\r\n\
From: <sip:watcher@127.0.0.1>;tag=w\r\nTo: <sip:101@{srv}>\r\nCall-ID: peer@bench\r\nCSeq: 1 SUBSCRIBE\r\n\
Contact: <sip:watcher@{local}>\r\nEvent: presence\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n"
        );
        socket.send_to(sub.as_bytes(), srv).await.unwrap();
        let mut buf = vec![0u8; 65_536];
        wait_notify(&socket, &mut buf, "<note>").await;
        let mut out = Vec::new();
        for (name, control) in [("via a (published)", &a.control), ("on b (local)", &b.control)] {
            let mut remote = Remote::connect(control).unwrap();
            let mut times = Vec::new();
            for i in 0..runs {
                let (word, note) = if i % 2 == 0 {
                    ("INUSE", "<note>On the phone</note>")
                } else {
                    ("NOT_INUSE", "<note>Ready</note>")
                };
                let t = Instant::now();
                remote.run(&format!("devstate change Custom:lamp {word}")).unwrap();
                wait_notify(&socket, &mut buf, note).await;
                times.push(t.elapsed().as_micros() as u64);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            times.sort_unstable();
            out.push((name, times));
        }
        out
    });
    for (name, times) in result {
        println!(
            "peer: change {name} to the watcher's NOTIFY on b, {runs} changes: p50 {} p99 {} max {}",
            ms(times[times.len() / 2]),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap_or(&0)),
        );
    }
    let _ = a.stop.send(true);
    let _ = b.stop.send(true);
}

/// Waits for a NOTIFY containing `want`, answering every NOTIFY.
async fn wait_notify(socket: &UdpSocket, buf: &mut [u8], want: &str) {
    loop {
        let (n, from) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(buf))
            .await
            .expect("NOTIFY in time")
            .unwrap();
        let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
        if msg.starts_with("NOTIFY ") {
            let _ = socket.send_to(answer(&msg).as_bytes(), from).await;
            if msg.contains(want) {
                return;
            }
        }
    }
}

fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let want = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(env("LISTS_BENCH_CLIENT_THREADS", 2) as usize)
        .enable_all()
        .build()
        .unwrap();
    if want("first-notify") {
        first_notify();
    }
    if want("peer") {
        peer(&rt, &clients);
    }
    if want("register") {
        registers(&rt, &clients);
    }
    if want("fleet") {
        fleet(&rt, &clients);
    }
}
