//! Local ERC-4337 devnet for tests, examples, demos and benchmarks: anvil, the canonical EntryPoint v0.7,
//! Nexus, the SmartSession module, the project's Solidity fixtures and the alto bundler, all from pinned npm
//! packages installed into a git-ignored cache inside the repository.
//!
//! - [`Toolchain`] installs and locates the pinned tools; [`Fixtures`] builds `contracts/`.
//! - [`Devnet::start`] runs everything and returns a handle with the endpoints, [`DevnetAddresses`] and
//!   [`DevnetKeys`]; dropping it stops anvil and alto. A warm start loads a cached anvil state.
//! - [`fault_proxy::FaultProxy`] sits between a client and the devnet's alto and injects bundler
//!   faults (dropped or late answers, HTTP and JSON-RPC errors, broken bodies, wrong ids, refused
//!   connections) for fault tests; [`Devnet::restart_bundler`] restarts alto.
//!   [`DevnetBuilder::start_many`] runs several chains (distinct chain ids, same addresses) as [`Devnets`].
//! - [`OverrideManifest`] (`DEVNET_OVERRIDES`) swaps in other bytecode for the SmartSession, the
//!   validators, the policies, the registry or the Nexus contracts (etched, CREATE, or CREATE2 through
//!   the deterministic deployment proxy to reproduce production addresses); [`Devnet::nexus_version`]
//!   says which Nexus build runs.
//! - [`ForkedDevnet`] forks a live chain (`--fork-url`) with a local alto on top: nothing deployed,
//!   the chain's own contracts run.

mod addresses;
mod alto;
mod anvil;
mod deploy;
mod devnet;
mod error;
pub mod fault_proxy;
pub mod fixtures;
mod fork;
mod keys;
pub mod overrides;
pub mod paymaster_service;
mod plan;
mod process;
mod state_cache;
pub mod toolchain;

pub use addresses::{
    DETERMINISTIC_DEPLOYER, DevnetAddresses, DevnetContract, ENTRY_POINT_V07, REGISTRY,
    SMART_SESSION_MODULEKIT,
};
pub use anvil::CHAIN_ID;
pub use deploy::PAYMASTER_DEPOSIT;
pub use devnet::{
    Devnet, DevnetAccounts, DevnetBuilder, DevnetInfo, Devnets, DevnetsInfo, STATE_CACHE_ENV,
};
pub use error::DevnetError;
pub use fixtures::Fixtures;
pub use fork::{DEFAULT_FORK_HARDFORK, ForkBuilder, ForkInfo, ForkedDevnet};
pub use keys::{DevnetKey, DevnetKeys};
/// The SmartSession and Nexus version types, shared with the encoders in `nexus-sessions-types`.
pub use nexus_sessions_types::{ModuleVersion, NexusVersion};
pub use overrides::{ContractOverride, OVERRIDES_ENV, OverrideManifest};
pub use paymaster_service::PaymasterService;
pub use toolchain::Toolchain;

// The README's example is compiled as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
