//! The unpacked user operation and its JSON-RPC wire form.

use crate::{
    EIP7702_FACTORY_MARKER, Eip7702Auth, Error, PackedUserOperation, Quantity,
    UserOperationBuilder, hash,
};
use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

/// An EntryPoint v0.7 user operation in the unpacked form that bundlers speak over JSON-RPC.
///
/// Serde gives exactly that wire form: camelCase names, quantities as minimal `0x`-hex, `factory` /
/// `factoryData` omitted without a factory and the four paymaster fields omitted without a paymaster.
/// Reading is lenient about quantities (hex, decimal string or integer) and `null` optionals, but refuses
/// inconsistent operations (see [`UserOperation::validate`]) and gas values wider than 128 bits.
///
/// Fields are public so that a signature or gas estimate can be filled in place; [`UserOperation::builder`]
/// is the checked way to make one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RpcUserOperation", into = "RpcUserOperation")]
pub struct UserOperation {
    /// The smart account sending the operation.
    pub sender: Address,
    /// The EntryPoint nonce: `key (192 bits) ‖ sequence (64 bits)`.
    pub nonce: U256,
    /// The factory that deploys `sender`, for a first operation.
    pub factory: Option<Address>,
    /// Calldata for `factory`; must be empty without a factory.
    pub factory_data: Bytes,
    /// Calldata the EntryPoint sends to `sender`.
    pub call_data: Bytes,
    /// Gas for the execution phase.
    pub call_gas_limit: u128,
    /// Gas for account deployment and validation.
    pub verification_gas_limit: u128,
    /// Gas paid to the bundler for overhead not metered on-chain.
    pub pre_verification_gas: U256,
    /// EIP-1559 max fee per gas.
    pub max_fee_per_gas: u128,
    /// EIP-1559 max priority fee per gas.
    pub max_priority_fee_per_gas: u128,
    /// The paymaster sponsoring the operation, if any.
    pub paymaster: Option<Address>,
    /// Gas for the paymaster's validation; must be zero without a paymaster.
    pub paymaster_verification_gas_limit: u128,
    /// Gas for the paymaster's `postOp`; must be zero without a paymaster.
    pub paymaster_post_op_gas_limit: u128,
    /// Data for the paymaster; must be empty without a paymaster.
    pub paymaster_data: Bytes,
    /// The account's signature over [`UserOperation::hash`] (or a stub during estimation).
    pub signature: Bytes,
    /// An EIP-7702 authorization delegating `sender` (an EOA) to an account implementation, sent
    /// along with the operation; not part of the v0.7 `userOpHash`.
    pub eip7702_auth: Option<Eip7702Auth>,
}

impl UserOperation {
    /// A builder that checks consistency and widths on [`UserOperationBuilder::build`].
    pub fn builder() -> UserOperationBuilder {
        UserOperationBuilder::default()
    }

    /// Checks the cross-field rules: no `factoryData` without `factory`, and no paymaster gas limits or
    /// `paymasterData` without `paymaster`.
    pub fn validate(&self) -> Result<(), Error> {
        if self.factory.is_none() && !self.factory_data.is_empty() {
            return Err(Error::FactoryDataWithoutFactory {
                len: self.factory_data.len(),
            });
        }
        if self.paymaster.is_none() {
            let orphan = if self.paymaster_verification_gas_limit != 0 {
                Some("paymasterVerificationGasLimit")
            } else if self.paymaster_post_op_gas_limit != 0 {
                Some("paymasterPostOpGasLimit")
            } else if !self.paymaster_data.is_empty() {
                Some("paymasterData")
            } else {
                None
            };
            if let Some(field) = orphan {
                return Err(Error::PaymasterFieldWithoutPaymaster { field });
            }
        }
        if let (Some(_), Some(factory)) = (&self.eip7702_auth, self.factory)
            && factory != EIP7702_FACTORY_MARKER
        {
            return Err(Error::FactoryWithEip7702Auth { factory });
        }
        Ok(())
    }

    /// `factory ‖ factoryData`, or empty without a factory.
    pub fn init_code(&self) -> Bytes {
        match self.factory {
            Some(factory) => [factory.as_slice(), &self.factory_data].concat().into(),
            None => Bytes::new(),
        }
    }

    /// `uint128 verificationGasLimit ‖ uint128 callGasLimit`.
    pub fn account_gas_limits(&self) -> B256 {
        pack_u128_pair(self.verification_gas_limit, self.call_gas_limit)
    }

    /// `uint128 maxPriorityFeePerGas ‖ uint128 maxFeePerGas`.
    pub fn gas_fees(&self) -> B256 {
        pack_u128_pair(self.max_priority_fee_per_gas, self.max_fee_per_gas)
    }

    /// `paymaster ‖ uint128 verification gas ‖ uint128 postOp gas ‖ paymasterData`, or empty without a paymaster.
    pub fn paymaster_and_data(&self) -> Bytes {
        match self.paymaster {
            Some(paymaster) => {
                let mut out = Vec::with_capacity(52 + self.paymaster_data.len());
                out.extend_from_slice(paymaster.as_slice());
                out.extend_from_slice(&self.paymaster_verification_gas_limit.to_be_bytes());
                out.extend_from_slice(&self.paymaster_post_op_gas_limit.to_be_bytes());
                out.extend_from_slice(&self.paymaster_data);
                out.into()
            }
            None => Bytes::new(),
        }
    }

