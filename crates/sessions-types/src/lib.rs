//! ERC-7579 Smart Sessions encodings for the three SmartSession module versions. No I/O.
//!
//! Everything a client needs to build, sign and check Smart Sessions data byte-exactly, chosen per
//! deployment by a [`ModuleVersion`] value: pre-v1 (modulekit 0.5.9, smartsessions `b17010a`), v1.0.0 and
//! v1 registry-free.

pub use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};

mod codec;
mod eip712;
mod error;
mod ids;
mod install;
mod json;
mod session;
mod session_data;
mod signature;
mod validator;
mod version;

pub mod abi;
pub mod flz;
pub mod policy;

pub use eip712::{
    DOMAIN_SEPARATOR, multichain_hash, nexus_permission_enable_sig, session_digest, typehash,
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
pub use signature::{ChainDigest, EnableSession, SmartSessionSignature};
pub use validator::{
    MAX_SESSION_VALIDATOR_DATA_LEN, MAX_SESSION_VALIDATOR_OWNERS, OwnableValidatorConfig,
    max_owners, ownable_validator_init_data, ownable_validator_init_data_for,
};
pub use version::{ModuleVersion, SmartSessionMode};
