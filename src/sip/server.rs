//! The SIP server's tokio side: UDP sockets and TCP listeners (already bound, so tests can use
//! port 0), one task per TCP connection framing messages by Content-Length, and one task that
//! owns the `Notifier` and feeds it packets, state changes and timers. Every task stops on the
//! shutdown signal and is joined.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

use crate::sip::config::Protocol;
use crate::sip::limits;
use crate::sip::message::frame;
use crate::sip::notifier::{Inbound, LocalTransport, Notifier, Now, Outbound};
use crate::sip::persist::Record;
use crate::state::{Change, DeviceState};

/// A bound socket the server serves.
#[derive(Debug)]
pub enum Bound {
    Udp(UdpSocket),
    Tcp(TcpListener),
}

impl Bound {
    pub fn local(&self) -> std::io::Result<LocalTransport> {
        Ok(match self {
            Bound::Udp(s) => LocalTransport {
                protocol: Protocol::Udp,
                addr: s.local_addr()?,
            },
            Bound::Tcp(l) => LocalTransport {
                protocol: Protocol::Tcp,
                addr: l.local_addr()?,
            },
        })
    }
}

enum Event {
    Packet {
        transport: usize,
        peer: SocketAddr,
        bytes: Vec<u8>,
    },
    Connected {
        transport: usize,
        peer: SocketAddr,
        tx: mpsc::Sender<Arc<Vec<u8>>>,
    },
    Closed {
        transport: usize,
        peer: SocketAddr,
    },
    /// A NOTIFY destination's host name, resolved (or not).
    Resolved {
        name: String,
        addr: Option<SocketAddr>,
    },
}

