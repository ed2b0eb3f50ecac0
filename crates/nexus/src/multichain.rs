//! Multi-chain sessions: one owner signature over the session digests of several chains
//! (SmartSession's `ChainDigest[]`), and the checks a session key makes before using such a grant on
//! one chain.
//!
//! The owner signs the multichain hash ([`multichain_hash`]) over one `(chainId, sessionDigest)` per
//! chain. Each chain's SmartSession recomputes only its own digest, requires it at
//! `hashesAndChainIds[chainDigestIndex]` with `block.chainid`, then checks the owner signature over
//! the hash of the whole list. So every chain gets the same list and signature, and its own index.

use crate::{
    client::NexusClient, error::Error, permission::PermissionRequest, permission::random_salt,
};
use alloy_primitives::{Address, U256};
use nexus_sessions_types::{
    AccountType, ChainDigest, EnableSession, EnableSessionData, ModuleVersion, SessionData,
    SmartSessionMode, multichain_hash, session_digest,
};

impl NexusClient {
    /// Grants one session on several chains with ONE owner signature (ENABLE or UNSAFE_ENABLE,
    /// deferred: no owner transaction on any chain).
    ///
    /// `clients` are the owner's clients of its account on each chain (the account address, the
    /// deployment and the Nexus / SmartSession versions may differ per chain; the owner key must be
    /// the same). Reads each chain's enable nonce, computes each chain's session digest, signs the
    /// multichain hash once (EIP-191, as [`grant_deferred_permission`](Self::grant_deferred_permission))
    /// and returns one [`SessionData`] per client, in order, each with its `chainDigestIndex`:
    /// a session-key client on that chain uses it as is.
    ///
    /// The request's salt is fixed once (random when unset), so the permission id is the same on
    /// every chain. Refused: no chain, more than 256, a chain twice, different owners, or
    /// SmartSession versions that name the EIP-712 types differently (pre-v1 with v1).
    ///
    /// EIP-7702 accounts ([`NexusClientBuilder::eip7702`](crate::NexusClientBuilder::eip7702)) must
    /// delegate to Nexus before the grant: the session key cannot carry the owner's authorization,
    /// so its first operation would fail AA20. A client built with
    /// [`DelegateVia::Transaction`](crate::DelegateVia::Transaction) delegates by transaction here;
    /// otherwise the grant is refused with [`Error::NotDelegated`] (delegate with
    /// [`delegate`](Self::delegate) or any owner operation first). A delegation still in flight
    /// (another caller's first operation) is waited for.
    ///
    /// ```no_run
    /// use nexus_sessions::{NexusClient, SessionKeyClient, sessions::SmartSessionMode};
    ///
    /// # async fn example(
    /// #     on_base: nexus_sessions::NexusClient,
    /// #     on_optimism: nexus_sessions::NexusClient,
    /// #     request: nexus_sessions::PermissionRequest,
    /// #     session_key: nexus_sessions::PrivateKeySigner,
    /// # ) -> Result<(), nexus_sessions::Error> {
    /// // the owner's clients of its account on two chains; one signature for both
    /// let data = NexusClient::grant_multichain_deferred_permission(
    ///     &[&on_base, &on_optimism],
    ///     &request,
    ///     SmartSessionMode::Enable,
    /// )
    /// .await?;
    /// let session = SessionKeyClient::connect(
    ///     session_key,
    ///     "https://optimism.example/rpc",
    ///     "https://optimism.example/bundler",
    ///     on_optimism.deployment().clone(),
    ///     data[1].clone(),
    /// )
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn grant_multichain_deferred_permission(
        clients: &[&Self],
        request: &PermissionRequest,
        mode: SmartSessionMode,
    ) -> Result<Vec<SessionData>, Error> {
        if mode == SmartSessionMode::Use {
            return Err(Error::InvalidPermission(
                "deferred grants need ENABLE or UNSAFE_ENABLE".into(),
            ));
        }
        let first = check_chains(clients)?;
        let version = first.deployment().module_version;
        let request = PermissionRequest {
            salt: Some(request.salt.unwrap_or_else(random_salt)),
            ..request.clone()
        };

        // An EIP-7702 account that does not delegate yet would make the session key's first
        // operation fail AA20: refuse (or delegate by transaction) before the owner signs.
        for client in clients {
            client.eoa_ready_for_grant().await?;
        }

        let mut prepared = Vec::with_capacity(clients.len());
        let mut digests = Vec::with_capacity(clients.len());
        for client in clients {
            let (mut sessions, action) =
                client.prepare_permission(std::slice::from_ref(&request))?;
            let session = sessions.remove(0);
            let d = client.deployment();
            let nonce = client.enable_nonce(session.permission_id()).await?;
            digests.push(ChainDigest {
                chain_id: client.chain_id(),
                session_digest: session_digest(
                    d.module_version,
                    &session,
                    client.address(),
                    d.smart_session,
                    mode,
                    nonce,
                ),
            });
            prepared.push((session, action));
        }

        let hash = multichain_hash(version, &digests);
        let signature = first.owner_signer().sign_message(hash.as_slice()).await?;
        let signature = alloy_primitives::Bytes::copy_from_slice(&signature.as_bytes());

        Ok(clients
            .iter()
            .zip(prepared)
            .enumerate()
            .map(|(index, (client, (session, action)))| {
                let enable = EnableSessionData {
                    enable_session: EnableSession {
                        // check_chains bounds the list to 256 entries
                        chain_digest_index: u8::try_from(index).unwrap_or(u8::MAX),
                        hashes_and_chain_ids: digests.clone(),
                        session: session.clone(),
                        permission_enable_sig: signature.clone(),
                    },
                    validator: client.deployment().owner_validator(),
                    account_type: AccountType::Nexus,
                };
                client.make_session_data(request.session_key, session, action, mode, Some(enable))
            })
            .collect())
    }
}

