//! The crate's error type.

use crate::policy_check::PolicyViolation;
use alloy_primitives::{Address, B256, U256};
use alloy_provider::transport::TransportError;
use nexus_sessions_bundler::BundlerError;
use nexus_sessions_types::{PermissionId, abi::DecodedRevert};
use nexus_sessions_userop::UserOperation;
use std::time::Duration;

/// What an error says about the user operation it concerns: the three outcomes of a send.
///
/// - [`SendOutcome::NotSent`]: the operation never reached a bundler's mempool (or was refused on
///   arrival); it cannot land. Build a new one or give up.
/// - [`SendOutcome::Unknown`]: it may have landed or may still land. Never build a new operation for
///   the same intent: resend the same signed operation
///   ([`NexusClient::resend_user_operation`](crate::NexusClient::resend_user_operation) /
///   [`SessionKeyClient::resend_user_operation`](crate::SessionKeyClient::resend_user_operation))
///   or wait for its hash.
/// - [`SendOutcome::Landed`]: it was included (its execution reverted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Certainly not sent: nothing will land.
    NotSent,
    /// May have landed or may still land; the userOpHash to look for.
    Unknown {
        /// The userOpHash.
        user_op_hash: B256,
    },
    /// Included on chain (execution reverted).
    Landed {
        /// The userOpHash.
        user_op_hash: B256,
    },
}

