//! The standard policies' configs as JSON: what a person writes to get a policy's init data, and what
//! its init data decodes to (decode → encode gives the same bytes).
//!
//! The table and an example are in the [`policy`](super) module docs.

use std::fmt;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, Error as _},
    ser::SerializeMap,
};

use super::{
    ActionConfig, LimitUsage, MAX_PARAM_RULES, ParamCondition, ParamRule, SpendingLimit, TimeFrame,
};
use crate::{
    Error, Result,
    json::{hex, null_default, number, object},
};

/// SudoPolicy's config: nothing (`{}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SudoConfig {}

impl SudoConfig {
    /// The init data: empty.
    pub fn encode(&self) -> Bytes {
        super::sudo()
    }

    /// Checks that the init data is empty (the policy ignores it; a non-empty one is a mistake).
    pub fn decode(data: &[u8]) -> Result<Self> {
        if data.is_empty() {
            Ok(Self {})
        } else {
            Err(Error::InitDataLength {
                policy: "SudoPolicy",
                expected: 0,
                actual: data.len(),
            })
        }
    }
}

/// The TimeFramePolicy init data layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeFrameEncoding {
    /// `abi.encodePacked(uint48 validUntil, uint48 validAfter)`: the smartsessions TimeFramePolicy.
    #[default]
    #[serde(rename = "uint48-packed")]
    Packed48,
    /// `abi.encodePacked(uint128, uint128)`, 32 bytes: module-sdk 0.1.x / 0.2.x deployments.
    #[serde(rename = "uint128-packed")]
    Packed128,
}

/// TimeFramePolicy's config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeFrameConfig {
    /// End of the window (unix seconds, uint48; 0 = no end).
    #[serde(deserialize_with = "uint48")]
    pub valid_until: u64,
    /// Start of the window (unix seconds, uint48).
    #[serde(default, deserialize_with = "uint48")]
    pub valid_after: u64,
    /// The init data layout (written only when not the default).
    #[serde(default, skip_serializing_if = "is_packed48")]
    pub encoding: TimeFrameEncoding,
}

fn is_packed48(e: &TimeFrameEncoding) -> bool {
    *e == TimeFrameEncoding::Packed48
}

fn uint48<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(number::deserialize_bits(d, 48)?.to::<u64>())
}

impl TimeFrameConfig {
    /// The init data in [`Self::encoding`]'s layout.
    pub fn encode(&self) -> Result<Bytes> {
        let tf = TimeFrame::new(self.valid_until, self.valid_after)?;
        Ok(match self.encoding {
            TimeFrameEncoding::Packed48 => tf.encode(),
            TimeFrameEncoding::Packed128 => tf.encode_legacy(),
        })
    }

    /// Decodes init data; the layout follows from the length (12 or 32 bytes).
    pub fn decode(data: &[u8]) -> Result<Self> {
        let (tf, encoding) = if data.len() == 32 {
            (
                TimeFrame::decode_legacy(data)?,
                TimeFrameEncoding::Packed128,
            )
        } else {
            (TimeFrame::decode(data)?, TimeFrameEncoding::Packed48)
        };
        Ok(Self {
            valid_until: tf.valid_until,
            valid_after: tf.valid_after,
            encoding,
        })
    }
}

/// UsageLimitPolicy's config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageLimitConfig {
    /// How many operations the session may send (uint128, > 0).
    #[serde(with = "u128_decimal")]
    pub limit: u128,
}

impl UsageLimitConfig {
    /// The init data (`uint128`, 16 bytes); a zero limit is refused.
    pub fn encode(&self) -> Result<Bytes> {
        super::usage_limit(self.limit)
    }
    /// Decodes init data.
    pub fn decode(data: &[u8]) -> Result<Self> {
        Ok(Self {
            limit: super::decode_usage_limit(data)?,
        })
    }
}

mod u128_decimal {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        Ok(number::deserialize_bits(d, 128)?.to::<u128>())
    }
}

/// ValueLimitPolicy's config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueLimitConfig {
    /// Total ETH value (wei) the session may send.
    #[serde(with = "number::decimal")]
    pub limit: U256,
}

impl ValueLimitConfig {
    /// The init data (`abi.encode(uint256)`).
    pub fn encode(&self) -> Bytes {
        super::value_limit(self.limit)
    }
    /// Decodes init data.
    pub fn decode(data: &[u8]) -> Result<Self> {
        Ok(Self {
            limit: super::decode_value_limit(data)?,
        })
    }
}

