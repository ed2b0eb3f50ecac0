//! What both clients are configured with — endpoints, deployment, chain id, gas policy, receipt
//! waiting — and the builder methods that set it, written once for
//! [`NexusClientBuilder`](crate::NexusClientBuilder) and
//! [`SessionKeyClientBuilder`](crate::SessionKeyClientBuilder).

use crate::{
    deployment::Deployment, error::Error, node::Node, nonce::NonceStrategy, sender::GasConfig,
    sponsor::ClientPaymaster,
};
use nexus_sessions_bundler::{BundlerClient, ReceiptPolling, RedactedUrl};
use std::time::Duration;

/// Default time a client waits for a receipt (viem's default).
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The settings both client builders share.
#[derive(Clone)]
pub(crate) struct ClientSettings {
    pub(crate) rpc_url: String,
    pub(crate) bundler_url: String,
    pub(crate) deployment: Deployment,
    /// Known chain id; `None` asks the node once.
    pub(crate) chain_id: Option<u64>,
    pub(crate) gas: GasConfig,
    pub(crate) receipt_timeout: Duration,
    pub(crate) receipt_polling: ReceiptPolling,
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
            .field("rpc_url", &RedactedUrl(&self.rpc_url))
            .field("bundler_url", &RedactedUrl(&self.bundler_url))
            .field("deployment", &self.deployment)
            .field("chain_id", &self.chain_id)
            .field("gas", &self.gas)
            .field("receipt_timeout", &self.receipt_timeout)
            .field("receipt_polling", &self.receipt_polling)
            .field("faults", &self.faults)
            .field("nonce_strategy", &self.nonce_strategy)
            .field("paymaster", &self.paymaster)
            .finish()
    }
}

impl ClientSettings {
    /// Defaults for these endpoints and deployment.
    pub(crate) fn new(rpc_url: String, bundler_url: String, deployment: Deployment) -> Self {
        Self {
            rpc_url,
            bundler_url,
            deployment,
            chain_id: None,
            gas: GasConfig::default(),
            receipt_timeout: DEFAULT_RECEIPT_TIMEOUT,
            receipt_polling: ReceiptPolling::default(),
            faults: FaultHandling::default(),
            nonce_strategy: NonceStrategy::default(),
            paymaster: ClientPaymaster::default(),
        }
    }

    /// A (lazily connecting) client of the node.
    pub(crate) fn node(&self) -> Result<Node, Error> {
        Node::new(&self.rpc_url)
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
        let mut builder = BundlerClient::builder(&self.bundler_url)
            .chain_id(chain_id)
            .receipt_polling(self.receipt_polling);
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

/// The builder methods for [`ClientSettings`], for a builder with a `settings` field.
macro_rules! client_settings_methods {
    () => {
        /// A known chain id (skips `eth_chainId`).
        pub fn chain_id(mut self, chain_id: u64) -> Self {
            self.settings.chain_id = Some(chain_id);
            self
        }

        /// Gas estimation and fee policy.
        pub fn gas_config(mut self, gas: $crate::GasConfig) -> Self {
            self.settings.gas = gas;
            self
        }

        /// How long receipts are waited for (default [`DEFAULT_RECEIPT_TIMEOUT`](crate::DEFAULT_RECEIPT_TIMEOUT), 120 s).
        pub fn receipt_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.receipt_timeout = timeout;
            self
        }

        /// How often a receipt is polled while waiting (default
        /// [`ReceiptPolling::default`](crate::ReceiptPolling::default): every 50 ms for the first
        /// 3 s, then doubling up to 1 s). A shorter interval sees an inclusion sooner at the cost of
        /// more bundler requests per operation waited on; see [`ReceiptPolling`](crate::ReceiptPolling)
        /// for the trade-off.
        pub fn receipt_polling(mut self, polling: $crate::ReceiptPolling) -> Self {
            self.settings.receipt_polling = polling;
            self
        }

        /// Bounds every bundler request attempt (default 10 s).
        pub fn bundler_request_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.faults.request_timeout = Some(timeout);
            self
        }

        /// How many times a bundler request is retried after a transport fault (default 3); a
        /// send is retried with the very same signed operation.
        pub fn bundler_max_retries(mut self, retries: u32) -> Self {
            self.settings.faults.max_retries = Some(retries);
            self
        }

        /// How long a send whose outcome is unclear (answer lost, gateway error, unreadable answer)
        /// is looked up — the same signed operation resent, `eth_getUserOperationByHash` asked —
        /// before it is reported as [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) (default 5 s).
        pub fn send_lookup(mut self, window: std::time::Duration) -> Self {
            self.settings.faults.send_lookup = Some(window);
            self
        }

        /// Whether receipt waiting keeps polling through faults (unreachable bundler, unreadable
        /// answers, JSON-RPC errors) until the receipt timeout (default `true`).
        pub fn ride_out_receipt_faults(mut self, enabled: bool) -> Self {
            self.settings.faults.ride_out_receipt_faults = Some(enabled);
            self
        }

        /// After how long without the bundler knowing an operation this client sent (e.g. after a
        /// restart lost its mempool) waiting resends the same signed operation; `None` never
        /// resends (default 3 s).
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
        pub fn nonce_strategy(mut self, strategy: $crate::NonceStrategy) -> Self {
            self.settings.nonce_strategy = strategy;
            self
        }
    };
}
pub(crate) use client_settings_methods;
