//! The receipt-polling schedule of [`BundlerClient::wait_for_receipt`](crate::BundlerClient::wait_for_receipt).

use std::time::Duration;

/// How often [`BundlerClient::wait_for_receipt`](crate::BundlerClient::wait_for_receipt) asks
/// `eth_getUserOperationReceipt`: a short constant `interval` during a fast phase, then an interval
/// that doubles up to `max_interval`.
///
/// Local devnets and most L2s include an operation within a second or two, so during the fast phase
/// a receipt is seen at most one `interval` after it exists (a pure back-off from 50 ms would leave
/// a 300 ms inclusion unseen until the 750 ms poll). Slow chains and stuck operations then cost about
/// one request per `max_interval`.
///
/// **Request rate.** Every operation waited on costs up to `fast_phase / interval` requests in the
/// fast phase (default: 3 s / 50 ms = 60, i.e. 20 requests per second per operation), then one per
/// `max_interval` at most. With many operations in flight against a rate-limited hosted bundler,
/// raise `interval` or shorten `fast_phase`; [`ReceiptPolling::backoff`] (fast phase of zero) gives
/// the fewest requests, [`ReceiptPolling::fixed`] the lowest latency.
///
/// ```
/// use nexus_sessions_bundler::ReceiptPolling;
/// use std::time::Duration;
///
/// let ms = Duration::from_millis;
/// let polling = ReceiptPolling::default();
/// assert_eq!(polling.next_delay(ms(1_000), Some(ms(50))), ms(50)); // fast phase
/// assert_eq!(polling.next_delay(ms(3_000), Some(ms(50))), ms(100)); // then doubling
/// assert_eq!(polling.next_delay(ms(9_000), Some(ms(800))), ms(1_000)); // up to the cap
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptPolling {
    interval: Duration,
    fast_phase: Duration,
    max_interval: Duration,
}

impl Default for ReceiptPolling {
    /// Every 50 ms for the first 3 s, then 100, 200, 400, 800 ms and every 1 s.
    fn default() -> Self {
        Self::new(
            Duration::from_millis(50),
            Duration::from_secs(3),
            Duration::from_secs(1),
        )
    }
}

impl ReceiptPolling {
    /// The shortest interval accepted: a zero interval would poll in a busy loop.
    pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

    /// Every `interval` until `fast_phase` has passed since the wait began, then doubling up to
    /// `max_interval`. `interval` is at least [`Self::MIN_INTERVAL`]; `max_interval` at least
    /// `interval`.
    pub fn new(interval: Duration, fast_phase: Duration, max_interval: Duration) -> Self {
        let interval = interval.max(Self::MIN_INTERVAL);
        Self {
            interval,
            fast_phase,
            max_interval: max_interval.max(interval),
        }
    }

    /// Every `interval`, for the whole wait.
    pub fn fixed(interval: Duration) -> Self {
        Self::new(interval, Duration::MAX, interval)
    }

    /// No fast phase: `initial`, doubling up to `max`.
    pub fn backoff(initial: Duration, max: Duration) -> Self {
        Self::new(initial, Duration::ZERO, max)
    }

    /// The constant interval of the fast phase, and the first step of the back-off.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long after the wait began the constant interval is kept.
    pub fn fast_phase(&self) -> Duration {
        self.fast_phase
    }

    /// The cap of the back-off.
    pub fn max_interval(&self) -> Duration {
        self.max_interval
    }

    /// The pause before the next poll, `elapsed` after the wait began; `previous` is the pause
    /// before the poll just made (`None` after the first poll).
    pub fn next_delay(&self, elapsed: Duration, previous: Option<Duration>) -> Duration {
        if elapsed < self.fast_phase {
            return self.interval;
        }
        previous
            .map_or(self.interval, |p| p.saturating_mul(2))
            .clamp(self.interval, self.max_interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The pauses of a wait whose polls take no time, until `total` has passed.
    fn schedule(polling: ReceiptPolling, total: Duration) -> Vec<Duration> {
        let (mut elapsed, mut previous, mut out) = (Duration::ZERO, None, Vec::new());
        while elapsed < total {
            let delay = polling.next_delay(elapsed, previous);
            out.push(delay);
            previous = Some(delay);
            elapsed += delay;
        }
        out
    }

    #[test]
    fn constant_during_the_fast_phase_then_doubling_to_the_cap() {
        let polling = ReceiptPolling::new(ms(50), ms(3_000), ms(1_000));
        let delays = schedule(polling, ms(8_000));
        // 0, 50, ..., 2950 ms are inside the fast phase: 60 pauses of 50 ms
        assert!(delays[..60].iter().all(|d| *d == ms(50)), "{delays:?}");
        assert_eq!(
            delays[60..66],
            [ms(100), ms(200), ms(400), ms(800), ms(1_000), ms(1_000)]
        );
        assert!(delays[64..].iter().all(|d| *d == ms(1_000)));
        assert_eq!(polling, ReceiptPolling::default());
    }

    #[test]
    fn backoff_and_fixed_are_the_two_ends() {
        let backoff = schedule(ReceiptPolling::backoff(ms(10), ms(40)), ms(200));
        assert_eq!(backoff[..5], [ms(10), ms(20), ms(40), ms(40), ms(40)]);
        let fixed = schedule(ReceiptPolling::fixed(ms(20)), ms(10_000));
        assert_eq!(fixed.len(), 500);
        assert!(fixed.iter().all(|d| *d == ms(20)));
    }

    #[test]
    fn degenerate_settings_are_normalised() {
        let p = ReceiptPolling::new(Duration::ZERO, ms(100), ms(0));
        assert_eq!(p.interval(), ReceiptPolling::MIN_INTERVAL);
        assert_eq!(p.max_interval(), ReceiptPolling::MIN_INTERVAL);
        assert_eq!(
            p.next_delay(Duration::ZERO, None),
            ReceiptPolling::MIN_INTERVAL
        );
        // a huge previous pause does not overflow
        let p = ReceiptPolling::backoff(ms(1), Duration::MAX);
        assert_eq!(p.next_delay(ms(5), Some(Duration::MAX)), Duration::MAX);
    }
}
