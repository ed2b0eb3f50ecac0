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

use crate::{abi::IERC20, deployment::PolicyAddresses, execution::Call};
use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::SolCall;
use nexus_sessions_types::{
    ActionData, ActionId, FALLBACK_SELECTOR, FALLBACK_TARGET, PolicyData, Session, action_id,
    policy::{
        ActionConfig, ParamCondition, TimeFrame, decode_spending_limits, decode_usage_limit,
        decode_value_limit,
    },
};
use std::{collections::HashMap, fmt, hash::Hash};

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
        /// The time checked ([`time_frame_now`]: the later of the latest block and the wall clock).
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

/// Where a tracked amount belongs: the policy storage key SmartSession would use (user-op level or
/// one action) plus the policy contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Scope {
    UserOp(Address),
    Action(ActionId, Address),
}

/// Consumption of cumulative limits, tracked locally per policy configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyUsage {
    uses: HashMap<Scope, u128>,
    value: HashMap<Scope, U256>,
    tokens: HashMap<(Scope, Address), U256>,
    params: HashMap<(Scope, usize), U256>,
}

impl PolicyUsage {
    /// Adds `other` (the consumption of a sent operation) to this record.
    pub fn add(&mut self, other: &Self) {
        for (k, v) in &other.uses {
            *self.uses.entry(*k).or_default() += v;
        }
        for (k, v) in &other.value {
            let e = self.value.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
        for (k, v) in &other.tokens {
            let e = self.tokens.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
        for (k, v) in &other.params {
            let e = self.params.entry(*k).or_default();
            *e = e.saturating_add(*v);
        }
    }

    /// Takes `other` (a reservation whose operation was not sent) back out of this record.
    pub fn remove(&mut self, other: &Self) {
        fn sub<K: Hash + Eq + Copy, V: Copy + Default + Eq>(
            map: &mut HashMap<K, V>,
            other: &HashMap<K, V>,
            minus: fn(V, V) -> V,
        ) {
            for (k, v) in other {
                if let Some(e) = map.get_mut(k) {
                    *e = minus(*e, *v);
                    if *e == V::default() {
                        map.remove(k);
                    }
                }
            }
        }
        sub(&mut self.uses, &other.uses, u128::saturating_sub);
        sub(&mut self.value, &other.value, U256::saturating_sub);
        sub(&mut self.tokens, &other.tokens, U256::saturating_sub);
        sub(&mut self.params, &other.params, U256::saturating_sub);
    }

    /// True when nothing was consumed.
    pub fn is_empty(&self) -> bool {
        self.uses.is_empty()
            && self.value.is_empty()
            && self.tokens.is_empty()
            && self.params.is_empty()
    }
}

/// Everything the check needs besides the session and the calls.
#[derive(Clone, Copy, Debug)]
pub struct CheckContext<'a> {
    /// The smart account (granter).
    pub account: Address,
    /// The deployment's policy addresses, to recognise policies.
    pub policies: &'a PolicyAddresses,
    /// The time for time-frame checks ([`time_frame_now`]); `None` skips them.
    pub now: Option<u64>,
    /// Consumption already sent by this client.
    pub used: &'a PolicyUsage,
}

const EXECUTE_SELECTOR: [u8; 4] = [0xe9, 0xae, 0x5c, 0x53];

/// The time the time-frame checks use (Unix seconds): the later of the latest block's timestamp
/// and the wall clock.
///
/// The operation lands in a later block, stamped no earlier than the latest one and, on a live
/// chain, near wall-clock time. Either clock alone misleads: a devnet started from a cached state
/// has a latest block as old as the cache (its next block is stamped near wall-clock time), and a
/// chain whose clock was moved forward (anvil `evm_increaseTime`) is ahead of the wall clock.
pub fn time_frame_now(latest_block_timestamp: u64, wall_clock: u64) -> u64 {
    latest_block_timestamp.max(wall_clock)
}

/// Checks `calls` against `session`; on success returns the consumption this operation adds.
pub fn check_calls(
    session: &Session,
    ctx: &CheckContext<'_>,
    calls: &[Call],
) -> Result<PolicyUsage, Box<PolicyViolation>> {
    let mut delta = PolicyUsage::default();

    // user-operation policies run once per operation
    let total_value = calls
        .iter()
        .fold(U256::ZERO, |acc, c| acc.saturating_add(c.value));
    for policy in session.user_op_policies() {
        check_policy(
            policy,
            Scope::UserOp(policy.policy),
            None,
            total_value,
            None,
            ctx,
            &mut delta,
        )
        .map_err(|e| {
            let (kind, rule) = *e;
            Box::new(PolicyViolation {
                call_index: None,
                action: None,
                policy: Some(policy.policy),
                policy_kind: kind,
                rule,
            })
        })?;
    }

    for (index, call) in calls.iter().enumerate() {
        let selector = FixedBytes::from(call.selector());
        let violation = |action, policy: Option<&PolicyData>, kind, rule| {
            Box::new(PolicyViolation {
                call_index: Some(index),
                action,
                policy: policy.map(|p| p.policy),
                policy_kind: kind,
                rule,
            })
        };
        if call.to == ctx.account && selector.0 == EXECUTE_SELECTOR {
            return Err(violation(None, None, None, ViolatedRule::SelfCall));
        }
        if call.to == FALLBACK_TARGET {
            return Err(violation(None, None, None, ViolatedRule::InvalidTarget));
        }
        let Some((action, matched)) = find_action(session, call.to, selector) else {
            return Err(violation(
                None,
                None,
                None,
                ViolatedRule::NoActionForCall {
                    target: call.to,
                    selector,
                },
            ));
        };
        for policy in &action.policies {
            let scope = Scope::Action(matched.action_id, policy.policy);
            check_policy(
                policy,
                scope,
                Some(call),
                call.value,
                Some(selector),
                ctx,
                &mut delta,
            )
            .map_err(|e| {
                let (kind, rule) = *e;
                violation(Some(matched), Some(policy), kind, rule)
            })?;
        }
    }
    Ok(delta)
}

/// The action governing a call: the exact (target, selector) action if it has policies, else the
/// fallback action if it has policies.
fn find_action(
    session: &Session,
    target: Address,
    selector: FixedBytes<4>,
) -> Option<(&ActionData, MatchedAction)> {
    let lookup = |t: Address, s: FixedBytes<4>| {
        session
            .actions()
            .iter()
            .find(|a| a.target == t && a.selector == s && !a.policies.is_empty())
    };
    if let Some(a) = lookup(target, selector) {
        return Some((
            a,
            MatchedAction {
                target,
                selector,
                action_id: action_id(target, selector),
                fallback: false,
            },
        ));
    }
    lookup(FALLBACK_TARGET, FALLBACK_SELECTOR).map(|a| {
        (
            a,
            MatchedAction {
                target: FALLBACK_TARGET,
                selector: FALLBACK_SELECTOR,
                action_id: action_id(FALLBACK_TARGET, FALLBACK_SELECTOR),
                fallback: true,
            },
        )
    })
}

type RuleError = Box<(Option<PolicyKind>, ViolatedRule)>;

fn check_policy(
    policy: &PolicyData,
    scope: Scope,
    call: Option<&Call>,
    value: U256,
    selector: Option<FixedBytes<4>>,
    ctx: &CheckContext<'_>,
    delta: &mut PolicyUsage,
) -> Result<(), RuleError> {
    let Some(kind) = PolicyKind::of(policy.policy, ctx.policies) else {
        return Ok(()); // unknown policy: the chain decides
    };
    let fail = |rule| Err(Box::new((Some(kind), rule)));
    let data = &policy.init_data;
    match kind {
        PolicyKind::Sudo => Ok(()),
        PolicyKind::TimeFrame => {
            let Some(now) = ctx.now else { return Ok(()) };
            let frame = match data.len() {
                12 => TimeFrame::decode(data),
                32 => TimeFrame::decode_legacy(data),
                _ => return Ok(()),
            };
            let Ok(frame) = frame else { return Ok(()) };
            let expired = frame.valid_until != 0 && now > frame.valid_until;
            if expired || now < frame.valid_after {
                return fail(ViolatedRule::TimeFrame {
                    valid_after: frame.valid_after,
                    valid_until: frame.valid_until,
                    now,
                });
            }
            Ok(())
        }
        PolicyKind::UsageLimit => {
            let Ok(limit) = decode_usage_limit(data) else {
                return Ok(());
            };
            let used = tracked(&ctx.used.uses, &delta.uses, &scope);
            if used >= limit {
                return fail(ViolatedRule::UsageLimit { limit, used });
            }
            *delta.uses.entry(scope).or_default() += 1;
            Ok(())
        }
        PolicyKind::ValueLimit => {
            let Ok(limit) = decode_value_limit(data) else {
                return Ok(());
            };
            let used = tracked_u256(&ctx.used.value, &delta.value, &scope);
            if used.saturating_add(value) > limit {
                return fail(ViolatedRule::ValueLimit {
                    limit,
                    used,
                    requested: value,
                });
            }
            let e = delta.value.entry(scope).or_default();
            *e = e.saturating_add(value);
            Ok(())
        }
        PolicyKind::SpendingLimits => {
            let Some(call) = call else { return Ok(()) };
            let Ok(limits) = decode_spending_limits(data) else {
                return Ok(());
            };
            let selector = selector.unwrap_or_default();
            let amount = erc20_amount(&call.data).filter(|_| call.value.is_zero());
            let Some(amount) = amount else {
                return fail(ViolatedRule::SpendingLimitUnsupportedCall { selector });
            };
            let token = call.to;
            let Some(limit) = limits.iter().find(|l| l.token == token).map(|l| l.limit) else {
                return fail(ViolatedRule::TokenNotAllowed { token });
            };
            let key = (scope, token);
            let spent = ctx
                .used
                .tokens
                .get(&key)
                .copied()
                .unwrap_or_default()
                .saturating_add(delta.tokens.get(&key).copied().unwrap_or_default());
            if spent.saturating_add(amount) > limit {
                return fail(ViolatedRule::SpendingLimit {
                    token,
                    limit,
                    spent,
                    requested: amount,
                });
            }
            let e = delta.tokens.entry(key).or_default();
            *e = e.saturating_add(amount);
            Ok(())
        }
        PolicyKind::UniversalAction => {
            let Some(call) = call else { return Ok(()) };
            let Ok(config) = ActionConfig::abi_decode(data) else {
                return Ok(());
            };
            if call.value > config.value_limit_per_use() {
                return fail(ViolatedRule::ValueLimitPerUse {
                    limit: config.value_limit_per_use(),
                    value: call.value,
                });
            }
            for (rule_index, rule) in config.rules().iter().enumerate() {
                let start = 4usize.saturating_add(rule.offset as usize);
                let end = start.saturating_add(32);
                let Some(word) = call.data.get(start..end) else {
                    return fail(ViolatedRule::CallDataTooShort {
                        rule_index,
                        needed: end,
                        actual: call.data.len(),
                    });
                };
                let actual = U256::from_be_slice(word);
                let expected = U256::from_be_bytes(rule.reference.0);
                let holds = match rule.condition {
                    ParamCondition::Equal => actual == expected,
                    ParamCondition::GreaterThan => actual > expected,
                    ParamCondition::LessThan => actual < expected,
                    ParamCondition::GreaterThanOrEqual => actual >= expected,
                    ParamCondition::LessThanOrEqual => actual <= expected,
                    ParamCondition::NotEqual => actual != expected,
                    ParamCondition::InRange => {
                        let min = expected >> 128;
                        let max = expected & U256::from(u128::MAX);
                        actual >= min && actual <= max
                    }
                };
                if !holds {
                    return fail(ViolatedRule::ParamRule {
                        rule_index,
                        condition: rule.condition,
                        offset: rule.offset,
                        expected,
                        actual,
                    });
                }
                if rule.is_limited {
                    let key = (scope, rule_index);
                    let used = rule
                        .usage
                        .used
                        .saturating_add(ctx.used.params.get(&key).copied().unwrap_or_default())
                        .saturating_add(delta.params.get(&key).copied().unwrap_or_default());
                    if used.saturating_add(actual) > rule.usage.limit {
                        return fail(ViolatedRule::ParamUsageLimit {
                            rule_index,
                            limit: rule.usage.limit,
                            used,
                            requested: actual,
                        });
                    }
                    let e = delta.params.entry(key).or_default();
                    *e = e.saturating_add(actual);
                }
            }
            Ok(())
        }
    }
}

fn tracked(base: &HashMap<Scope, u128>, delta: &HashMap<Scope, u128>, scope: &Scope) -> u128 {
    base.get(scope)
        .copied()
        .unwrap_or(0)
        .saturating_add(delta.get(scope).copied().unwrap_or(0))
}

fn tracked_u256(base: &HashMap<Scope, U256>, delta: &HashMap<Scope, U256>, scope: &Scope) -> U256 {
    base.get(scope)
        .copied()
        .unwrap_or_default()
        .saturating_add(delta.get(scope).copied().unwrap_or_default())
}

/// The amount of an ERC-20 `transfer`, `approve` or `transferFrom` call; `None` for anything else.
fn erc20_amount(data: &[u8]) -> Option<U256> {
    let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
    match selector {
        IERC20::transferCall::SELECTOR => IERC20::transferCall::abi_decode(data)
            .ok()
            .map(|c| c.amount),
        IERC20::approveCall::SELECTOR => {
            IERC20::approveCall::abi_decode(data).ok().map(|c| c.amount)
        }
        IERC20::transferFromCall::SELECTOR => IERC20::transferFromCall::abi_decode(data)
            .ok()
            .map(|c| c.amount),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::fixtures::policies;
    use alloy_primitives::{Bytes, address, hex};
    use alloy_sol_types::SolCall;
    use nexus_sessions_types::policy::{
        self, ActionConfig, ParamCondition, ParamRule, spending_limits, time_frame, usage_limit,
        value_limit,
    };

    const ACCOUNT: Address = address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb");
    const COUNTER: Address = address!("0x1111111111111111111111111111111111111111");
    const TOKEN: Address = address!("0x2222222222222222222222222222222222222222");
    const OTHER_TOKEN: Address = address!("0x3333333333333333333333333333333333333333");
    const ALICE: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const INCREMENT: [u8; 4] = hex!("273ea3e3");
    // setNumber(uint256)
    const SET: [u8; 4] = hex!("3fb5c1cb");

    fn session(actions: Vec<ActionData>, user_op: Vec<PolicyData>) -> Session {
        Session::builder()
            .session_validator(Address::with_last_byte(0x77))
            .session_validator_init_data(Bytes::from_static(&[1]))
            .salt(Default::default())
            .actions(actions)
            .user_op_policies(user_op)
            .build()
            .unwrap()
    }

    fn sudo_action(target: Address, selector: [u8; 4]) -> ActionData {
        ActionData::new(
            target,
            selector.into(),
            vec![PolicyData::new(policies().sudo, policy::sudo())],
        )
    }

    fn set_number(n: u64) -> Call {
        let mut data = SET.to_vec();
        data.extend_from_slice(&U256::from(n).to_be_bytes::<32>());
        Call::new(COUNTER, data)
    }

    fn check(
        s: &Session,
        now: Option<u64>,
        used: &PolicyUsage,
        calls: &[Call],
    ) -> Result<PolicyUsage, Box<PolicyViolation>> {
        let p = policies();
        check_calls(
            s,
            &CheckContext {
                account: ACCOUNT,
                policies: &p,
                now,
                used,
            },
            calls,
        )
    }

    #[test]
    fn exact_action_and_missing_action() {
        let s = session(vec![sudo_action(COUNTER, INCREMENT)], vec![]);
        let used = PolicyUsage::default();
        assert!(check(&s, None, &used, &[Call::new(COUNTER, INCREMENT)]).is_ok());
        let err = check(
            &s,
            None,
            &used,
            &[Call::new(COUNTER, INCREMENT), set_number(1)],
        )
        .unwrap_err();
        assert_eq!(err.call_index, Some(1));
        assert_eq!(
            err.rule,
            ViolatedRule::NoActionForCall {
                target: COUNTER,
                selector: SET.into()
            }
        );
        assert!(err.to_string().contains("call #1"), "{err}");
        // other target, same selector
        let err = check(&s, None, &used, &[Call::new(TOKEN, INCREMENT)]).unwrap_err();
        assert!(
            matches!(err.rule, ViolatedRule::NoActionForCall { target, .. } if target == TOKEN)
        );
    }

    #[test]
    fn fallback_action_catches_everything_else() {
        let s = session(
            vec![
                ActionData::new(COUNTER, INCREMENT.into(), vec![]), // no policies: falls through
                ActionData::fallback(vec![PolicyData::new(
                    policies().usage_limit,
                    usage_limit(1).unwrap(),
                )]),
            ],
            vec![],
        );
        let used = PolicyUsage::default();
        let delta = check(&s, None, &used, &[Call::new(TOKEN, hex!("01"))]).unwrap();
        assert!(!delta.is_empty());
        // the fallback's usage limit is shared by every call that falls through
        let err = check(
            &s,
            None,
            &used,
            &[Call::new(TOKEN, hex!("01")), Call::new(COUNTER, INCREMENT)],
        )
        .unwrap_err();
        assert_eq!(err.call_index, Some(1));
        assert!(err.action.unwrap().fallback);
        assert_eq!(err.rule, ViolatedRule::UsageLimit { limit: 1, used: 1 });
    }

    #[test]
    fn self_call_and_address_one() {
        let s = session(
            vec![ActionData::fallback(vec![PolicyData::new(
                policies().sudo,
                policy::sudo(),
            )])],
            vec![],
        );
        let used = PolicyUsage::default();
        let err = check(&s, None, &used, &[Call::new(ACCOUNT, hex!("e9ae5c53"))]).unwrap_err();
        assert_eq!(err.rule, ViolatedRule::SelfCall);
        let err = check(
            &s,
            None,
            &used,
            &[Call::new(FALLBACK_TARGET, hex!("00000001"))],
        )
        .unwrap_err();
        assert_eq!(err.rule, ViolatedRule::InvalidTarget);
        // other account calls are fine
        assert!(check(&s, None, &used, &[Call::new(ACCOUNT, hex!("12345678"))]).is_ok());
    }

    #[test]
    fn param_rules_and_value_per_use() {
        let config = ActionConfig::new(
            U256::from(10),
            vec![
                ParamRule::new(ParamCondition::LessThanOrEqual, 0, U256::from(100u64)),
                ParamRule::in_range(0, U256::from(5), U256::from(50)).unwrap(),
            ],
        )
        .unwrap();
        let action = ActionData::new(
            COUNTER,
            SET.into(),
            vec![PolicyData::new(
                policies().universal_action,
                policy::universal_action(&config),
            )],
        );
        let s = session(vec![action], vec![]);
        let used = PolicyUsage::default();
        assert!(check(&s, None, &used, &[set_number(50)]).is_ok());
        assert!(check(&s, None, &used, &[set_number(5)]).is_ok());

        let err = check(&s, None, &used, &[set_number(101)]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::ParamRule {
                rule_index: 0,
                condition: ParamCondition::LessThanOrEqual,
                offset: 0,
                expected: U256::from(100),
                actual: U256::from(101),
            }
        );
        assert_eq!(err.policy, Some(policies().universal_action));
        assert_eq!(err.policy_kind, Some(PolicyKind::UniversalAction));

        let err = check(&s, None, &used, &[set_number(4)]).unwrap_err();
        assert!(matches!(
            err.rule,
            ViolatedRule::ParamRule {
                rule_index: 1,
                condition: ParamCondition::InRange,
                ..
            }
        ));
        let err = check(&s, None, &used, &[set_number(51)]).unwrap_err();
        assert!(matches!(
            err.rule,
            ViolatedRule::ParamRule { rule_index: 1, .. }
        ));

        let err = check(&s, None, &used, &[set_number(7).with_value(U256::from(11))]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::ValueLimitPerUse {
                limit: U256::from(10),
                value: U256::from(11)
            }
        );
        assert!(check(&s, None, &used, &[set_number(7).with_value(U256::from(10))]).is_ok());

        let err = check(&s, None, &used, &[Call::new(COUNTER, SET)]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::CallDataTooShort {
                rule_index: 0,
                needed: 36,
                actual: 4
            }
        );
    }

    #[test]
    fn equal_and_not_equal_on_second_argument() {
        // transfer(to, amount): to must be ALICE, amount must not be 0
        let config = ActionConfig::new(
            U256::ZERO,
            vec![
                ParamRule::new(ParamCondition::Equal, 0, ALICE),
                ParamRule::new(ParamCondition::NotEqual, 1, U256::ZERO),
            ],
        )
        .unwrap();
        let s = session(
            vec![ActionData::new(
                TOKEN,
                IERC20::transferCall::SELECTOR.into(),
                vec![PolicyData::new(
                    policies().universal_action,
                    policy::universal_action(&config),
                )],
            )],
            vec![],
        );
        let used = PolicyUsage::default();
        let transfer = |to, amount: u64| {
            Call::new(
                TOKEN,
                IERC20::transferCall {
                    to,
                    amount: U256::from(amount),
                }
                .abi_encode(),
            )
        };
        assert!(check(&s, None, &used, &[transfer(ALICE, 1)]).is_ok());
        let err = check(&s, None, &used, &[transfer(COUNTER, 1)]).unwrap_err();
        assert!(matches!(
            err.rule,
            ViolatedRule::ParamRule {
                rule_index: 0,
                offset: 0,
                ..
            }
        ));
        let err = check(&s, None, &used, &[transfer(ALICE, 0)]).unwrap_err();
        assert!(matches!(
            err.rule,
            ViolatedRule::ParamRule {
                rule_index: 1,
                offset: 32,
                ..
            }
        ));
    }

    #[test]
    fn limited_param_rule_accumulates() {
        let config = ActionConfig::new(
            U256::ZERO,
            vec![
                ParamRule::new(ParamCondition::LessThanOrEqual, 0, U256::from(1000u64))
                    .limited(U256::from(100)),
            ],
        )
        .unwrap();
        let s = session(
            vec![ActionData::new(
                COUNTER,
                SET.into(),
                vec![PolicyData::new(
                    policies().universal_action,
                    policy::universal_action(&config),
                )],
            )],
            vec![],
        );
        let mut used = PolicyUsage::default();
        let d = check(&s, None, &used, &[set_number(60)]).unwrap();
        used.add(&d);
        let err = check(&s, None, &used, &[set_number(41)]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::ParamUsageLimit {
                rule_index: 0,
                limit: U256::from(100),
                used: U256::from(60),
                requested: U256::from(41),
            }
        );
        assert!(check(&s, None, &used, &[set_number(40)]).is_ok());
        // a reservation taken back (operation not sent) frees the allowance again
        used.remove(&d);
        assert_eq!(used, PolicyUsage::default());
        assert!(check(&s, None, &used, &[set_number(100)]).is_ok());
        // within one batch too
        let err = check(
            &s,
            None,
            &PolicyUsage::default(),
            &[set_number(60), set_number(60)],
        )
        .unwrap_err();
        assert_eq!(err.call_index, Some(1));
    }

    #[test]
    fn time_frames_user_op_and_action() {
        let s = session(
            vec![ActionData::new(
                COUNTER,
                INCREMENT.into(),
                vec![PolicyData::new(
                    policies().time_frame,
                    time_frame(2_000, 0).unwrap(),
                )],
            )],
            vec![PolicyData::new(
                policies().time_frame,
                time_frame(0, 1_000).unwrap(),
            )],
        );
        let used = PolicyUsage::default();
        let call = [Call::new(COUNTER, INCREMENT)];
        assert!(check(&s, Some(1_500), &used, &call).is_ok());
        assert!(
            check(&s, None, &used, &call).is_ok(),
            "no clock, no time check"
        );
        let err = check(&s, Some(999), &used, &call).unwrap_err();
        assert_eq!(err.call_index, None);
        assert_eq!(
            err.rule,
            ViolatedRule::TimeFrame {
                valid_after: 1_000,
                valid_until: 0,
                now: 999
            }
        );
        let err = check(&s, Some(2_001), &used, &call).unwrap_err();
        assert_eq!(err.call_index, Some(0));
        assert_eq!(
            err.rule,
            ViolatedRule::TimeFrame {
                valid_after: 0,
                valid_until: 2_000,
                now: 2_001
            }
        );
        assert!(err.to_string().contains("2000"), "{err}");
        // the legacy 32-byte encoding is understood too
        let legacy = session(
            vec![sudo_action(COUNTER, INCREMENT)],
            vec![PolicyData::new(
                policies().time_frame,
                policy::time_frame_legacy(10, 0).unwrap(),
            )],
        );
        assert!(check(&legacy, Some(11), &used, &call).is_err());
    }

    #[test]
    fn time_frames_judge_by_the_later_of_block_and_wall_clock() {
        let window = |valid_until, valid_after| {
            session(
                vec![sudo_action(COUNTER, INCREMENT)],
                vec![PolicyData::new(
                    policies().time_frame,
                    time_frame(valid_until, valid_after).unwrap(),
                )],
            )
        };
        let used = PolicyUsage::default();
        let call = [Call::new(COUNTER, INCREMENT)];

        // A devnet from a cached state: the latest block (1_000) is older than the wall clock
        // (5_000). A window that ended at 2_000 is over, although the stale block is inside it.
        let ended = window(2_000, 0);
        assert!(check(&ended, Some(1_000), &used, &call).is_ok());
        let now = time_frame_now(1_000, 5_000);
        assert_eq!(now, 5_000);
        let err = check(&ended, Some(now), &used, &call).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::TimeFrame {
                valid_after: 0,
                valid_until: 2_000,
                now: 5_000
            }
        );

        // A chain moved forward (evm_increaseTime): the block (9_000) is ahead of the wall clock
        // (5_000). A window opening at 8_000 is open, although the wall clock is before it.
        let opened = window(0, 8_000);
        assert!(check(&opened, Some(5_000), &used, &call).is_err());
        let now = time_frame_now(9_000, 5_000);
        assert_eq!(now, 9_000);
        assert!(check(&opened, Some(now), &used, &call).is_ok());
    }

    #[test]
    fn usage_and_value_limits() {
        let s = session(
            vec![ActionData::new(
                COUNTER,
                INCREMENT.into(),
                vec![
                    PolicyData::new(policies().usage_limit, usage_limit(2).unwrap()),
                    PolicyData::new(policies().value_limit, value_limit(U256::from(100))),
                ],
            )],
            vec![PolicyData::new(
                policies().value_limit,
                value_limit(U256::from(150)),
            )],
        );
        let mut used = PolicyUsage::default();
        let call = |v: u64| Call::new(COUNTER, INCREMENT).with_value(U256::from(v));
        used.add(&check(&s, None, &used, &[call(60)]).unwrap());
        let err = check(&s, None, &used, &[call(41)]).unwrap_err();
        assert_eq!(err.call_index, Some(0));
        assert_eq!(
            err.rule,
            ViolatedRule::ValueLimit {
                limit: U256::from(100),
                used: U256::from(60),
                requested: U256::from(41)
            }
        );
        used.add(&check(&s, None, &used, &[call(40)]).unwrap());
        let err = check(&s, None, &used, &[call(0)]).unwrap_err();
        assert_eq!(err.rule, ViolatedRule::UsageLimit { limit: 2, used: 2 });
        // the user-op value limit sums the whole batch
        let fresh = PolicyUsage::default();
        let err = check(&s, None, &fresh, &[call(80), call(80)]).unwrap_err();
        assert_eq!(err.call_index, None);
        assert!(matches!(err.rule, ViolatedRule::ValueLimit { .. }));
    }

    #[test]
    fn erc20_spending_limits() {
        let limits = spending_limits(&[(TOKEN, U256::from(1_000))]).unwrap();
        let spending = vec![PolicyData::new(policies().spending_limits, limits)];
        let s = session(
            vec![
                ActionData::new(
                    TOKEN,
                    IERC20::transferCall::SELECTOR.into(),
                    spending.clone(),
                ),
                ActionData::new(
                    TOKEN,
                    IERC20::approveCall::SELECTOR.into(),
                    spending.clone(),
                ),
                ActionData::new(
                    OTHER_TOKEN,
                    IERC20::transferCall::SELECTOR.into(),
                    spending.clone(),
                ),
                ActionData::new(TOKEN, hex!("70a08231").into(), spending),
            ],
            vec![],
        );
        let transfer = |token, amount: u64| {
            Call::new(
                token,
                IERC20::transferCall {
                    to: ALICE,
                    amount: U256::from(amount),
                }
                .abi_encode(),
            )
        };
        let mut used = PolicyUsage::default();
        used.add(&check(&s, None, &used, &[transfer(TOKEN, 700)]).unwrap());
        let err = check(&s, None, &used, &[transfer(TOKEN, 301)]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::SpendingLimit {
                token: TOKEN,
                limit: U256::from(1_000),
                spent: U256::from(700),
                requested: U256::from(301)
            }
        );
        // approvals are tracked under their own action
        let approve = Call::new(
            TOKEN,
            IERC20::approveCall {
                spender: ALICE,
                amount: U256::from(1_000),
            }
            .abi_encode(),
        );
        assert!(check(&s, None, &used, &[approve]).is_ok());
        let err = check(&s, None, &used, &[transfer(OTHER_TOKEN, 1)]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::TokenNotAllowed { token: OTHER_TOKEN }
        );
        let err = check(&s, None, &used, &[Call::new(TOKEN, hex!("70a08231"))]).unwrap_err();
        assert_eq!(
            err.rule,
            ViolatedRule::SpendingLimitUnsupportedCall {
                selector: hex!("70a08231").into()
            }
        );
        let err = check(
            &s,
            None,
            &used,
            &[transfer(TOKEN, 1).with_value(U256::from(1))],
        )
        .unwrap_err();
        assert!(matches!(
            err.rule,
            ViolatedRule::SpendingLimitUnsupportedCall { .. }
        ));
    }

    #[test]
    fn unknown_or_undecodable_policies_are_left_to_the_chain() {
        let s = session(
            vec![ActionData::new(
                COUNTER,
                INCREMENT.into(),
                vec![
                    PolicyData::new(
                        Address::with_last_byte(0x42),
                        Bytes::from_static(b"whatever"),
                    ),
                    PolicyData::new(policies().usage_limit, Bytes::from_static(&[1, 2, 3])),
                ],
            )],
            vec![],
        );
        assert!(
            check(
                &s,
                Some(0),
                &PolicyUsage::default(),
                &[Call::new(COUNTER, INCREMENT)]
            )
            .is_ok()
        );
        assert_eq!(
            PolicyKind::of(Address::ZERO, &PolicyAddresses::default()),
            None
        );
    }
}
