//! The session and its parts, version-neutral, with conversions to and from each version's ABI structs.

use alloy_primitives::{Address, B256, Bytes, FixedBytes};
use alloy_sol_types::SolValue;
use std::sync::OnceLock;

use crate::{
    ActionId, Error, ModuleVersion, PermissionId, Result,
    abi::{pre_v1, v1},
    codec,
    eip712::SessionHashes,
    ids::{self, FALLBACK_SELECTOR, FALLBACK_SELECTOR_SMART_SESSION_CALL, FALLBACK_TARGET},
};

/// A policy contract and the init data SmartSession passes to its `initializeWithMultiplexer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyData {
    /// The policy contract.
    pub policy: Address,
    /// Its init data (see [`crate::policy`] for the encoders).
    pub init_data: Bytes,
}

impl PolicyData {
    /// A policy entry.
    pub fn new(policy: Address, init_data: impl Into<Bytes>) -> Self {
        Self {
            policy,
            init_data: init_data.into(),
        }
    }
}

/// An allowed call (`target`, `selector`) and the action policies that must all pass for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActionData {
    /// The called contract (`actionTarget`).
    pub target: Address,
    /// The function selector (`actionTargetSelector`); `0xffffffff` for calls with < 4 bytes of data.
    pub selector: FixedBytes<4>,
    /// The action policies (`actionPolicies`).
    pub policies: Vec<PolicyData>,
}

impl ActionData {
    /// An action entry.
    pub fn new(target: Address, selector: FixedBytes<4>, policies: Vec<PolicyData>) -> Self {
        Self {
            target,
            selector,
            policies,
        }
    }

    /// The fallback action (`address(1)`, `0x00000001`): its policies cover every call without an exact
    /// action. In v1 it also sets `permitGenericPolicy` in the signed permissions.
    pub fn fallback(policies: Vec<PolicyData>) -> Self {
        Self {
            target: FALLBACK_TARGET,
            selector: FALLBACK_SELECTOR,
            policies,
        }
    }

    /// `keccak256(abi.encodePacked(target, selector))`.
    pub fn action_id(&self) -> ActionId {
        ids::action_id(self.target, self.selector)
    }
}

/// v1 ERC-7739 content: an app domain separator and the content type names allowed under it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Erc7739Context {
    /// The app's EIP-712 domain separator.
    pub app_domain_separator: B256,
    /// Allowed content type names (Solidity `contentNames`; EIP-712 and module-sdk JSON: `contentName`).
    pub content_names: Vec<String>,
}

/// ERC-7739 (ERC-1271 through the session key) permissions, holding both version layouts.
///
/// pre-v1 lists plain content-type strings ([`Self::content_names`]); v1 lists
/// [`Erc7739Context`]s ([`Self::contexts`]). Each version encodes its own list only;
/// [`Session::check_version`] reports a session whose content sits in the other version's list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Erc7739Data {
    /// pre-v1 `allowedERC7739Content: string[]`.
    pub content_names: Vec<String>,
    /// v1 `allowedERC7739Content: ERC7739Context[]`.
    pub contexts: Vec<Erc7739Context>,
    /// ERC-1271 policies (at least one is needed for session-key ERC-1271 to ever succeed).
    pub erc1271_policies: Vec<PolicyData>,
}

impl Erc7739Data {
    /// True when nothing is allowed (the usual case).
    pub fn is_empty(&self) -> bool {
        self.content_names.is_empty()
            && self.contexts.is_empty()
            && self.erc1271_policies.is_empty()
    }
}

