//! `nexus-sessions`: inspect, encode and decode ERC-7579 Smart Sessions data from the shell, and grant,
//! use and revoke sessions on a live chain.
//!
//! - [`cli`]: the command-line grammar (clap); doc comments there are the `--help` texts.
//! - [`commands`]: the offline commands (ids, digests, signatures, FastLZ, userOpHash, policies).
//! - [`session_json`] / [`policy_config`]: the JSON formats read and written (module-sdk `Session`
//!   field names; policy config shapes).
//! - [`live`]: `status`, `grant`, `use`, `revoke` over the `nexus-sessions` facade.
//! - [`input`] / [`output`] / [`error`]: parsing with error locations, stdout writing, exit codes.
//!
//! Errors print as a single line on stderr: exit code 2 for bad input, 1 for a failed live
//! operation (nothing landed), 3 for a user operation whose outcome is unknown (it may still land;
//! `resolve` settles it), 101 for an internal bug (a panic, reported in one line without a
//! backtrace).

use std::process::ExitCode;

use clap::{Parser, error::ErrorKind};

mod cli;
mod commands;
mod error;
#[cfg(test)]
mod fuzz_inputs;
mod input;
mod live;
mod output;
mod policy_config;
mod session_json;

fn main() -> ExitCode {
    install_panic_hook();
    // Lets the test suite prove that a panic still ends in one line and exit code 101.
    if std::env::var_os("NEXUS_SESSIONS_PANIC_TEST").is_some() {
        panic!("panic requested by NEXUS_SESSIONS_PANIC_TEST");
    }
    let parsed = match cli::Cli::try_parse() {
        Ok(parsed) => parsed,
        Err(e) => return clap_error(e),
    };
    match commands::run(parsed.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.one_line());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints help/version as clap does, and every usage error as one line with exit code 2.
fn clap_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            output::line(e.render().to_string().trim_end());
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{}", e.render());
            ExitCode::from(error::EXIT_INPUT)
        }
        _ => {
            let rendered = e.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .filter(|l| !l.starts_with("Usage:"))
                .collect();
            let message = error::one_line(&message.join(" "));
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("error: {message}");
            ExitCode::from(error::EXIT_INPUT)
        }
    }
}

/// A panic is a bug: report it in one line (no backtrace) and exit with 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error (please report): {}{place}",
            error::one_line(&payload)
        );
        std::process::exit(101);
    }));
}
