//! Nexus 2D nonces: the 192-bit EntryPoint key selects the validator.
//!
//! Nexus reads the 24-byte nonce key as `[3-byte free key][1-byte validation mode][20-byte validator]`
//! (NonceLib, identical in Nexus 1.0.1, the modulekit 0.5.9 dev build and 1.2.0). The low 64 bits of
//! the 256-bit nonce are the EntryPoint's per-key sequence.

use alloy_primitives::{Address, U256, aliases::U192};
use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// Largest value of the free 3-byte part of a nonce key.
pub const MAX_FREE_KEY: u32 = 0x00FF_FFFF;

/// How Nexus validates the user operation (byte 3 of the nonce key).
///
/// Smart sessions use [`ValidationMode::Validation`] in USE and ENABLE alike: the SmartSession enable
/// mode travels in the signature. [`ValidationMode::ModuleEnable`] would trigger Nexus's own
/// module-enable parsing of the signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ValidationMode {
    /// `0x00`: validate with the validator named in the key.
    #[default]
    Validation = 0x00,
    /// `0x01`: install the validator from the signature first (Nexus module-enable mode).
    ModuleEnable = 0x01,
}

/// The 192-bit EntryPoint nonce key of a Nexus account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NonceKey {
    free_key: u32,
    mode: ValidationMode,
    validator: Address,
}

impl NonceKey {
    /// A key for `validator` with the given free 3-byte part (values above [`MAX_FREE_KEY`] are
    /// reduced modulo `2^24`, the way abstractjs reduces its timestamp key).
    pub const fn new(free_key: u32, mode: ValidationMode, validator: Address) -> Self {
        Self {
            free_key: free_key & MAX_FREE_KEY,
            mode,
            validator,
        }
    }

    /// Key `0`, validation mode `0x00`: the key of a plain sequential nonce lane for `validator`.
    pub const fn for_validator(validator: Address) -> Self {
        Self::new(0, ValidationMode::Validation, validator)
    }

    /// The free 3-byte part.
    pub const fn free_key(&self) -> u32 {
        self.free_key
    }

    /// The validation mode byte.
    pub const fn mode(&self) -> ValidationMode {
        self.mode
    }

    /// The validator the account will call.
    pub const fn validator(&self) -> Address {
        self.validator
    }

    /// The 24 key bytes, big-endian.
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut out = [0u8; 24];
        out[..3].copy_from_slice(&self.free_key.to_be_bytes()[1..]);
        out[3] = self.mode as u8;
        out[4..].copy_from_slice(self.validator.as_slice());
        out
    }

    /// The key as the `uint192` argument of `EntryPoint.getNonce(sender, key)`.
    pub fn to_u192(&self) -> U192 {
        U192::from_be_bytes(self.to_bytes())
    }

    /// The full 256-bit user-operation nonce `(key << 64) | sequence`.
    pub fn nonce(&self, sequence: u64) -> U256 {
        let mut out = [0u8; 32];
        out[..24].copy_from_slice(&self.to_bytes());
        out[24..].copy_from_slice(&sequence.to_be_bytes());
        U256::from_be_bytes(out)
    }

    /// Splits a user-operation nonce into its key and sequence. Returns `None` when the mode byte is
    /// not one Nexus 1.0.x knows.
    pub fn from_nonce(nonce: U256) -> Option<(Self, u64)> {
        let bytes = nonce.to_be_bytes::<32>();
        let free_key = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        let mode = match bytes[3] {
            0x00 => ValidationMode::Validation,
            0x01 => ValidationMode::ModuleEnable,
            _ => return None,
        };
        let validator = Address::from_slice(&bytes[4..24]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&bytes[24..]);
        Some((
            Self {
                free_key,
                mode,
                validator,
            },
            u64::from_be_bytes(seq),
        ))
    }
}

