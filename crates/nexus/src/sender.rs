//! The user-operation pipeline shared by the owner and session-key clients: factory fields, fees,
//! nonce lane, gas estimate, signature, send, receipt — with the caches that keep a warm operation
//! at one or two JSON-RPC round trips.
//!
//! Round-trip budget of one operation (deployed account, no explicit gas):
//!
//! | step | cold | warm |
//! |---|---|---|
//! | `eth_getCode` | once, until code is seen | skipped (cached `deployed`) |
//! | gas price (`pimlico_getUserOperationGasPrice`) | yes | skipped while the cached price is younger than [`GasConfig::price_ttl`] |
//! | `EntryPoint.getNonce` | once per lane of a [`NonceStrategy::LaneRange`](crate::NonceStrategy::LaneRange), when first used (random lanes and fresh keys start at 0) | never: sequences are counted locally |
//! | `eth_estimateUserOperationGas` | yes | skipped when the same call shape was estimated before ([`GasConfig::reuse_estimates`]) |
//! | `eth_sendUserOperation` | yes | yes |
//! | paymaster (sponsored operations only) | `pm_getPaymasterStubData` + `pm_getPaymasterData` | the same (one request when the stub is final) |
//!
//! Independent reads run concurrently (`tokio::join!`). Each cold read is single-flight
//! ([`Flight`]): concurrent callers share one request, and nothing is cached on error.

use crate::{
    deployment::Deployment,
    error::Error,
    execution::{Call, encode_execute},
    flight::Flight,
    lanes::{LaneOutcome, LanePool, Lease},
    node::Node,
    nonce::{NonceKey, ValidationMode},
    settings::{ClientSettings, GasConfig},
    sponsor::{ClientPaymaster, Sponsor, Sponsorship},
};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use alloy_sol_types::SolCall;
use nexus_sessions_bundler::{
    AaCode, BundlerClient, BundlerError, GasEstimate, PaymasterClient, PaymasterStubData,
    UserOperationReceipt,
};
use nexus_sessions_types::SessionSignatureStyle;
use nexus_sessions_userop::{Eip7702Auth, UserOperation};
use std::{
    collections::{HashMap, VecDeque},
    hash::{DefaultHasher, Hash, Hasher},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// A signer usable from any task.
pub type DynSigner = Arc<dyn Signer + Send + Sync>;

/// A well-formed 65-byte ECDSA signature that recovers to an unrelated address (sdk 0.0.20
/// `DUMMY_ECDSA_SIG`, module-sdk `getOwnableValidatorMockSignature`): stub signatures have the final
/// length and shape, so verification gas and preVerificationGas are estimated for the real thing.
pub const DUMMY_ECDSA_SIGNATURE: [u8; 65] = nexus_sessions_types::OWNABLE_VALIDATOR_MOCK_SIGNATURE;

/// Per-operation overrides. Gas limits given here skip estimation when all three are set (and a
/// sponsoring paymaster's stub names its own gas limits); fees given here skip the gas-price
/// request. [`Self::sponsorship`] picks who pays.
///
/// ```
/// use nexus_sessions::SendOptions;
///
/// let opts = SendOptions::default()
///     .with_fees(2_000_000_000, 1_000_000_000)
///     .with_gas(100_000, 200_000, 60_000);
/// assert_eq!(opts.call_gas_limit, Some(100_000));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SendOptions {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: Option<u128>,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: Option<u128>,
    /// `callGasLimit`.
    pub call_gas_limit: Option<u128>,
    /// `verificationGasLimit`.
    pub verification_gas_limit: Option<u128>,
    /// `preVerificationGas`.
    pub pre_verification_gas: Option<U256>,
    /// An EIP-7702 authorization carried by the operation (`eip7702Auth`): the account is the EOA
    /// that signed it and gets delegated by the bundle. No factory fields are sent then.
    pub eip7702_auth: Option<Eip7702Auth>,
    /// Who pays: the client's paymaster, if it has one ([`Sponsorship::ClientDefault`], the
    /// default), the account ([`Sponsorship::Unsponsored`]), or another paymaster service.
    pub sponsorship: Sponsorship,
    /// The paymaster context for this operation, replacing the client's
    /// ([`paymaster_context`](crate::NexusClientBuilder::paymaster_context)).
    pub paymaster_context: Option<serde_json::Value>,
}

