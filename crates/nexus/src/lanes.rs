//! The nonce lane pool of one client ([`NonceStrategy`]): which key the next operation uses and
//! the sequence it carries, tracked locally.
//!
//! A lane is leased for the build-sign-send of one operation; its sequence moves on only when the
//! bundler accepted the operation. A lane carries one pending operation at a time: it is offered
//! again once the client has seen that operation's receipt (alto 0.0.20 refuses a second
//! operation queued on the same key of a Nexus account with `AA23 reverted 0x`). A lane whose last
//! operation has an unknown outcome (the send may have reached the bundler) is held until its
//! receipt resolves it. When no lane is ready, the operation takes a fresh key (sequence 0)
//! instead of waiting, so a burst larger than the pool still goes out at once.

use crate::nonce::{FreshKeys, MAX_FREE_KEY, NonceStrategy};
use alloy_primitives::{B256, U256};
use std::sync::Mutex;

#[derive(Debug)]
struct Lane {
    key: u32,
    /// The next sequence to use; `None` until read from the chain.
    next: Option<u64>,
    /// The sequence the chain is known to have reached (from receipts).
    confirmed: u64,
    /// Sent at least once by this client (its slot is warm).
    used: bool,
    leased: bool,
    /// The hash of the last operation, when its outcome is unknown.
    held: Option<B256>,
}

impl Lane {
    fn free(&self) -> bool {
        !self.leased && self.held.is_none()
    }

    fn pending(&self) -> u64 {
        self.next.unwrap_or(0).saturating_sub(self.confirmed)
    }
}

/// How a leased operation ended, for its lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaneOutcome {
    /// The bundler accepted the operation: the lane's sequence moves on.
    Sent,
    /// The operation provably did not reach the mempool: the sequence is reused.
    NotSent,
    /// The send may have reached the bundler: the lane is held until `hash` is resolved.
    Unknown(B256),
}

/// The nonce lanes of one client.
#[derive(Debug)]
pub(crate) struct LanePool {
    fresh: FreshKeys,
    lanes: Mutex<Vec<Lane>>,
}

