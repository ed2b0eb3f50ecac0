//! EIP-712 enable digests, hand-ported from each SmartSession version's HashLib.
//!
//! The owner signs [`multichain_hash`] over one [`ChainDigest`] per chain; each chain's digest is
//! [`session_digest`], equal to the contract's `getSessionDigest(permissionId, account, session, mode)`.

use alloy_primitives::{Address, B256, Bytes, Keccak256, U256, b256, keccak256};

use crate::{
    ChainDigest, Erc7739Data, ModuleVersion, PolicyData, Session, SmartSessionMode,
    session::ActionData,
};

/// Full EIP-712 type strings (referenced types appended alphabetically) and their hashes.
pub mod typehash {
    use super::*;

    /// `EIP712Domain(string name,string version)`.
    pub const DOMAIN_TYPE: &str = "EIP712Domain(string name,string version)";
    /// keccak256 of [`DOMAIN_TYPE`].
    pub const DOMAIN: B256 =
        b256!("0xb03948446334eb9b2196d5eb166f69b9d49403eb4a12f36de8d3f9f3cb8e15c3");

    /// `PolicyData` (all versions).
    pub const POLICY_DATA_TYPE: &str = "PolicyData(address policy,bytes initData)";
    /// keccak256 of [`POLICY_DATA_TYPE`].
    pub const POLICY_DATA: B256 =
        b256!("0xdddac12cd8b10a071bea04226e97ac9490698394e19224abc47a5cfeeeb6ee97");
    /// `ActionData` (all versions).
    pub const ACTION_DATA_TYPE: &str = "ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)PolicyData(address policy,bytes initData)";
    /// keccak256 of [`ACTION_DATA_TYPE`].
    pub const ACTION_DATA: B256 =
        b256!("0x35809859dccf8877c407a59527c2f00fb81ca9c198ebcb0c832c3deaa38d3502");

    /// pre-v1 `ERC7739Data`.
    pub const PRE_V1_ERC7739_DATA_TYPE: &str = "ERC7739Data(string[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)";
    /// keccak256 of [`PRE_V1_ERC7739_DATA_TYPE`].
    pub const PRE_V1_ERC7739_DATA: B256 =
        b256!("0xdd8bf2f9b88fa557b2cb00ffd37dc4a3b8f3ff1d0d9e03c6f7c183f38869e91d");
    /// pre-v1 `SessionEIP712` (mode is a field).
    pub const PRE_V1_SESSION_TYPE: &str = "SessionEIP712(address account,address smartSession,uint8 mode,address sessionValidator,bytes32 salt,bytes sessionValidatorInitData,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions,uint256 nonce)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Data(string[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)";
    /// keccak256 of [`PRE_V1_SESSION_TYPE`].
    pub const PRE_V1_SESSION: B256 =
        b256!("0x45f5f60cec99c2d0a0198ec513b02d6926b8ec63dfaf7e9afba954108dd97ebd");
    /// pre-v1 `ChainSessionEIP712`.
    pub const PRE_V1_CHAIN_SESSION_TYPE: &str = "ChainSessionEIP712(uint64 chainId,SessionEIP712 session)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Data(string[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SessionEIP712(address account,address smartSession,uint8 mode,address sessionValidator,bytes32 salt,bytes sessionValidatorInitData,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions,uint256 nonce)";
    /// keccak256 of [`PRE_V1_CHAIN_SESSION_TYPE`].
    pub const PRE_V1_CHAIN_SESSION: B256 =
        b256!("0x9c5d301c45209fe15c8bb85bc08d4234ac9e1d48c0d22b7ab701ae25e640086b");
    /// pre-v1 `MultiChainSessionEIP712`.
    pub const PRE_V1_MULTICHAIN_SESSION_TYPE: &str = "MultiChainSessionEIP712(ChainSessionEIP712[] sessionsAndChainIds)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ChainSessionEIP712(uint64 chainId,SessionEIP712 session)ERC7739Data(string[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SessionEIP712(address account,address smartSession,uint8 mode,address sessionValidator,bytes32 salt,bytes sessionValidatorInitData,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions,uint256 nonce)";
    /// keccak256 of [`PRE_V1_MULTICHAIN_SESSION_TYPE`].
    pub const PRE_V1_MULTICHAIN_SESSION: B256 =
        b256!("0x9af9262be547d4cc9dd06591bab37efd72d2b9d5fca173afd326b5b5410dac18");

