//! The owner's client handing a grant to a session key in the same process: the one place the two
//! clients meet, so neither `client.rs` nor `session_client.rs` depends on the other.

use crate::{
    client::NexusClient,
    error::Error,
    session_client::{SessionKeyClient, SessionKeyClientBuilder},
};
use alloy_signer::Signer;
use nexus_sessions_types::SessionData;
use std::sync::Arc;

impl NexusClient {
    /// A session-key client for `session_data`, reusing this client's endpoints, deployment and
    /// settings — its paymaster too (for tests and single-process demos; a real grantee uses
    /// [`SessionKeyClient::connect`]).
    ///
    /// ```no_run
    /// use nexus_sessions::sessions::SmartSessionMode;
    ///
    /// # async fn example(
    /// #     owner: &nexus_sessions::NexusClient,
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// #     request: nexus_sessions::PermissionRequest,
    /// #     calls: Vec<nexus_sessions::Call>,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// let data = owner.grant_deferred_permission(&request, SmartSessionMode::UnsafeEnable).await?;
    /// let session = owner.session_client(session_key, data).await?;
    /// let hash = session.use_permission(&calls).await?; // enables and uses the session
    /// session.wait_for_user_operation_receipt(hash).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn session_client(
        &self,
        session_key: impl Signer + Send + Sync + 'static,
        session_data: SessionData,
    ) -> Result<SessionKeyClient, Error> {
        SessionKeyClientBuilder::with_settings(
            Arc::new(session_key),
            self.settings().clone(),
            session_data,
        )
        .build()
        .await
    }
}
