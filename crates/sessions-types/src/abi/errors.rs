//! Custom errors of SmartSession (all versions), its policies, the ERC-7484 registry and the EntryPoint,
//! and [`decode_revert`], which turns revert data into a readable name, arguments and an explanation.

use core::fmt;

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256, hex};
use alloy_sol_types::{SolError, SolInterface};

/// Renders one decoded error argument for humans.
trait RevertArg {
    fn render(&self) -> String;
}
impl RevertArg for Address {
    fn render(&self) -> String {
        self.to_checksum(None)
    }
}
impl RevertArg for B256 {
    fn render(&self) -> String {
        self.to_string()
    }
}
impl RevertArg for FixedBytes<1> {
    fn render(&self) -> String {
        self.to_string()
    }
}
impl RevertArg for U256 {
    fn render(&self) -> String {
        self.to_string()
    }
}
impl RevertArg for u64 {
    fn render(&self) -> String {
        self.to_string()
    }
}
impl RevertArg for u8 {
    fn render(&self) -> String {
        self.to_string()
    }
}
impl RevertArg for String {
    fn render(&self) -> String {
        format!("{self:?}")
    }
}
impl RevertArg for Bytes {
    fn render(&self) -> String {
        self.to_string()
    }
}

macro_rules! known_errors {
    ($( $name:ident ( $( $ty:ident $arg:ident ),* ) => $hint:literal ; )*) => {
        alloy_sol_types::sol! {
            #![sol(all_derives)]
            /// Every custom error this crate knows how to explain (SmartSession of all versions, the
            /// policies, the ERC-7484 registry and the EntryPoint's `FailedOp*`).
            interface IKnownErrors {
                $( error $name( $( $ty $arg ),* ); )*
            }
        }

        /// Selectors and names of every known error, for listings and tests.
        pub const KNOWN_ERRORS: &[(&str, [u8; 4])] = &[
            $( (stringify!($name), <IKnownErrors::$name as SolError>::SELECTOR), )*
        ];

        fn describe(e: &IKnownErrors::IKnownErrorsErrors) -> DecodedRevert {
            match e {
                $(
                    IKnownErrors::IKnownErrorsErrors::$name(_e) => DecodedRevert {
                        name: stringify!($name).to_owned(),
                        selector: Some(<IKnownErrors::$name as SolError>::SELECTOR),
                        args: vec![ $( (stringify!($arg).to_owned(), RevertArg::render(&_e.$arg)) ),* ],
                        hint: Some($hint),
                        inner: None,
                    },
                )*
            }
        }
    };
}