impl LanePool {
    pub(crate) fn new(strategy: NonceStrategy) -> Self {
        let fresh = FreshKeys::new();
        let lane = |key: u32, next: Option<u64>| Lane {
            key: key & MAX_FREE_KEY,
            next,
            confirmed: 0,
            used: false,
            leased: false,
            held: None,
        };
        let lanes = match strategy {
            NonceStrategy::FreshKeys => Vec::new(),
            NonceStrategy::RandomLanes { count } => {
                let first = fresh.next_keys(count);
                (0..count)
                    .map(|i| lane(first.wrapping_add(i), Some(0)))
                    .collect()
            }
            NonceStrategy::LaneRange { first, count } => {
                (0..count).map(|i| lane(first + i, None)).collect()
            }
        };
        Self {
            fresh,
            lanes: Mutex::new(lanes),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Lane>> {
        // A panic while holding the lock leaves consistent plain data behind.
        self.lanes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A lease on a ready lane (warm ones first), or on a fresh key when no lane is ready or
    /// the strategy is [`NonceStrategy::FreshKeys`].
    pub(crate) fn acquire(&self) -> Lease<'_> {
        let mut lanes = self.lock();
        let Some(slot) = pick(&lanes) else {
            return self.fresh_lease();
        };
        let lane = &mut lanes[slot];
        lane.leased = true;
        Lease {
            pool: self,
            slot: Some(slot),
            key: lane.key,
            sequence: lane.next,
            read: false,
            done: false,
        }
    }

    /// A lease on a fresh key (sequence 0) outside the pool.
    pub(crate) fn fresh_lease(&self) -> Lease<'_> {
        Lease {
            pool: self,
            slot: None,
            key: self.fresh.next_key(),
            sequence: Some(0),
            read: false,
            done: false,
        }
    }

    fn settle(&self, slot: usize, sequence: Option<u64>, read: bool, outcome: LaneOutcome) {
        let mut lanes = self.lock();
        let lane = &mut lanes[slot];
        lane.leased = false;
        if read && let Some(chain) = sequence {
            lane.confirmed = lane.confirmed.max(chain);
        }
        match outcome {
            LaneOutcome::Sent => {
                lane.next = sequence.map(|s| s + 1);
                lane.used = true;
            }
            LaneOutcome::NotSent => lane.next = sequence,
            LaneOutcome::Unknown(hash) => {
                lane.next = sequence.map(|s| s + 1);
                lane.used = true;
                lane.held = Some(hash);
            }
        }
    }

    /// What a receipt (or the chain) says about operation `hash` with nonce `(key, sequence)`:
    /// the lane's chain sequence is past `sequence`, and a lane held for `hash` is free again.
    pub(crate) fn landed(&self, hash: B256, key: u32, sequence: u64) {
        let mut lanes = self.lock();
        let Some(lane) = lanes.iter_mut().find(|l| l.key == key) else {
            return;
        };
        lane.confirmed = lane.confirmed.max(sequence + 1);
        if let Some(next) = &mut lane.next {
            *next = (*next).max(sequence + 1);
        }
        if lane.held == Some(hash) {
            lane.held = None;
        }
    }

    /// Resolves a held lane whose operation `hash` is known not to have landed and never to land
    /// (e.g. the bundler no longer has it): its sequence is reused.
    #[allow(dead_code, reason = "for the send-outcome resolution of unknown sends")]
    pub(crate) fn dropped(&self, hash: B256) {
        let mut lanes = self.lock();
        if let Some(lane) = lanes.iter_mut().find(|l| l.held == Some(hash)) {
            lane.held = None;
            lane.next = lane.next.map(|n| n.saturating_sub(1));
            lane.confirmed = lane.confirmed.min(lane.next.unwrap_or(0));
        }
    }

    /// `(leased, held, total)` lanes, for tests and diagnostics.
    #[cfg(test)]
    fn census(&self) -> (usize, usize, usize) {
        let lanes = self.lock();
        (
            lanes.iter().filter(|l| l.leased).count(),
            lanes.iter().filter(|l| l.held.is_some()).count(),
            lanes.len(),
        )
    }
}

/// The lane to lease next: a warm lane with no pending operation (sequential use keeps hitting
/// one warm slot), else a lane not used yet.
fn pick(lanes: &[Lane]) -> Option<usize> {
    let ready = |l: &Lane| l.free() && (!l.used || l.pending() == 0);
    let warm = lanes.iter().position(|l| l.used && ready(l));
    warm.or_else(|| lanes.iter().position(ready))
}

/// One operation's claim on a nonce: a pool lane (settled with [`Lease::settle`]) or a fresh key.
/// A lease dropped unsettled (its future was cancelled mid-send) has an unknown outcome without a
/// hash: its lane is re-read from the chain before its next use.
#[derive(Debug)]
pub(crate) struct Lease<'a> {
    pool: &'a LanePool,
    slot: Option<usize>,
    key: u32,
    sequence: Option<u64>,
    /// The sequence was read from the chain during this lease.
    read: bool,
    done: bool,
}

