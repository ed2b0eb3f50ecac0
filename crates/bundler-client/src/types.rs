//! Lenient wire types for bundler replies.
//!
//! Bundlers disagree on details (alto, Rundler, Voltaire, Biconomy, ...): these types accept
//! `verificationGas` for `verificationGasLimit`, `null` or missing paymaster fields, quantities as hex,
//! decimal strings or numbers, a `reason` given as text or hex, and a user operation in the unpacked or
//! the packed form.

use crate::{RevertReason, de};
use alloy_primitives::{Address, B256, Bloom, Bytes, U256};
use alloy_sol_types::SolEvent;
use nexus_sessions_userop::{PackedUserOperation, Quantity, UserOperation, abi::IEntryPoint};
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// The answer of `eth_estimateUserOperationGas`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GasEstimate {
    /// Gas for overhead not metered on-chain.
    #[serde(deserialize_with = "de::u256")]
    pub pre_verification_gas: U256,
    /// Gas for deployment and validation (`verificationGas` accepted too).
    #[serde(alias = "verificationGas", deserialize_with = "de::u128")]
    pub verification_gas_limit: u128,
    /// Gas for execution.
    #[serde(deserialize_with = "de::u128")]
    pub call_gas_limit: u128,
    /// Gas for the paymaster's validation (`paymasterVerificationGas` accepted too), if estimated.
    #[serde(
        default,
        alias = "paymasterVerificationGas",
        deserialize_with = "de::opt_u128"
    )]
    pub paymaster_verification_gas_limit: Option<u128>,
    /// Gas for the paymaster's `postOp`, if estimated.
    #[serde(default, deserialize_with = "de::opt_u128")]
    pub paymaster_post_op_gas_limit: Option<u128>,
}

impl GasEstimate {
    /// Writes the estimate into `op`; paymaster limits only when `op` has a paymaster.
    pub fn apply_to(&self, op: &mut UserOperation) {
        op.pre_verification_gas = self.pre_verification_gas;
        op.verification_gas_limit = self.verification_gas_limit;
        op.call_gas_limit = self.call_gas_limit;
        if op.paymaster.is_some() {
            if let Some(gas) = self.paymaster_verification_gas_limit {
                op.paymaster_verification_gas_limit = gas;
            }
            if let Some(gas) = self.paymaster_post_op_gas_limit {
                op.paymaster_post_op_gas_limit = gas;
            }
        }
    }
}

/// One fee level of `pimlico_getUserOperationGasPrice`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GasPrice {
    /// EIP-1559 max fee per gas.
    #[serde(deserialize_with = "de::u128")]
    pub max_fee_per_gas: u128,
    /// EIP-1559 max priority fee per gas.
    #[serde(deserialize_with = "de::u128")]
    pub max_priority_fee_per_gas: u128,
}

impl GasPrice {
    /// Writes both fees into `op`.
    pub fn apply_to(&self, op: &mut UserOperation) {
        op.max_fee_per_gas = self.max_fee_per_gas;
        op.max_priority_fee_per_gas = self.max_priority_fee_per_gas;
    }
}

/// The answer of `pimlico_getUserOperationGasPrice`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct GasPrices {
    /// Cheapest, slowest inclusion.
    pub slow: GasPrice,
    /// Typical inclusion.
    pub standard: GasPrice,
    /// Fastest inclusion (what viem-based SDKs use).
    pub fast: GasPrice,
}

/// An event log, as bundlers relay them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Indexed topics, the event signature first.
    #[serde(default)]
    pub topics: Vec<B256>,
    /// Non-indexed data.
    #[serde(default)]
    pub data: Bytes,
    /// Block hash.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// Block number.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub block_number: Option<u64>,
    /// Block timestamp, when the node sends it (`blockTimestamp`).
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub block_timestamp: Option<u64>,
    /// Transaction hash.
    #[serde(default)]
    pub transaction_hash: Option<B256>,
    /// Index of the transaction within the block.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub transaction_index: Option<u64>,
    /// Index within the block.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub log_index: Option<u64>,
    /// Whether a reorganisation removed the log.
    #[serde(default)]
    pub removed: bool,
}

/// The bundle transaction's receipt, nested in a [`UserOperationReceipt`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransactionReceipt {
    /// The bundle transaction.
    pub transaction_hash: B256,
    /// Block hash.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// Block number.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub block_number: Option<u64>,
    /// Index of the bundle transaction within the block.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub transaction_index: Option<u64>,
    /// The transaction type (`type`: 2 for EIP-1559, 4 for EIP-7702, ...).
    #[serde(default, rename = "type", deserialize_with = "de::opt_u64")]
    pub transaction_type: Option<u64>,
    /// The bundler's sender account.
    #[serde(default)]
    pub from: Option<Address>,
    /// The EntryPoint.
    #[serde(default)]
    pub to: Option<Address>,
    /// Gas used by the whole bundle.
    #[serde(default, deserialize_with = "de::opt_u256")]
    pub gas_used: Option<U256>,
    /// Gas used in the block up to and including the bundle.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub cumulative_gas_used: Option<u64>,
    /// The bloom filter of the bundle's logs.
    #[serde(default)]
    pub logs_bloom: Option<Bloom>,
    /// Effective gas price of the bundle.
    #[serde(default, deserialize_with = "de::opt_u256")]
    pub effective_gas_price: Option<U256>,
    /// Whether the bundle transaction succeeded (`status`).
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub status: Option<bool>,
    /// All logs of the bundle transaction.
    #[serde(default)]
    pub logs: Vec<Log>,
}

