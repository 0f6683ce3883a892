//! `dialstate serve`: the long-running process. It loads the configuration (a folder with
//! `extensions.conf` and `pjsip.conf`, or the bundled demo), opens the state database behind its
//! writer thread, binds the SIP transports and the control socket, and runs until SIGINT or
//! SIGTERM. The PBX stays synchronous behind a mutex; its changes reach the SIP task over a
//! channel.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UdpSocket, UnixListener};
use tokio::sync::watch;

use crate::ami::config::ManagerConfig;
use crate::config::{FsProvider, MemProvider, PathKind, SourceProvider};
use crate::diag::render_short;
use crate::pbx::{InboundSubscriptions, Pbx};
use crate::sip::config::{Protocol, SipConfig};
use crate::sip::notifier::{HintState, Hints, InboundTable, Notifier, Persist};
use crate::sip::persist::{Record, FAMILY};
use crate::sip::server::Bound;
use crate::state::{Change, Hint, HintKey, Sink};
use crate::store::{BatchWriter, Store, WriteBehind};

/// The demo configuration built into the binary.
const DEMO_EXTENSIONS: &str = include_str!("../../dialplans/demo/extensions.conf");
const DEMO_PJSIP: &str = include_str!("../../dialplans/demo/pjsip.conf");
const DEMO_MANAGER: &str = include_str!("../../dialplans/demo/manager.conf");

/// Longest control-socket line accepted.
const MAX_CONTROL_LINE: usize = 64 * 1024;
/// Pipelined control requests run under one lock.
const MAX_CONTROL_BATCH: usize = 256;

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub config: Option<PathBuf>,
    pub sip: Vec<String>,
    pub db: String,
    pub control: PathBuf,
    /// `--manager ADDR:PORT` (overrides manager.conf's address and enables it) or `off`.
    pub manager: Option<String>,
}

use crate::pbx::lock;

struct PbxHints(Arc<Mutex<Pbx>>);

impl Hints for PbxHints {
    fn subscribe(&mut self, context: &str, exten: &str) -> Option<(HintKey, HintState)> {
        let mut pbx = lock(&self.0);
        let key = pbx.subscribe_hint(context, exten)?;
        let view = pbx.state().hint(&key)?;
        let state = HintState {
            state: view.state,
            presence: view.presence.clone(),
            has_devices: !Hint::parse(view.text).devices.is_empty(),
            ringing: pbx.state().hint_ringing_call(&key),
        };
        pbx.state_mut().add_external_watchers(&key, 1);
        Some((key, state))
    }

    fn release(&mut self, key: &HintKey) {
        lock(&self.0).state_mut().add_external_watchers(key, -1);
    }

    fn all_hints(&mut self) -> Vec<HintKey> {
        lock(&self.0)
            .state()
            .hints()
            .filter(|h| !h.key.exten.starts_with('_'))
            .map(|h| h.key.clone())
            .collect()
    }

    fn peek(&mut self, key: &HintKey) -> Option<HintState> {
        let pbx = lock(&self.0);
        let view = pbx.state().hint(key)?;
        Some(HintState {
            state: view.state,
            presence: view.presence.clone(),
            has_devices: !Hint::parse(view.text).devices.is_empty(),
            ringing: None,
        })
    }

    fn set_device(&mut self, device: &str, state: crate::state::DeviceState) {
        lock(&self.0).state_mut().set_device(device, state);
    }

    fn set_remote_device(
        &mut self,
        device: &str,
        eid: crate::state::Eid,
        state: crate::state::DeviceState,
    ) {
        lock(&self.0)
            .state_mut()
            .set_remote_device(device, eid, state);
    }

    fn display_name(&mut self, key: &HintKey) -> Option<String> {
        Some(lock(&self.0).get_var(&format!("HINT({}@{},n)", key.exten, key.context)))
    }

    fn forget_remote(&mut self, eid: crate::state::Eid) {
        lock(&self.0).state_mut().forget_remote(eid);
    }

    fn local_devices(&mut self) -> Vec<(String, crate::state::DeviceState)> {
        lock(&self.0)
            .state()
            .local_devices()
            .into_iter()
            .map(|(name, state)| (name.to_string(), state))
            .collect()
    }
}