impl SendOptions {
    /// Fixed fees (no gas-price request).
    #[must_use]
    pub fn with_fees(mut self, max_fee_per_gas: u128, max_priority_fee_per_gas: u128) -> Self {
        self.max_fee_per_gas = Some(max_fee_per_gas);
        self.max_priority_fee_per_gas = Some(max_priority_fee_per_gas);
        self
    }

    /// Fixed gas limits (no estimation).
    #[must_use]
    pub fn with_gas(mut self, call: u128, verification: u128, pre_verification: u64) -> Self {
        self.call_gas_limit = Some(call);
        self.verification_gas_limit = Some(verification);
        self.pre_verification_gas = Some(U256::from(pre_verification));
        self
    }

    /// An EIP-7702 authorization carried by the operation ([`eip7702_auth`](Self::eip7702_auth)).
    #[must_use]
    pub fn with_eip7702_auth(mut self, auth: Eip7702Auth) -> Self {
        self.eip7702_auth = Some(auth);
        self
    }

    /// Sponsored by `paymaster` (whatever the client's paymaster).
    #[must_use]
    pub fn sponsored_by(mut self, paymaster: PaymasterClient) -> Self {
        self.sponsorship = Sponsorship::Paymaster(paymaster);
        self
    }

    /// Paid by the account, even when the client has a paymaster.
    #[must_use]
    pub fn unsponsored(mut self) -> Self {
        self.sponsorship = Sponsorship::Unsponsored;
        self
    }

    /// The paymaster context for this operation.
    #[must_use]
    pub fn with_paymaster_context(mut self, context: serde_json::Value) -> Self {
        self.paymaster_context = Some(context);
        self
    }

    /// Both fees, when both are set.
    fn fixed_fees(&self) -> Option<(u128, u128)> {
        Some((self.max_fee_per_gas?, self.max_priority_fee_per_gas?))
    }

    /// All three gas limits, when all are set.
    fn fixed_gas(&self) -> Option<GasLimits> {
        Some(GasLimits {
            call: self.call_gas_limit?,
            verification: self.verification_gas_limit?,
            pre_verification: self.pre_verification_gas?,
            paymaster_verification: 0,
            paymaster_post_op: 0,
        })
    }
}

/// JSON-RPC requests made so far, per endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RpcStats {
    /// Requests to the node.
    pub node: u64,
    /// Requests to the bundler.
    pub bundler: u64,
}

impl RpcStats {
    /// Both endpoints together.
    pub fn total(&self) -> u64 {
        self.node + self.bundler
    }

    /// Requests made since `earlier`.
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            node: self.node - earlier.node,
            bundler: self.bundler - earlier.bundler,
        }
    }
}

/// Who authorises an operation: the validator picked by the nonce key, the key that signs the
/// userOpHash (in `style`), and how its 65-byte signature becomes `userOp.signature`.
pub(crate) struct Auth<'a> {
    pub(crate) validator: Address,
    pub(crate) signer: &'a (dyn Signer + Send + Sync),
    pub(crate) style: SessionSignatureStyle,
    pub(crate) wrap: &'a (dyn Fn(Bytes) -> Result<Bytes, Error> + Send + Sync),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GasLimits {
    call: u128,
    verification: u128,
    pre_verification: U256,
    /// The paymaster's limits (written only into a sponsored operation).
    paymaster_verification: u128,
    paymaster_post_op: u128,
}

