//! A short fuzz run of every decoder (part of `cargo xtask test`): 2,000 inputs per target, no panic.
//! Longer runs: `cargo xtask fuzz --iterations N`.

#[test]
fn every_decoder_survives_a_short_run() {
    let iterations = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let mut crashes = Vec::new();
    for target in fuzz::TARGETS {
        let report = fuzz::run_target(target, iterations, 0x5eed);
        assert_eq!(report.iterations, iterations);
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

/// The harness really catches panics and reports the input.
#[test]
fn a_panicking_target_is_reported_with_its_input() {
    let target = fuzz::Target {
        name: "panics-on-ff",
        kind: fuzz::InputKind::Bytes,
        run: |data| assert!(!data.contains(&0xff), "found 0xff"),
        prepare_seed: None,
    };
    let report = fuzz::run(&target, &[vec![0xff, 1]], 50, 1);
    assert!(!report.crashes.is_empty());
    assert_eq!(report.crashes[0].input_hex, "0xff01");
    assert!(report.crashes[0].message.contains("found 0xff"));
}