/// The first client, once the list is grantable with one signature.
fn check_chains<'a>(clients: &[&'a NexusClient]) -> Result<&'a NexusClient, Error> {
    let first = *clients
        .first()
        .ok_or_else(|| Error::InvalidPermission("a multi-chain grant needs a chain".into()))?;
    if clients.len() > usize::from(u8::MAX) + 1 {
        return Err(Error::InvalidPermission(format!(
            "{} chains: chainDigestIndex is a uint8, at most 256 chains per signature",
            clients.len()
        )));
    }
    let family = |v: ModuleVersion| v.is_v1();
    for (i, c) in clients.iter().enumerate() {
        if c.owner() != first.owner() {
            return Err(Error::InvalidPermission(format!(
                "chain {}: owner {} differs from chain {}'s owner {}; one signature needs one owner key",
                c.chain_id(),
                c.owner(),
                first.chain_id(),
                first.owner()
            )));
        }
        let (v, v0) = (
            c.deployment().module_version,
            first.deployment().module_version,
        );
        if family(v) != family(v0) {
            return Err(Error::InvalidPermission(format!(
                "chain {} runs SmartSession {v} and chain {} runs {v0}: their multichain EIP-712 types differ, so one signature cannot cover both",
                c.chain_id(),
                first.chain_id()
            )));
        }
        if clients[..i].iter().any(|o| o.chain_id() == c.chain_id()) {
            return Err(Error::InvalidPermission(format!(
                "chain {} is listed twice",
                c.chain_id()
            )));
        }
    }
    Ok(first)
}

/// Checks that `enable`'s `chainDigestIndex` selects `chain_id` in its `hashesAndChainIds` (what
/// SmartSession requires before anything else): [`Error::ChainNotInSession`] when the chain is not
/// listed, [`Error::WrongChainDigestIndex`] when the index is out of range or selects another chain.
pub fn check_chain_digest_index(chain_id: u64, enable: &EnableSession) -> Result<(), Error> {
    let list = &enable.hashes_and_chain_ids;
    let index = enable.chain_digest_index;
    let points_at = list.get(usize::from(index)).map(|d| d.chain_id);
    if points_at == Some(chain_id) {
        return Ok(());
    }
    match list.iter().position(|d| d.chain_id == chain_id) {
        None => Err(Error::ChainNotInSession {
            chain_id,
            chains: list.iter().map(|d| d.chain_id).collect(),
        }),
        Some(expected) => Err(Error::WrongChainDigestIndex {
            chain_id,
            index,
            points_at,
            len: list.len(),
            expected,
        }),
    }
}