struct DbPersist(Arc<BatchWriter>);

impl Persist for DbPersist {
    fn save(&mut self, id: &str, record: &str) {
        // Fire and forget: the writer thread commits it with whatever else is queued.
        drop(self.0.submit(FAMILY, id, record));
    }

    fn delete(&mut self, id: &str) {
        self.0.submit_delete(FAMILY, id);
    }

    fn save_in(&mut self, family: &str, key: &str, value: &str) {
        drop(self.0.submit(family, key, value));
    }

    fn delete_in(&mut self, family: &str, key: &str) {
        self.0.submit_delete(family, key);
    }
}

struct Table(InboundTable, crate::sip::registrar::SharedView);

impl Table {
    fn view<T>(&self, f: impl FnOnce(&crate::sip::registrar::View) -> T) -> T {
        match self.1.lock() {
            Ok(view) => f(&view),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }
}

impl InboundSubscriptions for Table {
    fn show_inbound(&self) -> String {
        crate::sip::notifier::render_inbound(&self.0, crate::sip::server::now().epoch)
    }

    fn show_contacts(&self) -> String {
        self.view(crate::sip::registrar::show_contacts)
    }

    fn show_aors(&self) -> String {
        self.view(crate::sip::registrar::show_aors)
    }

    fn show_aor(&self, name: &str) -> String {
        self.view(|v| crate::sip::registrar::show_aor(v, name))
    }
}

/// Parses `udp:127.0.0.1:5060` / `tcp:[::1]:5070`.
pub fn parse_listen(text: &str) -> Result<(Protocol, SocketAddr), String> {
    let (proto, addr) = text
        .split_once(':')
        .ok_or_else(|| format!("expected PROTO:ADDR:PORT, found `{text}`"))?;
    let protocol = match proto.to_ascii_lowercase().as_str() {
        "udp" => Protocol::Udp,
        "tcp" => Protocol::Tcp,
        _ => return Err(format!("unknown transport `{proto}` (udp or tcp)")),
    };
    let addr = addr
        .parse()
        .map_err(|_| format!("expected ADDR:PORT, found `{addr}`"))?;
    Ok((protocol, addr))
}

/// Loads the dialplan and pjsip.conf of `dir`, or the demo.
type Loaded = (
    Arc<dyn SourceProvider + Send + Sync>,
    PathBuf,
    SipConfig,
    ManagerConfig,
);

fn load_config(dir: Option<&Path>) -> Result<Loaded, String> {
    match dir {
        Some(dir) => {
            let ext = dir.join("extensions.conf");
            if FsProvider.kind(&ext) != PathKind::File {
                return Err(format!("no extensions.conf in `{}`", dir.display()));
            }
            let pjsip = dir.join("pjsip.conf");
            let sip = if FsProvider.kind(&pjsip) == PathKind::File {
                let loaded = crate::sip::config::load(&FsProvider, &pjsip);
                for diag in loaded.diagnostics.items() {
                    eprintln!("{}", render_short(&loaded.sources, diag));
                }
                loaded.value
            } else {
                SipConfig::default()
            };
            let manager = dir.join("manager.conf");
            let manager = if FsProvider.kind(&manager) == PathKind::File {
                let loaded = crate::ami::config::load(&FsProvider, &manager);
                for diag in loaded.diagnostics.items() {
                    eprintln!("{}", render_short(&loaded.sources, diag));
                }
                loaded.value
            } else {
                ManagerConfig::default()
            };
            Ok((Arc::new(FsProvider), ext, sip, manager))
        }
        None => {
            let provider = MemProvider::default()
                .with("demo/extensions.conf", DEMO_EXTENSIONS)
                .with("demo/pjsip.conf", DEMO_PJSIP)
                .with("demo/manager.conf", DEMO_MANAGER);
            let sip = crate::sip::config::load(&provider, Path::new("demo/pjsip.conf")).value;
            let manager = crate::ami::config::load(&provider, Path::new("demo/manager.conf")).value;
            Ok((
                Arc::new(provider),
                PathBuf::from("demo/extensions.conf"),
                sip,
                manager,
            ))
        }
    }
}

/// The subscriptions kept in the state database; malformed records are skipped (and deleted
/// by the notifier's restore when their hint or dialog cannot be rebuilt).
pub fn stored_subscriptions(store: &dyn Store) -> Result<Vec<Record>, String> {
    Ok(store
        .family(FAMILY)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|(_, v)| Record::from_json(&v))
        .collect())
}