/// The current time as the notifier takes it.
pub fn now() -> Now {
    Now {
        mono: Instant::now(),
        epoch: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}

/// Runs the server until `shutdown` turns true. `changes` carries the state engine's changes.
pub async fn run(
    mut notifier: Notifier,
    sockets: Vec<Bound>,
    mut changes: mpsc::UnboundedReceiver<Change>,
    mut local: mpsc::UnboundedReceiver<(String, DeviceState)>,
    restore: Vec<Record>,
    mut shutdown: watch::Receiver<bool>,
) {
    let (events_tx, mut events) = mpsc::channel::<Event>(65_536);
    let mut tasks = JoinSet::new();
    let mut udp: HashMap<usize, Arc<UdpSocket>> = HashMap::new();
    let permits = Arc::new(Semaphore::new(limits::MAX_TCP_CONNECTIONS));
    for (index, bound) in sockets.into_iter().enumerate() {
        match bound {
            Bound::Udp(socket) => {
                // Room for bursts of answers while the notifier is busy (the kernel caps it at
                // net.core.rmem_max / wmem_max).
                let sock = socket2::SockRef::from(&socket);
                let _ = sock.set_recv_buffer_size(limits::UDP_BUFFER);
                let _ = sock.set_send_buffer_size(limits::UDP_BUFFER);
                let socket = Arc::new(socket);
                udp.insert(index, socket.clone());
                tasks.spawn(udp_reader(
                    index,
                    socket,
                    events_tx.clone(),
                    shutdown.clone(),
                ));
            }
            Bound::Tcp(listener) => {
                tasks.spawn(tcp_acceptor(
                    index,
                    listener,
                    events_tx.clone(),
                    permits.clone(),
                    shutdown.clone(),
                ));
            }
        }
    }
    let mut tcp: HashMap<(usize, SocketAddr), mpsc::Sender<Arc<Vec<u8>>>> = HashMap::new();
    let mut out = Vec::new();
    let restored = notifier.restore(restore, now(), &mut out);
    if restored > 0 {
        tracing::info!(restored, "subscriptions restored");
    }
    notifier.start_publishing(now(), &mut out);
    loop {
        send_all(&mut out, &udp, &mut tcp, &events_tx, &mut tasks, &shutdown).await;
        for name in notifier.take_dns_requests() {
            let events = events_tx.clone();
            tasks.spawn(async move {
                let addr = tokio::time::timeout(
                    Duration::from_secs(5),
                    tokio::net::lookup_host(name.as_str()),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|addrs| {
                    // IPv4 first: the usual transports are IPv4.
                    let mut all: Vec<SocketAddr> = addrs.collect();
                    all.sort_by_key(|a| !a.is_ipv4());
                    all.into_iter().next()
                });
                let _ = events.send(Event::Resolved { name, addr }).await;
            });
        }
        if notifier.has_backlog() {
            // A fan-out in progress: take state changes that arrived meanwhile, then build and
            // send the next slice, so the first watchers hear of a change at once. Answers wait
            // in the queue (the reader task keeps the socket drained) until the fan-out is out.
            if *shutdown.borrow() {
                break;
            }
            let t = now();
            while let Ok(change) = changes.try_recv() {
                apply(&mut notifier, &change, t, &mut out);
            }
            if notifier.next_deadline().is_some_and(|d| d <= t.mono) {
                notifier.on_timer(t, &mut out);
            }
            notifier.pump(t, &mut out, FANOUT_SLICE);
            tokio::task::yield_now().await;
            continue;
        }
        let deadline = notifier.next_deadline();
        let sleep = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            change = changes.recv() => {
                let Some(change) = change else { break };
                let t = now();
                apply(&mut notifier, &change, t, &mut out);
                // Drain what else is queued, so a burst costs one wake-up.
                while let Ok(change) = changes.try_recv() {
                    apply(&mut notifier, &change, t, &mut out);
                }
                notifier.pump(t, &mut out, FANOUT_SLICE);
            }
            event = events.recv() => {
                let Some(event) = event else { break };
                let t = now();
                handle(&mut notifier, event, t, &mut tcp, &mut out);
                let mut n = 0;
                while n < 256 {
                    let Ok(event) = events.try_recv() else { break };
                    handle(&mut notifier, event, t, &mut tcp, &mut out);
                    n += 1;
                }
            }
            device = local.recv() => {
                let Some((device, state)) = device else { break };
                let t = now();
                notifier.on_local_device(&device, state, t, &mut out);
                while let Ok((device, state)) = local.try_recv() {
                    notifier.on_local_device(&device, state, t, &mut out);
                }
            }
            _ = sleep => notifier.on_timer(now(), &mut out),
        }
    }
    // Publications to peers are removed before going (subscribers are told nothing false).
    notifier.stop_publishing(now(), &mut out);
    send_all(&mut out, &udp, &mut tcp, &events_tx, &mut tasks, &shutdown).await;
    drop(events_tx);
    tasks.shutdown().await;
}

/// NOTIFYs built before the next slice is sent.
const FANOUT_SLICE: usize = 256;

/// A state change: a hint that went away ends its subscriptions now; other changes are queued
/// and sent in slices.
fn apply(notifier: &mut Notifier, change: &Change, t: Now, out: &mut Vec<Outbound>) {
    match change {
        Change::HintGone { .. } => notifier.on_change(change, t, out),
        _ => notifier.queue_change(change, t, out),
    }
}

fn handle(
    notifier: &mut Notifier,
    event: Event,
    t: Now,
    tcp: &mut HashMap<(usize, SocketAddr), mpsc::Sender<Arc<Vec<u8>>>>,
    out: &mut Vec<Outbound>,
) {
    match event {
        Event::Packet {
            transport,
            peer,
            bytes,
        } => notifier.on_packet(
            Inbound {
                transport,
                peer,
                bytes: &bytes,
            },
            t,
            out,
        ),
        Event::Connected {
            transport,
            peer,
            tx,
        } => {
            tcp.insert((transport, peer), tx);
        }
        Event::Closed { transport, peer } => {
            tcp.remove(&(transport, peer));
            notifier.on_transport_closed(transport, peer, t);
        }
        Event::Resolved { name, addr } => notifier.on_resolved(&name, addr, t, out),
    }
}