    /// v1 `ERC7739Context` (EIP-712 field name `contentName`, singular, as the bytecode hashes it).
    pub const V1_ERC7739_CONTEXT_TYPE: &str =
        "ERC7739Context(bytes32 appDomainSeparator,string[] contentName)";
    /// keccak256 of [`V1_ERC7739_CONTEXT_TYPE`].
    pub const V1_ERC7739_CONTEXT: B256 =
        b256!("0x006166b2b3a1edaf1da1ce02715d02d4979a4ab93755bff9ec054b0e6a96a1da");
    /// v1 `ERC7739Data`.
    pub const V1_ERC7739_DATA_TYPE: &str = "ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)PolicyData(address policy,bytes initData)";
    /// keccak256 of [`V1_ERC7739_DATA_TYPE`].
    pub const V1_ERC7739_DATA: B256 =
        b256!("0xdfd9b5718eebaa2484740b4ea6939e96189024c15848f16ccce901118114e152");
    /// v1 `SignedPermissions`.
    pub const V1_SIGNED_PERMISSIONS_TYPE: &str = "SignedPermissions(bool permitGenericPolicy,bool permitAdminAccess,bool ignoreSecurityAttestations,bool permitERC4337Paymaster,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)";
    /// keccak256 of [`V1_SIGNED_PERMISSIONS_TYPE`].
    pub const V1_SIGNED_PERMISSIONS: B256 =
        b256!("0x871289c05e426554eb0f843c9aa542f9c2bc4eba7742ada6a5c014d3568674d4");
    /// v1 `SignedSession`.
    pub const V1_SIGNED_SESSION_TYPE: &str = "SignedSession(address account,SignedPermissions permissions,address sessionValidator,bytes sessionValidatorInitData,bytes32 salt,address smartSession,uint256 nonce)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SignedPermissions(bool permitGenericPolicy,bool permitAdminAccess,bool ignoreSecurityAttestations,bool permitERC4337Paymaster,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions)";
    /// keccak256 of [`V1_SIGNED_SESSION_TYPE`].
    pub const V1_SIGNED_SESSION: B256 =
        b256!("0xd44896e3cb83d70abc949a38dd6f9f75e675dc329dfe958617f066f79ff88f05");
    /// v1 `ChainSession`.
    pub const V1_CHAIN_SESSION_TYPE: &str = "ChainSession(uint64 chainId,SignedSession session)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SignedPermissions(bool permitGenericPolicy,bool permitAdminAccess,bool ignoreSecurityAttestations,bool permitERC4337Paymaster,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions)SignedSession(address account,SignedPermissions permissions,address sessionValidator,bytes sessionValidatorInitData,bytes32 salt,address smartSession,uint256 nonce)";
    /// keccak256 of [`V1_CHAIN_SESSION_TYPE`].
    pub const V1_CHAIN_SESSION: B256 =
        b256!("0x1ea7e4bc398fa0ccd68d92b5d8931a3fd93eebe1cf0391b4ba28935801af7c80");
    /// v1 `MultiChainSession`.
    pub const V1_MULTICHAIN_SESSION_TYPE: &str = "MultiChainSession(ChainSession[] sessionsAndChainIds)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ChainSession(uint64 chainId,SignedSession session)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SignedPermissions(bool permitGenericPolicy,bool permitAdminAccess,bool ignoreSecurityAttestations,bool permitERC4337Paymaster,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions)SignedSession(address account,SignedPermissions permissions,address sessionValidator,bytes sessionValidatorInitData,bytes32 salt,address smartSession,uint256 nonce)";
    /// keccak256 of [`V1_MULTICHAIN_SESSION_TYPE`].
    pub const V1_MULTICHAIN_SESSION: B256 =
        b256!("0x0c9d02fb89a1da34d66ea2088dc9ee6a58efee71cef6f1bb849ed74fc6003d98");
}

/// `keccak256(abi.encode(DOMAIN, keccak256("SmartSession"), keccak256("1")))`: domain
/// `{name: "SmartSession", version: "1"}` (no chain id, no verifying contract); the same in every version.
pub const DOMAIN_SEPARATOR: B256 =
    b256!("0x057501e891776d1482927e5f094ae44049a4d893ba2d7b334dd7db8d38d3a0e1");

/// Builds `abi.encode` of up to 11 static words on the stack and hashes it.
struct Words {
    buf: [u8; 32 * 11],
    len: usize,
}

