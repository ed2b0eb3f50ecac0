//! Reading arguments, files and stdin, and parsing hex strings and numbers with precise error locations.
//!
//! Every parser takes a [`Location`] so that an error names the argument or JSON path it came from.

use std::io::Read;

use alloy_primitives::{Address, B256, FixedBytes, U256, hex};
use serde_json::{Map, Value};

use crate::error::{CliError, Location, Result};

/// Reads a file, or stdin when `path` is `-`. `arg` names the argument for error messages.
pub(crate) fn read_source(arg: &str, path: &str) -> Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::Read {
                what: format!("{arg} (stdin)"),
                source,
            })?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|source| CliError::Read {
            what: format!("{arg} file `{path}`"),
            source,
        })
    }
}

/// Reads a JSON value given inline, as `@FILE`, or as `-` (stdin).
pub(crate) fn inline_json(arg: &str, value: &str) -> Result<(Value, Location)> {
    if let Some(path) = value.strip_prefix('@') {
        let text = read_source(arg, path)?;
        let loc = Location::new(format!("{arg} file `{path}`"));
        Ok((parse_json(&text, &loc)?, loc))
    } else if value == "-" {
        let text = read_source(arg, "-")?;
        let loc = Location::new(format!("{arg} (stdin)"));
        Ok((parse_json(&text, &loc)?, loc))
    } else {
        let loc = Location::new(arg.to_owned());
        Ok((parse_json(value, &loc)?, loc))
    }
}

/// Reads a JSON file (or stdin for `-`).
pub(crate) fn json_file(arg: &str, path: &str) -> Result<(Value, Location)> {
    let text = read_source(arg, path)?;
    let loc = if path == "-" {
        Location::new(format!("{arg} (stdin)"))
    } else {
        Location::new(format!("{arg} file `{path}`"))
    };
    Ok((parse_json(&text, &loc)?, loc))
}

/// Parses JSON text, reporting line and column on failure.
pub(crate) fn parse_json(text: &str, loc: &Location) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| loc.error(format!("invalid JSON: {e}")))
}

/// Parses a hex byte string, with or without `0x`, ignoring surrounding whitespace.
pub(crate) fn hex_bytes(s: &str, loc: &Location) -> Result<Vec<u8>> {
    let s = s.trim();
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(loc.error(format!(
            "invalid hex: character {c:?} at position {} is not a hex digit",
            i + (s.len() - digits.len())
        )));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(loc.error(format!(
            "invalid hex: odd number of hex digits ({}); every byte needs two digits",
            digits.len()
        )));
    }
    hex::decode(digits).map_err(|e| loc.error(format!("invalid hex: {e}")))
}

/// Parses a hex string of exactly `N` bytes.
pub(crate) fn hex_fixed<const N: usize>(s: &str, loc: &Location) -> Result<FixedBytes<N>> {
    let bytes = hex_bytes(s, loc)?;
    if bytes.len() != N {
        return Err(loc.error(format!("expected {N} bytes, got {}", bytes.len())));
    }
    Ok(FixedBytes::from_slice(&bytes))
}

/// Parses a 32-byte hex value.
pub(crate) fn hex_b256(s: &str, loc: &Location) -> Result<B256> {
    hex_fixed::<32>(s, loc)
}

/// Parses an address: 20 bytes of hex; mixed-case input must carry a valid EIP-55 checksum.
pub(crate) fn address(s: &str, loc: &Location) -> Result<Address> {
    let s = s.trim();
    let bytes = hex_fixed::<20>(s, loc)?;
    let addr = Address::from(bytes);
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let mixed = digits.chars().any(|c| c.is_ascii_lowercase())
        && digits.chars().any(|c| c.is_ascii_uppercase());
    if mixed && Address::parse_checksummed(format!("0x{digits}"), None).is_err() {
        return Err(loc.error(format!(
            "address has an invalid EIP-55 checksum (expected {}); use all-lowercase to skip the check",
            addr.to_checksum(None)
        )));
    }
    Ok(addr)
}

/// Parses an unsigned integer given as decimal or `0x` hex.
pub(crate) fn uint_str(s: &str, loc: &Location) -> Result<U256> {
    let s = s.trim();
    if s.is_empty() {
        return Err(loc.error("expected a number, got an empty string"));
    }
    let parsed = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(loc.error(format!("invalid hex number {s:?}")));
        }
        U256::from_str_radix(h, 16)
    } else {
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(loc.error(format!(
                "invalid number {s:?}: expected a non-negative decimal integer or 0x-hex"
            )));
        }
        U256::from_str_radix(s, 10)
    };
    parsed.map_err(|_| loc.error(format!("number {s} does not fit in 256 bits")))
}

/// Parses an unsigned integer argument into a `u64`.
pub(crate) fn u64_str(s: &str, loc: &Location) -> Result<u64> {
    let v = uint_str(s, loc)?;
    u64::try_from(v).map_err(|_| loc.error(format!("number {v} does not fit in 64 bits")))
}

/// Narrows a number to at most `bits` bits.
pub(crate) fn fit_bits(v: U256, bits: usize, loc: &Location) -> Result<U256> {
    if v.bit_len() > bits {
        return Err(loc.error(format!("number {v} does not fit in uint{bits}")));
    }
    Ok(v)
}

