//! The `dialstate` binary: parse the command line, run it, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dialstate::app::run(dialstate::app::Cli::parse())
}
