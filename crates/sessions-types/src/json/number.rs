//! Unsigned integers as the reference SDKs write them: a JSON number, a decimal or `0x`-hex string, or
//! abstractjs's tagged bigint `{"__type":"bigint","value":"<decimal>"}`.
//!
//! Large values must be strings or tagged bigints: a JSON number above `u64` is not exact in
//! JavaScript (nor in serde_json), so it is refused rather than rounded.

use std::fmt;

use alloy_primitives::U256;
use serde::{
    Deserializer,
    de::{self, Error as _, MapAccess, Visitor},
};

use crate::{Error, Result};

/// Parses a decimal or `0x`-hex unsigned integer of at most 256 bits.
///
/// ```
/// use nexus_sessions_types::{U256, json::number};
/// assert_eq!(number::parse_uint("255")?, U256::from(255));
/// assert_eq!(number::parse_uint("0xff")?, U256::from(255));
/// assert!(number::parse_uint("-3").is_err());
/// # Ok::<(), nexus_sessions_types::Error>(())
/// ```
pub fn parse_uint(s: &str) -> Result<U256> {
    if s.is_empty() {
        return Err(Error::Parse(
            "expected a number, got an empty string".into(),
        ));
    }
    let parsed = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::Parse(format!("invalid hex number {s:?}")));
        }
        U256::from_str_radix(h, 16)
    } else {
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(Error::Parse(format!(
                "invalid number {s:?}: expected a non-negative decimal integer or 0x-hex"
            )));
        }
        U256::from_str_radix(s, 10)
    };
    parsed.map_err(|_| Error::Parse(format!("number {s} does not fit in 256 bits")))
}

/// Narrows `v` to at most `bits` bits.
pub fn fit_bits(v: U256, bits: usize) -> Result<U256> {
    if v.bit_len() > bits {
        return Err(Error::Parse(format!(
            "number {v} does not fit in uint{bits}"
        )));
    }
    Ok(v)
}

struct UintVisitor;

impl<'de> Visitor<'de> for UintVisitor {
    type Value = U256;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an unsigned integer (number, decimal or 0x-hex string, or {\"__type\":\"bigint\",\"value\":…})",
        )
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
        Ok(U256::from(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<U256, E> {
        Ok(U256::from(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<U256, E> {
        u64::try_from(v)
            .map(U256::from)
            .map_err(|_| E::custom(format!("number {v} is negative")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<U256, E> {
        Err(E::custom(format!(
            "number {v} is not a non-negative integer that fits JSON exactly; pass large values as a decimal string"
        )))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<U256, E> {
        parse_uint(v).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<U256, A::Error> {
        let (mut ty, mut value) = (None::<String>, None::<String>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "__type" => ty = Some(map.next_value()?),
                "value" => value = Some(map.next_value()?),
                other => {
                    return Err(A::Error::custom(format!(
                        "unknown field `{other}` in a tagged bigint (expected `__type` and `value`)"
                    )));
                }
            }
        }
        match (ty.as_deref(), value) {
            (Some("bigint"), Some(v)) => parse_uint(&v).map_err(A::Error::custom),
            (Some("bigint"), None) => {
                Err(A::Error::custom("bigint `value` must be a decimal string"))
            }
            (other, _) => Err(A::Error::custom(format!(
                "unknown __type {other:?} (expected \"bigint\")"
            ))),
        }
    }
}

/// Reads an unsigned integer in any of the module's forms.
pub fn deserialize_u256<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
    d.deserialize_any(UintVisitor)
}

/// Reads an unsigned integer that must fit `bits` bits.
pub fn deserialize_bits<'de, D: Deserializer<'de>>(d: D, bits: usize) -> Result<U256, D::Error> {
    fit_bits(deserialize_u256(d)?, bits).map_err(D::Error::custom)
}

/// `#[serde(with = "…")]` for a [`U256`] written as a decimal string.
pub mod decimal {
    use super::*;
    use serde::Serializer;

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
    /// Reads any form of the module.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        deserialize_u256(d)
    }
}

/// `#[serde(with = "…")]` for a `u64` written as a JSON number and read in any form of the module.
pub mod u64 {
    use super::*;
    use serde::Serializer;

    /// Writes the JSON number.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*v)
    }
    /// Reads any form of the module, refusing values above `u64`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Ok(deserialize_bits(d, 64)?.to::<u64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<U256, serde_json::Error> {
        deserialize_u256(v)
    }

    #[test]
    fn every_accepted_form() {
        for v in [
            json!(255),
            json!("255"),
            json!("0xff"),
            json!({"__type": "bigint", "value": "255"}),
        ] {
            assert_eq!(read(v).unwrap(), U256::from(255));
        }
        for v in [
            json!(-1),
            json!(1.5),
            json!("1e3"),
            json!("-3"),
            json!(true),
            json!("0x"),
            json!({"__type": "bignum", "value": "1"}),
            json!({"__type": "bigint"}),
        ] {
            assert!(read(v.clone()).is_err(), "{v}");
        }
        assert!(fit_bits(U256::from(1u64 << 48), 48).is_err());
        assert!(fit_bits(U256::from((1u64 << 48) - 1), 48).is_ok());
    }
}
