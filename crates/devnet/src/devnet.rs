//! The running devnet: start, handle, stop on drop.

use crate::{
    DevnetAddresses, DevnetError, DevnetKeys, Fixtures, ModuleVersion, NexusVersion,
    OverrideManifest, PaymasterService, Toolchain,
    alto::{self, AltoConfig},
    anvil::{self, CHAIN_ID},
    deploy,
    plan::{DefaultCode, Plan},
    process::{self, ManagedChild},
    state_cache::{self, CachedState},
};
use alloy_primitives::{Address, B256, Bytes};
use alloy_provider::{ProviderBuilder, ext::AnvilApi};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Set to `0` to bypass the anvil state cache (always deploy from scratch).
pub const STATE_CACHE_ENV: &str = "DEVNET_STATE_CACHE";

/// A running local ERC-4337 devnet: anvil with EntryPoint v0.7, Nexus, the SmartSession module and the
/// fixtures deployed, plus the alto bundler.
///
/// Dropping the handle stops both processes (by PID), also when a test panics. Their logs stay in
/// [`Devnet::log_dir`] (`target/devnet-logs/<instance>/`).
///
/// ```no_run
/// # async fn demo() -> Result<(), nexus_sessions_devnet::DevnetError> {
/// let devnet = nexus_sessions_devnet::Devnet::start().await?;
/// println!("rpc {} bundler {}", devnet.rpc_url(), devnet.bundler_url());
/// println!("counter at {}", devnet.addresses().counter);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Devnet {
    // Field order is drop order: the bundler goes before the node it talks to. `None` only while
    // [`Devnet::restart_bundler`] replaces it.
    alto: Option<ManagedChild>,
    anvil: ManagedChild,
    paymaster: PaymasterService,
    rpc_url: String,
    bundler_url: String,
    addresses: DevnetAddresses,
    keys: DevnetKeys,
    module_version: ModuleVersion,
    nexus_version: NexusVersion,
    nexus_proxy_creation_code: Bytes,
    chain_id: u64,
    log_dir: PathBuf,
    from_cached_state: bool,
    /// Where alto is installed, to start it again ([`Devnet::restart_bundler`]).
    alto_package_dir: PathBuf,
}

/// Options for starting a [`Devnet`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct DevnetBuilder {
    overrides: Option<OverrideManifest>,
    state_cache: bool,
    hardfork: Option<String>,
    chain_id: u64,
}

impl Default for DevnetBuilder {
    fn default() -> Self {
        Self {
            overrides: None,
            chain_id: CHAIN_ID,
            state_cache: std::env::var(STATE_CACHE_ENV).map_or(true, |v| v != "0"),
            hardfork: None,
        }
    }
}

impl DevnetBuilder {
    /// Uses this override manifest instead of the one named by `DEVNET_OVERRIDES`.
    pub fn overrides(mut self, manifest: OverrideManifest) -> Self {
        self.overrides = Some(manifest);
        self
    }

    /// Enables or disables the anvil state cache (enabled unless `DEVNET_STATE_CACHE=0`).
    pub fn state_cache(mut self, enabled: bool) -> Self {
        self.state_cache = enabled;
        self
    }

    /// The chain id anvil runs with (default [`CHAIN_ID`], 31337). The contracts land at the same
    /// addresses whatever the chain id.
    pub fn chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Runs anvil with `--hardfork NAME` (e.g. `prague`). Not needed for EIP-7702: anvil 1.7.1's
    /// default (`latest`) already accepts type-4 transactions and `eip7702Auth` bundles.
    pub fn hardfork(mut self, name: impl Into<String>) -> Self {
        self.hardfork = Some(name.into());
        self
    }

    /// Installs the tools if needed, builds the fixtures, starts anvil, deploys (or loads a cached
    /// state), starts alto and returns the handle once both answer.
    pub async fn start(self) -> Result<Devnet, DevnetError> {
        let prepared = self.prepared().await?;
        launch_instance(&prepared, self.state_cache, self.chain_id).await
    }

