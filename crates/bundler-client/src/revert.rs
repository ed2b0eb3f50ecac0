//! Decoding of EntryPoint and account revert data.

use crate::AaCode;
use alloy_primitives::{Bytes, U256};
use alloy_sol_types::{Panic, Revert, SolError};
use core::fmt;
use nexus_sessions_userop::abi::IEntryPoint;
use serde_json::Value;

/// A decoded `FailedOp(uint256,string)` or `FailedOpWithRevert(uint256,string,bytes)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedOp {
    /// Index of the failing operation in the bundle.
    pub op_index: U256,
    /// The EntryPoint's reason, starting with an `AAnn` code.
    pub reason: String,
    /// The revert data of the account or paymaster call (`FailedOpWithRevert` only). Upper layers decode
    /// module errors (e.g. SmartSession policy violations) from it.
    pub inner: Option<Bytes>,
}

impl FailedOp {
    /// Decodes `FailedOp` / `FailedOpWithRevert` revert data; `None` for anything else.
    pub fn decode(data: &[u8]) -> Option<Self> {
        if let Ok(e) = IEntryPoint::FailedOpWithRevert::abi_decode(data) {
            return Some(Self {
                op_index: e.opIndex,
                reason: e.reason,
                inner: Some(e.inner),
            });
        }
        IEntryPoint::FailedOp::abi_decode(data).ok().map(|e| Self {
            op_index: e.opIndex,
            reason: e.reason,
            inner: None,
        })
    }

    /// The `AAnn` code in the reason.
    pub fn aa_code(&self) -> Option<AaCode> {
        AaCode::find_in(&self.reason)
    }
}

impl fmt::Display for FailedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FailedOp(op {}, \"{}\"", self.op_index, self.reason)?;
        if let Some(inner) = &self.inner {
            write!(f, ", inner {inner}")?;
        }
        f.write_str(")")
    }
}

/// Why an operation's execution (or an RPC call) reverted, decoded where possible.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevertReason {
    /// A text reason: `Error(string)` data, or a bundler's plain-text `reason`.
    Message(String),
    /// `Panic(uint256)` with its code (0x11 overflow, 0x12 division by zero, ...).
    Panic(U256),
    /// An EntryPoint `FailedOp` / `FailedOpWithRevert`.
    FailedOp(FailedOp),
    /// Revert data this crate cannot decode (e.g. a module's custom error); decode it upstream.
    Raw(Bytes),
}

impl RevertReason {
    /// Decodes revert data.
    pub fn decode(data: &[u8]) -> Self {
        if let Ok(revert) = Revert::abi_decode(data) {
            return Self::Message(revert.reason);
        }
        if let Ok(panic) = Panic::abi_decode(data) {
            return Self::Panic(panic.code);
        }
        if let Some(failed) = FailedOp::decode(data) {
            return Self::FailedOp(failed);
        }
        Self::Raw(Bytes::copy_from_slice(data))
    }

    /// Interprets a bundler's `reason` field, which is either text or `0x`-hex revert data.
    pub fn from_reason_field(reason: &str) -> Option<Self> {
        let trimmed = reason.trim();
        if trimmed.is_empty() || trimmed == "0x" {
            return None;
        }
        match hex_bytes(trimmed) {
            Some(bytes) => Some(Self::decode(&bytes)),
            None => Some(Self::Message(trimmed.to_owned())),
        }
    }

    /// The raw revert bytes, when the reason came from revert data that was not decoded.
    pub fn raw(&self) -> Option<&Bytes> {
        match self {
            Self::Raw(bytes) => Some(bytes),
            Self::FailedOp(FailedOp {
                inner: Some(bytes), ..
            }) => Some(bytes),
            _ => None,
        }
    }
}

impl fmt::Display for RevertReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(message) => write!(f, "\"{message}\""),
            Self::Panic(code) => write!(f, "Panic({code:#x})"),
            Self::FailedOp(failed) => failed.fmt(f),
            Self::Raw(bytes) if bytes.len() >= 4 => write!(
                f,
                "custom error {} ({} bytes)",
                &bytes[..4]
                    .iter()
                    .fold(String::from("0x"), |s, b| s + &format!("{b:02x}")),
                bytes.len()
            ),
            Self::Raw(bytes) => write!(f, "revert data {bytes}"),
        }
    }
}

