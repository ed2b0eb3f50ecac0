//! An async client for any ERC-4337 bundler (EntryPoint v0.7) over JSON-RPC: HTTP(S) by default
//! ([`HttpTransport`], rustls with the `ring` provider under the default `rustls` feature), or any
//! [`BundlerTransport`] of yours (middleware, another protocol, an in-memory test double).
//!
//! - [`BundlerClient`]: `eth_sendUserOperation`, `eth_estimateUserOperationGas` (with state overrides),
//!   `eth_getUserOperationByHash`, `eth_getUserOperationReceipt`, `eth_supportedEntryPoints`,
//!   `eth_chainId`, `pimlico_getUserOperationGasPrice`, [`BundlerClient::wait_for_receipt`] and
//!   [`BundlerClient::wait_or_resend`].
//! - Exactly-once sending: every error of [`BundlerClient::send_user_operation`] is either "not sent"
//!   ([`BundlerError::is_definitely_not_sent`]) or [`BundlerError::OutcomeUnknown`] with the
//!   userOpHash and the signed operation, which is resent as is (never rebuilt) to settle it.
//!   Every attempt is bounded by a timeout, retried with backoff on transport faults, counted per method
//!   ([`RequestCounts`]) and traced (`bundler_rpc` span: method, attempt, latency).
//! - Lenient wire types ([`GasEstimate`], [`UserOperationReceipt`], ...) that accept the shapes alto,
//!   Rundler and other bundlers send.
//! - [`BundlerError`]: JSON-RPC error classes ([`RpcErrorKind`]), EntryPoint `AAnn` codes ([`AaCode`])
//!   with likely causes, and decoded `FailedOp` revert data ([`FailedOp`], [`RevertReason`]).
//! - Conversions of logs and receipts to alloy's types (`alloy_primitives::Log`,
//!   `alloy_rpc_types_eth::{Log, TransactionReceipt}`) and event decoding ([`Log::decode`],
//!   [`UserOperationReceipt::events`]).
//! - [`PaymasterClient`]: an ERC-7677 paymaster service client (`pm_getPaymasterStubData`,
//!   `pm_getPaymasterData`) with typed answers ([`PaymasterStubData`], [`PaymasterData`]).
//! - [`redact_url`]: endpoint URLs with credentials masked; every Debug, Display and error of this crate
//!   prints URLs through it.
//!
//! ```no_run
//! use nexus_sessions_bundler::BundlerClient;
//! use std::time::Duration;
//! use nexus_sessions_userop::{Address, ENTRY_POINT_V07, UserOperation};
//!
//! # async fn run(op: UserOperation) -> Result<(), nexus_sessions_bundler::BundlerError> {
//! let bundler = BundlerClient::builder("http://127.0.0.1:4337").chain_id(31337).build()?;
//! let hash = bundler.send_user_operation(&op, ENTRY_POINT_V07).await?;
//! let receipt = bundler.wait_for_receipt(hash, Duration::from_secs(30)).await?;
//! if receipt.success {
//!     println!("included in {}", receipt.transaction_hash());
//! } else {
//!     println!("execution reverted: {:?}", receipt.revert_reason());
//! }
//! # Ok(())
//! # }
//! ```

mod aa;
mod alloy_types;
mod client;
mod de;
mod error;
mod metrics;
mod paymaster;
mod polling;
mod redact;
mod revert;
mod send;
mod tls;
mod transport;
mod types;
mod wait;

pub use aa::AaCode;
/// The HTTP client of [`HttpTransport`], re-exported so a custom [`reqwest::Client`] (headers,
/// proxies, root certificates) has the version this crate uses.
pub use alloy_transport_http::reqwest;
pub use alloy_transport_http::reqwest::Url;
pub use client::{BundlerClient, BundlerClientBuilder};
pub use error::{BundlerError, RpcErrorKind};
pub use metrics::RequestCounts;
pub use paymaster::{
    PaymasterClient, PaymasterClientBuilder, PaymasterData, PaymasterStubData, Sponsor,
};
pub use polling::ReceiptPolling;
pub use redact::{RedactedUrl, error_chain_text, redact_url, redact_urls_in};
pub use revert::{FailedOp, RevertReason};
pub use tls::install_tls_provider;
pub use transport::{
    AlloyTransport, BundlerTransport, Delivery, DeliveryError, HttpTransport, TransportFuture,
};
pub use types::{
    GasEstimate, GasPrice, GasPrices, Log, TransactionReceipt, UserOperationByHash,
    UserOperationReceipt,
};

// The README's example is compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