impl Words {
    fn new(typehash: B256, _capacity: usize) -> Self {
        let mut w = Self {
            buf: [0u8; 32 * 11],
            len: 0,
        };
        w.push(typehash);
        w
    }
    fn push(&mut self, word: B256) {
        self.buf[self.len..self.len + 32].copy_from_slice(word.as_slice());
        self.len += 32;
    }
    fn b256(mut self, w: B256) -> Self {
        self.push(w);
        self
    }
    fn address(self, a: Address) -> Self {
        self.b256(a.into_word())
    }
    fn uint(self, v: U256) -> Self {
        self.b256(B256::from(v))
    }
    fn flag(self, b: bool) -> Self {
        self.b256(B256::with_last_byte(b as u8))
    }
    fn hash(self) -> B256 {
        keccak256(&self.buf[..self.len])
    }
}

/// `keccak256(h_1 ‖ h_2 ‖ …)`, the EIP-712 hash of an array of structs.
fn hash_concat(items: impl Iterator<Item = B256>) -> B256 {
    let mut hasher = Keccak256::new();
    for h in items {
        hasher.update(h.as_slice());
    }
    hasher.finalize()
}

fn hash_policy(p: &PolicyData) -> B256 {
    Words::new(typehash::POLICY_DATA, 2)
        .address(p.policy)
        .b256(keccak256(&p.init_data))
        .hash()
}

fn hash_policies(ps: &[PolicyData]) -> B256 {
    hash_concat(ps.iter().map(hash_policy))
}

fn hash_action(a: &ActionData) -> B256 {
    let mut sel = B256::ZERO;
    sel[..4].copy_from_slice(a.selector.as_slice());
    Words::new(typehash::ACTION_DATA, 3)
        .b256(sel)
        .address(a.target)
        .b256(hash_policies(&a.policies))
        .hash()
}

fn hash_actions(actions: &[ActionData]) -> B256 {
    hash_concat(actions.iter().map(hash_action))
}

fn hash_strings(names: &[String]) -> B256 {
    hash_concat(names.iter().map(|s| keccak256(s.as_bytes())))
}

fn hash_erc7739_pre_v1(e: &Erc7739Data) -> B256 {
    Words::new(typehash::PRE_V1_ERC7739_DATA, 2)
        .b256(hash_strings(&e.content_names))
        .b256(hash_policies(&e.erc1271_policies))
        .hash()
}

fn hash_erc7739_v1(e: &Erc7739Data) -> B256 {
    let contexts = hash_concat(e.contexts.iter().map(|c| {
        Words::new(typehash::V1_ERC7739_CONTEXT, 2)
            .b256(c.app_domain_separator)
            .b256(hash_strings(&c.content_names))
            .hash()
    }));
    Words::new(typehash::V1_ERC7739_DATA, 2)
        .b256(contexts)
        .b256(hash_policies(&e.erc1271_policies))
        .hash()
}

/// The EIP-712 sub-hashes that depend on the session alone, derived on the session's first digest and kept.
///
/// They include every policy's `keccak256(initData)` (a universal-action policy alone is 3 KiB), so caching
/// them leaves [`session_digest`] with only the per-call words (account, SmartSession, mode, nonce, flags).
#[derive(Clone, Copy)]
pub(crate) struct SessionHashes {
    /// `keccak256(sessionValidatorInitData)`.
    validator_init_data: B256,
    /// `H(PolicyData[] userOpPolicies)`.
    user_op_policies: B256,
    /// `H(ActionData[] actions)`.
    actions: B256,
    /// pre-v1 `hashStruct(ERC7739Data)`.
    erc7739_pre_v1: B256,
    /// v1 `hashStruct(ERC7739Data)`.
    erc7739_v1: B256,
}

impl SessionHashes {
    /// Hashes a session's fields (both ERC-7739 layouts: a session is built before its target version is known).
    pub(crate) fn new(
        validator_init_data: &[u8],
        user_op_policies: &[PolicyData],
        erc7739_policies: &Erc7739Data,
        actions: &[ActionData],
    ) -> Self {
        Self {
            validator_init_data: keccak256(validator_init_data),
            user_op_policies: hash_policies(user_op_policies),
            actions: hash_actions(actions),
            erc7739_pre_v1: hash_erc7739_pre_v1(erc7739_policies),
            erc7739_v1: hash_erc7739_v1(erc7739_policies),
        }
    }
}

