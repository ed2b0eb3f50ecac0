//! What both clients are configured with — endpoints, deployment, chain id, gas policy, receipt
//! waiting — and the builder methods that set it, written once for
//! [`NexusClientBuilder`](crate::NexusClientBuilder) and
//! [`SessionKeyClientBuilder`](crate::SessionKeyClientBuilder).

use crate::{
    deployment::Deployment,
    endpoint::{BundlerEndpoint, BundlerKind, NodeEndpoint},
    error::Error,
    node::Node,
    nonce::NonceStrategy,
    sponsor::ClientPaymaster,
};
use nexus_sessions_bundler::{BundlerClient, ReceiptPolling};
use std::time::Duration;

/// Default time a client waits for a receipt (viem's default).
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The settings both client builders share.
#[derive(Clone)]
pub(crate) struct ClientSettings {
    pub(crate) node: NodeEndpoint,
    pub(crate) bundler: BundlerEndpoint,
    pub(crate) deployment: Deployment,
    /// Known chain id; `None` asks the node once.
    pub(crate) chain_id: Option<u64>,
    pub(crate) gas: GasConfig,
    pub(crate) receipt_timeout: Duration,
    /// Bound of one node request through a URL shortcut.
    pub(crate) node_request_timeout: Duration,
    /// `None` keeps the bundler client's (the default, or a prepared client's).
    pub(crate) receipt_polling: Option<ReceiptPolling>,
    pub(crate) nonce_strategy: NonceStrategy,
    pub(crate) faults: FaultHandling,
    /// The paymaster that sponsors this client's operations by default, and its context.
    pub(crate) paymaster: ClientPaymaster,
}

/// How the bundler client copes with faults; `None` keeps the bundler client's default.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultHandling {
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) send_lookup: Option<Duration>,
    pub(crate) ride_out_receipt_faults: Option<bool>,
    pub(crate) resend_forgotten_after: Option<Option<Duration>>,
}

// By hand: endpoint URLs may hold credentials.
impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("node", &self.node)
            .field("bundler", &self.bundler)
            .field("deployment", &self.deployment)
            .field("chain_id", &self.chain_id)
            .field("gas", &self.gas)
            .field("receipt_timeout", &self.receipt_timeout)
            .field("node_request_timeout", &self.node_request_timeout)
            .field("receipt_polling", &self.receipt_polling)
            .field("faults", &self.faults)
            .field("nonce_strategy", &self.nonce_strategy)
            .field("paymaster", &self.paymaster)
            .finish()
    }
}

impl ClientSettings {
    /// Defaults for these endpoints and deployment.
    pub(crate) fn new(
        node: NodeEndpoint,
        bundler: BundlerEndpoint,
        deployment: Deployment,
    ) -> Self {
        Self {
            node,
            bundler,
            deployment,
            chain_id: None,
            gas: GasConfig::default(),
            receipt_timeout: DEFAULT_RECEIPT_TIMEOUT,
            node_request_timeout: crate::node::DEFAULT_NODE_REQUEST_TIMEOUT,
            receipt_polling: None,
            faults: FaultHandling::default(),
            nonce_strategy: NonceStrategy::default(),
            paymaster: ClientPaymaster::default(),
        }
    }

    /// A (lazily connecting) client of the node.
    pub(crate) fn node(&self) -> Result<Node, Error> {
        Node::connect(&self.node, self.node_request_timeout)
    }

    /// The chain id: the known one, else one `eth_chainId` to the node.
    pub(crate) async fn chain_id(&self, node: &Node) -> Result<u64, Error> {
        match self.chain_id {
            Some(id) => Ok(id),
            None => node.chain_id().await,
        }
    }

    /// The bundler client for `chain_id`.
    pub(crate) fn bundler(&self, chain_id: u64) -> Result<BundlerClient, Error> {
        let f = &self.faults;
        let builder = match &self.bundler.kind {
            BundlerKind::Url(url) => BundlerClient::builder(url),
            BundlerKind::Client(client) => client.to_builder(),
            BundlerKind::Transport(t) => BundlerClient::builder_with_shared_transport(t.clone()),
        };
        let mut builder = builder.chain_id(chain_id);
        if let Some(p) = self.receipt_polling {
            builder = builder.receipt_polling(p);
        }
        if let Some(t) = f.request_timeout {
            builder = builder.request_timeout(t);
        }
        if let Some(n) = f.max_retries {
            builder = builder.max_retries(n);
        }
        if let Some(w) = f.send_lookup {
            builder = builder.send_lookup(w);
        }
        if let Some(r) = f.ride_out_receipt_faults {
            builder = builder.ride_out_receipt_faults(r);
        }
        if let Some(a) = f.resend_forgotten_after {
            builder = builder.resend_forgotten_after(a);
        }
        Ok(builder.build()?)
    }
}

