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
