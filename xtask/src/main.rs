//! Project tasks, run as `cargo xtask <task>`.
//!
//! Each task lives in its own module; `main` only dispatches.

use std::process::ExitCode;

mod demo;
mod devnet;
mod fixtures;
mod fuzz;
mod publish_check;
mod test;
mod tools;
mod vectors;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  tools      install the pinned tooling (Foundry, solc-js, alto, modulekit bytecode) into the repo cache
  fixtures   build the Solidity fixtures in contracts/ with forge
  vectors    regenerate the golden vectors from the pinned reference JavaScript packages
  devnet     start the local devnet, print its endpoints and addresses as JSON, keep it up until Ctrl-C
  demo       start a local devnet and run the reference smart-sessions flow on it (the main job)
  test       run every test: Foundry fixture tests and the whole Rust workspace, then
             `publish-check --no-verify`
  fuzz       fuzz every decoder and the CLI's input parsers on stable Rust
             [--iterations N (default 100000)] [--target NAME] [--seed S]; `--list` names the targets
  publish-check
             `cargo publish --dry-run` of every published crate (each built from its package against
             the others') and their manifests' metadata and MSRV; `--no-verify` skips the builds
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
        "tools" => tools::run(rest),
        "fixtures" => fixtures::run(rest),
        "vectors" => vectors::run(rest),
        "devnet" => devnet::run(rest),
        "demo" => demo::run(rest),
        "test" => test::run(rest),
        "fuzz" => fuzz::run(rest),
        "publish-check" => publish_check::run(rest),
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
