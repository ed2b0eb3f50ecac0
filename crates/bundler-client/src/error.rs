//! The crate's single error type and the ERC-4337 JSON-RPC error classes.

use crate::{AaCode, FailedOp};
use alloy_primitives::{B256, Bytes};
use core::{fmt, time::Duration};
use nexus_sessions_userop::UserOperation;

/// The class of a JSON-RPC error code, per ERC-7769 (bundler RPC) and JSON-RPC 2.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RpcErrorKind {
    /// -32700: the bundler could not parse the request.
    ParseError,
    /// -32600: the request object is invalid.
    InvalidRequest,
    /// -32601: the bundler does not offer the method.
    MethodNotFound,
    /// -32602: invalid fields (also used by some bundlers for "already known").
    InvalidParams,
    /// -32603: internal bundler error.
    Internal,
    /// -32500: rejected by the EntryPoint's validation (account creation or `validateUserOp`).
    ValidationRejected,
    /// -32501: rejected by the paymaster's `validatePaymasterUserOp`.
    PaymasterRejected,
    /// -32502: a forbidden opcode was used during validation.
    BannedOpcode,
    /// -32503: out of the validity time range (or expires too soon).
    OutOfTimeRange,
    /// -32504: the paymaster, factory or aggregator is throttled or banned.
    ThrottledOrBanned,
    /// -32505: a staked entity's stake or unstake delay is too low.
    StakeTooLow,
    /// -32506: unsupported signature aggregator.
    UnsupportedAggregator,
    /// -32507: the account's or paymaster's signature check failed.
    InvalidSignature,
    /// -32508: the paymaster's deposit cannot cover its pending operations.
    PaymasterDepositTooLow,
    /// -32521: the operation reverted during execution (or estimation).
    ExecutionReverted,
    /// Any other code.
    Other,
}

impl RpcErrorKind {
    /// Classifies a JSON-RPC error code.
    pub const fn from_code(code: i64) -> Self {
        match code {
            -32700 => Self::ParseError,
            -32600 => Self::InvalidRequest,
            -32601 => Self::MethodNotFound,
            -32602 => Self::InvalidParams,
            -32603 => Self::Internal,
            -32500 => Self::ValidationRejected,
            -32501 => Self::PaymasterRejected,
            -32502 => Self::BannedOpcode,
            -32503 => Self::OutOfTimeRange,
            -32504 => Self::ThrottledOrBanned,
            -32505 => Self::StakeTooLow,
            -32506 => Self::UnsupportedAggregator,
            -32507 => Self::InvalidSignature,
            -32508 => Self::PaymasterDepositTooLow,
            -32521 => Self::ExecutionReverted,
            _ => Self::Other,
        }
    }

    /// A short description of the class.
    pub const fn description(self) -> &'static str {
        match self {
            Self::ParseError => "the bundler could not parse the request",
            Self::InvalidRequest => "invalid JSON-RPC request",
            Self::MethodNotFound => "the bundler does not support this method",
            Self::InvalidParams => "invalid parameters",
            Self::Internal => "internal bundler error",
            Self::ValidationRejected => "rejected during account validation",
            Self::PaymasterRejected => "rejected by the paymaster",
            Self::BannedOpcode => "validation used a banned opcode or storage access",
            Self::OutOfTimeRange => "outside its validity time range",
            Self::ThrottledOrBanned => "an entity (paymaster/factory) is throttled or banned",
            Self::StakeTooLow => "an entity's stake is too low",
            Self::UnsupportedAggregator => "unsupported signature aggregator",
            Self::InvalidSignature => "signature check failed",
            Self::PaymasterDepositTooLow => "paymaster deposit too low",
            Self::ExecutionReverted => "execution reverted",
            Self::Other => "bundler error",
        }
    }
}

