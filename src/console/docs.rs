//! `core show applications`, `core show application NAME`, `core show functions` and `core
//! show function NAME`: what the interpreter models, in the layout of Asterisk's
//! `main/pbx_app.c` and `main/pbx_functions.c` (no colours). The descriptions say how dialstate
//! runs each one: exactly, or simulated with the outcomes a call may choose.

use crate::interp::{apps, functions};

/// `core show applications`.
pub fn applications() -> String {
    let all = apps::catalogue();
    let mut out = String::from("    -= Registered Asterisk Applications =-\n");
    for (name, synopsis, _) in &all {
        out.push_str(&format!("  {name:>20}: {synopsis}\n"));
    }
    out.push_str(&format!("    -= {} Applications Registered =-\n", all.len()));
    out
}

/// `core show application NAME...`; `None` when none of the names is registered.
pub fn application(names: &[String]) -> Option<String> {
    let all = apps::catalogue();
    let mut out = String::new();
    for wanted in names {
        let Some((name, synopsis, simulated)) = all
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(wanted))
        else {
            continue;
        };
        let description = match (simulated, apps::outcomes(name)) {
            (true, Some((status, outcomes))) => {
                let mut text = "dialstate simulates this application: the trace says what it would do".to_string();
                if !status.is_empty() {
                    text.push_str(&format!(" and it sets {status} to the call's chosen outcome"));
                }
                if let Some(first) = outcomes.first() {
                    text.push_str(&format!(
                        ".\nOutcomes: {} (default {first}); choose one with `call ... app {name}=OUTCOME` or `dialstate run --app {name}=OUTCOME`.",
                        outcomes.join(", ")
                    ));
                } else {
                    text.push('.');
                }
                text
            }
            _ => "dialstate runs this application as Asterisk does (media and devices are simulated)."
                .to_string(),
        };
        out.push_str(&format!(
            "\n  -= Info about Application '{name}' =- \n\n[Synopsis]\n{synopsis}\n\n[Description]\n{description}\n\n"
        ));
    }
    (!out.is_empty()).then_some(out)
}

/// `core show functions`.
pub fn functions() -> String {
    let all = functions::catalogue();
    let mut out = String::from(
        "Installed Custom Functions:\n--------------------------------------------------------------------------------\n",
    );
    for (name, synopsis, _, _) in &all {
        let syntax = format!("{name}()");
        out.push_str(&format!("{name:<20.20}  {syntax:<35.35}  {synopsis}\n"));
    }
    out.push_str(&format!("{} custom functions installed.\n", all.len()));
    out
}

/// `core show function NAME` (exact case, as function names are).
pub fn function(name: &str) -> Option<String> {
    let (name, synopsis, read, write) = functions::catalogue()
        .into_iter()
        .find(|it| it.0 == name)?;
    let access = match (read, write) {
        (true, true) => "It can be read and written.",
        (true, false) => "It can be read; writing it logs `Function NAME cannot be written to`.",
        (false, _) => "It can only be written; reading it logs `Function NAME cannot be read`.",
    }
    .replace("NAME", name);
    Some(format!(
        "\n  -= Info about Function '{name}' =- \n\n[Synopsis]\n{synopsis}\n\n[Description]\n{access} Values from outside the call (files, the network, databases) are never fetched: they come from the simulated call.\n\n"
    ))
}
