//! Per-method request counters (each HTTP attempt is one round trip).

use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// A snapshot of how many requests a [`BundlerClient`](crate::BundlerClient) made, per JSON-RPC method.
///
/// Every attempt counts, including retries, so the numbers are network round trips.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// All requests.
    pub total: u64,
    /// Requests per JSON-RPC method.
    pub by_method: BTreeMap<String, u64>,
}

impl RequestCounts {
    /// Requests made for `method` (0 if none).
    pub fn get(&self, method: &str) -> u64 {
        self.by_method.get(method).copied().unwrap_or(0)
    }

    /// The requests made between `earlier` (a snapshot of the same client) and this snapshot;
    /// methods without new requests are left out. Counts reset in between saturate at zero.
    ///
    /// ```
    /// # async fn run(bundler: nexus_sessions_bundler::BundlerClient) {
    /// let before = bundler.request_counts();
    /// // ... send operations ...
    /// let sent = bundler.request_counts().since(&before).get("eth_sendUserOperation");
    /// # }
    /// ```
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            total: self.total.saturating_sub(earlier.total),
            by_method: self
                .by_method
                .iter()
                .map(|(method, n)| (method.clone(), n.saturating_sub(earlier.get(method))))
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RequestCounter {
    total: AtomicU64,
    by_method: Mutex<BTreeMap<&'static str, u64>>,
}

impl RequestCounter {
    pub(crate) fn record(&self, method: &'static str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        // A poisoned lock only means another thread panicked mid-increment; the map is still usable.
        let mut map = self.by_method.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(method).or_default() += 1;
    }

    pub(crate) fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        let map = self.by_method.lock().unwrap_or_else(|e| e.into_inner());
        RequestCounts {
            total: self.total(),
            by_method: map.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
    }

    pub(crate) fn reset(&self) {
        let mut map = self.by_method.lock().unwrap_or_else(|e| e.into_inner());
        map.clear();
        self.total.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_subtracts_per_method_and_drops_unchanged_methods() {
        let counter = RequestCounter::default();
        counter.record("eth_chainId");
        counter.record("eth_estimateUserOperationGas");
        let before = counter.snapshot();
        counter.record("eth_estimateUserOperationGas");
        counter.record("eth_sendUserOperation");
        counter.record("eth_sendUserOperation");
        let delta = counter.snapshot().since(&before);
        assert_eq!(delta.total, 3);
        assert_eq!(delta.get("eth_sendUserOperation"), 2);
        assert_eq!(delta.get("eth_estimateUserOperationGas"), 1);
        assert_eq!(delta.get("eth_chainId"), 0);
        assert_eq!(delta.by_method.len(), 2, "{delta:?}");
        // a reset in between does not underflow
        counter.reset();
        assert_eq!(counter.snapshot().since(&before), RequestCounts::default());
    }
}
