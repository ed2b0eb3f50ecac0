//! [`Session`] in module-sdk JSON.

use std::fmt;

use alloy_primitives::{Address, B256, Bytes, FixedBytes};
use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, Error as _, Visitor},
};

use super::{checksum, hex, null_default, object, opt_bigint_u64, opt_checksum};
use crate::{ActionData, Erc7739Context, Erc7739Data, PolicyData, Session};

#[derive(Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    try_from = "PolicyInput"
)]
pub(crate) struct PolicyJson {
    #[serde(with = "checksum")]
    policy: Address,
    #[serde(with = "hex::bytes")]
    init_data: Bytes,
}

/// A policy entry as read: module-sdk's `getXPolicy()` helpers return `{policy, address, initData}` with
/// `address == policy`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PolicyInput {
    #[serde(with = "checksum")]
    policy: Address,
    #[serde(default, deserialize_with = "opt_checksum::deserialize")]
    address: Option<Address>,
    #[serde(with = "hex::bytes")]
    init_data: Bytes,
}

impl TryFrom<PolicyInput> for PolicyJson {
    type Error = String;
    fn try_from(p: PolicyInput) -> Result<Self, String> {
        match p.address {
            Some(other) if other != p.policy => Err(format!(
                "`address` {other} differs from `policy` {}",
                p.policy
            )),
            _ => Ok(Self {
                policy: p.policy,
                init_data: p.init_data,
            }),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActionJson {
    #[serde(with = "hex::selector")]
    action_target_selector: FixedBytes<4>,
    #[serde(with = "checksum")]
    action_target: Address,
    #[serde(default, deserialize_with = "null_default")]
    action_policies: Vec<PolicyJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContextJson {
    #[serde(with = "hex::b256")]
    app_domain_separator: B256,
    #[serde(alias = "contentNames", default, deserialize_with = "null_default")]
    content_name: Vec<String>,
}

/// One `allowedERC7739Content` entry: a content name (pre-v1) or a context (v1).
#[derive(Serialize)]
#[serde(untagged)]
enum ContentJson {
    Name(String),
    Context(ContextJson),
}

/// Reads one entry; `names` says which layout the entries before it had, so a mixed list is refused
/// at its first odd entry. By hand rather than `untagged`: a bad context keeps its own message and path.
struct ContentSeed {
    names: Option<bool>,
}

impl<'de> de::DeserializeSeed<'de> for ContentSeed {
    type Value = ContentJson;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ContentJson, D::Error> {
        d.deserialize_any(self)
    }
}

const MIXED: &str =
    "entries must be all strings (pre-v1) or all {appDomainSeparator, contentName} objects (v1)";

impl<'de> Visitor<'de> for ContentSeed {
    type Value = ContentJson;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a content name string (pre-v1) or an {appDomainSeparator, contentName} object (v1)",
        )
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ContentJson, E> {
        match self.names {
            Some(false) => Err(E::custom(MIXED)),
            _ => Ok(ContentJson::Name(v.to_owned())),
        }
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ContentJson, A::Error> {
        match self.names {
            Some(true) => Err(A::Error::custom(MIXED)),
            _ => ContextJson::deserialize(de::value::MapAccessDeserializer::new(map))
                .map(ContentJson::Context),
        }
    }
}

/// `allowedERC7739Content`: one layout per list, as module-sdk writes it (no version has both).
fn content_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ContentJson>, D::Error> {
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<ContentJson>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of content names (pre-v1) or of contexts (v1)")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = Vec::new();
            let mut names = None;
            while let Some(entry) = seq.next_element_seed(ContentSeed { names })? {
                names = Some(matches!(entry, ContentJson::Name(_)));
                list.push(entry);
            }
            Ok(list)
        }
    }
    d.deserialize_any(List)
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Erc7739Json {
    #[serde(
        rename = "allowedERC7739Content",
        default,
        deserialize_with = "content_list"
    )]
    allowed: Vec<ContentJson>,
    #[serde(rename = "erc1271Policies", default, deserialize_with = "null_default")]
    erc1271_policies: Vec<PolicyJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionJson {
    #[serde(
        with = "opt_bigint_u64",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    chain_id: Option<u64>,
    #[serde(with = "checksum")]
    session_validator: Address,
    #[serde(with = "hex::bytes")]
    session_validator_init_data: Bytes,
    #[serde(with = "hex::b256")]
    salt: B256,
    #[serde(default, deserialize_with = "null_default")]
    user_op_policies: Vec<PolicyJson>,
    #[serde(rename = "erc7739Policies", default, deserialize_with = "null_default")]
    erc7739_policies: Erc7739Json,
    #[serde(default, deserialize_with = "null_default")]
    actions: Vec<ActionJson>,
    /// v1 only; absent (pre-v1 files) reads as false.
    #[serde(
        rename = "permitERC4337Paymaster",
        default,
        deserialize_with = "null_default"
    )]
    permit_erc4337_paymaster: bool,
}