/// A session: who signs (session validator + its init data), under which salt, and what it may do.
///
/// Built with [`Session::builder`]; the permission id is derived once at build time and cannot drift from
/// the fields. v1's derived EIP-712 flags are methods ([`Self::permit_generic_policy`],
/// [`Self::permit_admin_access`]) and can never be set by hand.
///
/// `chain_id` is metadata carried by module-sdk's JSON (`chainId`); it is not part of any on-chain struct.
///
/// The EIP-712 sub-hashes [`crate::session_digest`] needs are derived from the fields on the first digest
/// and kept (building and decoding sessions stay cheap; later digests hash only the per-call words), so
/// equality, hashing, `Debug` and serde see the fields only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Session {
    session_validator: Address,
    session_validator_init_data: Bytes,
    salt: B256,
    user_op_policies: Vec<PolicyData>,
    erc7739_policies: Erc7739Data,
    actions: Vec<ActionData>,
    permit_erc4337_paymaster: bool,
    chain_id: Option<u64>,
    permission_id: PermissionId,
    eip712_hashes: DigestCache,
}

/// The lazily computed EIP-712 sub-hashes: a function of the session's fields, so it never takes part in
/// equality or hashing (and `Session`'s `Debug` leaves it out).
#[derive(Clone, Default)]
struct DigestCache(OnceLock<SessionHashes>);

impl PartialEq for DigestCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for DigestCache {}

impl std::hash::Hash for DigestCache {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

// By hand only to leave out `eip712_hashes`; destructuring makes a new field a compile error here.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            session_validator,
            session_validator_init_data,
            salt,
            user_op_policies,
            erc7739_policies,
            actions,
            permit_erc4337_paymaster,
            chain_id,
            permission_id,
            eip712_hashes: _,
        } = self;
        f.debug_struct("Session")
            .field("session_validator", session_validator)
            .field("session_validator_init_data", session_validator_init_data)
            .field("salt", salt)
            .field("user_op_policies", user_op_policies)
            .field("erc7739_policies", erc7739_policies)
            .field("actions", actions)
            .field("permit_erc4337_paymaster", permit_erc4337_paymaster)
            .field("chain_id", chain_id)
            .field("permission_id", permission_id)
            .finish()
    }
}

impl Session {
    /// Starts a session builder.
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    /// A builder holding this session's fields, to derive a modified session.
    pub fn to_builder(&self) -> SessionBuilder {
        SessionBuilder {
            session_validator: Some(self.session_validator),
            session_validator_init_data: self.session_validator_init_data.clone(),
            salt: self.salt,
            user_op_policies: self.user_op_policies.clone(),
            erc7739_policies: self.erc7739_policies.clone(),
            actions: self.actions.clone(),
            permit_erc4337_paymaster: self.permit_erc4337_paymaster,
            chain_id: self.chain_id,
        }
    }

    /// `keccak256(abi.encode(sessionValidator, sessionValidatorInitData, salt))`.
    pub fn permission_id(&self) -> PermissionId {
        self.permission_id
    }
    /// The EIP-712 sub-hashes of the session's own fields, computed on first use.
    pub(crate) fn eip712_hashes(&self) -> &SessionHashes {
        self.eip712_hashes.0.get_or_init(|| {
            SessionHashes::new(
                &self.session_validator_init_data,
                &self.user_op_policies,
                &self.erc7739_policies,
                &self.actions,
            )
        })
    }
    /// The session validator (`ISessionValidator`, module type 7).
    pub fn session_validator(&self) -> Address {
        self.session_validator
    }
    /// Init data passed to the session validator on every check (e.g. OwnableValidator threshold + owners).
    pub fn session_validator_init_data(&self) -> &Bytes {
        &self.session_validator_init_data
    }
    /// The salt.
    pub fn salt(&self) -> B256 {
        self.salt
    }
    /// Policies checked on every userOp.
    pub fn user_op_policies(&self) -> &[PolicyData] {
        &self.user_op_policies
    }
    /// ERC-7739 / ERC-1271 permissions.
    pub fn erc7739_policies(&self) -> &Erc7739Data {
        &self.erc7739_policies
    }
    /// Allowed actions.
    pub fn actions(&self) -> &[ActionData] {
        &self.actions
    }
    /// v1: whether userOps of this session may use a paymaster (pre-v1 never restricts paymasters).
    pub fn permit_erc4337_paymaster(&self) -> bool {
        self.permit_erc4337_paymaster
    }
    /// Chain id metadata from module-sdk JSON, if any.
    pub fn chain_id(&self) -> Option<u64> {
        self.chain_id
    }

