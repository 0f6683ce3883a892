//! Builds the process: parses the command line and runs one of the subcommands. This is the only
//! module that may import every layer.

pub mod every;
pub mod register;
pub mod remote;
pub mod script;
pub mod serve;
pub mod watch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{FsProvider, PathKind, SourceProvider};
use crate::diag::{render_json, render_rich, render_short, Code, Severity};
use crate::pbx::Pbx;

#[derive(Debug, Parser)]
#[command(
    name = "dialstate",
    version,
    about = "Asterisk's dialplan and hint state, without a PBX"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Load a dialplan and report every problem, Asterisk's and ours.
    Check {
        /// The extensions.conf to check.
        file: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Rich)]
        format: Format,
    },
    /// Print the dialplan like Asterisk's `dialplan show [[exten@]context]`.
    Show {
        file: PathBuf,
        /// `CONTEXT`, `EXTEN@CONTEXT` or `EXTEN@`.
        what: Option<String>,
    },
    /// Print the hints like Asterisk's `core show hints`, before any device reports.
    Hints { file: PathBuf },
    /// An Asterisk-like console on the dialplan in FILE, with its state kept in a database.
    Console {
        file: PathBuf,
        /// Run this command and exit (repeatable); the output is printed as the console prints it.
        #[arg(short = 'x', long = "exec", value_name = "CMD")]
        exec: Vec<String>,
        /// The state database (SQLite); `:memory:` keeps nothing.
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
    /// Run a simulated call and print its trace (the console's `call` command).
    Run {
        file: PathBuf,
        /// `EXTEN@CONTEXT` (the context defaults to `default`).
        #[arg(required_unless_present = "every_extension")]
        target: Option<String>,
        /// Instead of one call, call every extension of every context once (patterns with a
        /// number they match) and report which ran whole.
        #[arg(long)]
        every_extension: bool,
        /// The caller's number.
        #[arg(long)]
        callerid: Option<String>,
        /// The caller's name.
        #[arg(long)]
        callerid_name: Option<String>,
        /// A channel variable set before the call, `VAR=VALUE` (repeatable).
        #[arg(long = "set", value_name = "VAR=VALUE")]
        set: Vec<String>,
        /// DTMF the caller will press.
        #[arg(long)]
        digits: Option<String>,
        /// How a dialled device answers, `DEVICE=ANSWER|BUSY|NOANSWER|CHANUNAVAIL|CONGESTION`.
        #[arg(long = "dial", value_name = "DEVICE=OUTCOME")]
        dial: Vec<String>,
        /// The outcome of a simulated application (`AGI=FAILURE`, `Queue=TIMEOUT`) or the value an
        /// outside-world function returns (`CURL=...`); see `core show application NAME`.
        #[arg(long = "app", value_name = "NAME=OUTCOME")]
        app: Vec<String>,
        /// Print the call's CDR (a cdr_csv `Master.csv` line) at the end.
        #[arg(long)]
        cdr: bool,
        /// Print this variable after the call (repeatable).
        #[arg(long = "var", value_name = "NAME")]
        show: Vec<String>,
        /// Stop a call after this many priorities (default 100000; 10000 per call with
        /// `--every-extension`, where a caller who never presses a key would loop forever).
        #[arg(long)]
        max_steps: Option<u64>,
        /// The state database (SQLite); `:memory:` keeps nothing.
        #[arg(long, default_value = ":memory:")]
        db: String,
    },
    /// Print what `$[EXPR]` becomes in a call: `${...}` and `$[...]` substituted first, then
    /// the expression, with dialplan functions (`LEN(hello)`) available.
    Eval {
        /// The expression (the text between `$[` and `]`); it may start with `-`.
        #[arg(allow_hyphen_values = true)]
        expr: String,
        /// A channel variable set before, `VAR=VALUE` (repeatable).
        #[arg(long = "set", value_name = "VAR=VALUE")]
        set: Vec<String>,
        /// The state database `DB()` reads (SQLite); `:memory:` keeps nothing.
        #[arg(long, default_value = ":memory:")]
        db: String,
        /// The dialplan whose globals and contexts the expression sees.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Run the SIP presence server: phones SUBSCRIBE to the hints of the dialplan.
    Serve {
        /// A folder with extensions.conf (required) and pjsip.conf; the bundled demo without it.
        #[arg(long, value_name = "DIR")]
        config: Option<PathBuf>,
        /// Where to listen, `udp:ADDR:PORT` or `tcp:ADDR:PORT` (repeatable; overrides pjsip.conf).
        #[arg(long = "sip", value_name = "PROTO:ADDR:PORT")]
        sip: Vec<String>,
        /// The state database (SQLite); `:memory:` keeps nothing.
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        /// The control socket `dialstate remote` attaches to.
        #[arg(long, default_value = DEFAULT_CONTROL)]
        control: PathBuf,
        /// The manager interface's address (`127.0.0.1:5038`; enables it), or `off`.
        #[arg(long, value_name = "ADDR:PORT|off")]
        manager: Option<String>,
    },
    /// Run console commands in a running server (`-x`), or attach an interactive console.
    Remote {
        #[arg(long, default_value = DEFAULT_CONTROL)]
        control: PathBuf,
        /// Run this command and exit (repeatable).
        #[arg(short = 'x', long = "exec", value_name = "CMD")]
        exec: Vec<String>,
    },
    /// Register a contact like a phone (so `PJSIP/<endpoint>` becomes available).
    Register {
        /// `sip:AOR@HOST[:PORT]`.
        target: String,
        /// The endpoint to register as, `USER[:PASSWORD]` (default: the AOR's name).
        #[arg(long)]
        from: Option<String>,
        /// The Contact URI to bind (default `sip:USER@127.0.0.1:5999`).
        #[arg(long)]
        contact: Option<String>,
        /// Seconds asked for (0 removes the contact).
        #[arg(long, default_value_t = 3600)]
        expires: u32,
    },
    /// Subscribe to a hint like a phone and print one line per NOTIFY.
    Watch {
        /// `sip:EXT@HOST[:PORT]` (or `EXT@HOST[:PORT]`).
        target: String,
        /// The endpoint to subscribe as, `USER[:PASSWORD]`.
        #[arg(long)]
        from: Option<String>,
        /// `presence` or `dialog`.
        #[arg(long, default_value = "presence")]
        event: String,
        /// The body type to ask for (`Accept`).
        #[arg(long)]
        accept: Option<String>,
        /// Seconds asked for in `Expires`.
        #[arg(long, default_value_t = 600)]
        expires: u32,
        /// Print every SIP message sent and received.
        #[arg(long)]
        raw: bool,
        /// Stop (unsubscribing) after this many NOTIFYs.
        #[arg(long)]
        count: Option<usize>,
        /// Stop when no NOTIFY arrives for this many seconds.
        #[arg(long)]
        timeout: Option<u64>,
        /// Subscribe to a resource list (`Supported: eventlist`); each NOTIFY prints one
        /// line per resource it carries.
        #[arg(long)]
        list: bool,
    },
    /// Run snapshot-tested console scripts (`*.cli`) and compare their transcripts.
    Test {
        /// Scripts, or folders searched for `*.cli` (default: the current folder).
        paths: Vec<PathBuf>,
        /// Write new and changed snapshots instead of failing.
        #[arg(long)]
        accept: bool,
        /// Keep every snapshot in this folder instead of `snapshots/` beside each script.
        #[arg(long, value_name = "DIR")]
        snapshot_dir: Option<PathBuf>,
    },
}

/// The step limit of each call of `run --every-extension`.
const EVERY_EXTENSION_MAX_STEPS: u64 = 10_000;

/// Where `serve` opens its control socket unless told otherwise.
const DEFAULT_CONTROL: &str = "var/dialstate.ctl";

/// Where the console keeps its state unless told otherwise.
const DEFAULT_DB: &str = "var/dialstate.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// miette reports with the source line and a caret.
    Rich,
    /// One `file:line:col: severity[code]: message` line each.
    Short,
    /// One JSON object per line.
    Json,
}

