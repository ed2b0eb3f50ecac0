//! The crate's error type.

use alloy_primitives::Address;

/// Everything that can go wrong in the Nexus facade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A user operation needs at least one call.
    #[error("no calls given: a user operation needs at least one call")]
    NoCalls,
    /// Bytes that should be `execute(bytes32,bytes)` account calldata are not.
    #[error("invalid execute calldata: {0}")]
    InvalidExecuteCalldata(String),
    /// The module is not in the account's module list.
    #[error("module {module} is not installed on the account")]
    ModuleNotInstalled {
        /// The module looked for.
        module: Address,
    },
    /// An ABI reply or payload could not be decoded.
    #[error("could not decode {what}: {source}")]
    AbiDecode {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: alloy_sol_types::Error,
    },
}

impl Error {
    /// An [`Error::AbiDecode`] for `what`.
    pub(crate) fn abi(what: &'static str, source: alloy_sol_types::Error) -> Self {
        Self::AbiDecode { what, source }
    }
}
