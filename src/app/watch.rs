//! `dialstate watch`: subscribe to one hint like a phone's BLF key would, print one line per
//! NOTIFY, refresh before expiry, and unsubscribe on Ctrl-C (or after `--count` NOTIFYs).

use std::process::ExitCode;
use std::time::Duration;

use crate::sip::client::{describe, Spec, Subscriber};

/// What to watch.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: String,
    pub from: Option<String>,
    pub event: String,
    pub accept: Option<String>,
    pub expires: u32,
    pub raw: bool,
    /// Stop after this many NOTIFYs (unsubscribing first).
    pub count: Option<usize>,
    /// Give up when nothing arrives for this long.
    pub timeout: Option<u64>,
    /// Subscribe to a resource list.
    pub list: bool,
}

pub fn watch(opts: Options) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dialstate: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match watch_async(opts).await {
            Ok(code) => code,
            Err(err) => {
                eprintln!("dialstate: {err}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn watch_async(opts: Options) -> Result<ExitCode, crate::sip::client::ClientError> {
    let target = if opts.target.contains(':') && opts.target.starts_with("sip") {
        opts.target.clone()
    } else {
        format!("sip:{}", opts.target)
    };
    let (user, password) = match opts.from.as_deref() {
        Some(from) => match from.split_once(':') {
            Some((u, p)) => (u.to_string(), Some(p.to_string())),
            None => (from.to_string(), None),
        },
        None => ("dialstate".to_string(), None),
    };
    let mut spec = Spec::new(&target, &user);
    spec.password = password;
    spec.event = opts.event.clone();
    spec.accept = opts.accept.clone();
    spec.expires = opts.expires;
    spec.eventlist = opts.list;
    let bind = if target.contains('[') {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    };
    let mut sub = Subscriber::connect(
        spec,
        bind.parse().unwrap_or_else(|_| ([0, 0, 0, 0], 0).into()),
    )
    .await?;
    if opts.raw {
        sub.log = Some(Vec::new());
    }
    let wait = Duration::from_secs(5);
    let code = sub.subscribe(opts.expires, wait).await?;
    flush_raw(&mut sub);
    if !(200..300).contains(&code) {
        eprintln!("dialstate: the server answered {code}");
        return Ok(ExitCode::FAILURE);
    }
    let idle = Duration::from_secs(opts.timeout.unwrap_or(u64::MAX / 4));
    let mut seen = 0usize;
    let mut refresh_at =
        tokio::time::Instant::now() + Duration::from_secs(u64::from(sub.granted.max(2)) * 9 / 10);
    loop {
        if opts.count.is_some_and(|n| seen >= n) {
            break;
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tokio::time::sleep_until(refresh_at) => {
                let code = sub.subscribe(opts.expires, wait).await?;
                flush_raw(&mut sub);
                if !(200..300).contains(&code) {
                    eprintln!("dialstate: refresh answered {code}");
                    return Ok(ExitCode::FAILURE);
                }
                refresh_at = tokio::time::Instant::now() + Duration::from_secs(u64::from(sub.granted.max(2)) * 9 / 10);
            }
            notify = sub.next_notify(idle) => {
                let notify = notify?;
                flush_raw(&mut sub);
                say(&describe(&notify));
                seen += 1;
                if notify.subscription_state.starts_with("terminated") {
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    }
    let _ = sub.subscribe(0, wait).await;
    if let Ok(notify) = sub.next_notify(wait).await {
        say(&describe(&notify));
    }
    flush_raw(&mut sub);
    Ok(ExitCode::SUCCESS)
}

fn flush_raw(sub: &mut Subscriber) {
    if let Some(log) = &mut sub.log {
        for msg in log.drain(..) {
            say(&msg.replace("\r\n", "\n"));
        }
    }
}

/// One line to stdout, flushed at once (a pipe reader sees each NOTIFY as it comes); a closed
/// pipe is not an error.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