/// Exit status for a file that could not be read at all.
const EXIT_UNREADABLE: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Cmd::Check { file, format } => check(&file, format),
        Cmd::Show { file, what } => {
            let line = match what {
                Some(arg) => format!("dialplan show {arg}"),
                None => "dialplan show".to_string(),
            };
            command(&file, &line)
        }
        Cmd::Hints { file } => command(&file, "core show hints"),
        Cmd::Console { file, exec, db } => console(&file, &exec, &db),
        Cmd::Run {
            file,
            target,
            every_extension,
            callerid,
            callerid_name,
            set,
            digits,
            dial,
            app,
            cdr,
            show,
            max_steps,
            db,
        } => {
            let pairs_of = |items: &[String]| -> Vec<(String, String)> {
                items
                    .iter()
                    .map(|it| match it.split_once('=') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => (it.clone(), String::new()),
                    })
                    .collect()
            };
            let target = match (every_extension, target) {
                (true, _) => {
                    let steps = max_steps.unwrap_or(EVERY_EXTENSION_MAX_STEPS);
                    return run_every(&file, &db, &pairs_of(&app), steps);
                }
                (false, Some(target)) => target,
                (false, None) => {
                    eprintln!("dialstate run: give EXTEN@CONTEXT or --every-extension");
                    return ExitCode::from(EXIT_UNREADABLE);
                }
            };
            let (exten, context) = target.split_once('@').unwrap_or((&target, "default"));
            let pairs = |items: &[String]| -> Vec<(String, String)> {
                items
                    .iter()
                    .map(|it| match it.split_once('=') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => (it.clone(), String::new()),
                    })
                    .collect()
            };
            let spec = crate::console::CallSpec {
                exten: exten.to_string(),
                context: if context.is_empty() {
                    "default"
                } else {
                    context
                }
                .to_string(),
                caller_num: callerid,
                caller_name: callerid_name,
                vars: pairs(&set),
                digits: digits.unwrap_or_default(),
                dial: pairs(&dial),
                show,
                apps: pairs(&app),
                cdr,
            };
            let steps = max_steps.unwrap_or(crate::interp::limits::DEFAULT_MAX_STEPS);
            run_call(&file, &db, spec, steps)
        }
        Cmd::Eval {
            expr,
            set,
            db,
            file,
        } => eval(&expr, &set, &db, file.as_deref()),
        Cmd::Serve {
            config,
            sip,
            db,
            control,
            manager,
        } => serve::serve(serve::Options {
            config,
            sip,
            db,
            control,
            manager,
        }),
        Cmd::Remote { control, exec } => remote::remote(&control, &exec),
        Cmd::Register {
            target,
            from,
            contact,
            expires,
        } => register::run(register::Options {
            target,
            from,
            contact,
            expires,
        }),
        Cmd::Watch {
            target,
            from,
            event,
            accept,
            expires,
            raw,
            count,
            timeout,
            list,
        } => watch::watch(watch::Options {
            target,
            from,
            event,
            accept,
            expires,
            raw,
            count,
            timeout,
            list,
        }),
        Cmd::Test {
            paths,
            accept,
            snapshot_dir,
        } => test(paths, accept, snapshot_dir),
    }
}

