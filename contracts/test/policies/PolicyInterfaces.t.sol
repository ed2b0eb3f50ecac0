// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {IERC165, IPolicy, IUserOpPolicy, IActionPolicy, I1271Policy} from "../../src/interfaces/IPolicy.sol";
import {SudoPolicy} from "../../src/policies/SudoPolicy.sol";
import {UniversalActionPolicy} from "../../src/policies/UniversalActionPolicy.sol";
import {TimeFramePolicy} from "../../src/policies/TimeFramePolicy.sol";
import {UsageLimitPolicy} from "../../src/policies/UsageLimitPolicy.sol";
import {ValueLimitPolicy} from "../../src/policies/ValueLimitPolicy.sol";
import {SpendingLimitPolicy} from "../../src/policies/SpendingLimitPolicy.sol";

/// @notice ERC-165 ids and per-policy role support, as SmartSession pre-v1 and v1 check them.
contract PolicyInterfacesTest is Test {
    function test_interfaceIdsMatchSmartSessions() public pure {
        assertEq(type(IERC165).interfaceId, bytes4(0x01ffc9a7));
        assertEq(type(IPolicy).interfaceId, bytes4(0x989c9e46));
        assertEq(type(IUserOpPolicy).interfaceId, bytes4(0x7129edce));
        assertEq(type(IActionPolicy).interfaceId, bytes4(0x05c00895));
        assertEq(type(I1271Policy).interfaceId, bytes4(0xcbf34505));
    }

    function _assertRoles(IERC165 policy, bool userOp, bool action, bool erc1271) internal view {
        assertTrue(policy.supportsInterface(0x01ffc9a7), "ERC-165");
        assertTrue(policy.supportsInterface(0x989c9e46), "IPolicy");
        assertEq(policy.supportsInterface(0x7129edce), userOp, "IUserOpPolicy");
        assertEq(policy.supportsInterface(0x05c00895), action, "IActionPolicy");
        assertEq(policy.supportsInterface(0xcbf34505), erc1271, "I1271Policy");
        // OpenZeppelin's ERC165Checker (SmartSession v1) requires false here.
        assertFalse(policy.supportsInterface(0xffffffff), "0xffffffff");
        assertFalse(policy.supportsInterface(0x12345678), "random id");
    }

    function test_rolesPerPolicy() public {
        _assertRoles(IERC165(address(new SudoPolicy())), true, true, true);
        _assertRoles(IERC165(address(new UniversalActionPolicy())), false, true, false);
        _assertRoles(IERC165(address(new TimeFramePolicy())), true, true, true);
        _assertRoles(IERC165(address(new UsageLimitPolicy())), true, true, false);
        _assertRoles(IERC165(address(new ValueLimitPolicy())), true, true, false);
        _assertRoles(IERC165(address(new SpendingLimitPolicy())), false, true, false);
    }
}
