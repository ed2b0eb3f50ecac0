//! Building the Solidity fixtures in `contracts/` with forge and reading their artifacts.

/// Built fixture artifacts (filled in by the fixtures work).
#[derive(Debug, Clone)]
pub struct Fixtures {}
