//! The world outside the call (`funcs/func_env.c`, `funcs/func_sysinfo.c`, `funcs/func_shell.c`,
//! `funcs/func_curl.c`, `funcs/func_odbc.c`, `funcs/func_version.c`, `funcs/func_module.c`,
//! `funcs/func_rand.c`, `funcs/func_uuid.c`): `ENV`, `STAT`, `SYSINFO` read the machine;
//! `SHELL`, `CURL`, `CURLOPT` and `ODBC_*` never run anything or reach the network: they give
//! the value the call supplies (`--app CURL=...`) or an empty result and a warning.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("ENV", "Gets or sets the environment variable specified.", env).writes(write_env),
    Func::chan("STAT", "Does a check on the specified file.", stat),
    Func::chan("SYSINFO", "Returns system information specified by parameter.", sysinfo),
    Func::chan("SHELL", "Executes a command using the system shell and captures its output.", shell),
    Func::chan("CURL", "Retrieve content from a remote web or ftp server", curl).writes(write_curl),
    Func::chan("CURLOPT", "Sets various options for future invocations of CURL.", curlopt).writes(write_curlopt),
    Func::chan("ODBC", "Controls ODBC transaction properties.", odbc).writes(write_odbc),
    Func::chan("ODBC_FETCH", "Fetch a row from a multirow query.", odbc_fetch),
    Func::chan("VERSION", "Return the Version info for this Asterisk.", version),
    Func::chan("IFMODULE", "Checks if an Asterisk module is loaded in memory.", ifmodule),
    Func::chan("RAND", "Choose a random number in a range.", rand),
    Func::chan("UUID", "Generates a UUID.", uuid),
];

/// A `func_odbc.conf` function (`ODBC_<name>`): never queries a database.
pub(super) const ODBC_DYNAMIC: Func =
    Func::chan("ODBC_", "A func_odbc.conf query (simulated).", odbc_query).writes(write_odbc_query);

/// The version a stock Asterisk 22 reports in the simulation.
const VERSION: &str = "22.0.0";

/// The value the call supplied for `name` (`--app NAME=VALUE`), if any.
fn supplied(exec: &Exec<'_>, name: &str) -> Option<String> {
    exec.outcome(name).map(str::to_string)
}

fn env(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if let Some(value) = exec.chan.prop(&format!("env:{args}")) {
        return Some(value.to_string());
    }
    Some(std::env::var(args).unwrap_or_default())
}

/// Writes stay on the simulated channel: the process environment is never changed.
fn write_env(exec: &mut Exec<'_>, args: &str, value: &str) {
    if !args.is_empty() {
        exec.chan.set_prop(&format!("env:{args}"), value);
    }
}

fn stat(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let (Some(action), Some(path)) = (parts.first(), parts.get(1)) else {
        exec.log(
            Level::Error,
            "STAT requires an action and a filename".to_string(),
        );
        return None;
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) => return Some(if action.starts_with('e') { "0" } else { "" }.to_string()),
    };
    let secs = |time: std::io::Result<std::time::SystemTime>| {
        time.ok()
            .and_then(|it| it.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |it| it.as_secs())
            .to_string()
    };
    Some(match action.chars().next() {
        Some('e') => "1".to_string(),
        Some('s') => meta.len().to_string(),
        Some('f') => if meta.is_file() { "1" } else { "0" }.to_string(),
        Some('d') => if meta.is_dir() { "1" } else { "0" }.to_string(),
        Some('M') => secs(meta.modified()),
        Some('A') => secs(meta.accessed()),
        Some('C') => secs(meta.created()),
        Some('m') => {
            use std::os::unix::fs::PermissionsExt;
            format!("{:o}", meta.permissions().mode())
        }
        _ => {
            exec.log(Level::Error, format!("Unknown action '{action}'"));
            return None;
        }
    })
}

/// A field of `/proc/meminfo` in KiB.
fn meminfo(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find(|it| it.starts_with(field))
        .and_then(|it| it.split_whitespace().nth(1))
        .and_then(|it| it.parse().ok())
}

fn sysinfo(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let proc_first = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|it| it.split_whitespace().next().map(str::to_string))
    };
    let value = match args.to_ascii_lowercase().as_str() {
        "loadavg" => proc_first("/proc/loadavg"),
        "numcalls" => Some("1".to_string()),
        "uptime" => proc_first("/proc/uptime")
            .and_then(|it| it.parse::<f64>().ok())
            .map(|it| ((it / 3600.0) as u64).to_string()),
        "totalram" => meminfo("MemTotal:").map(|it| it.to_string()),
        "freeram" => meminfo("MemFree:").map(|it| it.to_string()),
        "bufferram" => meminfo("Buffers:").map(|it| it.to_string()),
        "totalswap" => meminfo("SwapTotal:").map(|it| it.to_string()),
        "freeswap" => meminfo("SwapFree:").map(|it| it.to_string()),
        "numprocs" => std::fs::read_dir("/proc").ok().map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|it| it.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
                .count()
                .to_string()
        }),
        _ => {
            exec.log(
                Level::Error,
                format!("Unknown sysinfo parameter type '{args}'."),
            );
            return None;
        }
    };
    value.or_else(|| {
        exec.log(Level::Error, format!("Unable to read system information for '{args}'"));
        None
    })
}

