//! The EIP-7702 side of [`NexusClient`](crate::NexusClient): the owner's EOA delegated to the Nexus 1.2
//! implementation is the account, at its own address.
//!
//! Rules this follows (measured on Nexus 1.2.0, anvil `--hardfork prague`, alto 0.0.20):
//! - delegation rides in the first user operation (`eip7702Auth`, authorization nonce = the EOA's
//!   transaction nonce, no factory fields) or in the EOA's own type-4 transaction (nonce + 1);
//! - a wrong authorization nonce is skipped silently, so the code is read again afterwards;
//! - the account is never initialized: the default validator falls back to the EOA as owner, and
//!   `initializeAccount` either reverts (EOA as owner) or replaces the EOA as signer;
//! - one authorization at a time: alto refuses a second operation carrying an authorization while
//!   one is in flight ("AA10 … already has an inflight EIP-7702 authorization"), and an operation
//!   without one fails AA20 until the delegation landed. Delegation is therefore single-flight
//!   ([`Eoa::turn`]), and delegation transactions take the same flight.

use crate::{
    delegation::{AuthorizationCarrier, DelegationState, sign_authorization},
    deployment::Deployment,
    error::Error,
    execution::Call,
    sender::{OpSender, SendOptions},
};
use alloy_consensus::{SignableTransaction, TxEip7702};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use nexus_sessions_types::NexusVersion;
use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
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

/// What the delegation bookkeeping reads from the node and the bundler: a trait so that the
/// single-flight logic is tested without either.
pub(crate) trait DelegationIo {
    /// The EOA's delegation, read from its code.
    async fn code_state(&self) -> Result<DelegationState, Error>;
    /// Waits (bounded) for the receipt of the operation `hash`: `Ok` once it is included,
    /// whether its execution succeeded or not (an authorization applies either way).
    async fn wait_included(&self, hash: B256) -> Result<(), Error>;
}

/// [`DelegationIo`] through a client's node and bundler.
pub(crate) struct SenderIo<'a> {
    pub(crate) sender: &'a OpSender,
    pub(crate) implementation: Address,
}

