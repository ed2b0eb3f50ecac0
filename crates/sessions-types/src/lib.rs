//! ERC-7579 Smart Sessions encodings for the three SmartSession module versions. No I/O.
//!
//! Everything a client needs to build, sign and check Smart Sessions data byte-exactly, for the version a
//! deployment runs, chosen by a [`ModuleVersion`] value: pre-v1 (modulekit 0.5.9, smartsessions `b17010a`),
//! v1.0.0 and v1 registry-free.
//!
//! # Map
//!
//! | area | items |
//! |---|---|
//! | versions and modes | [`ModuleVersion`], [`NexusVersion`], [`SmartSessionMode`] |
//! | the session | [`Session`] / [`SessionBuilder`], [`PolicyData`], [`ActionData`], [`Erc7739Data`], [`Erc7739Context`] |
//! | identifiers | [`PermissionId`], [`ActionId`], [`ConfigId`], [`action_id`], [`action_id_for_call`], [`user_op_config_id`], [`action_config_id`], [`erc1271_config_id`], [`FALLBACK_ACTION_ID`] |
//! | policies' init data | [`policy`]: sudo, universal action ([`policy::ActionConfig`]), time frame, usage, value and ERC-20 spending limits, with decoders |
//! | session validator | [`ownable_validator_init_data`], [`OwnableValidatorConfig`], [`SessionSignatureStyle`] (how the session key signs for it) |
//! | userOp signatures | [`SmartSessionSignature`] (USE / ENABLE / UNSAFE_ENABLE), [`EnableSession`], [`ChainDigest`] |
//! | EIP-712 enable digests and the owner's enable signature | [`session_digest`], [`multichain_hash`], [`typehash`], [`validator_prefixed_permission_enable_sig`] |
//! | module install and calls | [`install_data`], [`decode_install_data`], [`uninstall_data`], [`enable_sessions_calldata`], [`remove_session_calldata`], … |
//! | JSON | [`json`]: parsing with the JSON path of a bad value, hex and integer parsers; every type here reads and writes the reference SDKs' JSON |
//! | grantee's record | [`SessionData`] (reference `stringify` / `parse` JSON), [`SessionDetail`] (abstractjs 1.x's persisted grant) |
//! | raw ABI | [`abi`]: per-version `sol!` structs and functions, custom errors, [`abi::decode_revert`] |
//! | compression | [`flz`]: FastLZ byte-identical to solady's JS `flzCompress` |
//! | errors | [`Error`] |
//!
//! # Example
//!
//! Build a session for an OwnableValidator session key that may call `incrementNumber()` on a counter,
//! get its permission id, and encode a USE signature for each version.
//!
//! ```
//! use nexus_sessions_types::{
//!     ActionData, ModuleVersion, PolicyData, Session, SmartSessionSignature, ownable_validator_init_data,
//!     policy,
//! };
//! use alloy_primitives::{address, fixed_bytes, B256, Bytes};
//!
//! let session_key = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
//! let session = Session::builder()
//!     .session_validator(address!("0x2483DA3A338895199E5e538530213157e931Bf06"))
//!     .session_validator_init_data(ownable_validator_init_data(1, &[session_key])?)
//!     .salt(B256::with_last_byte(1))
//!     .action(ActionData::new(
//!         address!("0x1111111111111111111111111111111111111111"),
//!         fixed_bytes!("0x273ea3e3"),
//!         vec![PolicyData::new(address!("0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6"), policy::sudo())],
//!     ))
//!     .build()?;
//! assert_eq!(
//!     session.permission_id().to_string(),
//!     "0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957"
//! );
//!
//! // The session key signs the userOpHash; wrap its signature for SmartSession.
//! let sig = SmartSessionSignature::Use {
//!     permission_id: session.permission_id(),
//!     signature: Bytes::from(vec![0x11; 65]),
//! };
//! let v1 = sig.encode(ModuleVersion::V1); // 0x00 ‖ pid ‖ sig
//! assert_eq!(v1.len(), 1 + 32 + 65);
//! let pre_v1 = sig.encode(ModuleVersion::PreV1); // 0x00 ‖ pid ‖ flz(abi.encode(sig))
//! assert_eq!(SmartSessionSignature::decode(ModuleVersion::PreV1, &pre_v1)?, sig);
//! # Ok::<(), nexus_sessions_types::Error>(())
//! ```

pub use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};

mod codec;
mod eip712;
mod error;
mod ids;
mod install;
mod session;
mod session_data;
mod session_details;
mod signature;
mod signature_style;
mod validator;
mod version;

pub mod abi;
pub mod flz;
pub mod json;
pub mod policy;

#[allow(deprecated)]
pub use eip712::nexus_permission_enable_sig;
pub use eip712::{
    DOMAIN_SEPARATOR, multichain_hash, session_digest, typehash,
    validator_prefixed_permission_enable_sig,
};
pub use error::{Error, Result};
pub use ids::{
    ActionId, ConfigId, FALLBACK_ACTION_ID, FALLBACK_ACTION_ID_SMART_SESSION_CALL,
    FALLBACK_SELECTOR, FALLBACK_SELECTOR_SMART_SESSION_CALL, FALLBACK_TARGET, PermissionId,
    VALUE_SELECTOR, action_config_id, action_id, action_id_for_call, erc1271_config_id,
    permission_id, selector_for_call, user_op_config_id,
};
pub use install::{
    InstallData, decode_install_data, enable_sessions_calldata, get_nonce_calldata,
    get_permission_id_calldata, get_session_digest_calldata, install_data, is_module_type_calldata,
    is_permission_enabled_calldata, remove_session_calldata, revoke_enable_signature_calldata,
    uninstall_data,
};
pub use session::{ActionData, Erc7739Context, Erc7739Data, PolicyData, Session, SessionBuilder};
pub use session_data::{
    AccountType, EnableSessionData, SessionAction, SessionData, UsePermissionModuleData,
};
pub use session_details::{OWNABLE_VALIDATOR_MOCK_SIGNATURE, SessionDetail};
pub use signature::{ChainDigest, EnableSession, SmartSessionSignature};
pub use signature_style::{
    OWNABLE_VALIDATOR_EIP191, OWNABLE_VALIDATOR_RAW_OR_V4, SessionSignatureStyle,
};
pub use validator::{
    MAX_SESSION_VALIDATOR_DATA_LEN, MAX_SESSION_VALIDATOR_OWNERS, OwnableValidatorConfig,
    max_owners, ownable_validator_init_data, ownable_validator_init_data_for,
};
pub use version::{ModuleVersion, NexusVersion, SmartSessionMode};

// The README's example is compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
