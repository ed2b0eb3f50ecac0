//! What an owner grants: [`PermissionRequest`] (one session key) made of [`ActionPermission`]s,
//! turned into a SmartSession [`Session`] with the deployment's policies.
//!
//! Policies per action, in this order (each only when asked for):
//! 1. UniActionPolicy — argument rules and the per-use value limit (needs at least one rule: the
//!    policy rejects an empty rule list);
//! 2. TimeFramePolicy — the action's time window;
//! 3. ValueLimitPolicy — cumulative ETH value;
//! 4. UsageLimitPolicy — number of uses;
//! 5. ERC20SpendingLimitPolicy — cumulative token amounts;
//! 6. extra policies given as raw [`PolicyData`];
//! 7. SudoPolicy — when `sudo` is set, or when nothing else was asked for (an action without
//!    policies can never execute, so "no restriction" means sudo, as in @biconomy/sdk 0.0.22+).
//!
//! Session-wide limits (time window, usage limit, value limit) become user-operation policies.

use crate::{deployment::Deployment, error::Error};
use alloy_primitives::{Address, B256, FixedBytes, U256, keccak256};
use nexus_sessions_types::{
    ActionData, FALLBACK_SELECTOR, FALLBACK_TARGET, PolicyData, Session,
    ownable_validator_init_data_for,
    policy::{self, ActionConfig, ParamRule},
};
use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::{SystemTime, UNIX_EPOCH},
};

/// One permitted (target, selector) and its limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionPermission {
    /// Contract the session key may call.
    pub target: Address,
    /// Function selector it may call.
    pub selector: FixedBytes<4>,
    /// UniActionPolicy argument rules (at most 16).
    pub rules: Vec<ParamRule>,
    /// UniActionPolicy per-call value limit (wei); needs at least one rule.
    pub value_limit_per_use: Option<U256>,
    /// Allow any call to this (target, selector).
    pub sudo: bool,
    /// Cumulative value limit (wei) over all uses.
    pub value_limit: Option<U256>,
    /// Number of uses.
    pub usage_limit: Option<u128>,
    /// Unix time from which the action may be used.
    pub valid_after: Option<u64>,
    /// Unix time until which the action may be used.
    pub valid_until: Option<u64>,
    /// ERC-20 `(token, limit)` pairs for `transfer` / `approve` / `transferFrom`.
    pub spending_limits: Vec<(Address, U256)>,
    /// Further policies, passed through.
    pub extra_policies: Vec<PolicyData>,
}

impl ActionPermission {
    /// Permission to call `selector` on `target` (add limits with the other methods; with none it
    /// becomes a sudo action).
    pub fn new(target: Address, selector: impl Into<FixedBytes<4>>) -> Self {
        Self {
            target,
            selector: selector.into(),
            ..Default::default()
        }
    }

    /// The fallback action (`address(1)`, `0x00000001`): applies to every call without its own
    /// action.
    pub fn fallback() -> Self {
        Self::new(FALLBACK_TARGET, FALLBACK_SELECTOR)
    }

