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
//! | `EntryPoint.getNonce` | never: each operation gets a fresh 3-byte nonce lane whose sequence is 0 | never |
//! | `eth_estimateUserOperationGas` | yes | skipped when the same call shape was estimated before ([`GasConfig::reuse_estimates`]) |
//! | `eth_sendUserOperation` | yes | yes |
//!
//! Independent reads run concurrently (`tokio::join!`).

use crate::{
    deployment::Deployment,
    error::Error,
    execution::{Call, encode_execute},
    node::Node,
    nonce::{NonceKey, NonceLanes, ValidationMode},
    settings::ClientSettings,
};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use bundler_client::{AaCode, BundlerClient, GasEstimate, UserOperationReceipt};
use sessions_types::SessionSignatureStyle;
use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use userop::{Eip7702Auth, UserOperation};

/// A signer usable from any task.
pub type DynSigner = Arc<dyn Signer + Send + Sync>;

/// A well-formed 65-byte ECDSA signature that recovers to an unrelated address (sdk 0.0.20
/// `DUMMY_ECDSA_SIG`, module-sdk `getOwnableValidatorMockSignature`): stub signatures have the final
/// length and shape, so verification gas and preVerificationGas are estimated for the real thing.
pub const DUMMY_ECDSA_SIGNATURE: [u8; 65] = sessions_types::OWNABLE_VALIDATOR_MOCK_SIGNATURE;

/// Gas estimation and fee policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasConfig {
    /// Reuse an earlier estimate for an operation of the same shape (same validator, signature
    /// length, deployment step, and per call: target, selector, data length, zero / non-zero value).
    /// Saves one round trip per warm operation; the margins below absorb state-dependent gas
    /// (first storage writes, different arguments). Default `true`.
    pub reuse_estimates: bool,
    /// Percentage added to the bundler's `callGasLimit` (EntryPoint v0.7 charges 10% of unused
    /// call gas, so 20% headroom costs at most 2%). Default 20.
    pub call_gas_margin_percent: u32,
    /// Percentage added to `verificationGasLimit` (unused verification gas is not charged).
    /// Default 20.
    pub verification_gas_margin_percent: u32,
    /// Percentage added to `preVerificationGas` (the real signature's FastLZ length can differ
    /// from the stub's by a few bytes). Default 10.
    pub pre_verification_gas_margin_percent: u32,
    /// How long a bundler gas price is reused. Default 10 s.
    pub price_ttl: Duration,
}

impl Default for GasConfig {
    fn default() -> Self {
        Self {
            reuse_estimates: true,
            call_gas_margin_percent: 20,
            verification_gas_margin_percent: 20,
            pre_verification_gas_margin_percent: 10,
            price_ttl: Duration::from_secs(10),
        }
    }
}

/// Per-operation overrides. Gas limits given here skip estimation when all three are set; fees
/// given here skip the gas-price request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
}

impl SendOptions {
    /// Fixed fees (no gas-price request).
    pub fn with_fees(mut self, max_fee_per_gas: u128, max_priority_fee_per_gas: u128) -> Self {
        self.max_fee_per_gas = Some(max_fee_per_gas);
        self.max_priority_fee_per_gas = Some(max_priority_fee_per_gas);
        self
    }

    /// Fixed gas limits (no estimation).
    pub fn with_gas(mut self, call: u128, verification: u128, pre_verification: u64) -> Self {
        self.call_gas_limit = Some(call);
        self.verification_gas_limit = Some(verification);
        self.pre_verification_gas = Some(U256::from(pre_verification));
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
        })
    }
}

/// JSON-RPC requests made so far, per endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
}

impl GasLimits {
    fn apply(self, op: &mut UserOperation) {
        op.call_gas_limit = self.call;
        op.verification_gas_limit = self.verification;
        op.pre_verification_gas = self.pre_verification;
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
    lanes: NonceLanes,
    price: Mutex<Option<(Instant, u128, u128)>>,
    estimates: Mutex<HashMap<u64, GasLimits>>,
    pub(crate) gas: GasConfig,
    pub(crate) receipt_timeout: Duration,
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
        Ok(Self {
            bundler: settings.bundler(chain_id)?,
            node,
            deployment: settings.deployment.clone(),
            chain_id,
            account,
            factory,
            deployed: AtomicBool::new(false),
            lanes: NonceLanes::new(),
            price: Mutex::new(None),
            estimates: Mutex::new(HashMap::new()),
            gas: settings.gas.clone(),
            receipt_timeout: settings.receipt_timeout,
        })
    }

    pub(crate) fn stats(&self) -> RpcStats {
        RpcStats {
            node: self.node.request_count(),
            bundler: self.bundler.request_count(),
        }
    }

    pub(crate) fn mark_deployed(&self) {
        self.deployed.store(true, Ordering::Relaxed);
    }