/// Everything that can go wrong in the Nexus facade.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A user operation needs at least one call.
    #[error("no calls given: a user operation needs at least one call")]
    NoCalls,
    /// Bytes that should be `execute(bytes32,bytes)` account calldata are not.
    #[error("invalid execute calldata: {0}")]
    InvalidExecuteCalldata(String),
    /// The module is not installed on the account.
    #[error("module {module} is not installed on the account")]
    ModuleNotInstalled {
        /// The module looked for.
        module: Address,
    },
    /// An ABI reply or payload could not be decoded.
    #[error("could not decode {what}: {source}")]
    AbiDecode {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: alloy_sol_types::Error,
    },
    /// A URL could not be parsed or uses a scheme this build cannot speak.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given, with credentials masked ([`redact_url`](crate::redact_url)).
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The node failed a JSON-RPC request (transport or JSON-RPC error other than a revert).
    #[error("node request {method} failed: {source}")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// The transport error.
        #[source]
        source: TransportError,
    },
    /// The node answered something unusable.
    #[error("node request {method}: {reason}")]
    UnexpectedReply {
        /// The JSON-RPC method.
        method: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A read-only contract call reverted.
    #[error("{call} on {to} reverted: {revert}")]
    CallReverted {
        /// The function called.
        call: &'static str,
        /// The contract.
        to: Address,
        /// The decoded revert data.
        revert: Box<DecodedRevert>,
    },
    /// The bundler rejected a request.
    #[error("bundler: {source}{}", decoded.as_ref().map(|d| format!(" [decoded: {d}]")).unwrap_or_default())]
    Bundler {
        /// The bundler client's error.
        #[source]
        source: Box<BundlerError>,
        /// The account's / module's revert data decoded with the SmartSession error table.
        decoded: Option<Box<DecodedRevert>>,
    },
    /// The paymaster service failed or refused to sponsor (`pm_getPaymasterStubData` /
    /// `pm_getPaymasterData`); the operation was not sent.
    #[error("paymaster: {source}")]
    Paymaster {
        /// The paymaster client's error (its method is the `pm_*` method asked).
        #[source]
        source: Box<BundlerError>,
    },
    /// The paymaster service's final data names another paymaster than its stub data (the gas was
    /// estimated for the stub's); the operation was not sent.
    #[error(
        "paymaster service answered paymaster {data} for final data after stub data for {stub}"
    )]
    PaymasterMismatch {
        /// The stub's paymaster.
        stub: Address,
        /// The final data's paymaster.
        data: Address,
    },
    /// A sponsored operation of a session the SmartSession module would refuse it for (v1: the
    /// session lacks `permitERC4337Paymaster`, or has no user-operation policy); refused before any
    /// request. Grant the session with
    /// [`PermissionRequest::permit_erc4337_paymaster`](crate::PermissionRequest::permit_erc4337_paymaster),
    /// or send unsponsored.
    #[error("session {permission_id} may not use a paymaster: {reason}")]
    PaymasterNotPermitted {
        /// The session.
        permission_id: PermissionId,
        /// What the module checks that the session fails.
        reason: &'static str,
    },
    /// An operation built offline cannot be sponsored (the paymaster service must be asked);
    /// build it with [`Sponsorship::Unsponsored`](crate::Sponsorship::Unsponsored).
    #[error(
        "an operation built offline cannot be sponsored: the paymaster service must sign it; use Sponsorship::Unsponsored"
    )]
    SponsoredOffline,
    /// A Smart Sessions encoding failed.
    #[error(transparent)]
    Sessions(#[from] nexus_sessions_types::Error),
    /// A user operation could not be built.
    #[error(transparent)]
    UserOperation(#[from] nexus_sessions_userop::Error),
    /// The signer failed.
    #[error("signer: {0}")]
    Signer(Box<alloy_signer::Error>),
    /// The session key client refused calls its session's policies would reject.
    #[error("policy violation: {0}")]
    PolicyViolation(Box<PolicyViolation>),
    /// The account has no code yet (a session key cannot deploy the granter's account).
    #[error("account {account} is not deployed")]
    AccountNotDeployed {
        /// The account.
        account: Address,
    },
    /// An operation built without the network needs every fee and gas limit of
    /// [`SendOptions`](crate::SendOptions).
    #[error("building an operation offline needs {missing} in SendOptions")]
    OfflineNeedsGas {
        /// The options that are not set.
        missing: &'static str,
    },
    /// The permission is not enabled on chain and the session data holds no enable signature.
    #[error(
        "permission {permission_id} is not enabled for account {account} and no enable data is available"
    )]
    PermissionNotEnabled {
        /// The permission.
        permission_id: PermissionId,
        /// The account.
        account: Address,
    },
    /// The session key signing does not own the session (its validator init data does not list it).
    #[error("signer {signer} is not an owner of session {permission_id} (owners: {owners:?})")]
    WrongSessionKey {
        /// The signer's address.
        signer: Address,
        /// The session.
        permission_id: PermissionId,
        /// The owners in the session validator init data.
        owners: Vec<Address>,
    },
    /// Nobody said how session keys sign for this (unknown) session validator.
    #[error(
        "unknown signature style for session validator {validator}: set Deployment::session_signature_style, the session data's sessionSignatureStyle or SessionKeyClientBuilder::signature_style (eip191, eip191-v-plus-4 or raw-hash)"
    )]
    UnknownSignatureStyle {
        /// The session validator.
        validator: Address,
    },
    /// The bundler refused the session key's signature (AA24 / invalid signature) although the key
    /// owns the session: the session validator most likely expects another signature style.
    #[error(
        "the session validator {validator} rejected the session key's {style} signature (AA24): if it is the current OwnableValidator (0x000000000013fdB5…) sign eip191-v-plus-4 or raw-hash, if it is the original one (0x2483DA3A…) or an EIP-191 validator sign eip191 (Deployment::session_signature_style / SessionKeyClientBuilder::signature_style); bundler: {source}"
    )]
    SessionSignatureRejected {
        /// The style the key signed in.
        style: nexus_sessions_types::SessionSignatureStyle,
        /// The session validator.
        validator: Address,
        /// The bundler's rejection.
        #[source]
        source: Box<Self>,
    },
    /// The session's enable signature does not cover the client's chain.
    #[error(
        "chain {chain_id} is not one of the chains the owner signed this session for ({chains:?}); grant it for this chain"
    )]
    ChainNotInSession {
        /// The client's chain.
        chain_id: u64,
        /// The chains the enable signature covers (`hashesAndChainIds`, in order).
        chains: Vec<u64>,
    },
    /// The session data's `chainDigestIndex` does not select the client's chain in
    /// `hashesAndChainIds` (SmartSession would revert with a panic or `ChainIdMismatch`).
    #[error(
        "chainDigestIndex {index} is wrong on chain {chain_id}: {}; this chain's digest is at index {expected} (use the session data written for chain {chain_id})",
        points_at.map_or_else(|| format!("out of range for {len} chain digests"), |c| format!("it selects chain {c}"))
    )]
    WrongChainDigestIndex {
        /// The client's chain.
        chain_id: u64,
        /// The index in the session data.
        index: u8,
        /// The chain that index selects (`None`: out of range).
        points_at: Option<u64>,
        /// Number of chain digests.
        len: usize,
        /// Where the client's chain is in the list.
        expected: usize,
    },
    /// The owner signed this chain's session digest over another enable nonce than the chain's
    /// current one (the signature was revoked or already used), or over another session or account.
    #[error(
        "stale enable signature on chain {chain_id}: the owner signed session digest {signed}, which does not match permission {permission_id} with the chain's enable nonce {nonce} (revoked, already used, or made for another account); ask the owner for a new grant"
    )]
    StaleEnableSignature {
        /// The chain.
        chain_id: u64,
        /// The permission.
        permission_id: PermissionId,
        /// `getNonce(permissionId, account)` on that chain.
        nonce: U256,
        /// The digest in `hashesAndChainIds[chainDigestIndex]`.
        signed: B256,
    },
    /// The session data does not contain what is needed.
    #[error("invalid session data: {0}")]
    InvalidSessionData(String),
    /// The nonce strategy's pool size or key range is impossible.
    #[error("invalid nonce strategy: {0}")]
    InvalidNonceStrategy(String),
    /// A permission request cannot be turned into a session.
    #[error("invalid permission request: {0}")]
    InvalidPermission(String),
    /// The factory's `computeAccountAddress` disagrees with the local formula, or returned zero.
    #[error("account address: local {local:?}, factory {factory}")]
    AddressMismatch {
        /// The locally computed address, if any.
        local: Option<Address>,
        /// What the factory returned.
        factory: Address,
    },
    /// The account address cannot be computed locally and no node was given to ask the factory.
    #[error(
        "the deployment carries no NexusProxy creation code (or no implementation), so the account address needs the factory's computeAccountAddress: give a node URL, or set proxy_creation_code"
    )]
    NoLocalAddress,
    /// The bundler may have received the operation but its outcome could not be settled (answer lost
    /// or unreadable, gateway errors, a receipt that did not come in time for an operation this
    /// client sent). The operation **may still land**. Resend this very operation (never a new
    /// one for the same intent): [`NexusClient::resend_user_operation`](crate::NexusClient::resend_user_operation)
    /// or [`SessionKeyClient::resend_user_operation`](crate::SessionKeyClient::resend_user_operation),
    /// then wait for `user_op_hash`; a second landing is impossible because the EntryPoint consumes
    /// its nonce.
    #[error(
        "outcome of user operation {user_op_hash} unknown: it may still land; resend the same signed operation (resend_user_operation) and wait for its receipt, never build a new one for this intent ({cause})"
    )]
    OutcomeUnknown {
        /// The userOpHash (computed locally from the entry point and chain id).
        user_op_hash: B256,
        /// The signed operation, to resend as is.
        user_operation: Box<UserOperation>,
        /// The last fault seen.
        #[source]
        cause: Box<BundlerError>,
    },
    /// [`resend_user_operation`](crate::NexusClient::resend_user_operation) was given an operation
    /// of another account.
    #[error("cannot resend an operation of {sender} through the client of account {account}")]
    InvalidResend {
        /// The operation's sender.
        sender: Address,
        /// This client's account.
        account: Address,
    },
    /// No receipt arrived in time.
    #[error(
        "no receipt for user operation {hash} after {waited:?}; it may still be included later"
    )]
    ReceiptTimeout {
        /// The userOpHash.
        hash: B256,
        /// How long the client waited.
        waited: Duration,
    },
    /// No receipt for a transaction sent to the node in time.
    #[error("no receipt for transaction {hash} after {waited:?}; it may still be mined later")]
    TransactionTimeout {
        /// The transaction hash.
        hash: B256,
        /// How long the client waited.
        waited: Duration,
    },
    /// EIP-7702 accounts need a Nexus with a default validator (1.2): an older Nexus cannot validate
    /// without an initialization, and initializing a delegated EOA is unsafe.
    #[error(
        "EIP-7702 accounts need Nexus 1.2 (default validator, no initialization); this deployment runs Nexus {version}"
    )]
    Eip7702Unsupported {
        /// The deployment's Nexus version.
        version: nexus_sessions_types::NexusVersion,
    },
    /// An EIP-7702 account would be broken by what was asked (initializing it, a custom init,
    /// or a factory).
    #[error("refused on the EIP-7702 account {account}: {reason}")]
    Eip7702Refused {
        /// The EOA.
        account: Address,
        /// What would break it.
        reason: &'static str,
    },
    /// The EOA's code after a delegation does not delegate to the expected contract: the
    /// authorization was skipped (a wrong authorization nonce is skipped silently).
    #[error(
        "delegation of {account} to {expected} did not happen (code now says: {state}); a wrong authorization nonce is skipped silently"
    )]
    DelegationNotApplied {
        /// The EOA.
        account: Address,
        /// The delegate asked for (`address(0)` = un-delegation).
        expected: Address,
        /// What the code says now.
        state: crate::DelegationState,
        /// When this is the receipt check of an operation that carried the authorization: that
        /// operation, which landed ([`SendOutcome::Landed`]: do not send the intent again).
        /// `None` for a delegation transaction or an operation that was never sent.
        user_op_hash: Option<B256>,
    },
    /// The EOA is not delegated to the Nexus implementation, so it is no account (the EntryPoint
    /// answers AA20): delegate (or re-delegate) first.
    #[error(
        "{account} is not delegated to Nexus (delegation: {state}); the EntryPoint sees no account (AA20): delegate first with delegate() (a type-4 transaction the EOA pays), redelegate() (replaces another delegate), or any owner operation of an .eip7702() client (it carries the authorization; not after undelegate())"
    )]
    NotDelegated {
        /// The EOA.
        account: Address,
        /// What its code says.
        state: crate::DelegationState,
    },
    /// Another caller's operation carrying the EOA's delegation (`eip7702Auth`) has no known
    /// outcome within the receipt timeout, so this operation was not sent: sending it without the
    /// delegation would fail AA20, and a second authorization would race the first. Retry once
    /// that operation settled.
    #[error(
        "the delegation of {account} is in flight{} and has no outcome yet; this operation was not sent: retry once it landed",
        user_op_hash.map(|h| format!(" (operation {h})")).unwrap_or_default()
    )]
    DelegationPending {
        /// The EOA.
        account: Address,
        /// The operation carrying the authorization, when it was sent.
        user_op_hash: Option<B256>,
    },
    /// The user operation was included but its execution reverted.
    #[error("user operation {hash} reverted in transaction {transaction_hash}{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    UserOperationReverted {
        /// The userOpHash.
        hash: B256,
        /// The bundle transaction.
        transaction_hash: B256,
        /// The revert reason; custom errors decoded with the SmartSession / policy error table.
        reason: Option<String>,
    },
}

