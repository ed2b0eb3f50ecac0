//! pre-v1 (smartsessions `b17010a`, modulekit 0.5.9) ABI: structs in the contract's field order and the
//! SmartSession functions the SDK calls.

alloy_sol_types::sol! {
    #![sol(all_derives)]

    /// A policy contract and its init data.
    struct PolicyData {
        address policy;
        bytes initData;
    }

    /// An allowed (target, selector) pair and its policies. Selector comes first in this struct.
    struct ActionData {
        bytes4 actionTargetSelector;
        address actionTarget;
        PolicyData[] actionPolicies;
    }

    /// pre-v1 ERC-7739 data: plain content-type strings.
    struct ERC7739Data {
        string[] allowedERC7739Content;
        PolicyData[] erc1271Policies;
    }

    /// pre-v1 session (no `permitERC4337Paymaster`).
    struct Session {
        address sessionValidator;
        bytes sessionValidatorInitData;
        bytes32 salt;
        PolicyData[] userOpPolicies;
        ERC7739Data erc7739Policies;
        ActionData[] actions;
    }

    /// One chain's session digest inside an enable signature.
    struct ChainDigest {
        uint64 chainId;
        bytes32 sessionDigest;
    }

    /// The ENABLE-mode payload.
    struct EnableSession {
        uint8 chainDigestIndex;
        ChainDigest[] hashesAndChainIds;
        Session sessionToEnable;
        bytes permissionEnableSig;
    }

    /// The SmartSession functions used by the SDK (pre-v1 selectors).
    interface ISmartSession {
        function enableSessions(Session[] memory sessions) external returns (bytes32[] memory permissionIds);
        function removeSession(bytes32 permissionId) external;
        function revokeEnableSignature(bytes32 permissionId) external;
        function getNonce(bytes32 permissionId, address account) external view returns (uint256 nonce);
        function getSessionDigest(bytes32 permissionId, address account, Session memory data, uint8 mode) external view returns (bytes32 digest);
        function getPermissionId(Session memory session) external pure returns (bytes32 permissionId);
        function isPermissionEnabled(bytes32 permissionId, address account) external view returns (bool enabled);
        function isModuleType(uint256 typeID) external view returns (bool);
        function isInitialized(address smartAccount) external view returns (bool);
        function onInstall(bytes data) external;
        function onUninstall(bytes data) external;
        function getSessionValidatorAndConfig(address account, bytes32 permissionId) external view returns (address sessionValidator, bytes memory sessionValidatorData);
        function getEnabledActions(address account, bytes32 permissionId) external view returns (bytes32[] memory actionIds);
        function isActionIdEnabled(address account, bytes32 permissionId, bytes32 actionId) external view returns (bool);
        function getUserOpPolicies(address account, bytes32 permissionId) external view returns (address[] memory);
    }
}

/// `abi.encode(EnableSession, bytes)`: the payload compressed into an ENABLE / UNSAFE_ENABLE signature.
pub type EnablePayload = (EnableSession, alloy_primitives::Bytes);
