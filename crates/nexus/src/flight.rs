//! Single-flight cold reads: any number of concurrent callers share one fetch.

use std::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
};
use tokio::sync::Mutex;

/// One cached read fetched at most once for all the callers that wait on it together.
///
/// A caller gets the cached value while `reuse` accepts it; otherwise it queues for the fetch,
/// and when its turn comes it takes the value of any fetch that completed after it arrived
/// (whatever `reuse` says) rather than fetching again. An error is returned to the caller whose
/// fetch failed and nothing is cached, so the next caller in the queue fetches anew.
#[derive(Debug, Default)]
pub(crate) struct Flight<T> {
    /// Completed fetches, bumped after the value is stored.
    fetched: AtomicU64,
    value: Mutex<Option<T>>,
}

impl<T: Clone> Flight<T> {
    pub(crate) fn new() -> Self {
        Self {
            fetched: AtomicU64::new(0),
            value: Mutex::new(None),
        }
    }

    /// The cached value if `reuse` accepts it, the value of a fetch that completed while this
    /// caller waited, or the result of `fetch`.
    pub(crate) async fn get<E, F, Fut>(&self, reuse: impl Fn(&T) -> bool, fetch: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let arrived = self.fetched.load(Ordering::Acquire);
        let mut slot = self.value.lock().await;
        if let Some(v) = slot.as_ref()
            && (reuse(v) || self.fetched.load(Ordering::Acquire) > arrived)
        {
            return Ok(v.clone());
        }
        let value = fetch().await?;
        *slot = Some(value.clone());
        self.fetched.fetch_add(1, Ordering::Release);
        Ok(value)
    }

    /// The cached value, if any, without waiting for a fetch in progress.
    #[cfg(test)]
    pub(crate) fn peek(&self) -> Option<T> {
        self.value.try_lock().ok().and_then(|v| v.clone())
    }

    /// Forgets the cached value (the next caller fetches).
    pub(crate) async fn forget(&self) {
        *self.value.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::{Arc, atomic::AtomicUsize},
        time::Duration,
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch_and_errors_are_not_cached() {
        let flight = Arc::new(Flight::<u32>::new());
        let fetches = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (flight, fetches) = (Arc::clone(&flight), Arc::clone(&fetches));
                tokio::spawn(async move {
                    // `reuse` refuses every cached value: only sharing keeps this at one fetch
                    flight
                        .get(
                            |_| false,
                            || async {
                                fetches.fetch_add(1, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(30)).await;
                                Ok::<_, ()>(7)
                            },
                        )
                        .await
                })
            })
            .collect();
        // all 50 arrive within the first fetch's 30 ms
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(7));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        // later callers refetch when `reuse` says no, reuse when it says yes
        assert_eq!(
            flight.get(|_| false, || async { Ok::<_, ()>(8) }).await,
            Ok(8)
        );
        assert_eq!(
            flight.get(|_| true, || async { Ok::<_, ()>(9) }).await,
            Ok(8)
        );
        assert_eq!(flight.peek(), Some(8));

        // an error is not cached
        let failing = Flight::<u32>::new();
        assert_eq!(
            failing.get(|_| true, || async { Err("down") }).await,
            Err("down")
        );
        assert_eq!(failing.peek(), None);
        assert_eq!(
            failing.get(|_| true, || async { Ok::<_, &str>(1) }).await,
            Ok(1)
        );
        failing.forget().await;
        assert_eq!(failing.peek(), None);
    }
}