impl Error {
    /// An [`Error::Paymaster`] for a paymaster client's error.
    pub(crate) fn paymaster(source: BundlerError) -> Self {
        Self::Paymaster {
            source: Box::new(source),
        }
    }

    /// An [`Error::AbiDecode`] for `what`.
    pub(crate) fn abi(what: &'static str, source: alloy_sol_types::Error) -> Self {
        Self::AbiDecode { what, source }
    }

    /// The EntryPoint `AAnn` code of a bundler rejection, if any.
    pub fn aa_code(&self) -> Option<nexus_sessions_bundler::AaCode> {
        match self {
            Self::Bundler { source, .. } => source.aa_code(),
            Self::SessionSignatureRejected { source, .. } => source.aa_code(),
            _ => None,
        }
    }

    /// Whether the bundler refused the operation's signature: `AA24`, or JSON-RPC error -32507
    /// (alto's "Signature provided for the User Operation is invalid").
    pub fn is_signature_rejected(&self) -> bool {
        match self {
            Self::Bundler { source, .. } => {
                source.aa_code() == Some(nexus_sessions_bundler::AaCode::AA24)
                    || source.rpc_code() == Some(-32507)
            }
            Self::SessionSignatureRejected { .. } => true,
            _ => false,
        }
    }

    /// What this error says about the operation's fate; see [`SendOutcome`]. (A receipt poll that
    /// failed with receipt waiting set not to ride out faults, for a hash this client did not send,
    /// is `Unknown` with a zero hash: the hash is the one you waited for.)
    ///
    /// ```
    /// # async fn run(client: nexus_sessions::SessionKeyClient, calls: Vec<nexus_sessions::Call>) -> Result<(), nexus_sessions::Error> {
    /// use nexus_sessions::SendOutcome;
    /// match client.use_permission(&calls).await {
    ///     Ok(hash) => println!("sent {hash}"),
    ///     Err(e) => match e.outcome() {
    ///         SendOutcome::NotSent => println!("nothing sent, safe to retry: {e}"),
    ///         SendOutcome::Unknown { user_op_hash } => {
    ///             // Resend the SAME signed operation: it cannot land twice.
    ///             if let Some((_, op)) = e.unknown_outcome() {
    ///                 let hash = client.resend_user_operation(op).await?;
    ///                 client.wait_for_user_operation_receipt(hash).await?;
    ///             } else {
    ///                 client.wait_for_user_operation_receipt(user_op_hash).await?;
    ///             }
    ///         }
    ///         SendOutcome::Landed { user_op_hash } => println!("{user_op_hash} landed but reverted"),
    ///     },
    /// }
    /// # Ok(()) }
    /// ```
    pub fn outcome(&self) -> SendOutcome {
        match self {
            Self::OutcomeUnknown { user_op_hash, .. } => SendOutcome::Unknown {
                user_op_hash: *user_op_hash,
            },
            Self::ReceiptTimeout { hash, .. } => SendOutcome::Unknown {
                user_op_hash: *hash,
            },
            Self::UserOperationReverted { hash, .. } => SendOutcome::Landed {
                user_op_hash: *hash,
            },
            Self::DelegationNotApplied {
                user_op_hash: Some(hash),
                ..
            } => SendOutcome::Landed {
                user_op_hash: *hash,
            },
            Self::Bundler { source, .. } => match source.as_ref() {
                BundlerError::ReceiptTimeout { hash, .. } => SendOutcome::Unknown {
                    user_op_hash: *hash,
                },
                // A receipt poll that failed (strict receipt waiting): sent, fate unknown.
                e if !e.is_definitely_not_sent() => SendOutcome::Unknown {
                    user_op_hash: B256::ZERO,
                },
                _ => SendOutcome::NotSent,
            },
            _ => SendOutcome::NotSent,
        }
    }

