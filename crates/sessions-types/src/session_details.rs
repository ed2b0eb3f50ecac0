//! `SessionDetail`: one entry of the session JSON @biconomy/abstractjs 1.x persists after a grant.
//!
//! `grantPermissionTypedDataSign` / `grantPermissionPersonalSign` return an array, which abstractjs's
//! `stringify` writes as plain JSON with bigints tagged `{"__type":"bigint","value":"…"}`:
//!
//! ```text
//! [{"mode":"0x02","permissionId":"0x…","signature":"0x…(mock)",
//!   "enableSessionData":{"enableSession":{"chainDigestIndex":0,"hashesAndChainIds":[…],
//!     "sessionToEnable":{…},"permissionEnableSig":"0x…"},"validator":"0x…","accountType":"nexus"}}]
//! ```
//!
//! There is no version field and no account: the granter's address comes from the caller
//! ([`SessionDetail::to_session_data`]). `signature` is the OwnableValidator mock signature (a
//! placeholder abstractjs keeps; the session key signs each operation).

use alloy_primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

use crate::{
    EnableSessionData, Error, ModuleVersion, OwnableValidatorConfig, PermissionId, Result, Session,
    SessionAction, SessionData, SmartSessionMode, UsePermissionModuleData,
    enable_sessions_calldata,
};

/// module-sdk `getOwnableValidatorMockSignature({threshold: 1})`: a well-formed 65-byte ECDSA
/// signature that recovers to an unrelated address (what abstractjs stores in `signature`, and a
/// stub signature of the final shape for gas estimation).
pub const OWNABLE_VALIDATOR_MOCK_SIGNATURE: [u8; 65] = alloy_primitives::hex!(
    "e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf16392acfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae491839af51c"
);

/// One granted session as abstractjs 1.x persists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    /// `"0x00"` USE (the session is enabled on chain), `"0x01"` ENABLE or `"0x02"` UNSAFE_ENABLE (the
    /// first operation enables it with [`enable_session_data`](Self::enable_session_data)).
    pub mode: SmartSessionMode,
    /// The session's permission id.
    pub permission_id: PermissionId,
    /// The placeholder signature ([`OWNABLE_VALIDATOR_MOCK_SIGNATURE`]).
    pub signature: Bytes,
    /// The owner-signed enable payload (ENABLE / UNSAFE_ENABLE grants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_session_data: Option<EnableSessionData>,
}

impl SessionDetail {
    /// Parses abstractjs's persisted JSON: the array its `stringify` wrote (a single object is
    /// accepted too). An error names the JSON path of the bad value ([`crate::Error::JsonAt`]).
    pub fn parse_list(json: &str) -> Result<Vec<Self>> {
        let value: serde_json::Value = crate::json::from_str(json)?;
        Ok(if value.is_array() {
            crate::json::from_value(value)?
        } else {
            vec![crate::json::from_value(value)?]
        })
    }

    /// Writes the array abstractjs's `parse` reads back (`usePermission` input).
    pub fn to_json_list(details: &[Self]) -> String {
        serde_json::to_string(details).expect("SessionDetail always serializes")
    }

    /// The session the detail enables, when it carries enable data.
    pub fn session(&self) -> Option<&Session> {
        self.enable_session_data
            .as_ref()
            .map(|e| &e.enable_session.session)
    }

    /// The [`SessionData`] a session-key client needs, for the `granter` account whose SmartSession
    /// (at `smart_session`, running `version`) the session targets. The session key is the single
    /// OwnableValidator owner of the session (empty when the validator data is not OwnableValidator
    /// data); `moduleData.action` is the `enableSessions` call that would enable it directly.
    ///
    /// A detail without enable data (USE mode) carries no session: the result then only holds the
    /// permission id (and the session key is left empty).
    pub fn to_session_data(
        &self,
        granter: Address,
        smart_session: Address,
        version: ModuleVersion,
    ) -> Result<SessionData> {
        let session = self.session().cloned();
        if let Some(s) = &session {
            let computed = s.permission_id();
            if computed != self.permission_id {
                return Err(Error::InvalidField {
                    what: "session detail permissionId",
                    reason: format!(
                        "{} does not match the session's permission id {computed}",
                        self.permission_id
                    ),
                });
            }
        }
        let key = session
            .as_ref()
            .and_then(|s| OwnableValidatorConfig::abi_decode(s.session_validator_init_data()).ok())
            .and_then(|c| match c.owners.as_slice() {
                [one] => Some(Bytes::copy_from_slice(one.as_slice())),
                _ => None,
            })
            .unwrap_or_default();
        let call_data = match &session {
            Some(s) => enable_sessions_calldata(version, std::slice::from_ref(s))?,
            None => Bytes::new(),
        };
        Ok(SessionData {
            granter,
            session_public_key: key,
            description: None,
            module_data: UsePermissionModuleData {
                permission_ids: vec![self.permission_id],
                action: SessionAction {
                    target: smart_session,
                    value: Default::default(),
                    call_data,
                },
                mode: Some(self.mode),
                permission_id_index: None,
                enable_session_data: self.enable_session_data.clone(),
                sessions: session.map(|s| vec![s]),
            },
            module_version: Some(version),
            chain_id: None,
            smart_session: Some(smart_session),
            session_signature_style: None,
        })
    }