    /// Starts `n` chains with the chain ids `chain_id, chain_id + 1, …` (default 31337, 31338, …),
    /// each its own anvil and alto, the same contracts at the same addresses. The tools and fixtures
    /// are prepared once; the chains start one after the other (the first one may write the state
    /// cache the others load).
    pub async fn start_many(self, n: usize) -> Result<Devnets, DevnetError> {
        let prepared = self.prepared().await?;
        let mut chains = Vec::with_capacity(n);
        for i in 0..n as u64 {
            let chain_id = self.chain_id.checked_add(i).ok_or(DevnetError::Rpc {
                context: "choosing chain ids".into(),
                detail: format!("chain id {} + {i} overflows", self.chain_id),
            })?;
            chains.push(launch_instance(&prepared, self.state_cache, chain_id).await?);
        }
        Ok(Devnets { chains })
    }

    async fn prepared(&self) -> Result<Prepared, DevnetError> {
        let overrides = match self.overrides.clone() {
            Some(m) => m,
            None => OverrideManifest::from_env()?.unwrap_or_default(),
        };
        // Installing and compiling is blocking work (npm, forge); keep it off the async worker.
        let hardfork = self.hardfork.clone();
        tokio::task::spawn_blocking(move || prepare(overrides, hardfork))
            .await
            .map_err(|e| DevnetError::Rpc {
                context: "preparing the devnet".into(),
                detail: e.to_string(),
            })?
    }
}

async fn launch_instance(
    prepared: &Prepared,
    use_cache: bool,
    chain_id: u64,
) -> Result<Devnet, DevnetError> {
    let log_dir = process::instance_log_dir(&process::target_dir(&prepared.toolchain.repo_root))?;
    launch(prepared, use_cache, chain_id, &log_dir)
        .await
        .map_err(|source| DevnetError::Startup {
            log_dir: log_dir.clone(),
            source: Box::new(source),
        })
}

/// Several devnets side by side (see [`DevnetBuilder::start_many`]): distinct chain ids, same
/// contract addresses. Dropping it stops every chain.
#[derive(Debug)]
pub struct Devnets {
    chains: Vec<Devnet>,
}

impl Devnets {
    /// The chains, in start order.
    pub fn chains(&self) -> &[Devnet] {
        &self.chains
    }

    /// The summaries of every chain, as `cargo xtask devnet --chains N` prints them.
    pub fn info(&self) -> DevnetsInfo {
        DevnetsInfo {
            chains: self.chains.iter().map(Devnet::info).collect(),
        }
    }

    /// The chains, to own them separately.
    pub fn into_chains(self) -> Vec<Devnet> {
        self.chains
    }
}

impl std::ops::Index<usize> for Devnets {
    type Output = Devnet;

    fn index(&self, index: usize) -> &Devnet {
        &self.chains[index]
    }
}

/// What [`Devnets::info`] returns: `{"chains": [<DevnetInfo>, …]}`.
#[derive(Clone, Debug, Serialize)]
pub struct DevnetsInfo {
    /// One summary per chain, in start order.
    pub chains: Vec<DevnetInfo>,
}

/// Inputs ready before any process starts.
#[derive(Debug)]
struct Prepared {
    toolchain: Toolchain,
    plan: Plan,
    cache_key: B256,
    hardfork: Option<String>,
}

fn prepare(overrides: OverrideManifest, hardfork: Option<String>) -> Result<Prepared, DevnetError> {
    overrides.check_complete()?;
    let toolchain = Toolchain::ensure()?;
    let fixtures = Fixtures::build(&toolchain)?;
    let code = DefaultCode::load(&toolchain, &fixtures, &overrides)?;
    let keys = DevnetKeys::anvil_defaults();
    let plan = Plan::build(&code, keys.deployer().address(), &overrides);
    let alto_manifest = toolchain.alto_package_dir.join("package.json");
    let alto_version = std::fs::read(&alto_manifest).map_err(|source| DevnetError::Io {
        action: "read",
        path: alto_manifest,
        source,
    })?;
    let mut tools = toolchain.versions.anvil.as_bytes().to_vec();
    tools.extend_from_slice(&alto_version);
    if let Some(h) = &hardfork {
        tools.extend_from_slice(h.as_bytes());
    }
    let cache_key = plan.cache_key(&tools);
    Ok(Prepared {
        toolchain,
        plan,
        cache_key,
        hardfork,
    })
}

