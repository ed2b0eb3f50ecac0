//! UniActionPolicy ("universal action policy"): per-call value limit and up to 16 rules on the call's
//! 32-byte arguments.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolValue;

use crate::{Error, Result, abi::policy as sol, codec};

/// The policy's fixed rule array size.
pub const MAX_PARAM_RULES: usize = 16;

/// How a 32-byte argument is compared with the rule's reference (`ParamCondition` enum, uint8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParamCondition {
    /// `param == ref`.
    #[default]
    Equal = 0,
    /// `param > ref` (unsigned).
    GreaterThan = 1,
    /// `param < ref`.
    LessThan = 2,
    /// `param >= ref`.
    GreaterThanOrEqual = 3,
    /// `param <= ref`.
    LessThanOrEqual = 4,
    /// `param != ref`.
    NotEqual = 5,
    /// `min <= param <= max` with `ref = uint128 min << 128 | uint128 max`.
    InRange = 6,
}

impl TryFrom<u8> for ParamCondition {
    type Error = Error;
    fn try_from(v: u8) -> Result<Self> {
        Ok(match v {
            0 => Self::Equal,
            1 => Self::GreaterThan,
            2 => Self::LessThan,
            3 => Self::GreaterThanOrEqual,
            4 => Self::LessThanOrEqual,
            5 => Self::NotEqual,
            6 => Self::InRange,
            other => {
                return Err(Error::InvalidField {
                    what: "ParamCondition",
                    reason: format!("{other} is not a condition (0..=6)"),
                });
            }
        })
    }
}

/// Byte offset of the `arg_index`-th 32-byte argument after the selector: `arg_index * 32`
/// (what abstractjs calls `offsetIndex`). The policy reads `data[4 + offset .. 36 + offset]`.
pub const fn arg_offset(arg_index: u32) -> u64 {
    arg_index as u64 * 32
}

/// Values usable as a rule reference: left-padded to 32 bytes like `abi.encode` of the value.
pub trait IntoParamRef {
    /// The 32-byte reference word.
    fn into_param_ref(self) -> B256;
}
impl IntoParamRef for B256 {
    fn into_param_ref(self) -> B256 {
        self
    }
}
impl IntoParamRef for Address {
    fn into_param_ref(self) -> B256 {
        self.into_word()
    }
}
impl IntoParamRef for U256 {
    fn into_param_ref(self) -> B256 {
        B256::from(self)
    }
}
impl IntoParamRef for u128 {
    fn into_param_ref(self) -> B256 {
        B256::from(U256::from(self))
    }
}
impl IntoParamRef for u64 {
    fn into_param_ref(self) -> B256 {
        B256::from(U256::from(self))
    }
}
impl IntoParamRef for bool {
    fn into_param_ref(self) -> B256 {
        B256::with_last_byte(self as u8)
    }
}

/// Cumulative limit of a rule: the sum of the checked argument over all calls must stay `<= limit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LimitUsage {
    /// The cap.
    pub limit: U256,
    /// Starting amount (normally 0).
    pub used: U256,
}

/// One rule on a 32-byte argument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParamRule {
    /// The comparison.
    pub condition: ParamCondition,
    /// Byte offset after the selector (see [`arg_offset`]).
    pub offset: u64,
    /// Whether `usage` applies.
    pub is_limited: bool,
    /// The reference word (for IN_RANGE: `min << 128 | max`).
    pub reference: B256,
    /// The cumulative limit, when `is_limited`.
    pub usage: LimitUsage,
}

const U128_MAX: U256 = U256::from_limbs([u64::MAX, u64::MAX, 0, 0]);

impl ParamRule {
    /// A rule on argument `arg_index` (offset `arg_index * 32`).
    pub fn new(condition: ParamCondition, arg_index: u32, reference: impl IntoParamRef) -> Self {
        Self::at_offset(condition, arg_offset(arg_index), reference)
    }