/// `0x`-hex text as bytes; `None` if it is not hex.
pub(crate) fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x")?;
    alloy_primitives::hex::decode(digits).ok()
}

/// Finds revert data in a JSON-RPC error's `data`: a hex string, or a hex string under a key bundlers
/// use (`revertData`, `data`, `reason`, `inner`), one level deep.
pub(crate) fn revert_data_in(data: &Value) -> Option<Vec<u8>> {
    match data {
        Value::String(s) => hex_bytes(s).filter(|b| !b.is_empty()),
        Value::Object(map) => ["revertData", "data", "reason", "inner", "revert"]
            .iter()
            .filter_map(|k| map.get(*k))
            .find_map(|v| v.as_str().and_then(hex_bytes).filter(|b| !b.is_empty())),
        _ => None,
    }
}

/// Revert data quoted in a bundler's message after the word "revert…", as alto writes
/// `"... AA23 reverted 0x3b577361…"`: the first `0x` token there holding at least a 4-byte selector.
pub(crate) fn revert_data_in_message(message: &str) -> Option<Bytes> {
    let start = message.to_ascii_lowercase().find("revert")?;
    message[start..]
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '\'' | ':' | '[' | ']')
        })
        .filter_map(|token| token.strip_prefix("0x"))
        .find_map(|digits| {
            alloy_primitives::hex::decode(digits)
                .ok()
                .filter(|b| b.len() >= 4)
        })
        .map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolError;

    #[test]
    fn decodes_failed_op_with_revert_and_exposes_inner() {
        let inner = Bytes::from(vec![0xde, 0xad, 0xbe, 0xef, 1, 2]);
        let data = IEntryPoint::FailedOpWithRevert {
            opIndex: U256::ZERO,
            reason: "AA23 reverted".into(),
            inner: inner.clone(),
        }
        .abi_encode();
        let failed = FailedOp::decode(&data).unwrap();
        assert_eq!(failed.aa_code(), Some(AaCode::AA23));
        assert_eq!(failed.inner.as_ref(), Some(&inner));
        assert_eq!(RevertReason::decode(&data).raw(), Some(&inner));
    }

    #[test]
    fn finds_revert_data_quoted_in_messages() {
        let alto = "UserOperation reverted during simulation with reason: AA23 reverted 0x3b577361aa5b84b7";
        assert_eq!(
            revert_data_in_message(alto),
            Some(Bytes::from(vec![
                0x3b, 0x57, 0x73, 0x61, 0xaa, 0x5b, 0x84, 0xb7
            ]))
        );
        assert_eq!(
            revert_data_in_message("AA23 reverted (0x8badf00d)"),
            Some(Bytes::from(vec![0x8b, 0xad, 0xf0, 0x0d]))
        );
        for none in [
            "AA23 reverted",
            "AA23 reverted 0x12",
            "AA23 reverted 0xzzzzzzzz",
            "hex 0x8badf00d before the word revert",
            "AA23 reverted 0x123",
        ] {
            assert_eq!(revert_data_in_message(none), None, "{none}");
        }
    }

    #[test]
    fn decodes_standard_reverts_and_keeps_unknown_data() {
        let data = Revert::from("nope").abi_encode();
        assert_eq!(
            RevertReason::decode(&data),
            RevertReason::Message("nope".into())
        );
        let data = Panic::from(0x11).abi_encode();
        assert_eq!(
            RevertReason::decode(&data),
            RevertReason::Panic(U256::from(0x11))
        );
        assert_eq!(
            RevertReason::decode(&[1, 2, 3, 4, 5]),
            RevertReason::Raw(Bytes::from(vec![1, 2, 3, 4, 5]))
        );
        assert_eq!(
            RevertReason::from_reason_field("AA23 reverted"),
            Some(RevertReason::Message("AA23 reverted".into()))
        );
        assert_eq!(RevertReason::from_reason_field("0x"), None);
        assert_eq!(
            RevertReason::from_reason_field("0x01020304"),
            Some(RevertReason::Raw(Bytes::from(vec![1, 2, 3, 4])))
        );
    }
}
