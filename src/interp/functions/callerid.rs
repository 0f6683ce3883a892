//! Caller identity (`funcs/func_callerid.c`): `CALLERID`, `CONNECTEDLINE`, `REDIRECTING`. The
//! simulated caller has a number and a name; the connected line and redirecting parties are kept
//! as the dialplan sets them.

use crate::interp::exec::Exec;
use crate::interp::functions::Func;
use crate::interp::trace::Level;

pub(super) const FUNCS: &[Func] = &[
    Func::chan("CALLERID", "Gets or sets Caller*ID data on the channel.", callerid).writes(write_callerid),
    Func::chan("CONNECTEDLINE", "Gets or sets Connected Line data on the channel.", connectedline).writes(write_connectedline),
    Func::chan("REDIRECTING", "Gets or sets Redirecting data on the channel.", redirecting).writes(write_redirecting),
];

fn write_callerid(exec: &mut Exec<'_>, args: &str, value: &str) {
    match args.to_ascii_lowercase().as_str() {
        "num" | "number" => exec.chan.caller_num = Some(value.to_string()),
        "name" => exec.chan.caller_name = Some(value.to_string()),
        "all" => {
            let (name, num) = parse_callerid(value);
            exec.chan.caller_name = Some(name);
            exec.chan.caller_num = Some(num);
        }
        "ani" | "ani-num" | "dnid" | "dnid-num" | "rdnis" | "pres" | "name-pres" | "num-pres"
        | "ton" | "tag" | "subaddr" | "ani2" => {
            exec.chan.set_prop(&format!("callerid-{}", args.to_ascii_lowercase()), value)
        }
        _ => exec.log(
            Level::Error,
            format!("Unknown callerid data type '{args}'."),
        ),
    }
}

/// `"Name" <number>` or a bare number (`ast_callerid_parse`, the common forms).
fn parse_callerid(value: &str) -> (String, String) {
    match (value.find('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            value[..open].trim().trim_matches('"').to_string(),
            value[open + 1..close].to_string(),
        ),
        _ => {
            if value.chars().all(|c| c.is_ascii_digit() || "+*#".contains(c)) {
                (String::new(), value.to_string())
            } else {
                (value.trim().trim_matches('"').to_string(), String::new())
            }
        }
    }
}

fn callerid(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    let num = exec.chan.caller_num.clone().unwrap_or_default();
    let name = exec.chan.caller_name.clone().unwrap_or_default();
    match args.to_ascii_lowercase().as_str() {
        "num" | "number" => Some(num),
        "name" => Some(name),
        "all" => Some(if name.is_empty() {
            format!("<{num}>")
        } else {
            format!("\"{name}\" <{num}>")
        }),
        "ani" | "ani-num" | "dnid" | "dnid-num" | "rdnis" | "pres" | "name-pres" | "num-pres"
        | "ton" | "tag" | "subaddr" | "ani2" => Some(
            exec.chan
                .prop(&format!("callerid-{}", args.to_ascii_lowercase()))
                .unwrap_or_default()
                .to_string(),
        ),
        _ => {
            exec.log(
                Level::Error,
                format!("Unknown callerid data type '{args}'."),
            );
            None
        }
    }
}


fn party(exec: &mut Exec<'_>, kind: &str, args: &str) -> Option<String> {
    let field = args.split(',').next().unwrap_or("").to_ascii_lowercase();
    Some(
        exec.chan
            .prop(&format!("{kind}-{field}"))
            .unwrap_or_default()
            .to_string(),
    )
}

fn connectedline(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    party(exec, "connectedline", args)
}

fn redirecting(exec: &mut Exec<'_>, args: &str) -> Option<String> {
    party(exec, "redirecting", args)
}

fn write_connectedline(exec: &mut Exec<'_>, args: &str, value: &str) {
    let field = args.split(',').next().unwrap_or("").to_ascii_lowercase();
    exec.chan.set_prop(&format!("connectedline-{field}"), value);
}

fn write_redirecting(exec: &mut Exec<'_>, args: &str, value: &str) {
    let field = args.split(',').next().unwrap_or("").to_ascii_lowercase();
    exec.chan.set_prop(&format!("redirecting-{field}"), value);
}