    /// The abstractjs entries for a [`SessionData`]: one per permission id, in USE mode unless the
    /// data carries enable data for it (then its mode, UNSAFE_ENABLE when the data says USE).
    pub fn from_session_data(data: &SessionData) -> Vec<Self> {
        let md = &data.module_data;
        md.permission_ids
            .iter()
            .map(|pid| {
                let enable = md
                    .enable_session_data
                    .as_ref()
                    .filter(|e| e.enable_session.session.permission_id() == *pid)
                    .cloned();
                let mode = match (&enable, md.active_mode()) {
                    (None, _) => SmartSessionMode::Use,
                    (Some(_), SmartSessionMode::Use) => SmartSessionMode::UnsafeEnable,
                    (Some(_), m) => m,
                };
                Self {
                    mode,
                    permission_id: *pid,
                    signature: Bytes::copy_from_slice(&OWNABLE_VALIDATOR_MOCK_SIGNATURE),
                    enable_session_data: enable,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActionData, ChainDigest, EnableSession, PolicyData, ownable_validator_init_data};
    use alloy_primitives::{B256, FixedBytes};

    fn detail() -> SessionDetail {
        let key = Address::with_last_byte(0xAA);
        let session = Session::builder()
            .session_validator(Address::with_last_byte(8))
            .session_validator_init_data(ownable_validator_init_data(1, &[key]).unwrap())
            .salt(B256::with_last_byte(1))
            .action(ActionData::new(
                Address::with_last_byte(0x11),
                FixedBytes([0x27, 0x3e, 0xa3, 0xe3]),
                vec![PolicyData::new(Address::with_last_byte(0xA1), Bytes::new())],
            ))
            .build()
            .unwrap();
        SessionDetail {
            mode: SmartSessionMode::UnsafeEnable,
            permission_id: session.permission_id(),
            signature: Bytes::copy_from_slice(&OWNABLE_VALIDATOR_MOCK_SIGNATURE),
            enable_session_data: Some(EnableSessionData {
                enable_session: EnableSession {
                    chain_digest_index: 0,
                    hashes_and_chain_ids: vec![ChainDigest {
                        chain_id: 1,
                        session_digest: B256::repeat_byte(3),
                    }],
                    session,
                    permission_enable_sig: Bytes::from(vec![7; 65]),
                },
                validator: Address::ZERO,
                account_type: crate::AccountType::Nexus,
            }),
        }
    }

    #[test]
    fn round_trips_and_converts() {
        let d = detail();
        let json = SessionDetail::to_json_list(std::slice::from_ref(&d));
        assert!(
            json.starts_with("[{\"mode\":\"0x02\",\"permissionId\":"),
            "{json}"
        );
        assert_eq!(SessionDetail::parse_list(&json).unwrap(), vec![d.clone()]);
        // a single object is accepted too
        let one = serde_json::to_string(&d).unwrap();
        assert_eq!(SessionDetail::parse_list(&one).unwrap(), vec![d.clone()]);

        let granter = Address::with_last_byte(0x99);
        let data = d
            .to_session_data(granter, Address::with_last_byte(5), ModuleVersion::V1)
            .unwrap();
        assert_eq!(data.granter, granter);
        assert_eq!(
            data.session_public_key.as_ref(),
            Address::with_last_byte(0xAA).as_slice()
        );
        assert_eq!(data.module_data.mode, Some(SmartSessionMode::UnsafeEnable));
        assert_eq!(SessionDetail::from_session_data(&data), vec![d.clone()]);

        // USE mode without enable data: only the permission id
        let use_only = SessionDetail {
            mode: SmartSessionMode::Use,
            enable_session_data: None,
            ..d
        };
        let data = use_only
            .to_session_data(granter, Address::with_last_byte(5), ModuleVersion::V1)
            .unwrap();
        assert!(data.session_public_key.is_empty());
        assert_eq!(SessionDetail::from_session_data(&data), vec![use_only]);
    }

    #[test]
    fn errors() {
        let mut d = detail();
        d.permission_id = PermissionId(B256::repeat_byte(1));
        let err = d
            .to_session_data(Address::ZERO, Address::ZERO, ModuleVersion::V1)
            .unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
        for bad in [
            "",
            "[",
            "[{}]",
            "[{\"mode\":\"0x07\",\"permissionId\":\"0x00\",\"signature\":\"0x\"}]",
            "42",
        ] {
            assert!(SessionDetail::parse_list(bad).is_err(), "{bad}");
        }
    }
}