/// One `{"token", "limit"}` entry of an ERC20SpendingLimitPolicy config.
impl Serialize for SpendingLimit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SpendingLimitJson {
            token: self.token,
            limit: self.limit,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SpendingLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j: SpendingLimitJson = object(d, "a {token, limit}")?;
        Ok(Self {
            token: j.token,
            limit: j.limit,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpendingLimitJson {
    #[serde(with = "hex::address")]
    token: Address,
    #[serde(with = "number::decimal")]
    limit: U256,
}

/// The condition names, in the Solidity enum's order.
const CONDITIONS: [(&str, ParamCondition); 7] = [
    ("equal", ParamCondition::Equal),
    ("greaterThan", ParamCondition::GreaterThan),
    ("lessThan", ParamCondition::LessThan),
    ("greaterThanOrEqual", ParamCondition::GreaterThanOrEqual),
    ("lessThanOrEqual", ParamCondition::LessThanOrEqual),
    ("notEqual", ParamCondition::NotEqual),
    ("inRange", ParamCondition::InRange),
];

impl ParamCondition {
    /// The condition's JSON name (`equal`, `greaterThan`, …, `inRange`).
    pub fn name(self) -> &'static str {
        CONDITIONS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("equal", |(n, _)| n)
    }
}

impl fmt::Display for ParamCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ParamCondition {
    type Err = Error;
    /// A condition by name, any case.
    fn from_str(s: &str) -> Result<Self> {
        CONDITIONS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, c)| *c)
            .ok_or_else(|| {
                let names: Vec<&str> = CONDITIONS.iter().map(|(n, _)| *n).collect();
                Error::Parse(format!(
                    "unknown condition {s:?} (expected one of: {})",
                    names.join(", ")
                ))
            })
    }
}

impl Serialize for ParamCondition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ParamCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = ParamCondition;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a condition name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamCondition, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A rule's reference: a 20-byte address (left-padded), 32 raw bytes, a number or a boolean.
fn reference<'de, D: Deserializer<'de>>(d: D) -> Result<Option<B256>, D::Error> {
    struct V;
    impl<'de> de::Visitor<'de> for V {
        type Value = Option<B256>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 20-byte address, 32 bytes of 0x-hex, an unsigned integer or a boolean")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(B256::with_last_byte(u8::from(v))))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            if s.starts_with("0x") || s.starts_with("0X") {
                let bytes = hex::parse_bytes(s).map_err(E::custom)?;
                match bytes.len() {
                    20 => Ok(Some(B256::left_padding_from(&bytes))),
                    32 => Ok(Some(B256::from_slice(&bytes))),
                    n => Err(E::custom(format!(
                        "hex ref must be a 20-byte address or 32 bytes, got {n} bytes (write numbers as decimal strings)"
                    ))),
                }
            } else {
                number::parse_uint(s)
                    .map(|v| Some(B256::from(v)))
                    .map_err(E::custom)
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(B256::from(U256::from(v))))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            number::deserialize_u256(de::value::I64Deserializer::<E>::new(v))
                .map(|v| Some(B256::from(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            number::deserialize_u256(de::value::F64Deserializer::<E>::new(v))
                .map(|v| Some(B256::from(v)))
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            number::deserialize_u256(de::value::MapAccessDeserializer::new(map))
                .map(|v| Some(B256::from(v)))
        }
    }
    d.deserialize_any(V)
}

macro_rules! opt_number {
    ($name:ident, $ty:ty, $bits:expr, $conv:expr) => {
        fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(deserialize_with = "wrap_inner")] $ty);
            fn wrap_inner<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                Ok(($conv)(number::deserialize_bits(d, $bits)?))
            }
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }
    };
}
opt_number!(opt_u64, u64, 64, |v: U256| v.to::<u64>());
opt_number!(opt_u128, U256, 128, |v: U256| v);
opt_number!(opt_u256, U256, 256, |v: U256| v);

/// A rule as written; [`ParamRule`]'s `TryFrom` checks which fields go together.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParamRuleInput {
    condition: ParamCondition,
    #[serde(default, deserialize_with = "opt_u64")]
    arg_index: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    offset: Option<u64>,
    #[serde(default, deserialize_with = "null_default")]
    is_limited: bool,
    #[serde(rename = "ref", default, deserialize_with = "reference")]
    reference: Option<B256>,
    #[serde(default, deserialize_with = "opt_u128")]
    min: Option<U256>,
    #[serde(default, deserialize_with = "opt_u128")]
    max: Option<U256>,
    #[serde(default, deserialize_with = "opt_u256")]
    limit: Option<U256>,
    #[serde(default, deserialize_with = "opt_u256")]
    used: Option<U256>,
}