/// Never runs the command.
fn shell(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if let Some(value) = supplied(exec, "SHELL") {
        return Some(value);
    }
    exec.log(
        Level::Warning,
        format!("SHELL({args}) not run: the simulation never runs commands (supply a result with --app SHELL=VALUE)"),
    );
    Some(String::new())
}

/// Never reaches the network.
fn curl(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        exec.log(Level::Error, "CURL requires an argument (URL)".to_string());
        return None;
    }
    if let Some(value) = supplied(exec, "CURL") {
        return Some(value);
    }
    let url = args.split(',').next().unwrap_or(args);
    exec.log(
        Level::Warning,
        format!("CURL({url}) not fetched: the simulation never reaches the network (supply a result with --app CURL=VALUE)"),
    );
    Some(String::new())
}

fn write_curl(exec: &mut Exec<'_>, args: &str, _: &str) {
    exec.log(
        Level::Warning,
        format!("CURL({args}) not sent: the simulation never reaches the network"),
    );
}

fn curlopt(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(exec.chan.prop(&format!("curlopt:{args}")).unwrap_or_default().to_string())
}

fn write_curlopt(exec: &mut Exec<'_>, args: &str, value: &str) {
    exec.chan.set_prop(&format!("curlopt:{args}"), value);
}

fn odbc(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(exec.chan.prop(&format!("odbc:{}", args.to_ascii_lowercase())).unwrap_or_default().to_string())
}

fn write_odbc(exec: &mut Exec<'_>, args: &str, value: &str) {
    exec.chan.set_prop(&format!("odbc:{}", args.to_ascii_lowercase()), value);
}

fn odbc_fetch(exec: &mut Exec<'_>, _: &str) -> Option<String> {
    exec.chan.set("ODBC_FETCH_STATUS", "FAILURE");
    Some(String::new())
}

/// `ODBC_<name>(args)`: the supplied value (`--app ODBC_<name>=VALUE`) or empty with a warning.
pub(super) fn odbc_query_named(exec: &mut Exec<'_>, name: &str, args: &str) -> Option<String> {
    if let Some(value) = supplied(exec, name) {
        exec.chan.set("ODBCROWS", "1");
        exec.chan.set("ODBCSTATUS", "SUCCESS");
        return Some(value);
    }
    exec.log(
        Level::Warning,
        format!("{name}({args}) not queried: the simulation never reaches a database (supply a result with --app {name}=VALUE)"),
    );
    exec.chan.set("ODBCROWS", "0");
    exec.chan.set("ODBCSTATUS", "SUCCESS");
    Some(String::new())
}

fn odbc_query(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    odbc_query_named(exec, "ODBC_", args)
}

fn write_odbc_query(exec: &mut Exec<'_>, args: &str, _: &str) {
    exec.log(
        Level::Warning,
        format!("ODBC write ({args}) not run: the simulation never reaches a database"),
    );
}

fn version(_: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(match args {
        "ASTERISK_VERSION_NUM" => "220000".to_string(),
        "BUILD_USER" | "BUILD_HOSTNAME" | "BUILD_MACHINE" | "BUILD_OS" | "BUILD_DATE"
        | "BUILD_KERNEL" => String::new(),
        _ => VERSION.to_string(),
    })
}

fn ifmodule(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        return Some("0".to_string());
    }
    let module = args.trim_end_matches(".so");
    let loaded = module.starts_with("app_")
        || module.starts_with("func_")
        || module.starts_with("pbx_")
        || module.starts_with("res_")
        || module.starts_with("chan_")
        || module.starts_with("cdr_");
    let _ = exec;
    Some(if loaded { "1" } else { "0" }.to_string())
}

/// A deterministic generator: the same call gives the same numbers (snapshots stay stable).
fn next_random(exec: &mut Exec<'_>) -> u64 {
    exec.random = exec
        .random
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    exec.random >> 33
}

fn rand(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    let bound = |idx: usize, default: i64| {
        parts
            .get(idx)
            .and_then(|it| it.trim().parse::<i64>().ok())
            .unwrap_or(default)
    };
    let (mut lo, mut hi) = (bound(0, 0), bound(1, i64::from(i32::MAX)));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let span = (hi - lo + 1).max(1) as u64;
    let value = lo + (next_random(exec) % span) as i64;
    Some(value.to_string())
}

fn uuid(exec: &mut Exec<'_>, _: &str) -> Option<String> {
    let a = next_random(exec);
    let b = next_random(exec);
    let c = next_random(exec);
    Some(format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a & 0xffff_ffff,
        b & 0xffff,
        (b >> 16) & 0xfff,
        (c & 0x3fff) | 0x8000,
        (a ^ c.rotate_left(17)) & 0xffff_ffff_ffff
    ))
}
