//! [`NexusClient`]: the owner's client of a Nexus account (deploy, send calls, modules, grant and
//! revoke smart-session permissions).

use crate::{
    account::{
        AccountInit, compute_account_address_call, counterfactual_address, factory_data,
        salt_for_index,
    },
    delegation::DelegationState,
    deployment::{Deployment, MOCK_ATTESTER},
    eoa::{DelegateVia, Eoa},
    erc1271::{ERC1271_MAGIC_VALUE, account_domain, personal_sign_digest},
    error::Error,
    execution::Call,
    modules::{
        ModuleType, SENTINEL, VALIDATOR_PAGE_SIZE, decode_trusted_attesters, decode_validators,
        find_trusted_attesters_calldata, get_validators_calldata, is_module_installed_calldata,
        is_safe_sender_calldata, smart_session_install_calls, trust_attesters_call,
        uninstall_validator_call,
    },
    node::{CallOutcome, Node},
    permission::PermissionRequest,
    sender::{Auth, DynSigner, OpSender, RpcStats, SendOptions},
    session_client::{SessionKeyClient, SessionKeyClientBuilder},
    settings::{ClientSettings, client_settings_methods},
};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use alloy_sol_types::SolCall;
use nexus_sessions_bundler::{RedactedUrl, RequestCounts, UserOperationReceipt};
use nexus_sessions_types::{
    EnableSessionData, PermissionId, Session, SessionAction, SessionData, SessionSignatureStyle,
    SmartSessionMode, UsePermissionModuleData, enable_sessions_calldata, get_nonce_calldata,
    is_permission_enabled_calldata, remove_session_calldata, revoke_enable_signature_calldata,
};
use nexus_sessions_userop::UserOperation;
use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

/// What [`NexusClient::grant_permission`] sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantPermissionResponse {
    /// The userOpHash of the owner operation.
    pub user_op_hash: B256,
    /// One permission id per session, in request order.
    pub permission_ids: Vec<PermissionId>,
    /// The sessions enabled.
    pub sessions: Vec<Session>,
    /// The `enableSessions` call (`to = SmartSession`).
    pub action: Call,
    /// Whether a `trustAttesters` call was prepended.
    pub trusted_attesters: bool,
}

/// Builder for [`NexusClient`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct NexusClientBuilder {
    signer: DynSigner,
    settings: ClientSettings,
    index: u64,
    account_init: Option<AccountInit>,
    account_address: Option<Address>,
    attesters: Vec<Address>,
    eip7702: Option<DelegateVia>,
}