    /// v1 derived flag: some action is the fallback action (`address(1)`, `0x00000001`).
    pub fn permit_generic_policy(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a.target == FALLBACK_TARGET && a.selector == FALLBACK_SELECTOR)
    }

    /// v1 derived flag: some action is (`address(1)`, `0x00000002`), letting fallback policies cover calls to
    /// SmartSession itself.
    pub fn permit_admin_access(&self) -> bool {
        self.actions.iter().any(|a| {
            a.target == FALLBACK_TARGET && a.selector == FALLBACK_SELECTOR_SMART_SESSION_CALL
        })
    }

    /// Checks that every field of this session can be expressed in `version`'s struct.
    ///
    /// Fails when pre-v1 content strings are set for a v1 target or v1 contexts for a pre-v1 target.
    /// `permit_erc4337_paymaster = true` is accepted for pre-v1, which has no paymaster restriction at all.
    pub fn check_version(&self, version: ModuleVersion) -> Result<()> {
        let e = &self.erc7739_policies;
        if version.is_v1() && !e.content_names.is_empty() {
            return Err(Error::VersionMismatch {
                version,
                reason: "allowedERC7739Content holds pre-v1 content strings (the pre-v1 layout); v1 needs {appDomainSeparator, contentName} objects",
            });
        }
        if !version.is_v1() && !e.contexts.is_empty() {
            return Err(Error::VersionMismatch {
                version,
                reason: "allowedERC7739Content holds {appDomainSeparator, contentName} objects (the v1 layout); pre-v1 only has content strings",
            });
        }
        Ok(())
    }

    /// `abi.encode(Session)` with `version`'s struct layout.
    ///
    /// Encodes exactly the fields that version's struct has (see [`Self::check_version`] for the fields a
    /// version cannot express; the crate's fallible encoders call it for you).
    pub fn abi_encode(&self, version: ModuleVersion) -> Vec<u8> {
        if version.is_v1() {
            self.to_v1().abi_encode()
        } else {
            self.to_pre_v1().abi_encode()
        }
    }

    /// Decodes `abi.encode(Session)` in `version`'s layout (exact: trailing or non-canonical bytes are errors).
    pub fn abi_decode(version: ModuleVersion, data: &[u8]) -> Result<Self> {
        if version.is_v1() {
            Self::try_from(codec::decode_single::<v1::Session>(data, "v1 Session")?)
        } else {
            Self::try_from(codec::decode_single::<pre_v1::Session>(
                data,
                "pre-v1 Session",
            )?)
        }
    }

    /// The pre-v1 ABI struct.
    pub fn to_pre_v1(&self) -> pre_v1::Session {
        pre_v1::Session {
            sessionValidator: self.session_validator,
            sessionValidatorInitData: self.session_validator_init_data.clone(),
            salt: self.salt,
            userOpPolicies: self.user_op_policies.iter().map(Into::into).collect(),
            erc7739Policies: pre_v1::ERC7739Data {
                allowedERC7739Content: self.erc7739_policies.content_names.clone(),
                erc1271Policies: self
                    .erc7739_policies
                    .erc1271_policies
                    .iter()
                    .map(Into::into)
                    .collect(),
            },
            actions: self.actions.iter().map(Into::into).collect(),
        }
    }

    /// The v1 ABI struct.
    pub fn to_v1(&self) -> v1::Session {
        v1::Session {
            sessionValidator: self.session_validator,
            sessionValidatorInitData: self.session_validator_init_data.clone(),
            salt: self.salt,
            userOpPolicies: self.user_op_policies.iter().map(Into::into).collect(),
            erc7739Policies: v1::ERC7739Data {
                allowedERC7739Content: self
                    .erc7739_policies
                    .contexts
                    .iter()
                    .map(|c| v1::ERC7739Context {
                        appDomainSeparator: c.app_domain_separator,
                        contentNames: c.content_names.clone(),
                    })
                    .collect(),
                erc1271Policies: self
                    .erc7739_policies
                    .erc1271_policies
                    .iter()
                    .map(Into::into)
                    .collect(),
            },
            actions: self.actions.iter().map(Into::into).collect(),
            permitERC4337Paymaster: self.permit_erc4337_paymaster,
        }
    }
}

