//! Mutations: byte-level for binary inputs, plus value-level for JSON.

use alloy_primitives::U256;
use serde_json::Value;

use crate::rng::Rng;

/// Mutated inputs never grow beyond this.
pub const MAX_INPUT_LEN: usize = 64 * 1024;

/// Values that break naive length, offset and quantity handling.
fn interesting_word(rng: &mut Rng, len: usize) -> U256 {
    match rng.below(12) {
        0 => U256::ZERO,
        1 => U256::from(1),
        2 => U256::from(32),
        3 => U256::from(len),
        4 => U256::from(len.saturating_sub(32)),
        5 => U256::from(u64::MAX),
        6 => U256::from(1u128 << 64),
        7 => U256::from((1u128 << 64) + 1),
        8 => U256::from(1) << 255,
        9 => U256::MAX,
        10 => U256::from(32 * rng.below(64)),
        _ => U256::from(rng.below(256)),
    }
}

/// Applies one to four random byte-level mutations; `other` is another seed for splicing.
pub fn mutate_bytes(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = *rng.pick(&[0, 1, 0x7f, 0x80, 0xff, 0x20, 0x40]);
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(64);
                let chunk = rng.bytes(n);
                input.splice(at..at, chunk);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                input.drain(start..end);
            }
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let chunk = input[start..end].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            5 if len >= 32 => {
                // Overwrite an aligned word (ABI heads, lengths and offsets), or a random one.
                let words = len / 32;
                let at = if rng.one_in(4) {
                    rng.below(len - 31)
                } else {
                    32 * rng.below(words)
                };
                let word = interesting_word(rng, len).to_be_bytes::<32>();
                input[at..at + 32].copy_from_slice(&word);
            }
            6 if len > 0 => input.truncate(rng.below(len)),
            7 if !other.is_empty() => {
                let keep = rng.below(len + 1);
                let from = rng.below(other.len());
                input.truncate(keep);
                input.extend_from_slice(&other[from..]);
            }
            _ => {
                let at = rng.below(len + 1);
                input.insert(at, rng.next_u64() as u8);
            }
        }
    }
    input.truncate(MAX_INPUT_LEN);
}

fn interesting_value(rng: &mut Rng) -> Value {
    let text = |s: &str| Value::String(s.to_owned());
    match rng.below(16) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 => Value::from(-1),
        3 => Value::from(u64::MAX),
        4 => serde_json::from_str("1e400").unwrap_or(Value::from(1.5)),
        5 => text(""),
        6 => text("0x"),
        7 => text("0x10000000000000000"),
        8 => text(&format!("{:#x}", U256::MAX)),
        9 => text("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        10 => text(&format!("0x{}", "ab".repeat(rng.below(100)))),
        11 => Value::Array(vec![]),
        12 => Value::Object(serde_json::Map::new()),
        13 => text("0x0g"),
        14 => Value::from(0.5),
        _ => text(&"\u{1F600}".repeat(rng.below(4))),
    }
}

/// Replaces, removes or duplicates one random node of a JSON document.
fn mutate_value(rng: &mut Rng, value: &mut Value, depth: usize) {
    let descend = depth < 12 && rng.below(4) != 0;
    match value {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map
                .keys()
                .nth(rng.below(map.len()))
                .cloned()
                .unwrap_or_default();
            match rng.below(8) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(format!("{key}x"), interesting_value(rng));
                }
                _ => {
                    if let Some(v) = map.get_mut(&key) {
                        mutate_value(rng, v, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(8) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.insert(i, copy);
                }
                _ => mutate_value(rng, &mut items[i], depth + 1),
            }
        }
        _ => *value = interesting_value(rng),
    }
}

/// Mutates a JSON text: mostly value-level (stays JSON), sometimes byte-level (broken JSON).
pub fn mutate_json(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    if rng.one_in(4) {
        return mutate_bytes(rng, input, other);
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(input) else {
        return mutate_bytes(rng, input, other);
    };
    for _ in 0..=rng.below(3) {
        mutate_value(rng, &mut value, 0);
    }
    *input = serde_json::to_vec(&value).unwrap_or_default();
    input.truncate(MAX_INPUT_LEN);
}
