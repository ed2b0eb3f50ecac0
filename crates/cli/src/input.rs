//! Reading arguments, files and stdin. JSON goes through `nexus_sessions_types::json` (serde, errors at
//! the JSON path with line and column); hex strings and numbers through its `hex` and `number` parsers,
//! trimmed of surrounding whitespace (arguments and files often end in a newline).
//!
//! Every parser takes a [`Location`] so that an error names the argument, file and JSON path it came from.

use std::io::Read;

use alloy_primitives::{Address, B256, FixedBytes, U256};
use nexus_sessions_types::json::{self, hex, number};
use serde::de::DeserializeOwned;

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

/// Reads text given inline, as `@FILE`, or as `-` (stdin), with where it came from.
pub(crate) fn inline_text(arg: &str, value: &str) -> Result<(String, Location)> {
    Ok(if let Some(path) = value.strip_prefix('@') {
        let loc = Location::new(format!("{arg} file `{path}`"));
        (read_source(arg, path)?, loc)
    } else if value == "-" {
        (
            read_source(arg, "-")?,
            Location::new(format!("{arg} (stdin)")),
        )
    } else {
        (value.to_owned(), Location::new(arg.to_owned()))
    })
}

/// Reads a JSON file (or stdin for `-`).
pub(crate) fn json_file<T: DeserializeOwned>(arg: &str, path: &str) -> Result<(T, Location)> {
    let text = read_source(arg, path)?;
    let loc = if path == "-" {
        Location::new(format!("{arg} (stdin)"))
    } else {
        Location::new(format!("{arg} file `{path}`"))
    };
    Ok((parse_json(&text, &loc)?, loc))
}

/// Parses JSON text as `T`, reporting the JSON path, line and column on failure.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, loc: &Location) -> Result<T> {
    json::from_str(text).map_err(|e| loc.lib_error(e))
}

/// Converts an already parsed JSON value into `T`, reporting the JSON path on failure.
pub(crate) fn from_value<T: DeserializeOwned>(
    value: serde_json::Value,
    loc: &Location,
) -> Result<T> {
    json::from_value(value).map_err(|e| loc.lib_error(e))
}

/// [`from_value`] for a value that should be a `what`: the message says so first.
pub(crate) fn typed_value<T: DeserializeOwned>(
    value: serde_json::Value,
    loc: &Location,
    what: &str,
) -> Result<T> {
    json::from_value(value).map_err(|e| match e {
        nexus_sessions_types::Error::JsonAt { path, source } => {
            loc.at(&path).error(format!("{what}: {source}"))
        }
        other => loc.lib_error(other),
    })
}

/// Parses a hex byte string, with or without `0x`, ignoring surrounding whitespace.
pub(crate) fn hex_bytes(s: &str, loc: &Location) -> Result<Vec<u8>> {
    hex::parse_bytes(s.trim()).map_err(|e| loc.lib_error(e))
}

/// Parses a hex string of exactly `N` bytes.
pub(crate) fn hex_fixed<const N: usize>(s: &str, loc: &Location) -> Result<FixedBytes<N>> {
    hex::parse_fixed(s.trim()).map_err(|e| loc.lib_error(e))
}

/// Parses a 32-byte hex value.
pub(crate) fn hex_b256(s: &str, loc: &Location) -> Result<B256> {
    hex_fixed::<32>(s, loc)
}

/// Parses an address: 20 bytes of hex; mixed-case input must carry a valid EIP-55 checksum.
pub(crate) fn address(s: &str, loc: &Location) -> Result<Address> {
    hex::parse_address(s.trim()).map_err(|e| loc.lib_error(e))
}

/// Parses an unsigned integer given as decimal or `0x` hex.
pub(crate) fn uint_str(s: &str, loc: &Location) -> Result<U256> {
    number::parse_uint(s.trim()).map_err(|e| loc.lib_error(e))
}

/// Parses an unsigned integer argument into a `u64`.
pub(crate) fn u64_str(s: &str, loc: &Location) -> Result<u64> {
    Ok(fit_bits(uint_str(s, loc)?, 64, loc)?.to::<u64>())
}

/// Narrows a number to at most `bits` bits.
pub(crate) fn fit_bits(v: U256, bits: usize, loc: &Location) -> Result<U256> {
    number::fit_bits(v, bits).map_err(|e| loc.lib_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::new("arg")
    }

    #[test]
    fn arguments_are_trimmed_and_located() {
        assert_eq!(hex_bytes(" 0a \n", &loc()).unwrap(), vec![0x0a]);
        assert_eq!(u64_str(" 0x10\n", &loc()).unwrap(), 16);
        let e = hex_b256("0x00", &loc()).unwrap_err().to_string();
        assert_eq!(e, "arg: expected 32 bytes, got 1");
        assert!(u64_str("18446744073709551616", &loc()).is_err());
        let digests = r#"[{"chainId": 1, "sessionDigest": "0x00"}]"#;
        let e = parse_json::<Vec<nexus_sessions_types::ChainDigest>>(digests, &loc())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("arg, at [0].sessionDigest: expected 32 bytes, got 1 at line 1"),
            "{e}"
        );
        let e = parse_json::<Vec<u64>>("[1,", &loc())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("arg: invalid JSON") && e.contains("line 1"),
            "{e}"
        );
    }
}
