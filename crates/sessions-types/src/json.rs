//! JSON in the reference SDKs' format: module-sdk field names, bigints tagged as
//! `{"__type":"bigint","value":"<decimal>"}` (abstractjs / @biconomy/sdk `stringify` / `parse`).
//!
//! Normalisation on output: addresses are written with their EIP-55 checksum, other hex in lower case.
//! Input accepts any hex case (mixed case must be a valid EIP-55 checksum). Numbers that the reference
//! stores as `bigint` are written tagged and read from a tagged object, a JSON number, or a decimal /
//! `0x` string.
//!
//! [`from_str`] and [`from_value`] parse any of the crate's JSON types and say where a bad value is:
//! [`Error::JsonAt`] carries its JSON path (`actions[0].actionTarget`) and, for text, line and column.
//! [`hex`] and [`number`] are the parsers (and `#[serde(with)]` helpers) behind every hex and integer
//! field, usable for the same values given elsewhere (command-line arguments).
//!
//! ```
//! use nexus_sessions_types::{Error, Session, json};
//!
//! let text = r#"{"sessionValidator": "0x2483DA3A338895199E5e538530213157e931Bf06",
//!   "sessionValidatorInitData": "0x", "salt": "0x01"}"#;
//! let Err(Error::JsonAt { path, source }) = json::from_str::<Session>(text) else { panic!() };
//! assert_eq!(path, "salt");
//! assert!(source.to_string().contains("expected 32 bytes, got 1"));
//! assert_eq!(source.line(), 2);
//! ```

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};

use crate::{Error, Result};

pub mod hex;
pub mod number;
mod session;

/// Parses JSON text into `T`, naming the JSON path of a bad value ([`Error::JsonAt`]).
///
/// Text that is not JSON at all is reported as such (a syntax error, no path), even where a value before
/// the syntax error is already of the wrong type.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    let syntax = |source| Error::JsonAt {
        path: String::new(),
        source,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value =
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Err(source) if !e.inner().is_syntax() && !e.inner().is_eof() => syntax(source),
                _ => path_error(e),
            }
        })?;
    de.end().map_err(syntax)?;
    Ok(value)
}

/// Converts a parsed JSON value into `T`, naming the JSON path of a bad value ([`Error::JsonAt`]).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(path_error)
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    Error::JsonAt {
        // The root renders as ".": no path to name.
        path: if path == "." { String::new() } else { path },
        source: e.into_inner(),
    }
}

/// Reads `T` from a JSON object only: serde's derived structs also take an array of the fields in order, a
/// form no reference SDK writes and an easy mistake to let through. `what` names the object in messages.
pub(crate) fn object<'de, D, T>(d: D, what: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(&'static str, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{} object", self.0)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(V(what, std::marker::PhantomData))
}

/// `null` reads as the type's default (JavaScript writers use it for "absent").
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The `{"__type":"bigint","value":"…"}` wrapper.
#[derive(Serialize)]
struct TaggedBigInt {
    #[serde(rename = "__type")]
    ty: &'static str,
    value: String,
}

/// Serde helpers for a `bigint` stored as [`U256`].
pub(crate) mod bigint {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        TaggedBigInt {
            ty: "bigint",
            value: v.to_string(),
        }
        .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        number::deserialize_u256(d)
    }
}

/// Serde helpers for a `bigint` that must fit `u64` (chain ids).
pub(crate) mod bigint_u64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        bigint::serialize(&U256::from(*v), s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        number::uint64::deserialize(d)
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
pub(crate) use hex::address as checksum;

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
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "checksum")] Address);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
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
        hex::bytes::deserialize(d)
    }
}