impl fmt::Debug for NexusClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NexusClientBuilder")
            .field("signer", &self.signer.address())
            .field("rpc_url", &RedactedUrl(&self.settings.rpc_url))
            .field("bundler_url", &RedactedUrl(&self.settings.bundler_url))
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl NexusClientBuilder {
    client_settings_methods!();

    /// Account index: the CREATE2 salt (default 0).
    pub fn index(mut self, index: u64) -> Self {
        self.index = index;
        self
    }

    /// Custom account initialisation (default: [`AccountInit::for_owner`] — the deployment's
    /// owner validator owned by the signer, no registry, no other module).
    pub fn account_init(mut self, init: AccountInit) -> Self {
        self.account_init = Some(init);
        self
    }

    /// A known account address (skips the address computation).
    pub fn account_address(mut self, address: Address) -> Self {
        self.account_address = Some(address);
        self
    }

    /// The account is the signer's own EOA, delegated to the Nexus implementation (EIP-7702),
    /// instead of a factory account. It delegates in its first user operation (`eip7702Auth`)
    /// unless [`eip7702_via`](Self::eip7702_via) says otherwise. Needs a Nexus 1.2 deployment
    /// ([`Error::Eip7702Unsupported`] otherwise); the account is never initialized.
    pub fn eip7702(self) -> Self {
        self.eip7702_via(DelegateVia::UserOperation)
    }

    /// [`Self::eip7702`] with the delegation path chosen.
    pub fn eip7702_via(mut self, via: DelegateVia) -> Self {
        self.eip7702 = Some(via);
        self
    }

    /// Attesters trusted by `grant_permission` when the registry shows none (default:
    /// module-sdk's mock attester, as @biconomy/sdk 0.0.20).
    pub fn attesters(mut self, attesters: Vec<Address>) -> Self {
        self.attesters = attesters;
        self
    }

    /// Connects: one `eth_chainId` (unless given) and, when the deployment cannot compute addresses
    /// locally, one `computeAccountAddress` eth_call, concurrently.
    pub async fn build(self) -> Result<NexusClient, Error> {
        let mut settings = self.settings;
        let node = settings.node()?;
        if let Some(via) = self.eip7702 {
            let eoa = Eoa::new(&settings.deployment, via)?;
            let account = self.signer.address();
            let refuse = |reason| Err(Error::Eip7702Refused { account, reason });
            if self.account_init.is_some() {
                return refuse("an EIP-7702 account is never initialized (no account_init)");
            }
            if self.account_address.is_some_and(|a| a != account) {
                return refuse("an EIP-7702 account's address is its owner's EOA");
            }
            let chain_id = settings.chain_id(&node).await?;
            settings.chain_id = Some(chain_id);
            let sender = OpSender::new(node, &settings, chain_id, account, None)?;
            return Ok(NexusClient {
                sender: Arc::new(sender),
                signer: self.signer,
                init_data: Bytes::new(),
                salt: B256::ZERO,
                attesters: self.attesters,
                attesters_trusted: AtomicBool::new(false),
                settings,
                eoa: Some(eoa),
            });
        }
        let d = &settings.deployment;
        let init = self
            .account_init
            .unwrap_or_else(|| AccountInit::for_owner(d, self.signer.address()));
        let init_data = init.init_data();
        let salt = salt_for_index(self.index);
        let local = match (&d.proxy_creation_code, d.implementation) {
            (Some(code), Some(implementation)) => Some(counterfactual_address(
                d.factory,
                code,
                implementation,
                &init_data,
                salt,
            )),
            _ => None,
        };
        let known = self.account_address.or(local);
        let address_fut = async {
            match known {
                Some(a) => Ok(a),
                None => factory_address(&node, d.factory, &init_data, salt).await,
            }
        };
        let (chain_id, account) = tokio::join!(settings.chain_id(&node), address_fut);
        let (chain_id, account) = (chain_id?, account?);
        settings.chain_id = Some(chain_id);
        let factory = Some((settings.deployment.factory, factory_data(&init_data, salt)));
        let sender = OpSender::new(node, &settings, chain_id, account, factory)?;
        Ok(NexusClient {
            sender: Arc::new(sender),
            signer: self.signer,
            init_data,
            salt,
            attesters: self.attesters,
            attesters_trusted: AtomicBool::new(false),
            settings,
            eoa: None,
        })
    }
}

/// The counterfactual address of `owner`'s default account at `index` (the account
/// [`NexusClient`] builds for that owner, see [`AccountInit::for_owner`]): computed locally when the
/// deployment carries the proxy creation code, else asked from the factory through the node at
/// `rpc_url` (`computeAccountAddress`, [`Error::NoLocalAddress`] without one).
pub async fn account_address(
    deployment: &Deployment,
    owner: Address,
    index: u64,
    rpc_url: Option<&str>,
) -> Result<Address, Error> {
    let init_data = AccountInit::for_owner(deployment, owner).init_data();
    let salt = salt_for_index(index);
    if let (Some(code), Some(implementation)) =
        (&deployment.proxy_creation_code, deployment.implementation)
    {
        return Ok(counterfactual_address(
            deployment.factory,
            code,
            implementation,
            &init_data,
            salt,
        ));
    }
    let url = rpc_url.ok_or(Error::NoLocalAddress)?;
    factory_address(&Node::new(url)?, deployment.factory, &init_data, salt).await
}

async fn factory_address(
    node: &Node,
    factory: Address,
    init_data: &Bytes,
    salt: B256,
) -> Result<Address, Error> {
    let address: Address = node
        .call_decode(
            "computeAccountAddress",
            "computeAccountAddress reply",
            factory,
            compute_account_address_call(init_data, salt),
        )
        .await?;
    if address.is_zero() {
        return Err(Error::AddressMismatch {
            local: None,
            factory: address,
        });
    }
    Ok(address)
}

