// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";

/// @notice ERC-165 introspection.
interface IERC165 {
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}

/// @notice A SmartSession policy: configured per (configId, multiplexer = msg.sender, account).
/// @dev Interface id 0x989c9e46 (its one function's selector).
interface IPolicy is IERC165 {
    /// @notice Sets (and overwrites) the config of `configId` for `account` under the calling multiplexer.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external;
}

/// @notice A policy consulted for the whole user operation. Interface id 0x7129edce.
interface IUserOpPolicy is IPolicy {
    /// @return validationData 0 = success, 1 = failed, or packed validAfter/validUntil.
    function checkUserOpPolicy(bytes32 id, PackedUserOperation calldata userOp) external returns (uint256);
}

/// @notice A policy consulted for each execution of a user operation. Interface id 0x05c00895.
interface IActionPolicy is IPolicy {
    /// @return validationData 0 = success, 1 = failed, or packed validAfter/validUntil.
    function checkAction(bytes32 id, address account, address target, uint256 value, bytes calldata data)
        external
        returns (uint256);
}

/// @notice A policy consulted for ERC-1271 signatures made with a session key. Interface id 0xcbf34505.
interface I1271Policy is IPolicy {
    function check1271SignedAction(
        bytes32 id,
        address requestSender,
        address account,
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bool);
}

/// @dev ERC-4337 validation data: the check passed, with no time bounds.
uint256 constant VALIDATION_SUCCESS = 0;
/// @dev ERC-4337 validation data: the check failed (SmartSession turns it into PolicyViolation).
uint256 constant VALIDATION_FAILED = 1;