async fn launch(
    prepared: &Prepared,
    use_cache: bool,
    chain_id: u64,
    log_dir: &Path,
) -> Result<Devnet, DevnetError> {
    let Prepared {
        toolchain,
        plan,
        cache_key,
        hardfork,
    } = prepared;
    let anvil_options = anvil::AnvilOptions {
        hardfork: hardfork.as_deref(),
        fork: None,
        chain_id,
    };
    let keys = DevnetKeys::anvil_defaults();
    let cache_file = state_cache::path(&toolchain.cache_dir, *cache_key);

    let started = std::time::Instant::now();
    let mut node =
        anvil::start(&toolchain.anvil, &log_dir.join("anvil.log"), &anvil_options).await?;
    tracing::debug!(url = %node.url, pid = node.child.pid(), elapsed = ?started.elapsed(), "anvil ready");
    let mut from_cached_state = false;
    if use_cache && let Some(cached) = state_cache::read(&cache_file, *cache_key) {
        match load_cached(&node.url, &cached, plan).await {
            Ok(()) => from_cached_state = true,
            Err(e) => {
                tracing::warn!(file = %cache_file.display(), error = %e, "cached devnet state unusable; deploying afresh");
                // The state did not take: start over on a clean anvil rather than patching a half-loaded chain.
                drop(node);
                node = anvil::start(
                    &toolchain.anvil,
                    &log_dir.join("anvil-fresh.log"),
                    &anvil_options,
                )
                .await?;
            }
        }
    }
    if !from_cached_state {
        deploy::execute(plan, &node.url, keys.deployer().signer()).await?;
    }

    tracing::debug!(from_cached_state, elapsed = ?started.elapsed(), "contracts in place");
    let bundler = alto::start(
        &AltoConfig {
            package_dir: &toolchain.alto_package_dir,
            rpc_url: &node.url,
            entry_point: plan.addresses.entry_point,
            keys: &keys,
            log_dir,
        },
        chain_id,
    )
    .await?;

    tracing::debug!(url = %bundler.url, pid = bundler.child.pid(), elapsed = ?started.elapsed(), "alto ready");
    let paymaster = PaymasterService::start(
        plan.addresses.paymaster,
        plan.addresses.entry_point,
        chain_id,
    )?;
    if use_cache && !from_cached_state {
        // Dumped after alto is up, so its simulation contracts are in the state and the next alto start
        // skips deploying them.
        save_state(&node.url, plan, *cache_key, &cache_file).await?;
    }

    Ok(Devnet {
        alto: Some(bundler.child),
        anvil: node.child,
        paymaster,
        rpc_url: node.url,
        bundler_url: bundler.url,
        addresses: plan.addresses.clone(),
        keys,
        module_version: plan.module_version,
        nexus_version: plan.nexus_version,
        nexus_proxy_creation_code: plan.nexus_proxy.clone(),
        chain_id,
        log_dir: log_dir.to_path_buf(),
        from_cached_state,
        alto_package_dir: toolchain.alto_package_dir.clone(),
    })
}

async fn load_cached(rpc_url: &str, cached: &CachedState, plan: &Plan) -> Result<(), DevnetError> {
    // reqwest with rustls needs a crypto provider before any client is built.
    let provider = ProviderBuilder::new()
        .connect(rpc_url)
        .await
        .map_err(|e| deploy::rpc_err("connect to anvil", e))?;
    let loaded = provider
        .anvil_load_state(cached.state.clone())
        .await
        .map_err(|e| deploy::rpc_err("anvil_loadState", e))?;
    if !loaded || cached.addresses != plan.addresses {
        return Err(deploy::rpc_err(
            "anvil_loadState",
            "state rejected or addresses differ from the plan",
        ));
    }
    let addresses: Vec<Address> = cached.code_hashes.iter().map(|(a, _)| *a).collect();
    let hashes = deploy::code_hashes(&provider, &addresses).await?;
    let expected: Vec<B256> = cached.code_hashes.iter().map(|(_, h)| *h).collect();
    if hashes != expected || hashes.contains(&B256::ZERO) {
        return Err(deploy::rpc_err(
            "checking the cached state",
            "code differs from the cache record",
        ));
    }
    deploy::check_module_type(&provider, plan.addresses.smart_session).await
}