macro_rules! policy_and_action_conversions {
    ($m:ident) => {
        impl From<&PolicyData> for $m::PolicyData {
            fn from(p: &PolicyData) -> Self {
                Self {
                    policy: p.policy,
                    initData: p.init_data.clone(),
                }
            }
        }
        impl From<$m::PolicyData> for PolicyData {
            fn from(p: $m::PolicyData) -> Self {
                Self {
                    policy: p.policy,
                    init_data: p.initData,
                }
            }
        }
        impl From<&ActionData> for $m::ActionData {
            fn from(a: &ActionData) -> Self {
                Self {
                    actionTargetSelector: a.selector,
                    actionTarget: a.target,
                    actionPolicies: a.policies.iter().map(Into::into).collect(),
                }
            }
        }
        impl From<$m::ActionData> for ActionData {
            fn from(a: $m::ActionData) -> Self {
                Self {
                    target: a.actionTarget,
                    selector: a.actionTargetSelector,
                    policies: a.actionPolicies.into_iter().map(Into::into).collect(),
                }
            }
        }
    };
}
policy_and_action_conversions!(pre_v1);
policy_and_action_conversions!(v1);

impl TryFrom<pre_v1::Session> for Session {
    type Error = Error;
    fn try_from(s: pre_v1::Session) -> Result<Self> {
        SessionBuilder {
            session_validator: Some(s.sessionValidator),
            session_validator_init_data: s.sessionValidatorInitData,
            salt: s.salt,
            user_op_policies: s.userOpPolicies.into_iter().map(Into::into).collect(),
            erc7739_policies: Erc7739Data {
                content_names: s.erc7739Policies.allowedERC7739Content,
                contexts: vec![],
                erc1271_policies: s
                    .erc7739Policies
                    .erc1271Policies
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            },
            actions: s.actions.into_iter().map(Into::into).collect(),
            permit_erc4337_paymaster: false,
            chain_id: None,
        }
        .build()
    }
}

impl TryFrom<v1::Session> for Session {
    type Error = Error;
    fn try_from(s: v1::Session) -> Result<Self> {
        SessionBuilder {
            session_validator: Some(s.sessionValidator),
            session_validator_init_data: s.sessionValidatorInitData,
            salt: s.salt,
            user_op_policies: s.userOpPolicies.into_iter().map(Into::into).collect(),
            erc7739_policies: Erc7739Data {
                content_names: vec![],
                contexts: s
                    .erc7739Policies
                    .allowedERC7739Content
                    .into_iter()
                    .map(|c| Erc7739Context {
                        app_domain_separator: c.appDomainSeparator,
                        content_names: c.contentNames,
                    })
                    .collect(),
                erc1271_policies: s
                    .erc7739Policies
                    .erc1271Policies
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            },
            actions: s.actions.into_iter().map(Into::into).collect(),
            permit_erc4337_paymaster: s.permitERC4337Paymaster,
            chain_id: None,
        }
        .build()
    }
}

/// Builder for [`Session`]; `build` checks the fields and derives the permission id.
///
/// ```
/// use nexus_sessions_types::{ActionData, PolicyData, Session, policy};
/// use alloy_primitives::{address, fixed_bytes, B256};
///
/// let session = Session::builder()
///     .session_validator(address!("0x2483DA3A338895199E5e538530213157e931Bf06"))
///     .session_validator_init_data(nexus_sessions_types::ownable_validator_init_data(
///         1,
///         &[address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")],
///     )?)
///     .salt(B256::with_last_byte(1))
///     .action(ActionData::new(
///         address!("0x1111111111111111111111111111111111111111"),
///         fixed_bytes!("0x273ea3e3"),
///         vec![PolicyData::new(address!("0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6"), policy::sudo())],
///     ))
///     .build()?;
/// assert_eq!(
///     session.permission_id().to_string(),
///     "0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957"
/// );
/// # Ok::<(), nexus_sessions_types::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SessionBuilder {
    session_validator: Option<Address>,
    session_validator_init_data: Bytes,
    salt: B256,
    user_op_policies: Vec<PolicyData>,
    erc7739_policies: Erc7739Data,
    actions: Vec<ActionData>,
    permit_erc4337_paymaster: bool,
    chain_id: Option<u64>,
}

