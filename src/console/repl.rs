//! The interactive console: the only file that touches rustyline or the terminal. It reads a line
//! with history and tab completion, runs it through `console::run_to`, which prints as it goes (a `call` streams its trace).

use std::borrow::Cow;
use std::path::PathBuf;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::console::complete::{candidates, Names};
use crate::console::{run_to, Output, PROMPT};
use crate::pbx::Pbx;

struct ConsoleHelper {
    names: Names,
}

impl Completer for ConsoleHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let upto = line.get(..pos).unwrap_or(line);
        let start = upto.rfind(char::is_whitespace).map_or(0, |it| it + 1);
        let before: Vec<&str> = upto[..start].split_whitespace().collect();
        Ok((start, candidates(&self.names, &before, &upto[start..])))
    }
}

impl Hinter for ConsoleHelper {
    type Hint = String;
}

impl Highlighter for ConsoleHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Borrowed(line)
    }
}

impl Validator for ConsoleHelper {}

impl Helper for ConsoleHelper {}

/// Where the console keeps its history between runs.
fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".dialstate_history"))
}

/// What the REPL runs lines against: the PBX in this process, or a server over its control
/// socket (`dialstate remote`). Both run the same command code, `console::run`.
pub trait Backend {
    fn run(&mut self, line: &str) -> Output;
    /// The names tab completion offers.
    fn names(&mut self) -> Names;
}

/// In this process a `call` streams its trace to the terminal as it runs (`console::run_to`);
/// the returned output holds nothing more to print.
impl Backend for Pbx {
    fn run(&mut self, line: &str) -> Output {
        run_to(self, line, &mut std::io::stdout().lock())
    }

    fn names(&mut self) -> Names {
        Names::of(self)
    }
}

/// Runs the interactive console until `exit` or end of input.
pub fn interactive(pbx: &mut Pbx) -> Result<(), ReadlineError> {
    interactive_with(pbx)
}

/// Runs the interactive console against any backend.
pub fn interactive_with(backend: &mut dyn Backend) -> Result<(), ReadlineError> {
    let mut editor: Editor<ConsoleHelper, DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(ConsoleHelper {
        names: backend.names(),
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    loop {
        match editor.readline(PROMPT) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let output = backend.run(&line);
                print!("{}", output.text);
                if output.exit {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.names = backend.names();
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(err) => {
                if let Some(path) = &history {
                    let _ = editor.save_history(path);
                }
                return Err(err);
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}
