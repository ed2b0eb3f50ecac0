// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IUserOpPolicy, IActionPolicy, I1271Policy, VALIDATION_SUCCESS} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @title SudoPolicy
/// @notice Allows everything: user operations, actions and ERC-1271 signatures. Init data is ignored.
contract SudoPolicy is PolicyBase, IUserOpPolicy, IActionPolicy, I1271Policy {
    /// @notice Records nothing; emits PolicySet.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata) external {
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice Always 0 (success).
    function checkUserOpPolicy(bytes32, PackedUserOperation calldata) external pure returns (uint256) {
        return VALIDATION_SUCCESS;
    }

    /// @notice Always 0 (success).
    function checkAction(bytes32, address, address, uint256, bytes calldata) external pure returns (uint256) {
        return VALIDATION_SUCCESS;
    }

    /// @notice Always true.
    function check1271SignedAction(bytes32, address, address, bytes32, bytes calldata) external pure returns (bool) {
        return true;
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (true, true, true);
    }
}
