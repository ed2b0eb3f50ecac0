//! Fuzz targets over the CLI's input parsers (private to this binary, so fuzzed from its unit tests with
//! the workspace harness). `cargo test` runs 2,000 inputs per target; `cargo xtask fuzz` runs more
//! (`FUZZ_ITERATIONS`, `FUZZ_TARGET`, `FUZZ_SEED`).

use clap::{Parser, ValueEnum};
use fuzz::{InputKind, Target};
use nexus_sessions_types::{ModuleVersion, Session};

use crate::{
    cli::{Cli, PolicyKind},
    commands::{hex_arg, ids},
    error::Location,
    input, live, policy_config, session_json,
};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn loc() -> Location {
    Location::new("fuzz")
}

/// Session files (`permission-id`, `session-digest`, `grant`) and their binding and rendering per
/// version, digest lists and deployment files: the same JSON text through each reader.
fn session_file(data: &[u8]) {
    let text = text(data);
    if let Ok(session) = input::parse_json::<Session>(&text, &loc()) {
        for v in ModuleVersion::ALL {
            if let Ok(s) = session_json::bind(session.clone(), v, &loc()) {
                let _ = session_json::to_json(&s, v, Some(1));
            }
        }
    }
    let _ = ids::parse_digests(&text, &loc());
    if let Ok(value) = input::parse_json::<serde_json::Value>(&text, &loc()) {
        let _ = live::endpoints::parse_deployment(&value, &loc());
    }
}

/// `policy KIND --config JSON` for every kind.
fn policy_config_json(data: &[u8]) {
    let loc = loc();
    let text = text(data);
    for kind in PolicyKind::value_variants() {
        let _ = policy_config::encode(*kind, Some((&text, &loc)));
    }
}

/// `decode-policy KIND HEX` for every kind, and the decoded config fed back to `policy KIND`.
fn policy_init_data(data: &[u8]) {
    for kind in PolicyKind::value_variants() {
        if let Ok(config) = policy_config::decode(*kind, data, &loc()) {
            let _ = policy_config::encode(*kind, Some((&config.to_string(), &loc())));
        }
    }
}

/// The scalar argument parsers (hex, addresses, numbers, selectors) and the whole argv grammar.
fn arguments(data: &[u8]) {
    let s = text(data);
    let _ = input::hex_bytes(&s, &loc());
    let _ = input::hex_b256(&s, &loc());
    let _ = input::address(&s, &loc());
    let _ = input::uint_str(&s, &loc());
    let _ = input::u64_str(&s, &loc());
    let _ = ids::parse_selector(&s, &loc());
    let _ = hex_arg("fuzz", &s);
    let argv = std::iter::once("nexus-sessions").chain(s.split_whitespace());
    let _ = Cli::try_parse_from(argv);
}

const TARGETS: &[Target] = &[
    Target {
        name: "cli-session-file",
        kind: InputKind::Json,
        run: session_file,
        prepare_seed: None,
    },
    Target {
        name: "cli-policy-config",
        kind: InputKind::Json,
        run: policy_config_json,
        prepare_seed: None,
    },
    Target {
        name: "cli-policy-init-data",
        kind: InputKind::Bytes,
        run: policy_init_data,
        prepare_seed: None,
    },
    Target {
        name: "cli-arguments",
        kind: InputKind::Bytes,
        run: arguments,
        prepare_seed: Some(argument_seed),
    },
];

/// Argument seeds: the vectors' hex values as text, and command lines.
fn argument_seed(seed: &[u8]) -> Option<Vec<u8>> {
    (seed.len() <= 64).then(|| alloy_primitives::hex::encode_prefixed(seed).into_bytes())
}

#[test]
fn fuzz_inputs() {
    let env = |name: &str| std::env::var(name).ok();
    let iterations = env("FUZZ_ITERATIONS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let seed = env("FUZZ_SEED")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let only = env("FUZZ_TARGET");
    let mut crashes = Vec::new();
    for target in TARGETS
        .iter()
        .filter(|t| only.as_deref().is_none_or(|n| n == t.name))
    {
        let report = fuzz::run_target(target, iterations, seed);
        println!(
            "{:<22} {:>10} inputs  {:>4} seeds  {:>8.2?}  {} crash(es)",
            report.target,
            report.iterations,
            report.seeds,
            report.elapsed,
            report.crashes.len()
        );
        assert!(report.seeds > 0, "{} has no seeds", target.name);
        crashes.extend(
            report
                .crashes
                .into_iter()
                .map(|c| format!("{}: {} <- {}", target.name, c.message, c.input_hex)),
        );
    }
    assert!(crashes.is_empty(), "{crashes:#?}");
}