impl SessionBuilder {
    /// Sets the session validator (required).
    pub fn session_validator(mut self, validator: Address) -> Self {
        self.session_validator = Some(validator);
        self
    }
    /// Sets the session validator's init data (see [`crate::ownable_validator_init_data`]).
    pub fn session_validator_init_data(mut self, data: impl Into<Bytes>) -> Self {
        self.session_validator_init_data = data.into();
        self
    }
    /// Sets the salt (default zero).
    pub fn salt(mut self, salt: B256) -> Self {
        self.salt = salt;
        self
    }
    /// Adds a userOp policy.
    pub fn user_op_policy(mut self, policy: PolicyData) -> Self {
        self.user_op_policies.push(policy);
        self
    }
    /// Replaces the userOp policies.
    pub fn user_op_policies(mut self, policies: Vec<PolicyData>) -> Self {
        self.user_op_policies = policies;
        self
    }
    /// Adds an action.
    pub fn action(mut self, action: ActionData) -> Self {
        self.actions.push(action);
        self
    }
    /// Replaces the actions.
    pub fn actions(mut self, actions: Vec<ActionData>) -> Self {
        self.actions = actions;
        self
    }
    /// Replaces the ERC-7739 data.
    pub fn erc7739_policies(mut self, data: Erc7739Data) -> Self {
        self.erc7739_policies = data;
        self
    }
    /// Adds a pre-v1 ERC-7739 content string.
    pub fn erc7739_content_name(mut self, name: impl Into<String>) -> Self {
        self.erc7739_policies.content_names.push(name.into());
        self
    }
    /// Adds a v1 ERC-7739 context.
    pub fn erc7739_context(mut self, context: Erc7739Context) -> Self {
        self.erc7739_policies.contexts.push(context);
        self
    }
    /// Adds an ERC-1271 policy.
    pub fn erc1271_policy(mut self, policy: PolicyData) -> Self {
        self.erc7739_policies.erc1271_policies.push(policy);
        self
    }
    /// v1: allow paymasters (also needs at least one userOp policy on-chain).
    pub fn permit_erc4337_paymaster(mut self, permit: bool) -> Self {
        self.permit_erc4337_paymaster = permit;
        self
    }
    /// Chain id metadata (module-sdk JSON `chainId`; not part of the on-chain struct).
    pub fn chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = Some(chain_id);
        self
    }
    /// Clears the chain id metadata.
    pub fn no_chain_id(mut self) -> Self {
        self.chain_id = None;
        self
    }

    /// Checks the fields and builds the session, deriving the permission id.
    ///
    /// Errors: no or zero session validator, an action targeting `address(0)`, a policy at `address(0)`.
    pub fn build(self) -> Result<Session> {
        let session_validator = match self.session_validator {
            Some(v) if v != Address::ZERO => v,
            _ => return Err(Error::MissingSessionValidator),
        };
        check_policies("userOp", &self.user_op_policies)?;
        check_policies("erc1271", &self.erc7739_policies.erc1271_policies)?;
        for (index, a) in self.actions.iter().enumerate() {
            if a.target == Address::ZERO {
                return Err(Error::ZeroActionTarget { index });
            }
            check_policies(&format!("action #{index}"), &a.policies)?;
        }
        let permission_id = ids::permission_id(
            session_validator,
            &self.session_validator_init_data,
            self.salt,
        );
        Ok(Session {
            session_validator,
            session_validator_init_data: self.session_validator_init_data,
            salt: self.salt,
            user_op_policies: self.user_op_policies,
            erc7739_policies: self.erc7739_policies,
            actions: self.actions,
            permit_erc4337_paymaster: self.permit_erc4337_paymaster,
            chain_id: self.chain_id,
            permission_id,
            eip712_hashes: DigestCache::default(),
        })
    }
}

