//! A fuzz harness on stable Rust over every public decoder of the workspace, and hostile-input builders.
//!
//! | module | content |
//! |---|---|
//! | [`hostile`] | crafted encodings (ABI offset aliasing) that must be refused cheaply |

pub mod hostile;