/// This server's EID when asterisk.conf sets none: the one kept in the state database, or a
/// new random one (kept there for the next start, so peers keep recognising us).
fn stored_eid(store: Option<&BatchWriter>) -> crate::state::Eid {
    const FAMILY: &str = "dialstate";
    if let Some(store) = store {
        if let Ok(rows) = store.family(FAMILY) {
            if let Some(eid) = rows
                .iter()
                .find(|(k, _)| k == "eid")
                .and_then(|(_, v)| v.parse().ok())
            {
                return eid;
            }
        }
    }
    let eid = crate::state::Eid::random();
    if let Some(store) = store {
        drop(store.submit(FAMILY, "eid", &eid.to_string()));
    }
    eid
}

/// `[options] entity_id` of asterisk.conf in the configuration folder, if any.
fn configured_eid(dir: Option<&Path>) -> Result<Option<crate::state::Eid>, String> {
    let Some(dir) = dir else { return Ok(None) };
    let path = dir.join("asterisk.conf");
    if FsProvider.kind(&path) != PathKind::File {
        return Ok(None);
    }
    let loaded = crate::config::load(&FsProvider, &path);
    let item = loaded
        .value
        .visible()
        .filter(|c| &*c.name == "options")
        .flat_map(|c| c.items.iter())
        .find(|it| &*it.name == "entity_id");
    match item {
        Some(item) => item
            .value()
            .trim()
            .parse()
            .map(Some)
            .map_err(|e: crate::state::EidError| format!("{}: entity_id: {e}", path.display())),
        None => Ok(None),
    }
}

/// Runs the server.
pub fn serve(opts: Options) -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DIALSTATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dialstate: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match serve_async(opts).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("dialstate: {err}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn serve_async(opts: Options) -> Result<(), String> {
    let (provider, path, sip, mut manager_conf) = load_config(opts.config.as_deref())?;
    match opts.manager.as_deref() {
        Some("off") => manager_conf.enabled = false,
        Some(addr) => {
            manager_conf.enabled = true;
            manager_conf.bind = addr
                .parse()
                .map_err(|_| format!("expected --manager ADDR:PORT or off, found `{addr}`"))?;
        }
        None => {}
    }
    let manager = if manager_conf.enabled {
        let listener = TcpListener::bind(manager_conf.bind).await.map_err(|e| {
            format!(
                "cannot listen for the manager on {}: {e}",
                manager_conf.bind
            )
        })?;
        Some((listener, manager_conf))
    } else {
        None
    };
    let mut listen = Vec::new();
    for text in &opts.sip {
        listen.push(parse_listen(text)?);
    }
    if listen.is_empty() {
        listen = sip
            .transports
            .iter()
            .map(|t| (t.protocol, t.bind))
            .collect();
    }
    if listen.is_empty() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 5060));
        listen = vec![(Protocol::Udp, addr), (Protocol::Tcp, addr)];
    }
    let mut sockets = Vec::new();
    for (protocol, addr) in &listen {
        let bound = match protocol {
            Protocol::Udp => Bound::Udp(
                UdpSocket::bind(addr)
                    .await
                    .map_err(|e| format!("cannot listen on udp:{addr}: {e}"))?,
            ),
            Protocol::Tcp => Bound::Tcp(
                TcpListener::bind(addr)
                    .await
                    .map_err(|e| format!("cannot listen on tcp:{addr}: {e}"))?,
            ),
        };
        sockets.push(bound);
    }
    let store = crate::store::open(&opts.db)
        .map_err(|e| format!("cannot use the state database `{}`: {e}", opts.db))?;
    let writer = Arc::new(BatchWriter::spawn(store).map_err(|e| e.to_string())?);
    let pbx = Pbx::open_shared(provider, &path, Box::new(WriteBehind::new(writer.clone())))
        .map_err(|e| format!("cannot restore state from `{}`: {e}", opts.db))?;
    for diag in pbx.diagnostics().items().iter().filter(|d| d.is_error()) {
        eprintln!("{}", render_short(pbx.sources(), diag));
    }
    let records = stored_subscriptions(writer.as_ref())?;
    let control = opts.control.clone();
    let (stop_tx, stop) = watch::channel(false);
    let signals = tokio::spawn(wait_for_signal(stop_tx));
    // With `--db :memory:` nothing survives a restart: subscriptions are not written at all.
    let persist = (opts.db != ":memory:").then(|| writer.clone());
    let eid = configured_eid(opts.config.as_deref())?;
    let result = run_server(
        pbx, sip, sockets, manager, records, persist, &control, eid, stop,
    )
    .await;
    signals.abort();
    let _ = signals.await;
    let _ = std::fs::remove_file(&control);
    // The writer thread finishes queued writes when the last handle goes.
    drop(writer);
    result
}