fn check_policies(list: &str, policies: &[PolicyData]) -> Result<()> {
    match policies.iter().position(|p| p.policy == Address::ZERO) {
        Some(index) => Err(Error::ZeroPolicyAddress {
            list: list.to_owned(),
            index,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    fn base() -> SessionBuilder {
        Session::builder().session_validator(address!("0x2483DA3A338895199E5e538530213157e931Bf06"))
    }

    #[test]
    fn builder_rejects_unusable_sessions() {
        assert!(matches!(
            Session::builder().build(),
            Err(Error::MissingSessionValidator)
        ));
        assert!(matches!(
            Session::builder().session_validator(Address::ZERO).build(),
            Err(Error::MissingSessionValidator)
        ));
        let ok = PolicyData::new(Address::repeat_byte(1), Bytes::new());
        let zero = PolicyData::new(Address::ZERO, Bytes::new());
        assert!(matches!(
            base()
                .action(ActionData::new(
                    Address::repeat_byte(2),
                    FixedBytes::ZERO,
                    vec![]
                ))
                .action(ActionData::new(Address::ZERO, FixedBytes::ZERO, vec![]))
                .build(),
            Err(Error::ZeroActionTarget { index: 1 })
        ));
        let err = base()
            .action(ActionData::new(
                Address::repeat_byte(2),
                FixedBytes::ZERO,
                vec![ok, zero.clone()],
            ))
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::ZeroPolicyAddress { list, index: 1 } if list == "action #0"),
            "{err}"
        );
        assert!(matches!(
            base().user_op_policy(zero.clone()).build(),
            Err(Error::ZeroPolicyAddress { .. })
        ));
        assert!(matches!(
            base().erc1271_policy(zero).build(),
            Err(Error::ZeroPolicyAddress { .. })
        ));
    }

    #[test]
    fn version_checks_and_derived_flags() {
        let names = base()
            .erc7739_content_name("Permit(address owner)")
            .build()
            .unwrap();
        assert!(names.check_version(ModuleVersion::PreV1).is_ok());
        assert!(matches!(
            names.check_version(ModuleVersion::V1),
            Err(Error::VersionMismatch { .. })
        ));
        let ctx = base()
            .erc7739_context(Erc7739Context::default())
            .build()
            .unwrap();
        assert!(ctx.check_version(ModuleVersion::V1RegistryFree).is_ok());
        assert!(ctx.check_version(ModuleVersion::PreV1).is_err());
        let paymaster = base().permit_erc4337_paymaster(true).build().unwrap();
        assert!(paymaster.check_version(ModuleVersion::PreV1).is_ok());
        assert!(
            Session::abi_decode(ModuleVersion::V1, &paymaster.abi_encode(ModuleVersion::V1))
                .unwrap()
                .permit_erc4337_paymaster()
        );

        let plain = base().build().unwrap();
        assert!(!plain.permit_generic_policy() && !plain.permit_admin_access());
        let generic = base().action(ActionData::fallback(vec![])).build().unwrap();
        assert!(generic.permit_generic_policy() && !generic.permit_admin_access());
        let admin = base()
            .action(ActionData::new(
                FALLBACK_TARGET,
                FALLBACK_SELECTOR_SMART_SESSION_CALL,
                vec![],
            ))
            .build()
            .unwrap();
        assert!(admin.permit_admin_access() && !admin.permit_generic_policy());
        // The id is derived from the three id fields only, also through to_builder edits.
        let salted = plain
            .to_builder()
            .salt(B256::with_last_byte(9))
            .build()
            .unwrap();
        assert_ne!(salted.permission_id(), plain.permission_id());
        assert_eq!(
            salted.permission_id(),
            ids::permission_id(
                salted.session_validator(),
                salted.session_validator_init_data(),
                salted.salt()
            )
        );
    }
}