impl TryFrom<ParamRuleInput> for ParamRule {
    type Error = String;
    fn try_from(r: ParamRuleInput) -> Result<Self, String> {
        let offset = match (r.arg_index, r.offset) {
            (Some(index), None) => index
                .checked_mul(32)
                .ok_or_else(|| format!("argIndex {index} is too large"))?,
            (None, Some(offset)) => offset,
            (Some(_), Some(_)) => return Err("give either `argIndex` or `offset`, not both".into()),
            (None, None) => return Err("missing field `argIndex` (or `offset` in bytes)".into()),
        };
        let reference = if r.condition == ParamCondition::InRange {
            if r.reference.is_some() {
                return Err("inRange takes `min` and `max` instead of `ref`".into());
            }
            let min = r.min.ok_or("missing field `min`")?;
            let max = r.max.ok_or("missing field `max`")?;
            if min > max {
                return Err(format!("inRange min {min} is greater than max {max}"));
            }
            B256::from((min << 128) | max)
        } else {
            if let Some(f) = [("min", r.min), ("max", r.max)]
                .iter()
                .find_map(|(f, v)| v.map(|_| f))
            {
                return Err(format!("`{f}` is only for the inRange condition"));
            }
            r.reference.ok_or("missing field `ref`")?
        };
        let limit = match r.limit {
            Some(l) => l,
            None if r.is_limited => {
                return Err("missing field `limit` (required when isLimited is true)".into());
            }
            None => U256::ZERO,
        };
        Ok(Self {
            condition: r.condition,
            offset,
            is_limited: r.is_limited,
            reference,
            usage: LimitUsage {
                limit,
                used: r.used.unwrap_or_default(),
            },
        })
    }
}

impl<'de> Deserialize<'de> for ParamRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rule: ParamRuleInput = object(d, "a rule")?;
        Self::try_from(rule).map_err(D::Error::custom)
    }
}

/// `{"condition", "offset", "ref" | "min"+"max", "isLimited", "limit", "used"?}` (`used` when non-zero).
impl Serialize for ParamRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("condition", &self.condition)?;
        m.serialize_entry("offset", &self.offset)?;
        match self.range() {
            Some((min, max)) => {
                m.serialize_entry("min", &min.to_string())?;
                m.serialize_entry("max", &max.to_string())?;
            }
            None => m.serialize_entry("ref", &self.reference)?,
        }
        m.serialize_entry("isLimited", &self.is_limited)?;
        m.serialize_entry("limit", &self.usage.limit.to_string())?;
        if !self.usage.used.is_zero() {
            m.serialize_entry("used", &self.usage.used.to_string())?;
        }
        m.end()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActionConfigInput {
    #[serde(default, deserialize_with = "opt_u256")]
    value_limit_per_use: Option<U256>,
    #[serde(deserialize_with = "rules")]
    rules: Vec<ParamRule>,
}

fn rules<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ParamRule>, D::Error> {
    let rules = Vec::<ParamRule>::deserialize(d)?;
    if rules.len() > MAX_PARAM_RULES {
        return Err(D::Error::custom(format!(
            "at most {MAX_PARAM_RULES} rules fit the policy, got {}",
            rules.len()
        )));
    }
    Ok(rules)
}

impl<'de> Deserialize<'de> for ActionConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let c: ActionConfigInput = object(d, "a {valueLimitPerUse, rules}")?;
        Self::new(c.value_limit_per_use.unwrap_or_default(), c.rules).map_err(D::Error::custom)
    }
}