/// How a client picks the nonce of each user operation.
///
/// The EntryPoint keeps one sequence per `(account, key)`. Incrementing a sequence that is already
/// non-zero rewrites a used storage slot; a new key writes a fresh one, about 17,000 gas more per
/// operation. Lanes keep a small pool of keys and count their sequences locally, so a warm operation
/// needs no `getNonce` and pays for the cheap write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceStrategy {
    /// `count` reusable keys starting at a random free key. Their sequences start at 0 without any
    /// read (a random key is assumed unused; a collision is caught by the bundler's `AA25` and the
    /// lane re-synced from the chain).
    RandomLanes {
        /// Pool size (at least 1).
        count: u32,
    },
    /// The keys `first .. first + count`: several processes sharing one session key (or one
    /// account) take disjoint ranges and never collide. Each lane's sequence is read once
    /// (`EntryPoint.getNonce`) when it is first used.
    LaneRange {
        /// The first free key of the range.
        first: u32,
        /// Pool size (at least 1; `first + count` at most `2^24`).
        count: u32,
    },
    /// A fresh random key per operation (sequence 0): no shared state between operations, but
    /// every operation writes a new EntryPoint storage slot.
    FreshKeys,
}

impl NonceStrategy {
    /// Default pool size: enough lanes that 200 operations sent at once stay within alto's 10
    /// queued operations per key.
    pub const DEFAULT_LANES: u32 = 32;

    /// [`NonceStrategy::RandomLanes`] with `count` lanes.
    pub const fn lanes(count: u32) -> Self {
        Self::RandomLanes { count }
    }

    /// [`NonceStrategy::LaneRange`]: the keys `first .. first + count`.
    pub const fn lane_range(first: u32, count: u32) -> Self {
        Self::LaneRange { first, count }
    }

    /// The `index`-th of `processes` disjoint ranges of `per_process` keys each, for processes
    /// that share one session key: `lane_range(index * per_process, per_process)`.
    pub const fn share(index: u32, per_process: u32) -> Self {
        Self::lane_range(index.saturating_mul(per_process), per_process)
    }

    /// Checks the pool size and range; the error names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Self::RandomLanes { count } | Self::LaneRange { count, .. } if count == 0 => {
                Err("a nonce lane pool needs at least one lane".into())
            }
            Self::RandomLanes { count } if count > MAX_FREE_KEY => {
                Err(format!("{count} nonce lanes exceed the 2^24 keys"))
            }
            Self::LaneRange { first, count }
                if u64::from(first) + u64::from(count) > u64::from(MAX_FREE_KEY) + 1 =>
            {
                Err(format!(
                    "nonce lanes {first} .. {first} + {count} exceed the 3-byte key space (2^24)"
                ))
            }
            _ => Ok(()),
        }
    }
}

impl Default for NonceStrategy {
    fn default() -> Self {
        Self::lanes(Self::DEFAULT_LANES)
    }
}

/// Hands out fresh free 3-byte keys: one per operation for [`NonceStrategy::FreshKeys`], and the
/// random start of a [`NonceStrategy::RandomLanes`] pool.
///
/// The counter starts at a random point (std's per-process random hasher keys mixed with the
/// clock), so two processes driving the same account collide with probability of about
/// `ops_of_the_other / 2^24` per operation; the client retries once on AA25.
#[derive(Debug)]
pub struct FreshKeys {
    next: AtomicU32,
}

impl FreshKeys {
    /// A key allocator seeded randomly.
    pub fn new() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        hasher.write_u128(nanos);
        Self::starting_at(hasher.finish() as u32)
    }

    /// A key allocator whose first key is `start mod 2^24` (deterministic; for tests).
    pub const fn starting_at(start: u32) -> Self {
        Self {
            next: AtomicU32::new(start & MAX_FREE_KEY),
        }
    }

    /// The next free key (wraps after `2^24` keys).
    pub fn next_key(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed) & MAX_FREE_KEY
    }

    /// Reserves `count` consecutive keys (mod `2^24`) and returns the first.
    pub fn next_keys(&self, count: u32) -> u32 {
        self.next.fetch_add(count, Ordering::Relaxed) & MAX_FREE_KEY
    }
}

