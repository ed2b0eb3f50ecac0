//! The on-chain `PackedUserOperation` and its conversion back to the unpacked form.

use crate::{
    Error, UserOperation, abi,
    hash::{keccak_or_empty, user_op_hash},
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;

/// The EntryPoint v0.7 `PackedUserOperation` struct, field for field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PackedUserOperation {
    /// The smart account.
    pub sender: Address,
    /// `key (192 bits) ‖ sequence (64 bits)`.
    pub nonce: U256,
    /// `factory ‖ factoryData`, or empty.
    pub init_code: Bytes,
    /// Calldata sent to `sender`.
    pub call_data: Bytes,
    /// `uint128 verificationGasLimit ‖ uint128 callGasLimit`.
    pub account_gas_limits: B256,
    /// Gas paid for overhead not metered on-chain.
    pub pre_verification_gas: U256,
    /// `uint128 maxPriorityFeePerGas ‖ uint128 maxFeePerGas`.
    pub gas_fees: B256,
    /// `paymaster ‖ uint128 verification gas ‖ uint128 postOp gas ‖ paymasterData`, or empty.
    pub paymaster_and_data: Bytes,
    /// The account's signature.
    pub signature: Bytes,
}

fn split_u128_pair(word: &B256) -> (u128, u128) {
    let mut high = [0u8; 16];
    let mut low = [0u8; 16];
    high.copy_from_slice(&word[..16]);
    low.copy_from_slice(&word[16..]);
    (u128::from_be_bytes(high), u128::from_be_bytes(low))
}

impl PackedUserOperation {
    /// Splits the packed fields back into the unpacked form.
    ///
    /// Fails with [`Error::MalformedInitCode`] for a 1..=19-byte `initCode` and
    /// [`Error::MalformedPaymasterAndData`] for a 1..=51-byte `paymasterAndData`.
    pub fn unpack(&self) -> Result<UserOperation, Error> {
        let (factory, factory_data) = match self.init_code.len() {
            0 => (None, Bytes::new()),
            len @ 1..20 => return Err(Error::MalformedInitCode { len }),
            _ => (
                Some(Address::from_slice(&self.init_code[..20])),
                self.init_code.slice(20..),
            ),
        };
        let (paymaster, pm_verification, pm_post_op, paymaster_data) =
            match self.paymaster_and_data.len() {
                0 => (None, 0, 0, Bytes::new()),
                len @ 1..52 => return Err(Error::MalformedPaymasterAndData { len }),
                _ => {
                    let pmd = &self.paymaster_and_data;
                    let mut gas = B256::ZERO;
                    gas.copy_from_slice(&pmd[20..52]);
                    let (verification, post_op) = split_u128_pair(&gas);
                    (
                        Some(Address::from_slice(&pmd[..20])),
                        verification,
                        post_op,
                        pmd.slice(52..),
                    )
                }
            };
        let (verification_gas_limit, call_gas_limit) = split_u128_pair(&self.account_gas_limits);
        let (max_priority_fee_per_gas, max_fee_per_gas) = split_u128_pair(&self.gas_fees);
        Ok(UserOperation {
            sender: self.sender,
            nonce: self.nonce,
            factory,
            factory_data,
            call_data: self.call_data.clone(),
            call_gas_limit,
            verification_gas_limit,
            pre_verification_gas: self.pre_verification_gas,
            max_fee_per_gas,
            max_priority_fee_per_gas,
            paymaster,
            paymaster_verification_gas_limit: pm_verification,
            paymaster_post_op_gas_limit: pm_post_op,
            paymaster_data,
            signature: self.signature.clone(),
            // The packed form has no place for it: EntryPoint v0.7 never sees the authorization.
            eip7702_auth: None,
        })
    }

    /// The EntryPoint v0.7 `userOpHash` for `entry_point` on `chain_id` (`EntryPoint.getUserOpHash`).
    pub fn hash(&self, entry_point: Address, chain_id: u64) -> B256 {
        user_op_hash(
            self.sender,
            self.nonce,
            keccak_or_empty(&self.init_code),
            keccak256(&self.call_data),
            self.account_gas_limits,
            self.pre_verification_gas,
            self.gas_fees,
            keccak_or_empty(&self.paymaster_and_data),
            entry_point,
            chain_id,
        )
    }

    /// The Solidity ABI encoding of the struct as a standalone value (`abi.encode(op)`).
    pub fn abi_encode(&self) -> Vec<u8> {
        abi::PackedUserOperation::from(self.clone()).abi_encode()
    }
}

impl From<PackedUserOperation> for abi::PackedUserOperation {
    fn from(op: PackedUserOperation) -> Self {
        Self {
            sender: op.sender,
            nonce: op.nonce,
            initCode: op.init_code,
            callData: op.call_data,
            accountGasLimits: op.account_gas_limits,
            preVerificationGas: op.pre_verification_gas,
            gasFees: op.gas_fees,
            paymasterAndData: op.paymaster_and_data,
            signature: op.signature,
        }
    }
}

impl From<abi::PackedUserOperation> for PackedUserOperation {
    fn from(op: abi::PackedUserOperation) -> Self {
        Self {
            sender: op.sender,
            nonce: op.nonce,
            init_code: op.initCode,
            call_data: op.callData,
            account_gas_limits: op.accountGasLimits,
            pre_verification_gas: op.preVerificationGas,
            gas_fees: op.gasFees,
            paymaster_and_data: op.paymasterAndData,
            signature: op.signature,
        }
    }
}

impl From<&UserOperation> for PackedUserOperation {
    fn from(op: &UserOperation) -> Self {
        op.pack()
    }
}

impl TryFrom<&PackedUserOperation> for UserOperation {
    type Error = Error;

    fn try_from(op: &PackedUserOperation) -> Result<Self, Error> {
        op.unpack()
    }
}
