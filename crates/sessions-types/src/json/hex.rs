//! Hex text: byte strings, fixed-size values and addresses, with messages that say what is wrong and
//! where in the string.
//!
//! The `0x` (or `0X`) prefix is optional; digits may be of any case, except that an address in mixed
//! case must carry a valid EIP-55 checksum (a mistyped digit then fails instead of naming another
//! account). The submodules are `#[serde(with = "…")]` helpers built on the parsers.

use alloy_primitives::{Address, Bytes, FixedBytes, hex};

use crate::{Error, Result};

fn digits(s: &str) -> &str {
    s.strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s)
}

/// Parses a hex byte string of any even number of digits.
///
/// ```
/// use nexus_sessions_types::json::hex;
/// assert_eq!(hex::parse_bytes("0x0a0B")?, vec![0x0a, 0x0b]);
/// assert!(hex::parse_bytes("0xabc").unwrap_err().to_string().contains("odd number of hex digits (3)"));
/// # Ok::<(), nexus_sessions_types::Error>(())
/// ```
pub fn parse_bytes(s: &str) -> Result<Vec<u8>> {
    let d = digits(s);
    if let Some((i, c)) = d.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(Error::Parse(format!(
            "invalid hex: character {c:?} at position {} is not a hex digit",
            i + (s.len() - d.len())
        )));
    }
    if !d.len().is_multiple_of(2) {
        return Err(Error::Parse(format!(
            "invalid hex: odd number of hex digits ({}); every byte needs two digits",
            d.len()
        )));
    }
    hex::decode(d).map_err(|e| Error::Parse(format!("invalid hex: {e}")))
}

/// Parses a hex string of exactly `N` bytes.
pub fn parse_fixed<const N: usize>(s: &str) -> Result<FixedBytes<N>> {
    let bytes = parse_bytes(s)?;
    if bytes.len() != N {
        return Err(Error::Parse(format!(
            "expected {N} bytes, got {}",
            bytes.len()
        )));
    }
    Ok(FixedBytes::from_slice(&bytes))
}

/// Parses an address: 20 bytes of hex; mixed-case input must carry a valid EIP-55 checksum.
///
/// ```
/// use nexus_sessions_types::json::hex;
/// let good = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/// assert_eq!(hex::parse_address(good)?, hex::parse_address(&good.to_lowercase())?);
/// assert!(hex::parse_address("0x70997970c51812dc3A010C7d01b50e0d17dc79C8").is_err());
/// # Ok::<(), nexus_sessions_types::Error>(())
/// ```
pub fn parse_address(s: &str) -> Result<Address> {
    let addr = Address::from(parse_fixed::<20>(s)?);
    let d = digits(s);
    let mixed =
        d.bytes().any(|c| c.is_ascii_lowercase()) && d.bytes().any(|c| c.is_ascii_uppercase());
    if mixed && Address::parse_checksummed(format!("0x{d}"), None).is_err() {
        return Err(Error::Parse(format!(
            "address has an invalid EIP-55 checksum (expected {}); use all-lowercase to skip the check",
            addr.to_checksum(None)
        )));
    }
    Ok(addr)
}

/// What a hex field expects, for serde's "invalid type" messages.
const EXPECTING: &str = "a string of hex digits";

/// Parses inside the deserializer's string callback, so that an error carries the string's position.
struct HexVisitor<T>(fn(&str) -> Result<T>);

impl<T> serde::de::Visitor<'_> for HexVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(EXPECTING)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

macro_rules! with_module {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $parse:expr, $ser:expr) => {
        $(#[$doc])*
        pub mod $name {
            use super::*;
            use serde::{Deserializer, Serializer};

            /// Writes the value.
            pub fn serialize<S: Serializer>(v: &$ty, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&($ser)(v))
            }

            /// Reads the value with [`super`]'s messages.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                d.deserialize_str(HexVisitor::<$ty>($parse))
            }
        }
    };
}

with_module!(
    /// An [`Address`], written with its EIP-55 checksum, read with [`parse_address`].
    address,
    Address,
    parse_address,
    |a: &Address| a.to_checksum(None)
);
with_module!(
    /// [`Bytes`], written as lower-case `0x` hex, read with [`parse_bytes`].
    bytes,
    Bytes,
    |s: &str| parse_bytes(s).map(Bytes::from),
    |b: &Bytes| hex::encode_prefixed(b)
);
with_module!(
    /// A 32-byte value, written as lower-case `0x` hex, read with [`parse_fixed`].
    b256,
    FixedBytes<32>,
    parse_fixed::<32>,
    |b: &FixedBytes<32>| hex::encode_prefixed(b)
);
with_module!(
    /// A 4-byte selector, written as lower-case `0x` hex, read with [`parse_fixed`].
    selector,
    FixedBytes<4>,
    parse_fixed::<4>,
    |b: &FixedBytes<4>| hex::encode_prefixed(b)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_wrong() {
        assert_eq!(parse_bytes("0x").unwrap(), Vec::<u8>::new());
        assert_eq!(parse_bytes("0Xff").unwrap(), vec![0xff]);
        let bad = parse_bytes("0xzz").unwrap_err().to_string();
        assert!(bad.contains("'z' at position 2"), "{bad}");
        let len = parse_fixed::<32>("0x00").unwrap_err().to_string();
        assert!(len.contains("expected 32 bytes, got 1"), "{len}");
        let sum = parse_address("0x70997970c51812dc3A010C7d01b50e0d17dc79C8")
            .unwrap_err()
            .to_string();
        assert!(sum.contains("checksum"), "{sum}");
    }

    #[test]
    fn serde_helpers_name_the_problem() {
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[serde(with = "address")]
            #[allow(dead_code)]
            a: Address,
        }
        let e = serde_json::from_str::<T>(r#"{"a": 5}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a string"), "{e}");
        let e = serde_json::from_str::<T>(r#"{"a": "0x12", "b": 1}"#).unwrap_err();
        assert!(e.to_string().contains("expected 20 bytes, got 1"), "{e}");
        // The position is the bad string's end, not the end of the object.
        assert_eq!((e.line(), e.column()), (1, 12), "{e}");
    }
}