    /// Whether the account has code (cached once seen).
    pub(crate) async fn is_deployed(&self) -> Result<bool, Error> {
        if self.deployed.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let code = self.node.code(self.account).await?;
        if !code.is_empty() {
            self.mark_deployed();
        }
        Ok(!code.is_empty())
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
        if let Some((at, max, prio)) = *self.price.lock().expect("price cache poisoned")
            && at.elapsed() < self.gas.price_ttl
        {
            return Ok((max, prio));
        }
        let price = self.bundler.user_operation_gas_price().await;
        let (max, prio) = match price {
            Ok(prices) => (
                prices.fast.max_fee_per_gas,
                prices.fast.max_priority_fee_per_gas,
            ),
            Err(e) => {
                tracing::debug!(error = %e, "bundler gas price unavailable; using node fee data");
                self.node.fees().await?
            }
        };
        *self.price.lock().expect("price cache poisoned") = Some((Instant::now(), max, prio));
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
        let stub_len = op.signature.len();
        self.gas_limits(&op, calls, stub_len, opts)
            .await?
            .apply(&mut op);

        for attempt in 0..2 {
            self.sign(&mut op, auth).await?;
            match self
                .bundler
                .send_user_operation(&op, self.deployment.entry_point)
                .await
            {
                Ok(h) => return Ok(h),
                // A lane used before by another client of this account: take a fresh one once.
                Err(e) if attempt == 0 && e.aa_code() == Some(AaCode::AA25) => {
                    tracing::debug!("nonce lane already used; retrying on a fresh lane");
                    op.nonce = self.fresh_nonce(auth.validator);
                }
                Err(e) => {
                    self.forget_estimate(&op, calls, stub_len);
                    return Err(e.into());
                }
            }
        }
        unreachable!("the loop returns on its second attempt")
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
        let fees = opts.fixed_fees().ok_or(Error::OfflineNeedsGas {
            missing: "max_fee_per_gas and max_priority_fee_per_gas",
        })?;
        let limits = opts.fixed_gas().ok_or(Error::OfflineNeedsGas {
            missing: "call_gas_limit, verification_gas_limit and pre_verification_gas",
        })?;
        let mut op = self.unsigned(calls, auth, None, fees)?;
        limits.apply(&mut op);
        self.sign(&mut op, auth).await?;
        Ok(op)
    }

    /// The operation for `calls` on a fresh nonce lane, carrying the stub signature (final length
    /// and shape, for estimation) and no gas limits yet.
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
            nonce: self.fresh_nonce(auth.validator),
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

    fn fresh_nonce(&self, validator: Address) -> U256 {
        NonceKey::new(self.lanes.next_key(), ValidationMode::Validation, validator).nonce(0)
    }

    fn shape_key(op: &UserOperation, calls: &[Call], stub_len: usize) -> u64 {
        let mut h = DefaultHasher::new();
        (
            NonceKey::from_nonce(op.nonce).map(|(k, _)| k.validator()),
            stub_len,
            op.factory.is_some(),
            op.eip7702_auth.is_some(),
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

    async fn gas_limits(
        &self,
        op: &UserOperation,
        calls: &[Call],
        stub_len: usize,
        opts: &SendOptions,
    ) -> Result<GasLimits, Error> {
        if let Some(limits) = opts.fixed_gas() {
            return Ok(limits);
        }
        let key = Self::shape_key(op, calls, stub_len);
        let cached = if self.gas.reuse_estimates {
            self.estimates
                .lock()
                .expect("estimate cache poisoned")
                .get(&key)
                .copied()
        } else {
            None
        };
        let limits = match cached {
            Some(l) => l,
            None => {
                let estimate = self
                    .bundler
                    .estimate_user_operation_gas(op, self.deployment.entry_point, None)
                    .await?;
                let l = self.with_margins(&estimate);
                self.estimates
                    .lock()
                    .expect("estimate cache poisoned")
                    .insert(key, l);
                l
            }
        };
        Ok(GasLimits {
            call: opts.call_gas_limit.unwrap_or(limits.call),
            verification: opts.verification_gas_limit.unwrap_or(limits.verification),
            pre_verification: opts.pre_verification_gas.unwrap_or(limits.pre_verification),
        })
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
        }
    }

    /// Polls for the receipt; a reverted execution is an error with the decoded reason.
    pub(crate) async fn wait(&self, hash: B256) -> Result<UserOperationReceipt, Error> {
        let receipt = self
            .bundler
            .wait_for_receipt(hash, self.receipt_timeout)
            .await?;
        if receipt.sender == self.account {
            self.mark_deployed();
        }
        if !receipt.success {
            let reason = receipt.revert_reason().map(|r| match r {
                bundler_client::RevertReason::Raw(data) => {
                    sessions_types::abi::decode_revert(&data).to_string()
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
