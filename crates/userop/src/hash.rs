//! The EntryPoint v0.7 `userOpHash`.
//!
//! `keccak(abi.encode(keccak(abi.encode(sender, nonce, keccak(initCode), keccak(callData),
//! accountGasLimits, preVerificationGas, gasFees, keccak(paymasterAndData))), entryPoint, chainId))`.
//! Every member is a static 32-byte word, so the encodings are written straight into fixed buffers.

use crate::UserOperation;
use alloy_primitives::{Address, B256, KECCAK256_EMPTY, Keccak256, U256, keccak256};

/// The v0.7 `userOpHash` from the packed fields; the EntryPoint's `getUserOpHash`.
#[allow(clippy::too_many_arguments)] // mirrors the Solidity struct one-to-one
pub fn user_op_hash(
    sender: Address,
    nonce: U256,
    init_code_hash: B256,
    call_data_hash: B256,
    account_gas_limits: B256,
    pre_verification_gas: U256,
    gas_fees: B256,
    paymaster_and_data_hash: B256,
    entry_point: Address,
    chain_id: u64,
) -> B256 {
    let mut words = [0u8; 8 * 32];
    words[12..32].copy_from_slice(sender.as_slice());
    words[32..64].copy_from_slice(&nonce.to_be_bytes::<32>());
    words[64..96].copy_from_slice(init_code_hash.as_slice());
    words[96..128].copy_from_slice(call_data_hash.as_slice());
    words[128..160].copy_from_slice(account_gas_limits.as_slice());
    words[160..192].copy_from_slice(&pre_verification_gas.to_be_bytes::<32>());
    words[192..224].copy_from_slice(gas_fees.as_slice());
    words[224..256].copy_from_slice(paymaster_and_data_hash.as_slice());
    let inner = keccak256(words);

    let mut outer = [0u8; 3 * 32];
    outer[..32].copy_from_slice(inner.as_slice());
    outer[44..64].copy_from_slice(entry_point.as_slice());
    outer[88..96].copy_from_slice(&chain_id.to_be_bytes());
    keccak256(outer)
}

/// Hashes the unpacked form, streaming `initCode` and `paymasterAndData` into keccak instead of
/// concatenating them.
pub(crate) fn hash_unpacked(op: &UserOperation, entry_point: Address, chain_id: u64) -> B256 {
    let init_code_hash = match op.factory {
        Some(factory) => {
            let mut hasher = Keccak256::new();
            hasher.update(factory);
            hasher.update(&op.factory_data);
            hasher.finalize()
        }
        None => KECCAK256_EMPTY,
    };
    let paymaster_and_data_hash = match op.paymaster {
        Some(paymaster) => {
            let mut hasher = Keccak256::new();
            hasher.update(paymaster);
            hasher.update(op.paymaster_verification_gas_limit.to_be_bytes());
            hasher.update(op.paymaster_post_op_gas_limit.to_be_bytes());
            hasher.update(&op.paymaster_data);
            hasher.finalize()
        }
        None => KECCAK256_EMPTY,
    };
    user_op_hash(
        op.sender,
        op.nonce,
        init_code_hash,
        keccak256(&op.call_data),
        op.account_gas_limits(),
        op.pre_verification_gas,
        op.gas_fees(),
        paymaster_and_data_hash,
        entry_point,
        chain_id,
    )
}

/// `keccak256(data)`, skipping the permutation for the common empty `initCode` / `paymasterAndData`.
pub(crate) fn keccak_or_empty(data: &[u8]) -> B256 {
    if data.is_empty() {
        KECCAK256_EMPTY
    } else {
        keccak256(data)
    }
}