impl GasLimits {
    fn apply(self, op: &mut UserOperation) {
        op.call_gas_limit = self.call;
        op.verification_gas_limit = self.verification;
        op.pre_verification_gas = self.pre_verification;
        if op.paymaster.is_some() {
            op.paymaster_verification_gas_limit = self.paymaster_verification;
            op.paymaster_post_op_gas_limit = self.paymaster_post_op;
        }
    }
}

/// Signed operations this client sent whose receipt it has not seen, by userOpHash: waiting resends
/// one the bundler forgot. Bounded: past [`InFlight::CAPACITY`] the oldest is dropped (waiting for
/// it then only polls).
#[derive(Debug, Default)]
struct InFlight(Mutex<VecDeque<(B256, UserOperation)>>);

impl InFlight {
    const CAPACITY: usize = 256;

    fn remember(&self, hash: B256, op: &UserOperation) {
        let mut ops = self.0.lock().expect("in-flight operations poisoned");
        if ops.iter().any(|(h, _)| *h == hash) {
            return;
        }
        if ops.len() == Self::CAPACITY {
            ops.pop_front();
        }
        ops.push_back((hash, op.clone()));
    }

    fn get(&self, hash: B256) -> Option<UserOperation> {
        let ops = self.0.lock().expect("in-flight operations poisoned");
        ops.iter()
            .find(|(h, _)| *h == hash)
            .map(|(_, op)| op.clone())
    }

    fn forget(&self, hash: B256) {
        let mut ops = self.0.lock().expect("in-flight operations poisoned");
        ops.retain(|(h, _)| *h != hash);
    }
}

/// The shared pipeline of one account.
#[derive(Debug)]
pub(crate) struct OpSender {
    pub(crate) node: Node,
    pub(crate) bundler: BundlerClient,
    pub(crate) deployment: Deployment,
    pub(crate) chain_id: u64,
    pub(crate) account: Address,
    /// `(factory, factoryData)` when this client may deploy the account.
    factory: Option<(Address, Bytes)>,
    deployed: AtomicBool,
    code_read: Flight<bool>,
    lanes: LanePool,
    price: Flight<(Instant, u128, u128)>,
    estimates: Mutex<HashMap<u64, Arc<Flight<GasLimits>>>>,
    pub(crate) gas: GasConfig,
    pub(crate) receipt_timeout: Duration,
    /// The paymaster sponsoring this client's operations by default.
    paymaster: ClientPaymaster,
    /// Signed operations sent and not yet seen included.
    in_flight: InFlight,
}

impl OpSender {
    /// The pipeline of `account` on `chain_id`, with the settings' endpoints and policies;
    /// `factory` is `(factory, factoryData)` when this client may deploy the account.
    pub(crate) fn new(
        node: Node,
        settings: &ClientSettings,
        chain_id: u64,
        account: Address,
        factory: Option<(Address, Bytes)>,
    ) -> Result<Self, Error> {
        settings
            .nonce_strategy
            .validate()
            .map_err(Error::InvalidNonceStrategy)?;
        Ok(Self {
            bundler: settings.bundler(chain_id)?,
            node,
            deployment: settings.deployment.clone(),
            chain_id,
            account,
            factory,
            deployed: AtomicBool::new(false),
            code_read: Flight::new(),
            lanes: LanePool::new(settings.nonce_strategy),
            price: Flight::new(),
            estimates: Mutex::new(HashMap::new()),
            gas: settings.gas.clone(),
            receipt_timeout: settings.receipt_timeout,
            paymaster: settings.paymaster.clone(),
            in_flight: InFlight::default(),
        })
    }

    pub(crate) fn stats(&self) -> RpcStats {
        RpcStats {
            node: self.node.request_count(),
            bundler: self.bundler.request_count(),
        }
    }

    /// The paymaster that sponsors an operation sent with `opts`, if any.
    pub(crate) fn sponsor<'a>(&'a self, opts: &'a SendOptions) -> Option<Sponsor<'a>> {
        self.paymaster
            .resolve(&opts.sponsorship, opts.paymaster_context.as_ref())
    }

