//! Nexus smart accounts and Smart Sessions actions (grant, use, revoke) over a bundler.

pub mod abi;
pub mod account;
mod client;
pub mod deployment;
mod error;
pub mod execution;
pub mod modules;
mod node;
pub mod nonce;
pub mod permission;
pub mod policy_check;
mod sender;
mod session_client;

pub use account::AccountInit;
pub use client::{
    DEFAULT_RECEIPT_TIMEOUT, GrantPermissionResponse, NexusClient, NexusClientBuilder,
};
pub use deployment::{Deployment, LocalAddresses, PolicyAddresses};
pub use error::Error;
pub use execution::Call;
pub use modules::ModuleType;
pub use nonce::{NonceKey, ValidationMode};
pub use permission::{ActionPermission, PermissionRequest};
pub use policy_check::{PolicyViolation, ViolatedRule};
pub use sender::{DUMMY_ECDSA_SIGNATURE, DynSigner, GasConfig, RpcStats, SendOptions};
pub use session_client::{SessionKeyClient, SessionKeyClientBuilder};
