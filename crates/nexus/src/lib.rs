//! Nexus smart accounts and Smart Sessions actions (grant, use, revoke) over a bundler.

pub mod abi;
pub mod account;
pub mod deployment;
mod error;
pub mod execution;
pub mod modules;
pub mod nonce;
pub mod policy_check;

pub use account::AccountInit;
pub use deployment::{Deployment, LocalAddresses, PolicyAddresses};
pub use error::Error;
pub use execution::Call;
pub use modules::ModuleType;
pub use nonce::{NonceKey, ValidationMode};
pub use policy_check::{PolicyViolation, ViolatedRule};