/// Everything after loading: also what the integration tests start, on sockets bound to port 0.
#[allow(clippy::too_many_arguments)]
pub async fn run_server(
    mut pbx: Pbx,
    sip: SipConfig,
    sockets: Vec<Bound>,
    manager: Option<(TcpListener, ManagerConfig)>,
    records: Vec<Record>,
    persist: Option<Arc<BatchWriter>>,
    control: &Path,
    eid: Option<crate::state::Eid>,
    stop: watch::Receiver<bool>,
) -> Result<(), String> {
    // Registrations kept in the state database (restored below, once the notifier exists).
    let contacts = match &persist {
        Some(writer) => writer
            .family(crate::sip::registrar::FAMILY)
            .map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let eid = match eid {
        Some(eid) => eid,
        None => stored_eid(persist.as_deref()),
    };
    let (tx, changes) = tokio::sync::mpsc::unbounded_channel::<Change>();
    // Local device announcements, for the peers we publish to (none without outbound-publish).
    let (local_tx, local) = tokio::sync::mpsc::unbounded_channel();
    if !sip.outbound_publishes.is_empty() {
        pbx.state_mut().on_local_device(Some(Arc::new(
            move |device: &str, state: crate::state::DeviceState| {
                let _ = local_tx.send((device.to_string(), state));
            },
        )));
    }
    pbx.state_mut()
        .watch_with(
            None,
            true,
            Sink::deferred(move |change: &Change| tx.send(change.clone()).is_ok()),
        )
        .map_err(|e| format!("{e:?}"))?;
    let manager = match manager {
        Some((listener, conf)) => {
            let (tx, ami_changes) = tokio::sync::mpsc::unbounded_channel::<Change>();
            pbx.state_mut()
                .watch_with(
                    None,
                    false,
                    Sink::deferred(move |change: &Change| tx.send(change.clone()).is_ok()),
                )
                .map_err(|e| format!("{e:?}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            Some((listener, conf, ami_changes, addr))
        }
        None => None,
    };
    let locals = sockets
        .iter()
        .map(Bound::local)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let pbx = Arc::new(Mutex::new(pbx));
    let mut secret = [0u8; 32];
    secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let mut notifier = Notifier::new(
        Arc::new(sip),
        locals.clone(),
        Box::new(PbxHints(pbx.clone())),
        match persist {
            Some(writer) => Box::new(DbPersist(writer)),
            None => Box::new(crate::sip::notifier::NoPersist),
        },
        secret,
    );
    lock(&pbx).inbound = Some(Arc::new(Table(notifier.table(), notifier.registrar_view())));
    notifier.set_eid(eid);
    tracing::info!(%eid, "entity id");
    let restored = notifier.restore_contacts(contacts, crate::sip::server::now());
    if restored > 0 {
        tracing::info!(contacts = restored, "registrations restored");
    }
    if let Some(dir) = control.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    if std::os::unix::net::UnixStream::connect(control).is_ok() {
        return Err(format!("another server answers on `{}`", control.display()));
    }
    let _ = std::fs::remove_file(control);
    let listener = UnixListener::bind(control).map_err(|e| {
        format!(
            "cannot open the control socket `{}`: {e}",
            control.display()
        )
    })?;
    let listening: Vec<String> = locals
        .iter()
        .map(|t| format!("{}:{}", t.protocol.as_str().to_ascii_lowercase(), t.addr))
        .collect();
    let manager_text = manager
        .as_ref()
        .map(|(_, _, _, addr)| format!("; manager {addr}"))
        .unwrap_or_default();
    println!(
        "dialstate: listening on {}; control socket {}{manager_text}",
        listening.join(", "),
        control.display()
    );
    let control_task = tokio::spawn(control_server(listener, pbx.clone(), stop.clone()));
    let manager_task = manager.map(|(listener, conf, ami_changes, _)| {
        let command: Arc<crate::ami::server::CommandFn> = Arc::new(|pbx: &mut Pbx, line: &str| {
            let out = crate::console::run(pbx, line);
            (out.text, out.ok)
        });
        tokio::spawn(crate::ami::server::run(
            listener,
            Arc::new(conf),
            pbx.clone(),
            ami_changes,
            command,
            stop.clone(),
        ))
    });
    crate::sip::server::run(notifier, sockets, changes, local, records, stop).await;
    let _ = control_task.await;
    if let Some(task) = manager_task {
        let _ = task.await;
    }
    // Stop watching before the PBX goes, so nothing is sent into a closed channel.
    drop(pbx);
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal(stop: watch::Sender<bool>) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop.send(true);
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
    let _ = stop.send(true);
}

/// The control socket: one request per line, `x COMMAND` (run a console command) or `names`
/// (completion names); each answer is `LEN OK EXIT\n` and LEN bytes of text.
async fn control_server(
    listener: UnixListener,
    pbx: Arc<Mutex<Pbx>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let pbx = pbx.clone();
                let stop = stop.clone();
                conns.spawn(control_connection(stream, pbx, stop));
            }
        }
    }
    conns.shutdown().await;
}

