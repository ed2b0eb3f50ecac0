//! Session files: module-sdk `Session` JSON, read through `nexus_sessions_types`' serde implementation
//! (see `Session`'s `Deserialize` for the accepted forms), bound to a module version, and rendered back.
//!
//! ```json
//! {
//!   "sessionValidator": "0x…", "sessionValidatorInitData": "0x…", "salt": "0x…32 bytes",
//!   "userOpPolicies": [{"policy": "0x…", "initData": "0x…"}],
//!   "erc7739Policies": {"allowedERC7739Content": [...], "erc1271Policies": [{"policy": "0x…", "initData": "0x"}]},
//!   "actions": [{"actionTargetSelector": "0x…4 bytes", "actionTarget": "0x…", "actionPolicies": [...]}],
//!   "permitERC4337Paymaster": false,
//!   "chainId": 31337
//! }
//! ```
//!
//! `allowedERC7739Content` is a list of strings for pre-v1 (module-sdk 0.1.x) and a list of
//! `{"appDomainSeparator": "0x…", "contentName": ["…"]}` for v1 (module-sdk >= 0.2; `contentNames`, the
//! Solidity field name, is accepted too). `permitERC4337Paymaster` exists only on v1 and defaults to
//! false; `chainId` is optional and only labels outputs. The policy and action lists default to empty.

use nexus_sessions_types::{ModuleVersion, PolicyData, Session};
use serde_json::{Value, json};

use crate::{
    error::{Location, Result},
    input,
    output::hex0x,
};

/// Reads and parses a session file (`-` = stdin), with where it came from.
pub(crate) fn read(arg: &str, path: &str) -> Result<(Session, Location)> {
    input::json_file(arg, path)
}

/// Checks that `version` can express the session (its ERC-7739 layout, a paymaster permission).
pub(crate) fn bind(session: Session, version: ModuleVersion, loc: &Location) -> Result<Session> {
    if session.permit_erc4337_paymaster() && !version.is_v1() {
        return Err(loc
            .field("permitERC4337Paymaster")
            .error("permitERC4337Paymaster exists only in v1 sessions; pre-v1 cannot express it"));
    }
    session
        .check_version(version)
        .map_err(|e| loc.lib_error(e))?;
    Ok(session)
}

/// Renders a session as module-sdk `Session` JSON for `version`: lower-case hex like every output of
/// the command line, the version's ERC-7739 layout, `permitERC4337Paymaster` for v1 only, and
/// `chainId` as a plain number.
pub(crate) fn to_json(session: &Session, version: ModuleVersion, chain_id: Option<u64>) -> Value {
    let erc7739 = session.erc7739_policies();
    let policies = |list: &[PolicyData]| -> Value {
        list.iter()
            .map(|p| json!({"policy": hex0x(p.policy), "initData": hex0x(&p.init_data)}))
            .collect()
    };
    let content = if version.is_v1() {
        erc7739
            .contexts
            .iter()
            .map(|c| {
                json!({"appDomainSeparator": hex0x(c.app_domain_separator), "contentName": c.content_names})
            })
            .collect::<Value>()
    } else {
        json!(erc7739.content_names)
    };
    let actions: Value = session
        .actions()
        .iter()
        .map(|a| {
            json!({
                "actionTargetSelector": hex0x(a.selector),
                "actionTarget": hex0x(a.target),
                "actionPolicies": policies(&a.policies),
            })
        })
        .collect();
    let mut out = json!({
        "sessionValidator": hex0x(session.session_validator()),
        "sessionValidatorInitData": hex0x(session.session_validator_init_data()),
        "salt": hex0x(session.salt()),
        "userOpPolicies": policies(session.user_op_policies()),
        "erc7739Policies": {
            "allowedERC7739Content": content,
            "erc1271Policies": policies(&erc7739.erc1271_policies),
        },
        "actions": actions,
    });
    if version.is_v1() {
        out["permitERC4337Paymaster"] = json!(session.permit_erc4337_paymaster());
    }
    if let Some(id) = chain_id.or(session.chain_id()) {
        out["chainId"] = json!(id);
    }
    out
}