/// Loads `file` with its state database for the console and `run`; says why on failure.
fn open_pbx(file: &Path, db: &str) -> Result<Pbx, ExitCode> {
    if FsProvider.kind(file) != PathKind::File {
        eprintln!("dialstate: cannot read `{}`: no such file", file.display());
        return Err(ExitCode::from(EXIT_UNREADABLE));
    }
    let store = crate::store::open(db).map_err(|err| {
        eprintln!("dialstate: cannot use the state database `{db}`: {err}");
        ExitCode::from(EXIT_UNREADABLE)
    })?;
    Pbx::open(&FsProvider, file, store).map_err(|err| {
        eprintln!("dialstate: cannot restore state from `{db}`: {err}");
        ExitCode::from(EXIT_UNREADABLE)
    })
}

fn console(file: &Path, exec: &[String], db: &str) -> ExitCode {
    let mut pbx = match open_pbx(file, db) {
        Ok(pbx) => pbx,
        Err(code) => return code,
    };
    for diag in pbx.diagnostics().items().iter().filter(|it| it.is_error()) {
        eprintln!("{}", render_short(pbx.sources(), diag));
    }
    let mut out = std::io::stdout().lock();
    if !exec.is_empty() {
        let mut ok = true;
        let mut out = std::io::BufWriter::new(&mut out);
        for line in exec {
            let output = crate::console::run_to(&mut pbx, line, &mut out);
            ok &= output.ok;
            if output.exit {
                break;
            }
        }
        let _ = out.flush();
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        drop(out);
        return match crate::console::repl::interactive(&mut pbx) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("dialstate: console: {err}");
                ExitCode::from(1)
            }
        };
    }
    // Not a terminal: run each line and print only what it printed.
    let mut ok = true;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            break;
        };
        let output = crate::console::run_to(&mut pbx, &line, &mut out);
        ok &= output.ok;
        if output.exit {
            break;
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `dialstate run`: the trace streams to a buffered stdout as the call runs.
fn run_call(file: &Path, db: &str, spec: crate::console::CallSpec, max_steps: u64) -> ExitCode {
    let mut pbx = match open_pbx(file, db) {
        Ok(pbx) => pbx,
        Err(code) => return code,
    };
    pbx.max_steps = max_steps.max(1);
    // A terminal sees each line as its step runs (stdout is line-buffered); a pipe or a file
    // gets large buffered writes.
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let result = if stdout.is_terminal() {
        let mut out = stdout.lock();
        let result = crate::console::call_to(&mut pbx, &spec, &mut out);
        let _ = out.flush();
        result
    } else {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        let result = crate::console::call_to(&mut pbx, &spec, &mut out);
        let _ = out.flush();
        result
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::from(1)
        }
    }
}