async fn send_all(
    out: &mut Vec<Outbound>,
    udp: &HashMap<usize, Arc<UdpSocket>>,
    tcp: &mut HashMap<(usize, SocketAddr), mpsc::Sender<Arc<Vec<u8>>>>,
    events: &mpsc::Sender<Event>,
    tasks: &mut JoinSet<()>,
    shutdown: &watch::Receiver<bool>,
) {
    // Datagrams to one socket go out together, many per system call.
    let mut batch: Vec<(SocketAddr, Arc<Vec<u8>>)> = Vec::new();
    let mut batch_socket: Option<usize> = None;
    for o in out.drain(..) {
        if udp.contains_key(&o.transport) {
            if batch_socket != Some(o.transport) {
                if let Some(previous) = batch_socket.and_then(|t| udp.get(&t)) {
                    send_datagrams(previous, &batch).await;
                }
                batch.clear();
                batch_socket = Some(o.transport);
            }
            batch.push((o.peer, o.bytes));
            continue;
        }
        let key = (o.transport, o.peer);
        if let Some(tx) = tcp.get(&key) {
            if tx.try_send(o.bytes).is_err() {
                tracing::warn!(peer = %o.peer, "TCP connection backed up; message dropped");
            }
            continue;
        }
        // No connection to that peer: open one (NOTIFY to a TCP subscriber whose connection is
        // gone).
        let (tx, rx) = mpsc::channel(1024);
        let _ = tx.try_send(o.bytes);
        tcp.insert(key, tx.clone());
        let events = events.clone();
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(o.peer)).await {
                Ok(Ok(stream)) => {
                    let _ = events
                        .send(Event::Connected {
                            transport: o.transport,
                            peer: o.peer,
                            tx,
                        })
                        .await;
                    tcp_connection(o.transport, o.peer, stream, rx, events, shutdown).await;
                }
                _ => {
                    tracing::warn!(peer = %o.peer, "cannot connect over TCP");
                    let _ = events
                        .send(Event::Closed {
                            transport: o.transport,
                            peer: o.peer,
                        })
                        .await;
                }
            }
        });
    }
    if let Some(socket) = batch_socket.and_then(|t| udp.get(&t)) {
        send_datagrams(socket, &batch).await;
    }
}

/// Most datagrams handed to the kernel in one system call.
const SEND_BATCH: usize = 64;

/// Sends `batch` from `socket` in order: many datagrams per system call where the system has
/// one (`sendmmsg`), waiting when the socket's buffer is full; a datagram the kernel refuses is
/// logged and skipped.
async fn send_datagrams(socket: &UdpSocket, batch: &[(SocketAddr, Arc<Vec<u8>>)]) {
    let mut from = 0;
    while from < batch.len() {
        let chunk = &batch[from..(from + SEND_BATCH).min(batch.len())];
        match socket.try_io(tokio::io::Interest::WRITABLE, || send_many(socket, chunk)) {
            Ok(sent) if sent > 0 => from += sent,
            Ok(_) => from += 1,
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                // Full: wait for room by sending the next one the ordinary way.
                let (peer, bytes) = &batch[from];
                if let Err(err) = socket.send_to(bytes, *peer).await {
                    tracing::warn!(%peer, error = %err, "UDP send failed");
                }
                from += 1;
            }
            Err(err) => {
                tracing::warn!(peer = %batch[from].0, error = %err, "UDP send failed");
                from += 1;
            }
        }
    }
}