/// A JSON number, decimal string, `0x`-hex string or `{"__type":"bigint","value":"…"}`.
pub(crate) fn json_uint(v: &Value, loc: &Location) -> Result<U256> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => Ok(U256::from(u)),
            None => Err(loc.error(format!(
                "number {n} is not a non-negative integer that fits JSON exactly; pass large values as a decimal string"
            ))),
        },
        Value::String(s) => uint_str(s, loc),
        Value::Object(map) if map.get("__type").and_then(Value::as_str) == Some("bigint") => {
            match map.get("value") {
                Some(Value::String(s)) => uint_str(s, &loc.field("value")),
                _ => Err(loc.field("value").error("bigint `value` must be a decimal string")),
            }
        }
        other => Err(loc.error(format!(
            "expected an unsigned integer (number, decimal or 0x-hex string, or {{\"__type\":\"bigint\",\"value\":…}}), got {}",
            kind(other)
        ))),
    }
}

/// [`json_uint`] narrowed to `u64`.
pub(crate) fn json_u64(v: &Value, loc: &Location) -> Result<u64> {
    let n = json_uint(v, loc)?;
    u64::try_from(n).map_err(|_| loc.error(format!("number {n} does not fit in 64 bits")))
}

/// A JSON string.
pub(crate) fn json_str<'a>(v: &'a Value, loc: &Location) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| loc.error(format!("expected a string, got {}", kind(v))))
}

/// A JSON boolean.
pub(crate) fn json_bool(v: &Value, loc: &Location) -> Result<bool> {
    v.as_bool()
        .ok_or_else(|| loc.error(format!("expected true or false, got {}", kind(v))))
}

/// A JSON array.
pub(crate) fn json_array<'a>(v: &'a Value, loc: &Location) -> Result<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| loc.error(format!("expected an array, got {}", kind(v))))
}

/// A JSON object with a fixed set of allowed keys; unknown keys are an error (they are usually typos).
#[derive(Debug)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    loc: Location,
}

impl<'a> Obj<'a> {
    /// Views `v` as an object whose keys must all be in `allowed`.
    pub(crate) fn new(v: &'a Value, loc: &Location, allowed: &[&str]) -> Result<Self> {
        let map = v
            .as_object()
            .ok_or_else(|| loc.error(format!("expected an object, got {}", kind(v))))?;
        if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(loc.error(format!(
                "unknown field `{unknown}` (expected one of: {})",
                allowed.join(", ")
            )));
        }
        Ok(Self {
            map,
            loc: loc.clone(),
        })
    }

    /// An optional field, with its location. JSON `null` counts as absent.
    pub(crate) fn opt(&self, name: &str) -> Option<(&'a Value, Location)> {
        self.map
            .get(name)
            .filter(|v| !v.is_null())
            .map(|v| (v, self.loc.field(name)))
    }

    /// A required field, with its location.
    pub(crate) fn req(&self, name: &str) -> Result<(&'a Value, Location)> {
        self.opt(name)
            .ok_or_else(|| self.loc.error(format!("missing field `{name}`")))
    }

    /// The first present field among `names` (aliases), with its location.
    pub(crate) fn opt_any(&self, names: &[&str]) -> Option<(&'a Value, Location)> {
        names.iter().find_map(|n| self.opt(n))
    }
}

/// A short description of a JSON value's kind, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loc() -> Location {
        Location::new("arg")
    }

    #[test]
    fn hex_errors_say_what_is_wrong() {
        assert_eq!(hex_bytes("0x0a0B", &loc()).unwrap(), vec![0x0a, 0x0b]);
        assert_eq!(hex_bytes(" 0a \n", &loc()).unwrap(), vec![0x0a]);
        assert_eq!(hex_bytes("0x", &loc()).unwrap(), Vec::<u8>::new());
        let odd = hex_bytes("0xabc", &loc()).unwrap_err().to_string();
        assert!(odd.contains("odd number of hex digits (3)"), "{odd}");
        let bad = hex_bytes("0xzz", &loc()).unwrap_err().to_string();
        assert!(bad.contains("'z' at position 2"), "{bad}");
        let len = hex_b256("0x00", &loc()).unwrap_err().to_string();
        assert!(len.contains("expected 32 bytes, got 1"), "{len}");
    }

    #[test]
    fn addresses_check_mixed_case_checksums() {
        let good = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        assert!(address(good, &loc()).is_ok());
        assert!(address(&good.to_lowercase(), &loc()).is_ok());
        let bad = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8";
        assert!(
            address(bad, &loc())
                .unwrap_err()
                .to_string()
                .contains("checksum")
        );
    }

    #[test]
    fn numbers_in_every_accepted_form() {
        for v in [
            json!(255),
            json!("255"),
            json!("0xff"),
            json!({"__type": "bigint", "value": "255"}),
        ] {
            assert_eq!(json_uint(&v, &loc()).unwrap(), U256::from(255));
        }
        for v in [
            json!(-1),
            json!(1.5),
            json!("1e3"),
            json!("-3"),
            json!(true),
            json!("0x"),
        ] {
            assert!(json_uint(&v, &loc()).is_err(), "{v}");
        }
        assert!(u64_str("18446744073709551616", &loc()).is_err());
        assert!(fit_bits(U256::from(1u64 << 48), 48, &loc()).is_err());
    }

    #[test]
    fn objects_reject_unknown_fields() {
        let v = json!({"a": 1, "b": 2});
        let e = Obj::new(&v, &loc(), &["a"]).unwrap_err().to_string();
        assert!(e.contains("unknown field `b`"), "{e}");
        let o = Obj::new(&v, &loc(), &["a", "b"]).unwrap();
        assert!(
            o.req("c")
                .unwrap_err()
                .to_string()
                .contains("missing field `c`")
        );
    }
}