/// The builder methods for [`ClientSettings`], for a builder with a `settings` field; `$builder` is
/// the builder's type name, for the doc examples.
macro_rules! client_settings_methods {
    ($builder:ident) => {
        /// A known chain id (skips `eth_chainId`).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// builder.chain_id(8453) // Base: no eth_chainId at build
        /// # }
        /// ```
        pub fn chain_id(mut self, chain_id: u64) -> Self {
            self.settings.chain_id = Some(chain_id);
            self
        }

        /// Gas estimation and fee policy.
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use nexus_sessions::GasConfig;
        ///
        /// let mut gas = GasConfig::default();
        /// gas.pre_verification_gas_margin_percent = 15; // an L2 whose L1 data fee moves
        /// builder.gas_config(gas)
        /// # }
        /// ```
        pub fn gas_config(mut self, gas: $crate::GasConfig) -> Self {
            self.settings.gas = gas;
            self
        }

        /// How long receipts are waited for (default [`DEFAULT_RECEIPT_TIMEOUT`](crate::DEFAULT_RECEIPT_TIMEOUT), 120 s).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use std::time::Duration;
        ///
        /// builder.receipt_timeout(Duration::from_secs(300)) // a slow chain
        /// # }
        /// ```
        pub fn receipt_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.receipt_timeout = timeout;
            self
        }

        /// How often a receipt is polled while waiting (default
        /// [`ReceiptPolling::default`](crate::ReceiptPolling::default): every 50 ms for the first
        /// 3 s, then doubling up to 1 s). A shorter interval sees an inclusion sooner at the cost of
        /// more bundler requests per operation waited on; see [`ReceiptPolling`](crate::ReceiptPolling)
        /// for the trade-off.
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use nexus_sessions::ReceiptPolling;
        /// use std::time::Duration;
        ///
        /// // a rate-limited hosted bundler: fewer receipt requests per operation
        /// builder.receipt_polling(ReceiptPolling::backoff(Duration::from_millis(500), Duration::from_secs(2)))
        /// # }
        /// ```
        pub fn receipt_polling(mut self, polling: $crate::ReceiptPolling) -> Self {
            self.settings.receipt_polling = Some(polling);
            self
        }

        /// Bounds every node request made through a URL given to the builder (default 30 s), so an
        /// unresponsive node fails the call instead of hanging it. A provider of yours
        /// ([`NodeEndpoint::provider`](crate::NodeEndpoint::provider)) keeps its own limits.
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use std::time::Duration;
        ///
        /// builder.node_request_timeout(Duration::from_secs(10))
        /// # }
        /// ```
        pub fn node_request_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.node_request_timeout = timeout;
            self
        }

        /// Bounds every bundler request attempt (default 10 s).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use std::time::Duration;
        ///
        /// builder.bundler_request_timeout(Duration::from_secs(30))
        /// # }
        /// ```
        pub fn bundler_request_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.faults.request_timeout = Some(timeout);
            self
        }

        /// How many times a bundler request is retried after a transport fault (default 3); a
        /// send is retried with the very same signed operation.
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// builder.bundler_max_retries(5)
        /// # }
        /// ```
        pub fn bundler_max_retries(mut self, retries: u32) -> Self {
            self.settings.faults.max_retries = Some(retries);
            self
        }

        /// How long a send whose outcome is unclear (answer lost, gateway error, unreadable answer)
        /// is looked up — the same signed operation resent, `eth_getUserOperationByHash` asked —
        /// before it is reported as [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) (default 5 s).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use std::time::Duration;
        ///
        /// builder.send_lookup(Duration::from_secs(15))
        /// # }
        /// ```
        pub fn send_lookup(mut self, window: std::time::Duration) -> Self {
            self.settings.faults.send_lookup = Some(window);
            self
        }

        /// Whether receipt waiting keeps polling through faults (unreachable bundler, unreadable
        /// answers, JSON-RPC errors) until the receipt timeout (default `true`).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// builder.ride_out_receipt_faults(false) // fail fast, the caller retries the wait
        /// # }
        /// ```
        pub fn ride_out_receipt_faults(mut self, enabled: bool) -> Self {
            self.settings.faults.ride_out_receipt_faults = Some(enabled);
            self
        }

        /// After how long without the bundler knowing an operation this client sent (e.g. after a
        /// restart lost its mempool) waiting resends the same signed operation; `None` never
        /// resends (default 3 s).
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use std::time::Duration;
        ///
        /// builder.resend_forgotten_after(Some(Duration::from_secs(10)))
        /// # }
        /// ```
        pub fn resend_forgotten_after(mut self, after: Option<std::time::Duration>) -> Self {
            self.settings.faults.resend_forgotten_after = Some(after);
            self
        }

        /// Sponsors every operation of this client through an ERC-7677 paymaster service (stub data
        /// before gas estimation, final data before signing); the account pays nothing. One
        /// operation can opt out or pick another paymaster with
        /// [`SendOptions::sponsorship`](crate::SendOptions::sponsorship). A session must be granted
        /// with [`PermissionRequest::permit_erc4337_paymaster`](crate::PermissionRequest::permit_erc4337_paymaster)
        /// on SmartSession v1.
        ///
        /// ```no_run
        /// # async fn run(key: nexus_sessions::PrivateKeySigner, deployment: nexus_sessions::Deployment)
        /// #     -> Result<(), Box<dyn std::error::Error>> {
        /// use nexus_sessions::{NexusClient, PaymasterClient};
        ///
        /// let paymaster = PaymasterClient::new("http://127.0.0.1:3000")?;
        /// let owner = NexusClient::builder(key, "http://127.0.0.1:8545", "http://127.0.0.1:4337", deployment)
        ///     .paymaster(paymaster)
        ///     .paymaster_context(serde_json::json!({ "sponsorshipPolicyId": "sp_demo" }))
        ///     .build()
        ///     .await?;
        /// owner.install_smart_sessions().await?; // sponsored
        /// # Ok(())
        /// # }
        /// ```
        pub fn paymaster(mut self, paymaster: $crate::PaymasterClient) -> Self {
            self.settings.paymaster.client = Some(paymaster);
            self
        }

        /// The context sent with every paymaster request (service-specific JSON, e.g. a
        /// sponsorship policy id); `{}` when unset. [`SendOptions::paymaster_context`](crate::SendOptions::paymaster_context)
        /// replaces it for one operation.
        pub fn paymaster_context(mut self, context: serde_json::Value) -> Self {
            self.settings.paymaster.context = Some(context);
            self
        }

        /// How operation nonces are picked (default
        /// [`NonceStrategy::lanes`](crate::NonceStrategy::lanes)`(32)`: a pool of reusable nonce
        /// keys counted locally). Processes sharing one session key or account take disjoint
        /// ranges ([`NonceStrategy::share`](crate::NonceStrategy::share)); checked by `build`.
        ///
        /// ```
        #[doc = $crate::settings::builder_example!($builder)]
        /// use nexus_sessions::NonceStrategy;
        ///
        /// // process 2 of several sharing one key: its own 16 nonce lanes
        /// builder.nonce_strategy(NonceStrategy::share(2, 16))
        /// # }
        /// ```
        pub fn nonce_strategy(mut self, strategy: $crate::NonceStrategy) -> Self {
            self.settings.nonce_strategy = strategy;
            self
        }
    };
}
pub(crate) use client_settings_methods;

