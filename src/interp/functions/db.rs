//! The astdb functions (`funcs/func_db.c`): `DB`, `DB_EXISTS`, `DB_DELETE`, `DB_KEYS`,
//! `DB_KEYCOUNT`, against the state database the console keeps.

use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("DB", "Read from or write to the Asterisk database.", db).writes(write_db),
    Func::chan("DB_EXISTS", "Check to see if a key exists in the Asterisk database.", db_exists),
    Func::chan("DB_DELETE", "Return a value from the database and delete it.", db_delete).writes(write_db_delete),
    Func::chan("DB_KEYS", "Obtain a list of keys within the Asterisk database.", db_keys),
    Func::chan("DB_KEYCOUNT", "Obtain the number of keys at a prefix within the Asterisk database.", db_keycount),
];

/// `family/key` split at the first `/`; `None` when there is no `/`.
fn family_key(args: &str) -> Option<(&str, &str)> {
    args.split_once('/')
}

fn db(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let Some((family, key)) = family_key(args).filter(|_| !args.is_empty()) else {
        exec.log(
            Level::Warning,
            "DB requires an argument, DB(<family>/<key>)".to_string(),
        );
        return None;
    };
    match exec.env.db_get(family, key) {
        Some(value) => {
            exec.chan.set("DB_RESULT", &value);
            Some(value)
        }
        None => Some(String::new()),
    }
}

fn write_db(exec: &mut Exec<'_>, args: &str, value: &str) {
    let Some((family, key)) = family_key(args).filter(|_| !args.is_empty()) else {
        let text = if args.is_empty() {
            "DB requires an argument, DB(<family>/<key>)=<value>"
        } else {
            "DB requires an argument, DB(<family>/<key>)=value"
        };
        exec.log(Level::Warning, text.to_string());
        return;
    };
    if key.is_empty() || key.starts_with('/') || key.ends_with('/') || key.contains("//") {
        exec.log(Level::Warning, format!("DB: key '{key}' seems malformed"));
    }
    if let Err(message) = exec.env.db_put(family, key, value) {
        exec.log(
            Level::Warning,
            format!("DB: Error writing value to database. ({message})"),
        );
    }
}

fn db_exists(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let Some((family, key)) = family_key(args).filter(|_| !args.is_empty()) else {
        exec.log(
            Level::Warning,
            "DB_EXISTS requires an argument, DB(<family>/<key>)".to_string(),
        );
        return None;
    };
    match exec.env.db_get(family, key) {
        Some(value) => {
            exec.chan.set("DB_RESULT", &value);
            Some("1".to_string())
        }
        None => Some("0".to_string()),
    }
}

fn db_delete(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let Some((family, key)) = family_key(args).filter(|_| !args.is_empty()) else {
        exec.log(
            Level::Warning,
            "DB_DELETE requires an argument, DB_DELETE(<family>/<key>)".to_string(),
        );
        return None;
    };
    let value = exec.env.db_get(family, key).unwrap_or_default();
    if !value.is_empty() || exec.env.db_get(family, key).is_some() {
        exec.env.db_del(family, key);
    }
    exec.chan.set("DB_RESULT", &value);
    Some(value)
}

fn write_db_delete(exec: &mut Exec<'_>, args: &str, _: &str) {
    let _ = db_delete(exec, args);
}

/// The distinct next path components under `prefix` (slashes around it ignored).
fn components(exec: &Exec<'_>, prefix: &str) -> Vec<String> {
    let prefix = prefix.trim_matches('/');
    let mut out: Vec<String> = Vec::new();
    for (key, _) in exec.env.db_tree(prefix) {
        let rest = key.trim_start_matches('/');
        let component = rest.split('/').next().unwrap_or("").to_string();
        if out
            .last()
            .is_some_and(|it| it.eq_ignore_ascii_case(&component))
        {
            continue;
        }
        out.push(component);
    }
    out
}

fn db_keys(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let keys = components(exec, args);
    Some(
        keys.iter()
            .map(|it| it.replace(',', "\\,"))
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn db_keycount(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    Some(components(exec, args).len().to_string())
}
