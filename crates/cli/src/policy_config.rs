//! Policy configs: the JSON shapes `policy` reads and `decode-policy` writes (see `policy --help`).
//!
//! Encoding and decoding go through `nexus_sessions_types::policy` (strict: exact lengths, canonical ABI,
//! fields in range); this module maps the JSON shapes to and from it, so `decode-policy` output fed
//! back to `policy` reproduces the same bytes.

use alloy_primitives::{B256, U256};
use nexus_sessions_types::policy::{
    self, ActionConfig, LimitUsage, MAX_PARAM_RULES, ParamCondition, ParamRule, TimeFrame,
};
use serde_json::{Value, json};

use crate::{
    cli::PolicyKind,
    error::{Location, Result},
    input::{self, Obj},
    output::hex0x,
};

/// The parameter conditions' JSON names, in their Solidity enum order.
const CONDITIONS: [(&str, ParamCondition); 7] = [
    ("equal", ParamCondition::Equal),
    ("greaterThan", ParamCondition::GreaterThan),
    ("lessThan", ParamCondition::LessThan),
    ("greaterThanOrEqual", ParamCondition::GreaterThanOrEqual),
    ("lessThanOrEqual", ParamCondition::LessThanOrEqual),
    ("notEqual", ParamCondition::NotEqual),
    ("inRange", ParamCondition::InRange),
];

/// The smartsessions TimeFramePolicy's layout: `abi.encodePacked(uint48 validUntil, uint48 validAfter)`.
const TIME_FRAME_PACKED_48: &str = "uint48-packed";
/// The 32-byte layout of module-sdk 0.1.x / 0.2.x deployments: `abi.encodePacked(uint128, uint128)`.
const TIME_FRAME_PACKED_128: &str = "uint128-packed";

fn condition_name(c: ParamCondition) -> &'static str {
    CONDITIONS
        .iter()
        .find(|(_, x)| *x == c)
        .map(|(n, _)| *n)
        .unwrap_or("unknown")
}

/// Builds the init data of `kind` from its JSON config (`None` = no `--config`).
pub(crate) fn encode(kind: PolicyKind, config: Option<(&Value, &Location)>) -> Result<Vec<u8>> {
    let need = |what: &str| -> Result<(&Value, &Location)> {
        config.ok_or_else(|| {
            Location::new("--config").error(format!(
                "the {what} policy needs a config (see `policy --help`)"
            ))
        })
    };
    let bytes = match kind {
        PolicyKind::Sudo => {
            if let Some((v, loc)) = config {
                Obj::new(v, loc, &[])?;
            }
            policy::sudo()
        }
        PolicyKind::UniversalAction => {
            let (v, loc) = need("universal-action")?;
            policy::universal_action(&parse_universal_action(v, loc)?)
        }
        PolicyKind::TimeFrame => {
            let (v, loc) = need("time-frame")?;
            let o = Obj::new(v, loc, &["validUntil", "validAfter", "encoding"])?;
            let (val, l) = o.req("validUntil")?;
            let until = uint48(val, &l)?;
            let after = match o.opt("validAfter") {
                Some((val, l)) => uint48(val, &l)?,
                None => 0,
            };
            let legacy = match o.opt("encoding") {
                None => false,
                Some((val, l)) => match input::json_str(val, &l)? {
                    TIME_FRAME_PACKED_48 => false,
                    TIME_FRAME_PACKED_128 => true,
                    other => {
                        return Err(l.error(format!(
                            "unknown encoding {other:?} (expected {TIME_FRAME_PACKED_48:?} or {TIME_FRAME_PACKED_128:?})"
                        )));
                    }
                },
            };
            let tf = TimeFrame::new(until, after).map_err(|e| loc.error(e.to_string()))?;
            if legacy {
                tf.encode_legacy()
            } else {
                tf.encode()
            }
        }
        PolicyKind::UsageLimit => {
            let (v, loc) = need("usage-limit")?;
            let o = Obj::new(v, loc, &["limit"])?;
            let (val, l) = o.req("limit")?;
            let limit = input::fit_bits(input::json_uint(val, &l)?, 128, &l)?;
            policy::usage_limit(limit.to::<u128>()).map_err(|e| l.error(e.to_string()))?
        }
        PolicyKind::ValueLimit => {
            let (v, loc) = need("value-limit")?;
            let o = Obj::new(v, loc, &["limit"])?;
            let (val, l) = o.req("limit")?;
            policy::value_limit(input::json_uint(val, &l)?)
        }
        PolicyKind::SpendingLimits => {
            let (v, loc) = need("spending-limits")?;
            let items = input::json_array(v, loc)?;
            let mut pairs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let l = loc.index(i);
                let o = Obj::new(item, &l, &["token", "limit"])?;
                let (val, tl) = o.req("token")?;
                let token = input::address(input::json_str(val, &tl)?, &tl)?;
                let (val, ll) = o.req("limit")?;
                pairs.push((token, input::json_uint(val, &ll)?));
            }
            policy::spending_limits(&pairs).map_err(|e| loc.error(e.to_string()))?
        }
    };
    Ok(bytes.to_vec())
}