async fn save_state(rpc_url: &str, plan: &Plan, key: B256, file: &Path) -> Result<(), DevnetError> {
    // reqwest with rustls needs a crypto provider before any client is built.
    let provider = ProviderBuilder::new()
        .connect(rpc_url)
        .await
        .map_err(|e| deploy::rpc_err("connect to anvil", e))?;
    let addresses: Vec<Address> = plan.addresses.iter().map(|(_, a)| a).collect();
    let hashes = deploy::code_hashes(&provider, &addresses).await?;
    let state = provider
        .anvil_dump_state()
        .await
        .map_err(|e| deploy::rpc_err("anvil_dumpState", e))?;
    let record = CachedState::new(
        key,
        plan.addresses.clone(),
        addresses.into_iter().zip(hashes).collect(),
        state,
    );
    state_cache::write(file, &record)
}

impl Devnet {
    /// Starts a devnet with the default options (honours `DEVNET_OVERRIDES` and `DEVNET_STATE_CACHE`).
    pub async fn start() -> Result<Self, DevnetError> {
        DevnetBuilder::default().start().await
    }

    /// Options for starting a devnet.
    pub fn builder() -> DevnetBuilder {
        DevnetBuilder::default()
    }

    /// anvil's JSON-RPC URL (`http://127.0.0.1:<port>`).
    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    /// alto's JSON-RPC URL (`http://127.0.0.1:<port>`).
    pub fn bundler_url(&self) -> &str {
        &self.bundler_url
    }

    /// The devnet's ERC-7677 paymaster service (`http://127.0.0.1:<port>`), which sponsors any
    /// operation through [`DevnetAddresses::paymaster`].
    pub fn paymaster_url(&self) -> &str {
        self.paymaster.url()
    }

    /// The running paymaster service (request counts, its signer).
    pub fn paymaster_service(&self) -> &PaymasterService {
        &self.paymaster
    }

    /// The chain id (31337 unless [`DevnetBuilder::chain_id`] chose another).
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Where every contract lives.
    pub fn addresses(&self) -> &DevnetAddresses {
        &self.addresses
    }

    /// The funded accounts by role.
    pub fn keys(&self) -> &DevnetKeys {
        &self.keys
    }

    /// Which SmartSession build is placed at [`DevnetAddresses::smart_session`].
    pub fn module_version(&self) -> ModuleVersion {
        self.module_version
    }

    /// Which Nexus generation runs: 1.0 (modulekit's 1.0.1 dev build) by default, or what the override
    /// manifest declares (checked against the implementation's `accountId()` when the devnet starts).
    pub fn nexus_version(&self) -> NexusVersion {
        self.nexus_version
    }

    /// The accounts' immutable default validator (Nexus 1.2: [`DevnetAddresses::account_validator`],
    /// used for validator `address(0)`); `None` for a Nexus without one (1.0.1).
    pub fn default_validator(&self) -> Option<Address> {
        self.nexus_version
            .has_default_validator()
            .then_some(self.addresses.account_validator)
    }

    /// The NexusProxy creation code the factory deploys per account (modulekit's 996-byte
    /// `NEXUS_PROXY_BYTECODE` by default, the manifest's `nexus_proxy` otherwise), needed to compute
    /// account addresses offline.
    pub fn nexus_proxy_creation_code(&self) -> &Bytes {
        &self.nexus_proxy_creation_code
    }

    /// The SDK's [`Deployment`](nexus_sessions::Deployment) of this devnet: its addresses, SmartSession
    /// and Nexus versions and the proxy creation code (so account addresses are computed offline). The
    /// session-key signature style is the one the deployment derives for the session validator (a known
    /// OwnableValidator's, else EIP-191 as the default devnet's fixture checks).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let devnet = nexus_sessions_devnet::Devnet::start().await?;
    /// let deployment = devnet.deployment();
    /// assert_eq!(deployment.smart_session, devnet.addresses().smart_session);
    /// # Ok(())
    /// # }
    /// ```
    pub fn deployment(&self) -> nexus_sessions::Deployment {
        self.addresses
            .deployment(
                self.module_version,
                Some(self.nexus_proxy_creation_code.clone()),
            )
            .with_nexus_version(self.nexus_version)
    }

