//! Nexus smart accounts and Smart Sessions actions (grant, use, revoke) over a bundler.

pub mod abi;
pub mod account;
mod error;
pub mod execution;
pub mod modules;
pub mod nonce;

pub use account::AccountInit;
pub use error::Error;
pub use execution::Call;
pub use modules::ModuleType;
pub use nonce::{NonceKey, ValidationMode};