    pub(crate) fn mark_deployed(&self) {
        self.deployed.store(true, Ordering::Relaxed);
    }

    /// Whether the account has code (cached once seen).
    pub(crate) async fn is_deployed(&self) -> Result<bool, Error> {
        if self.deployed.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let deployed = self
            .code_read
            .get(
                |deployed| *deployed,
                || async { Ok::<_, Error>(!self.node.code(self.account).await?.is_empty()) },
            )
            .await?;
        if deployed {
            self.mark_deployed();
        }
        Ok(deployed)
    }

    /// `factory`/`factoryData` for the next operation: only while the account has no code.
    async fn factory_fields(&self) -> Result<Option<(Address, Bytes)>, Error> {
        if self.is_deployed().await? {
            return Ok(None);
        }
        match &self.factory {
            Some(f) => Ok(Some(f.clone())),
            None => Err(Error::AccountNotDeployed {
                account: self.account,
            }),
        }
    }

    /// `(maxFeePerGas, maxPriorityFeePerGas)`: explicit, cached, the bundler's `fast` price, or
    /// the node's fee data when the bundler has no gas-price method.
    async fn fees(&self, opts: &SendOptions) -> Result<(u128, u128), Error> {
        if let Some(fees) = opts.fixed_fees() {
            return Ok(fees);
        }
        let ttl = self.gas.price_ttl;
        let fetch = || async {
            let (max, prio) = match self.bundler.user_operation_gas_price().await {
                Ok(prices) => (
                    prices.fast.max_fee_per_gas,
                    prices.fast.max_priority_fee_per_gas,
                ),
                Err(e) => {
                    tracing::debug!(error = %e, "bundler gas price unavailable; using node fee data");
                    self.node.fees().await?
                }
            };
            Ok::<_, Error>((Instant::now(), max, prio))
        };
        let (_, max, prio) = self
            .price
            .get(|(at, _, _)| at.elapsed() < ttl, fetch)
            .await?;
        Ok((
            opts.max_fee_per_gas.unwrap_or(max),
            opts.max_priority_fee_per_gas.unwrap_or(prio),
        ))
    }

    /// The reads every operation may need, concurrently: factory fields and fees.
    pub(crate) async fn prepare(
        &self,
        opts: &SendOptions,
    ) -> Result<(Option<(Address, Bytes)>, (u128, u128)), Error> {
        let factory = async {
            match opts.eip7702_auth {
                // An EOA delegating in this operation: no factory, whatever its code says now.
                Some(_) => Ok(None),
                None => self.factory_fields().await,
            }
        };
        let (factory, fees) = tokio::join!(factory, self.fees(opts));
        Ok((factory?, fees?))
    }

    /// Builds, estimates, signs and sends one operation; returns the userOpHash.
    pub(crate) async fn send(
        &self,
        calls: &[Call],
        auth: &Auth<'_>,
        opts: &SendOptions,
    ) -> Result<B256, Error> {
        let prepared = self.prepare(opts).await?;
        self.send_prepared(calls, auth, opts, prepared).await
    }

    /// [`Self::send`] after [`Self::prepare`] (so callers can join their own reads with it).
    pub(crate) async fn send_prepared(
        &self,
        calls: &[Call],
        auth: &Auth<'_>,
        opts: &SendOptions,
        (factory, fees): (Option<(Address, Bytes)>, (u128, u128)),
    ) -> Result<B256, Error> {
        let mut op = self.unsigned(calls, auth, factory, fees)?;
        op.eip7702_auth = opts.eip7702_auth;
        let mut lease = self.lanes.acquire();
        let (sent, outcome) = self
            .send_leased(&mut lease, &mut op, calls, auth, opts)
            .await;
        lease.settle(outcome);
        sent
    }