    /// Adds an argument rule.
    pub fn rule(mut self, rule: ParamRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Allows any call to this (target, selector).
    pub fn sudo(mut self) -> Self {
        self.sudo = true;
        self
    }

    /// Per-call value limit (UniActionPolicy; needs a rule).
    pub fn value_limit_per_use(mut self, limit: U256) -> Self {
        self.value_limit_per_use = Some(limit);
        self
    }

    /// Cumulative value limit.
    pub fn value_limit(mut self, limit: U256) -> Self {
        self.value_limit = Some(limit);
        self
    }

    /// Number of uses.
    pub fn usage_limit(mut self, limit: u128) -> Self {
        self.usage_limit = Some(limit);
        self
    }

    /// Time window (`valid_until = 0` means no end).
    pub fn time_window(mut self, valid_after: u64, valid_until: u64) -> Self {
        self.valid_after = Some(valid_after);
        self.valid_until = Some(valid_until);
        self
    }

    /// ERC-20 spending limit for `token`.
    pub fn spending_limit(mut self, token: Address, limit: U256) -> Self {
        self.spending_limits.push((token, limit));
        self
    }

    /// A further raw policy.
    pub fn policy(mut self, policy: PolicyData) -> Self {
        self.extra_policies.push(policy);
        self
    }

    fn to_action_data(&self, d: &Deployment) -> Result<ActionData, Error> {
        let p = &d.policies;
        let mut policies = Vec::new();
        if !self.rules.is_empty() {
            let config = ActionConfig::new(
                self.value_limit_per_use.unwrap_or(U256::MAX),
                self.rules.clone(),
            )?;
            policies.push(PolicyData::new(
                p.universal_action,
                policy::universal_action(&config),
            ));
        } else if self.value_limit_per_use.is_some() {
            return Err(Error::InvalidPermission(format!(
                "action {} {}: value_limit_per_use needs at least one argument rule (UniActionPolicy rejects an empty rule list); use value_limit for a cumulative limit",
                self.target, self.selector
            )));
        }
        if self.valid_after.is_some() || self.valid_until.is_some() {
            policies.push(time_frame(
                d,
                self.valid_until.unwrap_or(0),
                self.valid_after.unwrap_or(0),
            )?);
        }
        if let Some(limit) = self.value_limit {
            policies.push(PolicyData::new(p.value_limit, policy::value_limit(limit)));
        }
        if let Some(limit) = self.usage_limit {
            policies.push(PolicyData::new(p.usage_limit, policy::usage_limit(limit)?));
        }
        if !self.spending_limits.is_empty() {
            policies.push(PolicyData::new(
                p.spending_limits,
                policy::spending_limits(&self.spending_limits)?,
            ));
        }
        policies.extend(self.extra_policies.iter().cloned());
        if self.sudo || policies.is_empty() {
            policies.push(PolicyData::new(p.sudo, policy::sudo()));
        }
        Ok(ActionData::new(self.target, self.selector, policies))
    }
}

/// A session for one session key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionRequest {
    /// The session key's address (owner of the OwnableValidator-style session validator).
    pub session_key: Address,
    /// What it may call.
    pub actions: Vec<ActionPermission>,
    /// Session-wide start time (user-operation TimeFramePolicy).
    pub valid_after: Option<u64>,
    /// Session-wide end time (user-operation TimeFramePolicy).
    pub valid_until: Option<u64>,
    /// Session-wide number of user operations (user-operation UsageLimitPolicy).
    pub usage_limit: Option<u128>,
    /// Session-wide cumulative value (user-operation ValueLimitPolicy).
    pub value_limit: Option<U256>,
    /// Further user-operation policies, passed through.
    pub user_op_policies: Vec<PolicyData>,
    /// Salt of the permission id; random when `None`.
    pub salt: Option<B256>,
    /// Lets the session's operations be sponsored by a paymaster (SmartSession v1
    /// `permitERC4337Paymaster`; see [`Self::permit_erc4337_paymaster`]).
    pub permit_erc4337_paymaster: bool,
}

impl PermissionRequest {
    /// A request for `session_key` with no actions yet.
    pub fn new(session_key: Address) -> Self {
        Self {
            session_key,
            ..Default::default()
        }
    }

    /// Adds an action.
    pub fn action(mut self, action: ActionPermission) -> Self {
        self.actions.push(action);
        self
    }

    /// Session-wide time window.
    pub fn time_window(mut self, valid_after: u64, valid_until: u64) -> Self {
        self.valid_after = Some(valid_after);
        self.valid_until = Some(valid_until);
        self
    }

    /// Session-wide number of user operations.
    pub fn usage_limit(mut self, limit: u128) -> Self {
        self.usage_limit = Some(limit);
        self
    }

    /// Session-wide cumulative value.
    pub fn value_limit(mut self, limit: U256) -> Self {
        self.value_limit = Some(limit);
        self
    }

    /// Whether the session's operations may be sponsored by a paymaster. SmartSession v1 refuses a
    /// session's operation with a paymaster unless the session sets `permitERC4337Paymaster` and
    /// has at least one user-operation policy: when this request names none, the sudo policy is
    /// added as one (what abstractjs does). Pre-v1 SmartSession has neither the field nor the
    /// check (any session may be sponsored), so there the flag changes nothing on chain.
    pub fn permit_erc4337_paymaster(mut self, permit: bool) -> Self {
        self.permit_erc4337_paymaster = permit;
        self
    }

