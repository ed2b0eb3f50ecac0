//! `cargo xtask fuzz [--iterations N] [--target NAME] [--seed S]`: the stable-Rust fuzz harness in release
//! mode over every public decoder (crates/fuzz), then over the CLI's input parsers (their fuzz test in
//! the CLI binary, which runs the same harness on the private parsers). Targets whose name starts with
//! `cli-` are the CLI's; `--target` picks one target of either kind.

use std::process::Command;

/// Runs the harness; arguments are passed through to the `fuzz` binary.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let target = value("--target");
    let cli_target = target.as_deref().is_some_and(|t| t.starts_with("cli-"));
    let list = args.iter().any(|a| a == "--list");
    if !cli_target {
        eprintln!("xtask: fuzz: library decoders (cargo run --release -p fuzz)");
        let status = Command::new(&cargo)
            .args(["run", "--quiet", "--release", "-p", "fuzz", "--"])
            .args(args)
            .status()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz: a decoder panicked or the run failed ({status})"
            ));
        }
    }
    if list {
        println!("cli-session-file\ncli-policy-config\ncli-policy-init-data\ncli-arguments");
    } else if target.is_none() || cli_target {
        eprintln!("xtask: fuzz: CLI input parsers (the CLI's fuzz test, release)");
        let mut cmd = Command::new(&cargo);
        cmd.args([
            "test",
            "--quiet",
            "--release",
            "-p",
            "nexus-sessions-cli",
            "--bin",
        ])
        .args(["nexus-sessions", "fuzz_inputs", "--", "--nocapture"]);
        for (flag, var) in [
            ("--iterations", "FUZZ_ITERATIONS"),
            ("--target", "FUZZ_TARGET"),
            ("--seed", "FUZZ_SEED"),
        ] {
            if let Some(v) = value(flag) {
                cmd.env(var, v.replace('_', ""));
            }
        }
        let status = cmd
            .status()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz: a CLI parser panicked or the run failed ({status})"
            ));
        }
    }
    Ok(())
}
