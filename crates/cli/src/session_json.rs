//! Session files: JSON with the field names of @rhinestone/module-sdk's `Session` type.
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

use alloy_primitives::{Address, B256, FixedBytes};
use nexus_sessions_types::{
    ActionData, Erc7739Context, Erc7739Data, ModuleVersion, PolicyData, Session,
};
use serde_json::{Value, json};

use crate::{
    error::{Location, Result},
    input::{self, Obj},
    output::hex0x,
};

/// `allowedERC7739Content` in either layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Erc7739Content {
    /// pre-v1: content type names.
    Names(Vec<String>),
    /// v1: per-app-domain contexts.
    Contexts(Vec<Erc7739Context>),
}

/// A parsed session file, before it is bound to a module version.
#[derive(Debug, Clone)]
pub(crate) struct SessionFile {
    /// The session validator.
    pub(crate) session_validator: Address,
    /// Its init data.
    pub(crate) session_validator_init_data: Vec<u8>,
    /// The salt.
    pub(crate) salt: B256,
    /// userOp policies.
    pub(crate) user_op_policies: Vec<PolicyData>,
    /// allowedERC7739Content.
    pub(crate) erc7739_content: Erc7739Content,
    /// ERC-1271 policies.
    pub(crate) erc1271_policies: Vec<PolicyData>,
    /// Actions.
    pub(crate) actions: Vec<ActionData>,
    /// `permitERC4337Paymaster` (v1), with where it was given.
    pub(crate) permit_erc4337_paymaster: Option<(bool, Location)>,
    /// `chainId`, if the file has one.
    pub(crate) chain_id: Option<u64>,
    /// Where the file came from.
    pub(crate) loc: Location,
}

const SESSION_FIELDS: &[&str] = &[
    "sessionValidator",
    "sessionValidatorInitData",
    "salt",
    "userOpPolicies",
    "erc7739Policies",
    "actions",
    "permitERC4337Paymaster",
    "chainId",
];

/// Reads and parses a session file (`-` = stdin).
pub(crate) fn read(arg: &str, path: &str) -> Result<SessionFile> {
    let (value, loc) = input::json_file(arg, path)?;
    parse(&value, &loc)
}

/// Parses a session JSON value.
pub(crate) fn parse(v: &Value, loc: &Location) -> Result<SessionFile> {
    let o = Obj::new(v, loc, SESSION_FIELDS)?;
    let (val, l) = o.req("sessionValidator")?;
    let session_validator = input::address(input::json_str(val, &l)?, &l)?;
    let (val, l) = o.req("sessionValidatorInitData")?;
    let session_validator_init_data = input::hex_bytes(input::json_str(val, &l)?, &l)?;
    let (val, l) = o.req("salt")?;
    let salt = input::hex_b256(input::json_str(val, &l)?, &l)?;
    let user_op_policies = match o.opt("userOpPolicies") {
        Some((val, l)) => policy_list(val, &l)?,
        None => Vec::new(),
    };
    let (erc7739_content, erc1271_policies) = match o.opt("erc7739Policies") {
        Some((val, l)) => erc7739(val, &l)?,
        None => (Erc7739Content::Names(Vec::new()), Vec::new()),
    };
    let actions = match o.opt("actions") {
        Some((val, l)) => input::json_array(val, &l)?
            .iter()
            .enumerate()
            .map(|(i, a)| action(a, &l.index(i)))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let permit_erc4337_paymaster = match o.opt("permitERC4337Paymaster") {
        Some((val, l)) => Some((input::json_bool(val, &l)?, l)),
        None => None,
    };
    let chain_id = match o.opt("chainId") {
        Some((val, l)) => Some(input::json_u64(val, &l)?),
        None => None,
    };
    Ok(SessionFile {
        session_validator,
        session_validator_init_data,
        salt,
        user_op_policies,
        erc7739_content,
        erc1271_policies,
        actions,
        permit_erc4337_paymaster,
        chain_id,
        loc: loc.clone(),
    })
}

fn policy(v: &Value, loc: &Location) -> Result<PolicyData> {
    let o = Obj::new(v, loc, &["policy", "initData", "address"])?;
    let (val, l) = o.req("policy")?;
    let policy = input::address(input::json_str(val, &l)?, &l)?;
    // module-sdk's `getXPolicy()` helpers return `{policy, address, initData}` with address == policy.
    if let Some((val, l)) = o.opt("address") {
        let other = input::address(input::json_str(val, &l)?, &l)?;
        if other != policy {
            return Err(l.error(format!("`address` {other} differs from `policy` {policy}")));
        }
    }
    let (val, l) = o.req("initData")?;
    let init_data = input::hex_bytes(input::json_str(val, &l)?, &l)?;
    Ok(PolicyData {
        policy,
        init_data: init_data.into(),
    })
}

fn policy_list(v: &Value, loc: &Location) -> Result<Vec<PolicyData>> {
    input::json_array(v, loc)?
        .iter()
        .enumerate()
        .map(|(i, p)| policy(p, &loc.index(i)))
        .collect()
}

fn action(v: &Value, loc: &Location) -> Result<ActionData> {
    let o = Obj::new(
        v,
        loc,
        &["actionTargetSelector", "actionTarget", "actionPolicies"],
    )?;
    let (val, l) = o.req("actionTargetSelector")?;
    let selector: FixedBytes<4> = input::hex_fixed(input::json_str(val, &l)?, &l)?;
    let (val, l) = o.req("actionTarget")?;
    let target = input::address(input::json_str(val, &l)?, &l)?;
    let policies = match o.opt("actionPolicies") {
        Some((val, l)) => policy_list(val, &l)?,
        None => Vec::new(),
    };
    Ok(ActionData {
        target,
        selector,
        policies,
    })
}

fn erc7739(v: &Value, loc: &Location) -> Result<(Erc7739Content, Vec<PolicyData>)> {
    let o = Obj::new(v, loc, &["allowedERC7739Content", "erc1271Policies"])?;
    let content = match o.opt("allowedERC7739Content") {
        None => Erc7739Content::Names(Vec::new()),
        Some((val, l)) => {
            let items = input::json_array(val, &l)?;
            if items.iter().all(Value::is_string) {
                Erc7739Content::Names(
                    items
                        .iter()
                        .map(|s| s.as_str().unwrap_or_default().to_owned())
                        .collect(),
                )
            } else if items.iter().all(Value::is_object) {
                Erc7739Content::Contexts(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| context(c, &l.index(i)))
                        .collect::<Result<_>>()?,
                )
            } else {
                return Err(l.error(
                    "entries must be all strings (pre-v1) or all {appDomainSeparator, contentName} objects (v1)",
                ));
            }
        }
    };
    let policies = match o.opt("erc1271Policies") {
        Some((val, l)) => policy_list(val, &l)?,
        None => Vec::new(),
    };
    Ok((content, policies))
}