impl Lease<'_> {
    /// The free 3-byte key.
    pub(crate) fn key(&self) -> u32 {
        self.key
    }

    /// The sequence to use; `None` when it must be read from the chain first
    /// ([`Self::set_sequence`]).
    pub(crate) fn sequence(&self) -> Option<u64> {
        self.sequence
    }

    /// Whether this lease is a pool lane (not a fresh key).
    #[cfg(test)]
    pub(crate) fn is_lane(&self) -> bool {
        self.slot.is_some()
    }

    /// The sequence read from the chain (`EntryPoint.getNonce`).
    pub(crate) fn set_sequence(&mut self, chain: U256) {
        self.sequence = Some(chain.saturating_to::<u64>());
        self.read = true;
    }

    /// Ends the lease with what happened to its operation.
    pub(crate) fn settle(mut self, outcome: LaneOutcome) {
        self.done = true;
        if let Some(slot) = self.slot {
            self.pool.settle(slot, self.sequence, self.read, outcome);
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if !self.done
            && let Some(slot) = self.slot
        {
            // Cancelled mid-send: nothing proves where the lane stands, so ask the chain.
            self.pool.settle(slot, None, false, LaneOutcome::NotSent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_use_increments_one_warm_lane() {
        let pool = LanePool::new(NonceStrategy::lanes(4));
        let first = pool.acquire();
        let key = first.key();
        assert_eq!(first.sequence(), Some(0));
        first.settle(LaneOutcome::Sent);
        pool.landed(B256::ZERO, key, 0);
        // each operation waited for (its receipt seen) before the next
        for expected in 1..5 {
            let lease = pool.acquire();
            assert_eq!((lease.key(), lease.sequence()), (key, Some(expected)));
            lease.settle(LaneOutcome::Sent);
            pool.landed(B256::ZERO, key, expected);
        }
        // a refused operation leaves its sequence for the next one
        let lease = pool.acquire();
        assert_eq!(lease.sequence(), Some(5));
        lease.settle(LaneOutcome::NotSent);
        let lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (key, Some(5)));
        lease.settle(LaneOutcome::Sent);
    }

    #[test]
    fn a_lane_carries_one_pending_operation_then_fresh_keys_take_over() {
        let pool = LanePool::new(NonceStrategy::lanes(2));
        let a = pool.acquire();
        let b = pool.acquire();
        assert!(a.is_lane() && b.is_lane());
        assert_ne!(a.key(), b.key());
        let key_a = a.key();
        // both leased: a fresh key, no waiting
        let c = pool.acquire();
        assert!(!c.is_lane());
        assert_eq!(c.sequence(), Some(0));
        a.settle(LaneOutcome::Sent);
        b.settle(LaneOutcome::Sent);
        // sent but no receipt seen yet: not offered again
        assert!(!pool.acquire().is_lane());
        // a receipt for lane a's operation makes it ready, with the next sequence
        pool.landed(B256::ZERO, key_a, 0);
        let lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (key_a, Some(1)));
    }

    #[test]
    fn a_held_lane_waits_for_its_receipt_while_others_go_on() {
        let pool = LanePool::new(NonceStrategy::lanes(2));
        let lease = pool.acquire();
        let held_key = lease.key();
        let hash = B256::repeat_byte(7);
        lease.settle(LaneOutcome::Unknown(hash));
        assert_eq!(pool.census(), (0, 1, 2));
        let other = pool.acquire();
        assert!(other.is_lane());
        assert_ne!(other.key(), held_key, "held lane not leased");
        let other_key = other.key();
        other.settle(LaneOutcome::Sent);
        pool.landed(B256::ZERO, other_key, 0);
        let other = pool.acquire();
        assert_eq!(other.key(), other_key);
        other.settle(LaneOutcome::NotSent);
        // the receipt of the unknown operation frees its lane with the sequence after it
        pool.landed(hash, held_key, 0);
        assert_eq!(pool.census(), (0, 0, 2));
        // a held operation the bundler dropped gives its sequence back
        let pool = LanePool::new(NonceStrategy::lanes(1));
        let lease = pool.acquire();
        let key = lease.key();
        lease.settle(LaneOutcome::Unknown(hash));
        // every lane held: a fresh key rather than waiting
        assert!(!pool.acquire().is_lane());
        pool.dropped(hash);
        let lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (key, Some(0)));
    }

    #[test]
    fn ranges_are_read_once_and_cancellation_forces_a_read() {
        let pool = LanePool::new(NonceStrategy::lane_range(100, 2));
        let mut lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (100, None));
        lease.set_sequence(U256::from(41));
        lease.settle(LaneOutcome::Sent);
        pool.landed(B256::ZERO, 100, 41);
        let lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (100, Some(42)));
        drop(lease);
        let lease = pool.acquire();
        assert_eq!((lease.key(), lease.sequence()), (100, None), "re-read");
        lease.settle(LaneOutcome::NotSent);
        // disjoint ranges never share a key
        let other = LanePool::new(NonceStrategy::share(1, 2));
        let keys: Vec<u32> = other.lock().iter().map(|l| l.key).collect();
        assert_eq!(keys, vec![2, 3]);
    }

    #[test]
    fn fresh_keys_strategy_never_reuses() {
        let pool = LanePool::new(NonceStrategy::FreshKeys);
        let a = pool.acquire();
        let b = pool.acquire();
        assert!(!a.is_lane() && !b.is_lane());
        assert_ne!(a.key(), b.key());
        assert_eq!((a.sequence(), b.sequence()), (Some(0), Some(0)));
    }
}