impl DelegationIo for SenderIo<'_> {
    async fn code_state(&self) -> Result<DelegationState, Error> {
        let code = self.sender.node.code(self.sender.account).await?;
        let state = DelegationState::from_code(&code, self.implementation);
        if state.is_nexus() {
            // The sender's own "has code" check would read the same code again.
            self.sender.mark_deployed();
        }
        Ok(state)
    }

    async fn wait_included(&self, hash: B256) -> Result<(), Error> {
        match self.sender.wait(hash).await {
            Ok(_) | Err(Error::UserOperationReverted { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The delegation bookkeeping of one EIP-7702 account.
///
/// Delegation is single-flight: of concurrent callers that find the EOA not delegated, one
/// leads ([`Turn::Lead`]: signs the authorization and sends the operation carrying it, or sends
/// the delegation transaction) while the others wait for that operation's receipt and go on
/// without an authorization once the code shows the delegation. A lead that ends without a sent
/// operation hands over to the next caller.
#[derive(Debug)]
pub(crate) struct Eoa {
    pub(crate) implementation: Address,
    pub(crate) via: DelegateVia,
    /// `epoch << 1 | delegated`: `delegated` caches a code read showing the Nexus delegation;
    /// every delegation change this client makes bumps the epoch, so a code read that started
    /// before it cannot store a stale answer.
    mark: AtomicU64,
    /// Cleared by an explicit un-delegation: operations then fail until a re-delegation instead of
    /// delegating again on their own.
    auto_delegate: AtomicBool,
    /// The single flight: locked by the caller that delegates (and by delegation transactions);
    /// names the operation carrying the authorization until its outcome is known.
    flight: tokio::sync::Mutex<Option<B256>>,
    /// userOpHashes of operations carrying an authorization, with the epoch they were sent in;
    /// checked when their receipt arrives.
    pending: Mutex<Vec<(B256, u64)>>,
}

/// The right to delegate, held from the code read until the operation carrying the
/// authorization is sent ([`Lead::sent`]). Dropped without it, the next caller delegates.
#[derive(Debug)]
pub(crate) struct Lead<'a>(tokio::sync::MutexGuard<'a, Option<B256>>);

impl Lead<'_> {
    /// The operation carrying the authorization was sent (or may have been: its outcome is
    /// unknown): the other callers wait for its receipt.
    pub(crate) fn sent(mut self, hash: B256) {
        *self.0 = Some(hash);
    }
}

/// What a caller may do once it is its turn.
#[derive(Debug)]
pub(crate) enum Turn<'a> {
    /// The EOA delegates to Nexus: send without an authorization.
    Delegated,
    /// The EOA is a plain EOA and this caller delegates.
    Lead(Lead<'a>),
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
            mark: AtomicU64::new(0),
            auto_delegate: AtomicBool::new(true),
            flight: tokio::sync::Mutex::new(None),
            pending: Mutex::new(Vec::new()),
        })
    }

    fn is_delegated(&self) -> bool {
        self.mark.load(Ordering::SeqCst) & 1 == 1
    }

    fn epoch(&self) -> u64 {
        self.mark.load(Ordering::SeqCst) >> 1
    }

    /// Caches a code read made at `epoch`, unless a delegation change happened since.
    fn observe(&self, epoch: u64, delegated: bool) {
        let _ = self
            .mark
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                (m >> 1 == epoch).then_some(epoch << 1 | u64::from(delegated))
            });
    }

    /// A delegation change begins or ends: earlier code reads are stale, and until the code is
    /// read again the EOA counts as not delegated (callers take the single flight).
    fn bump(&self) {
        let _ = self
            .mark
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(((m >> 1) + 1) << 1)
            });
    }

    /// The EOA's delegation, read from its code (updates the cache).
    pub(crate) async fn state(&self, io: &impl DelegationIo) -> Result<DelegationState, Error> {
        let epoch = self.epoch();
        let state = io.code_state().await?;
        self.observe(epoch, state.is_nexus());
        if state.is_nexus() {
            // The delegation in flight (if any) is done with: no later caller waits for it (a
            // caller holding the flight settles it itself).
            if let Ok(mut flight) = self.flight.try_lock() {
                *flight = None;
            }
        }
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

    /// Waits for this caller's turn, at most `timeout`: [`Turn::Delegated`] once the code shows
    /// the Nexus delegation; [`Turn::Lead`] when the EOA is a plain EOA, no delegation is in
    /// flight, `may_lead` and auto-delegation is on. While another caller's operation carrying an
    /// authorization is out, waits for its receipt: landed and applied → `Delegated`; landed
    /// without the delegation → [`Error::DelegationNotApplied`] (the next caller delegates
    /// again); certainly not landing → as if none was sent; no receipt in time →
    /// [`Error::DelegationPending`]. These errors are given before this caller sent anything.
    pub(crate) async fn turn(
        &self,
        io: &impl DelegationIo,
        account: Address,
        may_lead: bool,
        timeout: Duration,
    ) -> Result<Turn<'_>, Error> {
        if self.is_delegated() {
            return Ok(Turn::Delegated);
        }
        let seen = Mutex::new(None);
        match tokio::time::timeout(timeout, self.take_turn(io, account, may_lead, &seen)).await {
            Ok(turn) => turn,
            Err(_) => Err(Error::DelegationPending {
                account,
                user_op_hash: *seen.lock().expect("seen poisoned"),
            }),
        }
    }

    async fn take_turn(
        &self,
        io: &impl DelegationIo,
        account: Address,
        may_lead: bool,
        seen: &Mutex<Option<B256>>,
    ) -> Result<Turn<'_>, Error> {
        let mut flight = self.flight.lock().await;
        if let Some(hash) = *flight {
            *seen.lock().expect("seen poisoned") = Some(hash);
            if !self.is_delegated() {
                match io.wait_included(hash).await {
                    Ok(()) => {
                        *flight = None;
                        return match self.state(io).await? {
                            DelegationState::Nexus(_) => Ok(Turn::Delegated),
                            state if self.auto_delegate.load(Ordering::SeqCst) => {
                                Err(Error::DelegationNotApplied {
                                    account,
                                    expected: self.implementation,
                                    state,
                                    user_op_hash: None,
                                })
                            }
                            state => Err(Error::NotDelegated { account, state }),
                        };
                    }
                    // It cannot land: as if it was never sent.
                    Err(e) if e.is_definitely_not_sent() => {}
                    Err(_) => {
                        return Err(Error::DelegationPending {
                            account,
                            user_op_hash: Some(hash),
                        });
                    }
                }
            }
            *flight = None;
        }
        if self.is_delegated() {
            return Ok(Turn::Delegated);
        }
        match self.state(io).await? {
            DelegationState::Nexus(_) => Ok(Turn::Delegated),
            DelegationState::None if may_lead && self.auto_delegate.load(Ordering::SeqCst) => {
                Ok(Turn::Lead(Lead(flight)))
            }
            state => Err(Error::NotDelegated { account, state }),
        }
    }

    /// The options for the next operation: unchanged once delegated; otherwise, for the one
    /// caller that delegates, with a fresh authorization (returned with its [`Lead`], to be
    /// resolved by [`Self::sent`]) or after a delegation transaction.
    pub(crate) async fn options<'a>(
        &'a self,
        sender: &OpSender,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
        opts: &SendOptions,
    ) -> Result<(SendOptions, Option<Lead<'a>>), Error> {
        let account = signer.address();
        if opts.eip7702_auth.is_some() {
            return Ok((opts.clone(), None));
        }
        let io = self.io(sender);
        let timeout = sender.receipt_timeout;
        let lead = match self.turn(&io, account, true, timeout).await? {
            Turn::Delegated => return Ok((opts.clone(), None)),
            Turn::Lead(lead) => lead,
        };
        match self.via {
            DelegateVia::UserOperation => {
                let nonce = sender.node.transaction_count(account).await?;
                let auth = sign_authorization(
                    signer,
                    chain_id,
                    self.implementation,
                    AuthorizationCarrier::Other.authorization_nonce(nonce),
                )
                .await?;
                let opts = SendOptions {
                    eip7702_auth: Some(auth),
                    ..opts.clone()
                };
                Ok((opts, Some(lead)))
            }
            DelegateVia::Transaction => {
                let delegate = self.implementation;
                self.delegation_tx(sender, signer, chain_id, delegate, None, timeout)
                    .await?;
                Ok((opts.clone(), None))
            }
        }
    }

    /// Before a deferred grant (signed offline, used first by the session key): the EOA must
    /// already delegate to Nexus, or the session key's first operation fails AA20. Waits for a
    /// delegation in flight; delegates by transaction when the client does
    /// ([`DelegateVia::Transaction`]); otherwise [`Error::NotDelegated`].
    pub(crate) async fn ready_for_grant(
        &self,
        sender: &OpSender,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
    ) -> Result<(), Error> {
        let may_lead = self.via == DelegateVia::Transaction;
        let io = self.io(sender);
        let timeout = sender.receipt_timeout;
        match self.turn(&io, signer.address(), may_lead, timeout).await? {
            Turn::Delegated => Ok(()),
            Turn::Lead(_lead) => self
                .delegation_tx(sender, signer, chain_id, self.implementation, None, timeout)
                .await
                .map(drop),
        }
    }

    pub(crate) fn io<'a>(&self, sender: &'a OpSender) -> SenderIo<'a> {
        SenderIo {
            sender,
            implementation: self.implementation,
        }
    }

    /// Records the send of an operation built with `opts` and `lead`: an operation carrying an
    /// authorization that was sent, or may have been (unknown outcome), is the delegation in
    /// flight and is checked at its receipt; one certainly not sent hands the lead over.
    pub(crate) fn sent(
        &self,
        sent: &Result<B256, Error>,
        opts: &SendOptions,
        lead: Option<Lead<'_>>,
    ) {
        if opts.eip7702_auth.is_none() {
            return;
        }
        let hash = match sent {
            Ok(hash) => Some(*hash),
            Err(e) => e.unknown_outcome().map(|(hash, _)| hash),
        };
        if let Some(hash) = hash {
            let epoch = self.epoch();
            self.pending
                .lock()
                .expect("pending poisoned")
                .push((hash, epoch));
            if let Some(lead) = lead {
                lead.sent(hash);
            }
        }
    }

    /// After the receipt of `hash`: if it carried an authorization, the code must now delegate to
    /// Nexus — unless this client changed the delegation since (an `undelegate()` after the
    /// operation landed is no failure of the operation's authorization).
    pub(crate) async fn check_receipt(
        &self,
        io: &impl DelegationIo,
        account: Address,
        hash: B256,
    ) -> Result<(), Error> {
        let sent_in = {
            let mut pending = self.pending.lock().expect("pending poisoned");
            let sent_in = pending.iter().find(|(h, _)| *h == hash).map(|(_, e)| *e);
            pending.retain(|(h, _)| *h != hash);
            sent_in
        };
        let Some(sent_in) = sent_in else {
            return Ok(());
        };
        match self.state(io).await? {
            DelegationState::Nexus(_) => Ok(()),
            _ if self.epoch() != sent_in => Ok(()),
            state => Err(Error::DelegationNotApplied {
                account,
                expected: self.implementation,
                state,
                user_op_hash: Some(hash),
            }),
        }
    }

    /// An AA20 rejection ("account not deployed") on this account: the delegation is gone. Reads
    /// the code and explains; other errors pass through.
    pub(crate) async fn explain(
        &self,
        io: &impl DelegationIo,
        account: Address,
        e: Error,
    ) -> Error {
        if e.aa_code() != Some(nexus_sessions_bundler::AaCode::AA20) {
            return e;
        }
        match self.state(io).await {
            Ok(state) if !state.is_nexus() => Error::NotDelegated { account, state },
            _ => e,
        }
    }

    /// Takes the single flight for a delegation transaction: waits first for an operation carrying
    /// an authorization to land (its authorization nonce would collide with the transaction's).
    async fn settled_flight(
        &self,
        io: &impl DelegationIo,
        account: Address,
        timeout: Duration,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<B256>>, Error> {
        let mut flight = tokio::time::timeout(timeout, self.flight.lock())
            .await
            .map_err(|_| Error::DelegationPending {
                account,
                user_op_hash: None,
            })?;
        if let Some(hash) = *flight {
            match io.wait_included(hash).await {
                Ok(()) => {}
                Err(e) if e.is_definitely_not_sent() => {}
                Err(_) => {
                    return Err(Error::DelegationPending {
                        account,
                        user_op_hash: Some(hash),
                    });
                }
            }
            *flight = None;
        }
        Ok(flight)
    }

    /// The EOA's own type-4 transaction authorizing `delegate` (`address(0)` = un-delegate), in
    /// the single flight (operations started meanwhile wait for it). See [`Self::delegation_tx`].
    pub(crate) async fn send_delegation(
        &self,
        sender: &OpSender,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
        delegate: Address,
        authorization_nonce: Option<u64>,
    ) -> Result<B256, Error> {
        let timeout = sender.receipt_timeout;
        let _flight = self
            .settled_flight(&self.io(sender), signer.address(), timeout)
            .await?;
        // The intent counts from now: an operation racing an un-delegation must not delegate again.
        self.auto_delegate
            .store(!delegate.is_zero(), Ordering::SeqCst);
        self.delegation_tx(
            sender,
            signer,
            chain_id,
            delegate,
            authorization_nonce,
            timeout,
        )
        .await
    }

    /// Delegates to Nexus by transaction unless the code already does (`None`); another delegate
    /// or contract code is refused ([`Error::NotDelegated`]). Read under the single flight, so
    /// concurrent callers send one transaction.
    pub(crate) async fn delegate(
        &self,
        sender: &OpSender,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
    ) -> Result<Option<B256>, Error> {
        let (account, timeout, io) = (signer.address(), sender.receipt_timeout, self.io(sender));
        let _flight = self.settled_flight(&io, account, timeout).await?;
        match self.state(&io).await? {
            DelegationState::Nexus(_) => return Ok(None),
            DelegationState::None => {}
            state => return Err(Error::NotDelegated { account, state }),
        }
        self.auto_delegate.store(true, Ordering::SeqCst);
        let delegate = self.implementation;
        self.delegation_tx(sender, signer, chain_id, delegate, None, timeout)
            .await
            .map(Some)
    }

    /// Sends the EOA's own type-4 transaction authorizing `delegate` with `authorization_nonce`
    /// (default: the transaction nonce + 1, as a self-sent authorization needs); waits for it and
    /// reads the code: [`Error::DelegationNotApplied`] when the code does not show the delegation
    /// asked for. Returns the transaction hash. The caller holds the single flight.
    async fn delegation_tx(
        &self,
        sender: &OpSender,
        signer: &(dyn Signer + Send + Sync),
        chain_id: u64,
        delegate: Address,
        authorization_nonce: Option<u64>,
        timeout: Duration,
    ) -> Result<B256, Error> {
        let account = signer.address();
        let node = &sender.node;
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
        let signed = tx.into_signed(sig);
        let hash = *signed.hash();
        let raw = signed.encoded_2718();
        // From here the cached delegation is stale: operations take the single flight and wait.
        self.bump();
        // A send without an answer may still land: the hash is known, so wait for it either way.
        node.submit_raw_transaction(raw.into()).await?;
        // The status does not tell: an authorization applies even when the call reverts, and a
        // skipped one leaves a successful transaction.
        node.wait_for_transaction(hash, timeout).await?;
        // Code reads that started while the transaction was pending are stale.
        self.bump();
        let state = self.state(&self.io(sender)).await?;
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
                user_op_hash: None,
            });
        }
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, atomic::AtomicUsize};
    use tokio::sync::watch;

    /// How the operation carrying the authorization ends, as the bundler would tell.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fate {
        Landed,
        NotSent,
        Unknown,
    }

    /// A node and bundler in memory: the EOA's code, and the fate of the operation in flight.
    struct FakeChain {
        code: Mutex<DelegationState>,
        fate: watch::Sender<Option<Fate>>,
        reads: AtomicUsize,
    }

    impl FakeChain {
        fn new() -> Arc<Self> {
            Arc::new(Self {
                code: Mutex::new(DelegationState::None),
                fate: watch::channel(None).0,
                reads: AtomicUsize::new(0),
            })
        }

        /// The operation in flight ends: `Landed` with `applied` sets the code first.
        fn settle(&self, fate: Fate, applied: bool) {
            if applied {
                *self.code.lock().unwrap() = DelegationState::Nexus(NEXUS);
            }
            self.fate.send_replace(Some(fate));
        }
    }

    impl DelegationIo for FakeChain {
        async fn code_state(&self) -> Result<DelegationState, Error> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(*self.code.lock().unwrap())
        }

        async fn wait_included(&self, hash: B256) -> Result<(), Error> {
            let mut rx = self.fate.subscribe();
            let fate = *rx.wait_for(Option::is_some).await.unwrap();
            match fate.unwrap() {
                Fate::Landed => Ok(()),
                Fate::NotSent => Err(Error::InvalidPermission("rejected".into())),
                Fate::Unknown => Err(Error::ReceiptTimeout {
                    hash,
                    waited: Duration::from_secs(1),
                }),
            }
        }
    }

    const NEXUS: Address = Address::repeat_byte(0x4f);
    const EOA: Address = Address::repeat_byte(0xe0);
    const WAIT: Duration = Duration::from_secs(5);

    fn eoa() -> Arc<Eoa> {
        let mut d = Deployment::nexus_1_2_smart_session_v1_registry_free();
        d.implementation = Some(NEXUS);
        Arc::new(Eoa::new(&d, DelegateVia::UserOperation).unwrap())
    }

    /// `n` concurrent first operations; each leader calls `lead(attempt, lead)` (its send) and
    /// the result says whether it sent. Returns every caller's result and the number of leads.
    async fn first_operations(
        eoa: &Arc<Eoa>,
        chain: &Arc<FakeChain>,
        n: usize,
        send: impl Fn(usize, Lead<'_>, &Arc<FakeChain>) + Send + Sync + Copy + 'static,
    ) -> (Vec<Result<(), Error>>, usize) {
        let leads = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let (eoa, chain, leads) = (eoa.clone(), chain.clone(), leads.clone());
                tokio::spawn(async move {
                    match eoa.turn(&*chain, EOA, true, WAIT).await? {
                        Turn::Delegated => Ok(()),
                        Turn::Lead(lead) => {
                            let attempt = leads.fetch_add(1, Ordering::SeqCst);
                            // The send takes a while: the others queue meanwhile.
                            tokio::time::sleep(Duration::from_millis(30)).await;
                            send(attempt, lead, &chain);
                            Ok(())
                        }
                    }
                })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        (results, leads.load(Ordering::SeqCst))
    }

    /// The leader's operation is sent; the bundler includes it 100 ms later with `fate`.
    fn send_then(lead: Lead<'_>, chain: &Arc<FakeChain>, fate: Fate, applied: bool) {
        lead.sent(B256::repeat_byte(1));
        let chain = chain.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            chain.settle(fate, applied);
        });
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_operations_delegate_once() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let (results, leads) = first_operations(&eoa, &chain, 12, |_, lead, chain| {
            send_then(lead, chain, Fate::Landed, true)
        })
        .await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(leads, 1, "exactly one operation carries the authorization");
        assert!(eoa.is_delegated());
        // Later operations take the fast path: no code read.
        let reads = chain.reads.load(Ordering::SeqCst);
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Ok(Turn::Delegated)
        ));
        assert_eq!(chain.reads.load(Ordering::SeqCst), reads);
        assert!(eoa.flight.try_lock().unwrap().is_none(), "flight settled");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lead_that_sent_nothing_hands_over_to_the_next_caller() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let (results, leads) = first_operations(&eoa, &chain, 6, |attempt, lead, chain| {
            if attempt == 0 {
                drop(lead); // the send failed before reaching the bundler
            } else {
                send_then(lead, chain, Fate::Landed, true);
            }
        })
        .await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(leads, 2, "the failed lead, then exactly one more");
        assert!(eoa.is_delegated());

        // An operation the bundler rejected later (certainly not landing) hands over too.
        let (eoa, chain) = (self::eoa(), FakeChain::new());
        let (results, leads) = first_operations(&eoa, &chain, 4, |attempt, lead, chain| {
            if attempt == 0 {
                send_then(lead, chain, Fate::NotSent, false);
            } else {
                // a fresh fate for the second operation
                chain.fate.send_replace(None);
                send_then(lead, chain, Fate::Landed, true);
            }
        })
        .await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(leads, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_delegation_that_did_not_apply_is_a_typed_error_and_the_next_caller_retries() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let (results, leads) = first_operations(&eoa, &chain, 5, |_, lead, chain| {
            send_then(lead, chain, Fate::Landed, false)
        })
        .await;
        // Each operation that landed without the delegation is reported to the caller waiting
        // for it, and the next caller delegates again: one authorization in flight at a time.
        let errors: Vec<_> = results.into_iter().filter_map(Result::err).collect();
        assert!(!errors.is_empty());
        assert_eq!(leads + errors.len(), 5);
        assert_eq!(leads, errors.len() + 1, "leads and waiters alternate");
        for e in &errors {
            assert!(
                matches!(
                    e,
                    Error::DelegationNotApplied {
                        account: EOA,
                        expected: NEXUS,
                        state: DelegationState::None,
                        user_op_hash: None,
                    }
                ),
                "{e}"
            );
            assert!(e.is_definitely_not_sent(), "the waiter sent nothing: {e}");
        }
        assert!(!eoa.is_delegated());
        // The last lead's operation is out: the next caller learns it did not apply...
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Err(Error::DelegationNotApplied { .. })
        ));
        // ...and the one after delegates again (a new authorization).
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Ok(Turn::Lead(_))
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_outcome_in_time_is_delegation_pending_naming_the_operation() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let (results, leads) = first_operations(&eoa, &chain, 3, |_, lead, chain| {
            send_then(lead, chain, Fate::Unknown, false)
        })
        .await;
        assert_eq!(leads, 1);
        let hash = B256::repeat_byte(1);
        let errors: Vec<_> = results.into_iter().filter_map(Result::err).collect();
        assert_eq!(errors.len(), 2);
        for e in &errors {
            assert!(
                matches!(e, Error::DelegationPending { account: EOA, user_op_hash: Some(h) } if *h == hash),
                "{e}"
            );
            assert!(e.is_definitely_not_sent(), "{e}");
            assert!(e.to_string().contains(&hash.to_string()), "{e}");
        }
        // The operation may still land: no new authorization while it is out.
        assert_eq!(*eoa.flight.try_lock().unwrap(), Some(hash));

        // A bundler that never answers: bounded by the timeout given.
        let (eoa, chain) = (self::eoa(), FakeChain::new());
        let Ok(Turn::Lead(lead)) = eoa.turn(&*chain, EOA, true, WAIT).await else {
            panic!("first caller leads")
        };
        lead.sent(hash);
        let started = std::time::Instant::now();
        let err = eoa
            .turn(&*chain, EOA, true, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(
            matches!(err, Error::DelegationPending { user_op_hash: Some(h), .. } if h == hash),
            "{err}"
        );
    }

    #[tokio::test]
    async fn who_may_not_delegate_gets_not_delegated() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        // A deferred grant on a client delegating in operations: refused, nothing signed.
        let err = eoa.turn(&*chain, EOA, false, WAIT).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotDelegated {
                    account: EOA,
                    state: DelegationState::None
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("delegate()"), "{err}");
        // After an explicit un-delegation operations do not delegate again on their own.
        eoa.auto_delegate.store(false, Ordering::SeqCst);
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Err(Error::NotDelegated { .. })
        ));
        // Delegated elsewhere: never taken over silently.
        eoa.auto_delegate.store(true, Ordering::SeqCst);
        let other = Address::repeat_byte(9);
        *chain.code.lock().unwrap() = DelegationState::Other(other);
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Err(Error::NotDelegated { state: DelegationState::Other(o), .. }) if o == other
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn operations_started_during_an_undelegation_wait_and_do_not_delegate_again() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        *chain.code.lock().unwrap() = DelegationState::Nexus(NEXUS);
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Ok(Turn::Delegated)
        ));
        assert!(eoa.is_delegated());
        // undelegate(): holds the flight, says no more auto-delegation, forgets the cache, sends.
        let flight = eoa.flight.lock().await;
        eoa.auto_delegate.store(false, Ordering::SeqCst);
        eoa.bump();
        let op = {
            let (eoa, chain) = (eoa.clone(), chain.clone());
            tokio::spawn(async move {
                eoa.turn(&*chain, EOA, true, WAIT)
                    .await
                    .map(|t| matches!(t, Turn::Lead(_)))
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !op.is_finished(),
            "the operation waits for the un-delegation"
        );
        *chain.code.lock().unwrap() = DelegationState::None; // the transaction landed
        eoa.bump();
        drop(flight);
        let err = op.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotDelegated {
                    state: DelegationState::None,
                    ..
                }
            ),
            "a typed refusal, neither AA20 nor a new authorization: {err}"
        );
    }

    #[tokio::test]
    async fn a_receipt_checks_the_delegation_unless_the_client_changed_it_since() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let auth = SendOptions {
            eip7702_auth: Some(nexus_sessions_userop::Eip7702Auth {
                chain_id: U256::from(1),
                address: NEXUS,
                nonce: 0,
                y_parity: 0,
                r: U256::from(1),
                s: U256::from(1),
            }),
            ..SendOptions::default()
        };
        let (a, b) = (B256::repeat_byte(0xa), B256::repeat_byte(0xb));
        eoa.sent(&Ok(a), &auth, None);
        eoa.sent(&Ok(b), &auth, None);
        // The code does not show the delegation after `a` landed: typed, and `a` landed.
        let err = eoa.check_receipt(&*chain, EOA, a).await.unwrap_err();
        assert!(
            matches!(err, Error::DelegationNotApplied { user_op_hash: Some(h), .. } if h == a),
            "{err}"
        );
        assert!(!err.is_definitely_not_sent());
        // Checked once; an operation without an authorization is not checked.
        assert!(eoa.check_receipt(&*chain, EOA, a).await.is_ok());
        // An un-delegation by this client after `b` was sent: not a failure of `b`.
        eoa.bump();
        assert!(eoa.check_receipt(&*chain, EOA, b).await.is_ok());
    }

    #[tokio::test]
    async fn a_landed_delegation_is_not_waited_for_again() {
        let (eoa, chain) = (eoa(), FakeChain::new());
        let Ok(Turn::Lead(lead)) = eoa.turn(&*chain, EOA, true, WAIT).await else {
            panic!("first caller leads")
        };
        lead.sent(B256::repeat_byte(1));
        // The leader's receipt check reads the delegation: the flight is over.
        *chain.code.lock().unwrap() = DelegationState::Nexus(NEXUS);
        assert!(eoa.state(&*chain).await.unwrap().is_nexus());
        assert!(eoa.flight.try_lock().unwrap().is_none());
        // Un-delegated elsewhere later: the next operation delegates again at once instead of
        // waiting for (and blaming) the old operation.
        *chain.code.lock().unwrap() = DelegationState::None;
        assert!(!eoa.state(&*chain).await.unwrap().is_nexus());
        assert!(matches!(
            eoa.turn(&*chain, EOA, true, WAIT).await,
            Ok(Turn::Lead(_))
        ));
    }

    #[test]
    fn a_code_read_older_than_a_delegation_change_is_not_cached() {
        let eoa = eoa();
        let before = eoa.epoch();
        // an un-delegation transaction is sent while a read (that will see Nexus) is out
        eoa.bump();
        eoa.observe(before, true);
        assert!(!eoa.is_delegated(), "stale read ignored");
        eoa.observe(eoa.epoch(), true);
        assert!(eoa.is_delegated());
        // sending a delegation change forgets the cache: operations take the single flight
        eoa.bump();
        assert!(!eoa.is_delegated());
    }

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
