//! `SessionData`: what a grantee stores after a permission is granted, and reloads to use it.
//!
//! The JSON is the reference SDKs' `stringify` output (abstractjs / @biconomy/sdk): key order `granter,
//! sessionPublicKey, description?, moduleData{permissionIds, action{target, value, callData}, mode?,
//! permissionIdIndex?, enableSessionData?, sessions?}`, every bigint tagged as
//! `{"__type":"bigint","value":"…"}`, plain numbers for `permissionIdIndex` and `chainDigestIndex`.
//!
//! Rust-side extension (optional, written after `moduleData`, ignored by the reference `parse` consumers):
//! `moduleVersion` (`"pre-v1"`, `"v1"`, `"v1-registry-free"`), `chainId` (tagged bigint), `smartSession` and
//! `sessionSignatureStyle` (how the session key signs for the session validator, see [`SessionSignatureStyle`]).
//!
//! Normalisation: addresses (and a 20-byte `sessionPublicKey`) are written EIP-55 checksummed, other hex in
//! lower case; values are preserved exactly. Unknown input fields are ignored. A `SessionData` never holds a
//! private key: the session key's secret stays with the caller.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::{
    ChainDigest, EnableSession, ModuleVersion, PermissionId, Result, Session,
    SessionSignatureStyle, SmartSessionMode,
    json::{bigint, checksum, key_hex, opt_bigint_u64, opt_checksum},
};

/// A session grant as the grantee keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// The smart account that granted the permission.
    #[serde(with = "checksum")]
    pub granter: Address,
    /// The session key's public identifier (an address for OwnableValidator sessions).
    #[serde(with = "key_hex")]
    pub session_public_key: Bytes,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the session key needs to build its userOp signatures.
    pub module_data: UsePermissionModuleData,
    /// Extension: the SmartSession version the grant targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_version: Option<ModuleVersion>,
    /// Extension: the chain the grant was made on.
    #[serde(
        with = "opt_bigint_u64",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub chain_id: Option<u64>,
    /// Extension: the SmartSession module address.
    #[serde(
        with = "opt_checksum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub smart_session: Option<Address>,
    /// Extension: how the session key signs for the session validator. When absent, a client derives
    /// it from the session validator address (known validators) and its deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_signature_style: Option<SessionSignatureStyle>,
}

/// `moduleData` of [`SessionData`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsePermissionModuleData {
    /// Permission ids granted (one per session).
    pub permission_ids: Vec<PermissionId>,
    /// The call the owner sent to grant the permission (`enableSessions` on SmartSession).
    pub action: SessionAction,
    /// Signature mode to use (`"0x00"` USE when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SmartSessionMode>,
    /// Which of `permission_ids` to use (0 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_id_index: Option<u32>,
    /// ENABLE-mode data (deferred grants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_session_data: Option<EnableSessionData>,
    /// The sessions (sdk 0.0.22+ / abstractjs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<Session>>,
}

impl UsePermissionModuleData {
    /// `permission_ids[permission_id_index ?? 0]`, if present.
    pub fn active_permission_id(&self) -> Option<PermissionId> {
        self.permission_ids
            .get(self.permission_id_index.unwrap_or(0) as usize)
            .copied()
    }

    /// `mode ?? USE`.
    pub fn active_mode(&self) -> SmartSessionMode {
        self.mode.unwrap_or(SmartSessionMode::Use)
    }
}

/// `moduleData.action`: a call `{target, value, callData}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAction {
    /// Call target.
    #[serde(with = "checksum")]
    pub target: Address,
    /// ETH value (tagged bigint).
    #[serde(with = "bigint")]
    pub value: U256,
    /// Call data.
    pub call_data: Bytes,
}

/// The account type deciding how the owner's enable signature is wrapped (module-sdk `accountType`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// Biconomy Nexus: `validator ‖ sig`.
    Nexus,
    /// Safe with Safe7579: `validator ‖ sig`.
    Safe,
    /// The ERC-7579 reference implementation: `validator ‖ sig`.
    Erc7579Implementation,
    /// ZeroDev Kernel: `0x01 ‖ validator ‖ sig`.
    Kernel,
    /// Any other value, kept as given.
    Other(String),
}