/// The answer of `eth_getUserOperationReceipt` once the operation is included.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserOperationReceipt {
    /// The userOpHash.
    pub user_op_hash: B256,
    /// The EntryPoint, when the bundler sends it.
    #[serde(default, deserialize_with = "de::opt_address")]
    pub entry_point: Option<Address>,
    /// The account.
    pub sender: Address,
    /// The operation's nonce.
    #[serde(deserialize_with = "de::u256")]
    pub nonce: U256,
    /// The paymaster; `None` when absent, `null` or the zero address.
    #[serde(default, deserialize_with = "de::opt_address")]
    pub paymaster: Option<Address>,
    /// What the operation paid, in wei.
    #[serde(deserialize_with = "de::u256")]
    pub actual_gas_cost: U256,
    /// Gas the operation used.
    #[serde(deserialize_with = "de::u256")]
    pub actual_gas_used: U256,
    /// Whether the account's execution succeeded.
    #[serde(deserialize_with = "de::flag")]
    pub success: bool,
    /// The bundler's revert reason, as text or hex, when it sends one.
    #[serde(default, deserialize_with = "de::reason")]
    pub reason: Option<String>,
    /// The logs of this operation.
    #[serde(default)]
    pub logs: Vec<Log>,
    /// The bundle transaction's receipt.
    pub receipt: TransactionReceipt,
}

impl UserOperationReceipt {
    /// The bundle transaction's hash.
    pub fn transaction_hash(&self) -> B256 {
        self.receipt.transaction_hash
    }

    /// Why the execution failed, decoded where possible: the bundler's `reason`, else the EntryPoint's
    /// `UserOperationRevertReason` event for this operation. `None` for a successful operation or when
    /// nothing explains the failure.
    pub fn revert_reason(&self) -> Option<RevertReason> {
        if self.success {
            return None;
        }
        if let Some(reason) = self
            .reason
            .as_deref()
            .and_then(RevertReason::from_reason_field)
        {
            return Some(reason);
        }
        self.logs.iter().chain(&self.receipt.logs).find_map(|log| {
            let topic0 = log.topics.first()?;
            if *topic0 != IEntryPoint::UserOperationRevertReason::SIGNATURE_HASH
                || log.topics.get(1) != Some(&self.user_op_hash)
            {
                return None;
            }
            let event = IEntryPoint::UserOperationRevertReason::decode_raw_log(
                log.topics.iter().copied(),
                &log.data,
            )
            .ok()?;
            Some(RevertReason::decode(&event.revertReason))
        })
    }
}

/// The answer of `eth_getUserOperationByHash` for a known operation.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserOperationByHash {
    /// The operation (read from the unpacked or the packed form).
    #[serde(deserialize_with = "lenient_user_operation")]
    pub user_operation: UserOperation,
    /// The EntryPoint it was sent to.
    pub entry_point: Address,
    /// The including block, once mined.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub block_number: Option<u64>,
    /// The including block's hash, once mined.
    #[serde(default)]
    pub block_hash: Option<B256>,
    /// The bundle transaction, once mined.
    #[serde(default)]
    pub transaction_hash: Option<B256>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcPackedUserOperation {
    sender: Address,
    nonce: Quantity,
    #[serde(default)]
    init_code: Bytes,
    call_data: Bytes,
    account_gas_limits: B256,
    pre_verification_gas: Quantity,
    gas_fees: B256,
    #[serde(default)]
    paymaster_and_data: Bytes,
    #[serde(default)]
    signature: Bytes,
}

fn lenient_user_operation<'de, D: Deserializer<'de>>(d: D) -> Result<UserOperation, D::Error> {
    let value = Value::deserialize(d)?;
    if value.get("accountGasLimits").is_some() {
        let packed: RpcPackedUserOperation =
            serde_json::from_value(value).map_err(D::Error::custom)?;
        return PackedUserOperation {
            sender: packed.sender,
            nonce: packed.nonce.0,
            init_code: packed.init_code,
            call_data: packed.call_data,
            account_gas_limits: packed.account_gas_limits,
            pre_verification_gas: packed.pre_verification_gas.0,
            gas_fees: packed.gas_fees,
            paymaster_and_data: packed.paymaster_and_data,
            signature: packed.signature,
        }
        .unpack()
        .map_err(D::Error::custom);
    }
    serde_json::from_value(value).map_err(D::Error::custom)
}
