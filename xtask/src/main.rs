//! Project tasks, run as `cargo xtask <task>`.
//!
//! Each task lives in its own module; `main` only dispatches.

use std::process::ExitCode;

mod test;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  test       run every test: Foundry fixture tests and the whole Rust workspace
  help       print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "test" => test::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
