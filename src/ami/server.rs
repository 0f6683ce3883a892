//! The manager interface's tokio side: the listener (ACL checked before the banner), one task
//! per session, and an event hub that renders each state change once and fans batches of events
//! out over a bounded broadcast channel. The hub sends at most one batch per `FLUSH_EVERY` while
//! changes keep coming (an idle hub sends the first change at once), so under load each session
//! makes one write per batch instead of one per event. A session that falls behind by more than
//! `EVENT_QUEUE` batches, or whose socket stops taking writes, is disconnected; nothing it does
//! slows the others or SIP.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, watch, Semaphore};
use tokio::task::JoinSet;

use crate::ami::codec::Decoder;
use crate::ami::config::ManagerConfig;
use crate::ami::event::{from_change, Batch, Event};
use crate::ami::limits;
use crate::ami::session::{Ctx, Reply, Session, BANNER};
use crate::pbx::{lock, Pbx};
use crate::state::Change;

/// How the `Command` action runs a console line (the process hands in `console::run`).
pub type CommandFn = dyn Fn(&mut Pbx, &str) -> (String, bool) + Send + Sync;

/// Seconds a write to a session may take before the session is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Shortest time between two batches of state events (the most a busy hub delays an event).
const FLUSH_EVERY: Duration = Duration::from_millis(1);
/// Most changes rendered into one batch.
const BATCH_MAX: usize = 4096;

fn now() -> (u64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_micros())
}

/// Runs the manager interface until `stop` turns true. `changes` carries the state engine's
/// changes (a global, non-extended watcher).
pub async fn run(
    listener: TcpListener,
    config: Arc<ManagerConfig>,
    pbx: Arc<Mutex<Pbx>>,
    changes: mpsc::UnboundedReceiver<Change>,
    command: Arc<CommandFn>,
    mut stop: watch::Receiver<bool>,
) {
    let started = now().0;
    let (events, _) = broadcast::channel::<Arc<Batch>>(limits::EVENT_QUEUE);
    let mut tasks = JoinSet::new();
    tasks.spawn(hub(
        changes,
        pbx.clone(),
        events.clone(),
        config.timestampevents,
        stop.clone(),
    ));
    let permits = Arc::new(Semaphore::new(limits::MAX_SESSIONS));
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = tasks.join_next(), if tasks.len() > 1 => {}
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                // deny/permit before the banner: a peer no user may log in from is closed.
                if !config.users.values().any(|u| u.allows(peer.ip())) {
                    tracing::warn!(%peer, "manager connection refused by ACL");
                    continue;
                }
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    tracing::warn!(%peer, "too many manager sessions");
                    continue;
                };
                let session = Session::new(peer.ip());
                let task = connection(stream, session, config.clone(), pbx.clone(), events.clone(), command.clone(), started, stop.clone());
                tasks.spawn(async move {
                    task.await;
                    drop(permit);
                });
            }
        }
    }
    tasks.shutdown().await;
}

/// Renders each change once, in order, and broadcasts the changes that came in together as one
/// batch, at most one batch per `FLUSH_EVERY`.
async fn hub(
    mut changes: mpsc::UnboundedReceiver<Change>,
    pbx: Arc<Mutex<Pbx>>,
    events: broadcast::Sender<Arc<Batch>>,
    timestamps: bool,
    mut stop: watch::Receiver<bool>,
) {
    let mut batch = Vec::new();
    let mut last = Instant::now() - FLUSH_EVERY;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            got = changes.recv() => {
                let Some(first) = got else { return };
                batch.push(first);
            }
        }
        // Busy: let the changes of the next moments join this batch.
        let due = last + FLUSH_EVERY;
        if Instant::now() < due {
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep_until(due) => {}
            }
        }
        while batch.len() < BATCH_MAX {
            match changes.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        last = Instant::now();
        let ts = timestamps.then(|| {
            let (s, us) = now();
            format!("{s}.{us:06}")
        });
        let rendered: Vec<Event> = {
            let guard = lock(&pbx);
            let hint = |key: &crate::state::HintKey| {
                guard
                    .state()
                    .hint(key)
                    .map(|v| v.text.to_string())
                    .unwrap_or_default()
            };
            batch
                .drain(..)
                .filter_map(|c| from_change(&c, &hint, ts.as_deref()))
                .collect()
        };
        if !rendered.is_empty() {
            // No session listening is fine.
            let _ = events.send(Arc::new(Batch::new(rendered)));
        }
    }
}

