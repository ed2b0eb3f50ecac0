//! Identifiers: permission id, action id and the config ids policies key their storage by.

use core::fmt;

use alloy_primitives::{Address, B256, FixedBytes, address, b256, fixed_bytes, keccak256};
use serde::{Deserialize, Serialize};

/// `keccak256(abi.encode(address sessionValidator, bytes sessionValidatorInitData, bytes32 salt))`.
///
/// Only these three fields feed the id, so policies and actions can change under the same id.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct PermissionId(pub B256);

/// `keccak256(abi.encodePacked(address target, bytes4 selector))`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ActionId(pub B256);

/// The id a policy keys its per-account state by (see [`user_op_config_id`] and friends).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ConfigId(pub B256);

macro_rules! b256_newtype {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
        impl From<B256> for $t {
            fn from(b: B256) -> Self {
                Self(b)
            }
        }
        impl From<$t> for B256 {
            fn from(id: $t) -> Self {
                id.0
            }
        }
        impl core::str::FromStr for $t {
            type Err = alloy_primitives::hex::FromHexError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse::<B256>().map(Self)
            }
        }
        impl AsRef<[u8]> for $t {
            fn as_ref(&self) -> &[u8] {
                self.0.as_slice()
            }
        }
    };
}
b256_newtype!(PermissionId);
b256_newtype!(ActionId);
b256_newtype!(ConfigId);

/// The permission id of a (validator, init data, salt) triple; same formula in every version.
pub fn permission_id(session_validator: Address, init_data: &[u8], salt: B256) -> PermissionId {
    // abi.encode(address, bytes, bytes32): head addr | 0x60 | salt, then len | data padded.
    let padded = init_data.len().div_ceil(32) * 32;
    let mut buf = Vec::with_capacity(128 + padded);
    buf.extend_from_slice(&[0u8; 12]);
    buf.extend_from_slice(session_validator.as_slice());
    buf.extend_from_slice(&B256::with_last_byte(0x60).0);
    buf.extend_from_slice(salt.as_slice());
    buf.extend_from_slice(&alloy_primitives::U256::from(init_data.len()).to_be_bytes::<32>());
    buf.extend_from_slice(init_data);
    buf.resize(128 + padded, 0);
    PermissionId(keccak256(&buf))
}

/// Same as [`permission_id`] through alloy's ABI encoder (used to cross-check the hand-rolled encoding).
#[cfg(test)]
fn permission_id_via_abi(session_validator: Address, init_data: &[u8], salt: B256) -> PermissionId {
    use alloy_sol_types::SolValue;
    let enc = (
        session_validator,
        alloy_primitives::Bytes::copy_from_slice(init_data),
        salt,
    )
        .abi_encode_params();
    PermissionId(keccak256(enc))
}

/// `target` of the fallback action (`FALLBACK_TARGET_FLAG`).
pub const FALLBACK_TARGET: Address = address!("0x0000000000000000000000000000000000000001");
/// Selector of the fallback action (`FALLBACK_TARGET_SELECTOR_FLAG`).
pub const FALLBACK_SELECTOR: FixedBytes<4> = fixed_bytes!("0x00000001");
/// v1 only: selector that lets the fallback policies cover calls to SmartSession itself.
pub const FALLBACK_SELECTOR_SMART_SESSION_CALL: FixedBytes<4> = fixed_bytes!("0x00000002");
/// The selector SmartSession uses when an execution's call data is shorter than 4 bytes.
pub const VALUE_SELECTOR: FixedBytes<4> = fixed_bytes!("0xffffffff");
/// `keccak256(abi.encodePacked(address(1), bytes4(0x00000001)))`.
pub const FALLBACK_ACTION_ID: ActionId = ActionId(b256!(
    "0xd884b6afa19f8ace90a388daca691e4e28f20cdac5aeefd46ad8bd1c074d28cf"
));
/// v1 only: `keccak256(abi.encodePacked(address(1), bytes4(0x00000002)))`.
pub const FALLBACK_ACTION_ID_SMART_SESSION_CALL: ActionId = ActionId(b256!(
    "0x986126569d6396d837d7adeb3ca726199afaf83546f38726e6f331bb92d8e9d6"
));

/// `keccak256(abi.encodePacked(target, selector))`.
pub fn action_id(target: Address, selector: FixedBytes<4>) -> ActionId {
    let mut buf = [0u8; 24];
    buf[..20].copy_from_slice(target.as_slice());
    buf[20..].copy_from_slice(selector.as_slice());
    ActionId(keccak256(buf))
}

/// The selector SmartSession derives from an execution's call data: its first 4 bytes, or
/// [`VALUE_SELECTOR`] (`0xffffffff`) when the call data is shorter than 4 bytes (plain value transfers).
pub fn selector_for_call(call_data: &[u8]) -> FixedBytes<4> {
    match call_data.get(..4) {
        Some(sel) => FixedBytes::from_slice(sel),
        None => VALUE_SELECTOR,
    }
}