/// `dialstate run --every-extension`.
fn run_every(file: &Path, db: &str, apps: &[(String, String)], max_steps: u64) -> ExitCode {
    let mut pbx = match open_pbx(file, db) {
        Ok(pbx) => pbx,
        Err(code) => return code,
    };
    pbx.max_steps = max_steps.max(1);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (calls, whole) = every::run_every(&mut pbx, apps, &mut out);
    let _ = out.flush();
    if calls == whole {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `dialstate eval`: `$[EXPR]` as a call computes it.
fn eval(expr: &str, set: &[String], db: &str, file: Option<&Path>) -> ExitCode {
    let mut pbx = match file {
        Some(file) => match open_pbx(file, db) {
            Ok(pbx) => pbx,
            Err(code) => return code,
        },
        None => {
            let mut pbx = Pbx::load_str("eval", "");
            match crate::store::open(db) {
                Ok(store) => pbx.set_store(store),
                Err(err) => {
                    eprintln!("dialstate: cannot use the state database `{db}`: {err}");
                    return ExitCode::from(EXIT_UNREADABLE);
                }
            }
            pbx
        }
    };
    let options = crate::interp::CallOptions {
        vars: set
            .iter()
            .map(|it| match it.split_once('=') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (it.clone(), String::new()),
            })
            .collect(),
        ..crate::interp::CallOptions::default()
    };
    let (value, events) = crate::interp::evaluate(&mut pbx, &options, expr);
    for event in &events {
        if let crate::interp::Event::Log { level, text } = event {
            eprintln!("{}: {text}", level.as_str());
        }
    }
    println!("{value}");
    ExitCode::SUCCESS
}

fn test(paths: Vec<PathBuf>, accept: bool, snapshot_dir: Option<PathBuf>) -> ExitCode {
    use crate::app::script::{check, find_scripts, Options, Verdict};
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let scripts = find_scripts(&paths);
    if scripts.is_empty() {
        eprintln!("dialstate test: no *.cli scripts found");
        return ExitCode::from(EXIT_UNREADABLE);
    }
    let options = Options {
        snapshot_dir,
        accept,
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for script in &scripts {
        let result = check(script, &options);
        let name = script.display();
        match &result.verdict {
            Verdict::Passed => {
                passed += 1;
                println!("ok       {name}");
            }
            Verdict::Accepted => {
                passed += 1;
                println!("accepted {name} -> {}", result.snapshot.display());
            }
            Verdict::Missing => {
                failed += 1;
                println!(
                    "FAIL     {name}: no snapshot at {} (run with --accept to write it)",
                    result.snapshot.display()
                );
            }
            Verdict::Changed { diff } => {
                failed += 1;
                println!(
                    "FAIL     {name}: the transcript differs from {}",
                    result.snapshot.display()
                );
                print!("{diff}");
            }
            Verdict::Broken(why) => {
                failed += 1;
                println!("FAIL     {name}: {why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Loads `file`, or says why it cannot be read (exit status 2).
fn load(file: &Path) -> Result<Pbx, ExitCode> {
    if FsProvider.kind(file) != PathKind::File {
        eprintln!("dialstate: cannot read `{}`: no such file", file.display());
        return Err(ExitCode::from(EXIT_UNREADABLE));
    }
    let pbx = Pbx::load(&FsProvider, file);
    let unreadable = pbx
        .diagnostics()
        .items()
        .iter()
        .any(|it| it.code == Code::UnreadableFile && it.primary_span().is_none());
    if unreadable {
        for diag in pbx.diagnostics().items() {
            eprintln!("{}", render_short(pbx.sources(), diag));
        }
        return Err(ExitCode::from(EXIT_UNREADABLE));
    }
    Ok(pbx)
}

fn check(file: &Path, format: Format) -> ExitCode {
    let pbx = match load(file) {
        Ok(pbx) => pbx,
        Err(code) => return code,
    };
    let diags = pbx.diagnostics().items();
    let mut out = std::io::stdout().lock();
    for diag in diags {
        let text = match format {
            Format::Rich => render_rich(pbx.sources(), diag),
            Format::Short => render_short(pbx.sources(), diag),
            Format::Json => render_json(pbx.sources(), diag),
        };
        if writeln!(out, "{}", text.trim_end()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    let errors = diags
        .iter()
        .filter(|it| it.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    if format != Format::Json {
        let plan = pbx.dialplan();
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let extens = plan
            .contexts
            .values()
            .map(|it| it.extens.len())
            .sum::<usize>();
        let summary = format!(
            "{}: {}, {}, {}; {}, {}{}",
            file.display(),
            count(plan.contexts.len(), "context", "contexts"),
            count(extens, "extension", "extensions"),
            count(plan.n_priorities(), "priority", "priorities"),
            count(errors, "error", "errors"),
            count(warnings, "warning", "warnings"),
            if pbx.diagnostics().rejects_file() {
                "; Asterisk would refuse to load this file"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "{summary}");
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs one console command against the loaded file and prints what it printed.
fn command(file: &Path, line: &str) -> ExitCode {
    let pbx = match load(file) {
        Ok(pbx) => pbx,
        Err(code) => return code,
    };
    if pbx.diagnostics().rejects_file() {
        eprintln!(
            "dialstate: `{}` has errors that make Asterisk refuse it; showing what loaded (see `dialstate check`)",
            file.display()
        );
    }
    let mut pbx = pbx;
    let output = crate::console::run(&mut pbx, line);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(output.text.as_bytes());
    if output.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