/// The hidden first line of a builder method's doc example: a function taking the `$builder`.
macro_rules! builder_example {
    ($builder:ident) => {
        concat!(
            "# fn example(builder: nexus_sessions::",
            stringify!($builder),
            ") -> nexus_sessions::",
            stringify!($builder),
            " {"
        )
    };
}
pub(crate) use builder_example;
/// Gas estimation and fee policy, set with
/// [`NexusClientBuilder::gas_config`](crate::NexusClientBuilder::gas_config) or
/// [`SessionKeyClientBuilder::gas_config`](crate::SessionKeyClientBuilder::gas_config).
///
/// Start from [`GasConfig::default`] and change what differs:
///
/// ```
/// use nexus_sessions::GasConfig;
/// use std::time::Duration;
///
/// let tight = GasConfig::default()
///     .with_margins(0, 0, 0)
///     .with_price_ttl(Duration::from_secs(2));
/// assert_eq!(tight.call_gas_margin_percent, 0);
/// assert!(tight.reuse_estimates);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GasConfig {
    /// Reuse an earlier estimate for an operation of the same shape (same validator, signature
    /// length, deployment step, and per call: target, selector, data length, zero / non-zero value).
    /// Saves one round trip per warm operation; the margins below absorb state-dependent gas
    /// (first storage writes, different arguments). Default `true`.
    pub reuse_estimates: bool,
    /// Percentage added to the bundler's `callGasLimit` (EntryPoint v0.7 charges 10% of unused
    /// call gas, so 20% headroom costs at most 2% of the call gas: about 330 gas on a counter
    /// increment). Default 20.
    pub call_gas_margin_percent: u32,
    /// Percentage added to `verificationGasLimit`. Unused verification gas is not charged, and
    /// the estimate is made on a fresh nonce key (the dearer first write of a nonce slot), so it
    /// already bounds operations on warm lanes. Default 10.
    pub verification_gas_margin_percent: u32,
    /// Percentage added to `preVerificationGas`, which is charged in full (10% cost about 4,900
    /// gas per USE on the devnet). It covers the real signature's FastLZ length differing from
    /// the stub's by a few bytes; on an L2 whose preVerificationGas carries the L1 data fee,
    /// raise it to ride out L1 fee moves while an estimate is reused. Default 5.
    pub pre_verification_gas_margin_percent: u32,
    /// How long a bundler gas price is reused. Default 10 s.
    pub price_ttl: Duration,
}