    /// Whether the operation certainly did not land and will not: [`SendOutcome::NotSent`].
    pub fn is_definitely_not_sent(&self) -> bool {
        self.outcome() == SendOutcome::NotSent
    }

    /// For [`Error::OutcomeUnknown`]: the userOpHash and the signed operation to resend.
    pub fn unknown_outcome(&self) -> Option<(B256, &UserOperation)> {
        match self {
            Self::OutcomeUnknown {
                user_op_hash,
                user_operation,
                ..
            } => Some((*user_op_hash, user_operation)),
            _ => None,
        }
    }

    /// Whether the error says the permission is not (or no longer) enabled for the account:
    /// [`Error::PermissionNotEnabled`], or a bundler rejection whose decoded revert (or its inner
    /// revert) is SmartSession's `InvalidPermissionId` or `SignerNotFound` — what a revoked session
    /// gets.
    pub fn is_permission_not_enabled(&self) -> bool {
        const NOT_ENABLED: [&str; 2] = ["InvalidPermissionId", "SignerNotFound"];
        match self {
            Self::PermissionNotEnabled { .. } => true,
            Self::Bundler {
                decoded: Some(d), ..
            } => std::iter::successors(Some(d.as_ref()), |d| d.inner.as_deref())
                .any(|d| NOT_ENABLED.contains(&d.name.as_str())),
            _ => false,
        }
    }