impl From<&PolicyData> for PolicyJson {
    fn from(p: &PolicyData) -> Self {
        Self {
            policy: p.policy,
            init_data: p.init_data.clone(),
        }
    }
}
impl From<PolicyJson> for PolicyData {
    fn from(p: PolicyJson) -> Self {
        Self {
            policy: p.policy,
            init_data: p.init_data,
        }
    }
}

impl From<&Session> for SessionJson {
    fn from(s: &Session) -> Self {
        let e = s.erc7739_policies();
        let allowed = e
            .content_names
            .iter()
            .cloned()
            .map(ContentJson::Name)
            .chain(e.contexts.iter().map(|c| {
                ContentJson::Context(ContextJson {
                    app_domain_separator: c.app_domain_separator,
                    content_name: c.content_names.clone(),
                })
            }))
            .collect();
        Self {
            chain_id: s.chain_id(),
            session_validator: s.session_validator(),
            session_validator_init_data: s.session_validator_init_data().clone(),
            salt: s.salt(),
            user_op_policies: s.user_op_policies().iter().map(Into::into).collect(),
            erc7739_policies: Erc7739Json {
                allowed,
                erc1271_policies: e.erc1271_policies.iter().map(Into::into).collect(),
            },
            actions: s
                .actions()
                .iter()
                .map(|a| ActionJson {
                    action_target_selector: a.selector,
                    action_target: a.target,
                    action_policies: a.policies.iter().map(Into::into).collect(),
                })
                .collect(),
            permit_erc4337_paymaster: s.permit_erc4337_paymaster(),
        }
    }
}

impl TryFrom<SessionJson> for Session {
    type Error = crate::Error;
    fn try_from(j: SessionJson) -> crate::Result<Self> {
        let mut e = Erc7739Data {
            erc1271_policies: j
                .erc7739_policies
                .erc1271_policies
                .into_iter()
                .map(Into::into)
                .collect(),
            ..Default::default()
        };
        for c in j.erc7739_policies.allowed {
            match c {
                ContentJson::Name(n) => e.content_names.push(n),
                ContentJson::Context(c) => e.contexts.push(Erc7739Context {
                    app_domain_separator: c.app_domain_separator,
                    content_names: c.content_name,
                }),
            }
        }
        let mut b = Self::builder()
            .session_validator(j.session_validator)
            .session_validator_init_data(j.session_validator_init_data)
            .salt(j.salt)
            .user_op_policies(j.user_op_policies.into_iter().map(Into::into).collect())
            .erc7739_policies(e)
            .actions(
                j.actions
                    .into_iter()
                    .map(|a| ActionData {
                        target: a.action_target,
                        selector: a.action_target_selector,
                        policies: a.action_policies.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
            )
            .permit_erc4337_paymaster(j.permit_erc4337_paymaster);
        if let Some(c) = j.chain_id {
            b = b.chain_id(c);
        }
        b.build()
    }
}

/// module-sdk JSON: `sessionValidator`, `sessionValidatorInitData`, `salt`, `userOpPolicies[{policy, initData}]`,
/// `erc7739Policies{allowedERC7739Content, erc1271Policies}`, `actions[{actionTargetSelector, actionTarget,
/// actionPolicies}]`, `permitERC4337Paymaster`, optional `chainId` (tagged bigint).
///
/// `allowedERC7739Content` holds strings (pre-v1) or `{appDomainSeparator, contentName}` objects (v1;
/// `contentNames` is accepted on input), never both. `permitERC4337Paymaster` is always written (false for
/// pre-v1 sessions, where it has no on-chain counterpart) and defaults to false when absent.
///
/// Reading is strict where a mistake would change the permission silently: unknown fields are refused
/// (a misspelt `permitERC4337Paymaster` would read as false), mixed-case addresses must carry a valid
/// EIP-55 checksum. `null` reads as an absent optional field; a policy entry may repeat its contract as
/// `address` (module-sdk's `getXPolicy()` helpers). Use [`crate::json::from_str`] (or
/// [`Session::from_json`]) for errors that name the JSON path.
impl Serialize for Session {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SessionJson::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json: SessionJson = object(d, "a module-sdk Session")?;
        Self::try_from(json).map_err(D::Error::custom)
    }
}

impl Session {
    /// Parses a session from module-sdk JSON (see the `Serialize` impl for the format); an error names the
    /// JSON path of the bad value ([`crate::Error::JsonAt`]).
    pub fn from_json(json: &str) -> crate::Result<Self> {
        super::from_str(json)
    }

    /// Writes the session as module-sdk JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Session always serializes")
    }
}
