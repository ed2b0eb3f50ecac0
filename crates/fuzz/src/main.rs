//! `fuzz [--iterations N] [--target NAME] [--seed S] [--list]`: fuzzes every decoder (or one) and prints
//! a line per target; exits 1 with the crashing inputs' hex if any decoder panicked.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut iterations: u64 = 100_000;
    let mut only: Option<String> = None;
    let mut seed: u64 = 0x5eed;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--iterations" => value("--iterations").and_then(|v| {
                v.replace('_', "")
                    .parse()
                    .map(|n| iterations = n)
                    .map_err(|e| format!("--iterations: {e}"))
            }),
            "--target" => value("--target").map(|v| only = Some(v)),
            "--seed" => value("--seed").and_then(|v| {
                v.parse()
                    .map(|n| seed = n)
                    .map_err(|e| format!("--seed: {e}"))
            }),
            "--list" => {
                for t in fuzz::TARGETS {
                    println!("{}", t.name);
                }
                return ExitCode::SUCCESS;
            }
            other => Err(format!(
                "unknown argument {other:?}; usage: fuzz [--iterations N] [--target NAME] [--seed S] [--list]"
            )),
        };
        if let Err(e) = parsed {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let targets: Vec<_> = fuzz::TARGETS
        .iter()
        .filter(|t| only.as_deref().is_none_or(|n| n == t.name))
        .collect();
    if targets.is_empty() {
        eprintln!(
            "error: no target named {:?} (see --list)",
            only.unwrap_or_default()
        );
        return ExitCode::from(2);
    }
    let mut failed = false;
    for target in targets {
        let report = fuzz::run_target(target, iterations, seed);
        let per_sec = report.iterations as f64 / report.elapsed.as_secs_f64().max(1e-9);
        println!(
            "{:<18} {:>10} inputs  {:>4} seeds  {:>8.2?}  {:>9.0} inputs/s  {} crash(es)",
            report.target,
            report.iterations,
            report.seeds,
            report.elapsed,
            per_sec,
            report.crashes.len()
        );
        for crash in &report.crashes {
            failed = true;
            println!("  CRASH {}: {}", crash.message, crash.input_hex);
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
