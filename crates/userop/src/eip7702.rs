//! The EIP-7702 authorization a user operation may carry (`eip7702Auth`).
//!
//! An EOA that delegates to a smart-account implementation becomes that account at its own address. The
//! delegation can ride in the account's first user operation: the bundler then sends the bundle as a
//! type-4 transaction carrying the authorization. For EntryPoint v0.7 the authorization is not part of
//! the `userOpHash`, so signing the operation does not change.

use crate::{Error, Quantity};
use alloy_eip7702::{Authorization, SignedAuthorization};
use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

/// The `0x7702` marker some tools put in `factory` next to an authorization (an EntryPoint v0.8
/// convention); the only factory a bundler accepts beside none.
pub const EIP7702_FACTORY_MARKER: Address = Address::new([
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x02,
]);

/// A signed EIP-7702 authorization `(chainId, address, nonce)` with its signature, in the shape bundlers
/// take as a user operation's `eip7702Auth`.
///
/// Converts to and from alloy's [`SignedAuthorization`] (which signers produce and type-4 transactions
/// carry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RpcEip7702Auth", into = "RpcEip7702Auth")]
pub struct Eip7702Auth {
    /// The chain the authorization is valid on (`0` = every chain).
    pub chain_id: U256,
    /// The contract the EOA delegates to.
    pub address: Address,
    /// The EOA's transaction nonce the authorization is bound to.
    pub nonce: u64,
    /// Signature parity (`0` or `1`).
    pub y_parity: u8,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
}

impl Eip7702Auth {
    /// The digest the EOA signs: `keccak256(0x05 ‖ rlp([chainId, address, nonce]))`.
    pub fn signing_hash(chain_id: U256, address: Address, nonce: u64) -> B256 {
        Authorization {
            chain_id,
            address,
            nonce,
        }
        .signature_hash()
    }

    /// The EOA that signed this authorization.
    pub fn authority(&self) -> Result<Address, Error> {
        SignedAuthorization::from(*self)
            .recover_authority()
            .map_err(|e| Error::InvalidAuthorization {
                reason: e.to_string(),
            })
    }
}

impl From<SignedAuthorization> for Eip7702Auth {
    fn from(auth: SignedAuthorization) -> Self {
        Self {
            chain_id: auth.chain_id,
            address: auth.address,
            nonce: auth.nonce,
            y_parity: auth.y_parity(),
            r: auth.r(),
            s: auth.s(),
        }
    }
}

impl From<Eip7702Auth> for SignedAuthorization {
    fn from(auth: Eip7702Auth) -> Self {
        Self::new_unchecked(
            Authorization {
                chain_id: auth.chain_id,
                address: auth.address,
                nonce: auth.nonce,
            },
            auth.y_parity,
            auth.r,
            auth.s,
        )
    }
}

/// The wire shape viem and alto use: hex quantities, `r`/`s` as 32-byte words, `yParity` as one byte.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcEip7702Auth {
    address: Address,
    chain_id: Quantity,
    nonce: Quantity,
    r: B256,
    s: B256,
    y_parity: YParity,
}

/// `yParity` written as viem does (`"0x00"` / `"0x01"`), read as any quantity.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(try_from = "Quantity", into = "String")]
struct YParity(u8);

impl TryFrom<Quantity> for YParity {
    type Error = Error;

    fn try_from(q: Quantity) -> Result<Self, Error> {
        match q.to_u64("eip7702Auth.yParity")? {
            p @ (0 | 1) => Ok(Self(p as u8)),
            _ => Err(Error::InvalidAuthorization {
                reason: format!("yParity must be 0 or 1, got {}", q.0),
            }),
        }
    }
}

impl From<YParity> for String {
    fn from(p: YParity) -> Self {
        format!("0x{:02x}", p.0)
    }
}

impl TryFrom<RpcEip7702Auth> for Eip7702Auth {
    type Error = Error;

    fn try_from(rpc: RpcEip7702Auth) -> Result<Self, Error> {
        Ok(Self {
            chain_id: rpc.chain_id.0,
            address: rpc.address,
            nonce: rpc.nonce.to_u64("eip7702Auth.nonce")?,
            y_parity: rpc.y_parity.0,
            r: rpc.r.into(),
            s: rpc.s.into(),
        })
    }
}

impl From<Eip7702Auth> for RpcEip7702Auth {
    fn from(auth: Eip7702Auth) -> Self {
        Self {
            address: auth.address,
            chain_id: auth.chain_id.into(),
            nonce: auth.nonce.into(),
            r: auth.r.into(),
            s: auth.s.into(),
            y_parity: YParity(auth.y_parity),
        }
    }
}
