//! What a violation is: the policy kind, the matched action and the violated rule.

use crate::deployment::PolicyAddresses;
use alloy_primitives::{Address, FixedBytes, U256};
use nexus_sessions_types::{ActionId, policy::ParamCondition};
use std::fmt;

/// Which of the standard policies a policy address is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// SudoPolicy.
    Sudo,
    /// UniActionPolicy.
    UniversalAction,
    /// TimeFramePolicy.
    TimeFrame,
    /// UsageLimitPolicy.
    UsageLimit,
    /// ValueLimitPolicy.
    ValueLimit,
    /// ERC20SpendingLimitPolicy.
    SpendingLimits,
}

impl PolicyKind {
    /// Classifies `policy` by the deployment's policy addresses.
    pub fn of(policy: Address, addresses: &PolicyAddresses) -> Option<Self> {
        [
            (addresses.sudo, Self::Sudo),
            (addresses.universal_action, Self::UniversalAction),
            (addresses.time_frame, Self::TimeFrame),
            (addresses.usage_limit, Self::UsageLimit),
            (addresses.value_limit, Self::ValueLimit),
            (addresses.spending_limits, Self::SpendingLimits),
        ]
        .into_iter()
        .find(|(a, _)| *a == policy && !a.is_zero())
        .map(|(_, k)| k)
    }

    /// The contract name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sudo => "SudoPolicy",
            Self::UniversalAction => "UniActionPolicy",
            Self::TimeFrame => "TimeFramePolicy",
            Self::UsageLimit => "UsageLimitPolicy",
            Self::ValueLimit => "ValueLimitPolicy",
            Self::SpendingLimits => "ERC20SpendingLimitPolicy",
        }
    }
}

/// The action a call was matched to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchedAction {
    /// The action's target (`address(1)` for the fallback action).
    pub target: Address,
    /// The action's selector (`0x00000001` for the fallback action).
    pub selector: FixedBytes<4>,
    /// `keccak256(target ‖ selector)`.
    pub action_id: ActionId,
    /// True when the call fell through to the fallback action.
    pub fallback: bool,
}

/// What exactly was violated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViolatedRule {
    /// Neither an action for the call's (target, selector) nor a fallback action has policies
    /// (SmartSession: `NoPoliciesSet`).
    NoActionForCall {
        /// The call's target.
        target: Address,
        /// The call's selector (`0xffffffff` for data shorter than 4 bytes).
        selector: FixedBytes<4>,
    },
    /// A session call to the account's own `execute` (SmartSession: `InvalidSelfCall`).
    SelfCall,
    /// A call to `address(1)` (SmartSession: `InvalidTarget`).
    InvalidTarget,
    /// A UniActionPolicy argument rule does not hold.
    ParamRule {
        /// Index of the rule in the action config.
        rule_index: usize,
        /// The comparison.
        condition: ParamCondition,
        /// Byte offset of the argument after the selector.
        offset: u64,
        /// The reference value (for `InRange`: `min << 128 | max`).
        expected: U256,
        /// The call's argument.
        actual: U256,
    },
    /// A UniActionPolicy rule reads past the end of the call data.
    CallDataTooShort {
        /// Index of the rule.
        rule_index: usize,
        /// Bytes the rule needs (`36 + offset`).
        needed: usize,
        /// Bytes the call data has.
        actual: usize,
    },
    /// A usage-limited UniActionPolicy rule would exceed its cumulative limit.
    ParamUsageLimit {
        /// Index of the rule.
        rule_index: usize,
        /// The rule's limit.
        limit: U256,
        /// Already used (initial `used` plus what this client sent).
        used: U256,
        /// This call's argument.
        requested: U256,
    },
    /// The call's value exceeds the UniActionPolicy per-use value limit.
    ValueLimitPerUse {
        /// The limit.
        limit: U256,
        /// The call's value.
        value: U256,
    },
    /// ValueLimitPolicy: cumulative value would exceed the limit.
    ValueLimit {
        /// The limit.
        limit: U256,
        /// Already spent as tracked.
        used: U256,
        /// This operation's value.
        requested: U256,
    },
    /// UsageLimitPolicy: no uses left.
    UsageLimit {
        /// The limit.
        limit: u128,
        /// Uses so far as tracked (including earlier calls of this batch).
        used: u128,
    },
    /// TimeFramePolicy: the time is outside the window.
    TimeFrame {
        /// Window start (0 = none).
        valid_after: u64,
        /// Window end (0 = none).
        valid_until: u64,
        /// The time checked ([`time_frame_now`](super::time_frame_now): the later of the latest
        /// block and the wall clock).
        now: u64,
    },
    /// ERC20SpendingLimitPolicy: the call is not `transfer`, `approve` or `transferFrom` with value 0.
    SpendingLimitUnsupportedCall {
        /// The call's selector.
        selector: FixedBytes<4>,
    },
    /// ERC20SpendingLimitPolicy: the token has no limit in this session.
    TokenNotAllowed {
        /// The token (the call's target).
        token: Address,
    },
    /// ERC20SpendingLimitPolicy: cumulative amount would exceed the limit.
    SpendingLimit {
        /// The token.
        token: Address,
        /// The limit.
        limit: U256,
        /// Already spent as tracked.
        spent: U256,
        /// This call's amount.
        requested: U256,
    },
}