    /// A rule at a raw byte offset (for arguments that are not 32-byte aligned after the selector).
    pub fn at_offset(condition: ParamCondition, offset: u64, reference: impl IntoParamRef) -> Self {
        Self {
            condition,
            offset,
            is_limited: false,
            reference: reference.into_param_ref(),
            usage: LimitUsage::default(),
        }
    }

    /// An IN_RANGE rule `min <= arg <= max`; both bounds must fit uint128 and `min <= max`.
    pub fn in_range(arg_index: u32, min: U256, max: U256) -> Result<Self> {
        for (bound, value) in [("min", min), ("max", max)] {
            if value > U128_MAX {
                return Err(Error::RangeBoundTooLarge { bound, value });
            }
        }
        if min > max {
            return Err(Error::InvalidRange { index: 0, min, max });
        }
        Ok(Self::new(
            ParamCondition::InRange,
            arg_index,
            B256::from((min << 128) | max),
        ))
    }

    /// Adds a cumulative limit: the sum of this argument over all calls may not exceed `limit`.
    pub fn limited(mut self, limit: U256) -> Self {
        self.is_limited = true;
        self.usage = LimitUsage {
            limit,
            used: U256::ZERO,
        };
        self
    }

    /// For IN_RANGE rules: the (min, max) bounds encoded in the reference.
    pub fn range(&self) -> Option<(U256, U256)> {
        (self.condition == ParamCondition::InRange).then(|| {
            let r = U256::from_be_bytes(self.reference.0);
            (r >> 128, r & U128_MAX)
        })
    }

    fn check(&self, index: usize) -> Result<()> {
        if let Some((min, max)) = self.range()
            && min > max
        {
            return Err(Error::InvalidRange { index, min, max });
        }
        Ok(())
    }

    fn to_sol(self) -> sol::ParamRule {
        sol::ParamRule {
            condition: self.condition as u8,
            offset: self.offset,
            isLimited: self.is_limited,
            r#ref: self.reference,
            usage: sol::LimitUsage {
                limit: self.usage.limit,
                used: self.usage.used,
            },
        }
    }
}

/// The universal action policy's config: a per-call ETH value limit and up to 16 parameter rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActionConfig {
    value_limit_per_use: U256,
    rules: Vec<ParamRule>,
}

impl ActionConfig {
    /// Starts a builder (value limit 0, no rules).
    pub fn builder() -> ActionConfigBuilder {
        ActionConfigBuilder::default()
    }

    /// Checks and builds a config: at most 16 rules, valid IN_RANGE bounds.
    pub fn new(value_limit_per_use: U256, rules: Vec<ParamRule>) -> Result<Self> {
        if rules.len() > MAX_PARAM_RULES {
            return Err(Error::TooManyParamRules { count: rules.len() });
        }
        for (i, r) in rules.iter().enumerate() {
            r.check(i)?;
        }
        Ok(Self {
            value_limit_per_use,
            rules,
        })
    }

    /// Maximum ETH value per call.
    pub fn value_limit_per_use(&self) -> U256 {
        self.value_limit_per_use
    }

    /// The rules (at most 16).
    pub fn rules(&self) -> &[ParamRule] {
        &self.rules
    }

    /// The ABI struct, with the rule array zero-padded to 16.
    pub fn to_sol(&self) -> sol::ActionConfig {
        let mut rules: [sol::ParamRule; MAX_PARAM_RULES] = Default::default();
        for (slot, rule) in rules.iter_mut().zip(&self.rules) {
            *slot = rule.to_sol();
        }
        sol::ActionConfig {
            valueLimitPerUse: self.value_limit_per_use,
            paramRules: sol::ParamRules {
                length: U256::from(self.rules.len()),
                rules,
            },
        }
    }

    /// `abi.encode(ActionConfig)`: always 3,136 bytes.
    pub fn abi_encode(&self) -> Bytes {
        self.to_sol().abi_encode().into()
    }

