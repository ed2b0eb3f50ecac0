//! Library half of the end-to-end test crate: what the tests in `tests/`, the `flow` benchmark and
//! the `session_key_load` client share.
//!
//! - [`Chain`]: direct node access for test set-up and checks (fund an address, place a fresh
//!   `Counter`, read `number()`, move anvil's clock) — never used by the code under test;
//! - [`counter`]: the `Counter` fixture's calls as [`nexus_sessions::Call`]s;
//! - [`Owner`]: a fresh owner key with a funded, deployed Nexus account that has SmartSession
//!   installed, and a fresh `Counter` to grant permissions on;
//! - [`vm_hwm_kb`]: a process's peak memory, for the memory benchmark and its load client;
//! - [`gate`]: a loopback HTTP(S) endpoint that forwards only requests with an API key header.

use alloy_primitives::{Address, Bytes, U256};
use alloy_provider::{Provider, ProviderBuilder, RootProvider};
use nexus_sessions::{
    ActionPermission, BundlerEndpoint, Deployment, NexusClient, NodeEndpoint, PermissionRequest,
    PrivateKeySigner, SendOptions, SessionKeyClient, SessionSignatureStyle, sessions::SessionData,
};
use nexus_sessions_devnet::Devnet;
use serde_json::json;
use std::borrow::Cow;

pub use nexus_sessions;

pub mod gate;

/// The `Counter` fixture's functions.
pub mod counter {
    use alloy_primitives::{Address, U256};
    use alloy_sol_types::{SolCall, sol};
    use nexus_sessions::Call;

    sol! {
        function incrementNumber() external;
        function incrementBy(uint256 amount) external;
        function setNumber(uint256 newNumber) external;
        function deposit() external payable;
        function number() external view returns (uint256);
    }

    /// `incrementNumber()` (`0x273ea3e3`).
    pub const INCREMENT_NUMBER: [u8; 4] = incrementNumberCall::SELECTOR;
    /// `incrementBy(uint256)`.
    pub const INCREMENT_BY: [u8; 4] = incrementByCall::SELECTOR;
    /// `setNumber(uint256)`.
    pub const SET_NUMBER: [u8; 4] = setNumberCall::SELECTOR;
    /// `deposit()` (payable).
    pub const DEPOSIT: [u8; 4] = depositCall::SELECTOR;

    /// `counter.incrementNumber()`.
    pub fn increment(counter: Address) -> Call {
        Call::new(counter, incrementNumberCall {}.abi_encode())
    }

    /// `counter.incrementBy(amount)`.
    pub fn increment_by(counter: Address, amount: u64) -> Call {
        Call::new(
            counter,
            incrementByCall {
                amount: U256::from(amount),
            }
            .abi_encode(),
        )
    }

    /// `counter.setNumber(n)`.
    pub fn set_number(counter: Address, n: u64) -> Call {
        Call::new(
            counter,
            setNumberCall {
                newNumber: U256::from(n),
            }
            .abi_encode(),
        )
    }

    /// `counter.deposit{value}()`.
    pub fn deposit(counter: Address, value: U256) -> Call {
        Call::new(counter, depositCall {}.abi_encode()).with_value(value)
    }

    /// `number()` calldata.
    pub fn number_calldata() -> Vec<u8> {
        numberCall {}.abi_encode()
    }
}

/// A test-side failure (set-up or check), with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {detail}")]
pub struct ChainError {
    what: String,
    detail: String,
}

