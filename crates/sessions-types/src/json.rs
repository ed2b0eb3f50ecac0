//! JSON in the reference SDKs' format: module-sdk field names, bigints tagged as
//! `{"__type":"bigint","value":"<decimal>"}` (abstractjs / @biconomy/sdk `stringify` / `parse`).
//!
//! Normalisation on output: addresses are written with their EIP-55 checksum, other hex in lower case.
//! Input accepts any hex case. Numbers that the reference stores as `bigint` are written tagged and read
//! from a tagged object, a JSON number, or a decimal / `0x` string.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::{ActionData, Erc7739Context, Erc7739Data, PolicyData, Session};

/// The `{"__type":"bigint","value":"…"}` wrapper.
#[derive(Serialize, Deserialize)]
struct TaggedBigInt {
    #[serde(rename = "__type")]
    ty: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BigIntInput {
    Tagged(TaggedBigInt),
    Number(serde_json::Number),
    Text(String),
}

fn parse_uint(s: &str) -> Option<U256> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        U256::from_str_radix(h, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        U256::from_str_radix(s, 10).ok()
    } else {
        None
    }
}

/// Serde helpers for a `bigint` stored as [`U256`].
pub(crate) mod bigint {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        TaggedBigInt {
            ty: "bigint".into(),
            value: v.to_string(),
        }
        .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let (text, what) = match BigIntInput::deserialize(d)? {
            BigIntInput::Tagged(t) if t.ty == "bigint" => (t.value, "tagged bigint"),
            BigIntInput::Tagged(t) => {
                return Err(D::Error::custom(format!("unknown __type {:?}", t.ty)));
            }
            BigIntInput::Number(n) => (n.to_string(), "number"),
            BigIntInput::Text(s) => (s, "string"),
        };
        parse_uint(&text).ok_or_else(|| {
            D::Error::custom(format!("{what} {text:?} is not a non-negative integer"))
        })
    }
}

/// Serde helpers for a `bigint` that must fit `u64` (chain ids).
pub(crate) mod bigint_u64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        bigint::serialize(&U256::from(*v), s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = bigint::deserialize(d)?;
        u64::try_from(v).map_err(|_| D::Error::custom(format!("{v} does not fit uint64")))
    }
}

/// Optional `bigint` chain id.
pub(crate) mod opt_bigint_u64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => bigint_u64::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "bigint_u64")] u64);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

/// Addresses written with their EIP-55 checksum.
pub(crate) mod checksum {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(a: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&a.to_checksum(None))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        Address::deserialize(d)
    }
}

/// Optional checksummed address.
pub(crate) mod opt_checksum {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(a: &Option<Address>, s: S) -> Result<S::Ok, S::Error> {
        match a {
            Some(a) => s.serialize_str(&a.to_checksum(None)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Address>, D::Error> {
        Option::<Address>::deserialize(d)
    }
}

/// Hex that is written checksummed when it is exactly an address (e.g. `sessionPublicKey`).
pub(crate) mod key_hex {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(b: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        if b.len() == 20 {
            s.serialize_str(&Address::from_slice(b).to_checksum(None))
        } else {
            b.serialize(s)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        Bytes::deserialize(d)
    }
}

// ----- Session in module-sdk field names ---------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicyJson {
    #[serde(with = "checksum")]
    policy: Address,
    init_data: Bytes,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionJson {
    action_target_selector: FixedBytes<4>,
    #[serde(with = "checksum")]
    action_target: Address,
    action_policies: Vec<PolicyJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContextJson {
    app_domain_separator: B256,
    #[serde(alias = "contentNames")]
    content_name: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ContentJson {
    Name(String),
    Context(ContextJson),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Erc7739Json {
    #[serde(rename = "allowedERC7739Content", default)]
    allowed: Vec<ContentJson>,
    #[serde(rename = "erc1271Policies", default)]
    erc1271_policies: Vec<PolicyJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionJson {
    #[serde(
        with = "opt_bigint_u64",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    chain_id: Option<u64>,
    #[serde(with = "checksum")]
    session_validator: Address,
    session_validator_init_data: Bytes,
    salt: B256,
    #[serde(default)]
    user_op_policies: Vec<PolicyJson>,
    #[serde(rename = "erc7739Policies", default = "empty_7739")]
    erc7739_policies: Erc7739Json,
    #[serde(default)]
    actions: Vec<ActionJson>,
    #[serde(rename = "permitERC4337Paymaster", default)]
    permit_erc4337_paymaster: bool,
}

fn empty_7739() -> Erc7739Json {
    Erc7739Json {
        allowed: vec![],
        erc1271_policies: vec![],
    }
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
/// `allowedERC7739Content` holds strings (pre-v1) and/or `{appDomainSeparator, contentName}` objects (v1;
/// `contentNames` is accepted on input). `permitERC4337Paymaster` is always written (false for pre-v1
/// sessions, where it has no on-chain counterpart) and defaults to false when absent.
impl Serialize for Session {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SessionJson::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::try_from(SessionJson::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl Session {
    /// Parses a session from module-sdk JSON (see the `Serialize` impl for the format).
    pub fn from_json(json: &str) -> crate::Result<Self> {
        Ok(serde_json::from_str(json)?)
    }

    /// Writes the session as module-sdk JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Session always serializes")
    }
}
