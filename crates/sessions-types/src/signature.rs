//! userOp.signature for SmartSession: USE, ENABLE and UNSAFE_ENABLE, encoders and decoders.
//!
//! | mode | pre-v1 | v1 |
//! |---|---|---|
//! | USE | `0x00 ‖ pid ‖ flz(abi.encode(bytes sig))` | `0x00 ‖ pid ‖ sig` |
//! | ENABLE / UNSAFE_ENABLE | `mode ‖ flz(abi.encode(EnableSession, bytes sig))` | same, v1 `Session` layout |

use alloy_primitives::{B256, Bytes};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

use crate::{
    Error, ModuleVersion, PermissionId, Result, Session, SmartSessionMode,
    abi::{pre_v1, v1},
    codec, flz,
};

/// One chain's session digest inside an enable signature.
///
/// JSON (reference `hashesAndChainIds` entries): `{"chainId": <tagged bigint>, "sessionDigest": "0x…"}`;
/// `chainId` is read in every integer form of [`crate::json::number`], unknown fields are refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainDigest {
    /// Chain id.
    #[serde(with = "crate::json::bigint_u64")]
    pub chain_id: u64,
    /// [`crate::session_digest`] for that chain.
    #[serde(with = "crate::json::hex::b256")]
    pub session_digest: B256,
}

/// The ENABLE-mode payload: the session, the digests the owner signed and the owner's signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnableSession {
    /// Index of this chain's entry in `hashes_and_chain_ids`.
    pub chain_digest_index: u8,
    /// One digest per chain, in the order the owner signed them.
    pub hashes_and_chain_ids: Vec<ChainDigest>,
    /// The session to enable (`sessionToEnable`); its permission id is derived on-chain.
    pub session: Session,
    /// The owner's signature in the account's format (Nexus, Safe7579:
    /// [`crate::validator_prefixed_permission_enable_sig`]).
    pub permission_enable_sig: Bytes,
}

impl EnableSession {
    /// Checks that `chain_digest_index` points into `hashes_and_chain_ids` (the contract panics otherwise)
    /// and that the session fits `version`.
    pub fn check(&self, version: ModuleVersion) -> Result<()> {
        if usize::from(self.chain_digest_index) >= self.hashes_and_chain_ids.len() {
            return Err(Error::ChainDigestIndexOutOfRange {
                index: self.chain_digest_index,
                len: self.hashes_and_chain_ids.len(),
            });
        }
        self.session.check_version(version)
    }

    /// The pre-v1 ABI struct.
    pub fn to_pre_v1(&self) -> pre_v1::EnableSession {
        self.into()
    }

    /// The v1 ABI struct.
    pub fn to_v1(&self) -> v1::EnableSession {
        self.into()
    }
}

/// Conversions between [`ChainDigest`] / [`EnableSession`] and one version's ABI structs; the versions
/// differ only in the nested session, converted with `$to_session`.
macro_rules! enable_session_conversions {
    ($m:ident, $to_session:ident) => {
        impl From<&ChainDigest> for $m::ChainDigest {
            fn from(d: &ChainDigest) -> Self {
                Self {
                    chainId: d.chain_id,
                    sessionDigest: d.session_digest,
                }
            }
        }
        impl From<$m::ChainDigest> for ChainDigest {
            fn from(d: $m::ChainDigest) -> Self {
                Self {
                    chain_id: d.chainId,
                    session_digest: d.sessionDigest,
                }
            }
        }
        impl From<&EnableSession> for $m::EnableSession {
            fn from(e: &EnableSession) -> Self {
                Self {
                    chainDigestIndex: e.chain_digest_index,
                    hashesAndChainIds: e.hashes_and_chain_ids.iter().map(Into::into).collect(),
                    sessionToEnable: e.session.$to_session(),
                    permissionEnableSig: e.permission_enable_sig.clone(),
                }
            }
        }
        impl TryFrom<$m::EnableSession> for EnableSession {
            type Error = Error;
            fn try_from(e: $m::EnableSession) -> Result<Self> {
                Ok(Self {
                    chain_digest_index: e.chainDigestIndex,
                    hashes_and_chain_ids: e.hashesAndChainIds.into_iter().map(Into::into).collect(),
                    session: Session::try_from(e.sessionToEnable)?,
                    permission_enable_sig: e.permissionEnableSig,
                })
            }
        }
    };
}
enable_session_conversions!(pre_v1, to_pre_v1);
enable_session_conversions!(v1, to_v1);