    /// Fixed salt (deterministic permission id).
    pub fn salt(mut self, salt: B256) -> Self {
        self.salt = Some(salt);
        self
    }

    /// The SmartSession session for this request on `deployment` and chain `chain_id`.
    pub fn to_session(&self, deployment: &Deployment, chain_id: u64) -> Result<Session, Error> {
        if self.actions.is_empty() {
            return Err(Error::InvalidPermission(
                "a session without actions can never execute; add at least one action".into(),
            ));
        }
        let p = &deployment.policies;
        let mut user_op = Vec::new();
        if self.valid_after.is_some() || self.valid_until.is_some() {
            user_op.push(time_frame(
                deployment,
                self.valid_until.unwrap_or(0),
                self.valid_after.unwrap_or(0),
            )?);
        }
        if let Some(limit) = self.usage_limit {
            user_op.push(PolicyData::new(p.usage_limit, policy::usage_limit(limit)?));
        }
        if let Some(limit) = self.value_limit {
            user_op.push(PolicyData::new(p.value_limit, policy::value_limit(limit)));
        }
        user_op.extend(self.user_op_policies.iter().cloned());
        // v1 runs at least one user-operation policy for a sponsored operation.
        if self.permit_erc4337_paymaster && deployment.module_version.is_v1() && user_op.is_empty()
        {
            user_op.push(PolicyData::new(p.sudo, policy::sudo()));
        }
        let actions = self
            .actions
            .iter()
            .map(|a| a.to_action_data(deployment))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Session::builder()
            .session_validator(deployment.session_validator)
            .session_validator_init_data(ownable_validator_init_data_for(
                deployment.module_version,
                1,
                &[self.session_key],
            )?)
            .salt(self.salt.unwrap_or_else(random_salt))
            .user_op_policies(user_op)
            .actions(actions)
            .permit_erc4337_paymaster(self.permit_erc4337_paymaster)
            .chain_id(chain_id)
            .build()?)
    }
}

fn time_frame(d: &Deployment, valid_until: u64, valid_after: u64) -> Result<PolicyData, Error> {
    let data = if d.time_frame_legacy {
        policy::time_frame_legacy(valid_until, valid_after)?
    } else {
        policy::time_frame(valid_until, valid_after)?
    };
    Ok(PolicyData::new(d.policies.time_frame, data))
}

