//! [`SessionKeyClient`]: a session key acting for the granter's account through SmartSession.

use crate::{
    deployment::Deployment,
    endpoint::{BundlerEndpoint, NodeEndpoint},
    error::Error,
    execution::Call,
    flight::Flight,
    multichain::{check_chain_digest_index, check_enable_digest},
    permission_state::{enable_nonce, is_permission_enabled},
    policy_check::{CheckContext, PolicyKind, PolicyUsage, check_calls, time_frame_now},
    sender::{Auth, DynSigner, OpSender, RpcStats, SendOptions},
    settings::{ClientSettings, client_settings_methods},
};
use alloy_primitives::{Address, B256, Bytes};
use alloy_signer::Signer;
use nexus_sessions_bundler::{RequestCounts, UserOperationReceipt};
use nexus_sessions_types::{
    EnableSessionData, ModuleVersion, OwnableValidatorConfig, PermissionId, Session, SessionData,
    SessionSignatureStyle, SmartSessionMode, SmartSessionSignature,
};
use nexus_sessions_userop::UserOperation;
use std::{
    fmt,
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

/// Whether the permission is known to be enabled on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EnableState {
    /// Not asked yet, the last answer was "no", or the chain refused an operation because the
    /// permission is not enabled (revoked).
    Unknown,
    /// Seen enabled (cached until the chain says otherwise).
    Enabled,
    /// An ENABLE operation was sent; wait for it before the next operation.
    Pending(B256),
}

/// What the next operation must do about enabling, from [`SessionKeyClient::enable_ticket`].
enum EnableTicket<'a> {
    /// The permission is enabled: USE mode.
    Use,
    /// This caller sends the one ENABLE operation; everyone else waits on the guard meanwhile
    /// (held, never read, until the send is settled).
    Enable(#[allow(dead_code, reason = "held for its Drop")] tokio::sync::MutexGuard<'a, ()>),
}

/// Builder for [`SessionKeyClient`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct SessionKeyClientBuilder {
    signer: DynSigner,
    settings: ClientSettings,
    data: SessionData,
    local_policy_check: bool,
    signature_style: Option<SessionSignatureStyle>,
}

impl fmt::Debug for SessionKeyClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeyClientBuilder")
            .field("session_key", &self.signer.address())
            .field("granter", &self.data.granter)
            .finish_non_exhaustive()
    }
}

impl SessionKeyClientBuilder {
    /// A builder for `signer` with the given settings (local policy check on).
    pub(crate) fn with_settings(
        signer: DynSigner,
        settings: ClientSettings,
        data: SessionData,
    ) -> Self {
        Self {
            signer,
            settings,
            data,
            local_policy_check: true,
            signature_style: None,
        }
    }

    client_settings_methods!(SessionKeyClientBuilder);

    /// Turns the local policy pre-check on (default) or off.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, SessionKeyClient, sessions::SessionData};
    ///
    /// # async fn example(
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     json: &str,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the chain alone judges the session's policies (e.g. policies this crate does not know)
    /// let session = SessionKeyClient::builder(
    ///     session_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    ///     SessionData::from_json(json)?,
    /// )
    /// .with_local_policy_check(false)
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_local_policy_check(mut self, enabled: bool) -> Self {
        self.local_policy_check = enabled;
        self
    }

    /// How the session key signs the userOpHash, overriding the session data's
    /// `sessionSignatureStyle` and the deployment's (see [`signature_style_for`]). A style a known
    /// session validator rejects is refused by [`build`](Self::build).
    ///
    /// ```no_run
    /// use nexus_sessions::{SessionKeyClient, SessionSignatureStyle, sessions::SessionData};
    ///
    /// # async fn example(
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     json: &str,
    /// #     deployment: nexus_sessions::Deployment,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // a custom session validator whose style neither the session data nor the deployment states
    /// let session = SessionKeyClient::builder(
    ///     session_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     deployment,
    ///     SessionData::from_json(json)?,
    /// )
    /// .signature_style(SessionSignatureStyle::Eip191VPlus4)
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn signature_style(mut self, style: SessionSignatureStyle) -> Self {
        self.signature_style = Some(style);
        self
    }