/// Recomputes this chain's session digest with the chain's current enable `nonce` and compares it
/// with the signed one at `chainDigestIndex` ([`Error::StaleEnableSignature`] when they differ:
/// SmartSession would revert `HashMismatch`). Call after [`check_chain_digest_index`].
pub fn check_enable_digest(
    chain_id: u64,
    version: ModuleVersion,
    enable: &EnableSession,
    account: Address,
    smart_session: Address,
    mode: SmartSessionMode,
    nonce: U256,
) -> Result<(), Error> {
    let signed = enable
        .hashes_and_chain_ids
        .get(usize::from(enable.chain_digest_index))
        .map(|d| d.session_digest)
        .unwrap_or_default();
    let current = session_digest(
        version,
        &enable.session,
        account,
        smart_session,
        mode,
        nonce,
    );
    if signed == current {
        return Ok(());
    }
    Err(Error::StaleEnableSignature {
        chain_id,
        permission_id: enable.session.permission_id(),
        nonce,
        signed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActionPermission, deployment::fixtures::deployment};
    use alloy_primitives::{B256, Bytes, hex};

    fn enable(chains: &[u64], index: u8) -> EnableSession {
        let session = PermissionRequest::new(Address::with_last_byte(0xAA))
            .action(ActionPermission::new(
                Address::with_last_byte(0x11),
                hex!("273ea3e3"),
            ))
            .salt(B256::with_last_byte(7))
            .to_session(&deployment(), 1)
            .unwrap();
        EnableSession {
            chain_digest_index: index,
            hashes_and_chain_ids: chains
                .iter()
                .map(|&chain_id| ChainDigest {
                    chain_id,
                    session_digest: B256::with_last_byte(chain_id as u8),
                })
                .collect(),
            session,
            permission_enable_sig: Bytes::new(),
        }
    }

    /// An owner client built without any request (chain id and account given, nothing listens).
    async fn offline(
        key: &crate::PrivateKeySigner,
        chain_id: u64,
        version: ModuleVersion,
    ) -> NexusClient {
        let d = crate::Deployment {
            module_version: version,
            ..deployment()
        };
        NexusClient::builder(key.clone(), "http://127.0.0.1:9", "http://127.0.0.1:9", d)
            .chain_id(chain_id)
            .account_address(Address::with_last_byte(0x99))
            .build()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn what_one_signature_cannot_cover_is_refused_before_any_request() {
        let key = crate::PrivateKeySigner::random();
        let request = PermissionRequest::new(Address::with_last_byte(0xAA)).action(
            ActionPermission::new(Address::with_last_byte(0x11), hex!("273ea3e3")),
        );
        let v = deployment().module_version;
        let a = offline(&key, 10, v).await;
        let b = offline(&key, 20, v).await;
        async fn refused(
            clients: Vec<&NexusClient>,
            request: &PermissionRequest,
            mode: SmartSessionMode,
        ) -> String {
            NexusClient::grant_multichain_deferred_permission(&clients, request, mode)
                .await
                .unwrap_err()
                .to_string()
        }
        let enable = SmartSessionMode::Enable;
        assert!(
            refused(vec![], &request, enable)
                .await
                .contains("needs a chain")
        );
        assert!(
            refused(vec![&a, &b], &request, SmartSessionMode::Use)
                .await
                .contains("ENABLE")
        );
        assert!(
            refused(vec![&a, &b, &a], &request, enable)
                .await
                .contains("chain 10 is listed twice")
        );
        let stranger = offline(&crate::PrivateKeySigner::random(), 30, v).await;
        let err = refused(vec![&a, &stranger], &request, enable).await;
        assert!(err.contains("chain 30: owner"), "{err}");
        let other_family = if v.is_v1() {
            ModuleVersion::PreV1
        } else {
            ModuleVersion::V1
        };
        let mixed = offline(&key, 40, other_family).await;
        let err = refused(vec![&a, &mixed], &request, enable).await;
        assert!(err.contains("EIP-712 types differ"), "{err}");
        assert_eq!(
            a.rpc_stats().total() + b.rpc_stats().total(),
            0,
            "no request made"
        );
    }

    #[test]
    fn the_index_must_select_the_clients_chain() {
        assert!(check_chain_digest_index(20, &enable(&[10, 20], 1)).is_ok());
        let err = check_chain_digest_index(30, &enable(&[10, 20], 1)).unwrap_err();
        assert!(
            matches!(&err, Error::ChainNotInSession { chain_id: 30, chains } if chains == &vec![10, 20]),
            "{err}"
        );
        assert!(err.to_string().contains("chain 30"), "{err}");
        let err = check_chain_digest_index(20, &enable(&[10, 20], 0)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::WrongChainDigestIndex {
                    chain_id: 20,
                    index: 0,
                    points_at: Some(10),
                    expected: 1,
                    ..
                }
            ),
            "{err}"
        );
        let err = check_chain_digest_index(10, &enable(&[10, 20], 5)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::WrongChainDigestIndex {
                    points_at: None,
                    len: 2,
                    expected: 0,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn a_digest_over_another_nonce_is_stale() {
        let d = deployment();
        let account = Address::with_last_byte(0x99);
        let mode = SmartSessionMode::Enable;
        let mut e = enable(&[10, 20], 1);
        let at = |nonce: u64, e: &EnableSession| {
            session_digest(
                d.module_version,
                &e.session,
                account,
                d.smart_session,
                mode,
                U256::from(nonce),
            )
        };
        e.hashes_and_chain_ids[1].session_digest = at(3, &e);
        let check = |nonce: u64, e: &EnableSession| {
            check_enable_digest(
                20,
                d.module_version,
                e,
                account,
                d.smart_session,
                mode,
                U256::from(nonce),
            )
        };
        assert!(check(3, &e).is_ok());
        let err = check(4, &e).unwrap_err();
        assert!(
            matches!(&err, Error::StaleEnableSignature { chain_id: 20, nonce, signed, .. } if *nonce == U256::from(4) && *signed == at(3, &e)),
            "{err}"
        );
    }
}
