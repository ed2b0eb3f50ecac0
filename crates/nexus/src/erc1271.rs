//! ERC-1271 message signatures of a Nexus account's owner, in the form the default validator (Nexus
//! 1.2's MEE K1 validator) accepts: `validator address(0) ‖ ECDSA signature` over the ERC-7739
//! `PersonalSign` digest in the account's EIP-712 domain. A plain EIP-191 signature behind the same
//! prefix is answered `0xffffffff`; without the prefix the first 20 bytes are read as a validator.

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::{Eip712Domain, SolValue};
use std::borrow::Cow;

/// The ERC-1271 success value (`isValidSignature.selector`).
pub const ERC1271_MAGIC_VALUE: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];

/// The account's EIP-712 domain as `eip712Domain()` reports it (name, version, chain, account).
pub fn account_domain(
    name: String,
    version: String,
    chain_id: U256,
    account: Address,
) -> Eip712Domain {
    Eip712Domain {
        name: Some(Cow::Owned(name)),
        version: Some(Cow::Owned(version)),
        chain_id: Some(chain_id),
        verifying_contract: Some(account),
        salt: None,
    }
}

/// The ERC-7739 nested personal-sign digest the owner signs for the message hash `hash`
/// (`hashMessage(message)`):
/// `keccak256(0x1901 ‖ domainSeparator ‖ keccak256(abi.encode(keccak256("PersonalSign(bytes prefixed)"), hash)))`.
pub fn personal_sign_digest(hash: B256, domain: &Eip712Domain) -> B256 {
    let typehash = keccak256("PersonalSign(bytes prefixed)");
    let struct_hash = keccak256((typehash, hash).abi_encode());
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(&[0x19, 0x01]);
    buf[2..34].copy_from_slice(domain.separator().as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}