known_errors! {
    InvalidUserOpSender(address sender) => "userOp.sender is not the account that called validateUserOp";
    InvalidPermissionId(bytes32 permissionId) => "the permission is not enabled for this account: enable it first or send the userOp in ENABLE / UNSAFE_ENABLE mode";
    InvalidSession(bytes32 permissionId) => "pre-v1 management call for a permission that is not enabled for the calling account";
    NoPoliciesSet(bytes32 permissionId) => "no policy covers this call: add an action for this (target, selector), or a fallback action (address(1), 0x00000001)";
    PolicyViolation(bytes32 permissionId, address policy) => "a policy rejected the userOp (limit reached, outside the time frame, a parameter rule failed, ...)";
    PolicyCheckReverted(bytes32 revertReason) => "a policy call reverted; the argument is the first 32 bytes of its revert data (often an uninitialised policy)";
    ForbiddenValidationData() => "a policy returned the reserved RETRY_WITH_FALLBACK value";
    UnsupportedExecutionType() => "SmartSession only accepts execute() with call type single (0x00) or batch (0x01) and exec type default (0x00)";
    InvalidSelfCall() => "a session may not call execute() on the account itself";
    InvalidTarget() => "address(1) is not a valid call target";
    NoExecutionsInBatch() => "the batch execution is empty";
    InvalidActionId() => "an action targets address(0) or SmartSession itself, or has action id 0";
    UnsupportedPolicy(address policy) => "the policy does not implement the ERC-165 interface for its role (v1 also requires supportsInterface(0xffffffff) == false)";
    InvalidISessionValidator(address sessionValidator) => "the session validator is address(0) or isModuleType(7) returned false";
    SignerNotFound(bytes32 permissionId, address account) => "no session validator is stored for this permission";
    InvalidEnableSignature(address account, bytes32 hash) => "the account's isValidSignature rejected the owner's enable signature (check the validator prefix, the signed hash and, for K1/MEE validators, the safe sender)";
    ChainIdMismatch(uint64 providedChainId) => "hashesAndChainIds[chainDigestIndex] is for another chain";
    HashMismatch(bytes32 providedHash, bytes32 computedHash) => "the session digest in the signature differs from the one the contract computed (wrong nonce, mode, version or session fields)";
    SmartSessionModuleAlreadyInstalled(address account) => "onInstall: the account already has enabled sessions";
    InvalidData() => "malformed data (pre-v1 onInstall given the v1 mode-byte format?)";
    UnsupportedSmartSessionMode(uint8 mode) => "unknown SmartSession mode";
    AssociatedArray_OutOfBounds(uint256 index) => "index out of bounds in an associated array";
    HashIndexOutOfBounds(uint256 index) => "chain digest index out of bounds";
    InvalidSessionKeySignature(bytes32 permissionId, address sessionValidator, address account, bytes32 userOpHash) => "the session key signature is invalid";
    InvalidCallTarget() => "invalid call target";
    PartlyEnabledActions() => "some actions are not enabled";
    PartlyEnabledPolicies() => "some policies are not enabled";
    InvalidMode() => "v1 onInstall data must start with mode byte 0x01 (ENABLE) or 0x02 (UNSAFE_ENABLE)";
    PaymasterValidationNotEnabled(bytes32 permissionId) => "v1: the userOp uses a paymaster but the session has permitERC4337Paymaster = false (it also needs at least one userOp policy)";
    UnsupportedCallType(bytes1 callType) => "v1 registry-free: only call types single (0x00) and batch (0x01) are supported";
    DecodingError() => "v1.0.0 could not decode the execution calldata";
    PolicyNotInitialized(bytes32 id, address mxer, address account) => "the policy has no config for this (configId, SmartSession, account); it was not enabled with this permission/action";
    ValueLimitExceeded(bytes32 id, uint256 value, uint256 limit) => "the call's ETH value exceeds the policy's limit";
    InvalidTokenAddress(address token) => "spending limit policy: a token is address(0)";
    InvalidLimit(uint256 limit) => "spending limit policy: a limit is zero";
    NoTrustedAttestersFound() => "registry: the account trusts no attesters (call trustAttesters, or use UNSAFE_ENABLE / v1 registry-free)";
    AttestationNotFound() => "registry: a policy or session validator has no attestation from a trusted attester";
    RevokedAttestation(address attester) => "registry: the attestation was revoked";
    InvalidModuleType() => "registry: the module is not attested for the requested module type (session validators need type 7)";
    InsufficientAttestations() => "registry: fewer attestations than the account's threshold";
    FailedOp(uint256 opIndex, string reason) => "EntryPoint rejected the userOp (see the AAxx code in the reason)";
    FailedOpWithRevert(uint256 opIndex, string reason, bytes inner) => "EntryPoint: the account or paymaster reverted during validation; `inner` is its revert data";
}

/// Revert data decoded for humans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedRevert {
    /// Error name (`InvalidPermissionId`, `Error`, `Panic`, `EmptyRevert`, `Unknown`).
    pub name: String,
    /// The 4-byte selector, when the data had one.
    pub selector: Option<[u8; 4]>,
    /// Named arguments, rendered (addresses checksummed, numbers in decimal, bytes in hex).
    pub args: Vec<(String, String)>,
    /// What usually causes it.
    pub hint: Option<&'static str>,
    /// For `FailedOpWithRevert`: the decoded inner revert data.
    pub inner: Option<Box<Self>>,
}

impl fmt::Display for DecodedRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        f.write_str("(")?;
        for (i, (k, v)) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k}: {v}")?;
        }
        f.write_str(")")?;
        if let Some(h) = self.hint {
            write!(f, ": {h}")?;
        }
        if let Some(inner) = &self.inner {
            write!(f, " <- {inner}")?;
        }
        Ok(())
    }
}

