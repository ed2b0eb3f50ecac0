// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IUserOpPolicy, IActionPolicy, VALIDATION_SUCCESS, VALIDATION_FAILED} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @notice One call of an ERC-7579 batch execution.
struct Execution {
    address target;
    uint256 value;
    bytes callData;
}

/// @title ValueLimitPolicy
/// @notice Caps the total ETH a config may send over its lifetime.
/// @dev Init data = `abi.encode(uint256 limit)`. As an action policy it adds each action's value; as a user
///      operation policy it adds the values of an ERC-7579 `execute(bytes32,bytes)` (single or batch).
contract ValueLimitPolicy is PolicyBase, IUserOpPolicy, IActionPolicy {
    /// @dev `execute(bytes32 mode, bytes executionCalldata)`.
    bytes4 internal constant EXECUTE_SELECTOR = 0xe9ae5c53;
    bytes1 internal constant CALLTYPE_SINGLE = 0x00;
    bytes1 internal constant CALLTYPE_BATCH = 0x01;

    /// @notice Limit, amount spent, and whether the config was set (a limit of 0 is valid).
    struct ValueLimit {
        uint256 limit;
        uint256 used;
        bool initialized;
    }

    mapping(bytes32 configId => mapping(address multiplexer => mapping(address account => ValueLimit))) internal
        valueLimits;

    /// @notice Init data is not exactly 32 bytes.
    error InvalidInitDataLength(uint256 length);
    /// @notice The user operation uses an execution mode whose value cannot be summed (delegatecall, ...).
    error UnsupportedCallType(bytes1 callType);

    /// @notice Stores the limit and resets the amount spent.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external {
        if (initData.length != 32) revert InvalidInitDataLength(initData.length);
        valueLimits[configId][msg.sender][account] = ValueLimit(uint256(bytes32(initData)), 0, true);
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice Adds the ETH the operation's `execute` sends (0 for other calls).
    function checkUserOpPolicy(bytes32 id, PackedUserOperation calldata userOp) external returns (uint256) {
        return _spend(id, userOp.sender, _userOpValue(userOp.callData));
    }

    /// @notice Adds `value`.
    function checkAction(bytes32 id, address account, address, uint256 value, bytes calldata)
        external
        returns (uint256)
    {
        return _spend(id, account, value);
    }

    /// @notice Limit and amount spent so far.
    function getValueLimit(bytes32 configId, address multiplexer, address account)
        external
        view
        returns (uint256 limit, uint256 used)
    {
        ValueLimit memory config = valueLimits[configId][multiplexer][account];
        return (config.limit, config.used);
    }

    function _spend(bytes32 id, address account, uint256 value) private returns (uint256) {
        ValueLimit storage config = valueLimits[id][msg.sender][account];
        if (!config.initialized) revert PolicyNotInitialized(id, msg.sender, account);
        if (config.used > config.limit || value > config.limit - config.used) return VALIDATION_FAILED;
        config.used += value;
        return VALIDATION_SUCCESS;
    }

    function _userOpValue(bytes calldata callData) private pure returns (uint256 total) {
        if (callData.length < 4 || bytes4(callData[0:4]) != EXECUTE_SELECTOR) return 0;
        (bytes32 mode, bytes memory executionCalldata) = abi.decode(callData[4:], (bytes32, bytes));
        bytes1 callType = mode[0];
        if (callType == CALLTYPE_SINGLE) {
            // encodePacked(address target, uint256 value, bytes callData)
            if (executionCalldata.length < 52) return 0;
            assembly ("memory-safe") {
                total := mload(add(executionCalldata, 52))
            }
            return total;
        }
        if (callType == CALLTYPE_BATCH) {
            Execution[] memory executions = abi.decode(executionCalldata, (Execution[]));
            for (uint256 i; i < executions.length; ++i) {
                total += executions[i].value;
            }
            return total;
        }
        revert UnsupportedCallType(callType);
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (true, true, false);
    }
}