/// 32 unpredictable bytes without an RNG dependency: std's randomly keyed hasher, the clock and a
/// process-wide counter, hashed with keccak256. Salts only need to be unique, not secret.
pub fn random_salt() -> B256 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut seed = Vec::with_capacity(40);
    for _ in 0..2 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        seed.extend_from_slice(&h.finish().to_be_bytes());
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    seed.extend_from_slice(&nanos.to_be_bytes());
    keccak256(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::fixtures::deployment;
    use alloy_primitives::{address, hex};
    use nexus_sessions_types::{OwnableValidatorConfig, policy::ParamCondition};

    const COUNTER: Address = address!("0x1111111111111111111111111111111111111111");
    const KEY: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

    #[test]
    fn bare_action_is_sudo_and_validator_lists_the_key() {
        let d = deployment();
        let s = PermissionRequest::new(KEY)
            .action(ActionPermission::new(COUNTER, hex!("273ea3e3")))
            .salt(B256::with_last_byte(1))
            .to_session(&d, 31337)
            .unwrap();
        assert_eq!(s.session_validator(), d.session_validator);
        let cfg = OwnableValidatorConfig::abi_decode(s.session_validator_init_data()).unwrap();
        assert_eq!((cfg.threshold, cfg.owners), (1, vec![KEY]));
        assert_eq!(s.actions().len(), 1);
        assert_eq!(
            s.actions()[0].policies,
            vec![PolicyData::new(d.policies.sudo, policy::sudo())]
        );
        assert!(s.user_op_policies().is_empty());
        // the §15.1 golden permission id needs the reference OwnableValidator address
        let reference = Deployment {
            session_validator: address!("0x2483DA3A338895199E5e538530213157e931Bf06"),
            ..d
        };
        let s = PermissionRequest::new(KEY)
            .action(ActionPermission::new(COUNTER, hex!("273ea3e3")))
            .salt(B256::with_last_byte(1))
            .to_session(&reference, 31337)
            .unwrap();
        assert_eq!(
            s.permission_id().0,
            alloy_primitives::b256!(
                "0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957"
            )
        );
    }

    #[test]
    fn every_limit_maps_to_its_policy_in_order() {
        let d = deployment();
        let token = Address::with_last_byte(0x77);
        let s = PermissionRequest::new(KEY)
            .action(
                ActionPermission::new(COUNTER, hex!("3fb5c1cb"))
                    .rule(ParamRule::new(
                        ParamCondition::LessThan,
                        0,
                        U256::from(10u64),
                    ))
                    .value_limit_per_use(U256::from(5))
                    .time_window(100, 200)
                    .value_limit(U256::from(1000))
                    .usage_limit(3)
                    .spending_limit(token, U256::from(9))
                    .sudo(),
            )
            .time_window(0, 500)
            .usage_limit(7)
            .value_limit(U256::from(42))
            .to_session(&d, 1)
            .unwrap();
        let p = &d.policies;
        let kinds: Vec<Address> = s.actions()[0].policies.iter().map(|x| x.policy).collect();
        assert_eq!(
            kinds,
            vec![
                p.universal_action,
                p.time_frame,
                p.value_limit,
                p.usage_limit,
                p.spending_limits,
                p.sudo
            ]
        );
        let cfg = ActionConfig::abi_decode(&s.actions()[0].policies[0].init_data).unwrap();
        assert_eq!(cfg.value_limit_per_use(), U256::from(5));
        assert_eq!(cfg.rules().len(), 1);
        let tf = policy::TimeFrame::decode(&s.actions()[0].policies[1].init_data).unwrap();
        assert_eq!((tf.valid_after, tf.valid_until), (100, 200));
        let uop: Vec<Address> = s.user_op_policies().iter().map(|x| x.policy).collect();
        assert_eq!(uop, vec![p.time_frame, p.usage_limit, p.value_limit]);
        assert_eq!(
            policy::decode_usage_limit(&s.user_op_policies()[1].init_data).unwrap(),
            7
        );
    }

    #[test]
    fn legacy_time_frame_encoding_per_deployment() {
        let d = Deployment {
            time_frame_legacy: true,
            ..deployment()
        };
        let s = PermissionRequest::new(KEY)
            .action(ActionPermission::fallback().time_window(1, 2))
            .to_session(&d, 1)
            .unwrap();
        assert_eq!(s.actions()[0].target, FALLBACK_TARGET);
        assert_eq!(s.actions()[0].policies[0].init_data.len(), 32);
    }

    #[test]
    fn invalid_requests() {
        let d = deployment();
        assert!(matches!(
            PermissionRequest::new(KEY).to_session(&d, 1),
            Err(Error::InvalidPermission(_))
        ));
        let err = PermissionRequest::new(KEY)
            .action(
                ActionPermission::new(COUNTER, hex!("273ea3e3")).value_limit_per_use(U256::from(1)),
            )
            .to_session(&d, 1)
            .unwrap_err();
        assert!(err.to_string().contains("value_limit_per_use"), "{err}");
        let err = PermissionRequest::new(KEY)
            .action(ActionPermission::new(COUNTER, hex!("273ea3e3")).time_window(10, 5))
            .to_session(&d, 1)
            .unwrap_err();
        assert!(matches!(err, Error::Sessions(_)), "{err}");
    }

    #[test]
    fn random_salts_differ() {
        assert_ne!(random_salt(), random_salt());
        let d = deployment();
        let req =
            PermissionRequest::new(KEY).action(ActionPermission::new(COUNTER, hex!("273ea3e3")));
        assert_ne!(
            req.to_session(&d, 1).unwrap().permission_id(),
            req.to_session(&d, 1).unwrap().permission_id()
        );
    }
}