    /// Nonce, gas, signature and send of `op` on the leased nonce; says what the lane should
    /// make of it. An `AA25` (nonce already used, e.g. by another process on the same key)
    /// sends the lane to be re-read from the chain and retries once on a fresh key.
    async fn send_leased<'p>(
        &'p self,
        lease: &mut Lease<'p>,
        op: &mut UserOperation,
        calls: &[Call],
        auth: &Auth<'_>,
        opts: &SendOptions,
    ) -> (Result<B256, Error>, LaneOutcome) {
        let stub_len = op.signature.len();
        let sponsor = self.sponsor(opts);
        let (entry_point, chain_id) = (self.deployment.entry_point, self.chain_id);
        for attempt in 0..2 {
            let ready = async {
                op.nonce = self.lane_nonce(lease, auth.validator).await?;
                // Paymaster stub data before estimation, final data once the gas is fixed (the
                // paymaster signs over it), the account's signature last (the userOpHash covers
                // paymasterAndData).
                let stub = match sponsor {
                    Some(s) => {
                        // Gas limits the caller fixed are final: the service sees them (and may
                        // answer final data at once, `isFinal`).
                        if let Some(limits) = opts.fixed_gas() {
                            limits.apply(op);
                        }
                        Some(s.stub(op, entry_point, chain_id).await?)
                    }
                    None => None,
                };
                self.gas_limits(op, calls, stub_len, opts, stub.as_ref())
                    .await?
                    .apply(op);
                if let (Some(s), Some(stub)) = (sponsor, &stub)
                    && !stub.is_final
                {
                    s.finalize(op, entry_point, chain_id).await?;
                }
                self.sign(op, auth).await
            };
            if let Err(e) = ready.await {
                return (Err(e), LaneOutcome::NotSent);
            }
            match self.submit(op).await {
                Ok(h) => return (Ok(h), LaneOutcome::Sent),
                // A nonce used before (another client of this account): re-sync the lane and retry
                // once on a fresh key — only when this operation certainly did not land, else the
                // intent could land twice.
                Err(e)
                    if attempt == 0
                        && e.aa_code() == Some(AaCode::AA25)
                        && e.is_definitely_not_sent() =>
                {
                    tracing::debug!(
                        "nonce already used; re-syncing the lane, retrying on a fresh key"
                    );
                    // Dropping the lease unsettled makes its lane read its sequence again.
                    *lease = self.lanes.fresh_lease();
                }
                Err(e) => {
                    let outcome = if e.is_definitely_not_sent() {
                        self.forget_estimate(op, calls, stub_len);
                        LaneOutcome::NotSent
                    } else {
                        LaneOutcome::Unknown(UserOperation::hash(
                            op,
                            self.deployment.entry_point,
                            self.chain_id,
                        ))
                    };
                    return (Err(e.into()), outcome);
                }
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// Sends a signed operation (first time or resend of the very same one) and remembers it until
    /// its receipt is seen, so waiting can resend it if the bundler forgets it. Every error is
    /// either "not sent" or [`Error::OutcomeUnknown`] carrying the operation.
    pub(crate) async fn submit(&self, op: &UserOperation) -> Result<B256, BundlerError> {
        let sent = self
            .bundler
            .send_user_operation(op, self.deployment.entry_point)
            .await;
        match &sent {
            Ok(hash) => self.in_flight.remember(*hash, op),
            Err(e) => {
                if let Some((hash, op)) = e.unknown_outcome() {
                    self.in_flight.remember(hash, op);
                }
            }
        }
        sent
    }

    /// The nonce of the leased lane, reading its sequence from the EntryPoint when the lane has
    /// none yet (first use of a [`NonceStrategy::LaneRange`](crate::NonceStrategy::LaneRange) lane, or a re-sync).
    async fn lane_nonce(&self, lease: &mut Lease<'_>, validator: Address) -> Result<U256, Error> {
        let key = NonceKey::new(lease.key(), ValidationMode::Validation, validator);
        let sequence = match lease.sequence() {
            Some(s) => s,
            None => {
                let chain: U256 = self
                    .node
                    .call_decode(
                        "getNonce",
                        "EntryPoint.getNonce reply",
                        self.deployment.entry_point,
                        crate::abi::IEntryPoint::getNonceCall {
                            sender: self.account,
                            key: key.to_u192(),
                        }
                        .abi_encode()
                        .into(),
                    )
                    .await?;
                lease.set_sequence(chain & U256::from(u64::MAX));
                lease.sequence().unwrap_or_default()
            }
        };
        Ok(key.nonce(sequence))
    }

    /// Builds and signs an operation without any request: fees and gas limits all come from
    /// `opts`, the nonce from a fresh lane, and no factory fields are set (the account must
    /// already be deployed).
    pub(crate) async fn build_offline(
        &self,
        calls: &[Call],
        auth: &Auth<'_>,
        opts: &SendOptions,
    ) -> Result<UserOperation, Error> {
        if self.sponsor(opts).is_some() {
            return Err(Error::SponsoredOffline);
        }
        let fees = opts.fixed_fees().ok_or(Error::OfflineNeedsGas {
            missing: "max_fee_per_gas and max_priority_fee_per_gas",
        })?;
        let limits = opts.fixed_gas().ok_or(Error::OfflineNeedsGas {
            missing: "call_gas_limit, verification_gas_limit and pre_verification_gas",
        })?;
        let mut op = self.unsigned(calls, auth, None, fees)?;
        // A fresh key: an operation that may never be sent must not take a lane's sequence.
        op.nonce = NonceKey::new(
            self.lanes.fresh_lease().key(),
            ValidationMode::Validation,
            auth.validator,
        )
        .nonce(0);
        limits.apply(&mut op);
        self.sign(&mut op, auth).await?;
        Ok(op)
    }

    /// The operation for `calls` with the stub signature (final length and shape, for
    /// estimation); nonce and gas limits come later.
    fn unsigned(
        &self,
        calls: &[Call],
        auth: &Auth<'_>,
        factory: Option<(Address, Bytes)>,
        (max_fee, max_priority): (u128, u128),
    ) -> Result<UserOperation, Error> {
        let call_data = encode_execute(calls)?;
        let stub = (auth.wrap)(Bytes::copy_from_slice(&DUMMY_ECDSA_SIGNATURE))?;
        let (factory, factory_data) = match factory {
            Some((f, d)) => (Some(f), d),
            None => (None, Bytes::new()),
        };
        Ok(UserOperation {
            sender: self.account,
            nonce: NonceKey::for_validator(auth.validator).nonce(0),
            factory,
            factory_data,
            call_data,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: max_priority,
            signature: stub,
            ..Default::default()
        })
    }

    /// Signs `op` in place: the signer's signature over the userOpHash in `auth.style`, wrapped.
    async fn sign(&self, op: &mut UserOperation, auth: &Auth<'_>) -> Result<(), Error> {
        let hash = UserOperation::hash(op, self.deployment.entry_point, self.chain_id);
        let sig = if auth.style.signs_eip191_message() {
            auth.signer.sign_message(hash.as_slice()).await?
        } else {
            auth.signer.sign_hash(&hash).await?
        };
        op.signature = (auth.wrap)(Bytes::copy_from_slice(&auth.style.encode(&sig)))?;
        Ok(())
    }

    fn shape_key(op: &UserOperation, calls: &[Call], stub_len: usize) -> u64 {
        let mut h = DefaultHasher::new();
        (
            NonceKey::from_nonce(op.nonce).map(|(k, _)| k.validator()),
            stub_len,
            op.factory.is_some(),
            op.eip7702_auth.is_some(),
            op.paymaster,
        )
            .hash(&mut h);
        for c in calls {
            (c.to, c.selector(), c.data.len(), c.value.is_zero()).hash(&mut h);
        }
        h.finish()
    }

    fn forget_estimate(&self, op: &UserOperation, calls: &[Call], stub_len: usize) {
        let key = Self::shape_key(op, calls, stub_len);
        self.estimates
            .lock()
            .expect("estimate cache poisoned")
            .remove(&key);
    }

    /// The gas limits of `op`: `opts`' where given, else the bundler's estimate (reused for
    /// operations of the same shape) with margins. A paymaster stub's own gas limits win over the
    /// estimate's; without them the paymaster's gas is estimated too, even when `opts` fixes the
    /// other three.
    async fn gas_limits(
        &self,
        op: &UserOperation,
        calls: &[Call],
        stub_len: usize,
        opts: &SendOptions,
        stub: Option<&PaymasterStubData>,
    ) -> Result<GasLimits, Error> {
        let stub_gas = stub.and_then(|s| {
            Some((
                s.paymaster_verification_gas_limit?,
                s.paymaster_post_op_gas_limit.unwrap_or(0),
            ))
        });
        let with_stub_gas = |mut limits: GasLimits| {
            if let Some((verification, post_op)) = stub_gas {
                limits.paymaster_verification = verification;
                limits.paymaster_post_op = post_op;
            }
            limits
        };
        if let Some(limits) = opts.fixed_gas()
            && (stub.is_none() || stub_gas.is_some())
        {
            return Ok(with_stub_gas(limits));
        }
        let estimate = || async {
            // Estimated on a fresh key (sequence 0): the first write of a nonce slot is the
            // dearer case, so the limits fit warm lanes and fresh keys alike, and the simulation
            // never depends on a lane's operation still pending.
            let mut fresh = op.clone();
            fresh.nonce = NonceKey::from_nonce(op.nonce)
                .map(|(k, _)| {
                    NonceKey::new(self.lanes.fresh_lease().key(), k.mode(), k.validator()).nonce(0)
                })
                .unwrap_or(op.nonce);
            let e = self
                .bundler
                .estimate_user_operation_gas(&fresh, self.deployment.entry_point, None)
                .await?;
            Ok::<_, Error>(self.with_margins(&e))
        };
        let limits = if self.gas.reuse_estimates {
            let key = Self::shape_key(op, calls, stub_len);
            let flight = Arc::clone(
                self.estimates
                    .lock()
                    .expect("estimate cache poisoned")
                    .entry(key)
                    .or_insert_with(|| Arc::new(Flight::new())),
            );
            flight.get(|_| true, estimate).await?
        } else {
            estimate().await?
        };
        Ok(with_stub_gas(GasLimits {
            call: opts.call_gas_limit.unwrap_or(limits.call),
            verification: opts.verification_gas_limit.unwrap_or(limits.verification),
            pre_verification: opts.pre_verification_gas.unwrap_or(limits.pre_verification),
            ..limits
        }))
    }

    fn with_margins(&self, e: &GasEstimate) -> GasLimits {
        let pct = |v: u128, p: u32| v.saturating_add(v.saturating_mul(p as u128) / 100);
        let pvg = e.pre_verification_gas;
        GasLimits {
            call: pct(e.call_gas_limit, self.gas.call_gas_margin_percent),
            verification: pct(
                e.verification_gas_limit,
                self.gas.verification_gas_margin_percent,
            ),
            pre_verification: pvg.saturating_add(
                pvg.saturating_mul(U256::from(self.gas.pre_verification_gas_margin_percent))
                    / U256::from(100),
            ),
            // Like the account's: unused validation gas is not charged, unused postOp gas is
            // (10%), as call gas.
            paymaster_verification: pct(
                e.paymaster_verification_gas_limit.unwrap_or(0),
                self.gas.verification_gas_margin_percent,
            ),
            paymaster_post_op: pct(
                e.paymaster_post_op_gas_limit.unwrap_or(0),
                self.gas.call_gas_margin_percent,
            ),
        }
    }

    /// Resends a signed operation as is (the retry that cannot land an intent twice) after checking
    /// it is this account's; returns its userOpHash.
    pub(crate) async fn resend(&self, op: &UserOperation) -> Result<B256, Error> {
        if op.sender != self.account {
            return Err(Error::InvalidResend {
                sender: op.sender,
                account: self.account,
            });
        }
        Ok(self.submit(op).await?)
    }

    /// Polls for the receipt, resending an operation this client sent if the bundler forgets it; a
    /// reverted execution is an error with the decoded reason. No receipt in time for an operation
    /// this client sent is [`Error::OutcomeUnknown`] with the operation to resend.
    pub(crate) async fn wait(&self, hash: B256) -> Result<UserOperationReceipt, Error> {
        let receipt = match self.in_flight.get(hash) {
            Some(op) => {
                let entry_point = self.deployment.entry_point;
                let waited = self
                    .bundler
                    .wait_or_resend(&op, entry_point, self.receipt_timeout)
                    .await;
                waited.map_err(|cause| match cause {
                    BundlerError::OutcomeUnknown { .. } => Error::from(cause),
                    cause => Error::OutcomeUnknown {
                        user_op_hash: hash,
                        user_operation: Box::new(op),
                        cause: Box::new(cause),
                    },
                })?
            }
            None => {
                self.bundler
                    .wait_for_receipt(hash, self.receipt_timeout)
                    .await?
            }
        };
        self.in_flight.forget(hash);
        if receipt.sender == self.account {
            self.mark_deployed();
            if let Some((key, sequence)) = NonceKey::from_nonce(receipt.nonce) {
                self.lanes.landed(hash, key.free_key(), sequence);
            }
        }
        if !receipt.success {
            let reason = receipt.revert_reason().map(|r| match r {
                nexus_sessions_bundler::RevertReason::Raw(data) => {
                    nexus_sessions_types::abi::decode_revert(&data).to_string()
                }
                other => other.to_string(),
            });
            return Err(Error::UserOperationReverted {
                hash,
                transaction_hash: receipt.transaction_hash(),
                reason,
            });
        }
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn dummy_signature_is_65_bytes_with_v_27_or_28() {
        assert_eq!(DUMMY_ECDSA_SIGNATURE.len(), 65);
        assert!(matches!(DUMMY_ECDSA_SIGNATURE[64], 27 | 28));
    }

    #[test]
    fn stats_arithmetic() {
        let a = RpcStats {
            node: 3,
            bundler: 5,
        };
        let b = RpcStats {
            node: 4,
            bundler: 7,
        };
        assert_eq!(
            b.since(&a),
            RpcStats {
                node: 1,
                bundler: 2
            }
        );
        assert_eq!(b.total(), 11);
    }

    #[test]
    fn shape_key_ignores_argument_values_but_not_layout() {
        let op = UserOperation::default();
        let target = Address::with_last_byte(1);
        let a = [Call::new(
            target,
            hex!("3fb5c1cb0000000000000000000000000000000000000000000000000000000000000001"),
        )];
        let b = [Call::new(
            target,
            hex!("3fb5c1cb0000000000000000000000000000000000000000000000000000000000000002"),
        )];
        let c = [Call::new(target, hex!("273ea3e3"))];
        assert_eq!(
            OpSender::shape_key(&op, &a, 100),
            OpSender::shape_key(&op, &b, 100)
        );
        assert_ne!(
            OpSender::shape_key(&op, &a, 100),
            OpSender::shape_key(&op, &c, 100)
        );
        assert_ne!(
            OpSender::shape_key(&op, &a, 100),
            OpSender::shape_key(&op, &a, 101)
        );
        let mut deploying = op.clone();
        deploying.factory = Some(target);
        assert_ne!(
            OpSender::shape_key(&op, &a, 100),
            OpSender::shape_key(&deploying, &a, 100)
        );
    }
}