impl Default for GasConfig {
    fn default() -> Self {
        Self {
            reuse_estimates: true,
            call_gas_margin_percent: 20,
            verification_gas_margin_percent: 10,
            pre_verification_gas_margin_percent: 5,
            price_ttl: Duration::from_secs(10),
        }
    }
}

impl GasConfig {
    /// Whether an earlier estimate is reused for an operation of the same shape
    /// ([`reuse_estimates`](Self::reuse_estimates)).
    #[must_use]
    pub fn with_reuse_estimates(mut self, reuse: bool) -> Self {
        self.reuse_estimates = reuse;
        self
    }

    /// The three estimate margins, in percent: [`call_gas_margin_percent`](Self::call_gas_margin_percent),
    /// [`verification_gas_margin_percent`](Self::verification_gas_margin_percent) and
    /// [`pre_verification_gas_margin_percent`](Self::pre_verification_gas_margin_percent).
    #[must_use]
    pub fn with_margins(mut self, call: u32, verification: u32, pre_verification: u32) -> Self {
        self.call_gas_margin_percent = call;
        self.verification_gas_margin_percent = verification;
        self.pre_verification_gas_margin_percent = pre_verification;
        self
    }

    /// The margin added to `callGasLimit` ([`call_gas_margin_percent`](Self::call_gas_margin_percent)).
    #[must_use]
    pub fn with_call_gas_margin_percent(mut self, percent: u32) -> Self {
        self.call_gas_margin_percent = percent;
        self
    }

    /// The margin added to `verificationGasLimit`
    /// ([`verification_gas_margin_percent`](Self::verification_gas_margin_percent)).
    #[must_use]
    pub fn with_verification_gas_margin_percent(mut self, percent: u32) -> Self {
        self.verification_gas_margin_percent = percent;
        self
    }

    /// The margin added to `preVerificationGas`
    /// ([`pre_verification_gas_margin_percent`](Self::pre_verification_gas_margin_percent)).
    #[must_use]
    pub fn with_pre_verification_gas_margin_percent(mut self, percent: u32) -> Self {
        self.pre_verification_gas_margin_percent = percent;
        self
    }

    /// How long a bundler gas price is reused ([`price_ttl`](Self::price_ttl)).
    #[must_use]
    pub fn with_price_ttl(mut self, ttl: Duration) -> Self {
        self.price_ttl = ttl;
        self
    }
}
