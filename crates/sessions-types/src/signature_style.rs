//! How a session key signs the userOpHash for its session validator.
//!
//! SmartSession hands the session key's 65-byte ECDSA signature to the session validator, and the
//! validators disagree on what was signed:
//!
//! | session validator | accepts |
//! |---|---|
//! | OwnableValidator `0x2483DA3A…` (module-sdk 0.1.x–0.2.x) and this project's fixture | EIP-191 over the userOpHash, v 27/28 |
//! | OwnableValidator `0x000000000013fdB5…` (core-modules since Aug 2025, module-sdk 0.4.0) | the raw userOpHash with v 27/28, or EIP-191 with v raised by 4 (31/32, Safe's `eth_sign` marker) |
//!
//! A signature in the wrong style recovers to an unrelated address, so the operation fails with
//! `AA24 signature error`. The style is therefore part of what describes a session validator.

use alloy_primitives::{Address, B256, Signature, U256, address, eip191_hash_message};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The original rhinestone OwnableValidator (module-sdk 0.1.x–0.2.x `OWNABLE_VALIDATOR_ADDRESS`):
/// EIP-191 signatures only.
pub const OWNABLE_VALIDATOR_EIP191: Address =
    address!("0x2483DA3A338895199E5e538530213157e931Bf06");

/// The current rhinestone OwnableValidator (core-modules since Aug 2025, module-sdk 0.4.0, abstractjs
/// 1.2.x's session default): raw-hash signatures, or EIP-191 with v+4.
pub const OWNABLE_VALIDATOR_RAW_OR_V4: Address =
    address!("0x000000000013fdB5234E4E3162a810F54d9f7E98");

/// What a session key signs and how its signature's `v` is written.
///
/// Serialized as `"eip191"`, `"eip191-v-plus-4"`, `"raw-hash"`.
///
/// ```
/// use nexus_sessions_types::{OWNABLE_VALIDATOR_RAW_OR_V4, SessionSignatureStyle};
///
/// let style = SessionSignatureStyle::default_for(OWNABLE_VALIDATOR_RAW_OR_V4).unwrap();
/// assert_eq!(style, SessionSignatureStyle::Eip191VPlus4);
/// // the plain EIP-191 signature (v 27/28) is known to fail there
/// assert!(SessionSignatureStyle::Eip191.check_accepted_by(OWNABLE_VALIDATOR_RAW_OR_V4).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SessionSignatureStyle {
    /// `personal_sign(userOpHash)`: ECDSA over the EIP-191 hash of the 32 bytes, v 27/28. The original
    /// OwnableValidator `0x2483DA3A…` and this project's fixture validator.
    #[serde(rename = "eip191")]
    Eip191,
    /// `personal_sign(userOpHash)` with v raised by 4 (31/32): the current OwnableValidator
    /// `0x…13fdB5…` reads v > 30 as "EIP-191, subtract 4". Any signer that can `personal_sign` can
    /// produce it.
    #[serde(rename = "eip191-v-plus-4")]
    Eip191VPlus4,
    /// ECDSA over the raw userOpHash, v 27/28 (needs a signer that signs raw 32-byte hashes).
    #[serde(rename = "raw-hash")]
    RawHash,
}

impl SessionSignatureStyle {
    /// Every style.
    pub const ALL: [Self; 3] = [Self::Eip191, Self::Eip191VPlus4, Self::RawHash];