fn panic_meaning(code: U256) -> &'static str {
    // Codes that do not fit u64 are unknown, not a conversion panic.
    match u64::try_from(code).unwrap_or(u64::MAX) {
        0x01 => "assert failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division by zero",
        0x21 => "invalid enum value (SmartSession: a signature mode byte above 0x02)",
        0x22 => "bad storage byte array",
        0x31 => "pop on an empty array",
        0x32 => {
            "array index out of bounds (SmartSession: chainDigestIndex beyond hashesAndChainIds)"
        }
        0x41 => "out of memory",
        0x51 => "call to an uninitialised function pointer",
        _ => "unknown panic code",
    }
}

/// Decodes revert data into a readable error. Never fails: unknown data is reported as `Unknown`.
///
/// ```
/// use nexus_sessions_types::abi::decode_revert;
/// use alloy_primitives::hex;
/// let d = decode_revert(&hex!("526d0da5" "00000000000000000000000000000000000000000000000000000000000000ff"));
/// assert_eq!(d.name, "InvalidPermissionId");
/// assert!(d.to_string().starts_with("InvalidPermissionId(permissionId: 0x00"));
/// ```
pub fn decode_revert(data: &[u8]) -> DecodedRevert {
    decode_revert_depth(data, 0)
}

fn decode_revert_depth(data: &[u8], depth: usize) -> DecodedRevert {
    if data.is_empty() {
        return DecodedRevert {
            name: "EmptyRevert".to_owned(),
            selector: None,
            args: vec![],
            hint: Some(
                "revert without data (pre-v1: malformed USE signature, or no code at the registry address; \
                 out of gas)",
            ),
            inner: None,
        };
    }
    if let Ok(e) = IKnownErrors::IKnownErrorsErrors::abi_decode(data) {
        let mut d = describe(&e);
        if let IKnownErrors::IKnownErrorsErrors::FailedOpWithRevert(f) = &e
            && depth < 4
        {
            d.inner = Some(Box::new(decode_revert_depth(&f.inner, depth + 1)));
        }
        return d;
    }
    if let Ok(r) = alloy_sol_types::Revert::abi_decode(data) {
        return DecodedRevert {
            name: "Error".to_owned(),
            selector: Some(alloy_sol_types::Revert::SELECTOR),
            args: vec![("reason".to_owned(), format!("{:?}", r.reason))],
            hint: None,
            inner: None,
        };
    }
    if let Ok(p) = alloy_sol_types::Panic::abi_decode(data) {
        return DecodedRevert {
            name: "Panic".to_owned(),
            selector: Some(alloy_sol_types::Panic::SELECTOR),
            args: vec![("code".to_owned(), format!("0x{:x}", p.code))],
            hint: Some(panic_meaning(p.code)),
            inner: None,
        };
    }
    let selector = data.get(..4).map(|s| [s[0], s[1], s[2], s[3]]);
    DecodedRevert {
        name: "Unknown".to_owned(),
        selector,
        args: vec![("data".to_owned(), hex::encode_prefixed(data))],
        hint: None,
        inner: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    /// Selectors from the on-chain reference's error table, recomputed by alloy from the signatures.
    #[test]
    fn selectors_match_reference_table() {
        let expected: &[(&str, &str)] = &[
            ("InvalidUserOpSender", "04a4ab94"),
            ("InvalidPermissionId", "526d0da5"),
            ("InvalidSession", "92d69f9c"),
            ("NoPoliciesSet", "1c792c05"),
            ("PolicyViolation", "3b577361"),
            ("PolicyCheckReverted", "f4270752"),
            ("ForbiddenValidationData", "2d39e3f4"),
            ("UnsupportedExecutionType", "6c4872f9"),
            ("InvalidSelfCall", "540733ea"),
            ("InvalidTarget", "82d5d76a"),
            ("NoExecutionsInBatch", "56d93c1a"),
            ("InvalidActionId", "e068d3a2"),
            ("UnsupportedPolicy", "6a01dd01"),
            ("InvalidISessionValidator", "a7eae112"),
            ("SignerNotFound", "6aeeaff8"),
            ("InvalidEnableSignature", "3ca8ef0c"),
            ("ChainIdMismatch", "e75e2379"),
            ("HashMismatch", "0b08d5be"),
            ("SmartSessionModuleAlreadyInstalled", "bcf00e1d"),
            ("InvalidData", "5cb045db"),
            ("UnsupportedSmartSessionMode", "97dc33dc"),
            ("AssociatedArray_OutOfBounds", "8277484f"),
            ("HashIndexOutOfBounds", "2c502de1"),
            ("InvalidSessionKeySignature", "cf92faf8"),
            ("InvalidCallTarget", "05eae184"),
            ("PartlyEnabledActions", "a9fc47ea"),
            ("PartlyEnabledPolicies", "25a77122"),
            ("InvalidMode", "a0042b17"),
            ("PaymasterValidationNotEnabled", "d5dc9fa4"),
            ("UnsupportedCallType", "b96fcfe4"),
            ("DecodingError", "ba597e7e"),
            ("PolicyNotInitialized", "6d3a33ce"),
            ("ValueLimitExceeded", "8a8a722d"),
            ("InvalidTokenAddress", "73306803"),
            ("InvalidLimit", "cdff33a4"),
            ("NoTrustedAttestersFound", "05a74e61"),
            ("AttestationNotFound", "120a2e77"),
            ("RevokedAttestation", "879943f8"),
            ("InvalidModuleType", "2125deae"),
            ("InsufficientAttestations", "e424f994"),
        ];
        for (name, sel) in expected {
            let found = KNOWN_ERRORS
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(hex::encode(found.1), *sel, "{name}");
        }
    }

    #[test]
    fn decodes_known_error_with_args() {
        let data = IKnownErrors::HashMismatch {
            providedHash: B256::repeat_byte(1),
            computedHash: B256::repeat_byte(2),
        }
        .abi_encode();
        let d = decode_revert(&data);
        assert_eq!(d.name, "HashMismatch");
        assert_eq!(
            d.args[0],
            ("providedHash".to_owned(), B256::repeat_byte(1).to_string())
        );
        assert!(d.hint.unwrap().contains("digest"));
    }

    #[test]
    fn decodes_nested_failed_op() {
        let inner = IKnownErrors::InvalidPermissionId {
            permissionId: B256::ZERO,
        }
        .abi_encode();
        let data = IKnownErrors::FailedOpWithRevert {
            opIndex: U256::ZERO,
            reason: "AA23 reverted".into(),
            inner: inner.into(),
        }
        .abi_encode();
        let d = decode_revert(&data);
        assert_eq!(d.name, "FailedOpWithRevert");
        assert_eq!(d.inner.as_ref().unwrap().name, "InvalidPermissionId");
        assert!(d.to_string().contains("<- InvalidPermissionId"));
    }

    #[test]
    fn decodes_panic_error_empty_and_unknown() {
        let p = alloy_sol_types::Panic {
            code: U256::from(0x21),
        }
        .abi_encode();
        let d = decode_revert(&p);
        assert_eq!(d.name, "Panic");
        assert!(d.hint.unwrap().contains("mode byte"));
        let e = alloy_sol_types::Revert {
            reason: "nope".into(),
        }
        .abi_encode();
        assert_eq!(decode_revert(&e).args[0].1, "\"nope\"");
        assert_eq!(decode_revert(&[]).name, "EmptyRevert");
        let u = decode_revert(&hex!("deadbeef01"));
        assert_eq!(u.name, "Unknown");
        assert_eq!(u.selector, Some(hex!("deadbeef")));
        // Truncated known error: not decodable as that error, reported as unknown, no panic.
        assert_eq!(decode_revert(&hex!("526d0da500")).name, "Unknown");
    }

    /// Fuzz-found regression: `Panic(uint256)` codes >= 2^64 panicked in a u64 conversion.
    #[test]
    fn panic_codes_beyond_u64_are_unknown() {
        for code in [
            U256::from(1u128 << 64),
            U256::from((1u128 << 64) + 1),
            U256::MAX,
        ] {
            let d = decode_revert(&alloy_sol_types::Panic { code }.abi_encode());
            assert_eq!(d.name, "Panic");
            assert_eq!(d.hint, Some("unknown panic code"));
            assert_eq!(d.args[0].1, format!("0x{code:x}"));
        }
    }
}
