//! Unit tests of the policy check.

use super::*;
use crate::{
    abi::IERC20,
    deployment::{PolicyAddresses, fixtures::policies},
    execution::Call,
};
use alloy_primitives::{Address, Bytes, U256, address, hex};
use alloy_sol_types::SolCall;
use nexus_sessions_types::{
    ActionData, FALLBACK_TARGET, PolicyData, Session,
    policy::{
        self, ActionConfig, ParamCondition, ParamRule, spending_limits, time_frame, usage_limit,
        value_limit,
    },
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
    assert!(matches!(err.rule, ViolatedRule::NoActionForCall { target, .. } if target == TOKEN));
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