/// A SmartSession userOp signature, decoded.
// The enable variant is large, but signatures are short-lived values and a plain field keeps matching simple.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SmartSessionSignature {
    /// USE an enabled permission.
    Use {
        /// The permission.
        permission_id: PermissionId,
        /// The session key's signature (what the session validator checks).
        signature: Bytes,
    },
    /// ENABLE or UNSAFE_ENABLE the session and use it in the same userOp.
    Enable {
        /// [`SmartSessionMode::Enable`] or [`SmartSessionMode::UnsafeEnable`].
        mode: SmartSessionMode,
        /// The enable payload.
        enable_session: EnableSession,
        /// The session key's signature.
        signature: Bytes,
    },
}

const USE_PREFIX_LEN: usize = 33;

impl SmartSessionSignature {
    /// The mode byte.
    pub fn mode(&self) -> SmartSessionMode {
        match self {
            Self::Use { .. } => SmartSessionMode::Use,
            Self::Enable { mode, .. } => *mode,
        }
    }

    /// The permission id (for ENABLE: derived from the session to enable, as the contract does).
    pub fn permission_id(&self) -> PermissionId {
        match self {
            Self::Use { permission_id, .. } => *permission_id,
            Self::Enable { enable_session, .. } => enable_session.session.permission_id(),
        }
    }

    /// The session key's signature.
    pub fn session_signature(&self) -> &Bytes {
        match self {
            Self::Use { signature, .. } | Self::Enable { signature, .. } => signature,
        }
    }

    /// Encodes for `version` (FastLZ output byte-identical to solady's JS `flzCompress`).
    ///
    /// Infallible: an `Enable` value is encoded with its mode byte as given. Use [`Self::try_encode`] to
    /// check the mode, the chain digest index and the session's version fit first.
    pub fn encode(&self, version: ModuleVersion) -> Bytes {
        match self {
            Self::Use {
                permission_id,
                signature,
            } => {
                let mut out = Vec::with_capacity(USE_PREFIX_LEN + signature.len() + 64);
                out.push(SmartSessionMode::Use.as_u8());
                out.extend_from_slice(permission_id.0.as_slice());
                if version.compresses_use_signature() {
                    out.extend_from_slice(&flz::compress(&signature.abi_encode()));
                } else {
                    out.extend_from_slice(signature);
                }
                out.into()
            }
            Self::Enable {
                mode,
                enable_session,
                signature,
            } => {
                let payload = if version.is_v1() {
                    (enable_session.to_v1(), signature.clone()).abi_encode_params()
                } else {
                    (enable_session.to_pre_v1(), signature.clone()).abi_encode_params()
                };
                let packed = flz::compress(&payload);
                let mut out = Vec::with_capacity(1 + packed.len());
                out.push(mode.as_u8());
                out.extend_from_slice(&packed);
                out.into()
            }
        }
    }

    /// Checks, then encodes: an `Enable` value needs mode ENABLE or UNSAFE_ENABLE, an in-range chain digest
    /// index and a session expressible in `version`.
    pub fn try_encode(&self, version: ModuleVersion) -> Result<Bytes> {
        if let Self::Enable {
            mode,
            enable_session,
            ..
        } = self
        {
            if !mode.is_enable() {
                return Err(Error::ModeNotAllowed {
                    mode: *mode,
                    reason: "an enable signature needs ENABLE or UNSAFE_ENABLE",
                });
            }
            enable_session.check(version)?;
        }
        Ok(self.encode(version))
    }