/// `{"valueLimitPerUse": "<decimal>", "rules": [...]}`.
impl Serialize for ActionConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("valueLimitPerUse", &self.value_limit_per_use().to_string())?;
        m.serialize_entry("rules", self.rules())?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::from_str;

    #[test]
    fn rule_shapes() {
        let cfg: ActionConfig = from_str(
            r#"{"rules": [
            {"condition": "equal", "argIndex": 1, "ref": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"},
            {"condition": "InRange", "offset": 4, "min": "1", "max": "0x10", "isLimited": true, "limit": 100},
            {"condition": "notEqual", "argIndex": 2, "ref": {"__type": "bigint", "value": "9"}, "used": "3"},
            {"condition": "lessThan", "argIndex": 3, "ref": true}
        ]}"#,
        )
        .unwrap();
        let rules = cfg.rules();
        assert_eq!(rules[0].offset, 32);
        assert_eq!(rules[0].reference[12], 0x70);
        assert_eq!(rules[0].reference[..12], [0u8; 12]);
        assert_eq!(rules[1].range(), Some((U256::from(1), U256::from(16))));
        assert_eq!(rules[1].offset, 4);
        assert_eq!(rules[1].usage.limit, U256::from(100));
        assert_eq!(rules[2].reference, B256::with_last_byte(9));
        assert_eq!(rules[2].usage.used, U256::from(3));
        assert_eq!(rules[3].reference, B256::with_last_byte(1));
        let back: ActionConfig = from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
    }

    #[test]
    fn rule_errors_name_the_path() {
        let cases = [
            (
                r#"{"rules": [{"condition": "equals", "argIndex": 0, "ref": 1}]}"#,
                "rules[0].condition",
                "unknown condition",
            ),
            (
                r#"{"rules": [{"condition": "equal", "ref": 1}]}"#,
                "rules[0]",
                "missing field `argIndex`",
            ),
            (
                r#"{"rules": [{"condition": "equal", "argIndex": 0, "ref": "0x1234"}]}"#,
                "rules[0].ref",
                "20-byte address or 32 bytes",
            ),
            (
                r#"{"rules": [{"condition": "inRange", "argIndex": 0, "min": 5, "max": 4}]}"#,
                "rules[0]",
                "greater than max",
            ),
            (
                r#"{"rules": [{"condition": "inRange", "argIndex": 0, "min": 5, "max": "340282366920938463463374607431768211456"}]}"#,
                "rules[0].max",
                "uint128",
            ),
            (
                r#"{"rules": [{"condition": "equal", "argIndex": 0, "ref": 1, "isLimited": true}]}"#,
                "rules[0]",
                "`limit`",
            ),
            (
                r#"{"rules": [{"condition": "equal", "argIndex": 0, "offset": 0, "ref": 1}]}"#,
                "rules[0]",
                "not both",
            ),
            (
                r#"{"rules": [{"condition": "equal", "argIndex": 0, "min": 1, "ref": 1}]}"#,
                "rules[0]",
                "only for the inRange",
            ),
            (
                r#"{"rules": [{"condition": "equal", "argIndex": 0, "ref": -1}]}"#,
                "rules[0].ref",
                "negative",
            ),
            (r#"{"rule": []}"#, "rule", "unknown field"),
            (
                r#"{"rules": [["equal", 0]]}"#,
                "rules[0]",
                "expected a rule object",
            ),
            (
                r#"["0", []]"#,
                "",
                "expected a {valueLimitPerUse, rules} object",
            ),
        ];
        for (text, want_path, needle) in cases {
            match from_str::<ActionConfig>(text) {
                Err(Error::JsonAt { path, source }) => {
                    assert_eq!(path, want_path, "{source}");
                    assert!(
                        source.to_string().contains(needle),
                        "{source} should contain {needle}"
                    );
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn simple_configs_round_trip() {
        let tf: TimeFrameConfig =
            from_str(r#"{"validUntil": 100, "validAfter": "0x10", "encoding": "uint128-packed"}"#)
                .unwrap();
        assert_eq!(tf.encode().unwrap().len(), 32);
        assert_eq!(TimeFrameConfig::decode(&tf.encode().unwrap()).unwrap(), tf);
        let plain = TimeFrameConfig::decode(&crate::policy::time_frame(5, 1).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(plain).unwrap(),
            serde_json::json!({"validUntil": 5, "validAfter": 1})
        );
        assert!(from_str::<TimeFrameConfig>(r#"{"validUntil": 281474976710656}"#).is_err());
        let usage: UsageLimitConfig =
            from_str(r#"{"limit": {"__type": "bigint", "value": "7"}}"#).unwrap();
        assert_eq!(
            UsageLimitConfig::decode(&usage.encode().unwrap()).unwrap(),
            usage
        );
        assert!(
            from_str::<UsageLimitConfig>(r#"{"limit": "340282366920938463463374607431768211456"}"#)
                .is_err()
        );
        let limits: Vec<SpendingLimit> =
            from_str(r#"[{"token": "0x1111111111111111111111111111111111111111", "limit": "1"}]"#)
                .unwrap();
        assert_eq!(limits[0].limit, U256::from(1));
        assert!(from_str::<SudoConfig>(r#"{"x": 1}"#).is_err());
        assert!(SudoConfig::decode(&[0]).is_err());
    }
}