    /// Checks the session data against the deployment and the signer, then connects (one
    /// `eth_chainId` unless given).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, SessionKeyClient, sessions::SessionData};
    ///
    /// # async fn example(
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     json: &str,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let session = SessionKeyClient::builder(
    ///     session_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    ///     SessionData::from_json(json)?, // as the owner handed it over
    /// )
    /// .chain_id(31337)
    /// .build()
    /// .await?; // refuses a session key or deployment the session data does not match
    /// # Ok(())
    /// # }
    /// ```
    pub async fn build(self) -> Result<SessionKeyClient, Error> {
        let settings = self.settings;
        let d = &settings.deployment;
        let data = self.data;
        if let Some(v) = data.module_version
            && v != d.module_version
        {
            return Err(Error::InvalidSessionData(format!(
                "session data targets SmartSession {v}, the deployment runs {}",
                d.module_version
            )));
        }
        if let Some(s) = data.smart_session
            && s != d.smart_session
        {
            return Err(Error::InvalidSessionData(format!(
                "session data names SmartSession {s}, the deployment has {}",
                d.smart_session
            )));
        }
        let permission_id = data.module_data.active_permission_id().ok_or_else(|| {
            Error::InvalidSessionData("no permission id at permissionIdIndex".into())
        })?;
        let session = find_session(&data, permission_id);
        let signer_address = self.signer.address();
        check_session_key(signer_address, permission_id, &data, session.as_ref(), d)?;
        let style = signature_style_for(self.signature_style, &data, session.as_ref(), d)?;
        let key_is_owner = session
            .as_ref()
            .and_then(|s| OwnableValidatorConfig::abi_decode(s.session_validator_init_data()).ok())
            .is_some_and(|c| c.owners.contains(&signer_address));

        let node = settings.node()?;
        let chain_id = settings.chain_id(&node).await?;
        if let Some(e) = &data.module_data.enable_session_data {
            check_chain_digest_index(chain_id, &e.enable_session)?;
        }
        if let Some(have) = data.chain_id
            && have != chain_id
        {
            return Err(Error::InvalidSessionData(format!(
                "session data is for chain {have}, the client is for chain {chain_id}"
            )));
        }
        let version = d.module_version;
        let sender = OpSender::new(node, &settings, chain_id, data.granter, None)?;
        Ok(SessionKeyClient {
            sender,
            signer: self.signer,
            permission_id,
            session,
            version,
            style,
            key_is_owner,
            data,
            state: Mutex::new(EnableState::Unknown),
            enabled_read: Flight::new(),
            enabling: tokio::sync::Mutex::new(()),
            usage: Mutex::new(PolicyUsage::default()),
            local_policy_check: self.local_policy_check,
        })
    }
}

/// Unix time in seconds (0 if the system clock is before 1970).
fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The session the data's active permission id belongs to, when the data carries it.
fn find_session(data: &SessionData, permission_id: PermissionId) -> Option<Session> {
    let md = &data.module_data;
    md.sessions
        .iter()
        .flatten()
        .find(|s| s.permission_id() == permission_id)
        .cloned()
        .or_else(|| {
            md.enable_session_data
                .as_ref()
                .map(|e| e.enable_session.session.clone())
                .filter(|s| s.permission_id() == permission_id)
        })
}

/// How the session key signs, first found of: the explicit `choice`, the session data's
/// `sessionSignatureStyle`, the deployment's style when the session uses the deployment's session
/// validator, the style of a known session validator. A style that validator is known to reject is
/// [`nexus_sessions_types::Error::SignatureStyleRejected`]; no style at all is
/// [`Error::UnknownSignatureStyle`].
///
/// ```no_run
/// use nexus_sessions::signature_style_for;
///
/// # fn example(
/// #     data: nexus_sessions::sessions::SessionData,
/// #     deployment: nexus_sessions::Deployment,
/// # ) -> Result<(), nexus_sessions::Error> {
/// // how a session key will sign, before building its client
/// let style = signature_style_for(None, &data, None, &deployment)?;
/// # Ok(())
/// # }
/// ```
pub fn signature_style_for(
    choice: Option<SessionSignatureStyle>,
    data: &SessionData,
    session: Option<&Session>,
    d: &Deployment,
) -> Result<SessionSignatureStyle, Error> {
    let validator = session.map_or(d.session_validator, |s| s.session_validator());
    let style = choice
        .or(data.session_signature_style)
        .or_else(|| {
            if validator == d.session_validator {
                d.session_signature_style()
            } else {
                SessionSignatureStyle::default_for(validator)
            }
        })
        .ok_or(Error::UnknownSignatureStyle { validator })?;
    style.check_accepted_by(validator)?;
    Ok(style)
}

/// Detects a signer that cannot sign for the session: not the data's session key, or not an
/// owner in the (OwnableValidator-style) session validator's init data.
fn check_session_key(
    signer: Address,
    permission_id: PermissionId,
    data: &SessionData,
    session: Option<&Session>,
    d: &Deployment,
) -> Result<(), Error> {
    let owners = session
        .filter(|s| s.session_validator() == d.session_validator)
        .and_then(|s| OwnableValidatorConfig::abi_decode(s.session_validator_init_data()).ok())
        .map(|c| c.owners);
    let named_key = (data.session_public_key.len() == 20)
        .then(|| Address::from_slice(&data.session_public_key));
    let listed = owners.as_ref().is_none_or(|o| o.contains(&signer));
    if !listed || named_key.is_some_and(|k| k != signer) {
        return Err(Error::WrongSessionKey {
            signer,
            permission_id,
            owners: owners.unwrap_or_else(|| named_key.into_iter().collect()),
        });
    }
    Ok(())
}

/// A session key's client: sends user operations for the granter's account, validated by
/// SmartSession with the granted permission.
///
/// The first operation asks the chain whether the permission is enabled. If it is, operations use
/// USE mode; if not and the session data holds an owner-signed enable payload (from
/// [`NexusClient::grant_deferred_permission`](crate::NexusClient::grant_deferred_permission)), the
/// first operation enables and uses the session (ENABLE / UNSAFE_ENABLE), and later ones wait for
/// it and switch to USE. An enable payload from a multi-chain grant must select this client's chain
/// (checked by [`build`](SessionKeyClientBuilder::build)) and be signed over this chain's current
/// enable nonce (one `getNonce` call before the enabling operation; see [`crate::multichain`]).
/// Before sending, the calls are checked against the session's own policies
/// ([`crate::policy_check`]) unless turned off with
/// [`SessionKeyClientBuilder::with_local_policy_check`].
pub struct SessionKeyClient {
    sender: OpSender,
    signer: DynSigner,
    permission_id: PermissionId,
    session: Option<Session>,
    version: ModuleVersion,
    style: SessionSignatureStyle,
    /// The session's OwnableValidator data lists the signer (so a signature rejection is about
    /// the style, not the key).
    key_is_owner: bool,
    data: SessionData,
    state: Mutex<EnableState>,
    /// The single-flight `isPermissionEnabled` read.
    enabled_read: Flight<bool>,
    /// Held by the one caller sending (or waiting for) the ENABLE operation.
    enabling: tokio::sync::Mutex<()>,
    /// Consumption of the session's limits: sent operations plus reservations of operations
    /// being sent (taken back when a send is refused).
    usage: Mutex<PolicyUsage>,
    local_policy_check: bool,
}

impl fmt::Debug for SessionKeyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeyClient")
            .field("account", &self.sender.account)
            .field("session_key", &self.signer.address())
            .field("permission_id", &self.permission_id)
            .finish_non_exhaustive()
    }
}