/// Hands `chunk` to the kernel; how many datagrams it took (at least one, or an error).
#[cfg(target_os = "linux")]
fn send_many(socket: &UdpSocket, chunk: &[(SocketAddr, Arc<Vec<u8>>)]) -> std::io::Result<usize> {
    use nix::sys::socket::{sendmmsg, ControlMessage, MsgFlags, MultiHeaders, SockaddrStorage};
    use std::io::IoSlice;
    use std::os::fd::AsRawFd;
    let slices: Vec<[IoSlice<'_>; 1]> = chunk.iter().map(|(_, b)| [IoSlice::new(b)]).collect();
    let addrs: Vec<Option<SockaddrStorage>> = chunk
        .iter()
        .map(|(peer, _)| Some(SockaddrStorage::from(*peer)))
        .collect();
    let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(chunk.len(), None);
    let no_cmsgs: [ControlMessage<'_>; 0] = [];
    let sent = sendmmsg(
        socket.as_raw_fd(),
        &mut headers,
        &slices,
        &addrs,
        no_cmsgs,
        MsgFlags::MSG_DONTWAIT,
    )?;
    Ok(sent.count())
}

#[cfg(not(target_os = "linux"))]
fn send_many(socket: &UdpSocket, chunk: &[(SocketAddr, Arc<Vec<u8>>)]) -> std::io::Result<usize> {
    let (peer, bytes) = &chunk[0];
    socket.try_send_to(bytes, *peer).map(|_| 1)
}

async fn udp_reader(
    transport: usize,
    socket: Arc<UdpSocket>,
    events: mpsc::Sender<Event>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut inbox = Inbox::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            ready = socket.readable() => {
                if let Err(err) = ready {
                    tracing::warn!(error = %err, "UDP socket failed");
                    return;
                }
            }
        }
        // Take what is queued, many datagrams per system call, then let others run.
        for _ in 0..8 {
            match socket.try_io(tokio::io::Interest::READABLE, || inbox.receive(&socket)) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(err) => {
                    // ICMP port unreachable and the like surface here on Linux; keep serving.
                    tracing::debug!(error = %err, "UDP receive error");
                    continue;
                }
            }
            for (bytes, peer) in inbox.take() {
                let Some(bytes) = bytes else {
                    tracing::warn!(%peer, "oversized datagram dropped");
                    continue;
                };
                let event = Event::Packet {
                    transport,
                    peer,
                    bytes,
                };
                if events.try_send(event).is_err() {
                    tracing::warn!(%peer, "SIP queue full; datagram dropped");
                }
            }
        }
        tokio::task::yield_now().await;
    }
}

/// Most datagrams taken from the kernel in one system call.
#[cfg(target_os = "linux")]
const RECV_BATCH: usize = 32;

/// Receive buffers, and what the last `receive` got: each datagram's bytes (`None` when larger
/// than `MAX_MESSAGE`) and sender.
struct Inbox {
    buffers: Vec<Vec<u8>>,
    /// Buffer index, length, whether the datagram fit, sender.
    got: Vec<(usize, usize, bool, SocketAddr)>,
}

impl Inbox {
    fn new() -> Inbox {
        #[cfg(target_os = "linux")]
        let n = RECV_BATCH;
        #[cfg(not(target_os = "linux"))]
        let n = 1;
        Inbox {
            buffers: (0..n).map(|_| vec![0u8; limits::MAX_MESSAGE + 1]).collect(),
            got: Vec::new(),
        }
    }

