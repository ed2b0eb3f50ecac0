//! Receipt waiting that rides out bundler faults and resends operations the bundler forgot.

use crate::{BundlerClient, BundlerError, RpcErrorKind, UserOperationReceipt};
use alloy_primitives::{Address, B256};
use nexus_sessions_userop::UserOperation;
use std::time::{Duration, Instant};
use tracing::Instrument;

impl BundlerClient {
    /// Polls `eth_getUserOperationReceipt` until the operation is included or `timeout` passes.
    ///
    /// Polls at once, then as [`BundlerClientBuilder::receipt_polling`](crate::BundlerClientBuilder::receipt_polling)
    /// says (default: every 50 ms for the first 3 s, then doubling up to 1 s). Faults while polling
    /// (unreachable bundler, timeouts, unreadable answers, JSON-RPC errors) are ridden out until the
    /// deadline ([`ride_out_receipt_faults`](crate::BundlerClientBuilder::ride_out_receipt_faults));
    /// only a bundler without the receipt method ends the wait early. On timeout the error is
    /// [`BundlerError::ReceiptTimeout`] carrying the hash: the operation may still be included.
    ///
    /// Holding the signed operation, prefer [`Self::wait_or_resend`]: it also resends an operation
    /// the bundler lost.
    pub async fn wait_for_receipt(
        &self,
        hash: B256,
        timeout: Duration,
    ) -> Result<UserOperationReceipt, BundlerError> {
        self.wait(hash, None, timeout).await
    }

    /// [`Self::wait_for_receipt`] for a signed operation already sent: when the bundler no longer
    /// knows it (no receipt and `eth_getUserOperationByHash` answers `null` for
    /// [`resend_forgotten_after`](crate::BundlerClientBuilder::resend_forgotten_after), e.g. after a
    /// restart lost its mempool), the same signed operation is sent again. The operation cannot land
    /// twice: the EntryPoint consumes its nonce.
    ///
    /// This is also the recovery for [`BundlerError::OutcomeUnknown`]: pass its operation here.
    pub async fn wait_or_resend(
        &self,
        op: &UserOperation,
        entry_point: Address,
        timeout: Duration,
    ) -> Result<UserOperationReceipt, BundlerError> {
        let hash = op.hash(entry_point, self.chain_id().await?);
        self.wait(hash, Some((op, entry_point)), timeout).await
    }

    async fn wait(
        &self,
        hash: B256,
        resend: Option<(&UserOperation, Address)>,
        timeout: Duration,
    ) -> Result<UserOperationReceipt, BundlerError> {
        let config = &self.inner.config;
        let start = Instant::now();
        let deadline = tokio::time::Instant::from_std(start + timeout);
        let mut previous = None;
        let mut known_at = Instant::now();
        let span = tracing::debug_span!("wait_for_receipt", %hash);
        async {
            loop {
                match tokio::time::timeout_at(deadline, self.get_user_operation_receipt(hash)).await
                {
                    Ok(Ok(Some(receipt))) => return Ok(receipt),
                    Ok(Ok(None)) => {}
                    Ok(Err(err)) if self.ends_wait(&err) => return Err(err),
                    Ok(Err(err)) => tracing::debug!(%err, "receipt poll failed; polling on"),
                    Err(_) => break,
                }
                if let (Some((op, entry_point)), Some(after)) =
                    (resend, config.resend_forgotten_after)
                    && known_at.elapsed() >= after
                {
                    let check = self.resend_if_forgotten(op, entry_point, hash);
                    if let Ok(true) = tokio::time::timeout_at(deadline, check).await {
                        known_at = Instant::now();
                    }
                }
                let delay = config.polling.next_delay(start.elapsed(), previous);
                previous = Some(delay);
                if tokio::time::Instant::now() + delay >= deadline {
                    // One last look at the deadline rather than giving up early.
                    tokio::time::sleep_until(deadline).await;
                    if let Ok(Some(receipt)) = self.get_user_operation_receipt(hash).await {
                        return Ok(receipt);
                    }
                    break;
                }
                tokio::time::sleep(delay).await;
            }
            Err(BundlerError::ReceiptTimeout {
                hash,
                waited: start.elapsed(),
            })
        }
        .instrument(span)
        .await
    }

    /// Whether a failed receipt poll ends the wait.
    fn ends_wait(&self, err: &BundlerError) -> bool {
        match err {
            // No receipt method: waiting cannot succeed.
            BundlerError::Rpc {
                kind: RpcErrorKind::MethodNotFound,
                ..
            } => true,
            BundlerError::Transport { .. } | BundlerError::Timeout { .. } => false,
            _ => !self.inner.config.ride_out_receipt_faults,
        }
    }

    /// Asks whether the bundler still knows the operation and resends it if not; `true` when the
    /// bundler has it afterwards (known, accepted again, or already included).
    async fn resend_if_forgotten(
        &self,
        op: &UserOperation,
        entry_point: Address,
        hash: B256,
    ) -> bool {
        match self.get_user_operation_by_hash(hash).await {
            Ok(Some(_)) => return true,
            Ok(None) => {}
            Err(_) => return false,
        }
        tracing::info!(%hash, "the bundler no longer knows the pending operation; resending it");
        match self
            .call_with::<_, B256>("eth_sendUserOperation", &(op, entry_point), 0)
            .await
        {
            Ok(_) => true,
            Err(f) if f.error.is_already_known() => true,
            // AA25: included meanwhile (the next receipt poll shows it) or replaced; either way
            // resending again is pointless for a while.
            Err(f) => f.error.is_rejection(),
        }
    }
}