/// The per-chain session digest, equal to the contract's `getSessionDigest(pid, account, session, mode)`
/// when `nonce = getNonce(pid, account)`.
///
/// - pre-v1 hashes `mode` as a field: ENABLE and UNSAFE_ENABLE digests differ.
/// - v1 derives `permitGenericPolicy` / `permitAdminAccess` from the actions and
///   `ignoreSecurityAttestations = (mode == UNSAFE_ENABLE)`, and takes `permitERC4337Paymaster` from the session.
///
/// `mode` is normally ENABLE or UNSAFE_ENABLE; USE is hashed as the contract would hash it.
///
/// The session's own sub-hashes (policies, actions, ERC-7739 data, validator init data) are computed on the
/// first digest of a session and kept, so later digests hash only the per-call fields.
pub fn session_digest(
    version: ModuleVersion,
    session: &Session,
    account: Address,
    smart_session: Address,
    mode: SmartSessionMode,
    nonce: U256,
) -> B256 {
    let h = session.eip712_hashes();
    if version.is_v1() {
        let permissions = Words::new(typehash::V1_SIGNED_PERMISSIONS, 7)
            .flag(session.permit_generic_policy())
            .flag(session.permit_admin_access())
            .flag(mode == SmartSessionMode::UnsafeEnable)
            .flag(session.permit_erc4337_paymaster())
            .b256(h.user_op_policies)
            .b256(h.erc7739_v1)
            .b256(h.actions)
            .hash();
        Words::new(typehash::V1_SIGNED_SESSION, 7)
            .address(account)
            .b256(permissions)
            .address(session.session_validator())
            .b256(h.validator_init_data)
            .b256(session.salt())
            .address(smart_session)
            .uint(nonce)
            .hash()
    } else {
        Words::new(typehash::PRE_V1_SESSION, 10)
            .address(account)
            .address(smart_session)
            .uint(U256::from(mode.as_u8()))
            .address(session.session_validator())
            .b256(session.salt())
            .b256(h.validator_init_data)
            .b256(h.user_op_policies)
            .b256(h.erc7739_pre_v1)
            .b256(h.actions)
            .uint(nonce)
            .hash()
    }
}

/// The hash the owner signs to enable sessions on one or more chains (`permissionEnableHash`):
/// `keccak256(0x1901 ‖ DOMAIN_SEPARATOR ‖ keccak256(MULTICHAIN_TH ‖ keccak256(concat keccak256(CHAIN_TH ‖
/// uint256(chainId) ‖ digest))))`, in the given order. The formula is shared, but the chain and multichain
/// typehashes differ between pre-v1 (`…EIP712` type names) and v1.
pub fn multichain_hash(version: ModuleVersion, digests: &[ChainDigest]) -> B256 {
    let (chain_th, multi_th) = if version.is_v1() {
        (typehash::V1_CHAIN_SESSION, typehash::V1_MULTICHAIN_SESSION)
    } else {
        (
            typehash::PRE_V1_CHAIN_SESSION,
            typehash::PRE_V1_MULTICHAIN_SESSION,
        )
    };
    let chains = hash_concat(digests.iter().map(|d| {
        Words::new(chain_th, 2)
            .uint(U256::from(d.chain_id))
            .b256(d.session_digest)
            .hash()
    }));
    let struct_hash = Words::new(multi_th, 1).b256(chains).hash();
    let mut buf = [0u8; 66];
    buf[..2].copy_from_slice(&[0x19, 0x01]);
    buf[2..34].copy_from_slice(DOMAIN_SEPARATOR.as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

/// The owner's `permissionEnableSig` for accounts that route an ERC-1271 signature to one of their
/// validators by prefix: `validator (20 bytes) ‖ signature`.
///
/// SmartSession passes `permissionEnableSig` to `account.isValidSignature(hash, ..)`; Nexus,
/// Safe7579 and the ERC-7579 reference account read the first 20 bytes as the validator and pass
/// `signature` to its `isValidSignatureWithSender(SmartSession, hash, signature)`. Kernel's form is
/// [`AccountType::format_permission_enable_sig`](crate::AccountType::format_permission_enable_sig).
///
/// ```
/// use alloy_primitives::Address;
/// use nexus_sessions_types::validator_prefixed_permission_enable_sig;
///
/// let validator = Address::repeat_byte(0x11);
/// let sig = validator_prefixed_permission_enable_sig(validator, &[0xaa; 65]);
/// assert_eq!(&sig[..20], validator.as_slice());
/// assert_eq!(sig.len(), 20 + 65);
/// ```
pub fn validator_prefixed_permission_enable_sig(validator: Address, signature: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(20 + signature.len());
    out.extend_from_slice(validator.as_slice());
    out.extend_from_slice(signature);
    out.into()
}

/// Former name of [`validator_prefixed_permission_enable_sig`] (the form is not Nexus-specific).
#[deprecated(
    since = "0.1.0",
    note = "renamed to `validator_prefixed_permission_enable_sig`"
)]
pub fn nexus_permission_enable_sig(validator: Address, signature: &[u8]) -> Bytes {
    validator_prefixed_permission_enable_sig(validator, signature)
}

