//! A fuzz harness on stable Rust over every public decoder of the workspace, and hostile-input builders.
//!
//! No cargo-fuzz, no nightly: a deterministic generator ([`Rng`]) produces random inputs and mutations of
//! seeds taken from the project's golden vectors ([`seeds`]), each [`Target`] feeds them to one decoder
//! under `catch_unwind`, and a [`Report`] lists any panicking input as hex. `cargo xtask fuzz
//! [--iterations N] [--target NAME]` runs it in release mode; a short run is part of `cargo xtask test`.
//!
//! | module | content |
//! |---|---|
//! | [`targets`] | the decoders under test ([`TARGETS`]) |
//! | [`runner`] | the fuzz loop ([`run`]), [`Target`], [`Report`], [`Crash`] |
//! | [`mutate`] | byte-level and JSON value-level mutations |
//! | [`seeds`] | seeds from the golden vectors |
//! | [`hostile`] | crafted encodings (ABI offset aliasing) that must be refused cheaply |
//!
//! ```
//! let target = fuzz::TARGETS.iter().find(|t| t.name == "decode-revert").unwrap();
//! let report = fuzz::run_target(target, 200, 1);
//! assert!(report.crashes.is_empty(), "{:?}", report.crashes);
//! ```

pub mod hostile;
pub mod mutate;
pub mod rng;
pub mod runner;
pub mod seeds;
pub mod targets;

pub use rng::Rng;
pub use runner::{Crash, InputKind, Report, Target, run};
pub use targets::TARGETS;

/// Runs one target with its seeds: the vectors of its input kind (prepared, at most 400 spread over
/// the sorted corpus) plus its own seeds, weighted to about a quarter of the mutation picks.
pub fn run_target(target: &Target, iterations: u64, rng_seed: u64) -> Report {
    let corpus = seeds::seeds();
    let vectors = match target.kind {
        InputKind::Bytes => &corpus.bytes,
        InputKind::Json => &corpus.json,
    };
    let mut seeds: Vec<Vec<u8>> = match target.prepare_seed {
        Some(prepare) => vectors.iter().filter_map(|s| prepare(s)).collect(),
        None => vectors.clone(),
    };
    seeds::spread(&mut seeds);
    // The target's own seeds are few but aimed: weight them to about a quarter of the picks.
    let extra = targets::extra_seeds(target);
    if !extra.is_empty() {
        let copies = (seeds.len() / (3 * extra.len())).max(1);
        for _ in 0..copies {
            seeds.extend(extra.iter().cloned());
        }
    }
    run(target, &seeds, iterations, rng_seed)
}
