#![doc = include_str!("../README.md")]
//!
//! # Where to start
//!
//! | to | use |
//! |---|---|
//! | act as the account's owner: deploy, send calls, install SmartSession, grant and revoke | [`NexusClient`] (built by [`NexusClientBuilder`]) |
//! | act with a session key under a grant | [`SessionKeyClient`] (built by [`SessionKeyClientBuilder`]) |
//! | say what a session key may do | [`PermissionRequest`] of [`ActionPermission`]s; raw policies in [`sessions::policy`] |
//! | hand a grant to the session key's holder | [`sessions::SessionData`] (JSON, no secret) |
//! | name the contracts | [`Deployment`] presets, [`Deployment::local`] |
//! | tune a client | its builder's methods: [`GasConfig`], [`NonceStrategy`], [`ReceiptPolling`], timeouts; [`SendOptions`] per operation |
//! | handle failures | [`Error`]: [`Error::outcome`] says whether the operation may land ([`SendOutcome`]); [`PolicyViolation`] for a local refusal |
//! | count round trips | [`RpcStats`], [`RequestCounts`] |
//! | go a layer down | [`sessions`] (`nexus-sessions-types`: SmartSession types, encodings, digests), [`UserOperation`] (`nexus-sessions-userop`), `nexus-sessions-bundler` (the bundler's JSON-RPC) |
//!
//! # Modules
//!
//! | module | content |
//! |---|---|
//! | [`account`] | bootstrap init data (Nexus 1.0 and 1.2), factory data, counterfactual address |
//! | [`nonce`] | the Nexus nonce key `[3-byte key][mode][validator]` and nonce lanes |
//! | [`execution`] | ERC-7579 execution modes and `execute` calldata |
//! | [`modules`] | install / uninstall calldata, SmartSession install (with the 1.2 safe sender), SentinelList `prev`, `trustAttesters` |
//! | [`delegation`] | EIP-7702: delegation state of an EOA, authorization nonce and signature |
//! | [`erc1271`] | the owner's ERC-1271 message signature (ERC-7739 `PersonalSign`, validator prefix) |
//! | [`multichain`] | one owner signature for several chains: the grant and the per-chain checks |
//! | [`deployment`] | [`Deployment`] and presets |
//! | [`permission`] | [`PermissionRequest`] / [`ActionPermission`] → `Session` |
//! | [`policy_check`] | the local policy pre-check and [`PolicyViolation`] |
//! | [`abi`] | `sol!` interfaces of Nexus, its factory and bootstrap, EntryPoint, registry, ERC-20 |
//!
//! # Features
//!
//! | feature | what |
//! |---|---|
//! | `signer-local` (default) | re-exports alloy's [`PrivateKeySigner`]; the clients take any `alloy_signer::Signer`, so an application whose keys live elsewhere (KMS, HSM, remote signer) can turn it off |
//! | `secp256k1` | re-exports `Secp256k1Signer` (libsecp256k1, C): byte-identical signatures, less CPU |
//! | `rustls` (default) | TLS for `https://` node and bundler URLs (rustls with the `ring` provider) |

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod abi;
pub mod account;
mod client;
pub mod delegation;
pub mod deployment;
mod endpoint;
mod eoa;
pub mod erc1271;
mod error;
pub mod execution;
mod flight;
mod handoff;
mod lanes;
pub mod modules;
pub mod multichain;
mod node;
pub mod nonce;
pub mod permission;
mod permission_state;
pub mod policy_check;
mod request_counter;
mod sender;
mod session_client;
mod settings;
mod sponsor;

pub use account::{
    AccountInit, DefaultValidatorInit, ModuleInit, PreValidationHookInit, SingleValidatorInit,
};
/// alloy's local private-key signer (feature `signer-local`, on by default).
#[cfg(feature = "signer-local")]
#[cfg_attr(docsrs, doc(cfg(feature = "signer-local")))]
pub use alloy_signer_local::PrivateKeySigner;
/// The libsecp256k1-backed local signer (feature `secp256k1`): the same keys, addresses and
/// byte-identical signatures as [`PrivateKeySigner`], in less CPU time.
#[cfg(feature = "secp256k1")]
#[cfg_attr(docsrs, doc(cfg(feature = "secp256k1")))]
pub use alloy_signer_local::Secp256k1Signer;
pub use client::{GrantPermissionResponse, NexusClient, NexusClientBuilder, account_address};
pub use delegation::DelegationState;
pub use deployment::{Deployment, LocalAddresses, PolicyAddresses};
pub use endpoint::{BundlerEndpoint, NodeEndpoint};
pub use eoa::DelegateVia;
pub use error::{Error, SendOutcome};
pub use execution::Call;
pub use modules::ModuleType;
pub use nexus_sessions_bundler::{
    AlloyTransport, BundlerClient, BundlerError, BundlerTransport, Delivery, DeliveryError,
    HttpTransport, PaymasterClient, ReceiptPolling, RequestCounts, UserOperationReceipt,
    redact_url, reqwest,
};
pub use nexus_sessions_types::{NexusVersion, SessionSignatureStyle};
pub use node::DEFAULT_NODE_REQUEST_TIMEOUT;
pub use nonce::{NonceKey, NonceStrategy, ValidationMode};
pub use permission::{ActionPermission, PermissionRequest};
pub use policy_check::{PolicyViolation, ViolatedRule};
pub use request_counter::{RequestCountLayer, RequestCountService};
pub use sender::{DUMMY_ECDSA_SIGNATURE, DynSigner, RpcStats, SendOptions};
pub use session_client::{SessionKeyClient, SessionKeyClientBuilder, signature_style_for};
pub use settings::{DEFAULT_RECEIPT_TIMEOUT, GasConfig};
pub use sponsor::Sponsorship;

pub use nexus_sessions_userop::UserOperation;

/// The bundler client (`nexus-sessions-bundler`), re-exported.
pub use nexus_sessions_bundler as bundler;
/// The Smart Sessions layer (`nexus-sessions-types`), re-exported.
pub use nexus_sessions_types as sessions;
