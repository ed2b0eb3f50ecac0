//! What a session key may NOT do, each case on both paths:
//!
//! - local pre-check on: the client refuses before sending — a typed error naming the rule, and
//!   zero bundler requests (so no `eth_estimateUserOperationGas`, no `eth_sendUserOperation`);
//! - local pre-check off: the operation goes out and the chain refuses it — the bundler's
//!   `AAnn` code and the SmartSession / policy revert decoded by name.
//!
//! In every case the Counter is unchanged afterwards. Each case uses its own account (random
//! owner) and its own Counter, so the cases of one path run concurrently on one devnet.

use alloy_primitives::U256;
use e2e::{Owner, counter, fixed_fees};
use nexus_sessions::{
    ActionPermission, Call, Error, PermissionRequest, PrivateKeySigner, SendOptions,
    SessionKeyClient,
    policy_check::{PolicyKind, ViolatedRule},
    sessions::policy::{ParamCondition, ParamRule},
};
use nexus_sessions_bundler::AaCode;
use nexus_sessions_devnet::Devnet;

/// Which path a case runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// Local pre-check on: refused before sending.
    Local,
    /// Local pre-check off: refused by the bundler's simulation or the chain.
    Chain,
}

/// One case's world: an owner with a fresh account and Counter, a granted session and its client.
struct Case {
    name: &'static str,
    path: Path,
    owner: Owner,
    key: PrivateKeySigner,
    session: SessionKeyClient,
    fees: SendOptions,
}

impl Case {
    /// Grants `request` (built for the session key's address) and connects the session key from
    /// the grant's SessionData JSON.
    async fn new(
        devnet: &Devnet,
        name: &'static str,
        path: Path,
        request: impl FnOnce(PermissionRequest, &Owner) -> PermissionRequest,
    ) -> Self {
        let owner = Owner::new(devnet).await.unwrap();
        let key = PrivateKeySigner::random();
        let request = request(PermissionRequest::new(key.address()), &owner);
        let json = owner.grant(request).await.unwrap();
        let session = owner
            .session_client(devnet, key.clone(), &json, path == Path::Local)
            .await
            .unwrap();
        Self {
            name,
            path,
            owner,
            key,
            session,
            fees: fixed_fees(devnet).await.unwrap(),
        }
    }

    /// Uses the permission and waits; must succeed.
    async fn allowed(&self, calls: &[Call]) {
        let hash = self
            .session
            .use_permission_with(calls, &self.fees)
            .await
            .unwrap_or_else(|e| panic!("{}: allowed call refused: {e}", self.name));
        self.session
            .wait_for_user_operation_receipt(hash)
            .await
            .unwrap();
    }

    /// Tries `calls`; returns the error and checks that the Counter did not move (and, on the
    /// local path, that the bundler was not asked anything).
    async fn refused(&self, calls: &[Call]) -> Error {
        let count = self.owner.count().await.unwrap();
        let before = self.session.rpc_stats();
        let bundler_before = self.session.bundler_request_counts();
        let result = self.session.use_permission_with(calls, &self.fees).await;
        let requests = self.session.rpc_stats().since(&before);
        let by_method = self.session.bundler_request_counts().since(&bundler_before);
        let error = match result {
            Err(e) => e,
            Ok(hash) => {
                let outcome = self.session.wait_for_user_operation_receipt(hash).await;
                panic!(
                    "{} ({:?}): was sent: {hash} -> {outcome:?}",
                    self.name, self.path
                )
            }
        };
        if self.path == Path::Local {
            assert_eq!(
                requests.bundler, 0,
                "{}: refused locally, yet {} bundler requests",
                self.name, requests.bundler
            );
            assert_eq!(
                by_method.get("eth_sendUserOperation"),
                0,
                "{}: refused locally, yet sent: {by_method:?}",
                self.name
            );
        } else {
            assert!(
                requests.bundler >= 1,
                "{}: the bundler was asked",
                self.name
            );
        }
        assert_eq!(
            self.owner.count().await.unwrap(),
            count,
            "{}: counter changed",
            self.name
        );
        eprintln!("{} ({:?}): {error}", self.name, self.path);
        error
    }
}

/// The local violation (panics with the case name otherwise).
fn violation(case: &Case, e: &Error) -> ViolatedRule {
    match e {
        Error::PolicyViolation(v) => v.rule.clone(),
        other => panic!(
            "{}: expected a local PolicyViolation, got {other:?}",
            case.name
        ),
    }
}

/// The bundler's AA code and the decoded SmartSession revert name.
fn chain_rejection(case: &Case, e: &Error) -> (Option<AaCode>, Option<String>) {
    match e {
        Error::Bundler { decoded, .. } => (e.aa_code(), decoded.as_ref().map(|d| d.name.clone())),
        // A session key's AA24 comes explained (which style, which validator); the bundler's
        // rejection is inside.
        Error::SessionSignatureRejected { source, .. } => chain_rejection(case, source),
        other => panic!("{}: expected a bundler rejection, got {other:?}", case.name),
    }
}

