//! SmartSession's state of one permission on one account, read from the node: whether it is
//! enabled and the nonce its next ENABLE signature must be made over. The owner's and the session
//! key's clients both read it.

use crate::{error::Error, node::Node};
use alloy_primitives::{Address, U256};
use nexus_sessions_types::{PermissionId, get_nonce_calldata, is_permission_enabled_calldata};

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

/// `getNonce(permissionId, account)` on `smart_session`: the enable nonce.
pub(crate) async fn enable_nonce(
    node: &Node,
    smart_session: Address,
    permission_id: PermissionId,
    account: Address,
) -> Result<U256, Error> {
    node.call_decode(
        "getNonce",
        "getNonce reply",
        smart_session,
        get_nonce_calldata(permission_id, account),
    )
    .await
}