/// The action id SmartSession looks up for a call to `target` with `call_data`.
pub fn action_id_for_call(target: Address, call_data: &[u8]) -> ActionId {
    action_id(target, selector_for_call(call_data))
}

fn packed_hash(a: &[u8], b: &[u8]) -> B256 {
    let mut buf = Vec::with_capacity(a.len() + b.len());
    buf.extend_from_slice(a);
    buf.extend_from_slice(b);
    keccak256(buf)
}

/// Config id of userOp policies: `keccak256(abi.encodePacked(account, permissionId))`.
pub fn user_op_config_id(account: Address, permission_id: PermissionId) -> ConfigId {
    ConfigId(packed_hash(account.as_slice(), permission_id.0.as_slice()))
}

/// Config id of action policies:
/// `keccak256(abi.encodePacked(account, keccak256(abi.encodePacked(permissionId, actionId))))`.
pub fn action_config_id(
    account: Address,
    permission_id: PermissionId,
    action_id: ActionId,
) -> ConfigId {
    let inner = packed_hash(permission_id.0.as_slice(), action_id.0.as_slice());
    ConfigId(packed_hash(account.as_slice(), inner.as_slice()))
}

/// Config id of ERC-1271 policies:
/// `keccak256(abi.encodePacked(account, keccak256(abi.encodePacked("ERC1271: ", permissionId))))`.
pub fn erc1271_config_id(account: Address, permission_id: PermissionId) -> ConfigId {
    let inner = packed_hash(b"ERC1271: ", permission_id.0.as_slice());
    ConfigId(packed_hash(account.as_slice(), inner.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Bytes, hex};

    #[test]
    fn fallback_ids_recomputed() {
        assert_eq!(
            action_id(FALLBACK_TARGET, FALLBACK_SELECTOR),
            FALLBACK_ACTION_ID
        );
        assert_eq!(
            action_id(FALLBACK_TARGET, FALLBACK_SELECTOR_SMART_SESSION_CALL),
            FALLBACK_ACTION_ID_SMART_SESSION_CALL
        );
    }

    #[test]
    fn action_id_vector_and_value_selector() {
        let target = address!("0x1111111111111111111111111111111111111111");
        let id = action_id(target, fixed_bytes!("0x273ea3e3"));
        assert_eq!(
            id.0,
            b256!("0x5925bd5bd51b40f14e7ad7ba583e31e71a0200ad8bb32da4df0dd2d5b8bd22d9")
        );
        assert_eq!(action_id_for_call(target, &hex!("273ea3e3ffff")), id);
        for short in [&[][..], &[0x27][..], &[0x27, 0x3e, 0xa3][..]] {
            assert_eq!(
                action_id_for_call(target, short),
                action_id(target, VALUE_SELECTOR)
            );
        }
    }

    #[test]
    fn permission_id_vector() {
        let init = hex!(
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
        );
        let v = address!("0x2483DA3A338895199E5e538530213157e931Bf06");
        let pid = permission_id(v, &init, B256::with_last_byte(1));
        assert_eq!(
            pid.0,
            b256!("0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957")
        );
        // Hand-rolled encoder agrees with alloy's for odd lengths too.
        for len in [0usize, 1, 20, 31, 32, 33, 65] {
            let data = vec![0xab; len];
            assert_eq!(
                permission_id(v, &data, B256::ZERO),
                permission_id_via_abi(v, &data, B256::ZERO)
            );
        }
        let _ = Bytes::new();
    }

    #[test]
    fn config_ids_follow_formula() {
        let account = address!("0x5555555555555555555555555555555555555555");
        let pid = PermissionId(B256::repeat_byte(7));
        let aid = ActionId(B256::repeat_byte(9));
        let mut packed = account.to_vec();
        packed.extend_from_slice(pid.as_ref());
        assert_eq!(user_op_config_id(account, pid).0, keccak256(&packed));
        let mut inner = pid.0.to_vec();
        inner.extend_from_slice(aid.as_ref());
        let mut outer = account.to_vec();
        outer.extend_from_slice(keccak256(&inner).as_slice());
        assert_eq!(action_config_id(account, pid, aid).0, keccak256(&outer));
        let mut inner = b"ERC1271: ".to_vec();
        inner.extend_from_slice(pid.as_ref());
        let mut outer = account.to_vec();
        outer.extend_from_slice(keccak256(&inner).as_slice());
        assert_eq!(erc1271_config_id(account, pid).0, keccak256(&outer));
        assert_ne!(
            user_op_config_id(account, pid),
            erc1271_config_id(account, pid)
        );
    }

    #[test]
    fn display_is_hex() {
        let pid = PermissionId(B256::repeat_byte(0xab));
        assert_eq!(pid.to_string(), format!("0x{}", "ab".repeat(32)));
        assert_eq!(pid.to_string().parse::<PermissionId>().unwrap(), pid);
    }
}