/// A chain-side policy rejection: AA23 with `PolicyViolation(permissionId, policy)` naming `policy`.
fn assert_policy_violation_on_chain(case: &Case, e: &Error, policy: alloy_primitives::Address) {
    let (aa, name) = chain_rejection(case, e);
    assert_eq!(aa, Some(AaCode::AA23), "{}: {e}", case.name);
    assert_eq!(
        name.as_deref(),
        Some("PolicyViolation"),
        "{}: {e}",
        case.name
    );
    let Error::Bundler { decoded, .. } = e else {
        unreachable!()
    };
    let args = &decoded.as_ref().unwrap().args;
    assert!(
        args.iter()
            .any(|(_, v)| v.eq_ignore_ascii_case(&policy.to_checksum(None))),
        "{}: the revert names policy {policy}: {args:?}",
        case.name
    );
}

async fn other_selector(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "other selector", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER))
    })
    .await;
    let e = case
        .refused(&[counter::set_number(case.owner.counter, 7)])
        .await;
    match path {
        Path::Local => assert!(matches!(
            violation(&case, &e),
            ViolatedRule::NoActionForCall { target, selector }
                if target == case.owner.counter && selector.0 == counter::SET_NUMBER
        )),
        Path::Chain => {
            let (aa, name) = chain_rejection(&case, &e);
            assert_eq!(aa, Some(AaCode::AA23), "{e}");
            assert_eq!(name.as_deref(), Some("NoPoliciesSet"), "{e}");
        }
    }
}

async fn other_target(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "other target", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER))
    })
    .await;
    let elsewhere = case.owner.chain.deploy_counter().await.unwrap();
    let e = case.refused(&[counter::increment(elsewhere)]).await;
    assert_eq!(case.owner.chain.counter_number(elsewhere).await.unwrap(), 0);
    match path {
        Path::Local => assert!(matches!(
            violation(&case, &e),
            ViolatedRule::NoActionForCall { target, .. } if target == elsewhere
        )),
        Path::Chain => {
            let (aa, name) = chain_rejection(&case, &e);
            assert_eq!(aa, Some(AaCode::AA23), "{e}");
            assert_eq!(name.as_deref(), Some("NoPoliciesSet"), "{e}");
        }
    }
}

async fn param_rule(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "param rule", path, |r, o| {
        r.action(
            ActionPermission::new(o.counter, counter::INCREMENT_BY).rule(ParamRule::new(
                ParamCondition::LessThan,
                0,
                U256::from(10u64),
            )),
        )
    })
    .await;
    case.allowed(&[counter::increment_by(case.owner.counter, 9)])
        .await;
    assert_eq!(case.owner.count().await.unwrap(), 9);
    let e = case
        .refused(&[counter::increment_by(case.owner.counter, 100)])
        .await;
    match path {
        Path::Local => {
            let Error::PolicyViolation(v) = &e else {
                panic!("{e:?}")
            };
            assert_eq!(v.policy_kind, Some(PolicyKind::UniversalAction));
            assert_eq!(
                v.rule,
                ViolatedRule::ParamRule {
                    rule_index: 0,
                    condition: ParamCondition::LessThan,
                    offset: 0,
                    expected: U256::from(10u64),
                    actual: U256::from(100u64),
                }
            );
        }
        Path::Chain => assert_policy_violation_on_chain(
            &case,
            &e,
            case.owner.client.deployment().policies.universal_action,
        ),
    }
}

async fn usage_limit(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "usage limit", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER).usage_limit(2))
    })
    .await;
    for _ in 0..2 {
        case.allowed(&[counter::increment(case.owner.counter)])
            .await;
    }
    assert_eq!(case.owner.count().await.unwrap(), 2);
    let e = case
        .refused(&[counter::increment(case.owner.counter)])
        .await;
    match path {
        Path::Local => assert_eq!(
            violation(&case, &e),
            ViolatedRule::UsageLimit { limit: 2, used: 2 }
        ),
        Path::Chain => assert_policy_violation_on_chain(
            &case,
            &e,
            case.owner.client.deployment().policies.usage_limit,
        ),
    }
}

async fn expired_window(devnet: &Devnet, path: Path) {
    let chain = e2e::Chain::of(devnet).await.unwrap();
    chain.mine().await.unwrap();
    let now = chain.latest_timestamp().await.unwrap();
    let until = now + 600;
    let case = Case::new(devnet, "expired window", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER).time_window(0, until))
    })
    .await;
    case.allowed(&[counter::increment(case.owner.counter)])
        .await;
    // Past the window (anvil's clock; the other cases of this devnet have no time limits).
    case.owner.chain.increase_time(3600).await.unwrap();
    let e = case
        .refused(&[counter::increment(case.owner.counter)])
        .await;
    match path {
        Path::Local => assert!(matches!(
            violation(&case, &e),
            ViolatedRule::TimeFrame { valid_until, now, .. } if valid_until == until && now > until
        )),
        Path::Chain => {
            let (aa, _) = chain_rejection(&case, &e);
            assert_eq!(aa, Some(AaCode::AA22), "expired: {e}");
        }
    }
}

