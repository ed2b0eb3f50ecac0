//! ERC-4337 EntryPoint v0.7 user operations, with no I/O.
//!
//! - [`UserOperation`]: the unpacked form that bundlers speak over JSON-RPC (serde = that wire form), built
//!   with [`UserOperation::builder`], which refuses inconsistent operations.
//! - [`PackedUserOperation`]: the on-chain struct (`initCode`, `accountGasLimits`, `gasFees`,
//!   `paymasterAndData`); [`UserOperation::pack`] and [`PackedUserOperation::unpack`] convert both ways.
//! - [`UserOperation::hash`] / [`user_op_hash`]: the v0.7 `userOpHash` the account signs.
//! - [`Eip7702Auth`]: the EIP-7702 authorization an EOA's first operation may carry (`eip7702Auth`).
//! - [`abi`]: `sol!` bindings of the EntryPoint v0.7 (struct, calls, errors, events) for calldata and reverts.
//!
//! ```
//! use nexus_sessions_userop::{Address, ENTRY_POINT_V07, U256, UserOperation};
//!
//! let op = UserOperation::builder()
//!     .sender(Address::repeat_byte(0x11))
//!     .nonce(U256::from(7))
//!     .call_data(vec![0xde, 0xad])
//!     .call_gas_limit(100_000u64)
//!     .verification_gas_limit(500_000u64)
//!     .pre_verification_gas(50_000u64)
//!     .max_fee_per_gas(2_000_000_000u64)
//!     .max_priority_fee_per_gas(1_000_000_000u64)
//!     .build()?;
//! let hash = op.hash(ENTRY_POINT_V07, 31337);
//! assert_eq!(op.pack().hash(ENTRY_POINT_V07, 31337), hash);
//! assert_eq!(op.pack().unpack()?, op);
//! # Ok::<(), nexus_sessions_userop::Error>(())
//! ```

pub mod abi;
mod builder;
mod eip7702;
mod error;
mod hash;
mod packed;
mod quantity;
mod user_operation;

pub use alloy_primitives::{Address, B256, Bytes, U256, address};
pub use builder::UserOperationBuilder;
pub use eip7702::{EIP7702_FACTORY_MARKER, Eip7702Auth};
pub use error::Error;
pub use hash::user_op_hash;
pub use packed::PackedUserOperation;
pub use quantity::Quantity;
pub use user_operation::UserOperation;

/// The canonical EntryPoint v0.7 address, the same on every chain.
pub const ENTRY_POINT_V07: Address = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");

// The README's example is compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