#[cfg(test)]
mod tests {
    use super::{typehash::*, *};
    use crate::{Erc7739Context, session::SessionBuilder};
    use alloy_primitives::FixedBytes;
    use proptest::prelude::*;

    /// The digest hashed from the session's fields on every call (no build-time sub-hashes): the reference
    /// the cached path must equal.
    fn session_digest_uncached(
        version: ModuleVersion,
        session: &Session,
        account: Address,
        smart_session: Address,
        mode: SmartSessionMode,
        nonce: U256,
    ) -> B256 {
        let user_ops = hash_policies(session.user_op_policies());
        let actions = hash_actions(session.actions());
        let validator_init = keccak256(session.session_validator_init_data());
        if version.is_v1() {
            let permissions = Words::new(V1_SIGNED_PERMISSIONS, 7)
                .flag(session.permit_generic_policy())
                .flag(session.permit_admin_access())
                .flag(mode == SmartSessionMode::UnsafeEnable)
                .flag(session.permit_erc4337_paymaster())
                .b256(user_ops)
                .b256(hash_erc7739_v1(session.erc7739_policies()))
                .b256(actions)
                .hash();
            Words::new(V1_SIGNED_SESSION, 7)
                .address(account)
                .b256(permissions)
                .address(session.session_validator())
                .b256(validator_init)
                .b256(session.salt())
                .address(smart_session)
                .uint(nonce)
                .hash()
        } else {
            Words::new(PRE_V1_SESSION, 10)
                .address(account)
                .address(smart_session)
                .uint(U256::from(mode.as_u8()))
                .address(session.session_validator())
                .b256(session.salt())
                .b256(validator_init)
                .b256(user_ops)
                .b256(hash_erc7739_pre_v1(session.erc7739_policies()))
                .b256(actions)
                .uint(nonce)
                .hash()
        }
    }

    fn address() -> impl Strategy<Value = Address> {
        // Nonzero, as the builder requires.
        any::<[u8; 20]>().prop_map(|mut b| {
            b[19] |= 1;
            Address::from(b)
        })
    }

    fn policies() -> impl Strategy<Value = Vec<PolicyData>> {
        // Up to 3.2 KiB of init data: the size of a universal-action policy.
        prop::collection::vec(
            (address(), prop::collection::vec(any::<u8>(), 0..3200))
                .prop_map(|(a, d)| PolicyData::new(a, d)),
            0..3,
        )
    }

    fn builder() -> impl Strategy<Value = SessionBuilder> {
        let action = (
            prop_oneof![address(), Just(crate::ids::FALLBACK_TARGET),],
            prop_oneof![
                any::<[u8; 4]>().prop_map(FixedBytes::from),
                Just(crate::ids::FALLBACK_SELECTOR),
                Just(crate::ids::FALLBACK_SELECTOR_SMART_SESSION_CALL),
            ],
            policies(),
        )
            .prop_map(|(t, s, p)| ActionData::new(t, s, p));
        let names = prop::collection::vec("[A-Za-z(), ]{0,24}", 0..3);
        let context = (any::<[u8; 32]>(), names.clone()).prop_map(|(d, n)| Erc7739Context {
            app_domain_separator: d.into(),
            content_names: n,
        });
        (
            address(),
            prop::collection::vec(any::<u8>(), 0..200),
            any::<[u8; 32]>(),
            policies(),
            (names, prop::collection::vec(context, 0..3), policies()),
            prop::collection::vec(action, 0..4),
            any::<bool>(),
        )
            .prop_map(|(v, init, salt, user_ops, (n, c, erc1271), actions, pm)| {
                Session::builder()
                    .session_validator(v)
                    .session_validator_init_data(init)
                    .salt(salt.into())
                    .user_op_policies(user_ops)
                    .erc7739_policies(Erc7739Data {
                        content_names: n,
                        contexts: c,
                        erc1271_policies: erc1271,
                    })
                    .actions(actions)
                    .permit_erc4337_paymaster(pm)
            })
    }