async fn control_connection(
    stream: tokio::net::UnixStream,
    pbx: Arc<Mutex<Pbx>>,
    mut stop: watch::Receiver<bool>,
) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    loop {
        // One request, then every request already read behind it: run together under one lock
        // and answered in one write (a pipelining client costs one thread hop per batch).
        let mut requests = Vec::new();
        loop {
            line.clear();
            let mut limited = (&mut reader).take(MAX_CONTROL_LINE as u64 + 1);
            let read = tokio::select! {
                _ = stop.changed() => return,
                read = limited.read_line(&mut line) => read,
            };
            match read {
                Ok(0) | Err(_) if requests.is_empty() => return,
                Ok(0) | Err(_) => break,
                Ok(n) if n > MAX_CONTROL_LINE => return,
                Ok(_) => {}
            }
            requests.push(line.trim_end_matches(['\r', '\n']).to_string());
            if requests.len() >= MAX_CONTROL_BATCH || !reader.buffer().contains(&b'\n') {
                break;
            }
        }
        let pbx = pbx.clone();
        let answers = tokio::task::spawn_blocking(move || {
            let mut pbx = lock(&pbx);
            requests
                .iter()
                .map(|request| match request.split_once(' ') {
                    Some(("x", command)) => {
                        let out = crate::console::run(&mut pbx, command);
                        (out.text, out.ok, out.exit)
                    }
                    _ if request == "names" => (
                        crate::console::complete::Names::of(&pbx).to_text(),
                        true,
                        false,
                    ),
                    _ => ("unknown control request\n".to_string(), false, false),
                })
                .collect::<Vec<_>>()
        })
        .await;
        let Ok(answers) = answers else { return };
        let mut out = String::new();
        for (text, ok, exit) in answers {
            let _ = writeln!(out, "{} {} {}", text.len(), u8::from(ok), u8::from(exit));
            out.push_str(&text);
        }
        if writer.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}