async fn revoked(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "revoked", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER))
    })
    .await;
    case.allowed(&[counter::increment(case.owner.counter)])
        .await;
    let pid = case.session.permission_id();
    let hash = case.owner.client.revoke_permission(pid).await.unwrap();
    case.owner
        .client
        .wait_for_user_operation_receipt(hash)
        .await
        .unwrap();
    assert!(!case.owner.client.is_permission_enabled(pid).await.unwrap());
    match path {
        Path::Local => {
            // A client connected after the revocation asks the chain and refuses.
            let session = case
                .owner
                .session_client(
                    devnet,
                    case.key.clone(),
                    &case.session.session_data().to_json(),
                    true,
                )
                .await
                .unwrap();
            let case = Case { session, ..case };
            let e = case
                .refused(&[counter::increment(case.owner.counter)])
                .await;
            assert!(
                matches!(e, Error::PermissionNotEnabled { permission_id, .. } if permission_id == pid),
                "{e:?}"
            );
        }
        Path::Chain => {
            // This client saw the permission enabled before; the chain has the last word.
            let e = case
                .refused(&[counter::increment(case.owner.counter)])
                .await;
            let (aa, name) = chain_rejection(&case, &e);
            assert!(matches!(aa, Some(AaCode::AA23 | AaCode::AA24)), "{e}");
            assert_eq!(name.as_deref(), Some("InvalidPermissionId"), "{e}");
            assert!(e.is_permission_not_enabled(), "{e}");
            // That rejection dropped the cached "enabled": the next call asks the chain again and
            // is refused before anything reaches the bundler.
            let before = case.session.bundler_request_counts();
            let e = case
                .session
                .use_permission_with(&[counter::increment(case.owner.counter)], &case.fees)
                .await
                .unwrap_err();
            assert!(
                matches!(e, Error::PermissionNotEnabled { permission_id, .. } if permission_id == pid),
                "{e:?}"
            );
            let sent = case.session.bundler_request_counts().since(&before);
            assert_eq!(sent.total, 0, "nothing reached the bundler: {sent:?}");
            assert_eq!(case.owner.count().await.unwrap(), 1, "counter unchanged");
        }
    }
}

async fn wrong_session_key(devnet: &Devnet, path: Path) {
    let case = Case::new(devnet, "wrong session key", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::INCREMENT_NUMBER))
    })
    .await;
    let thief = PrivateKeySigner::random();
    let mut data = case.session.session_data().clone();
    match path {
        Path::Local => {
            let count = case.owner.count().await.unwrap();
            let e = case
                .owner
                .session_client(devnet, thief.clone(), &data.to_json(), true)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    &e,
                    e2e::SetupError::Nexus(Error::WrongSessionKey { signer, owners, .. })
                        if *signer == thief.address() && !owners.contains(signer)
                ),
                "{e:?}"
            );
            assert_eq!(case.owner.count().await.unwrap(), count);
        }
        Path::Chain => {
            // sdk 0.0.20-style SessionData carries no sessions, so the client cannot know the key;
            // the thief claims to be the session key. The session validator says no.
            data.module_data.sessions = None;
            data.session_public_key = thief.address().to_vec().into();
            let stolen = Case {
                session: case
                    .owner
                    .session_client(devnet, thief, &data.to_json(), false)
                    .await
                    .unwrap(),
                ..case
            };
            let e = stolen
                .refused(&[counter::increment(stolen.owner.counter)])
                .await;
            let (aa, _) = chain_rejection(&stolen, &e);
            assert_eq!(aa, Some(AaCode::AA24), "{e}");
        }
    }
}

async fn value_above_limit(devnet: &Devnet, path: Path) {
    let limit = U256::from(1_000u64);
    let case = Case::new(devnet, "value above limit", path, |r, o| {
        r.action(ActionPermission::new(o.counter, counter::DEPOSIT).value_limit(limit))
    })
    .await;
    case.allowed(&[counter::deposit(case.owner.counter, U256::from(600u64))])
        .await;
    assert_eq!(
        case.owner.chain.balance(case.owner.counter).await.unwrap(),
        U256::from(600u64)
    );
    let e = case
        .refused(&[counter::deposit(case.owner.counter, U256::from(500u64))])
        .await;
    match path {
        Path::Local => assert_eq!(
            violation(&case, &e),
            ViolatedRule::ValueLimit {
                limit,
                used: U256::from(600u64),
                requested: U256::from(500u64),
            }
        ),
        Path::Chain => assert_policy_violation_on_chain(
            &case,
            &e,
            case.owner.client.deployment().policies.value_limit,
        ),
    }
}

async fn all_cases(path: Path) {
    let devnet = Devnet::start().await.expect("devnet");
    tokio::join!(
        other_selector(&devnet, path),
        other_target(&devnet, path),
        param_rule(&devnet, path),
        usage_limit(&devnet, path),
        expired_window(&devnet, path),
        revoked(&devnet, path),
        wrong_session_key(&devnet, path),
        value_above_limit(&devnet, path),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_locally_before_sending() {
    all_cases(Path::Local).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_by_the_chain_without_the_local_check() {
    all_cases(Path::Chain).await;
}
