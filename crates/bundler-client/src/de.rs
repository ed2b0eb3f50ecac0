//! Lenient field deserialisers for bundler replies: quantities as hex, decimal or numbers, `null` as absent.

use alloy_primitives::{Address, U256};
use nexus_sessions_userop::Quantity;
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

pub(crate) fn u256<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
    Quantity::deserialize(d).map(|q| q.0)
}

pub(crate) fn u128<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    Quantity::deserialize(d)?
        .to_u128("quantity")
        .map_err(D::Error::custom)
}

pub(crate) fn opt_u128<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
    Option::<Quantity>::deserialize(d)?
        .map(|q| q.to_u128("quantity").map_err(D::Error::custom))
        .transpose()
}

pub(crate) fn opt_u256<'de, D: Deserializer<'de>>(d: D) -> Result<Option<U256>, D::Error> {
    Ok(Option::<Quantity>::deserialize(d)?.map(|q| q.0))
}

pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<Quantity>::deserialize(d)?
        .map(|q| q.to_u64("quantity").map_err(D::Error::custom))
        .transpose()
}

/// `null`, `""`, `"0x"` and the zero address all mean "no address".
pub(crate) fn opt_address<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() || s == "0x" => Ok(None),
        Some(s) => {
            let address: Address = s.parse().map_err(D::Error::custom)?;
            Ok((!address.is_zero()).then_some(address))
        }
    }
}

/// `true`/`false`, `"0x1"`/`"0x0"`, `1`/`0`, `"true"`/`"false"`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => {
            let q: Quantity = serde_json::from_value(other.clone()).map_err(D::Error::custom)?;
            // Quantities >= 2^64 are neither 0 nor 1: an error, never a truncating conversion.
            match u64::try_from(q.0) {
                Ok(0) => Ok(false),
                Ok(1) => Ok(true),
                _ => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
            }
        }
    }
}

pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    value.map(|v| flag(v).map_err(D::Error::custom)).transpose()
}

/// A reason given as text, hex or anything else; `null` and `""` are absent.
pub(crate) fn reason<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}
