// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IUserOpPolicy, IActionPolicy, VALIDATION_SUCCESS, VALIDATION_FAILED} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @title UsageLimitPolicy
/// @notice Allows a config to pass at most `limit` checks (each user operation or action counts once).
/// @dev Init data = `abi.encodePacked(uint128 limit)` (16 bytes), limit > 0.
contract UsageLimitPolicy is PolicyBase, IUserOpPolicy, IActionPolicy {
    /// @notice Limit and uses so far.
    struct UsageLimit {
        uint128 limit;
        uint128 used;
    }

    mapping(bytes32 configId => mapping(address multiplexer => mapping(address account => UsageLimit))) internal
        usageLimits;

    /// @notice Init data is not exactly 16 bytes.
    error InvalidInitDataLength(uint256 length);
    /// @notice A limit of zero would never allow anything.
    error InvalidLimit(uint256 limit);

    /// @notice Stores the limit and resets the count.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external {
        if (initData.length != 16) revert InvalidInitDataLength(initData.length);
        uint128 limit = uint128(bytes16(initData[0:16]));
        if (limit == 0) revert InvalidLimit(limit);
        usageLimits[configId][msg.sender][account] = UsageLimit(limit, 0);
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice Counts one use for the operation's sender.
    function checkUserOpPolicy(bytes32 id, PackedUserOperation calldata userOp) external returns (uint256) {
        return _use(id, userOp.sender);
    }

    /// @notice Counts one use for `account`.
    function checkAction(bytes32 id, address account, address, uint256, bytes calldata) external returns (uint256) {
        return _use(id, account);
    }

    /// @notice Limit and uses so far.
    function getUsage(bytes32 configId, address multiplexer, address account)
        external
        view
        returns (uint128 limit, uint128 used)
    {
        UsageLimit memory usage = usageLimits[configId][multiplexer][account];
        return (usage.limit, usage.used);
    }

    function _use(bytes32 id, address account) private returns (uint256) {
        UsageLimit storage usage = usageLimits[id][msg.sender][account];
        uint128 limit = usage.limit;
        if (limit == 0) revert PolicyNotInitialized(id, msg.sender, account);
        if (usage.used >= limit) return VALIDATION_FAILED;
        usage.used += 1;
        return VALIDATION_SUCCESS;
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (true, true, false);
    }
}