    /// The datagrams received by the last `receive`.
    fn take(&mut self) -> impl Iterator<Item = (Option<Vec<u8>>, SocketAddr)> + '_ {
        let buffers = &self.buffers;
        self.got.drain(..).map(|(at, len, whole, peer)| {
            let fits = whole && len <= limits::MAX_MESSAGE;
            (fits.then(|| buffers[at][..len].to_vec()), peer)
        })
    }

    /// Reads what is queued (up to the number of buffers) without waiting.
    #[cfg(target_os = "linux")]
    fn receive(&mut self, socket: &UdpSocket) -> std::io::Result<()> {
        use nix::sys::socket::{recvmmsg, MsgFlags, MultiHeaders, SockaddrStorage};
        use std::io::IoSliceMut;
        use std::os::fd::AsRawFd;
        self.got.clear();
        let mut slices: Vec<[IoSliceMut<'_>; 1]> = self
            .buffers
            .iter_mut()
            .map(|b| [IoSliceMut::new(b)])
            .collect();
        let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(slices.len(), None);
        let results = recvmmsg(
            socket.as_raw_fd(),
            &mut headers,
            slices.iter_mut(),
            MsgFlags::MSG_DONTWAIT,
            None,
        )?;
        for (at, msg) in results.enumerate() {
            let peer = msg.address.as_ref().and_then(|a| {
                a.as_sockaddr_in()
                    .map(|v4| SocketAddr::V4((*v4).into()))
                    .or_else(|| a.as_sockaddr_in6().map(|v6| SocketAddr::V6((*v6).into())))
            });
            let whole = !msg.flags.contains(MsgFlags::MSG_TRUNC);
            // A datagram without a sender's address cannot be answered: skipped.
            if let Some(peer) = peer {
                self.got.push((at, msg.bytes, whole, peer));
            }
        }
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn receive(&mut self, socket: &UdpSocket) -> std::io::Result<()> {
        self.got.clear();
        let (len, peer) = socket.try_recv_from(&mut self.buffers[0])?;
        self.got.push((0, len, true, peer));
        Ok(())
    }
}

async fn tcp_acceptor(
    transport: usize,
    listener: TcpListener,
    events: mpsc::Sender<Event>,
    permits: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    tracing::warn!(%peer, "too many TCP connections; closed");
                    continue;
                };
                let (tx, rx) = mpsc::channel(1024);
                if events.send(Event::Connected { transport, peer, tx }).await.is_err() {
                    break;
                }
                let events = events.clone();
                let shutdown = shutdown.clone();
                conns.spawn(async move {
                    tcp_connection(transport, peer, stream, rx, events, shutdown).await;
                    drop(permit);
                });
            }
        }
    }
    conns.shutdown().await;
}

/// One TCP connection: messages framed by Content-Length go to the notifier; what the notifier
/// sends to this peer is written here. Idle, slow and oversized peers are closed.
async fn tcp_connection(
    transport: usize,
    peer: SocketAddr,
    stream: TcpStream,
    mut rx: mpsc::Receiver<Arc<Vec<u8>>>,
    events: mpsc::Sender<Event>,
    mut shutdown: watch::Receiver<bool>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut partial_since: Option<Instant> = None;
    loop {
        let idle = if partial_since.is_some() {
            Duration::from_secs(limits::TCP_PARTIAL_SECS)
        } else {
            Duration::from_secs(limits::TCP_IDLE_SECS)
        };
        tokio::select! {
            _ = shutdown.changed() => break,
            msg = rx.recv() => {
                let Some(bytes) = msg else { break };
                if writer.write_all(&bytes).await.is_err() {
                    break;
                }
            }
            read = tokio::time::timeout(idle, reader.read(&mut chunk)) => {
                let n = match read {
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    Err(_) => {
                        tracing::info!(%peer, "TCP connection idle or stalled; closed");
                        break;
                    }
                    Ok(Ok(n)) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > limits::MAX_TCP_BUFFER {
                    tracing::warn!(%peer, "TCP buffer limit exceeded; closed");
                    break;
                }
                let mut bad = false;
                loop {
                    // Keep-alive CRLFs between messages are skipped.
                    let skip = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
                    buf.drain(..skip);
                    match frame(&buf) {
                        Ok(Some(len)) => {
                            let bytes: Vec<u8> = buf.drain(..len).collect();
                            if events.send(Event::Packet { transport, peer, bytes }).await.is_err() {
                                bad = true;
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(err) => {
                            tracing::warn!(%peer, error = %err, "bad TCP framing; closed");
                            bad = true;
                            break;
                        }
                    }
                }
                if bad {
                    break;
                }
                partial_since = if buf.is_empty() { None } else { partial_since.or(Some(Instant::now())) };
            }
        }
    }
    let _ = events.send(Event::Closed { transport, peer }).await;
}