impl ChainError {
    fn new(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        Self {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

/// Direct JSON-RPC access to the devnet's node for set-up and checks.
#[derive(Debug, Clone)]
pub struct Chain {
    provider: RootProvider,
    counter_code: Bytes,
}

impl Chain {
    /// Connects to `rpc_url`; `template_counter` is a deployed `Counter` whose runtime code
    /// [`Self::deploy_counter`] copies.
    pub async fn connect(rpc_url: &str, template_counter: Address) -> Result<Self, ChainError> {
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect(rpc_url)
            .await
            .map_err(|e| ChainError::new(format!("connect to {rpc_url}"), e))?;
        let counter_code = provider
            .get_code_at(template_counter)
            .await
            .map_err(|e| ChainError::new("eth_getCode(counter)", e))?;
        if counter_code.is_empty() {
            return Err(ChainError::new(
                "template Counter",
                format!("no code at {template_counter}"),
            ));
        }
        Ok(Self {
            provider: provider.root().clone(),
            counter_code,
        })
    }

    /// [`Self::connect`] to a devnet, copying its `Counter`.
    pub async fn of(devnet: &Devnet) -> Result<Self, ChainError> {
        Self::connect(devnet.rpc_url(), devnet.addresses().counter).await
    }

    async fn raw(
        &self,
        method: &'static str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ChainError> {
        self.provider
            .raw_request::<_, serde_json::Value>(Cow::Borrowed(method), params)
            .await
            .map_err(|e| ChainError::new(method, e))
    }

    /// Sets the balance of `address` (anvil `anvil_setBalance`).
    pub async fn fund(&self, address: Address, wei: U256) -> Result<(), ChainError> {
        self.raw("anvil_setBalance", json!([address, wei]))
            .await
            .map(drop)
    }

    /// The balance of `address`.
    pub async fn balance(&self, address: Address) -> Result<U256, ChainError> {
        self.provider
            .get_balance(address)
            .await
            .map_err(|e| ChainError::new("eth_getBalance", e))
    }

    /// Places a fresh `Counter` (number 0) at a random address (`anvil_setCode`), so parallel
    /// tests never share one.
    pub async fn deploy_counter(&self) -> Result<Address, ChainError> {
        let address = Address::from_slice(&nexus_sessions::permission::random_salt()[12..]);
        self.deploy_counter_at(address).await?;
        Ok(address)
    }

    /// Places a fresh `Counter` at `address` (the same address on several chains).
    pub async fn deploy_counter_at(&self, address: Address) -> Result<(), ChainError> {
        self.raw("anvil_setCode", json!([address, self.counter_code]))
            .await
            .map(drop)
    }

    /// `counter.number()`.
    pub async fn counter_number(&self, counter: Address) -> Result<U256, ChainError> {
        let tx = alloy_rpc_types_eth::TransactionRequest::default()
            .to(counter)
            .input(counter::number_calldata().into());
        let out = self
            .provider
            .call(tx)
            .await
            .map_err(|e| ChainError::new("eth_call number()", e))?;
        if out.len() != 32 {
            return Err(ChainError::new(
                "number() reply",
                format!("{} bytes", out.len()),
            ));
        }
        Ok(U256::from_be_slice(&out))
    }

    /// The latest block's timestamp.
    pub async fn latest_timestamp(&self) -> Result<u64, ChainError> {
        let block = self
            .raw("eth_getBlockByNumber", json!(["latest", false]))
            .await?;
        let ts = block
            .get("timestamp")
            .and_then(|t| t.as_str())
            .ok_or_else(|| ChainError::new("latest block", "no timestamp"))?;
        u64::from_str_radix(ts.trim_start_matches("0x"), 16)
            .map_err(|e| ChainError::new("latest block timestamp", e))
    }

    /// Moves the clock forward by `seconds` and mines a block (`evm_increaseTime`, `evm_mine`).
    pub async fn increase_time(&self, seconds: u64) -> Result<(), ChainError> {
        self.raw("evm_increaseTime", json!([seconds])).await?;
        self.raw("evm_mine", json!([])).await?;
        Ok(())
    }

    /// Mines a block now (`evm_mine`): after a devnet start from a cached state the latest block is
    /// as old as the cache, and its timestamp says nothing about the time of the next block.
    pub async fn mine(&self) -> Result<(), ChainError> {
        self.raw("evm_mine", json!([])).await.map(drop)
    }

    /// The block number.
    pub async fn block_number(&self) -> Result<u64, ChainError> {
        self.provider
            .get_block_number()
            .await
            .map_err(|e| ChainError::new("eth_blockNumber", e))
    }

    /// The underlying provider.
    pub fn provider(&self) -> &RootProvider {
        &self.provider
    }
}

/// The contracts of `deployment` without code on the node at `rpc_url`, by role (empty when the
/// chain holds the whole deployment).
pub async fn missing_code(
    rpc_url: &str,
    deployment: &Deployment,
) -> Result<Vec<(&'static str, Address)>, ChainError> {
    let provider = ProviderBuilder::new()
        .connect(rpc_url)
        .await
        .map_err(|e| ChainError::new("connect", e))?;
    let mut missing = Vec::new();
    for (role, address) in deployment.contracts() {
        let code = provider
            .get_code_at(address)
            .await
            .map_err(|e| ChainError::new(format!("eth_getCode({address})"), e))?;
        if code.is_empty() {
            missing.push((role, address));
        }
    }
    Ok(missing)
}

/// Ten ETH, what every test account gets.
pub fn ten_eth() -> U256 {
    U256::from(10u64).pow(U256::from(18u64)) * U256::from(10u64)
}

/// A fresh owner: random key, its Nexus account funded, deployed and with SmartSession installed
/// (one user operation), and a fresh `Counter`.
#[derive(Debug)]
pub struct Owner {
    /// The owner's client.
    pub client: NexusClient,
    /// A `Counter` no other test touches.
    pub counter: Address,
    /// Node access.
    pub chain: Chain,
    /// The deployment the owner's and its session keys' clients use.
    pub deployment: Deployment,
}

/// Anything that can go wrong in set-up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The facade failed.
    #[error(transparent)]
    Nexus(#[from] nexus_sessions::Error),
    /// A direct node request failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl Owner {
    /// Creates the owner's client for a random key, funds the account and sends its first user
    /// operation, which deploys it and installs SmartSession.
    pub async fn new(devnet: &Devnet) -> Result<Self, SetupError> {
        Self::with_deployment(devnet, devnet.deployment()).await
    }

    /// [`Owner::new`] with another view of the devnet's contracts (for example another session
    /// validator), used by the owner's client and every session client it makes.
    pub async fn with_deployment(
        devnet: &Devnet,
        deployment: Deployment,
    ) -> Result<Self, SetupError> {
        Self::with_key(devnet, deployment, PrivateKeySigner::random(), None).await
    }

    /// One owner key on several devnets: on each, its account set up as by [`Owner::new`] and a
    /// fresh `Counter` at the same address on every chain (so one permission request fits all).
    pub async fn on_chains(devnets: &[&Devnet]) -> Result<Vec<Self>, SetupError> {
        let key = PrivateKeySigner::random();
        let counter = Address::from_slice(&nexus_sessions::permission::random_salt()[12..]);
        let mut owners = Vec::with_capacity(devnets.len());
        for devnet in devnets {
            owners.push(
                Self::with_key(devnet, devnet.deployment(), key.clone(), Some(counter)).await?,
            );
        }
        Ok(owners)
    }

    async fn with_key(
        devnet: &Devnet,
        deployment: Deployment,
        key: PrivateKeySigner,
        counter: Option<Address>,
    ) -> Result<Self, SetupError> {
        let chain = Chain::of(devnet).await?;
        let client = NexusClient::builder(
            key,
            devnet.rpc_url(),
            devnet.bundler_url(),
            deployment.clone(),
        )
        .chain_id(devnet.chain_id())
        .build()
        .await?;
        chain.fund(client.address(), ten_eth()).await?;
        let counter = match counter {
            Some(at) => chain.deploy_counter_at(at).await.map(|()| at)?,
            None => chain.deploy_counter().await?,
        };
        let hash = client.install_smart_sessions().await?;
        client.wait_for_user_operation_receipt(hash).await?;
        Ok(Self {
            client,
            counter,
            chain,
            deployment,
        })
    }

    /// Grants `request` with one user operation, waits for its receipt and returns the grant's
    /// SessionData JSON: what the owner hands to the session key's holder.
    pub async fn grant(&self, request: PermissionRequest) -> Result<String, SetupError> {
        let grant = self.client.grant_permission(&[request]).await?;
        self.client
            .wait_for_user_operation_receipt(grant.user_op_hash)
            .await?;
        Ok(self.client.session_data(&grant, 0)?.to_json())
    }

    /// A session-key client for `key`, built from the SessionData **JSON** (as a separate process
    /// would), with the local policy pre-check on or off.
    pub async fn session_client(
        &self,
        devnet: &Devnet,
        key: PrivateKeySigner,
        session_data_json: &str,
        local_policy_check: bool,
    ) -> Result<SessionKeyClient, SetupError> {
        self.session_client_signing(devnet, key, session_data_json, local_policy_check, None)
            .await
    }

    /// [`Owner::session_client`] signing in `style` (`None`: the style the deployment and the
    /// session data resolve to).
    pub async fn session_client_signing(
        &self,
        devnet: &Devnet,
        key: PrivateKeySigner,
        session_data_json: &str,
        local_policy_check: bool,
        style: Option<SessionSignatureStyle>,
    ) -> Result<SessionKeyClient, SetupError> {
        let data =
            SessionData::from_json(session_data_json).map_err(nexus_sessions::Error::from)?;
        let mut builder = SessionKeyClient::builder(
            key,
            devnet.rpc_url(),
            devnet.bundler_url(),
            self.deployment.clone(),
            data,
        )
        .chain_id(devnet.chain_id())
        .with_local_policy_check(local_policy_check);
        if let Some(style) = style {
            builder = builder.signature_style(style);
        }
        Ok(builder.build().await?)
    }

    /// `counter.number()` as a `u64`.
    pub async fn count(&self) -> Result<u64, ChainError> {
        let n = self.chain.counter_number(self.counter).await?;
        u64::try_from(n).map_err(|e| ChainError::new("counter value", e))
    }
}

/// Fixed fees from the bundler's current `fast` price (doubled for headroom): operations sent with
/// them skip the gas-price request, so a client's bundler request count is exactly estimate + send.
pub async fn fixed_fees(devnet: &Devnet) -> Result<SendOptions, ChainError> {
    let bundler = nexus_sessions_bundler::BundlerClient::new(devnet.bundler_url())
        .map_err(|e| ChainError::new("bundler client", e))?;
    let price = bundler
        .user_operation_gas_price()
        .await
        .map_err(|e| ChainError::new("pimlico_getUserOperationGasPrice", e))?
        .fast;
    Ok(SendOptions::default().with_fees(
        price.max_fee_per_gas.saturating_mul(2),
        price.max_priority_fee_per_gas.saturating_mul(2),
    ))
}

/// Over the given endpoints (a provider, bundler clients or transports of the test's own): an
/// owner with a fresh key (account funded, deployed, SmartSession installed), a grant of
/// `incrementNumber` on a fresh `Counter` to a fresh session key, and one use of it, each waited
/// for. Returns both clients and the `Counter` (whose number is then 1 if all landed).
pub async fn grant_and_use_via(
    devnet: &Devnet,
    node: NodeEndpoint,
    owner_bundler: BundlerEndpoint,
    session_bundler: BundlerEndpoint,
) -> Result<(NexusClient, SessionKeyClient, Address), SetupError> {
    let chain = Chain::of(devnet).await?;
    let deployment = devnet.deployment();
    let owner = NexusClient::builder(
        PrivateKeySigner::random(),
        node.clone(),
        owner_bundler,
        deployment.clone(),
    )
    .build()
    .await?;
    chain.fund(owner.address(), ten_eth()).await?;
    let target = chain.deploy_counter().await?;
    let hash = owner.install_smart_sessions().await?;
    owner.wait_for_user_operation_receipt(hash).await?;

    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(target, counter::INCREMENT_NUMBER).usage_limit(3));
    let grant = owner.grant_permission(&[request]).await?;
    owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await?;
    let data = owner.session_data(&grant, 0)?;
    let session = SessionKeyClient::builder(key, node, session_bundler, deployment, data)
        .build()
        .await?;
    let used = session
        .use_permission(&[counter::increment(target)])
        .await?;
    session.wait_for_user_operation_receipt(used).await?;
    Ok((owner, session, target))
}

/// The peak resident set size (`VmHWM` in `/proc/<pid>/status`, kB) of process `pid`, or of this
/// process for `None`; `None` when it cannot be read (no such process, not Linux).
pub fn vm_hwm_kb(pid: Option<u32>) -> Option<u64> {
    let status = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    std::fs::read_to_string(status)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
