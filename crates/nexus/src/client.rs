//! [`NexusClient`]: the owner's client of a Nexus account (deploy, send calls, modules, grant and
//! revoke smart-session permissions).

use crate::{
    account::{
        AccountInit, compute_account_address_call, counterfactual_address, factory_data,
        salt_for_index,
    },
    delegation::DelegationState,
    deployment::{Deployment, MOCK_ATTESTER},
    endpoint::{BundlerEndpoint, NodeEndpoint},
    eoa::{DelegateVia, Eoa, Lead},
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
    permission_state::{enable_nonce, is_permission_enabled},
    sender::{Auth, DynSigner, OpSender, RpcStats, SendOptions},
    settings::{ClientSettings, client_settings_methods},
};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::Signer;
use alloy_sol_types::SolCall;
use nexus_sessions_bundler::{RequestCounts, UserOperationReceipt};
use nexus_sessions_types::{
    EnableSessionData, PermissionId, Session, SessionAction, SessionData, SessionSignatureStyle,
    SmartSessionMode, UsePermissionModuleData, enable_sessions_calldata, remove_session_calldata,
    revoke_enable_signature_calldata,
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
#[non_exhaustive]
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

impl GrantPermissionResponse {
    /// A grant of `sessions` through `action` in the operation `user_op_hash`, e.g. one sent
    /// elsewhere or restored from storage; the permission ids are computed from the sessions.
    pub fn new(
        user_op_hash: B256,
        sessions: Vec<Session>,
        action: Call,
        trusted_attesters: bool,
    ) -> Self {
        Self {
            user_op_hash,
            permission_ids: sessions.iter().map(Session::permission_id).collect(),
            sessions,
            action,
            trusted_attesters,
        }
    }
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
            .field("node", &self.settings.node)
            .field("bundler", &self.settings.bundler)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl NexusClientBuilder {
    client_settings_methods!(NexusClientBuilder);

    /// Account index: the CREATE2 salt (default 0).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let (rpc, bundler) = ("http://127.0.0.1:8545", "http://127.0.0.1:4337");
    /// let deployment = Deployment::nexus_1_2_smart_session_v1_registry_free();
    /// let main = NexusClient::connect(owner_key.clone(), rpc, bundler, deployment.clone()).await?;
    /// let second = NexusClient::builder(owner_key, rpc, bundler, deployment)
    ///     .index(1)
    ///     .build()
    ///     .await?;
    /// assert_ne!(main.address(), second.address()); // same owner, another account
    /// # Ok(())
    /// # }
    /// ```
    pub fn index(mut self, index: u64) -> Self {
        self.index = index;
        self
    }

    /// Custom account initialisation (default: [`AccountInit::for_owner`] — the deployment's
    /// owner validator owned by the signer, no registry, no other module).
    ///
    /// ```no_run
    /// use alloy_primitives::Bytes;
    /// use nexus_sessions::{AccountInit, DefaultValidatorInit, Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let d = Deployment::nexus_1_2_smart_session_v1_registry_free();
    /// // SmartSession installed at creation, and a safe sender of the default validator (the
    /// // owner's ENABLE signatures need it): no install operation later.
    /// let init = DefaultValidatorInit::for_owner(d.bootstrap, owner_key.address())
    ///     .safe_senders(&[d.smart_session])
    ///     .validator(d.smart_session, Bytes::new());
    /// let (rpc, bundler) = ("http://127.0.0.1:8545", "http://127.0.0.1:4337");
    /// let owner = NexusClient::builder(owner_key, rpc, bundler, d)
    ///     .account_init(AccountInit::DefaultValidator(init))
    ///     .build()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn account_init(mut self, init: AccountInit) -> Self {
        self.account_init = Some(init);
        self
    }

    /// A known account address (skips the address computation).
    ///
    /// ```
    /// use alloy_primitives::address;
    /// use nexus_sessions::{Deployment, NexusClient, PrivateKeySigner};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), nexus_sessions::Error> {
    /// # let owner_key = PrivateKeySigner::random();
    /// // the account address stored at sign-up: no `computeAccountAddress` call
    /// let account = address!("0x8ba1f109551bD432803012645Ac136ddd64DBA72");
    /// let owner = NexusClient::builder(
    ///     owner_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// .chain_id(8453)
    /// .account_address(account)
    /// .build()
    /// .await?;
    /// assert_eq!(owner.address(), account);
    /// assert_eq!(owner.rpc_stats().total(), 0); // built without a request
    /// # Ok(())
    /// # }
    /// ```
    pub fn account_address(mut self, address: Address) -> Self {
        self.account_address = Some(address);
        self
    }

    /// The account is the signer's own EOA, delegated to the Nexus implementation (EIP-7702),
    /// instead of a factory account. It delegates in its first user operation (`eip7702Auth`)
    /// unless [`eip7702_via`](Self::eip7702_via) says otherwise. Needs a Nexus 1.2 deployment
    /// ([`Error::Eip7702Unsupported`] otherwise); the account is never initialized.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     eoa_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let owner = NexusClient::builder(
    ///     eoa_key.clone(),
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// .eip7702()
    /// .build()
    /// .await?;
    /// assert_eq!(owner.address(), eoa_key.address()); // the EOA is the account
    /// let hash = owner.install_smart_sessions().await?; // delegates and installs in one operation
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn eip7702(self) -> Self {
        self.eip7702_via(DelegateVia::UserOperation)
    }

    /// [`Self::eip7702`] with the delegation path chosen.
    ///
    /// ```no_run
    /// use nexus_sessions::{DelegateVia, Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     eoa_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the EOA delegates with its own type-4 transaction (paying its gas) before operations
    /// let owner = NexusClient::builder(
    ///     eoa_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// .eip7702_via(DelegateVia::Transaction)
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn eip7702_via(mut self, via: DelegateVia) -> Self {
        self.eip7702 = Some(via);
        self
    }

    /// Attesters trusted by `grant_permission` when the registry shows none (default:
    /// module-sdk's mock attester, as @biconomy/sdk 0.0.20).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient, deployment::RHINESTONE_ATTESTER};
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let owner = NexusClient::builder(
    ///     owner_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_0_smart_session_v1(),
    /// )
    /// // trusted by the first grant if the registry lists no attester for the account
    /// .attesters(vec![RHINESTONE_ATTESTER])
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn attesters(mut self, attesters: Vec<Address>) -> Self {
        self.attesters = attesters;
        self
    }

    /// Connects: one `eth_chainId` (unless given) and, when the deployment cannot compute addresses
    /// locally, one `computeAccountAddress` eth_call, concurrently.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient};
    /// use std::time::Duration;
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let owner = NexusClient::builder(
    ///     owner_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// .chain_id(31337)
    /// .receipt_timeout(Duration::from_secs(30))
    /// .build()
    /// .await?;
    /// println!("account {} on chain {}", owner.address(), owner.chain_id());
    /// # Ok(())
    /// # }
    /// ```
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
///
/// ```no_run
/// use nexus_sessions::{Deployment, account_address};
///
/// # async fn example(
/// #     owner: alloy_primitives::Address,
/// # ) -> Result<(), nexus_sessions::Error> {
/// // where the owner's default account will be, before any client exists (asks the factory
/// // when the deployment cannot compute the address locally)
/// let deployment = Deployment::nexus_1_2_smart_session_v1_registry_free();
/// let account = account_address(&deployment, owner, 0, Some("http://127.0.0.1:8545")).await?;
/// println!("fund {account}");
/// # Ok(())
/// # }
/// ```
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
    /// A builder for an account owned by `signer`, reading the chain from `node` (a URL or an alloy
    /// provider, see [`NodeEndpoint`]) and sending to `bundler` (a URL, a prepared
    /// [`BundlerClient`](crate::BundlerClient) or a transport, see [`BundlerEndpoint`]).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let owner = NexusClient::builder(
    ///     owner_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// // every setting has a default; these are the builder's methods
    /// .chain_id(8453)
    /// .bundler_max_retries(5)
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(
        signer: impl Signer + Send + Sync + 'static,
        node: impl Into<NodeEndpoint>,
        bundler: impl Into<BundlerEndpoint>,
        deployment: Deployment,
    ) -> NexusClientBuilder {
        Self::builder_with_dyn_signer(Arc::new(signer), node, bundler, deployment)
    }

    /// [`Self::builder`] with a shared signer object.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, DynSigner, NexusClient};
    /// use std::sync::Arc;
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // one signer object shared by the owner's clients (here: two accounts)
    /// let signer: DynSigner = Arc::new(owner_key);
    /// let (rpc, bundler) = ("http://127.0.0.1:8545", "http://127.0.0.1:4337");
    /// let deployment = Deployment::nexus_1_2_smart_session_v1_registry_free();
    /// let first =
    ///     NexusClient::builder_with_dyn_signer(signer.clone(), rpc, bundler, deployment.clone())
    ///         .build()
    ///         .await?;
    /// let second = NexusClient::builder_with_dyn_signer(signer, rpc, bundler, deployment)
    ///     .index(1)
    ///     .build()
    ///     .await?;
    /// assert_eq!(first.owner(), second.owner());
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder_with_dyn_signer(
        signer: DynSigner,
        node: impl Into<NodeEndpoint>,
        bundler: impl Into<BundlerEndpoint>,
        deployment: Deployment,
    ) -> NexusClientBuilder {
        NexusClientBuilder {
            signer,
            settings: ClientSettings::new(node.into(), bundler.into(), deployment),
            index: 0,
            account_init: None,
            account_address: None,
            attesters: vec![MOCK_ATTESTER],
            eip7702: None,
        }
    }

    /// Connects with default settings (see [`NexusClientBuilder::build`]).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NexusClient};
    ///
    /// # async fn example(
    /// #     owner_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let owner = NexusClient::connect(
    ///     owner_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    /// )
    /// .await?;
    /// println!("account {}", owner.address());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(
        signer: impl Signer + Send + Sync + 'static,
        node: impl Into<NodeEndpoint>,
        bundler: impl Into<BundlerEndpoint>,
        deployment: Deployment,
    ) -> Result<Self, Error> {
        Self::builder(signer, node, bundler, deployment)
            .build()
            .await
    }

    /// The account address.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // known before deployment: fund it, its first operation deploys it
    /// println!("send ETH to {}", owner.address());
    /// # Ok(())
    /// # }
    /// ```
    pub fn address(&self) -> Address {
        self.sender.account
    }

    /// The owner's address.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// println!("account {} is owned by {}", owner.address(), owner.owner());
    /// # Ok(())
    /// # }
    /// ```
    pub fn owner(&self) -> Address {
        self.signer.address()
    }

    /// The chain id.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     op: &nexus_sessions::UserOperation,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the userOpHash of an operation of this account
    /// let hash = op.hash(owner.deployment().entry_point, owner.chain_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn chain_id(&self) -> u64 {
        self.sender.chain_id
    }

    /// The owner's signer.
    pub(crate) fn owner_signer(&self) -> &DynSigner {
        &self.signer
    }

    /// What the client was built with (chain id filled in).
    pub(crate) fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// The deployment.
    ///
    /// ```no_run
    /// use nexus_sessions::ModuleType;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let smart_session = owner.deployment().smart_session;
    /// if !owner.is_module_installed(ModuleType::Validator, smart_session).await? {
    ///     owner.install_smart_sessions().await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn deployment(&self) -> &Deployment {
        &self.sender.deployment
    }

    /// The account's init data (`abi.encode(bootstrap, bootstrapCall)`, see [`AccountInit`]).
    ///
    /// ```no_run
    /// use nexus_sessions::account::factory_data;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the factory data of the account's first operation, e.g. for an operation built elsewhere
    /// let factory_data = factory_data(owner.init_data(), owner.salt());
    /// # Ok(())
    /// # }
    /// ```
    pub fn init_data(&self) -> &Bytes {
        &self.init_data
    }

    /// The CREATE2 salt.
    ///
    /// ```no_run
    /// use nexus_sessions::account::salt_for_index;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the account index as a uint256 (a client built with the default index 0)
    /// assert_eq!(owner.salt(), salt_for_index(0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn salt(&self) -> B256 {
        self.salt
    }

    /// JSON-RPC requests made so far (node and bundler).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let before = owner.rpc_stats();
    /// owner.send_calls(&calls).await?;
    /// let used = owner.rpc_stats().since(&before);
    /// println!("{} requests: {} node, {} bundler", used.total(), used.node, used.bundler);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rpc_stats(&self) -> RpcStats {
        self.sender.stats()
    }

    /// Bundler requests made so far, per JSON-RPC method (every attempt counts). Take a snapshot
    /// before an action and [`since`](RequestCounts::since) after it, e.g. to see that nothing was
    /// sent: `counts.since(&before).get("eth_sendUserOperation") == 0`.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let before = owner.bundler_request_counts();
    /// let sent = owner.send_calls(&calls).await;
    /// let counts = owner.bundler_request_counts().since(&before);
    /// println!("{} eth_sendUserOperation attempts", counts.get("eth_sendUserOperation"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn bundler_request_counts(&self) -> RequestCounts {
        self.sender.bundler.request_counts()
    }

    /// Node requests made so far, per JSON-RPC method (`eth_call`s per function, e.g.
    /// `eth_call:getNonce`).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counts = owner.node_request_counts();
    /// println!("{} getNonce reads", counts.get("eth_call:getNonce"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn node_request_counts(&self) -> RequestCounts {
        self.sender.node.request_counts()
    }

    /// Asks the factory for the account address (`computeAccountAddress`), to cross-check the
    /// local computation.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the local computation (NexusProxy formula) agrees with the factory
    /// assert_eq!(owner.factory_account_address().await?, owner.address());
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if !owner.is_deployed().await? {
    ///     println!("the first operation deploys {}", owner.address());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_deployed(&self) -> Result<bool, Error> {
        match &self.eoa {
            Some(eoa) => Ok(eoa.state(&eoa.io(&self.sender)).await?.is_nexus()),
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
    ///
    /// ```no_run
    /// use alloy_primitives::{Bytes, U256, address, hex};
    /// use nexus_sessions::Call;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counter = address!("0x1111111111111111111111111111111111111111");
    /// let alice = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    /// let hash = owner
    ///     .send_calls(&[
    ///         Call::new(counter, hex!("273ea3e3")), // incrementNumber()
    ///         Call::new(alice, Bytes::new()).with_value(U256::from(10u64.pow(15))), // 0.001 ETH
    ///     ])
    ///     .await?;
    /// let receipt = owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_calls(&self, calls: &[Call]) -> Result<B256, Error> {
        self.send_calls_with(calls, &SendOptions::default()).await
    }

    /// [`Self::send_calls`] with explicit fees or gas limits.
    ///
    /// ```no_run
    /// use nexus_sessions::SendOptions;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // fixed fees (no gas-price request) and gas limits (no estimation)
    /// let opts = SendOptions::default()
    ///     .with_fees(2_000_000_000, 1_000_000_000)
    ///     .with_gas(100_000, 150_000, 60_000);
    /// let hash = owner.send_calls_with(&calls, &opts).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_calls_with(&self, calls: &[Call], opts: &SendOptions) -> Result<B256, Error> {
        let (opts, lead) = self.eoa_options(calls, opts).await?;
        let raw = |sig: Bytes| Ok(sig);
        let sent = self.sender.send(calls, &self.auth(&raw), &opts).await;
        self.eoa_sent(sent, &opts, lead).await
    }

    /// For an EIP-7702 account: refuses calls that break it and delegates when needed, once for
    /// all concurrent callers (an authorization in `opts` with the [`Lead`] to resolve in
    /// [`Self::eoa_sent`], or a delegation transaction first).
    async fn eoa_options(
        &self,
        calls: &[Call],
        opts: &SendOptions,
    ) -> Result<(SendOptions, Option<Lead<'_>>), Error> {
        match &self.eoa {
            None => Ok((opts.clone(), None)),
            Some(eoa) => {
                Eoa::check_calls(self.address(), calls)?;
                eoa.options(&self.sender, self.signer.as_ref(), self.chain_id(), opts)
                    .await
            }
        }
    }

    /// For an EIP-7702 account: records the operation that delegates (the other callers wait for
    /// it), explains AA20.
    async fn eoa_sent(
        &self,
        sent: Result<B256, Error>,
        opts: &SendOptions,
        lead: Option<Lead<'_>>,
    ) -> Result<B256, Error> {
        let Some(eoa) = &self.eoa else { return sent };
        eoa.sent(&sent, opts, lead);
        match sent {
            Ok(hash) => Ok(hash),
            Err(e) => Err(eoa.explain(&eoa.io(&self.sender), self.address(), e).await),
        }
    }

    /// For a deferred grant on an EIP-7702 account: the EOA must delegate before the owner signs
    /// offline, or the session key's first operation fails AA20 far from the cause. Waits for a
    /// delegation in flight, delegates by transaction when built with
    /// [`DelegateVia::Transaction`], else [`Error::NotDelegated`]. Nothing for other accounts.
    pub(crate) async fn eoa_ready_for_grant(&self) -> Result<(), Error> {
        match &self.eoa {
            None => Ok(()),
            Some(eoa) => {
                eoa.ready_for_grant(&self.sender, self.signer.as_ref(), self.chain_id())
                    .await
            }
        }
    }

    /// Whether the account is the owner's EOA delegated through EIP-7702.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if owner.is_eip7702() {
    ///     owner.delegate().await?; // a type-4 transaction, unless already delegated
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_eip7702(&self) -> bool {
        self.eoa.is_some()
    }

    /// The account's EIP-7702 delegation, read from its code: `None` (plain EOA), `Nexus`,
    /// `Other` (another contract), or `Contract` (not an EOA: e.g. a factory account).
    ///
    /// ```no_run
    /// use nexus_sessions::DelegationState;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// match owner.delegation_state().await? {
    ///     DelegationState::Nexus(to) => println!("a Nexus account (delegates to {to})"),
    ///     DelegationState::None => println!("a plain EOA: the next operation delegates"),
    ///     other => println!("not usable as this Nexus account: {other:?}"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delegation_state(&self) -> Result<DelegationState, Error> {
        match &self.eoa {
            Some(eoa) => eoa.state(&eoa.io(&self.sender)).await,
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if let Some(tx) = owner.delegate().await? {
    ///     println!("delegated by transaction {tx}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delegate(&self) -> Result<Option<B256>, Error> {
        self.eoa()?
            .delegate(&self.sender, self.signer.as_ref(), self.chain_id())
            .await
    }

    /// Delegates the EOA to the Nexus implementation whatever it delegates to now (type-4
    /// transaction). Storage survives un-delegation, so modules and enabled permissions work again.
    /// Returns the transaction hash.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// owner.undelegate().await?;
    /// // ... later: the modules and permissions installed before are back
    /// owner.redelegate().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn redelegate(&self) -> Result<B256, Error> {
        let implementation = self.eoa()?.implementation;
        self.send_delegation_transaction(implementation, None).await
    }

    /// Removes the delegation (type-4 transaction authorizing `address(0)`): the EOA is a plain EOA
    /// again and operations fail ([`Error::NotDelegated`], AA20) until [`Self::redelegate`].
    ///
    /// It first waits for this client's delegating operation still in flight (their
    /// authorizations would collide); operations started while it is out wait for it and then
    /// get [`Error::NotDelegated`] (never a new authorization). Operations already handed to the
    /// bundler before it are not waited for: wait for their receipts first, or they may fail AA20.
    ///
    /// ```no_run
    /// use nexus_sessions::DelegationState;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// owner.undelegate().await?;
    /// assert_eq!(owner.delegation_state().await?, DelegationState::None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn undelegate(&self) -> Result<B256, Error> {
        self.send_delegation_transaction(Address::ZERO, None).await
    }

    /// The EOA's own type-4 transaction authorizing `delegate` with `authorization_nonce`
    /// (default: transaction nonce + 1, right for a self-sent transaction); waits for it and reads
    /// the code: [`Error::DelegationNotApplied`] when it does not show `delegate` (a wrong
    /// authorization nonce is skipped silently by the chain). Returns the transaction hash.
    ///
    /// ```no_run
    /// use alloy_primitives::Address;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     authorization_nonce: u64,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // `undelegate`, with the authorization nonce given explicitly
    /// let tx = owner
    ///     .send_delegation_transaction(Address::ZERO, Some(authorization_nonce))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_delegation_transaction(
        &self,
        delegate: Address,
        authorization_nonce: Option<u64>,
    ) -> Result<B256, Error> {
        self.eoa()?
            .send_delegation(
                &self.sender,
                self.signer.as_ref(),
                self.chain_id(),
                delegate,
                authorization_nonce,
            )
            .await
    }

    /// Signs `message` for ERC-1271 checks against the account (abstractjs `signMessage`):
    /// `address(0)` (the default validator) ‖ the owner's ECDSA signature over the ERC-7739
    /// `PersonalSign` digest of `hashMessage(message)` in the account's EIP-712 domain (read with
    /// `eip712Domain()`). Nexus 1.2 only.
    ///
    /// ```no_run
    /// use alloy_primitives::eip191_hash_message;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let signature = owner.sign_message_erc1271(b"hello").await?;
    /// let hash = eip191_hash_message(b"hello");
    /// assert!(owner.is_valid_signature(hash, &signature).await?);
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use alloy_primitives::eip191_hash_message;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     message: &[u8],
    /// #     signature: alloy_primitives::Bytes,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // a message signed for this account, e.g. a Sign-In with Ethereum message
    /// let ok = owner.is_valid_signature(eip191_hash_message(message), &signature).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = match owner.send_calls(&calls).await {
    ///     Ok(hash) => hash,
    ///     // may still land: resend that very operation, never a new one for the same intent
    ///     Err(e) => match e.unknown_outcome() {
    ///         Some((_, op)) => owner.resend_user_operation(op).await?,
    ///         None => return Err(e),
    ///     },
    /// };
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn resend_user_operation(&self, op: &UserOperation) -> Result<B256, Error> {
        self.sender.resend(op).await
    }

    /// Polls `eth_getUserOperationReceipt` until the operation is included; an operation whose
    /// execution reverted is [`Error::UserOperationReverted`] with the decoded reason. Faults while
    /// polling are ridden out until the receipt timeout; an operation this client sent that the
    /// bundler forgets is resent as is. No receipt in time for an operation this client sent is
    /// [`Error::OutcomeUnknown`] (with the operation), else [`Error::ReceiptTimeout`].
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = owner.send_calls(&calls).await?;
    /// let receipt = owner.wait_for_user_operation_receipt(hash).await?;
    /// println!(
    ///     "landed in transaction {}, cost {} wei",
    ///     receipt.receipt.transaction_hash, receipt.actual_gas_cost
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_for_user_operation_receipt(
        &self,
        hash: B256,
    ) -> Result<UserOperationReceipt, Error> {
        let waited = self.sender.wait(hash).await;
        if let Some(eoa) = &self.eoa {
            let io = eoa.io(&self.sender);
            match &waited {
                Ok(_) => eoa.check_receipt(&io, self.address(), hash).await?,
                // Included all the same: an authorization it carried applied (or not); the revert
                // is what to report, the code read only settles the bookkeeping.
                Err(Error::UserOperationReverted { .. }) => {
                    let _ = eoa.check_receipt(&io, self.address(), hash).await;
                }
                Err(_) => {}
            }
        }
        waited
    }

    /// `isModuleInstalled(type, module, 0x)`; `false` for an undeployed account.
    ///
    /// ```no_run
    /// use nexus_sessions::ModuleType;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let smart_session = owner.deployment().smart_session;
    /// let installed = owner.is_module_installed(ModuleType::Validator, smart_session).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // on Nexus 1.2 the install also makes SmartSession a safe sender of the default validator,
    /// // which then accepts the owner's plain ENABLE signatures that SmartSession forwards
    /// let hash = owner.install_smart_sessions().await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// assert!(owner.is_safe_sender(owner.deployment().smart_session).await?);
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// for validator in owner.validators().await? {
    ///     println!("validator {validator}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     other: nexus_sessions::Call,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // install SmartSession in the same operation as other calls
    /// let mut calls = owner.install_smart_sessions_calls();
    /// calls.push(other);
    /// let hash = owner.send_calls(&calls).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn install_smart_sessions_calls(&self) -> Vec<Call> {
        smart_session_install_calls(self.deployment(), self.address())
    }

    /// Installs the SmartSession module ([`Self::install_smart_sessions_calls`] in one operation).
    /// Returns the userOpHash.
    ///
    /// ```no_run
    /// use nexus_sessions::ModuleType;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let smart_session = owner.deployment().smart_session;
    /// if !owner.is_module_installed(ModuleType::Validator, smart_session).await? {
    ///     let hash = owner.install_smart_sessions().await?;
    ///     owner.wait_for_user_operation_receipt(hash).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn install_smart_sessions(&self) -> Result<B256, Error> {
        self.send_calls(&self.install_smart_sessions_calls()).await
    }

    /// Uninstalls the SmartSession module. SmartSession v1 removes the account's sessions then
    /// (measured on v1 registry-free); the pre-v1 build keeps them in storage, but the account no
    /// longer validates through the module (`ValidatorNotInstalled`). Reads the validator list for
    /// the SentinelList predecessor first.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = owner.uninstall_smart_sessions().await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use nexus_sessions::deployment::RHINESTONE_ATTESTER;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = owner.trust_attesters(&[RHINESTONE_ATTESTER], 1).await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if owner.trusted_attesters().await?.is_empty() {
    ///     println!("the first grant also sends trustAttesters");
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use alloy_primitives::{address, hex};
    /// use nexus_sessions::{ActionPermission, PermissionRequest};
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     session_key: alloy_primitives::Address,
    /// #     other: nexus_sessions::Call,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counter = address!("0x1111111111111111111111111111111111111111");
    /// let request = PermissionRequest::new(session_key)
    ///     .action(ActionPermission::new(counter, hex!("273ea3e3")).usage_limit(10));
    /// let (sessions, enable) = owner.prepare_permission(&[request])?;
    /// println!("permission {}", sessions[0].permission_id());
    /// // grant in the same operation as another call
    /// owner.send_calls(&[other, enable]).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use alloy_primitives::{U256, address, hex};
    /// use nexus_sessions::{
    ///     ActionPermission, PermissionRequest,
    ///     sessions::policy::{ParamCondition, ParamRule},
    /// };
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     session_key: alloy_primitives::Address,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counter = address!("0x1111111111111111111111111111111111111111");
    /// // incrementNumber() at most 3 times; setNumber(n) only with n <= 100
    /// let request = PermissionRequest::new(session_key)
    ///     .action(ActionPermission::new(counter, hex!("273ea3e3")).usage_limit(3))
    ///     .action(
    ///         ActionPermission::new(counter, hex!("3fb5c1cb"))
    ///             .rule(ParamRule::new(ParamCondition::LessThanOrEqual, 0, U256::from(100u64))),
    ///     );
    /// let grant = owner.grant_permission(&[request]).await?;
    /// owner.wait_for_user_operation_receipt(grant.user_op_hash).await?;
    /// let json = owner.session_data(&grant, 0)?.to_json(); // for the session key's holder
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use nexus_sessions::sessions::Session;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     json: &str,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let session = Session::from_json(json)?; // a module-sdk `Session` JSON
    /// let grant = owner.enable_sessions(vec![session]).await?;
    /// owner.wait_for_user_operation_receipt(grant.user_op_hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn enable_sessions(
        &self,
        sessions: Vec<Session>,
    ) -> Result<GrantPermissionResponse, Error> {
        let d = self.deployment();
        let action = Call::new(
            d.smart_session,
            enable_sessions_calldata(d.module_version, &sessions)?,
        );
        let (opts, lead) = self.eoa_options(&[], &SendOptions::default()).await?;
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
        let user_op_hash = self.eoa_sent(sent, &opts, lead).await?;
        if needs_registry {
            self.attesters_trusted.store(true, Ordering::Relaxed);
        }
        Ok(GrantPermissionResponse::new(
            user_op_hash,
            sessions,
            action,
            trust,
        ))
    }

    /// The [`SessionData`] the session key at `index` of a grant needs (USE mode).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     requests: Vec<nexus_sessions::PermissionRequest>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let grant = owner.grant_permission(&requests).await?;
    /// owner.wait_for_user_operation_receipt(grant.user_op_hash).await?;
    /// // one SessionData per session key, as JSON (no secret in it)
    /// for index in 0..requests.len() {
    ///     let json = owner.session_data(&grant, index)?.to_json();
    /// }
    /// # Ok(())
    /// # }
    /// ```
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
    /// On an EIP-7702 account the EOA must delegate to Nexus first ([`Error::NotDelegated`]
    /// otherwise, unless the client delegates by transaction: see
    /// [`grant_multichain_deferred_permission`](Self::grant_multichain_deferred_permission)).
    /// The one-chain case of [`grant_multichain_deferred_permission`](Self::grant_multichain_deferred_permission).
    ///
    /// ```no_run
    /// use nexus_sessions::sessions::SmartSessionMode;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     request: nexus_sessions::PermissionRequest,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // signed off-chain, no owner operation: the session key's first operation enables it
    /// let data = owner.grant_deferred_permission(&request, SmartSessionMode::Enable).await?;
    /// let json = data.to_json(); // for the session key's holder
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// use alloy_primitives::U256;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     permission_id: nexus_sessions::sessions::PermissionId,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let before = owner.enable_nonce(permission_id).await?;
    /// let hash = owner.revoke_enable_signature(permission_id).await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// assert_eq!(owner.enable_nonce(permission_id).await?, before + U256::from(1));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn enable_nonce(&self, permission_id: PermissionId) -> Result<U256, Error> {
        enable_nonce(
            &self.sender.node,
            self.deployment().smart_session,
            permission_id,
            self.address(),
        )
        .await
    }

    /// `removeSession(permissionId)`: revokes an enabled permission.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     grant: nexus_sessions::GrantPermissionResponse,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = owner.revoke_permission(grant.permission_ids[0]).await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// assert!(!owner.is_permission_enabled(grant.permission_ids[0]).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_permission(&self, permission_id: PermissionId) -> Result<B256, Error> {
        let call = Call::new(
            self.deployment().smart_session,
            remove_session_calldata(permission_id),
        );
        self.send_calls(&[call]).await
    }

    /// `revokeEnableSignature(permissionId)`: invalidates an unused ENABLE signature (bumps the
    /// session's enable nonce).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     data: nexus_sessions::sessions::SessionData,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // a deferred grant handed out but not used yet: its signature can no longer enable it
    /// let Some(permission_id) = data.module_data.active_permission_id() else { return Ok(()) };
    /// let hash = owner.revoke_enable_signature(permission_id).await?;
    /// owner.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     permission_id: nexus_sessions::sessions::PermissionId,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if owner.is_permission_enabled(permission_id).await? {
    ///     owner.revoke_permission(permission_id).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_permission_enabled(&self, permission_id: PermissionId) -> Result<bool, Error> {
        is_permission_enabled(
            &self.sender.node,
            self.deployment().smart_session,
            permission_id,
            self.address(),
        )
        .await
    }
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
