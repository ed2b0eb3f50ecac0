//! Local pre-flight check of calls against a session's own policies.
//!
//! Before a session key pays for a user operation, the client replays what SmartSession and the
//! standard policies would decide, using only what is known locally: the session (actions and
//! policy init data), the time ([`time_frame_now`]) and the consumption this client has tracked.
//! A violation is reported as a [`PolicyViolation`] naming the call, the action, the policy and the
//! parameter, with the expected and actual values.
//!
//! The check is conservative: policies it does not recognise (by address, from the
//! [`Deployment`](crate::Deployment)) or cannot decode are left to the chain, and cumulative limits
//! start from the policy's initial state plus what this client has sent, so consumption by other
//! clients is not seen.
//!
//! The module is split by concern: [`PolicyViolation`] and its parts (what went wrong), the
//! locally tracked [`PolicyUsage`] (what this client has consumed) and [`check_calls`] (the
//! check itself).

mod check;
mod usage;
mod violation;

pub use check::{CheckContext, check_calls, time_frame_now};
pub use usage::PolicyUsage;
pub use violation::{MatchedAction, PolicyKind, PolicyViolation, ViolatedRule};

#[cfg(test)]
mod tests;
