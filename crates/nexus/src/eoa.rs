//! The EIP-7702 side of [`NexusClient`](crate::NexusClient): the owner's EOA delegated to the Nexus 1.2
//! implementation is the account, at its own address.
//!
//! Rules this follows (measured on Nexus 1.2.0, anvil `--hardfork prague`, alto 0.0.20):
//! - delegation rides in the first user operation (`eip7702Auth`, authorization nonce = the EOA's
//!   transaction nonce, no factory fields) or in the EOA's own type-4 transaction (nonce + 1);
//! - a wrong authorization nonce is skipped silently, so the code is read again afterwards;
//! - the account is never initialized: the default validator falls back to the EOA as owner, and
//!   `initializeAccount` either reverts (EOA as owner) or replaces the EOA as signer.

use crate::{
    delegation::{AuthorizationCarrier, DelegationState, sign_authorization},
    deployment::Deployment,
    error::Error,
    execution::Call,
    node::Node,
    sender::SendOptions,
};
use alloy_consensus::{SignableTransaction, TxEip7702};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use nexus_sessions_types::NexusVersion;
use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

/// `initializeAccount(bytes)`: never sent to a delegated EOA (see the module docs).
const INITIALIZE_ACCOUNT: [u8; 4] = [0x4b, 0x6a, 0x14, 0x19];

/// Gas limit of a delegation transaction (21000 + 25000 per authorization + Nexus `receive`).
const DELEGATION_TX_GAS: u64 = 100_000;

/// How an EIP-7702 account gets delegated when it is not yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DelegateVia {
    /// In the first user operation (`eip7702Auth`; the bundler sends the bundle as a type-4
    /// transaction). The EOA needs no ETH for it beyond the operation's prefund.
    #[default]
    UserOperation,
    /// A type-4 transaction the EOA sends itself, before the first operation (the EOA pays its gas).
    Transaction,
}

/// The delegation bookkeeping of one EIP-7702 account.
#[derive(Debug)]
pub(crate) struct Eoa {
    pub(crate) implementation: Address,
    pub(crate) via: DelegateVia,
    /// Cached once the code was seen delegating to Nexus.
    delegated: AtomicBool,
    /// Cleared by an explicit un-delegation: operations then fail until a re-delegation instead of
    /// delegating again on their own.
    auto_delegate: AtomicBool,
    /// userOpHashes of operations carrying an authorization, checked when their receipt arrives.
    pending: Mutex<Vec<B256>>,
}

impl Eoa {
    /// Checks the deployment can serve EIP-7702 accounts: Nexus 1.2 with a known implementation.
    pub(crate) fn new(deployment: &Deployment, via: DelegateVia) -> Result<Self, Error> {
        if deployment.nexus_version != NexusVersion::V1_2 {
            return Err(Error::Eip7702Unsupported {
                version: deployment.nexus_version,
            });
        }
        let implementation = deployment.implementation.ok_or(Error::Eip7702Refused {
            account: Address::ZERO,
            reason: "the deployment names no Nexus implementation to delegate to",
        })?;
        Ok(Self {
            implementation,
            via,
            delegated: AtomicBool::new(false),
            auto_delegate: AtomicBool::new(true),
            pending: Mutex::new(Vec::new()),
        })
    }

    /// The EOA's delegation, read from its code (updates the cache).
    pub(crate) async fn state(
        &self,
        node: &Node,
        account: Address,
    ) -> Result<DelegationState, Error> {
        let state = DelegationState::from_code(&node.code(account).await?, self.implementation);
        self.delegated.store(state.is_nexus(), Ordering::Relaxed);
        Ok(state)
    }

    /// Refuses calls that would break the account: `initializeAccount` on itself.
    pub(crate) fn check_calls(account: Address, calls: &[Call]) -> Result<(), Error> {
        if calls
            .iter()
            .any(|c| c.to == account && c.data.starts_with(&INITIALIZE_ACCOUNT))
        {
            return Err(Error::Eip7702Refused {
                account,
                reason: "initializeAccount on a delegated EOA reverts with the EOA as owner (NewOwnerIsContract) and replaces the EOA as signer with any other owner",
            });
        }
        Ok(())
    }

    /// The options for the next operation: unchanged once delegated; otherwise with a fresh
    /// authorization (delegation in the operation) or after a delegation transaction.
    pub(crate) async fn options(
        &self,
        node: &Node,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
        opts: &SendOptions,
        timeout: Duration,
    ) -> Result<SendOptions, Error> {
        let account = signer.address();
        if self.delegated.load(Ordering::Relaxed) || opts.eip7702_auth.is_some() {
            return Ok(opts.clone());
        }
        match self.state(node, account).await? {
            DelegationState::Nexus(_) => Ok(opts.clone()),
            state @ DelegationState::None if !self.auto_delegate.load(Ordering::Relaxed) => {
                Err(Error::NotDelegated { account, state })
            }
            DelegationState::None => match self.via {
                DelegateVia::UserOperation => {
                    let nonce = node.transaction_count(account).await?;
                    let auth = sign_authorization(
                        signer,
                        chain_id,
                        self.implementation,
                        AuthorizationCarrier::Other.authorization_nonce(nonce),
                    )
                    .await?;
                    Ok(SendOptions {
                        eip7702_auth: Some(auth),
                        ..opts.clone()
                    })
                }
                DelegateVia::Transaction => {
                    self.send_delegation(
                        node,
                        signer,
                        chain_id,
                        self.implementation,
                        None,
                        timeout,
                    )
                    .await?;
                    Ok(opts.clone())
                }
            },
            state @ (DelegationState::Other(_) | DelegationState::Contract) => {
                Err(Error::NotDelegated { account, state })
            }
        }
    }

