//! `dialstate register`: one REGISTER like a phone's (digest challenge answered), printing the
//! answer and the AOR's contacts. With `--expires 0` it removes the contact again.

use std::process::ExitCode;

use crate::sip::client::register;
use crate::sip::uri::Uri;

/// What to register.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sip:AOR@HOST[:PORT]`.
    pub target: String,
    /// `USER[:PASSWORD]`; the user defaults to the AOR.
    pub from: Option<String>,
    /// The Contact to bind (default `sip:USER@127.0.0.1:5999`).
    pub contact: Option<String>,
    pub expires: u32,
}

pub fn run(opts: Options) -> ExitCode {
    let target = if opts.target.starts_with("sip:") {
        opts.target.clone()
    } else {
        format!("sip:{}", opts.target)
    };
    let Ok(uri) = Uri::parse(&target) else {
        eprintln!(
            "dialstate: bad target `{}` (expected sip:AOR@HOST[:PORT])",
            opts.target
        );
        return ExitCode::FAILURE;
    };
    let aor = uri.user_name().to_string();
    let (user, password) = match opts.from.as_deref() {
        Some(from) => match from.split_once(':') {
            Some((u, p)) => (u.to_string(), Some(p.to_string())),
            None => (from.to_string(), None),
        },
        None => (aor.clone(), None),
    };
    let contact = opts
        .contact
        .clone()
        .unwrap_or_else(|| format!("sip:{user}@127.0.0.1:5999"));
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
    let host = uri
        .host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port.unwrap_or(5060);
    runtime.block_on(async move {
        let server = match tokio::net::lookup_host((host.as_str(), port)).await {
            Ok(mut addrs) => addrs.next(),
            Err(_) => None,
        };
        let Some(server) = server else {
            eprintln!("dialstate: cannot resolve `{host}`");
            return ExitCode::FAILURE;
        };
        match register(
            server,
            &user,
            password.as_deref(),
            &aor,
            &contact,
            opts.expires,
        )
        .await
        {
            Ok(response) => {
                let code = response.code().unwrap_or(0);
                match &response.start {
                    crate::sip::message::Start::Response { reason, .. } => {
                        println!("{code} {reason}")
                    }
                    _ => println!("{code}"),
                }
                for c in response.all("Contact") {
                    println!("Contact: {c}");
                }
                if (200..300).contains(&code) {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(err) => {
                eprintln!("dialstate: {err}");
                ExitCode::FAILURE
            }
        }
    })
}
