//! Hostile ENABLE signatures (ABI offset aliasing): time to refuse and peak RSS.
//!
//! `cargo bench -p fuzz --bench hostile_abi` prints, per module version, the input size, the median time to
//! get the error over 21 runs and the process's peak RSS (VmHWM). Under `cargo test` it decodes once.

use std::time::{Duration, Instant};

use fuzz::hostile::{DEFAULT_ALIASES, DEFAULT_INIT_LEN, aliased_enable_signature};
use nexus_sessions_types::{Error, ModuleVersion, SmartSessionSignature};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runs = if bench { 21 } else { 1 };
    for version in ModuleVersion::ALL {
        let sig = aliased_enable_signature(version, DEFAULT_ALIASES, DEFAULT_INIT_LEN);
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let result = SmartSessionSignature::decode(version, &sig);
                let elapsed = start.elapsed();
                assert!(matches!(result, Err(Error::AbiLayout { .. })), "{result:?}");
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "hostile ENABLE {version}: {} bytes ({} aliases x {} B init data), refused in {:?} (median of {runs}), \
             peak RSS {} KiB",
            sig.len(),
            DEFAULT_ALIASES,
            DEFAULT_INIT_LEN,
            times[runs / 2],
            peak_rss_kib().map_or("?".to_owned(), |k| k.to_string()),
        );
    }
}