fn context(v: &Value, loc: &Location) -> Result<Erc7739Context> {
    let o = Obj::new(
        v,
        loc,
        &["appDomainSeparator", "contentName", "contentNames"],
    )?;
    let (val, l) = o.req("appDomainSeparator")?;
    let app_domain_separator = input::hex_b256(input::json_str(val, &l)?, &l)?;
    let content_names = match o.opt_any(&["contentName", "contentNames"]) {
        None => Vec::new(),
        Some((val, l)) => input::json_array(val, &l)?
            .iter()
            .enumerate()
            .map(|(i, s)| input::json_str(s, &l.index(i)).map(str::to_owned))
            .collect::<Result<_>>()?,
    };
    Ok(Erc7739Context {
        app_domain_separator,
        content_names,
    })
}

impl SessionFile {
    /// Builds the library session for `version`, refusing fields that version cannot express.
    pub(crate) fn to_session(&self, version: ModuleVersion) -> Result<Session> {
        let erc7739_loc = self
            .loc
            .field("erc7739Policies")
            .field("allowedERC7739Content");
        match (&self.erc7739_content, version.is_v1()) {
            (Erc7739Content::Names(names), true) if !names.is_empty() => {
                return Err(erc7739_loc.error(format!(
                    "{version} takes {{appDomainSeparator, contentName}} objects, not strings (the strings are the pre-v1 layout)"
                )));
            }
            (Erc7739Content::Contexts(c), false) if !c.is_empty() => {
                return Err(erc7739_loc.error(
                    "pre-v1 takes content names as strings, not {appDomainSeparator, contentName} objects (the v1 layout)",
                ));
            }
            _ => {}
        }
        let permit = self
            .permit_erc4337_paymaster
            .as_ref()
            .map(|(b, _)| *b)
            .unwrap_or(false);
        if permit && !version.is_v1() {
            let l = &self
                .permit_erc4337_paymaster
                .as_ref()
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| self.loc.clone());
            return Err(l.error(
                "permitERC4337Paymaster exists only in v1 sessions; pre-v1 cannot express it",
            ));
        }
        let mut builder = Session::builder()
            .session_validator(self.session_validator)
            .session_validator_init_data(self.session_validator_init_data.clone())
            .salt(self.salt)
            .user_op_policies(self.user_op_policies.clone())
            .actions(self.actions.clone())
            .erc7739_policies(Erc7739Data {
                content_names: match &self.erc7739_content {
                    Erc7739Content::Names(n) => n.clone(),
                    Erc7739Content::Contexts(_) => Vec::new(),
                },
                contexts: match &self.erc7739_content {
                    Erc7739Content::Contexts(c) => c.clone(),
                    Erc7739Content::Names(_) => Vec::new(),
                },
                erc1271_policies: self.erc1271_policies.clone(),
            })
            .permit_erc4337_paymaster(permit);
        if let Some(id) = self.chain_id {
            builder = builder.chain_id(id);
        }
        let session = builder.build().map_err(|e| self.loc.error(e.to_string()))?;
        session
            .check_version(version)
            .map_err(|e| self.loc.error(e.to_string()))?;
        Ok(session)
    }
}

/// Renders a session as module-sdk `Session` JSON for `version`.
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
