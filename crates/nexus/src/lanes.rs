//! The nonce lane pool of one client ([`NonceStrategy`]): which key the next operation uses and
//! the sequence it carries, tracked locally.
//!
//! A lane is leased for the build-sign-send of one operation, so operations on one lane are sent
//! in sequence order; its sequence moves on only when the bundler accepted the operation. A lane
//! whose last operation has an unknown outcome (the send may have reached the bundler) is held,
//! out of the pool, until a receipt or a chain read resolves it; the other lanes go on, and when
//! every lane is held the pool falls back to fresh keys rather than wait.

use crate::nonce::{FreshKeys, MAX_FREE_KEY, NonceStrategy};
use alloy_primitives::{B256, U256};
use std::sync::Mutex;
use tokio::sync::Notify;

/// Operations a lane may have sent beyond its last confirmed sequence before the pool prefers
/// another lane (alto queues at most 10 per key).
const SOFT_DEPTH: u64 = 4;

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
    freed: Notify,
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
            freed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Lane>> {
        // A panic while holding the lock leaves consistent plain data behind.
        self.lanes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A lease on the best free lane (waiting while every lane is leased), or a fresh key when
    /// the strategy is [`NonceStrategy::FreshKeys`] or every lane is held.
    pub(crate) async fn acquire(&self) -> Lease<'_> {
        loop {
            let freed = self.freed.notified();
            {
                let mut lanes = self.lock();
                if let Some(slot) = pick(&lanes) {
                    let lane = &mut lanes[slot];
                    lane.leased = true;
                    return Lease {
                        pool: self,
                        slot: Some(slot),
                        key: lane.key,
                        sequence: lane.next,
                        read: false,
                        done: false,
                    };
                }
                if !lanes.iter().any(|l| l.leased) {
                    return self.fresh_lease();
                }
            }
            freed.await;
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
        {
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
        self.freed.notify_one();
    }

    /// What a receipt (or the chain) says about operation `hash` with nonce `(key, sequence)`:
    /// the lane's chain sequence is past `sequence`, and a lane held for `hash` is free again.
    pub(crate) fn landed(&self, hash: B256, key: u32, sequence: u64) {
        let released = {
            let mut lanes = self.lock();
            let Some(lane) = lanes.iter_mut().find(|l| l.key == key) else {
                return;
            };
            lane.confirmed = lane.confirmed.max(sequence + 1);
            if let Some(next) = &mut lane.next {
                *next = (*next).max(sequence + 1);
            }
            let released = lane.held == Some(hash);
            if released {
                lane.held = None;
            }
            released
        };
        if released {
            self.freed.notify_one();
        }
    }

    /// Resolves a held lane whose operation `hash` is known not to have landed and never to land
    /// (e.g. the bundler no longer has it): its sequence is reused.
    #[allow(dead_code, reason = "for the send-outcome resolution of unknown sends")]
    pub(crate) fn dropped(&self, hash: B256) {
        let released = {
            let mut lanes = self.lock();
            match lanes.iter_mut().find(|l| l.held == Some(hash)) {
                Some(lane) => {
                    lane.held = None;
                    lane.next = lane.next.map(|n| n.saturating_sub(1));
                    true
                }
                None => false,
            }
        };
        if released {
            self.freed.notify_one();
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

/// The free lane to lease next: a warm lane with few unconfirmed operations (sequential use keeps
/// hitting one warm slot), else a lane not used yet, else the least loaded warm one.
fn pick(lanes: &[Lane]) -> Option<usize> {
    let free = || lanes.iter().enumerate().filter(|(_, l)| l.free());
    let least_loaded = |warm: bool| {
        free()
            .filter(|(_, l)| l.used == warm)
            .min_by_key(|(_, l)| l.pending())
            .map(|(i, _)| i)
    };
    match least_loaded(true) {
        Some(i) if lanes[i].pending() < SOFT_DEPTH => Some(i),
        warm => least_loaded(false).or(warm),
    }
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
    use std::{sync::Arc, time::Duration};

    #[tokio::test]
    async fn sequential_use_increments_one_warm_lane() {
        let pool = LanePool::new(NonceStrategy::lanes(4));
        let first = pool.acquire().await;
        let key = first.key();
        assert_eq!(first.sequence(), Some(0));
        first.settle(LaneOutcome::Sent);
        pool.landed(B256::ZERO, key, 0);
        // each operation waited for (its receipt seen) before the next
        for expected in 1..5 {
            let lease = pool.acquire().await;
            assert_eq!((lease.key(), lease.sequence()), (key, Some(expected)));
            lease.settle(LaneOutcome::Sent);
            pool.landed(B256::ZERO, key, expected);
        }
        // a refused operation leaves its sequence for the next one
        let lease = pool.acquire().await;
        assert_eq!(lease.sequence(), Some(5));
        lease.settle(LaneOutcome::NotSent);
        let lease = pool.acquire().await;
        assert_eq!((lease.key(), lease.sequence()), (key, Some(5)));
        lease.settle(LaneOutcome::Sent);
    }

    #[tokio::test]
    async fn busy_lanes_spread_and_deep_lanes_are_avoided() {
        let pool = LanePool::new(NonceStrategy::lanes(3));
        let a = pool.acquire().await;
        let b = pool.acquire().await;
        assert_ne!(a.key(), b.key());
        let key_a = a.key();
        a.settle(LaneOutcome::Sent);
        b.settle(LaneOutcome::Sent);
        // without receipts a lane's unconfirmed depth grows; past SOFT_DEPTH a fresh lane is used
        let mut keys = Vec::new();
        for _ in 0..(2 * SOFT_DEPTH + 2) {
            let lease = pool.acquire().await;
            keys.push(lease.key());
            lease.settle(LaneOutcome::Sent);
        }
        assert!(keys.iter().filter(|k| **k == key_a).count() <= SOFT_DEPTH as usize);
        // a receipt for lane a's latest operation makes it the shallow warm lane again
        pool.landed(B256::ZERO, key_a, 10);
        let lease = pool.acquire().await;
        assert_eq!(lease.key(), key_a);
        assert_eq!(lease.sequence(), Some(11));
    }

    #[tokio::test]
    async fn a_held_lane_waits_for_its_receipt_while_others_go_on() {
        let pool = LanePool::new(NonceStrategy::lanes(2));
        let lease = pool.acquire().await;
        let held_key = lease.key();
        let hash = B256::repeat_byte(7);
        lease.settle(LaneOutcome::Unknown(hash));
        assert_eq!(pool.census(), (0, 1, 2));
        for _ in 0..3 {
            let other = pool.acquire().await;
            assert_ne!(other.key(), held_key, "held lane not leased");
            other.settle(LaneOutcome::Sent);
        }
        // the receipt of the unknown operation frees its lane with the sequence after it
        pool.landed(hash, held_key, 0);
        assert_eq!(pool.census(), (0, 0, 2));
        // a held operation the bundler dropped gives its sequence back
        let pool = LanePool::new(NonceStrategy::lanes(1));
        let lease = pool.acquire().await;
        let key = lease.key();
        lease.settle(LaneOutcome::Unknown(hash));
        // every lane held: a fresh key rather than waiting forever
        let fresh = pool.acquire().await;
        assert!(!fresh.is_lane());
        pool.dropped(hash);
        let lease = pool.acquire().await;
        assert_eq!((lease.key(), lease.sequence()), (key, Some(0)));
    }

    #[tokio::test]
    async fn waiters_get_a_lane_when_one_is_settled() {
        let pool = Arc::new(LanePool::new(NonceStrategy::lanes(1)));
        let lease = pool.acquire().await;
        let waiter = tokio::spawn({
            let pool = Arc::clone(&pool);
            async move {
                let lease = pool.acquire().await;
                let seen = lease.sequence();
                lease.settle(LaneOutcome::Sent);
                seen
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "the only lane is leased");
        lease.settle(LaneOutcome::Sent);
        assert_eq!(waiter.await.unwrap(), Some(1));
    }

    #[tokio::test]
    async fn ranges_are_read_once_and_cancellation_forces_a_read() {
        let pool = LanePool::new(NonceStrategy::lane_range(100, 2));
        let mut lease = pool.acquire().await;
        assert_eq!((lease.key(), lease.sequence()), (100, None));
        lease.set_sequence(U256::from(41));
        lease.settle(LaneOutcome::Sent);
        let lease = pool.acquire().await;
        assert_eq!((lease.key(), lease.sequence()), (100, Some(42)));
        drop(lease);
        let lease = pool.acquire().await;
        assert_eq!((lease.key(), lease.sequence()), (100, None), "re-read");
        lease.settle(LaneOutcome::NotSent);
        // disjoint ranges never share a key
        let other = LanePool::new(NonceStrategy::share(1, 2));
        let keys: Vec<u32> = other.lock().iter().map(|l| l.key).collect();
        assert_eq!(keys, vec![2, 3]);
    }

    #[tokio::test]
    async fn fresh_keys_strategy_never_reuses() {
        let pool = LanePool::new(NonceStrategy::FreshKeys);
        let a = pool.acquire().await;
        let b = pool.acquire().await;
        assert!(!a.is_lane() && !b.is_lane());
        assert_ne!(a.key(), b.key());
        assert_eq!((a.sequence(), b.sequence()), (Some(0), Some(0)));
    }
}