impl AccountType {
    /// module-sdk's string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Nexus => "nexus",
            Self::Safe => "safe",
            Self::Erc7579Implementation => "erc7579-implementation",
            Self::Kernel => "kernel",
            Self::Other(s) => s,
        }
    }

    /// module-sdk `formatPermissionEnableSig`: the owner signature in the account's wire format.
    /// `Other` account types get the `validator ‖ sig` form.
    pub fn format_permission_enable_sig(&self, validator: Address, signature: &[u8]) -> Bytes {
        match self {
            Self::Kernel => {
                let mut out = vec![0x01];
                out.extend_from_slice(
                    crate::validator_prefixed_permission_enable_sig(validator, signature).as_ref(),
                );
                out.into()
            }
            _ => crate::validator_prefixed_permission_enable_sig(validator, signature),
        }
    }
}

impl Serialize for AccountType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccountType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(d)?.as_str() {
            "nexus" => Self::Nexus,
            "safe" => Self::Safe,
            "erc7579-implementation" => Self::Erc7579Implementation,
            "kernel" => Self::Kernel,
            other => Self::Other(other.to_owned()),
        })
    }
}

/// `enableSessionData`: the enable payload as module-sdk keeps it, with the **raw** owner signature in
/// `enable_session.permission_enable_sig`; the validator prefix is added by [`Self::to_wire`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnableSessionData {
    /// The payload; `permission_enable_sig` is the owner's raw signature.
    pub enable_session: EnableSession,
    /// The account validator that checks the owner's signature.
    pub validator: Address,
    /// How the signature is wrapped.
    pub account_type: AccountType,
}

impl EnableSessionData {
    /// The [`EnableSession`] as it goes on the wire: `permission_enable_sig` wrapped for the account type.
    pub fn to_wire(&self) -> EnableSession {
        let mut e = self.enable_session.clone();
        e.permission_enable_sig = self.account_type.format_permission_enable_sig(
            self.validator,
            &self.enable_session.permission_enable_sig,
        );
        e
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnableSessionJson {
    chain_digest_index: u8,
    hashes_and_chain_ids: Vec<ChainDigest>,
    session_to_enable: Session,
    permission_enable_sig: Bytes,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnableSessionDataJson {
    enable_session: EnableSessionJson,
    #[serde(with = "checksum")]
    validator: Address,
    account_type: AccountType,
}

impl Serialize for EnableSessionData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = &self.enable_session;
        EnableSessionDataJson {
            enable_session: EnableSessionJson {
                chain_digest_index: e.chain_digest_index,
                hashes_and_chain_ids: e.hashes_and_chain_ids.clone(),
                session_to_enable: e.session.clone(),
                permission_enable_sig: e.permission_enable_sig.clone(),
            },
            validator: self.validator,
            account_type: self.account_type.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EnableSessionData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = EnableSessionDataJson::deserialize(d)?;
        let e = j.enable_session;
        if usize::from(e.chain_digest_index) >= e.hashes_and_chain_ids.len() {
            return Err(D::Error::custom(format!(
                "chainDigestIndex {} is out of range for {} hashesAndChainIds",
                e.chain_digest_index,
                e.hashes_and_chain_ids.len()
            )));
        }
        Ok(Self {
            enable_session: EnableSession {
                chain_digest_index: e.chain_digest_index,
                hashes_and_chain_ids: e.hashes_and_chain_ids,
                session: e.session_to_enable,
                permission_enable_sig: e.permission_enable_sig,
            },
            validator: j.validator,
            account_type: j.account_type,
        })
    }
}

impl SessionData {
    /// Parses the reference `stringify` output (or this crate's); an error names the JSON path of the bad
    /// value ([`crate::Error::JsonAt`]).
    pub fn from_json(json: &str) -> Result<Self> {
        crate::json::from_str(json)
    }

    /// Writes the reference `stringify` format.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("SessionData always serializes")
    }

    /// Pretty-printed [`Self::to_json`].
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("SessionData always serializes")
    }
}