impl SessionKeyClient {
    /// A builder for `session_key` acting under `session_data`, reading the chain from `node` (a
    /// URL or an alloy provider, see [`NodeEndpoint`]) and sending to `bundler` (a URL, a prepared
    /// [`BundlerClient`](crate::BundlerClient) or a transport, see [`BundlerEndpoint`]).
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, NonceStrategy, SessionKeyClient, sessions::SessionData};
    ///
    /// # async fn example(
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     json: &str,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let session = SessionKeyClient::builder(
    ///     session_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    ///     SessionData::from_json(json)?,
    /// )
    /// .nonce_strategy(NonceStrategy::share(0, 16)) // process 0 of several using this session key
    /// .build()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(
        session_key: impl Signer + Send + Sync + 'static,
        node: impl Into<NodeEndpoint>,
        bundler: impl Into<BundlerEndpoint>,
        deployment: Deployment,
        session_data: SessionData,
    ) -> SessionKeyClientBuilder {
        SessionKeyClientBuilder::with_settings(
            std::sync::Arc::new(session_key),
            ClientSettings::new(node.into(), bundler.into(), deployment),
            session_data,
        )
    }

    /// Connects with default settings.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, SessionKeyClient, sessions::SessionData};
    ///
    /// # async fn example(
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     json: &str,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let data = SessionData::from_json(json)?; // from the owner (no secret in it)
    /// let session = SessionKeyClient::connect(
    ///     session_key,
    ///     "http://127.0.0.1:8545",
    ///     "http://127.0.0.1:4337",
    ///     Deployment::nexus_1_2_smart_session_v1_registry_free(),
    ///     data,
    /// )
    /// .await?;
    /// println!("acting for {}", session.account());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(
        session_key: impl Signer + Send + Sync + 'static,
        node: impl Into<NodeEndpoint>,
        bundler: impl Into<BundlerEndpoint>,
        deployment: Deployment,
        session_data: SessionData,
    ) -> Result<Self, Error> {
        Self::builder(session_key, node, bundler, deployment, session_data)
            .build()
            .await
    }

    /// The granter's account.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// println!("session key acting for account {}", session.account());
    /// # Ok(())
    /// # }
    /// ```
    pub fn account(&self) -> Address {
        self.sender.account
    }

    /// The permission used.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // what the owner revokes to end this session
    /// let hash = owner.revoke_permission(session.permission_id()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn permission_id(&self) -> PermissionId {
        self.permission_id
    }

    /// The session, when the session data carries it.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if let Some(s) = session.session() {
    ///     for action in s.actions() {
    ///         println!("may call {} selector {}", action.target, action.selector);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// How the session key signs the userOpHash for the session validator.
    ///
    /// ```no_run
    /// use nexus_sessions::SessionSignatureStyle;
    ///
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the current OwnableValidator (the Nexus 1.2 preset's) rejects plain EIP-191
    /// if session.signature_style() == SessionSignatureStyle::Eip191VPlus4 {
    ///     println!("signing EIP-191 with v + 4");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn signature_style(&self) -> SessionSignatureStyle {
        self.style
    }

    /// The session data.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // persisted, e.g. to restart this worker with the same session
    /// let json = session.session_data().to_json();
    /// # Ok(())
    /// # }
    /// ```
    pub fn session_data(&self) -> &SessionData {
        &self.data
    }

    /// JSON-RPC requests made so far.
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let before = session.rpc_stats();
    /// session.use_permission(&calls).await?;
    /// let used = session.rpc_stats().since(&before);
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
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let before = session.bundler_request_counts();
    /// if let Err(e) = session.use_permission(&calls).await
    ///     && e.policy_violation().is_some()
    /// {
    ///     // refused by the local policy check: nothing reached the bundler
    ///     let counts = session.bundler_request_counts().since(&before);
    ///     assert_eq!(counts.get("eth_sendUserOperation"), 0);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn bundler_request_counts(&self) -> RequestCounts {
        self.sender.bundler.request_counts()
    }

    /// Node requests made so far, per JSON-RPC method (`eth_call`s per function, e.g.
    /// `eth_call:isPermissionEnabled`).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counts = session.node_request_counts();
    /// println!("{} isPermissionEnabled reads", counts.get("eth_call:isPermissionEnabled"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn node_request_counts(&self) -> RequestCounts {
        self.sender.node.request_counts()
    }

    /// `isPermissionEnabled(permissionId, account)` (always asks the chain).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// if !session.is_permission_enabled().await? {
    ///     // a deferred (ENABLE) grant: the next use_permission enables the session as it uses it
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_permission_enabled(&self) -> Result<bool, Error> {
        let d = &self.sender.deployment;
        is_permission_enabled(
            &self.sender.node,
            d.smart_session,
            self.permission_id,
            self.account(),
        )
        .await
    }

    /// Sends `calls` from the granter's account under the permission; returns the userOpHash.
    ///
    /// ```no_run
    /// use alloy_primitives::{address, hex};
    /// use nexus_sessions::Call;
    ///
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let counter = address!("0x1111111111111111111111111111111111111111");
    /// match session.use_permission(&[Call::new(counter, hex!("273ea3e3"))]).await {
    ///     Ok(hash) => {
    ///         session.wait_for_user_operation_receipt(hash).await?;
    ///     }
    ///     // refused before sending: which call, action, policy and rule
    ///     Err(e) if e.policy_violation().is_some() => println!("refused: {e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn use_permission(&self, calls: &[Call]) -> Result<B256, Error> {
        self.use_permission_with(calls, &SendOptions::default())
            .await
    }

    /// Checks `calls` against the session's policies without sending anything (reads the latest
    /// block time when the session has a time window; see
    /// [`time_frame_now`](crate::policy_check::time_frame_now)).
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // would the session's policies accept these calls? (nothing is sent)
    /// if let Err(e) = session.check_calls(&calls).await
    ///     && let Some(violation) = e.policy_violation()
    /// {
    ///     println!("would be refused: {violation}"); // call, action, policy, expected vs actual
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn check_calls(&self, calls: &[Call]) -> Result<(), Error> {
        let now = self.policy_clock().await?;
        self.local_check(calls, now, false).map(|_| ())
    }

    /// The time for the time-frame checks ([`time_frame_now`]: the later of the latest block and
    /// the wall clock) when the session has a time window; `None` (no request) otherwise.
    async fn policy_clock(&self) -> Result<Option<u64>, Error> {
        if !self.needs_clock() {
            return Ok(None);
        }
        let block = self.sender.node.latest_timestamp().await?;
        Ok(Some(time_frame_now(block, wall_clock())))
    }

    fn needs_clock(&self) -> bool {
        let Some(s) = &self.session else { return false };
        let tf = self.sender.deployment.policies.time_frame;
        !tf.is_zero()
            && s.user_op_policies()
                .iter()
                .chain(s.actions().iter().flat_map(|a| &a.policies))
                .any(|p| {
                    PolicyKind::of(p.policy, &self.sender.deployment.policies)
                        == Some(PolicyKind::TimeFrame)
                })
    }

    /// The local policy check of `calls` against the consumption so far; with `reserve`, the
    /// consumption of `calls` is added at once (under the same lock), so concurrent calls cannot
    /// together pass a limit.
    fn local_check(
        &self,
        calls: &[Call],
        now: Option<u64>,
        reserve: bool,
    ) -> Result<PolicyUsage, Error> {
        if calls.is_empty() {
            return Err(Error::NoCalls);
        }
        let Some(session) = &self.session else {
            return Ok(PolicyUsage::default());
        };
        let mut used = self.usage.lock().expect("usage poisoned");
        let ctx = CheckContext {
            account: self.account(),
            policies: &self.sender.deployment.policies,
            now,
            used: &used,
        };
        let delta = check_calls(session, &ctx, calls)?;
        if reserve {
            used.add(&delta);
        }
        Ok(delta)
    }

    fn set_state(&self, state: EnableState) {
        *self.state.lock().expect("state poisoned") = state;
    }

    fn state(&self) -> EnableState {
        *self.state.lock().expect("state poisoned")
    }

    /// Whether the next operation is USE or carries the ENABLE payload. The chain is asked once
    /// for any number of concurrent first calls; when the permission is not enabled, exactly one
    /// caller gets [`EnableTicket::Enable`] and the others wait for its operation's receipt.
    async fn enable_ticket(&self) -> Result<EnableTicket<'_>, Error> {
        if self.state() == EnableState::Enabled {
            return Ok(EnableTicket::Use);
        }
        // One caller at a time decides. A caller that finds the permission not enabled keeps the
        // lock until its ENABLE operation is sent, so no other caller reads the chain meanwhile.
        let guard = self.enabling.lock().await;
        match self.state() {
            EnableState::Enabled => return Ok(EnableTicket::Use),
            EnableState::Pending(hash) => {
                let enabled =
                    self.sender.wait(hash).await.is_ok() || self.is_permission_enabled().await?;
                if enabled {
                    self.set_state(EnableState::Enabled);
                    return Ok(EnableTicket::Use);
                }
                self.set_state(EnableState::Unknown);
            }
            EnableState::Unknown => {
                let enabled = self
                    .enabled_read
                    .get(|enabled| *enabled, || self.is_permission_enabled())
                    .await?;
                if enabled {
                    self.set_state(EnableState::Enabled);
                    return Ok(EnableTicket::Use);
                }
            }
        }
        Ok(EnableTicket::Enable(guard))
    }

    /// [`Self::use_permission`] with explicit fees or gas limits.
    ///
    /// ```no_run
    /// use nexus_sessions::SendOptions;
    ///
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // fixed fees: no gas-price request
    /// let opts = SendOptions::default().with_fees(2_000_000_000, 1_000_000_000);
    /// let hash = session.use_permission_with(&calls, &opts).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn use_permission_with(
        &self,
        calls: &[Call],
        opts: &SendOptions,
    ) -> Result<B256, Error> {
        self.check_sponsorship(opts)?;
        let local = self.local_policy_check;
        let clock = async {
            if local {
                self.policy_clock().await
            } else {
                Ok(None)
            }
        };
        let (prepared, ticket, now) =
            tokio::join!(self.sender.prepare(opts), self.enable_ticket(), clock);
        let (prepared, ticket) = (prepared?, ticket?);
        let enable = self.enable_payload(matches!(ticket, EnableTicket::Use))?;
        // A stale enable signature is refused before anything is reserved or sent.
        if let Some((mode, e)) = enable {
            self.check_enable_nonce(mode, e).await?;
        }
        let reserved = if local {
            self.local_check(calls, now?, true)?
        } else {
            PolicyUsage::default()
        };

        let wrap = self.signature_wrap(enable);
        let auth = self.auth(&wrap);
        let sent = self
            .sender
            .send_prepared(calls, &auth, opts, prepared)
            .await;
        match &sent {
            Ok(hash) if enable.is_some() => self.set_state(EnableState::Pending(*hash)),
            Ok(_) => {}
            Err(e) => {
                // A refused operation consumed nothing; one that may have landed keeps its share.
                if e.is_definitely_not_sent() {
                    self.usage.lock().expect("usage poisoned").remove(&reserved);
                }
                // Revoked since it was seen enabled: forget that, so the next operation asks the
                // chain (and is refused locally with PermissionNotEnabled) instead of being sent.
                if e.is_permission_not_enabled() {
                    self.enabled_read.forget().await;
                    self.set_state(EnableState::Unknown);
                }
                // An ENABLE operation that may still land: the next operation waits for it first.
                if let (Some(_), Some((hash, _))) = (enable, e.unknown_outcome()) {
                    self.set_state(EnableState::Pending(hash));
                }
            }
        }
        drop(ticket);
        sent.map_err(|e| self.explain_signature_rejection(e))
    }

    /// Builds and signs one operation for `calls` without any network request, ready for
    /// `eth_sendUserOperation` (for instance through
    /// [`BundlerClient::send_user_operation`](nexus_sessions_bundler::BundlerClient::send_user_operation)
    /// with the deployment's entry point); its userOpHash is
    /// `op.hash(deployment.entry_point, chain_id)`.
    ///
    /// - `opts` must set both fees and all three gas limits ([`SendOptions::with_fees`],
    ///   [`SendOptions::with_gas`]), else [`Error::OfflineNeedsGas`].
    /// - The nonce is a fresh lane of this client (sequence 0), as for
    ///   [`use_permission`](Self::use_permission): prepared operations never collide with each other
    ///   or with sent ones. No factory fields: the account must be deployed.
    /// - The mode is what this client knows without asking: USE, unless the permission was not
    ///   seen enabled and the session data carries an enable signature (then its ENABLE /
    ///   UNSAFE_ENABLE payload).
    /// - The local policy check runs (time windows judged by the wall clock), but the consumption
    ///   is not recorded, since the operation may never be sent.
    ///
    /// ```no_run
    /// use nexus_sessions::{Deployment, SendOptions};
    ///
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let opts = SendOptions::default()
    ///     .with_fees(2_000_000_000, 1_000_000_000)
    ///     .with_gas(200_000, 300_000, 80_000);
    /// let op = session.prepare_user_operation(&calls, &opts).await?; // no request made
    /// let entry_point = Deployment::nexus_1_2_smart_session_v1_registry_free().entry_point;
    /// let hash = op.hash(entry_point, 8453);
    /// // ... later, through this client or any bundler client
    /// session.resend_user_operation(&op).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn prepare_user_operation(
        &self,
        calls: &[Call],
        opts: &SendOptions,
    ) -> Result<UserOperation, Error> {
        if self.local_policy_check {
            let now = self.needs_clock().then(wall_clock);
            self.local_check(calls, now, false)?;
        }
        let seen_enabled = *self.state.lock().expect("state poisoned") != EnableState::Unknown;
        let enable_data = self.data.module_data.enable_session_data.is_some();
        let enable = self.enable_payload(seen_enabled || !enable_data)?;
        let wrap = self.signature_wrap(enable);
        self.sender
            .build_offline(calls, &self.auth(&wrap), opts)
            .await
    }

    /// Refuses, before any request, a sponsored operation SmartSession v1 would refuse: the
    /// session lacks `permitERC4337Paymaster`, or has no user-operation policy (v1 runs at least
    /// one for a sponsored operation). Pre-v1 accepts any paymaster; a session the data does not
    /// carry (only its id) is left to the module.
    fn check_sponsorship(&self, opts: &SendOptions) -> Result<(), Error> {
        if self.sender.sponsor(opts).is_none() || !self.version.is_v1() {
            return Ok(());
        }
        let Some(session) = &self.session else {
            return Ok(());
        };
        let reason = if !session.permit_erc4337_paymaster() {
            "it was granted without permitERC4337Paymaster (SmartSession v1 reverts PaymasterValidationNotEnabled)"
        } else if session.user_op_policies().is_empty() {
            "it has no user-operation policy, and SmartSession v1 runs at least one for a sponsored operation"
        } else {
            return Ok(());
        };
        Err(Error::PaymasterNotPermitted {
            permission_id: self.permission_id,
            reason,
        })
    }

    /// The ENABLE payload the next operation carries: none once the permission is enabled, else
    /// the session data's enable signature with its mode (a USE-mode SessionData with enable data
    /// means UNSAFE_ENABLE), else [`Error::PermissionNotEnabled`].
    fn enable_payload(
        &self,
        enabled: bool,
    ) -> Result<Option<(SmartSessionMode, &EnableSessionData)>, Error> {
        if enabled {
            return Ok(None);
        }
        let e = self.data.module_data.enable_session_data.as_ref().ok_or(
            Error::PermissionNotEnabled {
                permission_id: self.permission_id,
                account: self.account(),
            },
        )?;
        let mode = match self.data.module_data.active_mode() {
            SmartSessionMode::Use => SmartSessionMode::UnsafeEnable,
            m => m,
        };
        Ok(Some((mode, e)))
    }

    /// Reads this chain's enable nonce and checks that the owner signed this chain's session
    /// digest over it ([`Error::StaleEnableSignature`] otherwise: revoked or already used here).
    async fn check_enable_nonce(
        &self,
        mode: SmartSessionMode,
        e: &EnableSessionData,
    ) -> Result<(), Error> {
        let d = &self.sender.deployment;
        let session = &e.enable_session.session;
        let nonce = enable_nonce(
            &self.sender.node,
            d.smart_session,
            session.permission_id(),
            self.account(),
        )
        .await?;
        check_enable_digest(
            self.sender.chain_id,
            self.version,
            &e.enable_session,
            self.account(),
            d.smart_session,
            mode,
            nonce,
        )
    }

    /// Turns the session key's 65-byte signature into SmartSession's `userOp.signature`: USE, or
    /// ENABLE / UNSAFE_ENABLE carrying `enable`.
    fn signature_wrap<'a>(
        &self,
        enable: Option<(SmartSessionMode, &'a EnableSessionData)>,
    ) -> impl Fn(Bytes) -> Result<Bytes, Error> + Send + Sync + 'a {
        let (version, permission_id) = (self.version, self.permission_id);
        move |signature: Bytes| {
            let sig = match enable {
                None => SmartSessionSignature::Use {
                    permission_id,
                    signature,
                },
                Some((mode, e)) => SmartSessionSignature::Enable {
                    mode,
                    enable_session: EnableSessionData::to_wire(e),
                    signature,
                },
            };
            Ok(sig.try_encode(version)?)
        }
    }

    /// A bundler's signature rejection, explained with the signature style when the key is known
    /// to own the session (then the style is the likely cause; otherwise the key may be wrong).
    fn explain_signature_rejection(&self, e: Error) -> Error {
        if !self.key_is_owner
            || !e.is_signature_rejected()
            || matches!(e, Error::SessionSignatureRejected { .. })
        {
            return e;
        }
        Error::SessionSignatureRejected {
            style: self.style,
            validator: self
                .session
                .as_ref()
                .map_or(self.sender.deployment.session_validator, |s| {
                    s.session_validator()
                }),
            source: Box::new(e),
        }
    }

    /// SmartSession validates; the session key signs.
    fn auth<'a>(
        &'a self,
        wrap: &'a (dyn Fn(Bytes) -> Result<Bytes, Error> + Send + Sync),
    ) -> Auth<'a> {
        Auth {
            validator: self.sender.deployment.smart_session,
            signer: self.signer.as_ref(),
            style: self.style,
            wrap,
        }
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
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = match session.use_permission(&calls).await {
    ///     Ok(hash) => hash,
    ///     // may still land: resend that very operation, never a new one for the same intent
    ///     Err(e) => match e.unknown_outcome() {
    ///         Some((_, op)) => session.resend_user_operation(op).await?,
    ///         None => return Err(e),
    ///     },
    /// };
    /// session.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn resend_user_operation(&self, op: &UserOperation) -> Result<B256, Error> {
        self.sender.resend(op).await
    }

    /// Polls for the receipt; a reverted execution is [`Error::UserOperationReverted`]. Faults
    /// are ridden out until the receipt timeout and an operation this client sent that the bundler
    /// forgets is resent as is; no receipt in time is [`Error::OutcomeUnknown`] for an operation this
    /// client sent, else [`Error::ReceiptTimeout`].
    ///
    /// ```no_run
    /// # async fn example(
    /// #     session: &nexus_sessions::SessionKeyClient,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let hash = session.use_permission(&calls).await?;
    /// let receipt = session.wait_for_user_operation_receipt(hash).await?;
    /// println!("landed in transaction {}", receipt.receipt.transaction_hash);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait_for_user_operation_receipt(
        &self,
        hash: B256,
    ) -> Result<UserOperationReceipt, Error> {
        let receipt = self.sender.wait(hash).await?;
        let mut state = self.state.lock().expect("state poisoned");
        if *state == EnableState::Pending(hash) {
            *state = EnableState::Enabled;
        }
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ActionPermission, PermissionRequest, PrivateKeySigner, deployment::fixtures::deployment,
    };
    use alloy_primitives::hex;
    use nexus_sessions_types::{ActionData, PolicyData, SessionAction, UsePermissionModuleData};

    fn data_for(key: Address, session: &Session) -> SessionData {
        SessionData {
            granter: Address::with_last_byte(0x99),
            session_public_key: Bytes::copy_from_slice(key.as_slice()),
            description: None,
            module_data: UsePermissionModuleData {
                permission_ids: vec![session.permission_id()],
                action: SessionAction {
                    target: Address::with_last_byte(5),
                    value: Default::default(),
                    call_data: Bytes::new(),
                },
                mode: None,
                permission_id_index: None,
                enable_session_data: None,
                sessions: Some(vec![session.clone()]),
            },
            module_version: None,
            chain_id: None,
            smart_session: None,
            session_signature_style: None,
        }
    }

    #[test]
    fn session_key_must_own_the_session() {
        let d = deployment();
        let key = Address::with_last_byte(0xAA);
        let other = Address::with_last_byte(0xBB);
        let session = PermissionRequest::new(key)
            .action(ActionPermission::new(
                Address::with_last_byte(0x11),
                hex!("273ea3e3"),
            ))
            .to_session(&d, 1)
            .unwrap();
        let pid = session.permission_id();
        let data = data_for(key, &session);
        let found = find_session(&data, pid).unwrap();
        assert_eq!(found, session);
        assert!(check_session_key(key, pid, &data, Some(&found), &d).is_ok());
        let err = check_session_key(other, pid, &data, Some(&found), &d).unwrap_err();
        assert!(
            matches!(&err, Error::WrongSessionKey { signer, owners, .. } if *signer == other && owners == &vec![key]),
            "{err}"
        );
        // a session public key naming someone else is caught even without the session
        let mut anonymous = data;
        anonymous.module_data.sessions = None;
        assert!(find_session(&anonymous, pid).is_none());
        assert!(check_session_key(other, pid, &anonymous, None, &d).is_err());
        assert!(check_session_key(key, pid, &anonymous, None, &d).is_ok());
    }

    /// The `Counter` the offline tests call.
    const COUNTER: Address = Address::with_last_byte(0x11);

    /// A session of `key` allowed `increment()` on [`COUNTER`] on chain 31337.
    fn increment_session(d: &Deployment, key: Address) -> Session {
        PermissionRequest::new(key)
            .action(ActionPermission::new(COUNTER, hex!("273ea3e3")))
            .to_session(d, 31337)
            .unwrap()
    }

    /// Fixed fees and gas limits: an operation is prepared without any request.
    fn offline_opts() -> SendOptions {
        SendOptions::default()
            .with_fees(3_000, 1_000)
            .with_gas(60_000, 200_000, 50_000)
    }

    /// A client for `key` on the numbered deployment, built without any request (chain id given,
    /// endpoints that nothing listens on).
    async fn offline_client(key: PrivateKeySigner, data: SessionData) -> SessionKeyClient {
        SessionKeyClient::builder(
            key,
            "http://127.0.0.1:9",
            "http://127.0.0.1:9",
            deployment(),
            data,
        )
        .chain_id(31337)
        .build()
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn prepare_user_operation_builds_and_signs_without_the_network() {
        let d = deployment();
        let key = PrivateKeySigner::random();
        let counter = COUNTER;
        let session = increment_session(&d, key.address());
        let data = data_for(key.address(), &session);
        let client = offline_client(key.clone(), data).await;
        let opts = offline_opts();
        let call = Call::new(counter, hex!("273ea3e3"));

        let op = client
            .prepare_user_operation(std::slice::from_ref(&call), &opts)
            .await
            .unwrap();
        assert_eq!(op.sender, data_for(key.address(), &session).granter);
        assert_eq!(op.factory, None);
        assert_eq!(
            op.call_data,
            crate::execution::encode_execute(std::slice::from_ref(&call)).unwrap()
        );
        assert_eq!(
            (
                op.call_gas_limit,
                op.verification_gas_limit,
                op.pre_verification_gas
            ),
            (60_000, 200_000, alloy_primitives::U256::from(50_000))
        );
        assert_eq!(
            (op.max_fee_per_gas, op.max_priority_fee_per_gas),
            (3_000, 1_000)
        );
        let (nonce_key, sequence) = crate::NonceKey::from_nonce(op.nonce).unwrap();
        assert_eq!((nonce_key.validator(), sequence), (d.smart_session, 0));
        // USE mode, signed by the session key over the userOpHash (EIP-191)
        let SmartSessionSignature::Use {
            permission_id,
            signature,
        } = SmartSessionSignature::decode(d.module_version, &op.signature).unwrap()
        else {
            panic!("not USE mode")
        };
        assert_eq!(permission_id, session.permission_id());
        let hash = op.hash(d.entry_point, 31337);
        let signer = alloy_primitives::Signature::from_raw(&signature)
            .unwrap()
            .recover_address_from_msg(hash.as_slice())
            .unwrap();
        assert_eq!(signer, key.address());
        // a second operation gets another lane
        let again = client
            .prepare_user_operation(std::slice::from_ref(&call), &opts)
            .await
            .unwrap();
        assert_ne!(again.nonce, op.nonce);

        // what cannot be built offline, or would be refused, is an error
        let err = client
            .prepare_user_operation(
                std::slice::from_ref(&call),
                &SendOptions::default().with_fees(1, 1),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::OfflineNeedsGas { .. }), "{err}");
        let err = client
            .prepare_user_operation(&[Call::new(counter, hex!("3fb5c1cb"))], &opts)
            .await
            .unwrap_err();
        assert!(err.policy_violation().is_some(), "{err}");
        assert_eq!(client.rpc_stats().total(), 0, "no request made");
    }

    /// The libsecp256k1 signer builds the same operation, byte for byte, as the k256 one, and
    /// neither prints its key.
    #[cfg(feature = "secp256k1")]
    #[tokio::test]
    async fn secp256k1_signer_is_byte_identical_to_k256() {
        let d = deployment();
        let k256 = PrivateKeySigner::random();
        let secp = crate::Secp256k1Signer::from_bytes(&k256.to_bytes()).unwrap();
        assert_eq!(secp.address(), k256.address());
        let secret = alloy_primitives::hex::encode(k256.to_bytes());
        assert!(!format!("{secp:?}").contains(&secret), "{secp:?}");
        assert!(!format!("{k256:?}").contains(&secret));
        let counter = COUNTER;
        let session = increment_session(&d, k256.address());
        let data = data_for(k256.address(), &session);
        let a = offline_client(k256, data.clone()).await;
        let b = SessionKeyClient::builder(
            secp,
            "http://127.0.0.1:9",
            "http://127.0.0.1:9",
            deployment(),
            data,
        )
        .chain_id(31337)
        .build()
        .await
        .unwrap();
        let opts = offline_opts();
        for i in 0..20u8 {
            let calls = [Call::new(counter, hex!("273ea3e3"))];
            let mut op_a = a.prepare_user_operation(&calls, &opts).await.unwrap();
            let mut op_b = b.prepare_user_operation(&calls, &opts).await.unwrap();
            // the same nonce on both sides, so the same userOpHash is signed
            let nonce = crate::NonceKey::new(u32::from(i), Default::default(), d.smart_session)
                .nonce(u64::from(i));
            op_a.nonce = nonce;
            op_b.nonce = nonce;
            let hash = op_a.hash(d.entry_point, 31337);
            let sig_a = a.signer.sign_message(hash.as_slice()).await.unwrap();
            let sig_b = b.signer.sign_message(hash.as_slice()).await.unwrap();
            assert_eq!(sig_a.as_bytes(), sig_b.as_bytes(), "signature {i}");
        }
        // whole prepared operations: same calldata, gas, fees and USE signature layout
        let op_a = a
            .prepare_user_operation(&[Call::new(counter, hex!("273ea3e3"))], &opts)
            .await
            .unwrap();
        let op_b = b
            .prepare_user_operation(&[Call::new(counter, hex!("273ea3e3"))], &opts)
            .await
            .unwrap();
        assert_eq!(op_a.call_data, op_b.call_data);
        assert_eq!(op_a.signature.len(), op_b.signature.len());
    }

    #[tokio::test]
    async fn the_session_key_signs_in_the_chosen_style() {
        let d = deployment();
        let key = PrivateKeySigner::random();
        let counter = COUNTER;
        let session = increment_session(&d, key.address());
        let opts = offline_opts();
        let call = Call::new(counter, hex!("273ea3e3"));
        for style in SessionSignatureStyle::ALL {
            let client = SessionKeyClient::builder(
                key.clone(),
                "http://127.0.0.1:9",
                "http://127.0.0.1:9",
                d.clone(),
                data_for(key.address(), &session),
            )
            .signature_style(style)
            .chain_id(31337)
            .build()
            .await
            .unwrap();
            assert_eq!(client.signature_style(), style);
            let op = client
                .prepare_user_operation(std::slice::from_ref(&call), &opts)
                .await
                .unwrap();
            let SmartSessionSignature::Use { signature, .. } =
                SmartSessionSignature::decode(d.module_version, &op.signature).unwrap()
            else {
                panic!("not USE mode")
            };
            let hash = op.hash(d.entry_point, 31337);
            assert_eq!(style.recover(hash, &signature).unwrap(), key.address());
            let v = signature[64];
            match style {
                SessionSignatureStyle::Eip191VPlus4 => assert!(v == 31 || v == 32),
                _ => assert!(v == 27 || v == 28),
            }
            // read in another style, the same bytes name someone else (or do not parse)
            for other in SessionSignatureStyle::ALL
                .into_iter()
                .filter(|o| *o != style)
            {
                assert_ne!(other.recover(hash, &signature).ok(), Some(key.address()));
            }
        }
    }

    #[test]
    fn signature_style_resolution() {
        use nexus_sessions_types::{OWNABLE_VALIDATOR_EIP191, OWNABLE_VALIDATOR_RAW_OR_V4};
        let key = Address::with_last_byte(0xAA);
        let session_with = |validator: Address| {
            Session::builder()
                .session_validator(validator)
                .session_validator_init_data(
                    nexus_sessions_types::ownable_validator_init_data(1, &[key]).unwrap(),
                )
                .salt(Default::default())
                .action(ActionData::new(
                    Address::with_last_byte(0x11),
                    hex!("273ea3e3").into(),
                    vec![PolicyData::new(Address::with_last_byte(0xA1), Bytes::new())],
                ))
                .build()
                .unwrap()
        };
        let current = session_with(OWNABLE_VALIDATOR_RAW_OR_V4);
        let data = data_for(key, &current);
        // the numbered deployment's own validator signs EIP-191; a session naming the current
        // OwnableValidator gets that validator's default, or the data's / the caller's choice
        let d = deployment();
        assert_eq!(
            d.session_signature_style(),
            Some(SessionSignatureStyle::Eip191)
        );
        let style = |choice, data: &SessionData, s: &Session, d: &Deployment| {
            signature_style_for(choice, data, Some(s), d)
        };
        assert_eq!(
            style(None, &data, &current, &d).unwrap(),
            SessionSignatureStyle::Eip191VPlus4
        );
        let mut raw = data.clone();
        raw.session_signature_style = Some(SessionSignatureStyle::RawHash);
        assert_eq!(
            style(None, &raw, &current, &d).unwrap(),
            SessionSignatureStyle::RawHash
        );
        // a style the known validator rejects is a local error, whoever chose it
        let err = style(Some(SessionSignatureStyle::Eip191), &raw, &current, &d).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Sessions(nexus_sessions_types::Error::SignatureStyleRejected { .. })
            ),
            "{err}"
        );
        let old = session_with(OWNABLE_VALIDATOR_EIP191);
        let d_v4 = Deployment {
            session_validator: OWNABLE_VALIDATOR_EIP191,
            ..d.clone()
        }
        .with_session_signature_style(SessionSignatureStyle::Eip191VPlus4);
        assert!(style(None, &data_for(key, &old), &old, &d_v4).is_err());
        // an unknown validator without any stated style: no guess
        let custom = session_with(Address::with_last_byte(0x42));
        let err = style(None, &data_for(key, &custom), &custom, &d).unwrap_err();
        assert!(matches!(err, Error::UnknownSignatureStyle { .. }), "{err}");
        let unstated = Deployment {
            session_signature_style: None,
            ..d.clone()
        };
        assert!(signature_style_for(None, &data, None, &unstated).is_err());
        assert_eq!(
            signature_style_for(None, &data, None, &d).unwrap(),
            SessionSignatureStyle::Eip191
        );
    }

    #[test]
    fn unknown_validators_are_not_second_guessed() {
        let d = deployment();
        let key = Address::with_last_byte(0xAA);
        let custom = Session::builder()
            .session_validator(Address::with_last_byte(0x42))
            .session_validator_init_data(Bytes::from_static(b"opaque"))
            .salt(Default::default())
            .action(ActionData::new(
                Address::with_last_byte(0x11),
                hex!("273ea3e3").into(),
                vec![PolicyData::new(Address::with_last_byte(0xA1), Bytes::new())],
            ))
            .build()
            .unwrap();
        let mut data = data_for(key, &custom);
        data.session_public_key = Bytes::from_static(&[1, 2, 3]);
        let pid = custom.permission_id();
        assert!(
            check_session_key(Address::with_last_byte(0xCC), pid, &data, Some(&custom), &d).is_ok()
        );
    }
}