    /// The serialized name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eip191 => "eip191",
            Self::Eip191VPlus4 => "eip191-v-plus-4",
            Self::RawHash => "raw-hash",
        }
    }

    /// The styles a known session validator accepts, `None` for an unknown address.
    pub fn accepted_by(validator: Address) -> Option<&'static [Self]> {
        match validator {
            OWNABLE_VALIDATOR_EIP191 => Some(&[Self::Eip191]),
            OWNABLE_VALIDATOR_RAW_OR_V4 => Some(&[Self::Eip191VPlus4, Self::RawHash]),
            _ => None,
        }
    }

    /// The style this crate uses for a known session validator: EIP-191 for the original
    /// OwnableValidator; EIP-191 with v+4 for the current one (it works with every signer that can
    /// `personal_sign`, including hardware wallets that refuse raw hashes, and it landed in both
    /// ENABLE and USE mode on the production bytecode).
    pub fn default_for(validator: Address) -> Option<Self> {
        Self::accepted_by(validator).map(|s| s[0])
    }

    /// `Ok` unless `validator` is known and does not accept this style
    /// ([`Error::SignatureStyleRejected`]).
    pub fn check_accepted_by(self, validator: Address) -> Result<()> {
        match Self::accepted_by(validator) {
            Some(accepted) if !accepted.contains(&self) => Err(Error::SignatureStyleRejected {
                style: self,
                validator,
                accepted: accepted
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => Ok(()),
        }
    }

    /// Whether the signer signs the EIP-191 message of the userOpHash (`personal_sign`) rather than
    /// the raw hash.
    pub const fn signs_eip191_message(self) -> bool {
        !matches!(self, Self::RawHash)
    }

    /// The digest the ECDSA signature is over.
    pub fn digest(self, user_op_hash: B256) -> B256 {
        if self.signs_eip191_message() {
            eip191_hash_message(user_op_hash)
        } else {
            user_op_hash
        }
    }

    /// The 65-byte `r ‖ s ‖ v` signature in this style, from an ECDSA signature over
    /// [`Self::digest`].
    pub fn encode(self, signature: &Signature) -> [u8; 65] {
        let mut out = signature.as_bytes();
        if self == Self::Eip191VPlus4 {
            out[64] += 4;
        }
        out
    }

    /// The address a validator of this style recovers from `signature` over `user_op_hash`
    /// (what the chain will compare with the session's owners).
    pub fn recover(self, user_op_hash: B256, signature: &[u8]) -> Result<Address> {
        let bad = |reason: String| Error::InvalidField {
            what: "session key signature",
            reason,
        };
        let sig: &[u8; 65] = signature
            .try_into()
            .map_err(|_| bad(format!("{} bytes, expected 65", signature.len())))?;
        let offset = if self == Self::Eip191VPlus4 { 4 } else { 0 };
        let parity = match sig[64].checked_sub(offset) {
            Some(27) => false,
            Some(28) => true,
            _ => {
                return Err(bad(format!(
                    "v = {} does not fit the {} style (expected {} or {})",
                    sig[64],
                    self.as_str(),
                    27 + offset,
                    28 + offset
                )));
            }
        };
        let parsed = Signature::new(
            U256::from_be_slice(&sig[..32]),
            U256::from_be_slice(&sig[32..64]),
            parity,
        );
        parsed
            .recover_address_from_prehash(&self.digest(user_op_hash))
            .map_err(|e| bad(e.to_string()))
    }
}

impl std::fmt::Display for SessionSignatureStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SessionSignatureStyle {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| Error::InvalidField {
                what: "session signature style",
                reason: format!("{s:?} is not one of eip191, eip191-v-plus-4, raw-hash"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, hex};

    #[test]
    fn names_round_trip() {
        for s in SessionSignatureStyle::ALL {
            assert_eq!(s.as_str().parse::<SessionSignatureStyle>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(
                serde_json::from_str::<SessionSignatureStyle>(&json).unwrap(),
                s
            );
        }
        assert!("eip-191".parse::<SessionSignatureStyle>().is_err());
    }

    #[test]
    fn known_validators() {
        use SessionSignatureStyle::*;
        assert_eq!(
            SessionSignatureStyle::default_for(OWNABLE_VALIDATOR_EIP191),
            Some(Eip191)
        );
        assert_eq!(
            SessionSignatureStyle::default_for(OWNABLE_VALIDATOR_RAW_OR_V4),
            Some(Eip191VPlus4)
        );
        assert_eq!(SessionSignatureStyle::default_for(Address::ZERO), None);
        assert!(
            RawHash
                .check_accepted_by(OWNABLE_VALIDATOR_RAW_OR_V4)
                .is_ok()
        );
        assert!(
            Eip191VPlus4
                .check_accepted_by(OWNABLE_VALIDATOR_EIP191)
                .is_err()
        );
        let err = Eip191
            .check_accepted_by(OWNABLE_VALIDATOR_RAW_OR_V4)
            .unwrap_err()
            .to_string();
        assert!(err.contains("eip191-v-plus-4, raw-hash"), "{err}");
        // unknown validators are not second-guessed
        for s in SessionSignatureStyle::ALL {
            assert!(s.check_accepted_by(Address::with_last_byte(9)).is_ok());
        }
    }

    #[test]
    fn v_offset_and_recovery_by_style() {
        // A fixed signature: r, s, parity; recovering it as each style gives each style's signer.
        let hash = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
        let sig = Signature::from_raw(&hex!(
            "e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf16392acfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae491839af51c"
        ))
        .unwrap();
        let eip = SessionSignatureStyle::Eip191.encode(&sig);
        let v4 = SessionSignatureStyle::Eip191VPlus4.encode(&sig);
        let raw = SessionSignatureStyle::RawHash.encode(&sig);
        assert_eq!(eip[64], 28);
        assert_eq!(v4[64], 32);
        assert_eq!(eip, raw);
        assert_eq!(eip[..64], v4[..64]);
        let by_eip = SessionSignatureStyle::Eip191.recover(hash, &eip).unwrap();
        assert_eq!(
            SessionSignatureStyle::Eip191VPlus4
                .recover(hash, &v4)
                .unwrap(),
            by_eip
        );
        assert_eq!(
            by_eip,
            sig.recover_address_from_msg(hash.as_slice()).unwrap()
        );
        let by_raw = SessionSignatureStyle::RawHash.recover(hash, &raw).unwrap();
        assert_eq!(by_raw, sig.recover_address_from_prehash(&hash).unwrap());
        assert_ne!(by_raw, by_eip);
        // v that does not fit the style, wrong lengths: errors, no panic
        assert!(SessionSignatureStyle::Eip191.recover(hash, &v4).is_err());
        assert!(
            SessionSignatureStyle::Eip191VPlus4
                .recover(hash, &eip)
                .is_err()
        );
        assert!(
            SessionSignatureStyle::RawHash
                .recover(hash, &eip[..64])
                .is_err()
        );
        let mut zero_v = eip;
        zero_v[64] = 0;
        assert!(
            SessionSignatureStyle::Eip191VPlus4
                .recover(hash, &zero_v)
                .is_err()
        );
    }
}