fn uint48(v: &Value, loc: &Location) -> Result<u64> {
    Ok(input::fit_bits(input::json_uint(v, loc)?, 48, loc)?.to::<u64>())
}

/// module-sdk encodes a rule-less config, but the contract rejects it at use time: say so on stderr.
fn warn_no_rules() {
    eprintln!(
        "warning: universal-action config has no rules: paramRules.length = 0 makes the policy revert \
         PolicyNotInitialized on every call"
    );
}

/// Parses `{"valueLimitPerUse": N, "rules": [...]}`.
fn parse_universal_action(v: &Value, loc: &Location) -> Result<ActionConfig> {
    let o = Obj::new(v, loc, &["valueLimitPerUse", "rules"])?;
    let value_limit_per_use = match o.opt("valueLimitPerUse") {
        Some((val, l)) => input::json_uint(val, &l)?,
        None => U256::ZERO,
    };
    let (val, l) = o.req("rules")?;
    let items = input::json_array(val, &l)?;
    if items.is_empty() {
        warn_no_rules();
    }
    if items.len() > MAX_PARAM_RULES {
        return Err(l.error(format!(
            "at most {MAX_PARAM_RULES} rules fit the policy, got {}",
            items.len()
        )));
    }
    let rules = items
        .iter()
        .enumerate()
        .map(|(i, r)| parse_rule(r, &l.index(i)))
        .collect::<Result<_>>()?;
    ActionConfig::new(value_limit_per_use, rules).map_err(|e| l.error(e.to_string()))
}

fn parse_rule(v: &Value, loc: &Location) -> Result<ParamRule> {
    let o = Obj::new(
        v,
        loc,
        &[
            "condition",
            "argIndex",
            "offset",
            "isLimited",
            "ref",
            "min",
            "max",
            "limit",
            "used",
        ],
    )?;
    let (val, l) = o.req("condition")?;
    let name = input::json_str(val, &l)?;
    let condition = CONDITIONS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            let names: Vec<&str> = CONDITIONS.iter().map(|(n, _)| *n).collect();
            l.error(format!(
                "unknown condition {name:?} (expected one of: {})",
                names.join(", ")
            ))
        })?;

    let offset = match (o.opt("argIndex"), o.opt("offset")) {
        (Some((val, l)), None) => {
            let index = input::json_u64(val, &l)?;
            index
                .checked_mul(32)
                .ok_or_else(|| l.error(format!("argIndex {index} is too large")))?
        }
        (None, Some((val, l))) => input::json_u64(val, &l)?,
        (Some(_), Some(_)) => return Err(loc.error("give either `argIndex` or `offset`, not both")),
        (None, None) => return Err(loc.error("missing field `argIndex` (or `offset` in bytes)")),
    };

    let reference = if condition == ParamCondition::InRange {
        if o.opt("ref").is_some() {
            return Err(loc
                .field("ref")
                .error("inRange takes `min` and `max` instead of `ref`"));
        }
        let (val, lmin) = o.req("min")?;
        let min = input::fit_bits(input::json_uint(val, &lmin)?, 128, &lmin)?;
        let (val, lmax) = o.req("max")?;
        let max = input::fit_bits(input::json_uint(val, &lmax)?, 128, &lmax)?;
        if min > max {
            return Err(loc.error(format!("inRange min {min} is greater than max {max}")));
        }
        B256::from((min << 128) | max)
    } else {
        for f in ["min", "max"] {
            if o.opt(f).is_some() {
                return Err(loc
                    .field(f)
                    .error(format!("`{f}` is only for the inRange condition")));
            }
        }
        let (val, l) = o.req("ref")?;
        reference(val, &l)?
    };

    let is_limited = match o.opt("isLimited") {
        Some((val, l)) => input::json_bool(val, &l)?,
        None => false,
    };
    let limit = match o.opt("limit") {
        Some((val, l)) => input::json_uint(val, &l)?,
        None if is_limited => {
            return Err(loc.error("missing field `limit` (required when isLimited is true)"));
        }
        None => U256::ZERO,
    };
    let used = match o.opt("used") {
        Some((val, l)) => input::json_uint(val, &l)?,
        None => U256::ZERO,
    };
    Ok(ParamRule {
        condition,
        offset,
        is_limited,
        reference,
        usage: LimitUsage { limit, used },
    })
}

/// A rule's reference value: a 20-byte address (left-padded), 32 raw bytes, a number or a boolean.
fn reference(v: &Value, loc: &Location) -> Result<B256> {
    match v {
        Value::Bool(b) => Ok(B256::with_last_byte(u8::from(*b))),
        Value::String(s) if s.trim().starts_with("0x") || s.trim().starts_with("0X") => {
            let bytes = input::hex_bytes(s, loc)?;
            match bytes.len() {
                20 => Ok(B256::left_padding_from(&bytes)),
                32 => Ok(B256::from_slice(&bytes)),
                n => Err(loc.error(format!(
                    "hex ref must be a 20-byte address or 32 bytes, got {n} bytes (write numbers as decimal strings)"
                ))),
            }
        }
        other => Ok(B256::from(input::json_uint(other, loc)?)),
    }
}

