//! Seed inputs taken from the project's golden vectors (sessions-types, userop, CLI test data).

use std::sync::OnceLock;

use alloy_primitives::hex;
use serde_json::Value;

/// The golden vector files, compiled in so a run needs no files at run time.
const VECTOR_FILES: &[&str] = &[
    include_str!("../../sessions-types/tests/vectors/signatures.json"),
    include_str!("../../sessions-types/tests/vectors/install_data.json"),
    include_str!("../../sessions-types/tests/vectors/policies.json"),
    include_str!("../../sessions-types/tests/vectors/session_data.json"),
    include_str!("../../sessions-types/tests/vectors/validator_init_data.json"),
    include_str!("../../sessions-types/tests/vectors/flz.json"),
    include_str!("../../sessions-types/tests/vectors/session_digests.json"),
    include_str!("../../userop/tests/vectors/user_op_hash.json"),
    include_str!("../../cli/tests/data/session_a_pre_v1.json"),
    include_str!("../../cli/tests/data/session_a_v1.json"),
    include_str!("../../cli/tests/data/session_b.json"),
    include_str!("../../cli/tests/data/userop_a5.json"),
];

const CLI_ENABLE_HEX: &str = include_str!("../../cli/tests/data/enable_pre_v1.hex");

/// Seeds per target are capped to keep runs about mutation, not replay.
pub const MAX_SEEDS: usize = 400;
const MAX_SEED_LEN: usize = 16 * 1024;

/// The seed corpora, built once.
#[derive(Debug, Default)]
pub struct Seeds {
    /// Every distinct hex value in the vectors (ABI data, signatures, compressed streams, …).
    pub bytes: Vec<Vec<u8>>,
    /// Every JSON object in the vectors (sessions, session data, user operations, …), as text.
    pub json: Vec<Vec<u8>>,
}

/// The seeds (parsed on first use).
pub fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = Seeds::default();
        for file in VECTOR_FILES {
            if let Ok(value) = serde_json::from_str::<Value>(file) {
                collect(&value, &mut seeds, 0);
            }
        }
        if let Ok(b) = hex::decode(CLI_ENABLE_HEX.trim()) {
            seeds.bytes.push(b);
        }
        for list in [&mut seeds.bytes, &mut seeds.json] {
            list.retain(|s| s.len() <= MAX_SEED_LEN);
            list.sort();
            list.dedup();
        }
        seeds
    })
}

fn collect(value: &Value, seeds: &mut Seeds, depth: usize) {
    match value {
        Value::String(s) if s.starts_with("0x") && s.len() > 2 => {
            if let Ok(b) = hex::decode(s) {
                seeds.bytes.push(b);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, seeds, depth + 1)),
        Value::Object(map) => {
            if depth > 0 {
                seeds
                    .json
                    .push(serde_json::to_vec(value).unwrap_or_default());
            }
            map.values().for_each(|v| collect(v, seeds, depth + 1));
        }
        _ => {}
    }
}

/// Keeps at most [`MAX_SEEDS`] entries, evenly spread over the sorted list (so every kind of seed stays).
pub fn spread(list: &mut Vec<Vec<u8>>) {
    let max = MAX_SEEDS;
    if list.len() <= max {
        return;
    }
    let step = list.len() as f64 / max as f64;
    *list = (0..max)
        .map(|i| list[(i as f64 * step) as usize].clone())
        .collect();
}