/// A call the session's policies would reject, with everything needed to explain why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyViolation {
    /// Index of the offending call in the operation; `None` for a user-operation policy.
    pub call_index: Option<usize>,
    /// The action the call was matched to.
    pub action: Option<MatchedAction>,
    /// The policy contract.
    pub policy: Option<Address>,
    /// The kind of policy, when recognised.
    pub policy_kind: Option<PolicyKind>,
    /// The violated rule.
    pub rule: ViolatedRule,
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.call_index {
            Some(i) => write!(f, "call #{i}")?,
            None => f.write_str("user operation")?,
        }
        if let Some(a) = &self.action {
            if a.fallback {
                write!(f, " (fallback action {})", a.action_id)?;
            } else {
                write!(f, " (action {} {} = {})", a.target, a.selector, a.action_id)?;
            }
        }
        if let Some(p) = self.policy {
            let name = self.policy_kind.map_or("policy", PolicyKind::name);
            write!(f, ", {name} {p}")?;
        }
        f.write_str(": ")?;
        match &self.rule {
            ViolatedRule::NoActionForCall { target, selector } => write!(
                f,
                "no action (and no fallback action) permits target {target} selector {selector}"
            ),
            ViolatedRule::SelfCall => f.write_str("a session may not call the account's execute"),
            ViolatedRule::InvalidTarget => f.write_str("target address(1) is not callable"),
            ViolatedRule::ParamRule {
                rule_index,
                condition,
                offset,
                expected,
                actual,
            } => write!(
                f,
                "rule #{rule_index}: argument at byte offset {offset} must be {condition:?} {expected:#x}, got {actual:#x}"
            ),
            ViolatedRule::CallDataTooShort {
                rule_index,
                needed,
                actual,
            } => write!(
                f,
                "rule #{rule_index} reads {needed} bytes of call data, the call has {actual}"
            ),
            ViolatedRule::ParamUsageLimit {
                rule_index,
                limit,
                used,
                requested,
            } => write!(
                f,
                "rule #{rule_index}: cumulative argument limit {limit}, used {used}, this call adds {requested}"
            ),
            ViolatedRule::ValueLimitPerUse { limit, value } => {
                write!(f, "value {value} wei exceeds the per-use limit {limit} wei")
            }
            ViolatedRule::ValueLimit {
                limit,
                used,
                requested,
            } => write!(
                f,
                "value limit {limit} wei, already spent {used} wei, this operation sends {requested} wei"
            ),
            ViolatedRule::UsageLimit { limit, used } => {
                write!(f, "usage limit {limit} reached ({used} uses tracked)")
            }
            ViolatedRule::TimeFrame {
                valid_after,
                valid_until,
                now,
            } => write!(
                f,
                "time {now} is outside the window [{valid_after}, {}]",
                if *valid_until == 0 {
                    "none".to_string()
                } else {
                    valid_until.to_string()
                }
            ),
            ViolatedRule::SpendingLimitUnsupportedCall { selector } => write!(
                f,
                "spending limits allow only transfer/approve/transferFrom with value 0, got selector {selector}"
            ),
            ViolatedRule::TokenNotAllowed { token } => {
                write!(f, "token {token} has no spending limit in this session")
            }
            ViolatedRule::SpendingLimit {
                token,
                limit,
                spent,
                requested,
            } => write!(
                f,
                "token {token}: limit {limit}, already spent {spent}, this call spends {requested}"
            ),
        }
    }
}