    /// Records an operation sent with `opts` (its delegation is checked at its receipt).
    pub(crate) fn sent(&self, hash: B256, opts: &SendOptions) {
        if opts.eip7702_auth.is_some() {
            self.pending.lock().expect("pending poisoned").push(hash);
        }
    }

    /// After the receipt of `hash`: if it carried an authorization, the code must now delegate to
    /// Nexus.
    pub(crate) async fn check_receipt(
        &self,
        node: &Node,
        account: Address,
        hash: B256,
    ) -> Result<(), Error> {
        let was_pending = {
            let mut pending = self.pending.lock().expect("pending poisoned");
            let before = pending.len();
            pending.retain(|h| *h != hash);
            pending.len() != before
        };
        if !was_pending {
            return Ok(());
        }
        match self.state(node, account).await? {
            DelegationState::Nexus(_) => Ok(()),
            state => Err(Error::DelegationNotApplied {
                account,
                expected: self.implementation,
                state,
            }),
        }
    }

    /// An AA20 rejection ("account not deployed") on this account: the delegation is gone. Reads
    /// the code and explains; other errors pass through.
    pub(crate) async fn explain(&self, node: &Node, account: Address, e: Error) -> Error {
        if e.aa_code() != Some(nexus_sessions_bundler::AaCode::AA20) {
            return e;
        }
        match self.state(node, account).await {
            Ok(state) if !state.is_nexus() => Error::NotDelegated { account, state },
            _ => e,
        }
    }

    /// The EOA's own type-4 transaction authorizing `delegate` (`address(0)` = un-delegate) with
    /// `authorization_nonce` (default: the transaction nonce + 1, as a self-sent authorization
    /// needs); waits for it and reads the code: [`Error::DelegationNotApplied`] when the code does
    /// not show the delegation asked for. Returns the transaction hash.
    pub(crate) async fn send_delegation(
        &self,
        node: &Node,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
        delegate: Address,
        authorization_nonce: Option<u64>,
        timeout: Duration,
    ) -> Result<B256, Error> {
        let account = signer.address();
        let (nonce, fees) = tokio::join!(node.transaction_count(account), node.fees());
        let (nonce, (max_fee, priority)) = (nonce?, fees?);
        let auth_nonce = authorization_nonce
            .unwrap_or(AuthorizationCarrier::SelfSent.authorization_nonce(nonce));
        let auth = sign_authorization(signer, chain_id, delegate, auth_nonce).await?;
        let tx = TxEip7702 {
            chain_id,
            nonce,
            gas_limit: DELEGATION_TX_GAS,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: priority,
            to: account,
            value: U256::ZERO,
            access_list: Default::default(),
            authorization_list: vec![auth.into()],
            input: Bytes::new(),
        };
        let sig = signer.sign_hash(&tx.signature_hash()).await?;
        let raw = tx.into_signed(sig).encoded_2718();
        let hash = node.send_raw_transaction(raw.into()).await?;
        // The status does not tell: an authorization applies even when the call reverts, and a
        // skipped one leaves a successful transaction.
        node.wait_for_transaction(hash, timeout).await?;
        let state = self.state(node, account).await?;
        self.auto_delegate
            .store(!delegate.is_zero(), Ordering::Relaxed);
        let applied = if delegate.is_zero() {
            state == DelegationState::None
        } else {
            state.delegate() == Some(delegate)
        };
        if !applied {
            return Err(Error::DelegationNotApplied {
                account,
                expected: delegate,
                state,
            });
        }
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_initialize_account_on_itself_only() {
        let me = Address::repeat_byte(1);
        let init = Call::new(me, [INITIALIZE_ACCOUNT.as_slice(), &[0u8; 64]].concat());
        assert!(matches!(
            Eoa::check_calls(me, &[Call::new(Address::ZERO, vec![1]), init.clone()]),
            Err(Error::Eip7702Refused { .. })
        ));
        let elsewhere = Call::new(Address::repeat_byte(2), init.data);
        assert!(Eoa::check_calls(me, &[elsewhere]).is_ok());
    }

    #[test]
    fn only_nexus_1_2_with_an_implementation() {
        let d12 = Deployment::nexus_1_2_smart_session_v1_registry_free();
        assert!(Eoa::new(&d12, DelegateVia::default()).is_ok());
        let d10 = Deployment::nexus_1_0_smart_session_v1();
        assert!(matches!(
            Eoa::new(&d10, DelegateVia::default()),
            Err(Error::Eip7702Unsupported {
                version: NexusVersion::V1_0
            })
        ));
        let mut none = d12;
        none.implementation = None;
        assert!(matches!(
            Eoa::new(&none, DelegateVia::Transaction),
            Err(Error::Eip7702Refused { .. })
        ));
    }
}