    fn mode() -> impl Strategy<Value = SmartSessionMode> {
        prop_oneof![
            Just(SmartSessionMode::Use),
            Just(SmartSessionMode::Enable),
            Just(SmartSessionMode::UnsafeEnable),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every layout (both ERC-7739 lists are hashed for each, whichever the session fills) and every mode.
        #[test]
        fn cached_digest_equals_uncached(
            b in builder(),
            version in prop::sample::select(ModuleVersion::ALL.to_vec()),
            account in address(),
            smart_session in address(),
            mode in mode(),
            nonce in any::<[u8; 32]>(),
        ) {
            let nonce = U256::from_be_bytes(nonce);
            let session = b.build().unwrap();
            let cached = session_digest(version, &session, account, smart_session, mode, nonce);
            prop_assert_eq!(
                cached,
                session_digest_uncached(version, &session, account, smart_session, mode, nonce)
            );
        }

        /// `to_builder` edits rebuild the sub-hashes: the edited session digests like one built from scratch,
        /// and equality, hashing and `Debug` ignore the sub-hashes.
        #[test]
        fn to_builder_recomputes_hashes(
            b in builder(),
            edit in builder(),
            version in prop::sample::select(ModuleVersion::ALL.to_vec()),
            account in address(),
            mode in mode(),
        ) {
            let session = b.build().unwrap();
            let e = edit.build().unwrap();
            let edited = session
                .to_builder()
                .session_validator_init_data(e.session_validator_init_data().clone())
                .user_op_policies(e.user_op_policies().to_vec())
                .erc7739_policies(e.erc7739_policies().clone())
                .actions(e.actions().to_vec())
                .build()
                .unwrap();
            let sm = version.canonical_address();
            prop_assert_eq!(
                session_digest(version, &edited, account, sm, mode, U256::ZERO),
                session_digest_uncached(version, &edited, account, sm, mode, U256::ZERO)
            );
            let rebuilt = session.to_builder().build().unwrap();
            prop_assert_eq!(&rebuilt, &session);
            let debug = format!("{session:?}");
            prop_assert_eq!(&format!("{rebuilt:?}"), &debug);
            prop_assert!(!debug.contains("eip712_hashes"), "Debug prints the cache");
        }
    }

    #[test]
    fn typehashes_recomputed_from_type_strings() {
        let all = [
            (DOMAIN_TYPE, DOMAIN),
            (POLICY_DATA_TYPE, POLICY_DATA),
            (ACTION_DATA_TYPE, ACTION_DATA),
            (PRE_V1_ERC7739_DATA_TYPE, PRE_V1_ERC7739_DATA),
            (PRE_V1_SESSION_TYPE, PRE_V1_SESSION),
            (PRE_V1_CHAIN_SESSION_TYPE, PRE_V1_CHAIN_SESSION),
            (PRE_V1_MULTICHAIN_SESSION_TYPE, PRE_V1_MULTICHAIN_SESSION),
            (V1_ERC7739_CONTEXT_TYPE, V1_ERC7739_CONTEXT),
            (V1_ERC7739_DATA_TYPE, V1_ERC7739_DATA),
            (V1_SIGNED_PERMISSIONS_TYPE, V1_SIGNED_PERMISSIONS),
            (V1_SIGNED_SESSION_TYPE, V1_SIGNED_SESSION),
            (V1_CHAIN_SESSION_TYPE, V1_CHAIN_SESSION),
            (V1_MULTICHAIN_SESSION_TYPE, V1_MULTICHAIN_SESSION),
        ];
        for (ty, hash) in all {
            assert_eq!(keccak256(ty), hash, "{ty}");
        }
    }

    #[test]
    fn domain_separator_recomputed() {
        let d = Words::new(DOMAIN, 2)
            .b256(keccak256("SmartSession"))
            .b256(keccak256("1"))
            .hash();
        assert_eq!(d, DOMAIN_SEPARATOR);
    }

    #[test]
    fn nexus_sig_is_prefixed() {
        let v = Address::repeat_byte(0x42);
        let s = validator_prefixed_permission_enable_sig(v, &[1, 2, 3]);
        assert_eq!(&s[..20], v.as_slice());
        assert_eq!(&s[20..], &[1, 2, 3]);
    }
}