/// Decodes init data of `kind` into its JSON config.
pub(crate) fn decode(kind: PolicyKind, data: &[u8], loc: &Location) -> Result<Value> {
    let lib = |e: nexus_sessions_types::Error| loc.error(e.to_string());
    Ok(match kind {
        PolicyKind::Sudo => {
            if !data.is_empty() {
                return Err(loc.error(format!(
                    "SudoPolicy init data must be 0 bytes, got {} (the policy ignores it; `policy sudo` emits 0x)",
                    data.len()
                )));
            }
            json!({})
        }
        PolicyKind::TimeFrame if data.len() == 32 => {
            let tf = TimeFrame::decode_legacy(data).map_err(lib)?;
            json!({"validUntil": tf.valid_until, "validAfter": tf.valid_after, "encoding": TIME_FRAME_PACKED_128})
        }
        PolicyKind::TimeFrame => {
            let tf = TimeFrame::decode(data).map_err(lib)?;
            json!({"validUntil": tf.valid_until, "validAfter": tf.valid_after})
        }
        PolicyKind::UsageLimit => {
            json!({"limit": policy::decode_usage_limit(data).map_err(lib)?.to_string()})
        }
        PolicyKind::ValueLimit => {
            json!({"limit": policy::decode_value_limit(data).map_err(lib)?.to_string()})
        }
        PolicyKind::SpendingLimits => policy::decode_spending_limits(data)
            .map_err(lib)?
            .iter()
            .map(|s| json!({"token": hex0x(s.token), "limit": s.limit.to_string()}))
            .collect(),
        PolicyKind::UniversalAction => {
            let cfg = ActionConfig::abi_decode(data).map_err(lib)?;
            if cfg.rules().is_empty() {
                warn_no_rules();
            }
            universal_action_json(&cfg)
        }
    })
}

/// Renders a universal-action config as the JSON `policy universal-action` takes.
fn universal_action_json(cfg: &ActionConfig) -> Value {
    let rules: Vec<Value> = cfg
        .rules()
        .iter()
        .map(|r| {
            let mut o = json!({"condition": condition_name(r.condition), "offset": r.offset});
            match r.range() {
                Some((min, max)) => {
                    o["min"] = json!(min.to_string());
                    o["max"] = json!(max.to_string());
                }
                None => o["ref"] = json!(hex0x(r.reference)),
            }
            o["isLimited"] = json!(r.is_limited);
            o["limit"] = json!(r.usage.limit.to_string());
            if !r.usage.used.is_zero() {
                o["used"] = json!(r.usage.used.to_string());
            }
            o
        })
        .collect();
    json!({"valueLimitPerUse": cfg.value_limit_per_use().to_string(), "rules": rules})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::new("--config")
    }

    #[test]
    fn rule_shapes() {
        let v = json!({"rules": [
            {"condition": "equal", "argIndex": 1, "ref": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"},
            {"condition": "inRange", "offset": 4, "min": "1", "max": "0x10", "isLimited": true, "limit": 100}
        ]});
        let cfg = parse_universal_action(&v, &loc()).unwrap();
        let rules = cfg.rules();
        assert_eq!(rules[0].offset, 32);
        assert_eq!(rules[0].reference[12], 0x70);
        assert_eq!(rules[0].reference[..12], [0u8; 12]);
        assert_eq!(rules[1].range(), Some((U256::from(1), U256::from(16))));
        assert_eq!(rules[1].offset, 4);
        assert_eq!(rules[1].usage.limit, U256::from(100));
    }

    #[test]
    fn rule_errors_name_the_path() {
        let cases = [
            (
                json!({"rules": [{"condition": "equals", "argIndex": 0, "ref": 1}]}),
                "rules[0].condition",
            ),
            (
                json!({"rules": [{"condition": "equal", "ref": 1}]}),
                "rules[0]: missing field `argIndex`",
            ),
            (
                json!({"rules": [{"condition": "equal", "argIndex": 0, "ref": "0x1234"}]}),
                "rules[0].ref",
            ),
            (
                json!({"rules": [{"condition": "inRange", "argIndex": 0, "min": 5, "max": 4}]}),
                "greater than max",
            ),
            (
                json!({"rules": [{"condition": "equal", "argIndex": 0, "ref": 1, "isLimited": true}]}),
                "`limit`",
            ),
            (
                json!({"rules": [{"condition": "equal", "argIndex": 0, "offset": 0, "ref": 1}]}),
                "not both",
            ),
        ];
        for (v, needle) in cases {
            let e = parse_universal_action(&v, &loc()).unwrap_err().to_string();
            assert!(e.contains(needle), "{e} should contain {needle}");
        }
    }
}
