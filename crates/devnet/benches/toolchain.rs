//! Warm-path benchmark: `Toolchain::ensure` and `Fixtures::build` when everything is installed and built,
//! i.e. what every test binary pays before starting a devnet.
//!
//! `cargo bench -p nexus-sessions-devnet --bench toolchain`; `DEVNET_BENCH_RUNS` sets the runs per case (default 20).

use nexus_sessions_devnet::{Fixtures, Toolchain};
use std::time::{Duration, Instant};

fn main() {
    let runs: usize = std::env::var("DEVNET_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    // Warm-up: installs and builds on a fresh machine.
    let warmup = Instant::now();
    let tc = Toolchain::ensure().expect("toolchain");
    Fixtures::build(&tc).expect("fixtures");
    println!(
        "warm-up (install/build if needed): {:.2?}",
        warmup.elapsed()
    );

    let mut ensure = Vec::with_capacity(runs);
    let mut build = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let tc = Toolchain::ensure().expect("toolchain");
        ensure.push(started.elapsed());
        let started = Instant::now();
        Fixtures::build(&tc).expect("fixtures");
        build.push(started.elapsed());
    }
    report("Toolchain::ensure (warm)", &mut ensure);
    report("Fixtures::build (up to date)", &mut build);
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{name}: median {median:.2?}, min {:.2?}, max {:.2?} ({} runs)",
        times[0],
        times[times.len() - 1],
        times.len()
    );
}
