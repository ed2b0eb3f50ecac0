//! The crate's single error type.

use alloy_primitives::U256;

/// Why a user operation could not be built, unpacked or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The builder was not given a `sender`.
    #[error("user operation has no sender")]
    MissingSender,
    /// `factoryData` is non-empty but `factory` is absent; the EntryPoint would never run it.
    #[error("factoryData ({len} bytes) is set but factory is absent")]
    FactoryDataWithoutFactory {
        /// Length of the orphaned `factoryData`.
        len: usize,
    },
    /// A paymaster gas limit or `paymasterData` is set but `paymaster` is absent.
    #[error("{field} is set but paymaster is absent")]
    PaymasterFieldWithoutPaymaster {
        /// The JSON-RPC name of the orphaned field.
        field: &'static str,
    },
    /// An EIP-7702 authorization is sent with a factory: the account is the delegated EOA, so bundlers
    /// refuse any factory but none (or the `0x7702` marker).
    #[error("eip7702Auth is set together with factory {factory}; a delegated EOA needs no factory")]
    FactoryWithEip7702Auth {
        /// The factory given.
        factory: alloy_primitives::Address,
    },
    /// An EIP-7702 authorization is malformed or its signature does not recover.
    #[error("invalid EIP-7702 authorization: {reason}")]
    InvalidAuthorization {
        /// What was wrong.
        reason: String,
    },
    /// A value does not fit the width it is packed into (`uint128` for gas limits and fees).
    #[error("{field} = {value} does not fit in {bits} bits")]
    ValueTooLarge {
        /// The JSON-RPC name of the field.
        field: &'static str,
        /// The rejected value.
        value: U256,
        /// The packed width in bits.
        bits: u32,
    },
    /// A packed `initCode` is 1..=19 bytes long: too short to hold the factory address.
    #[error("initCode is {len} bytes; it must be empty or at least 20 (factory address)")]
    MalformedInitCode {
        /// The actual length.
        len: usize,
    },
    /// A packed `paymasterAndData` is 1..=51 bytes long: too short for paymaster ‖ two uint128 gas limits.
    #[error(
        "paymasterAndData is {len} bytes; it must be empty or at least 52 (paymaster ‖ verification gas ‖ postOp gas)"
    )]
    MalformedPaymasterAndData {
        /// The actual length.
        len: usize,
    },
    /// A JSON quantity is not a 0x-hex, decimal string or non-negative integer, or exceeds 256 bits.
    #[error("invalid quantity {value:?}: {reason}")]
    InvalidQuantity {
        /// The text as received (truncated to 80 characters for display).
        value: String,
        /// What was wrong with it.
        reason: &'static str,
    },
}
