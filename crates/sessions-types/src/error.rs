//! The crate's single error type.

use alloy_primitives::{Address, U256};

use crate::{ModuleVersion, SmartSessionMode, flz::FlzError};

/// Everything that can go wrong while building, encoding or decoding Smart Sessions data.
///
/// Each variant says what was wrong and, where it applies, where (which rule, which index, which field).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- sessions -------------------------------------------------------------------------
    /// A session needs a session validator (SmartSession rejects `address(0)`).
    #[error(
        "session has no session validator (SmartSession rejects address(0) with InvalidISessionValidator)"
    )]
    MissingSessionValidator,
    /// An action targets `address(0)`, which SmartSession rejects with `InvalidActionId`.
    #[error("action #{index} targets address(0); SmartSession rejects it with InvalidActionId")]
    ZeroActionTarget {
        /// Index of the action in the session.
        index: usize,
    },
    /// A policy entry has `address(0)` as its policy contract.
    #[error("{list} policy #{index} has policy address(0)")]
    ZeroPolicyAddress {
        /// Which list ("userOp", "erc1271", "action #N").
        list: String,
        /// Index in that list.
        index: usize,
    },
    /// The session uses a field or layout that the target module version cannot express.
    #[error("session cannot be encoded for SmartSession {version}: {reason}")]
    VersionMismatch {
        /// The target version.
        version: ModuleVersion,
        /// What does not fit.
        reason: &'static str,
    },

    // ----- policies -------------------------------------------------------------------------
    /// The universal action policy holds at most 16 parameter rules.
    #[error("universal action policy takes at most 16 parameter rules, got {count}")]
    TooManyParamRules {
        /// Number of rules given.
        count: usize,
    },
    /// An IN_RANGE rule whose minimum is above its maximum.
    #[error("param rule #{index}: IN_RANGE minimum {min} is greater than maximum {max}")]
    InvalidRange {
        /// Rule index.
        index: usize,
        /// Lower bound.
        min: U256,
        /// Upper bound.
        max: U256,
    },
    /// An IN_RANGE bound that does not fit the 128 bits the policy reserves for it.
    #[error("IN_RANGE {bound} bound {value} does not fit uint128")]
    RangeBoundTooLarge {
        /// "min" or "max".
        bound: &'static str,
        /// The value.
        value: U256,
    },
    /// A time value above the uint48 range the TimeFramePolicy stores.
    #[error("{field} = {value} does not fit uint48 (max 281474976710655)")]
    Uint48Overflow {
        /// `validUntil` or `validAfter`.
        field: &'static str,
        /// The value given.
        value: u64,
    },
    /// `validAfter > validUntil` while `validUntil` is set: the session would never be valid.
    #[error("time frame: validAfter {valid_after} is later than validUntil {valid_until}")]
    InvalidTimeFrame {
        /// End of the window.
        valid_until: u64,
        /// Start of the window.
        valid_after: u64,
    },
    /// UsageLimitPolicy rejects a zero limit.
    #[error("usage limit must be greater than zero")]
    ZeroUsageLimit,
    /// ERC-20 spending limits need at least one token.
    #[error("spending limits need at least one (token, limit) pair")]
    EmptySpendingLimits,
    /// Token and limit lists of different lengths.
    #[error("spending limits: {tokens} tokens but {limits} limits")]
    SpendingLimitsLengthMismatch {
        /// Number of tokens.
        tokens: usize,
        /// Number of limits.
        limits: usize,
    },
    /// A spending limit for `address(0)` (the policy reverts `InvalidTokenAddress`).
    #[error(
        "spending limit #{index}: token is address(0) (the policy reverts InvalidTokenAddress)"
    )]
    ZeroTokenAddress {
        /// Pair index.
        index: usize,
    },
    /// A zero spending limit (the policy reverts `InvalidLimit`).
    #[error(
        "spending limit #{index} for token {token}: limit is zero (the policy reverts InvalidLimit)"
    )]
    ZeroSpendingLimit {
        /// Pair index.
        index: usize,
        /// The token.
        token: Address,
    },
    /// Policy init data of the wrong size.
    #[error("{policy} init data must be {expected} bytes, got {actual}")]
    InitDataLength {
        /// Policy name.
        policy: &'static str,
        /// Expected byte length.
        expected: usize,
        /// Actual byte length.
        actual: usize,
    },
    /// A decoded value is outside what the encoder would accept.
    #[error("{what}: {reason}")]
    InvalidField {
        /// Which value.
        what: &'static str,
        /// Why it is invalid.
        reason: String,
    },

    // ----- session validator ----------------------------------------------------------------
    /// OwnableValidator threshold of zero.
    #[error("OwnableValidator threshold must be at least 1")]
    ZeroThreshold,
    /// OwnableValidator threshold above the number of owners.
    #[error("OwnableValidator threshold {threshold} exceeds the number of owners ({owners})")]
    ThresholdExceedsOwners {
        /// Threshold.
        threshold: u64,
        /// Number of owners.
        owners: usize,
    },
    /// The same owner listed twice (the validator needs strictly ascending owners).
    #[error("OwnableValidator owner {0} is listed twice")]
    DuplicateOwner(Address),
    /// `address(0)` as an owner can never sign.
    #[error("OwnableValidator owner list contains address(0)")]
    ZeroOwner,
    /// Too many owners for SmartSession's 320-byte FlatBytes validator config storage.
    #[error(
        "{count} OwnableValidator owners need {bytes} bytes of init data; SmartSession {version} stores at most \
         {max} owners safely (FlatBytes holds 320 bytes, and the pinned FlatBytes writes an 11th slot when the \
         data is exactly 320 bytes = 7 owners)"
    )]
    TooManyOwners {
        /// Owners given.
        count: usize,
        /// Resulting init data size.
        bytes: usize,
        /// Maximum accepted.
        max: usize,
        /// Target version.
        version: ModuleVersion,
    },

    /// A known session validator does not accept the session key's signature style: every
    /// operation would fail with AA24.
    #[error(
        "session validator {validator} does not accept {style} session-key signatures (it accepts: {accepted}); every operation would fail with AA24"
    )]
    SignatureStyleRejected {
        /// The style asked for.
        style: crate::SessionSignatureStyle,
        /// The session validator.
        validator: Address,
        /// The styles it accepts.
        accepted: String,
    },

    // ----- signatures / ABI -----------------------------------------------------------------
    /// An empty userOp signature.
    #[error("smart session signature is empty")]
    EmptySignature,
    /// A first byte that is not a SmartSession mode.
    #[error(
        "invalid smart session mode byte 0x{0:02x} (expected 0x00 USE, 0x01 ENABLE or 0x02 UNSAFE_ENABLE)"
    )]
    InvalidMode(u8),
    /// A mode that is not allowed in this position.
    #[error("mode {mode} is not allowed here: {reason}")]
    ModeNotAllowed {
        /// The mode.
        mode: SmartSessionMode,
        /// Why.
        reason: &'static str,
    },
    /// Input shorter than its fixed-size part.
    #[error("{what} is truncated: needs at least {expected} bytes, got {actual}")]
    Truncated {
        /// What was being decoded.
        what: &'static str,
        /// Minimum length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// Malformed FastLZ stream.
    #[error("{what}: bad FastLZ compression: {source}")]
    Decompression {
        /// What was being decompressed.
        what: &'static str,
        /// The FastLZ error.
        #[source]
        source: FlzError,
    },
    /// Malformed ABI data.
    #[error("{what}: invalid ABI encoding: {source}")]
    Abi {
        /// What was being decoded.
        what: &'static str,
        /// The decoder error.
        #[source]
        source: alloy_sol_types::Error,
    },
    /// ABI data followed by bytes that are not part of the value.
    #[error("{what}: {extra} trailing bytes after the ABI-encoded value")]
    TrailingBytes {
        /// What was being decoded.
        what: &'static str,
        /// Number of extra bytes.
        extra: usize,
    },
    /// ABI data that decodes but is not the canonical encoding (re-encoding gives other bytes).
    #[error(
        "{what}: ABI encoding is not canonical (offsets or padding differ from the standard encoding)"
    )]
    NonCanonicalAbi {
        /// What was being decoded.
        what: &'static str,
    },
    /// ABI data whose offsets or lengths are impossible or not where the canonical encoding puts them
    /// (offset aliasing, gaps, a length the input cannot hold). Checked before decoding allocates anything.
    #[error("{what}: invalid ABI layout at byte {position}: {reason}")]
    AbiLayout {
        /// What was being decoded.
        what: &'static str,
        /// Byte position of the offending offset or length word in the decoded payload.
        position: usize,
        /// What is wrong there.
        reason: String,
    },
    /// Index into `hashesAndChainIds` out of range.
    #[error("chainDigestIndex {index} is out of range for {len} chain digests")]
    ChainDigestIndexOutOfRange {
        /// The index.
        index: u8,
        /// Number of digests.
        len: usize,
    },
    /// A chain id above u64.
    #[error("chain id {0} does not fit uint64")]
    ChainIdTooLarge(String),

    // ----- JSON -----------------------------------------------------------------------------
    /// Malformed JSON (SessionData, Session files).
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Malformed JSON, with where: the JSON path of the bad value (`actions[0].actionTarget`; empty for
    /// the document itself or a syntax error). `source` holds the message and, for text input, the line and
    /// column ([`crate::json::from_str`]).
    #[error("invalid JSON{}: {source}", if path.is_empty() { String::new() } else { format!(" at {path}") })]
    JsonAt {
        /// The JSON path of the bad value.
        path: String,
        /// What was wrong, with line and column for text input.
        #[source]
        source: serde_json::Error,
    },
    /// A malformed text value: hex, address, number (see [`crate::json::hex`], [`crate::json::number`]).
    #[error("{0}")]
    Parse(String),
    /// Unknown module version name.
    #[error(
        "unknown SmartSession module version {0:?} (expected \"pre-v1\", \"v1\" or \"v1-registry-free\")"
    )]
    UnknownModuleVersion(String),
}

/// Shorthand for results with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