    /// Decodes a userOp signature produced for `version`. Every malformation is a typed error: empty input,
    /// bad mode byte, truncated USE prefix, bad FastLZ stream, bad or non-canonical ABI, trailing bytes.
    pub fn decode(version: ModuleVersion, sig: &[u8]) -> Result<Self> {
        let (&first, rest) = sig.split_first().ok_or(Error::EmptySignature)?;
        let mode = SmartSessionMode::try_from(first)?;
        match mode {
            SmartSessionMode::Use => {
                if sig.len() < USE_PREFIX_LEN {
                    return Err(Error::Truncated {
                        what: "USE signature (mode byte + permission id)",
                        expected: USE_PREFIX_LEN,
                        actual: sig.len(),
                    });
                }
                let permission_id = PermissionId(B256::from_slice(&rest[..32]));
                let body = &rest[32..];
                let signature = if version.compresses_use_signature() {
                    let raw = flz::decompress(body).map_err(|source| Error::Decompression {
                        what: "pre-v1 USE signature",
                        source,
                    })?;
                    codec::decode_single::<Bytes>(&raw, "pre-v1 USE signature: abi.encode(bytes)")?
                } else {
                    Bytes::copy_from_slice(body)
                };
                Ok(Self::Use {
                    permission_id,
                    signature,
                })
            }
            SmartSessionMode::Enable | SmartSessionMode::UnsafeEnable => {
                let raw = flz::decompress(rest).map_err(|source| Error::Decompression {
                    what: "enable signature",
                    source,
                })?;
                let (enable_session, signature) = if version.is_v1() {
                    let (e, s): v1::EnablePayload =
                        codec::decode_params(&raw, "v1 enable payload (EnableSession, bytes)")?;
                    (EnableSession::try_from(e)?, s)
                } else {
                    let (e, s): pre_v1::EnablePayload =
                        codec::decode_params(&raw, "pre-v1 enable payload (EnableSession, bytes)")?;
                    (EnableSession::try_from(e)?, s)
                };
                Ok(Self::Enable {
                    mode,
                    enable_session,
                    signature,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, address};

    fn session() -> Session {
        Session::builder()
            .session_validator(address!("0x2483DA3A338895199E5e538530213157e931Bf06"))
            .session_validator_init_data(vec![1u8; 40])
            .build()
            .unwrap()
    }

    fn enable(mode: SmartSessionMode) -> SmartSessionSignature {
        SmartSessionSignature::Enable {
            mode,
            enable_session: EnableSession {
                chain_digest_index: 0,
                hashes_and_chain_ids: vec![ChainDigest {
                    chain_id: 1,
                    session_digest: B256::repeat_byte(3),
                }],
                session: session(),
                permission_enable_sig: Bytes::from(vec![9u8; 85]),
            },
            signature: Bytes::from(vec![7u8; 65]),
        }
    }

    #[test]
    fn malformed_inputs_are_typed_errors() {
        for v in ModuleVersion::ALL {
            assert!(matches!(
                SmartSessionSignature::decode(v, &[]),
                Err(Error::EmptySignature)
            ));
            assert!(matches!(
                SmartSessionSignature::decode(v, &[3, 0, 0]),
                Err(Error::InvalidMode(3))
            ));
            assert!(matches!(
                SmartSessionSignature::decode(v, &[0; 32]),
                Err(Error::Truncated {
                    expected: 33,
                    actual: 32,
                    ..
                })
            ));
            // ENABLE with a stream whose literal run overruns the input.
            assert!(matches!(
                SmartSessionSignature::decode(v, &[1, 0x1f, 0]),
                Err(Error::Decompression { .. })
            ));
            // ENABLE with a valid stream of garbage: its first offset is refused before decoding.
            let garbage = flz::compress(&[0xffu8; 200]);
            let mut sig = vec![1u8];
            sig.extend_from_slice(&garbage);
            assert!(matches!(
                SmartSessionSignature::decode(v, &sig),
                Err(Error::AbiLayout { position: 0, .. })
            ));
            // Trailing garbage inside the compressed payload.
            let good = enable(SmartSessionMode::Enable).encode(v);
            let mut raw = flz::decompress(&good[1..]).unwrap();
            raw.extend_from_slice(&[0u8; 32]);
            let mut sig = vec![1u8];
            sig.extend_from_slice(&flz::compress(&raw));
            assert!(matches!(
                SmartSessionSignature::decode(v, &sig),
                Err(Error::TrailingBytes { extra: 32, .. })
            ));
        }
        // pre-v1 USE whose body is not abi.encode(bytes).
        let mut sig = vec![0u8; 33];
        sig.extend_from_slice(&flz::compress(&[0xab; 64]));
        assert!(SmartSessionSignature::decode(ModuleVersion::PreV1, &sig).is_err());
        // v1 USE body is raw: anything after the prefix is the signature.
        let s = SmartSessionSignature::decode(ModuleVersion::V1, &sig).unwrap();
        assert_eq!(s.session_signature().as_ref(), &sig[33..]);
    }

    #[test]
    fn round_trips_and_checks() {
        for v in ModuleVersion::ALL {
            for mode in [SmartSessionMode::Enable, SmartSessionMode::UnsafeEnable] {
                let s = enable(mode);
                assert_eq!(
                    SmartSessionSignature::decode(v, &s.try_encode(v).unwrap()).unwrap(),
                    s
                );
                assert_eq!(s.mode(), mode);
            }
            let bad_mode = enable(SmartSessionMode::Use);
            assert!(matches!(
                bad_mode.try_encode(v),
                Err(Error::ModeNotAllowed { .. })
            ));
            let mut bad_index = enable(SmartSessionMode::Enable);
            if let SmartSessionSignature::Enable { enable_session, .. } = &mut bad_index {
                enable_session.chain_digest_index = 1;
            }
            assert!(matches!(
                bad_index.try_encode(v),
                Err(Error::ChainDigestIndexOutOfRange { index: 1, len: 1 })
            ));
            let u = SmartSessionSignature::Use {
                permission_id: PermissionId(B256::ZERO),
                signature: Bytes::new(),
            };
            assert_eq!(SmartSessionSignature::decode(v, &u.encode(v)).unwrap(), u);
        }
        let _ = Address::ZERO;
    }
}