    /// The on-chain packed form.
    ///
    /// Packing is total: fields the EntryPoint cannot see (`factoryData` without a factory, paymaster
    /// fields without a paymaster) are dropped, so run [`UserOperation::validate`] (the builder and
    /// deserialiser do) if they may be set.
    pub fn pack(&self) -> PackedUserOperation {
        PackedUserOperation {
            sender: self.sender,
            nonce: self.nonce,
            init_code: self.init_code(),
            call_data: self.call_data.clone(),
            account_gas_limits: self.account_gas_limits(),
            pre_verification_gas: self.pre_verification_gas,
            gas_fees: self.gas_fees(),
            paymaster_and_data: self.paymaster_and_data(),
            signature: self.signature.clone(),
        }
    }

    /// The EntryPoint v0.7 `userOpHash` for `entry_point` on `chain_id`, computed without allocating
    /// the packed form. Equals `self.pack().hash(entry_point, chain_id)`.
    pub fn hash(&self, entry_point: Address, chain_id: u64) -> B256 {
        hash::hash_unpacked(self, entry_point, chain_id)
    }
}

pub(crate) fn pack_u128_pair(high: u128, low: u128) -> B256 {
    let mut word = B256::ZERO;
    word[..16].copy_from_slice(&high.to_be_bytes());
    word[16..].copy_from_slice(&low.to_be_bytes());
    word
}

/// The JSON-RPC shape; conversion into [`UserOperation`] checks widths and consistency.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcUserOperation {
    sender: Address,
    nonce: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    factory: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    factory_data: Option<Bytes>,
    call_data: Bytes,
    call_gas_limit: Quantity,
    verification_gas_limit: Quantity,
    pre_verification_gas: Quantity,
    max_fee_per_gas: Quantity,
    max_priority_fee_per_gas: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paymaster: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paymaster_verification_gas_limit: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paymaster_post_op_gas_limit: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paymaster_data: Option<Bytes>,
    signature: Bytes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eip7702_auth: Option<Eip7702Auth>,
}

impl TryFrom<RpcUserOperation> for UserOperation {
    type Error = Error;

    fn try_from(rpc: RpcUserOperation) -> Result<Self, Error> {
        let optional_u128 = |q: Option<Quantity>, field| q.map_or(Ok(0), |q| q.to_u128(field));
        let op = Self {
            sender: rpc.sender,
            nonce: rpc.nonce.0,
            factory: rpc.factory,
            factory_data: rpc.factory_data.unwrap_or_default(),
            call_data: rpc.call_data,
            call_gas_limit: rpc.call_gas_limit.to_u128("callGasLimit")?,
            verification_gas_limit: rpc.verification_gas_limit.to_u128("verificationGasLimit")?,
            pre_verification_gas: rpc.pre_verification_gas.0,
            max_fee_per_gas: rpc.max_fee_per_gas.to_u128("maxFeePerGas")?,
            max_priority_fee_per_gas: rpc
                .max_priority_fee_per_gas
                .to_u128("maxPriorityFeePerGas")?,
            paymaster: rpc.paymaster,
            paymaster_verification_gas_limit: optional_u128(
                rpc.paymaster_verification_gas_limit,
                "paymasterVerificationGasLimit",
            )?,
            paymaster_post_op_gas_limit: optional_u128(
                rpc.paymaster_post_op_gas_limit,
                "paymasterPostOpGasLimit",
            )?,
            paymaster_data: rpc.paymaster_data.unwrap_or_default(),
            signature: rpc.signature,
            eip7702_auth: rpc.eip7702_auth,
        };
        op.validate()?;
        Ok(op)
    }
}

impl From<UserOperation> for RpcUserOperation {
    fn from(op: UserOperation) -> Self {
        let has_factory = op.factory.is_some();
        let has_paymaster = op.paymaster.is_some();
        Self {
            sender: op.sender,
            nonce: op.nonce.into(),
            factory: op.factory,
            factory_data: has_factory.then_some(op.factory_data),
            call_data: op.call_data,
            call_gas_limit: op.call_gas_limit.into(),
            verification_gas_limit: op.verification_gas_limit.into(),
            pre_verification_gas: op.pre_verification_gas.into(),
            max_fee_per_gas: op.max_fee_per_gas.into(),
            max_priority_fee_per_gas: op.max_priority_fee_per_gas.into(),
            paymaster: op.paymaster,
            paymaster_verification_gas_limit: has_paymaster
                .then_some(op.paymaster_verification_gas_limit.into()),
            paymaster_post_op_gas_limit: has_paymaster
                .then_some(op.paymaster_post_op_gas_limit.into()),
            paymaster_data: has_paymaster.then_some(op.paymaster_data),
            signature: op.signature,
            eip7702_auth: op.eip7702_auth,
        }
    }
}
