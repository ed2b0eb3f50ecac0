//! Module install / uninstall data and SmartSession call data.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue};

use crate::{
    Error, ModuleVersion, PermissionId, Result, Session, SmartSessionMode,
    abi::{pre_v1, v1},
    codec,
};

/// `onInstall` data for SmartSession.
///
/// - no sessions: empty data (every version accepts it);
/// - pre-v1: `abi.encode(Session[])`. pre-v1 always checks the registry here, so only
///   [`SmartSessionMode::Enable`] is accepted as `mode`;
/// - v1: `uint8 mode ‖ abi.encode(Session[])` with mode ENABLE (registry-checked on v1.0.0) or UNSAFE_ENABLE.
pub fn install_data(
    version: ModuleVersion,
    sessions: &[Session],
    mode: SmartSessionMode,
) -> Result<Bytes> {
    if mode == SmartSessionMode::Use {
        return Err(Error::ModeNotAllowed {
            mode,
            reason: "install data needs ENABLE or UNSAFE_ENABLE",
        });
    }
    if !version.is_v1() && mode == SmartSessionMode::UnsafeEnable {
        return Err(Error::ModeNotAllowed {
            mode,
            reason: "pre-v1 onInstall has no mode byte and always checks the registry; use ENABLE, or install \
                     empty and enable in UNSAFE_ENABLE mode",
        });
    }
    if sessions.is_empty() {
        return Ok(Bytes::new());
    }
    for s in sessions {
        s.check_version(version)?;
    }
    Ok(if version.is_v1() {
        let list: Vec<v1::Session> = sessions.iter().map(Session::to_v1).collect();
        let mut out = vec![mode.as_u8()];
        out.extend_from_slice(&list.abi_encode());
        out.into()
    } else {
        let list: Vec<pre_v1::Session> = sessions.iter().map(Session::to_pre_v1).collect();
        list.abi_encode().into()
    })
}

/// Decoded `onInstall` data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallData {
    /// v1 mode byte (None for pre-v1 or empty data).
    pub mode: Option<SmartSessionMode>,
    /// Sessions enabled at install.
    pub sessions: Vec<Session>,
}

/// Decodes `onInstall` data produced by [`install_data`].
pub fn decode_install_data(version: ModuleVersion, data: &[u8]) -> Result<InstallData> {
    if data.is_empty() {
        return Ok(InstallData {
            mode: None,
            sessions: vec![],
        });
    }
    if version.is_v1() {
        let mode = SmartSessionMode::try_from(data[0])?;
        if mode == SmartSessionMode::Use {
            return Err(Error::ModeNotAllowed {
                mode,
                reason: "v1 onInstall reverts InvalidMode for mode 0",
            });
        }
        let list: Vec<v1::Session> = codec::decode_single(&data[1..], "v1 install data Session[]")?;
        let sessions = list
            .into_iter()
            .map(Session::try_from)
            .collect::<Result<_>>()?;
        Ok(InstallData {
            mode: Some(mode),
            sessions,
        })
    } else {
        let list: Vec<pre_v1::Session> =
            codec::decode_single(data, "pre-v1 install data Session[]")?;
        let sessions = list
            .into_iter()
            .map(Session::try_from)
            .collect::<Result<_>>()?;
        Ok(InstallData {
            mode: None,
            sessions,
        })
    }
}

/// `onUninstall` data: empty (SmartSession ignores it and removes every enabled permission).
pub fn uninstall_data() -> Bytes {
    Bytes::new()
}

/// `enableSessions(Session[])` call data (selector differs per version).
pub fn enable_sessions_calldata(version: ModuleVersion, sessions: &[Session]) -> Result<Bytes> {
    for s in sessions {
        s.check_version(version)?;
    }
    Ok(if version.is_v1() {
        v1::ISmartSession::enableSessionsCall {
            sessions: sessions.iter().map(Session::to_v1).collect(),
        }
        .abi_encode()
    } else {
        pre_v1::ISmartSession::enableSessionsCall {
            sessions: sessions.iter().map(Session::to_pre_v1).collect(),
        }
        .abi_encode()
    }
    .into())
}

/// `removeSession(bytes32)` call data (all versions).
pub fn remove_session_calldata(permission_id: PermissionId) -> Bytes {
    pre_v1::ISmartSession::removeSessionCall {
        permissionId: permission_id.0,
    }
    .abi_encode()
    .into()
}

/// `revokeEnableSignature(bytes32)` call data (all versions): bumps the enable nonce.
pub fn revoke_enable_signature_calldata(permission_id: PermissionId) -> Bytes {
    pre_v1::ISmartSession::revokeEnableSignatureCall {
        permissionId: permission_id.0,
    }
    .abi_encode()
    .into()
}

/// `getNonce(bytes32,address)` call data (all versions).
pub fn get_nonce_calldata(permission_id: PermissionId, account: Address) -> Bytes {
    pre_v1::ISmartSession::getNonceCall {
        permissionId: permission_id.0,
        account,
    }
    .abi_encode()
    .into()
}

/// `isPermissionEnabled(bytes32,address)` call data (all versions).
pub fn is_permission_enabled_calldata(permission_id: PermissionId, account: Address) -> Bytes {
    pre_v1::ISmartSession::isPermissionEnabledCall {
        permissionId: permission_id.0,
        account,
    }
    .abi_encode()
    .into()
}

/// `getPermissionId(Session)` call data (selector differs per version).
pub fn get_permission_id_calldata(version: ModuleVersion, session: &Session) -> Result<Bytes> {
    session.check_version(version)?;
    Ok(if version.is_v1() {
        v1::ISmartSession::getPermissionIdCall {
            session: session.to_v1(),
        }
        .abi_encode()
    } else {
        pre_v1::ISmartSession::getPermissionIdCall {
            session: session.to_pre_v1(),
        }
        .abi_encode()
    }
    .into())
}

/// `getSessionDigest(bytes32,address,Session,uint8)` call data (selector differs per version).
pub fn get_session_digest_calldata(
    version: ModuleVersion,
    permission_id: PermissionId,
    account: Address,
    session: &Session,
    mode: SmartSessionMode,
) -> Result<Bytes> {
    session.check_version(version)?;
    Ok(if version.is_v1() {
        v1::ISmartSession::getSessionDigestCall {
            permissionId: permission_id.0,
            account,
            data: session.to_v1(),
            mode: mode.as_u8(),
        }
        .abi_encode()
    } else {
        pre_v1::ISmartSession::getSessionDigestCall {
            permissionId: permission_id.0,
            account,
            data: session.to_pre_v1(),
            mode: mode.as_u8(),
        }
        .abi_encode()
    }
    .into())
}

/// `isModuleType(uint256)` call data.
pub fn is_module_type_calldata(module_type: u64) -> Bytes {
    pre_v1::ISmartSession::isModuleTypeCall {
        typeID: U256::from(module_type),
    }
    .abi_encode()
    .into()
}
