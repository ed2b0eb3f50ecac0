//! Local ERC-4337 devnet for tests, examples, demos and benchmarks: anvil, the canonical EntryPoint v0.7,
//! Nexus, the SmartSession module, the project's Solidity fixtures and the alto bundler, all from pinned npm
//! packages installed into a git-ignored cache inside the repository.

mod error;
pub mod fixtures;
pub mod toolchain;

pub use error::DevnetError;
pub use fixtures::Fixtures;
pub use toolchain::Toolchain;