/// Everything that can go wrong talking to a bundler.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundlerError {
    /// The bundler answered with a JSON-RPC error.
    #[error("{}", RpcDisplay { method, code: *code, message, kind: *kind, aa: *aa, inner_revert: inner_revert.as_ref() })]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i64,
        /// The bundler's message.
        message: String,
        /// The error's `data` member, as sent.
        data: Option<Box<serde_json::Value>>,
        /// The class of `code`.
        kind: RpcErrorKind,
        /// The EntryPoint `AAnn` code found in the message or the revert data.
        aa: Option<AaCode>,
        /// `FailedOp` / `FailedOpWithRevert` decoded from `data`, when present.
        failed_op: Option<Box<FailedOp>>,
        /// The account's or paymaster's own revert bytes: `FailedOpWithRevert.inner`, other revert data
        /// in `data`, or a hex token quoted after "revert…" in the message (alto writes
        /// `"AA23 reverted 0x3b577361…"`).
        inner_revert: Option<Bytes>,
    },
    /// The bundler could not be reached or answered with an HTTP error, after all retries.
    #[error(
        "{method}: {} unreachable after {attempts} attempt(s): {message}",
        peer(method)
    )]
    Transport {
        /// The JSON-RPC method.
        method: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The HTTP status, if the bundler answered with one.
        status: Option<u16>,
        /// What the transport reported.
        message: String,
    },
    /// A call did not complete within the request timeout, after all retries.
    #[error(
        "{method}: no answer within {timeout:?} after {attempts} attempt(s); raise the request timeout or check the bundler"
    )]
    Timeout {
        /// The JSON-RPC method.
        method: &'static str,
        /// The per-attempt timeout.
        timeout: Duration,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The bundler answered something this client cannot read (malformed JSON, wrong shape, `null`).
    #[error(
        "{method}: unreadable answer from the {}: {message} (body: {body})",
        peer(method)
    )]
    InvalidResponse {
        /// The JSON-RPC method.
        method: &'static str,
        /// What was wrong.
        message: String,
        /// The offending text, shortened to 300 characters.
        body: String,
    },
    /// The answer carries another JSON-RPC id than the request: it belongs to some other request
    /// (a confused proxy or load balancer), so it says nothing about this one.
    #[error("{method}: the answer has JSON-RPC id {received}, the request had {expected}")]
    IdMismatch {
        /// The JSON-RPC method.
        method: &'static str,
        /// The request's id.
        expected: u64,
        /// The answer's id, as sent (shortened).
        received: String,
    },
    /// `eth_sendUserOperation` may have reached the bundler but did not say whether it took the
    /// operation (answer lost, timed out, unreadable, or an error that proves nothing), and looking
    /// the operation up within [`send_lookup`](crate::BundlerClientBuilder::send_lookup) did not
    /// settle it. The operation **may still land**: do not build a new one for the same intent;
    /// resend this very operation ([`BundlerClient::send_user_operation`](crate::BundlerClient::send_user_operation)
    /// again, safe because its nonce can be used once) or wait for `hash`
    /// ([`BundlerClient::wait_or_resend`](crate::BundlerClient::wait_or_resend) does both).
    #[error(
        "eth_sendUserOperation: outcome unknown for user operation {hash} (it may still land; resend the same signed operation or wait for its receipt, never build a new one for this intent): {cause}"
    )]
    OutcomeUnknown {
        /// The userOpHash (computed locally).
        hash: B256,
        /// The signed operation, to resend as is.
        user_operation: Box<UserOperation>,
        /// The last fault seen.
        cause: Box<Self>,
    },
    /// No receipt arrived within the caller's timeout; the operation may still be included later.
    #[error(
        "no receipt for user operation {hash} after {waited:?}; it may still be pending (fees too low?) or dropped"
    )]
    ReceiptTimeout {
        /// The userOpHash waited for.
        hash: B256,
        /// How long the client polled.
        waited: Duration,
    },
    /// A receipt lacks a field the conversion to alloy's receipt type needs (the bundler left it out).
    #[error(
        "the bundle transaction's receipt has no `{field}`, which alloy's receipt type requires"
    )]
    IncompleteReceipt {
        /// The missing JSON field.
        field: &'static str,
    },
    /// The bundler URL could not be parsed or uses a scheme this build cannot speak.
    #[error("invalid bundler URL {url:?}: {message}")]
    InvalidUrl {
        /// The URL as given, with credentials masked ([`crate::redact_url`]).
        url: String,
        /// The parser's message.
        message: String,
    },
    /// The operation is inconsistent or could not be converted.
    #[error(transparent)]
    UserOperation(#[from] nexus_sessions_userop::Error),
}

impl BundlerError {
    /// The `AAnn` code, for a JSON-RPC error that carries one.
    pub fn aa_code(&self) -> Option<AaCode> {
        match self {
            Self::Rpc { aa, .. } => *aa,
            _ => None,
        }
    }

