//! EIP-7702 delegation: an EOA that delegates to the Nexus implementation becomes a Nexus account at
//! its own address. Reading the delegation from the EOA's code, choosing the authorization nonce and
//! signing the authorization.
//!
//! Facts this follows (measured on Nexus 1.2.0 with anvil `--hardfork prague` and alto):
//! - the delegate is the Nexus **implementation**, not a proxy or the factory;
//! - an authorization whose nonce is wrong is skipped **silently** (the transaction succeeds, the code
//!   stays empty), so the code must be read again after a delegation, never inferred from a status;
//! - authorizing `address(0)` removes the delegation; storage (modules, permissions) survives and a
//!   later delegation to Nexus restores the account as it was.

use crate::error::Error;
use alloy_primitives::{Address, B256, U256};
use alloy_signer::Signer;
use core::fmt;
use nexus_sessions_userop::Eip7702Auth;

/// The first bytes of a delegated EOA's code: `0xef0100 ‖ delegate` (23 bytes in all).
pub const DELEGATION_DESIGNATOR_PREFIX: [u8; 3] = [0xef, 0x01, 0x00];

/// What an address's code says about EIP-7702 delegation, relative to the Nexus implementation of a
/// deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DelegationState {
    /// No code: a plain EOA (never delegated, or un-delegated).
    None,
    /// Delegated to the Nexus implementation: the EOA is a Nexus account.
    Nexus(Address),
    /// Delegated to some other contract.
    Other(Address),
    /// Ordinary contract code (not a delegation designator): not an EOA.
    Contract,
}

impl DelegationState {
    /// Reads `code` (the result of `eth_getCode`) against `nexus_implementation`.
    pub fn from_code(code: &[u8], nexus_implementation: Address) -> Self {
        match delegate_in_code(code) {
            Some(delegate) if delegate == nexus_implementation => Self::Nexus(delegate),
            Some(delegate) => Self::Other(delegate),
            None if code.is_empty() => Self::None,
            None => Self::Contract,
        }
    }

    /// The contract the EOA delegates to, if any.
    pub const fn delegate(&self) -> Option<Address> {
        match self {
            Self::Nexus(a) | Self::Other(a) => Some(*a),
            Self::None | Self::Contract => None,
        }
    }

    /// Whether the EOA is delegated to the Nexus implementation.
    pub const fn is_nexus(&self) -> bool {
        matches!(self, Self::Nexus(_))
    }
}

impl fmt::Display for DelegationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Nexus(a) => write!(f, "nexus ({a})"),
            Self::Other(a) => write!(f, "other contract ({a})"),
            Self::Contract => f.write_str("contract code (not an EOA)"),
        }
    }
}

/// The delegate named by an EIP-7702 designator (`0xef0100 ‖ address`), or `None` for any other code.
pub fn delegate_in_code(code: &[u8]) -> Option<Address> {
    (code.len() == 23 && code[..3] == DELEGATION_DESIGNATOR_PREFIX)
        .then(|| Address::from_slice(&code[3..]))
}

/// The code an EOA has once it delegates to `delegate`.
pub fn designator(delegate: Address) -> [u8; 23] {
    let mut code = [0u8; 23];
    code[..3].copy_from_slice(&DELEGATION_DESIGNATOR_PREFIX);
    code[3..].copy_from_slice(delegate.as_slice());
    code
}

/// Who sends the transaction that carries an authorization; it decides the authorization's nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthorizationCarrier {
    /// Another account sends it: a relayer's type-4 transaction, or the bundler's bundle when the
    /// authorization rides in a user operation (`eip7702Auth`). The nonce is the EOA's current
    /// transaction nonce.
    Other,
    /// The EOA sends its own type-4 transaction: sending consumes its current nonce first, so the
    /// authorization must name the next one.
    SelfSent,
}

impl AuthorizationCarrier {
    /// The authorization nonce for an EOA whose current transaction nonce is `tx_nonce`.
    pub const fn authorization_nonce(self, tx_nonce: u64) -> u64 {
        match self {
            Self::Other => tx_nonce,
            Self::SelfSent => tx_nonce + 1,
        }
    }
}

/// Signs the authorization `(chain_id, delegate, nonce)` with the EOA's key. `chain_id` 0 would make
/// it valid on every chain; this takes a concrete chain on purpose.
pub async fn sign_authorization(
    signer: &(dyn Signer + Send + Sync),
    chain_id: u64,
    delegate: Address,
    nonce: u64,
) -> Result<Eip7702Auth, Error> {
    let chain_id = U256::from(chain_id);
    let hash: B256 = Eip7702Auth::signing_hash(chain_id, delegate, nonce);
    let sig = signer.sign_hash(&hash).await?;
    Ok(Eip7702Auth {
        chain_id,
        address: delegate,
        nonce,
        y_parity: sig.v() as u8,
        r: sig.r(),
        s: sig.s(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    const NEXUS_1_2: Address = address!("0x000000004F43C49e93C970E84001853a70923B03");

    #[test]
    fn designator_round_trip_and_states() {
        let code = hex!("ef0100000000004f43c49e93c970e84001853a70923b03");
        assert_eq!(designator(NEXUS_1_2), code);
        assert_eq!(delegate_in_code(&code), Some(NEXUS_1_2));
        assert_eq!(
            DelegationState::from_code(&code, NEXUS_1_2),
            DelegationState::Nexus(NEXUS_1_2)
        );
        let other = Address::repeat_byte(7);
        assert_eq!(
            DelegationState::from_code(&designator(other), NEXUS_1_2),
            DelegationState::Other(other)
        );
        assert_eq!(
            DelegationState::from_code(&[], NEXUS_1_2),
            DelegationState::None
        );
        // A 23-byte contract that does not start with the designator is a contract.
        let mut not = code;
        not[0] = 0x60;
        assert_eq!(
            DelegationState::from_code(&not, NEXUS_1_2),
            DelegationState::Contract
        );
        assert_eq!(
            DelegationState::from_code(&code[..22], NEXUS_1_2),
            DelegationState::Contract
        );
        assert_eq!(DelegationState::None.to_string(), "none");
        assert!(
            DelegationState::Nexus(NEXUS_1_2)
                .to_string()
                .starts_with("nexus")
        );
    }

    #[test]
    fn authorization_nonce_rule() {
        assert_eq!(AuthorizationCarrier::Other.authorization_nonce(4), 4);
        assert_eq!(AuthorizationCarrier::SelfSent.authorization_nonce(4), 5);
    }
}
