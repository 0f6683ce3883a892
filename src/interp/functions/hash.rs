//! Hashes and arrays (`funcs/func_strings.c`): `HASH`, `HASHKEYS`, `ARRAY`. A hash entry is the
//! channel variable `~HASH~name~key~`, as in Asterisk, so `ClearHash` and inheritance prefixes
//! behave the same.

use crate::interp::args::{split, Mode};
use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("HASH", "Implementation of a dialplan associative array", hash).writes(write_hash),
    Func::chan("HASHKEYS", "Retrieve the keys of the HASH() function.", hashkeys),
    Func::write_only("ARRAY", "Allows setting multiple variables at once.", write_array),
];

/// `~HASH~name~key~`, keeping an inheritance prefix of the hash name in front.
fn var_name(hash: &str, key: &str) -> String {
    let (prefix, name) = if let Some(rest) = hash.strip_prefix("__") {
        ("__", rest)
    } else if let Some(rest) = hash.strip_prefix('_') {
        ("_", rest)
    } else {
        ("", hash)
    };
    format!("{prefix}~HASH~{name}~{key}~")
}

/// The keys of a hash, newest first (the channel's variable order).
fn keys(exec: &Exec<'_>, hash: &str) -> Vec<String> {
    let prefix = format!("~HASH~{hash}~");
    let mut out: Vec<String> = Vec::new();
    for (name, _) in exec.chan.variables() {
        let bare = crate::interp::channel::bare(name);
        if let Some(key) = bare.strip_prefix(&prefix).and_then(|it| it.strip_suffix('~')) {
            if !key.is_empty() && !out.iter().any(|it| it == key) {
                out.push(key.to_string());
            }
        }
    }
    out.reverse();
    out
}

fn hash(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let parts = split(args, ',', 2, Mode::Standard);
    match parts.as_slice() {
        [name, key] => Some(
            exec.chan
                .var(&var_name(name, key))
                .unwrap_or_default()
                .to_string(),
        ),
        [name] => {
            let keys = keys(exec, name);
            exec.chan.set("~ODBCFIELDS~", &keys.join(","));
            let mut values = Vec::new();
            for key in &keys {
                let var = var_name(name, key);
                match exec.chan.var(&var) {
                    Some(value) => values.push(value.to_string()),
                    None => {
                        exec.log(Level::Warning, format!("No value found for '{var}'"));
                        return None;
                    }
                }
            }
            Some(values.join(","))
        }
        _ => Some(String::new()),
    }
}

fn write_hash(exec: &mut Exec<'_>, args: &str, value: &str) {
    if !args.contains(',') {
        // `HASH(name)=v1,v2`: the keys are the fields of the last `HASH(name)` read.
        let Some(fields) = exec.chan.var("~ODBCFIELDS~").map(str::to_string) else {
            return;
        };
        let keys = split(&fields, ',', 100, Mode::Standard);
        let values = split(value, ',', 100, Mode::Standard);
        for (idx, key) in keys.iter().enumerate() {
            let var = var_name(args, key);
            exec.chan.set(&var, values.get(idx).map_or("", String::as_str));
        }
        return;
    }
    let parts = split(args, ',', 2, Mode::Standard);
    if let [name, key] = parts.as_slice() {
        let var = var_name(name, key);
        exec.chan.set(&var, value);
    }
}

fn hashkeys(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(keys(exec, args).join(","))
}

fn write_array(exec: &mut Exec<'_>, args: &str, value: &str) {
    let names = split(args, ',', 100, Mode::Standard);
    let values = split(value, ',', 100, Mode::Standard);
    for (idx, name) in names.iter().enumerate() {
        exec.chan
            .set(name, values.get(idx).map_or("", String::as_str));
    }
}