    /// The directory holding `anvil.log` and `alto.log` of this instance.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    /// Whether this instance started from a cached state instead of deploying.
    pub fn from_cached_state(&self) -> bool {
        self.from_cached_state
    }

    /// Stops alto (by its PID) and starts a fresh one on the same node, as a bundler restart does:
    /// its mempool is lost, the chain is not. The new alto listens on another free port:
    /// [`Self::bundler_url`] changes. For fault tests.
    pub async fn restart_bundler(&mut self) -> Result<(), DevnetError> {
        // Stop the old one first: its executor key must not race the new one's.
        drop(self.alto.take());
        let bundler = alto::start(
            &AltoConfig {
                package_dir: &self.alto_package_dir,
                rpc_url: &self.rpc_url,
                entry_point: self.addresses.entry_point,
                keys: &self.keys,
                log_dir: &self.log_dir,
            },
            CHAIN_ID,
        )
        .await?;
        tracing::debug!(url = %bundler.url, pid = bundler.child.pid(), "alto restarted");
        self.alto = Some(bundler.child);
        self.bundler_url = bundler.url;
        Ok(())
    }

    /// The process ids of anvil and alto (the only processes the devnet will stop).
    pub fn pids(&self) -> (u32, u32) {
        (
            self.anvil.pid(),
            self.alto.as_ref().map_or(0, ManagedChild::pid),
        )
    }

    /// A serializable summary: endpoints, chain id, SmartSession and Nexus versions, addresses, key
    /// addresses and logs.
    pub fn info(&self) -> DevnetInfo {
        DevnetInfo {
            rpc_url: self.rpc_url.clone(),
            bundler_url: self.bundler_url.clone(),
            paymaster_url: self.paymaster.url().to_owned(),
            chain_id: self.chain_id,
            module_version: self.module_version,
            nexus_version: self.nexus_version,
            default_validator: self.default_validator(),
            addresses: self.addresses.clone(),
            accounts: DevnetAccounts {
                deployer: self.keys.deployer().address(),
                bundler_executor: self.keys.bundler_executor().address(),
                bundler_utility: self.keys.bundler_utility().address(),
                owner: self.keys.owner().address(),
                session_key: self.keys.session_key().address(),
                spare: self.keys.spare().iter().map(|k| k.address()).collect(),
            },
            log_dir: self.log_dir.clone(),
        }
    }
}

/// What [`Devnet::info`] returns (and `cargo xtask devnet` prints). Holds addresses only, never keys.
#[derive(Clone, Debug, Serialize)]
pub struct DevnetInfo {
    /// anvil's URL.
    pub rpc_url: String,
    /// alto's URL.
    pub bundler_url: String,
    /// The ERC-7677 paymaster service's URL (sponsors through `addresses.paymaster`).
    pub paymaster_url: String,
    /// The chain id.
    pub chain_id: u64,
    /// The SmartSession version.
    pub module_version: ModuleVersion,
    /// The Nexus version (`"1.0"`: modulekit's 1.0.1 dev build by default, or `"1.2"`).
    pub nexus_version: NexusVersion,
    /// The accounts' default validator (Nexus 1.2 only; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_validator: Option<Address>,
    /// Every contract address.
    pub addresses: DevnetAddresses,
    /// The funded accounts by role (addresses; the keys are anvil's public default keys).
    pub accounts: DevnetAccounts,
    /// The log directory.
    pub log_dir: PathBuf,
}

/// Addresses of the funded accounts by role.
#[derive(Clone, Debug, Serialize)]
pub struct DevnetAccounts {
    /// anvil account 0.
    pub deployer: Address,
    /// anvil account 1.
    pub bundler_executor: Address,
    /// anvil account 2.
    pub bundler_utility: Address,
    /// anvil account 3.
    pub owner: Address,
    /// anvil account 4.
    pub session_key: Address,
    /// anvil accounts 5–9.
    pub spare: Vec<Address>,
}
