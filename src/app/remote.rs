//! `dialstate remote`: the console attached to a running server over its control socket, as
//! `asterisk -r`/`-rx` are. Commands run in the server through `console::run`, the same code as
//! the local console.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::ExitCode;

use crate::console::complete::Names;
use crate::console::repl::{interactive_with, Backend};
use crate::console::Output;

/// A connection to the control socket.
pub struct Remote {
    stream: BufReader<UnixStream>,
}

impl Remote {
    pub fn connect(path: &Path) -> std::io::Result<Remote> {
        Ok(Remote {
            stream: BufReader::new(UnixStream::connect(path)?),
        })
    }

    fn request(&mut self, line: &str) -> std::io::Result<(String, bool, bool)> {
        let mut msg = line.replace(['\r', '\n'], " ");
        msg.push('\n');
        self.stream.get_mut().write_all(msg.as_bytes())?;
        let mut head = String::new();
        self.stream.read_line(&mut head)?;
        let mut parts = head.split_whitespace();
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "bad control answer");
        let len: usize = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        let ok = parts.next() == Some("1");
        let exit = parts.next() == Some("1");
        let mut text = vec![0u8; len];
        self.stream.read_exact(&mut text)?;
        Ok((String::from_utf8_lossy(&text).into_owned(), ok, exit))
    }

    /// Runs one console command in the server.
    pub fn run(&mut self, command: &str) -> std::io::Result<Output> {
        let (text, ok, exit) = self.request(&format!("x {command}"))?;
        Ok(Output { text, ok, exit })
    }
}

impl Backend for Remote {
    fn run(&mut self, line: &str) -> Output {
        match Remote::run(self, line) {
            Ok(out) => out,
            Err(err) => Output {
                text: format!("Lost the server: {err}\n"),
                ok: false,
                exit: true,
            },
        }
    }

    fn names(&mut self) -> Names {
        self.request("names")
            .map(|(text, _, _)| Names::from_text(&text))
            .unwrap_or_default()
    }
}

/// `dialstate remote [--control PATH] [-x CMD]...`
pub fn remote(control: &Path, exec: &[String]) -> ExitCode {
    let mut remote = match Remote::connect(control) {
        Ok(r) => r,
        Err(err) => {
            eprintln!(
                "dialstate: cannot reach a server on `{}`: {err} (is `dialstate serve` running?)",
                control.display()
            );
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    let mut ok = true;
    let mut lines: Vec<String> = exec.to_vec();
    if exec.is_empty() {
        if std::io::stdin().is_terminal() {
            drop(out);
            return match interactive_with(&mut remote) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("dialstate: {err}");
                    ExitCode::FAILURE
                }
            };
        }
        lines = std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect();
    }
    for line in lines {
        match remote.run(&line) {
            Ok(output) => {
                ok &= output.ok;
                if out.write_all(output.text.as_bytes()).is_err() || output.exit {
                    break;
                }
            }
            Err(err) => {
                eprintln!("dialstate: lost the server: {err}");
                return ExitCode::from(2);
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
