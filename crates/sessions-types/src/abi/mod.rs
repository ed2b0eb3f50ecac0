//! Solidity ABI declarations (alloy `sol!`) for each SmartSession version, and revert-data decoding.
//!
//! The ergonomic Rust types of this crate ([`crate::Session`], [`crate::EnableSession`], …) convert from and
//! to these structs; use them directly when you need a raw call encoding or want to decode a return value.
//!
//! | module | content |
//! |---|---|
//! | [`pre_v1`] | b17010a structs (`Session` without `permitERC4337Paymaster`, `ERC7739Data{string[]…}`) and functions |
//! | [`v1`] | v1.0.0 / v1 registry-free structs (`ERC7739Context`, `permitERC4337Paymaster`) and functions |
//! | [`errors`] | custom errors of SmartSession, its policies and the registry, and [`decode_revert`] |
//! | [`policy`] | the universal action policy's `ActionConfig` and policy init-data tuples |
//! | [`layout`] | the ABI layout pre-pass that refuses offset aliasing and impossible lengths before decoding |

pub mod errors;
pub mod layout;
pub mod policy;
pub mod pre_v1;
pub mod v1;

pub use errors::{DecodedRevert, decode_revert};