/// The owner's client of one Nexus account.
///
/// The account address is computed locally (modulekit 0.5.9 NexusProxy formula) when the
/// deployment carries the proxy creation code, else asked from the factory. The account is
/// deployed by its first user operation (`factory`/`factoryData` are sent only while the account
/// has no code). Every operation is signed by the owner (EIP-191 over the userOpHash) and
/// validated by the deployment's account validator.
pub struct NexusClient {
    sender: Arc<OpSender>,
    signer: DynSigner,
    init_data: Bytes,
    salt: B256,
    attesters: Vec<Address>,
    attesters_trusted: AtomicBool,
    /// What the client was built with (chain id filled in), for [`NexusClient::session_client`].
    settings: ClientSettings,
    /// The delegation state of an EIP-7702 account (`None`: a factory account).
    eoa: Option<Eoa>,
}

impl fmt::Debug for NexusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NexusClient")
            .field("account", &self.sender.account)
            .field("owner", &self.signer.address())
            .field("chain_id", &self.sender.chain_id)
            .finish_non_exhaustive()
    }
}

impl NexusClient {
    /// A builder for an account owned by `signer`, talking to the node at `rpc_url` and the bundler
    /// at `bundler_url`.
    pub fn builder(
        signer: impl Signer + Send + Sync + 'static,
        rpc_url: impl Into<String>,
        bundler_url: impl Into<String>,
        deployment: Deployment,
    ) -> NexusClientBuilder {
        Self::builder_with_dyn_signer(Arc::new(signer), rpc_url, bundler_url, deployment)
    }

    /// [`Self::builder`] with a shared signer object.
    pub fn builder_with_dyn_signer(
        signer: DynSigner,
        rpc_url: impl Into<String>,
        bundler_url: impl Into<String>,
        deployment: Deployment,
    ) -> NexusClientBuilder {
        NexusClientBuilder {
            signer,
            settings: ClientSettings::new(rpc_url.into(), bundler_url.into(), deployment),
            index: 0,
            account_init: None,
            account_address: None,
            attesters: vec![MOCK_ATTESTER],
            eip7702: None,
        }
    }

    /// Connects with default settings (see [`NexusClientBuilder::build`]).
    pub async fn connect(
        signer: impl Signer + Send + Sync + 'static,
        rpc_url: impl Into<String>,
        bundler_url: impl Into<String>,
        deployment: Deployment,
    ) -> Result<Self, Error> {
        Self::builder(signer, rpc_url, bundler_url, deployment)
            .build()
            .await
    }

    /// The account address.
    pub fn address(&self) -> Address {
        self.sender.account
    }

    /// The owner's address.
    pub fn owner(&self) -> Address {
        self.signer.address()
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.sender.chain_id
    }

    /// The owner's signer.
    pub(crate) fn owner_signer(&self) -> &DynSigner {
        &self.signer
    }

    /// The deployment.
    pub fn deployment(&self) -> &Deployment {
        &self.sender.deployment
    }

    /// The account's init data (`abi.encode(bootstrap, bootstrapCall)`, see [`AccountInit`]).
    pub fn init_data(&self) -> &Bytes {
        &self.init_data
    }

    /// The CREATE2 salt.
    pub fn salt(&self) -> B256 {
        self.salt
    }

    /// JSON-RPC requests made so far (node and bundler).
    pub fn rpc_stats(&self) -> RpcStats {
        self.sender.stats()
    }

    /// Bundler requests made so far, per JSON-RPC method (every attempt counts). Take a snapshot
    /// before an action and [`since`](RequestCounts::since) after it, e.g. to see that nothing was
    /// sent: `counts.since(&before).get("eth_sendUserOperation") == 0`.
    pub fn bundler_request_counts(&self) -> RequestCounts {
        self.sender.bundler.request_counts()
    }

    /// Node requests made so far, per JSON-RPC method (`eth_call`s per function, e.g.
    /// `eth_call:getNonce`).
    pub fn node_request_counts(&self) -> RequestCounts {
        self.sender.node.request_counts()
    }

    /// Asks the factory for the account address (`computeAccountAddress`), to cross-check the
    /// local computation.
    pub async fn factory_account_address(&self) -> Result<Address, Error> {
        factory_address(
            &self.sender.node,
            self.deployment().factory,
            &self.init_data,
            self.salt,
        )
        .await
    }

    /// Whether the account has code (cached once seen). For an EIP-7702 account: whether the EOA
    /// delegates to Nexus now (read each time: a delegation can be removed).
    pub async fn is_deployed(&self) -> Result<bool, Error> {
        match &self.eoa {
            Some(eoa) => Ok(eoa
                .state(&self.sender.node, self.address())
                .await?
                .is_nexus()),
            None => self.sender.is_deployed().await,
        }
    }