impl Default for FreshKeys {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    const SMART_SESSION: Address = address!("0x0000000071727De22e5E9D8bAF0EDAc6F37da034");
    const K1: Address = address!("0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa");

    #[test]
    fn golden_key_zero_smart_session() {
        let key = NonceKey::for_validator(SMART_SESSION);
        assert_eq!(
            key.to_bytes(),
            hex!("000000000000000071727de22e5e9d8baf0edac6f37da034")
        );
        assert_eq!(
            key.nonce(0),
            U256::from_be_bytes(
                b256!("0x000000000000000071727de22e5e9d8baf0edac6f37da0340000000000000000").0
            )
        );
    }

    #[test]
    fn golden_abstractjs_timestamp_key() {
        // Date.now() = 1700000000000 reduced mod 0xFFFFFF (abstractjs) = 15135695 = 0xe6f3cf.
        let key = NonceKey::new(
            (1_700_000_000_000u64 % 0xFF_FFFF) as u32,
            ValidationMode::Validation,
            K1,
        );
        assert_eq!(
            key.to_bytes(),
            hex!("e6f3cf000000002d6db27c52e3c11c1cf24072004ac75cba")
        );
        assert_eq!(key.to_u192(), U192::from_be_bytes(key.to_bytes()));
    }

    #[test]
    fn mode_and_sequence_positions() {
        let key = NonceKey::new(0xABCDEF, ValidationMode::ModuleEnable, K1);
        let nonce = key.nonce(0x0102030405060708);
        let bytes = nonce.to_be_bytes::<32>();
        assert_eq!(&bytes[..3], &[0xAB, 0xCD, 0xEF]);
        assert_eq!(bytes[3], 0x01);
        assert_eq!(&bytes[4..24], K1.as_slice());
        assert_eq!(&bytes[24..], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(NonceKey::from_nonce(nonce), Some((key, 0x0102030405060708)));
    }

    #[test]
    fn free_key_is_reduced_to_three_bytes() {
        assert_eq!(
            NonceKey::new(0x1FF_FFFF, ValidationMode::Validation, K1).free_key(),
            0xFF_FFFF
        );
        let mut bad = NonceKey::for_validator(K1).nonce(0).to_be_bytes::<32>();
        bad[3] = 7;
        assert_eq!(NonceKey::from_nonce(U256::from_be_bytes(bad)), None);
    }

    #[test]
    fn lanes_are_distinct_and_wrap() {
        let lanes = FreshKeys::starting_at(0xFF_FFFE);
        assert_eq!(lanes.next_key(), 0xFF_FFFE);
        assert_eq!(lanes.next_key(), 0xFF_FFFF);
        assert_eq!(lanes.next_key(), 0);
        let random = FreshKeys::new();
        let a = random.next_key();
        let b = random.next_key();
        assert_ne!(a, b);
        assert!(a <= MAX_FREE_KEY && b <= MAX_FREE_KEY);
    }

    #[test]
    fn strategies_validate_their_ranges() {
        assert!(NonceStrategy::default().validate().is_ok());
        assert!(NonceStrategy::FreshKeys.validate().is_ok());
        assert!(NonceStrategy::lanes(0).validate().is_err());
        assert!(NonceStrategy::lane_range(5, 0).validate().is_err());
        assert!(
            NonceStrategy::lane_range(MAX_FREE_KEY, 1)
                .validate()
                .is_ok()
        );
        assert!(
            NonceStrategy::lane_range(MAX_FREE_KEY, 2)
                .validate()
                .is_err()
        );
        assert_eq!(
            NonceStrategy::share(2, 16),
            NonceStrategy::lane_range(32, 16)
        );
    }
}
