// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";

/// @notice Builds user operations for tests; only sender, callData and signature matter to the fixtures.
library UserOps {
    function make(address sender, bytes memory callData, bytes memory signature)
        internal
        pure
        returns (PackedUserOperation memory op)
    {
        op.sender = sender;
        op.callData = callData;
        op.signature = signature;
    }

    /// @notice ERC-7579 `execute(bytes32 mode, bytes executionCalldata)` with a single call.
    function executeSingle(address target, uint256 value, bytes memory data) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(bytes4(0xe9ae5c53), bytes32(0), abi.encodePacked(target, value, data));
    }
}