    fn auth<'a>(
        &'a self,
        wrap: &'a (dyn Fn(Bytes) -> Result<Bytes, Error> + Send + Sync),
    ) -> Auth<'a> {
        Auth {
            validator: self.deployment().owner_validator(),
            signer: self.signer.as_ref(),
            // K1 validators (and Nexus 1.2's default MEE K1) check the owner's personal_sign.
            style: SessionSignatureStyle::Eip191,
            wrap,
        }
    }

    /// Sends one user operation with `calls` (one call → single mode, more → batch), signed by the
    /// owner; returns the userOpHash. Deploys the account if it has no code yet.
    pub async fn send_calls(&self, calls: &[Call]) -> Result<B256, Error> {
        self.send_calls_with(calls, &SendOptions::default()).await
    }

    /// [`Self::send_calls`] with explicit fees or gas limits.
    pub async fn send_calls_with(&self, calls: &[Call], opts: &SendOptions) -> Result<B256, Error> {
        let opts = self.eoa_options(calls, opts).await?;
        let raw = |sig: Bytes| Ok(sig);
        let sent = self.sender.send(calls, &self.auth(&raw), &opts).await;
        self.eoa_sent(sent, &opts).await
    }

    /// For an EIP-7702 account: refuses calls that break it and delegates when needed (an
    /// authorization in `opts`, or a delegation transaction first).
    async fn eoa_options(&self, calls: &[Call], opts: &SendOptions) -> Result<SendOptions, Error> {
        match &self.eoa {
            None => Ok(opts.clone()),
            Some(eoa) => {
                Eoa::check_calls(self.address(), calls)?;
                eoa.options(
                    &self.sender.node,
                    self.signer.as_ref(),
                    self.chain_id(),
                    opts,
                    self.sender.receipt_timeout,
                )
                .await
            }
        }
    }

    /// For an EIP-7702 account: remembers an operation that delegates, explains AA20.
    async fn eoa_sent(&self, sent: Result<B256, Error>, opts: &SendOptions) -> Result<B256, Error> {
        let Some(eoa) = &self.eoa else { return sent };
        match sent {
            Ok(hash) => {
                eoa.sent(hash, opts);
                Ok(hash)
            }
            Err(e) => Err(eoa.explain(&self.sender.node, self.address(), e).await),
        }
    }

    /// Whether the account is the owner's EOA delegated through EIP-7702.
    pub fn is_eip7702(&self) -> bool {
        self.eoa.is_some()
    }

    /// The account's EIP-7702 delegation, read from its code: `None` (plain EOA), `Nexus`,
    /// `Other` (another contract), or `Contract` (not an EOA: e.g. a factory account).
    pub async fn delegation_state(&self) -> Result<DelegationState, Error> {
        match &self.eoa {
            Some(eoa) => eoa.state(&self.sender.node, self.address()).await,
            None => {
                let implementation = self.deployment().implementation.unwrap_or_default();
                let code = self.sender.node.code(self.address()).await?;
                Ok(DelegationState::from_code(&code, implementation))
            }
        }
    }

    fn eoa(&self) -> Result<&Eoa, Error> {
        self.eoa.as_ref().ok_or(Error::Eip7702Refused {
            account: self.address(),
            reason: "not an EIP-7702 account (build the client with .eip7702())",
        })
    }

    /// Delegates the EOA to the Nexus implementation with its own type-4 transaction (the EOA pays
    /// the gas); `None` when it already is. The code is read again afterwards:
    /// [`Error::DelegationNotApplied`] if it does not show the delegation, and
    /// [`Error::NotDelegated`] if the EOA delegates to another contract (see
    /// [`redelegate`](Self::redelegate)).
    pub async fn delegate(&self) -> Result<Option<B256>, Error> {
        match self.delegation_state().await? {
            DelegationState::Nexus(_) => Ok(None),
            DelegationState::None => self.redelegate().await.map(Some),
            state => Err(Error::NotDelegated {
                account: self.address(),
                state,
            }),
        }
    }

    /// Delegates the EOA to the Nexus implementation whatever it delegates to now (type-4
    /// transaction). Storage survives un-delegation, so modules and enabled permissions work again.
    /// Returns the transaction hash.
    pub async fn redelegate(&self) -> Result<B256, Error> {
        let implementation = self.eoa()?.implementation;
        self.send_delegation_transaction(implementation, None).await
    }

    /// Removes the delegation (type-4 transaction authorizing `address(0)`): the EOA is a plain EOA
    /// again and operations fail ([`Error::NotDelegated`], AA20) until [`Self::redelegate`].
    pub async fn undelegate(&self) -> Result<B256, Error> {
        self.send_delegation_transaction(Address::ZERO, None).await
    }

    /// The EOA's own type-4 transaction authorizing `delegate` with `authorization_nonce`
    /// (default: transaction nonce + 1, right for a self-sent transaction); waits for it and reads
    /// the code: [`Error::DelegationNotApplied`] when it does not show `delegate` (a wrong
    /// authorization nonce is skipped silently by the chain). Returns the transaction hash.
    pub async fn send_delegation_transaction(
        &self,
        delegate: Address,
        authorization_nonce: Option<u64>,
    ) -> Result<B256, Error> {
        self.eoa()?
            .send_delegation(
                &self.sender.node,
                self.signer.as_ref(),
                self.chain_id(),
                delegate,
                authorization_nonce,
                self.sender.receipt_timeout,
            )
            .await
    }

    /// Signs `message` for ERC-1271 checks against the account (abstractjs `signMessage`):
    /// `address(0)` (the default validator) ‖ the owner's ECDSA signature over the ERC-7739
    /// `PersonalSign` digest of `hashMessage(message)` in the account's EIP-712 domain (read with
    /// `eip712Domain()`). Nexus 1.2 only.
    pub async fn sign_message_erc1271(&self, message: &[u8]) -> Result<Bytes, Error> {
        let domain = self
            .sender
            .node
            .call_ok(
                "eip712Domain",
                self.address(),
                crate::abi::INexus::eip712DomainCall {}.abi_encode().into(),
            )
            .await?;
        let d = crate::abi::INexus::eip712DomainCall::abi_decode_returns(&domain)
            .map_err(|e| Error::abi("eip712Domain reply", e))?;
        let domain = account_domain(d.name, d.version, d.chainId, d.verifyingContract);
        let digest = personal_sign_digest(alloy_primitives::eip191_hash_message(message), &domain);
        let sig = self.signer.sign_hash(&digest).await?;
        let mut out = Vec::with_capacity(85);
        out.extend_from_slice(Address::ZERO.as_slice());
        out.extend_from_slice(&sig.as_bytes());
        Ok(out.into())
    }

    /// ERC-1271 `isValidSignature(hash, signature)` on the account: whether it answers the magic
    /// value (a revert counts as `false`).
    pub async fn is_valid_signature(&self, hash: B256, signature: &Bytes) -> Result<bool, Error> {
        let data = crate::abi::INexus::isValidSignatureCall {
            hash,
            signature: signature.clone(),
        }
        .abi_encode();
        Ok(
            match self
                .sender
                .node
                .call("isValidSignature", self.address(), data.into())
                .await?
            {
                CallOutcome::Returned(out) => out.len() >= 4 && out[..4] == ERC1271_MAGIC_VALUE,
                CallOutcome::Reverted(_) => false,
            },
        )
    }

    /// Resends a signed operation exactly as it is — the one way to retry an intent whose outcome is
    /// unknown ([`Error::OutcomeUnknown`] carries the operation) without any risk of it landing
    /// twice: the EntryPoint consumes the operation's nonce at the first inclusion, and a resend of an
    /// operation already included is recognised and answered with its hash. Then wait with
    /// [`wait_for_user_operation_receipt`](Self::wait_for_user_operation_receipt), which resends it
    /// again if the bundler forgets it. Returns the userOpHash.
    ///
    /// Never build a new operation for an intent whose outcome is unknown: a new nonce can land too.
    pub async fn resend_user_operation(&self, op: &UserOperation) -> Result<B256, Error> {
        self.sender.resend(op).await
    }

    /// Polls `eth_getUserOperationReceipt` until the operation is included; an operation whose
    /// execution reverted is [`Error::UserOperationReverted`] with the decoded reason. Faults while
    /// polling are ridden out until the receipt timeout; an operation this client sent that the
    /// bundler forgets is resent as is. No receipt in time for an operation this client sent is
    /// [`Error::OutcomeUnknown`] (with the operation), else [`Error::ReceiptTimeout`].
    pub async fn wait_for_user_operation_receipt(
        &self,
        hash: B256,
    ) -> Result<UserOperationReceipt, Error> {
        let receipt = self.sender.wait(hash).await?;
        if let Some(eoa) = &self.eoa {
            eoa.check_receipt(&self.sender.node, self.address(), hash)
                .await?;
        }
        Ok(receipt)
    }

    /// `isModuleInstalled(type, module, 0x)`; `false` for an undeployed account.
    pub async fn is_module_installed(
        &self,
        module_type: ModuleType,
        module: Address,
    ) -> Result<bool, Error> {
        if !self.is_deployed().await? {
            return Ok(false);
        }
        self.sender
            .node
            .call_decode(
                "isModuleInstalled",
                "isModuleInstalled reply",
                self.address(),
                is_module_installed_calldata(module_type, module),
            )
            .await
    }

    /// `defaultValidator.isSafeSender(sender, account)` (Nexus 1.2's MEE K1 validator; `false` for
    /// an undeployed account).
    pub async fn is_safe_sender(&self, sender: Address) -> Result<bool, Error> {
        if !self.is_deployed().await? {
            return Ok(false);
        }
        self.sender
            .node
            .call_decode(
                "isSafeSender",
                "isSafeSender reply",
                self.deployment().account_validator,
                is_safe_sender_calldata(sender, self.address()),
            )
            .await
    }

    /// The account's validators, newest first (`getValidatorsPaginated(SENTINEL, 100)`).
    pub async fn validators(&self) -> Result<Vec<Address>, Error> {
        let reply = self
            .sender
            .node
            .call_ok(
                "getValidatorsPaginated",
                self.address(),
                get_validators_calldata(SENTINEL, VALIDATOR_PAGE_SIZE),
            )
            .await?;
        Ok(decode_validators(&reply)?.0)
    }

    /// The calls installing SmartSession as a validator (`installModule(1, smartSession, 0x)`, as
    /// the reference SDKs do); on Nexus 1.2 batched with `defaultValidator.addSafeSender(smartSession)`
    /// (abstractjs 1.2.3), so the default validator accepts the owner's plain ECDSA ENABLE
    /// signatures that SmartSession forwards.
    pub fn install_smart_sessions_calls(&self) -> Vec<Call> {
        smart_session_install_calls(self.deployment(), self.address())
    }

    /// Installs the SmartSession module ([`Self::install_smart_sessions_calls`] in one operation).
    /// Returns the userOpHash.
    pub async fn install_smart_sessions(&self) -> Result<B256, Error> {
        self.send_calls(&self.install_smart_sessions_calls()).await
    }

    /// Uninstalls the SmartSession module. SmartSession v1 removes the account's sessions then
    /// (measured on v1 registry-free); the pre-v1 build keeps them in storage, but the account no
    /// longer validates through the module (`ValidatorNotInstalled`). Reads the validator list for
    /// the SentinelList predecessor first.
    pub async fn uninstall_smart_sessions(&self) -> Result<B256, Error> {
        let validators = self.validators().await?;
        let call = uninstall_validator_call(
            self.address(),
            self.deployment().smart_session,
            &validators,
            Bytes::new(),
        )?;
        self.send_calls(&[call]).await
    }

    /// `registry.trustAttesters(threshold, attesters)` from the account.
    pub async fn trust_attesters(
        &self,
        attesters: &[Address],
        threshold: u8,
    ) -> Result<B256, Error> {
        let call = trust_attesters_call(self.deployment().registry, threshold, attesters);
        self.send_calls(&[call]).await
    }

    /// The attesters the registry lists for this account; a revert (modulekit's MockRegistry has
    /// no `findTrustedAttesters`) or an undeployed account counts as none.
    pub async fn trusted_attesters(&self) -> Result<Vec<Address>, Error> {
        let registry = self.deployment().registry;
        match self
            .sender
            .node
            .call(
                "findTrustedAttesters",
                registry,
                find_trusted_attesters_calldata(self.address()),
            )
            .await?
        {
            CallOutcome::Returned(data) if !data.is_empty() => {
                Ok(decode_trusted_attesters(&data).unwrap_or_default())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The sessions for `requests` and the `enableSessions` call, without any RPC
    /// (abstractjs `preparePermission`).
    pub fn prepare_permission(
        &self,
        requests: &[PermissionRequest],
    ) -> Result<(Vec<Session>, Call), Error> {
        let d = self.deployment();
        let sessions = requests
            .iter()
            .map(|r| r.to_session(d, self.chain_id()))
            .collect::<Result<Vec<_>, _>>()?;
        let call = Call::new(
            d.smart_session,
            enable_sessions_calldata(d.module_version, &sessions)?,
        );
        Ok((sessions, call))
    }

    /// Grants `requests` in one owner user operation: `enableSessions(sessions)`, preceded by
    /// `trustAttesters` when the module consults a registry and the registry lists no attester for
    /// the account (as @biconomy/sdk 0.0.20). The SmartSession module must be installed.
    pub async fn grant_permission(
        &self,
        requests: &[PermissionRequest],
    ) -> Result<GrantPermissionResponse, Error> {
        let (sessions, _) = self.prepare_permission(requests)?;
        self.enable_sessions(sessions).await
    }

    /// Enables fully built sessions in one owner user operation, exactly as
    /// [`grant_permission`](Self::grant_permission) does for the sessions it builds (including the
    /// `trustAttesters` call when needed). For sessions made elsewhere, e.g. read from a module-sdk
    /// `Session` JSON file.
    pub async fn enable_sessions(
        &self,
        sessions: Vec<Session>,
    ) -> Result<GrantPermissionResponse, Error> {
        let d = self.deployment();
        let action = Call::new(
            d.smart_session,
            enable_sessions_calldata(d.module_version, &sessions)?,
        );
        let opts = self.eoa_options(&[], &SendOptions::default()).await?;
        let needs_registry = d.module_version.uses_registry()
            && !d.registry.is_zero()
            && !self.attesters.is_empty()
            && !self.attesters_trusted.load(Ordering::Relaxed);
        let (prepared, attesters) = tokio::join!(self.sender.prepare(&opts), async {
            if needs_registry {
                self.trusted_attesters().await.map(Some)
            } else {
                Ok(None)
            }
        });
        let prepared = prepared?;
        let trust = matches!(attesters?, Some(list) if list.is_empty());
        let mut calls = Vec::with_capacity(2);
        if trust {
            let threshold = u8::try_from(self.attesters.len()).unwrap_or(u8::MAX);
            calls.push(trust_attesters_call(d.registry, threshold, &self.attesters));
        }
        calls.push(action.clone());
        let raw = |sig: Bytes| Ok(sig);
        let sent = self
            .sender
            .send_prepared(&calls, &self.auth(&raw), &opts, prepared)
            .await;
        let user_op_hash = self.eoa_sent(sent, &opts).await?;
        if needs_registry {
            self.attesters_trusted.store(true, Ordering::Relaxed);
        }
        Ok(GrantPermissionResponse {
            user_op_hash,
            permission_ids: sessions.iter().map(Session::permission_id).collect(),
            sessions,
            action,
            trusted_attesters: trust,
        })
    }

    /// The [`SessionData`] the session key at `index` of a grant needs (USE mode).
    pub fn session_data(
        &self,
        grant: &GrantPermissionResponse,
        index: usize,
    ) -> Result<SessionData, Error> {
        let session = grant.sessions.get(index).ok_or_else(|| {
            Error::InvalidPermission(format!(
                "grant has {} sessions, no index {index}",
                grant.sessions.len()
            ))
        })?;
        let key = session_key_of(session)?;
        Ok(self.make_session_data(
            key,
            session.clone(),
            grant.action.clone(),
            SmartSessionMode::Use,
            None,
        ))
    }

    pub(crate) fn make_session_data(
        &self,
        key: Address,
        session: Session,
        action: Call,
        mode: SmartSessionMode,
        enable: Option<EnableSessionData>,
    ) -> SessionData {
        let session_validator = session.session_validator();
        SessionData {
            granter: self.address(),
            session_public_key: Bytes::copy_from_slice(key.as_slice()),
            description: None,
            module_data: UsePermissionModuleData {
                permission_ids: vec![session.permission_id()],
                action: SessionAction {
                    target: action.to,
                    value: action.value,
                    call_data: action.data,
                },
                mode: Some(mode),
                permission_id_index: None,
                enable_session_data: enable,
                sessions: Some(vec![session]),
            },
            module_version: Some(self.deployment().module_version),
            chain_id: Some(self.chain_id()),
            smart_session: Some(self.deployment().smart_session),
            // Carried so the grantee signs right without knowing the validator.
            session_signature_style: (session_validator == self.deployment().session_validator)
                .then(|| self.deployment().session_signature_style())
                .flatten(),
        }
    }

    /// Prepares an ENABLE (or UNSAFE_ENABLE) grant signed off-chain by the owner: reads the
    /// session's enable nonce (`getNonce(permissionId, account)`), computes the session digest
    /// locally, signs the multichain hash (EIP-191) and returns the session data. The session key's
    /// first user operation then enables and uses the session at once; no owner transaction.
    /// The one-chain case of [`grant_multichain_deferred_permission`](Self::grant_multichain_deferred_permission).
    pub async fn grant_deferred_permission(
        &self,
        request: &PermissionRequest,
        mode: SmartSessionMode,
    ) -> Result<SessionData, Error> {
        let mut data = Self::grant_multichain_deferred_permission(&[self], request, mode).await?;
        Ok(data.remove(0))
    }

    /// The enable nonce of a permission on this account (`getNonce(permissionId, account)`): the
    /// nonce the next ENABLE signature must be made over. Enabling and
    /// [`revoke_enable_signature`](Self::revoke_enable_signature) increment it.
    pub async fn enable_nonce(&self, permission_id: PermissionId) -> Result<U256, Error> {
        self.sender
            .node
            .call_decode(
                "getNonce",
                "getNonce reply",
                self.deployment().smart_session,
                get_nonce_calldata(permission_id, self.address()),
            )
            .await
    }

    /// `removeSession(permissionId)`: revokes an enabled permission.
    pub async fn revoke_permission(&self, permission_id: PermissionId) -> Result<B256, Error> {
        let call = Call::new(
            self.deployment().smart_session,
            remove_session_calldata(permission_id),
        );
        self.send_calls(&[call]).await
    }

    /// `revokeEnableSignature(permissionId)`: invalidates an unused ENABLE signature (bumps the
    /// session's enable nonce).
    pub async fn revoke_enable_signature(
        &self,
        permission_id: PermissionId,
    ) -> Result<B256, Error> {
        let call = Call::new(
            self.deployment().smart_session,
            revoke_enable_signature_calldata(permission_id),
        );
        self.send_calls(&[call]).await
    }

    /// `isPermissionEnabled(permissionId, account)`.
    pub async fn is_permission_enabled(&self, permission_id: PermissionId) -> Result<bool, Error> {
        is_permission_enabled(
            &self.sender.node,
            self.deployment().smart_session,
            permission_id,
            self.address(),
        )
        .await
    }

    /// A session-key client for `session_data`, reusing this client's endpoints, deployment and
    /// settings — its paymaster too (for tests and single-process demos; a real grantee uses
    /// [`SessionKeyClient::connect`]).
    pub async fn session_client(
        &self,
        session_key: impl Signer + Send + Sync + 'static,
        session_data: SessionData,
    ) -> Result<SessionKeyClient, Error> {
        SessionKeyClientBuilder::with_settings(
            Arc::new(session_key),
            self.settings.clone(),
            session_data,
        )
        .build()
        .await
    }
}

/// `isPermissionEnabled(permissionId, account)` on `smart_session`.
pub(crate) async fn is_permission_enabled(
    node: &Node,
    smart_session: Address,
    permission_id: PermissionId,
    account: Address,
) -> Result<bool, Error> {
    node.call_decode(
        "isPermissionEnabled",
        "isPermissionEnabled reply",
        smart_session,
        is_permission_enabled_calldata(permission_id, account),
    )
    .await
}

/// The single owner of an OwnableValidator-style session.
fn session_key_of(session: &Session) -> Result<Address, Error> {
    let cfg = nexus_sessions_types::OwnableValidatorConfig::abi_decode(
        session.session_validator_init_data(),
    )?;
    match cfg.owners.as_slice() {
        [key] => Ok(*key),
        owners => Err(Error::InvalidSessionData(format!(
            "session {} has {} owners; SessionData names one session key",
            session.permission_id(),
            owners.len()
        ))),
    }
}
