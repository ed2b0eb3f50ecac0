//! Nexus smart accounts and Smart Sessions actions (grant, use, revoke) over a bundler.
