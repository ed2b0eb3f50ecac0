//! JSON-RPC quantities: written as minimal `0x`-hex, read leniently.

use crate::Error;
use alloy_primitives::U256;
use core::{fmt, str::FromStr};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A JSON-RPC quantity.
///
/// Serialises as `0x`-hex without leading zeros (`"0x0"` for zero), as the ERC-4337 bundler API expects.
/// Deserialises from a `0x`-hex string (leading zeros and a bare `"0x"` tolerated), a decimal string or a
/// non-negative JSON integer, because bundlers and SDKs disagree on the shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub U256);

impl Quantity {
    /// The value, or [`Error::ValueTooLarge`] naming `field` when it does not fit in a `u128`.
    pub fn to_u128(self, field: &'static str) -> Result<u128, Error> {
        u128::try_from(self.0).map_err(|_| Error::ValueTooLarge {
            field,
            value: self.0,
            bits: 128,
        })
    }

    /// The value, or [`Error::ValueTooLarge`] naming `field` when it does not fit in a `u64`.
    pub fn to_u64(self, field: &'static str) -> Result<u64, Error> {
        u64::try_from(self.0).map_err(|_| Error::ValueTooLarge {
            field,
            value: self.0,
            bits: 64,
        })
    }
}

impl From<U256> for Quantity {
    fn from(value: U256) -> Self {
        Self(value)
    }
}

macro_rules! from_unsigned {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Quantity {
            fn from(value: $ty) -> Self {
                Self(U256::from(value))
            }
        }
    )*};
}

from_unsigned!(u8, u16, u32, u64, u128, usize);

impl From<Quantity> for U256 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

fn invalid(text: &str, reason: &'static str) -> Error {
    let value = if text.len() > 80 {
        // Cut on a char boundary so that odd input never panics.
        let mut end = 80;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &text[..end])
    } else {
        text.to_owned()
    };
    Error::InvalidQuantity { value, reason }
}

impl FromStr for Quantity {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let trimmed = text.trim();
        if let Some(digits) = trimmed
            .strip_prefix("0x")
            .or_else(|| trimmed.strip_prefix("0X"))
        {
            if digits.is_empty() {
                return Ok(Self(U256::ZERO));
            }
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(text, "not a hex number"));
            }
            U256::from_str_radix(digits, 16)
                .map(Self)
                .map_err(|_| invalid(text, "exceeds 256 bits"))
        } else {
            if trimmed.is_empty() {
                return Err(invalid(text, "empty string"));
            }
            if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(text, "neither 0x-hex nor a decimal integer"));
            }
            U256::from_str_radix(trimmed, 10)
                .map(Self)
                .map_err(|_| invalid(text, "exceeds 256 bits"))
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = Quantity;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a quantity: 0x-hex string, decimal string or non-negative integer")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                v.parse().map_err(E::custom)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(U256::from(v)))
            }

            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Quantity, E> {
                Ok(Quantity(U256::from(v)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                u64::try_from(v)
                    .map(|v| Quantity(U256::from(v)))
                    .map_err(|_| E::custom(invalid(&v.to_string(), "negative")))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Err(E::custom(invalid(
                    &v.to_string(),
                    "not an integer (or too large for a JSON number)",
                )))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_minimal_hex() {
        assert_eq!(
            serde_json::to_string(&Quantity::from(0u64)).unwrap(),
            "\"0x0\""
        );
        assert_eq!(
            serde_json::to_string(&Quantity::from(0x1f4u64)).unwrap(),
            "\"0x1f4\""
        );
        assert_eq!(
            serde_json::to_string(&Quantity(U256::MAX)).unwrap(),
            format!("\"{:#x}\"", U256::MAX)
        );
    }

    #[test]
    fn reads_lenient_shapes() {
        for (json, want) in [
            ("\"0x1f4\"", 500u64),
            ("\"0x00001f4\"", 500),
            ("\"0X1F4\"", 500),
            ("\"500\"", 500),
            ("500", 500),
            ("\"0x\"", 0),
            ("0", 0),
        ] {
            let q: Quantity = serde_json::from_str(json).unwrap();
            assert_eq!(q.0, U256::from(want), "{json}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for json in [
            "\"0xzz\"",
            "\"-1\"",
            "-1",
            "1.5",
            "\"\"",
            "\"12a\"",
            "true",
            "null",
            "\"0x1 0\"",
        ] {
            assert!(
                serde_json::from_str::<Quantity>(json).is_err(),
                "{json} parsed"
            );
        }
        let too_big = format!("\"0x1{}\"", "0".repeat(64));
        let err = serde_json::from_str::<Quantity>(&too_big).unwrap_err();
        assert!(err.to_string().contains("exceeds 256 bits"), "{err}");
    }

    #[test]
    fn width_checks_name_the_field() {
        let q = Quantity(U256::from(u128::MAX) + U256::from(1));
        assert_eq!(
            q.to_u128("callGasLimit"),
            Err(Error::ValueTooLarge {
                field: "callGasLimit",
                value: q.0,
                bits: 128
            })
        );
        assert_eq!(Quantity::from(u128::MAX).to_u128("x"), Ok(u128::MAX));
    }
}
