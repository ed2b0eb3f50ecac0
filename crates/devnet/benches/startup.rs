//! Devnet startup benchmark: time from `start()` to a ready devnet (anvil and alto answering), with the
//! tools installed and the fixtures built.
//!
//! - *fresh deploy*: the anvil state cache is bypassed, every contract is deployed;
//! - *cached state*: the state dump in `.cache/devnet-state/` is loaded instead.
//!
//! `cargo bench -p nexus-sessions-devnet --bench startup`; `DEVNET_BENCH_RUNS` sets the runs per case (default 5). Under
//! `cargo test` (no `--bench` argument) each case runs once, as a check that the benchmark still works.

use nexus_sessions_devnet::Devnet;
use std::time::{Duration, Instant};

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let runs: usize = match std::env::var("DEVNET_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) if benchmarking => n,
        _ if benchmarking => 5,
        _ => 1,
    }
    .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        // Warm-up: installs tools and builds fixtures on a fresh machine, and fills the state cache.
        let warmup = Instant::now();
        drop(
            Devnet::builder()
                .state_cache(true)
                .start()
                .await
                .expect("devnet starts"),
        );
        println!(
            "warm-up (install/build if needed, fill the cache): {:.2?}",
            warmup.elapsed()
        );
        for (name, cache) in [("fresh deploy", false), ("cached state", true)] {
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let started = Instant::now();
                let devnet = Devnet::builder()
                    .state_cache(cache)
                    .start()
                    .await
                    .expect("devnet starts");
                times.push(started.elapsed());
                assert_eq!(
                    devnet.from_cached_state(),
                    cache,
                    "{name}: cache use as configured"
                );
                drop(devnet);
            }
            report(name, &mut times);
        }
    });
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2
    };
    println!(
        "startup/{name}: median {median:.2?} (min {:.2?}, max {:.2?}, {} runs)",
        times[0],
        times[times.len() - 1],
        times.len()
    );
}