    /// The JSON-RPC error code, for a JSON-RPC error.
    pub fn rpc_code(&self) -> Option<i64> {
        match self {
            Self::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The decoded `FailedOp`, when the bundler relayed EntryPoint revert data.
    pub fn failed_op(&self) -> Option<&FailedOp> {
        match self {
            Self::Rpc { failed_op, .. } => failed_op.as_deref(),
            _ => None,
        }
    }

    /// The account's or paymaster's own revert bytes (from `FailedOpWithRevert`, the error data, or
    /// quoted in the message), for decoding module errors such as SmartSession policy violations upstream.
    pub fn inner_revert(&self) -> Option<&Bytes> {
        match self {
            Self::Rpc { inner_revert, .. } => inner_revert.as_ref(),
            _ => None,
        }
    }

    /// For an error of [`BundlerClient::send_user_operation`](crate::BundlerClient::send_user_operation):
    /// whether the operation certainly did not reach the bundler's mempool — a typed rejection of the
    /// first attempt that got an answer, a refused connection, a local check. `false` for
    /// [`BundlerError::OutcomeUnknown`] and for errors of receipt waiting (the operation was sent).
    ///
    /// An operation that was not sent can be rebuilt or abandoned; one whose outcome is unknown must
    /// be resent as is.
    pub fn is_definitely_not_sent(&self) -> bool {
        match self {
            Self::OutcomeUnknown { .. } | Self::ReceiptTimeout { .. } => false,
            Self::Rpc { method, .. }
            | Self::Transport { method, .. }
            | Self::Timeout { method, .. }
            | Self::InvalidResponse { method, .. }
            | Self::IdMismatch { method, .. } => !is_lookup_method(method),
            Self::InvalidUrl { .. } | Self::IncompleteReceipt { .. } | Self::UserOperation(_) => {
                true
            }
        }
    }

    /// For [`BundlerError::OutcomeUnknown`]: the userOpHash and the signed operation to resend.
    pub fn unknown_outcome(&self) -> Option<(B256, &UserOperation)> {
        match self {
            Self::OutcomeUnknown {
                hash,
                user_operation,
                ..
            } => Some((*hash, user_operation)),
            _ => None,
        }
    }

    /// Whether this JSON-RPC error proves that the bundler refused the request: a validation or
    /// simulation rejection (`AAnn`, -32500..-32508, -32521) or a malformed request (-32600..-32602,
    /// -32700). Internal and unclassified errors prove nothing: a gateway may report them after
    /// forwarding.
    pub fn is_rejection(&self) -> bool {
        match self {
            Self::Rpc { aa: Some(_), .. } => true,
            Self::Rpc { kind, .. } => !matches!(kind, RpcErrorKind::Internal | RpcErrorKind::Other),
            _ => false,
        }
    }

    /// Whether the bundler says it already has this operation ("already known" / "already in mempool").
    pub fn is_already_known(&self) -> bool {
        match self {
            Self::Rpc { message, .. } => {
                let lower = message.to_ascii_lowercase();
                lower.contains("already known")
                    || lower.contains("alreadyknown")
                    || lower.contains("already in mempool")
            }
            _ => false,
        }
    }
}

/// Who answers `method`: the ERC-7677 `pm_*` methods go to a paymaster service, the rest to the bundler.
fn peer(method: &str) -> &'static str {
    if method.starts_with("pm_") {
        "paymaster service"
    } else {
        "bundler"
    }
}

/// Methods that only look an operation up (receipt waiting): their errors come after a send.
fn is_lookup_method(method: &str) -> bool {
    matches!(
        method,
        "eth_getUserOperationReceipt" | "eth_getUserOperationByHash"
    )
}

/// One actionable line for a JSON-RPC error.
struct RpcDisplay<'a> {
    method: &'a str,
    code: i64,
    message: &'a str,
    kind: RpcErrorKind,
    aa: Option<AaCode>,
    inner_revert: Option<&'a Bytes>,
}

impl fmt::Display for RpcDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.aa {
            Some(aa) => write!(f, "{}: {aa}: {}", self.method, aa.explanation())?,
            None => write!(f, "{}: {}", self.method, self.kind.description())?,
        }
        // The message is free text from the bundler: keep the line single.
        let message: String = self
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        write!(
            f,
            " ({} said {message:?}, code {}",
            peer(self.method),
            self.code
        )?;
        if let Some(inner) = self.inner_revert {
            write!(f, ", inner revert {inner}")?;
        }
        f.write_str(")")
    }
}