    /// Decodes UniActionPolicy init data. Rejects a length above 16, unknown conditions, invalid IN_RANGE
    /// references and non-zero rule slots beyond `length` (they would be ignored on-chain).
    pub fn abi_decode(data: &[u8]) -> Result<Self> {
        if data.len() != 3136 {
            return Err(Error::InitDataLength {
                policy: "UniActionPolicy",
                expected: 3136,
                actual: data.len(),
            });
        }
        let cfg: sol::ActionConfig = codec::decode_single(data, "UniActionPolicy init data")?;
        let len = cfg.paramRules.length;
        if len > U256::from(MAX_PARAM_RULES) {
            return Err(Error::TooManyParamRules {
                count: usize::try_from(len).unwrap_or(usize::MAX),
            });
        }
        let len = len.to::<usize>();
        let mut rules = Vec::with_capacity(len);
        for (i, r) in cfg.paramRules.rules.iter().enumerate() {
            if i >= len {
                if *r != sol::ParamRule::default() {
                    return Err(Error::InvalidField {
                        what: "UniActionPolicy init data",
                        reason: format!("rule slot {i} is beyond length {len} but not zero"),
                    });
                }
                continue;
            }
            rules.push(ParamRule {
                condition: ParamCondition::try_from(r.condition)?,
                offset: r.offset,
                is_limited: r.isLimited,
                reference: r.r#ref,
                usage: LimitUsage {
                    limit: r.usage.limit,
                    used: r.usage.used,
                },
            });
        }
        Self::new(cfg.valueLimitPerUse, rules)
    }
}

/// Builder for [`ActionConfig`].
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ActionConfigBuilder {
    value_limit_per_use: U256,
    rules: Vec<ParamRule>,
}

impl ActionConfigBuilder {
    /// Maximum ETH value per call (default 0: no value allowed).
    pub fn value_limit_per_use(mut self, limit: U256) -> Self {
        self.value_limit_per_use = limit;
        self
    }
    /// Adds a rule.
    pub fn rule(mut self, rule: ParamRule) -> Self {
        self.rules.push(rule);
        self
    }
    /// Checks and builds (see [`ActionConfig::new`]).
    pub fn build(self) -> Result<ActionConfig> {
        ActionConfig::new(self.value_limit_per_use, self.rules)
    }
}

