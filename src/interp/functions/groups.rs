//! Channel groups and named locks (`funcs/func_groupcount.c`, `funcs/func_lock.c`): `GROUP`,
//! `GROUP_COUNT`, `GROUP_MATCH_COUNT`, `GROUP_LIST`, `LOCK`, `TRYLOCK`, `UNLOCK`. A channel
//! leaves its groups and releases its locks when it hangs up, so each simulated call counts
//! only itself.

use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("GROUP", "Gets or sets the channel group.", group).writes(write_group),
    Func::chan("GROUP_COUNT", "Counts the number of channels in the specified group.", group_count),
    Func::chan("GROUP_MATCH_COUNT", "Counts the number of channels in the groups matching the specified pattern.", group_match_count),
    Func::chan("GROUP_LIST", "Gets a list of the groups set on a channel.", group_list),
    Func::chan("LOCK", "Attempt to obtain a named mutex.", lock),
    Func::chan("TRYLOCK", "Attempt to obtain a named mutex.", lock),
    Func::chan("UNLOCK", "Unlocks a named mutex.", unlock),
];

/// `group@category` split (category may be empty).
fn group_category(args: &str) -> (String, String) {
    match args.split_once('@') {
        Some((group, category)) => (group.to_string(), category.to_string()),
        None => (args.to_string(), String::new()),
    }
}

fn group(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    exec.chan
        .groups
        .iter()
        .find(|(_, category)| category.eq_ignore_ascii_case(args))
        .map(|(group, _)| group.clone())
}

fn write_group(exec: &mut Exec<'_>, args: &str, value: &str) {
    let (group, category) = if args.is_empty() {
        group_category(value)
    } else {
        (value.to_string(), args.to_string())
    };
    if group.is_empty() {
        exec.log(
            Level::Warning,
            "Setting a group requires an argument (group name)".to_string(),
        );
        return;
    }
    exec.chan
        .groups
        .retain(|(_, c)| !c.eq_ignore_ascii_case(&category));
    exec.chan.groups.push((group, category));
}

fn group_count(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let (mut group, category) = group_category(args);
    if group.is_empty() {
        match exec
            .chan
            .groups
            .iter()
            .find(|(_, c)| c.eq_ignore_ascii_case(&category))
        {
            Some((g, _)) => group = g.clone(),
            None => {
                exec.log(
                    Level::Notice,
                    "No group could be found for channel '".to_string() + &exec.chan.name + "'",
                );
                return Some("0".to_string());
            }
        }
    }
    let n = exec
        .chan
        .groups
        .iter()
        .filter(|(g, c)| g.eq_ignore_ascii_case(&group) && c.eq_ignore_ascii_case(&category))
        .count();
    Some(n.to_string())
}

fn group_match_count(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let (pattern, category) = group_category(args);
    if pattern.is_empty() {
        return Some("0".to_string());
    }
    let Ok(re) = regex::RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .build()
    else {
        exec.log(
            Level::Error,
            format!("Failed to compile regex '{pattern}'"),
        );
        return None;
    };
    let n = exec
        .chan
        .groups
        .iter()
        .filter(|(g, c)| re.is_match(g) && (category.is_empty() || c.eq_ignore_ascii_case(&category)))
        .count();
    Some(n.to_string())
}

fn group_list(exec: &mut Exec<'_>, _: &str) -> Option<String> {
    Some(
        exec.chan
            .groups
            .iter()
            .map(|(g, c)| {
                if c.is_empty() {
                    g.clone()
                } else {
                    format!("{g}@{c}")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn lock(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    if args.is_empty() {
        return Some("0".to_string());
    }
    if !exec.chan.locks.iter().any(|it| it == args) {
        exec.chan.locks.push(args.to_string());
    }
    Some("1".to_string())
}

fn unlock(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let held = exec.chan.locks.iter().position(|it| it == args);
    match held {
        Some(idx) => {
            exec.chan.locks.remove(idx);
            Some("1".to_string())
        }
        None => Some("0".to_string()),
    }
}