    /// The bundler's error, for [`Error::Bundler`].
    pub fn bundler(&self) -> Option<&BundlerError> {
        match self {
            Self::Bundler { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The policy violation, for [`Error::PolicyViolation`].
    pub fn policy_violation(&self) -> Option<&PolicyViolation> {
        match self {
            Self::PolicyViolation(v) => Some(v),
            _ => None,
        }
    }
}

impl From<BundlerError> for Error {
    fn from(source: BundlerError) -> Self {
        let decoded = source
            .inner_revert()
            .map(|d| Box::new(nexus_sessions_types::abi::decode_revert(d)));
        match source {
            BundlerError::ReceiptTimeout { hash, waited } => Self::ReceiptTimeout { hash, waited },
            BundlerError::OutcomeUnknown {
                hash,
                user_operation,
                cause,
            } => Self::OutcomeUnknown {
                user_op_hash: hash,
                user_operation,
                cause,
            },
            source => Self::Bundler {
                source: Box::new(source),
                decoded,
            },
        }
    }
}

impl From<alloy_signer::Error> for Error {
    fn from(e: alloy_signer::Error) -> Self {
        Self::Signer(Box::new(e))
    }
}

impl From<Box<PolicyViolation>> for Error {
    fn from(v: Box<PolicyViolation>) -> Self {
        Self::PolicyViolation(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Bytes;
    use alloy_sol_types::SolError;
    use nexus_sessions_bundler::{AaCode, RpcErrorKind};
    use nexus_sessions_types::abi::errors::IKnownErrors;

    /// A bundler rejection of `eth_sendUserOperation` whose inner revert is `revert`.
    fn rejected(revert: Vec<u8>) -> Error {
        Error::from(BundlerError::Rpc {
            method: "eth_sendUserOperation",
            code: -32500,
            message: "AA23 reverted".into(),
            data: None,
            kind: RpcErrorKind::from_code(-32500),
            aa: Some(AaCode::AA23),
            failed_op: None,
            inner_revert: Some(Bytes::from(revert)),
        })
    }

    #[test]
    fn permission_not_enabled_family() {
        let pid = PermissionId(B256::repeat_byte(7));
        let revoked = rejected(
            IKnownErrors::InvalidPermissionId {
                permissionId: pid.0,
            }
            .abi_encode(),
        );
        assert!(revoked.is_permission_not_enabled(), "{revoked}");
        let no_signer = rejected(
            IKnownErrors::SignerNotFound {
                permissionId: pid.0,
                account: Address::ZERO,
            }
            .abi_encode(),
        );
        assert!(no_signer.is_permission_not_enabled(), "{no_signer}");
        let local = Error::PermissionNotEnabled {
            permission_id: pid,
            account: Address::ZERO,
        };
        assert!(local.is_permission_not_enabled());
        // other rejections are not
        let policy = rejected(
            IKnownErrors::PolicyViolation {
                permissionId: pid.0,
                policy: Address::ZERO,
            }
            .abi_encode(),
        );
        assert!(!policy.is_permission_not_enabled(), "{policy}");
        assert!(!rejected(vec![]).is_permission_not_enabled());
        assert!(!Error::NoCalls.is_permission_not_enabled());
    }

    #[test]
    fn signature_rejections_are_explained() {
        let aa24 = Error::from(BundlerError::Rpc {
            method: "eth_sendUserOperation",
            code: -32507,
            message: "Signature provided for the User Operation is invalid.".into(),
            data: None,
            kind: RpcErrorKind::from_code(-32507),
            aa: None,
            failed_op: None,
            inner_revert: None,
        });
        assert!(aa24.is_signature_rejected());
        assert!(!rejected(vec![]).is_signature_rejected(), "AA23 is not");
        assert!(!Error::NoCalls.is_signature_rejected());
        let explained = Error::SessionSignatureRejected {
            style: nexus_sessions_types::SessionSignatureStyle::Eip191,
            validator: nexus_sessions_types::OWNABLE_VALIDATOR_RAW_OR_V4,
            source: Box::new(aa24),
        };
        let text = explained.to_string();
        assert!(text.contains("eip191 signature (AA24)"), "{text}");
        assert!(text.contains("eip191-v-plus-4 or raw-hash"), "{text}");
        assert!(text.contains("Signature provided"), "{text}");
        assert!(explained.is_signature_rejected());
    }

    #[test]
    fn every_error_says_what_happened_to_the_operation() {
        let hash = B256::repeat_byte(0x42);
        let op = UserOperation::default();
        let unknown = Error::from(BundlerError::OutcomeUnknown {
            hash,
            user_operation: Box::new(op.clone()),
            cause: Box::new(BundlerError::Timeout {
                method: "eth_sendUserOperation",
                timeout: Duration::from_secs(1),
                attempts: 4,
            }),
        });
        assert_eq!(
            unknown.outcome(),
            SendOutcome::Unknown { user_op_hash: hash }
        );
        assert!(!unknown.is_definitely_not_sent());
        assert_eq!(unknown.unknown_outcome(), Some((hash, &op)));
        assert!(
            unknown
                .to_string()
                .contains("resend the same signed operation")
        );
        // a typed rejection, a local refusal, an estimate that failed: not sent
        let rejected = rejected(vec![]);
        assert_eq!(rejected.outcome(), SendOutcome::NotSent);
        assert!(rejected.is_definitely_not_sent());
        assert!(Error::NoCalls.is_definitely_not_sent());
        assert_eq!(rejected.unknown_outcome(), None);
        // waiting: no receipt in time, or a failed poll, is unknown; a revert landed
        let timeout = Error::from(BundlerError::ReceiptTimeout {
            hash,
            waited: Duration::from_secs(1),
        });
        assert_eq!(
            timeout.outcome(),
            SendOutcome::Unknown { user_op_hash: hash }
        );
        let poll = Error::from(BundlerError::InvalidResponse {
            method: "eth_getUserOperationReceipt",
            message: "x".into(),
            body: String::new(),
        });
        assert!(!poll.is_definitely_not_sent());
        let reverted = Error::UserOperationReverted {
            hash,
            transaction_hash: hash,
            reason: None,
        };
        assert_eq!(
            reverted.outcome(),
            SendOutcome::Landed { user_op_hash: hash }
        );
    }

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<super::Error>() <= 128,
            "{}",
            std::mem::size_of::<super::Error>()
        );
    }

    #[test]
    fn delegation_errors_say_whether_the_operation_landed() {
        let account = Address::repeat_byte(1);
        let hash = B256::repeat_byte(2);
        let not_applied = |user_op_hash| Error::DelegationNotApplied {
            account,
            expected: Address::repeat_byte(3),
            state: crate::DelegationState::None,
            user_op_hash,
        };
        // The receipt check of the operation that carried the authorization: it landed.
        assert_eq!(
            not_applied(Some(hash)).outcome(),
            SendOutcome::Landed { user_op_hash: hash }
        );
        assert!(!not_applied(Some(hash)).is_definitely_not_sent());
        // A caller that waited for another's delegation, or a delegation transaction: nothing sent.
        assert!(not_applied(None).is_definitely_not_sent());
        let pending = Error::DelegationPending {
            account,
            user_op_hash: Some(hash),
        };
        assert!(pending.is_definitely_not_sent());
        assert!(pending.to_string().contains(&hash.to_string()), "{pending}");
        let pending = Error::DelegationPending {
            account,
            user_op_hash: None,
        };
        assert!(!pending.to_string().contains("operation 0x"), "{pending}");
    }
}