/// UniActionPolicy init data: `abi.encode(ActionConfig)` (3,136 bytes).
pub fn universal_action(config: &ActionConfig) -> Bytes {
    config.abi_encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn abstractjs_golden_layout() {
        let sk = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        let cfg = ActionConfig::builder()
            .rule(ParamRule::new(ParamCondition::Equal, 0, sk))
            .build()
            .unwrap();
        let enc = universal_action(&cfg);
        assert_eq!(enc.len(), 3136);
        let word = |i: usize| &enc[i * 32..(i + 1) * 32];
        assert_eq!(word(0), &[0u8; 32]);
        assert_eq!(U256::from_be_slice(word(1)), U256::ONE);
        assert_eq!(word(5), sk.into_word().as_slice());
        for i in [2, 3, 4, 6, 7] {
            assert_eq!(word(i), &[0u8; 32], "word {i}");
        }
        assert!(enc[8 * 32..].iter().all(|b| *b == 0));
        assert_eq!(ActionConfig::abi_decode(&enc).unwrap(), cfg);
    }

    #[test]
    fn rule_fields_land_in_their_words() {
        let cfg = ActionConfig::builder()
            .value_limit_per_use(U256::from(7))
            .rule(
                ParamRule::new(ParamCondition::LessThanOrEqual, 2, U256::from(100))
                    .limited(U256::from(1000)),
            )
            .rule(ParamRule::in_range(1, U256::from(5), U256::from(9)).unwrap())
            .build()
            .unwrap();
        let enc = cfg.abi_encode();
        let word = |i: usize| U256::from_be_slice(&enc[i * 32..(i + 1) * 32]);
        assert_eq!(word(0), U256::from(7));
        assert_eq!(word(1), U256::from(2));
        assert_eq!(word(2), U256::from(4)); // condition
        assert_eq!(word(3), U256::from(64)); // offset = 2 * 32
        assert_eq!(word(4), U256::ONE); // isLimited
        assert_eq!(word(5), U256::from(100));
        assert_eq!(word(6), U256::from(1000));
        assert_eq!(word(8), U256::from(6)); // IN_RANGE
        assert_eq!(word(9), U256::from(32));
        assert_eq!(word(11), (U256::from(5) << 128) | U256::from(9));
        assert_eq!(cfg.rules()[1].range(), Some((U256::from(5), U256::from(9))));
        assert_eq!(ActionConfig::abi_decode(&enc).unwrap(), cfg);
    }

    #[test]
    fn all_seven_conditions_encode_their_enum_value() {
        use ParamCondition::*;
        let all = [
            Equal,
            GreaterThan,
            LessThan,
            GreaterThanOrEqual,
            LessThanOrEqual,
            NotEqual,
            InRange,
        ];
        let mut b = ActionConfig::builder();
        for (i, c) in all.iter().enumerate() {
            assert_eq!(ParamCondition::try_from(i as u8).unwrap(), *c);
            b = b.rule(ParamRule::new(*c, i as u32, U256::ZERO));
        }
        let cfg = b.build().unwrap();
        let enc = cfg.abi_encode();
        for i in 0..7 {
            let w = 2 + i * 6;
            assert_eq!(
                U256::from_be_slice(&enc[w * 32..(w + 1) * 32]),
                U256::from(i),
                "condition word"
            );
            assert_eq!(
                U256::from_be_slice(&enc[(w + 1) * 32..(w + 2) * 32]),
                U256::from(i * 32),
                "offset word"
            );
        }
        assert_eq!(ActionConfig::abi_decode(&enc).unwrap(), cfg);
        assert!(ParamCondition::try_from(7).is_err());
    }

    #[test]
    fn errors() {
        let r = ParamRule::new(ParamCondition::Equal, 0, U256::ZERO);
        assert!(matches!(
            ActionConfig::new(U256::ZERO, vec![r; 17]),
            Err(Error::TooManyParamRules { count: 17 })
        ));
        assert!(ActionConfig::new(U256::ZERO, vec![r; 16]).is_ok());
        assert!(matches!(
            ParamRule::in_range(0, U256::from(2), U256::ONE),
            Err(Error::InvalidRange { .. })
        ));
        assert!(matches!(
            ParamRule::in_range(0, U256::ZERO, U128_MAX + U256::ONE),
            Err(Error::RangeBoundTooLarge { bound: "max", .. })
        ));
        let bad = ParamRule::at_offset(
            ParamCondition::InRange,
            0,
            (U256::from(3) << 128) | U256::ONE,
        );
        assert!(matches!(
            ActionConfig::builder().rule(r).rule(bad).build(),
            Err(Error::InvalidRange { index: 1, .. })
        ));
        // Decoder rejections.
        let enc = ActionConfig::new(U256::ZERO, vec![r]).unwrap().abi_encode();
        let mut too_long = enc.to_vec();
        too_long[63] = 17;
        assert!(matches!(
            ActionConfig::abi_decode(&too_long),
            Err(Error::TooManyParamRules { .. })
        ));
        let mut bad_cond = enc.to_vec();
        bad_cond[64 + 31] = 7;
        assert!(ActionConfig::abi_decode(&bad_cond).is_err());
        let mut dirty_pad = enc.to_vec();
        dirty_pad[64 + 6 * 32 + 31] = 1; // rule slot 1 beyond length 1
        assert!(ActionConfig::abi_decode(&dirty_pad).is_err());
        assert!(ActionConfig::abi_decode(&enc[..100]).is_err());
        assert_eq!(arg_offset(3), 96);
    }
}
