//! The fuzz loop: random and mutated-seed inputs through one target, panics caught and reported.

use std::{
    cell::Cell,
    panic::{self, AssertUnwindSafe},
    sync::Once,
    time::{Duration, Instant},
};

use alloy_primitives::hex;

use crate::{
    mutate::{mutate_bytes, mutate_json},
    rng::Rng,
};

/// What a target's inputs look like, which picks the seeds and the mutations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// Binary data (ABI, signatures, compressed streams); seeds: the vectors' hex values.
    Bytes,
    /// JSON text; seeds: the vectors' JSON objects.
    Json,
}

/// Turns a vector seed into a target's input format; `None` drops the seed.
pub type PrepareSeed = fn(&[u8]) -> Option<Vec<u8>>;

/// One decoder under test.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Name for `--target` and reports.
    pub name: &'static str,
    /// Input kind.
    pub kind: InputKind,
    /// Feeds one input to the decoder; must not panic. Results are discarded.
    pub run: fn(&[u8]),
    /// Turns a vector seed into this target's input format (e.g. decompresses an ENABLE signature so the
    /// mutations hit the ABI layer); `None` drops the seed. Applied by [`crate::run_target`].
    pub prepare_seed: Option<PrepareSeed>,
}

/// A panicking input.
#[derive(Clone, Debug)]
pub struct Crash {
    /// The input, 0x-hex.
    pub input_hex: String,
    /// The panic message.
    pub message: String,
}

/// The outcome of fuzzing one target.
#[derive(Clone, Debug)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// Inputs run.
    pub iterations: u64,
    /// Seeds available to the mutator.
    pub seeds: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Panicking inputs (at most 10 kept).
    pub crashes: Vec<Crash>,
}

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
}

/// Silences the panic hook on fuzzing threads only (other threads, e.g. parallel tests, keep theirs).
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !FUZZING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `target` on `iterations` inputs derived from `rng_seed`: the seeds first (once each), then one
/// in eight fully random, the rest mutated seeds.
pub fn run(target: &Target, seeds: &[Vec<u8>], iterations: u64, rng_seed: u64) -> Report {
    install_quiet_hook();
    let mut rng = Rng::new(rng_seed ^ fxhash(target.name));
    let mut crashes = Vec::new();
    let started = Instant::now();
    FUZZING.with(|f| f.set(true));
    for i in 0..iterations {
        let input = if (i as usize) < seeds.len() {
            seeds[i as usize].clone()
        } else if seeds.is_empty() || rng.one_in(8) {
            let max = if rng.one_in(4) { 4096 } else { 256 };
            let len = rng.below(max);
            rng.bytes(len)
        } else {
            let mut input = rng.pick(seeds).clone();
            let other = rng.pick(seeds);
            match target.kind {
                InputKind::Bytes => mutate_bytes(&mut rng, &mut input, other),
                InputKind::Json => mutate_json(&mut rng, &mut input, other),
            }
            input
        };
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input))) {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".to_owned());
            if crashes.len() < 10 {
                crashes.push(Crash {
                    input_hex: hex::encode_prefixed(&input),
                    message,
                });
            }
        }
    }
    FUZZING.with(|f| f.set(false));
    Report {
        target: target.name,
        iterations,
        seeds: seeds.len(),
        elapsed: started.elapsed(),
        crashes,
    }
}

/// A stable per-target stream, so `--target X` reproduces what the full run did for X.
fn fxhash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
