//! `eth_sendUserOperation` with an outcome that is always known or honestly unknown.
//!
//! Every error of [`BundlerClient::send_user_operation`] is one of two kinds:
//! - **not sent** ([`BundlerError::is_definitely_not_sent`]): the first attempt that reached the
//!   bundler was refused with a typed rejection, or no attempt reached it (refused connections), or
//!   the operation failed a local check;
//! - **unknown** ([`BundlerError::OutcomeUnknown`], with the userOpHash and the signed operation):
//!   an attempt may have reached the bundler and nothing since settled whether it took the operation.
//!
//! Before reporting unknown the client looks the operation up for
//! [`send_lookup`](crate::BundlerClientBuilder::send_lookup): it resends the **same** signed operation
//! (a second landing is impossible, the EntryPoint consumes its nonce) and asks
//! `eth_getUserOperationByHash`.

use crate::{BundlerClient, BundlerError, UserOperationByHash, client::Failure};
use alloy_primitives::{Address, B256};
use nexus_sessions_userop::UserOperation;
use std::time::Instant;

const METHOD: &str = "eth_sendUserOperation";

/// What one send round said about the operation.
enum Verdict {
    /// The bundler has the operation (accepted now, before, or already included).
    Taken(B256),
    /// The bundler refused the operation and nothing had reached it before.
    Refused(BundlerError),
    /// Not settled; the fault seen.
    Unclear(BundlerError),
}

impl BundlerClient {
    /// `eth_sendUserOperation`: submits `op` to `entry_point` and returns its userOpHash once the
    /// bundler has it.
    ///
    /// **Exactly once.** Safe to call again with the same signed operation, whatever happened before:
    /// "already known" / "already in mempool" counts as success, and so does a refusal (AA25 nonce
    /// used, AA10 sender already constructed, or a validation that now fails because the first
    /// landing used up a session) when `eth_getUserOperationByHash` shows this very operation, i.e.
    /// an earlier attempt was included. Every refusal is looked up once this way before it is
    /// reported.
    ///
    /// **Errors are classified.** Transport faults are retried with the same operation. When an
    /// attempt may have reached the bundler but the outcome stayed unclear (answer lost or late, 5xx
    /// or 429 from a gateway, unreadable body, wrong JSON-RPC id, an error that proves no rejection),
    /// the client keeps resending the same operation and looking it up for
    /// [`send_lookup`](crate::BundlerClientBuilder::send_lookup), then reports
    /// [`BundlerError::OutcomeUnknown`] carrying the userOpHash and the operation. Every other error
    /// means the operation was not sent ([`BundlerError::is_definitely_not_sent`]).
    ///
    /// The chain id comes from the builder, else one `eth_chainId` (before anything is sent).
    pub async fn send_user_operation(
        &self,
        op: &UserOperation,
        entry_point: Address,
    ) -> Result<B256, BundlerError> {
        op.validate()?;
        let hash = op.hash(entry_point, self.chain_id().await?);
        let params = (op, entry_point);
        let first = self
            .call_with::<_, B256>(METHOD, &params, self.inner.config.max_retries)
            .await;
        let failure = match first {
            Ok(returned) => {
                if returned != hash {
                    tracing::warn!(%returned, local = %hash, "bundler returned a userOpHash that differs from the local one; check the chain id and entry point");
                }
                return Ok(returned);
            }
            Err(failure) => failure,
        };
        let cause = match self.judge(hash, failure).await {
            Verdict::Taken(hash) => return Ok(hash),
            Verdict::Refused(err) => return Err(err),
            Verdict::Unclear(cause) => cause,
        };
        self.look_up(op, entry_point, hash, cause).await
    }

    /// What a failed send says: taken, refused, or unclear.
    async fn judge(&self, hash: B256, failure: Failure) -> Verdict {
        let Failure {
            error,
            maybe_delivered,
            delivered_before,
        } = failure;
        if error.is_already_known() {
            tracing::debug!(%hash, "bundler already has the operation; treating the send as done");
            return Verdict::Taken(hash);
        }
        if !maybe_delivered {
            // Refused connections / a server that refused the request itself: nothing arrived.
            return Verdict::Refused(error);
        }
        if error.is_rejection() {
            // A resend of an operation an earlier call got included is refused too: AA25 (nonce
            // used), AA10 for one with a factory, or whatever validation now fails first (a used-up
            // session: AA23). If the bundler shows this very operation, the send did happen.
            match self.get_user_operation_by_hash(hash).await {
                Ok(Some(_)) => {
                    tracing::debug!(%hash, aa = ?error.aa_code(), "refused, but the bundler has this very operation; treating the send as done");
                    return Verdict::Taken(hash);
                }
                Ok(None) => {}
                Err(_) => return Verdict::Unclear(error),
            }
            // Proof only for the first attempt that reached the bundler: after an earlier one that
            // may have landed, the refusal can be the consequence of that landing.
            if !delivered_before {
                return Verdict::Refused(error);
            }
        }
        Verdict::Unclear(error)
    }

    /// The operation may have reached the bundler: resend it and look it up until the window
    /// closes. Any refusal now proves nothing (the first attempt may have landed and changed the
    /// state the resend is validated against), so only "the bundler has it" ends the search early.
    async fn look_up(
        &self,
        op: &UserOperation,
        entry_point: Address,
        hash: B256,
        mut cause: BundlerError,
    ) -> Result<B256, BundlerError> {
        let config = &self.inner.config;
        let start = Instant::now();
        let mut previous = None;
        loop {
            tracing::debug!(%hash, %cause, "send outcome unclear; looking the operation up");
            // One attempt per request here: the rounds are the retries, and the window stays
            // bounded (at most two request timeouts past `send_lookup`).
            let known = self
                .call_with::<_, Option<UserOperationByHash>>(
                    "eth_getUserOperationByHash",
                    &[hash],
                    0,
                )
                .await;
            match known {
                Ok(Some(_)) => return Ok(hash),
                Ok(None) => {}
                Err(f) => cause = f.error,
            }
            match self
                .call_with::<_, B256>(METHOD, &(op, entry_point), 0)
                .await
            {
                Ok(_) => return Ok(hash),
                Err(f) if f.error.is_already_known() => return Ok(hash),
                Err(f) if f.error.is_rejection() => {
                    // Refused now: taken only if the bundler shows it (included by an earlier attempt).
                    if let Ok(Some(_)) = self.get_user_operation_by_hash(hash).await {
                        return Ok(hash);
                    }
                }
                Err(f) => cause = f.error,
            }
            if start.elapsed() >= config.send_lookup {
                break;
            }
            let delay = config.polling.next_delay(start.elapsed(), previous);
            previous = Some(delay);
            tokio::time::sleep(delay.min(config.send_lookup.saturating_sub(start.elapsed()))).await;
        }
        tracing::warn!(%hash, %cause, "outcome of the user operation unknown");
        Err(BundlerError::OutcomeUnknown {
            hash,
            user_operation: Box::new(op.clone()),
            cause: Box::new(cause),
        })
    }
}