/// The next event of a logged-in session (never resolves before login).
async fn next_event(
    rx: &mut Option<broadcast::Receiver<Arc<Batch>>>,
) -> Result<Arc<Batch>, broadcast::error::RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn write(stream: &mut TcpStream, text: &str) -> bool {
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(text.as_bytes())).await,
        Ok(Ok(()))
    )
}

#[allow(clippy::too_many_arguments)]
async fn connection(
    mut stream: TcpStream,
    mut session: Session,
    config: Arc<ManagerConfig>,
    pbx: Arc<Mutex<Pbx>>,
    events: broadcast::Sender<Arc<Batch>>,
    command: Arc<CommandFn>,
    started: u64,
    mut stop: watch::Receiver<bool>,
) {
    let peer = session.peer;
    // Events are received from login on (Asterisk sends nothing raised before it).
    let mut rx: Option<broadcast::Receiver<Arc<Batch>>> = None;
    let _ = stream.set_nodelay(true);
    if !write(&mut stream, BANNER).await {
        return;
    }
    let mut decoder = Decoder::default();
    let mut buf = vec![0u8; 8192];
    let auth_deadline =
        tokio::time::Instant::now() + Duration::from_secs(limits::AUTH_TIMEOUT_SECS);
    loop {
        let authed = session.user.is_some();
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep_until(auth_deadline), if !authed => {
                tracing::info!(%peer, "manager session did not log in in time; closed");
                return;
            }
            event = next_event(&mut rx), if rx.is_some() => match event {
                Ok(batch) => {
                    // Take every batch already waiting too, and write them at once.
                    let mut text = String::new();
                    session.take(&batch, &mut text);
                    if let Some(rx) = rx.as_mut() {
                        for _ in 0..1024 {
                            match rx.try_recv() {
                                Ok(batch) => session.take(&batch, &mut text),
                                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                                    tracing::warn!(%peer, missed = n, "manager session too slow for its events; disconnected");
                                    return;
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    if !text.is_empty() && !write(&mut stream, &text).await {
                        tracing::warn!(%peer, "manager session stopped reading; disconnected");
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(%peer, missed = n, "manager session too slow for its events; disconnected");
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            read = stream.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let messages = match decoder.push(&buf[..n]) {
                    Ok(m) => m,
                    Err(err) => {
                        tracing::warn!(%peer, error = %err, "manager input refused; closed");
                        return;
                    }
                };
                // The actions of one read run under one hold of the lock (a pipelining client
                // costs one thread hop and one database round trip per read) and are answered
                // in one write, with the events already waiting behind them.
                let mut text = String::new();
                let mut raised = Vec::new();
                let mut last = None;
                let raise = |event| {
                    let _ = events.send(Arc::new(Batch::new(vec![event])));
                };
                tokio::task::block_in_place(|| {
                    let mut guard = lock(&pbx);
                    let held = std::cell::RefCell::new(&mut *guard);
                    for msg in messages {
                        let (secs, micros) = now();
                        let ctx = Ctx {
                            config: &config,
                            pbx: &held,
                            now: (secs, micros),
                            started,
                            random: uuid::Uuid::new_v4().as_u64_pair().0,
                            command: &*command,
                            raise: &raise,
                        };
                        let reply = session.handle(&msg, &ctx);
                        if rx.is_none() && session.user.is_some() {
                            rx = Some(events.subscribe());
                        }
                        match reply {
                            Reply::Send(answer) => text.push_str(&answer),
                            Reply::SendAndRaise(answer, events) => {
                                text.push_str(&answer);
                                raised.extend(events);
                            }
                            closing => {
                                last = Some(closing);
                                break;
                            }
                        }
                    }
                });
                if let Some(rx) = rx.as_mut() {
                    loop {
                        match rx.try_recv() {
                            Ok(batch) => session.take(&batch, &mut text),
                            Err(broadcast::error::TryRecvError::Lagged(n)) => {
                                tracing::warn!(%peer, missed = n, "manager session too slow for its events; disconnected");
                                return;
                            }
                            Err(_) => break,
                        }
                    }
                }
                if !text.is_empty() && !write(&mut stream, &text).await {
                    return;
                }
                if !raised.is_empty() {
                    let _ = events.send(Arc::new(Batch::new(raised)));
                }
                match last {
                    Some(Reply::FailLogin(answer)) => {
                        tokio::time::sleep(Duration::from_millis(limits::LOGIN_FAIL_DELAY_MS)).await;
                        let _ = write(&mut stream, &answer).await;
                        return;
                    }
                    Some(Reply::SendThenClose(answer)) => {
                        let _ = write(&mut stream, &answer).await;
                        return;
                    }
                    _ => {}
                }
            }
        }
    }
}
