//! Async ERC-4337 bundler JSON-RPC client with tolerant wire types and typed errors.
