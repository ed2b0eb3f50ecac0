//! The check: calls matched to actions, each policy's rules replayed.

use super::{
    usage::{PolicyUsage, Scope, tracked, tracked_u256},
    violation::{MatchedAction, PolicyKind, PolicyViolation, ViolatedRule},
};
use crate::{abi::IERC20, deployment::PolicyAddresses, execution::Call};
use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::SolCall;
use nexus_sessions_types::{
    ActionData, FALLBACK_SELECTOR, FALLBACK_TARGET, PolicyData, Session, action_id,
    policy::{
        ActionConfig, ParamCondition, TimeFrame, decode_spending_limits, decode_usage_limit,
        decode_value_limit,
    },
};

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
