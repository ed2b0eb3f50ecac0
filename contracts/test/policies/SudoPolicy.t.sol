// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {SudoPolicy} from "../../src/policies/SudoPolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {UserOps} from "../utils/UserOps.sol";

contract SudoPolicyTest is Test {
    SudoPolicy internal policy = new SudoPolicy();
    address internal account = makeAddr("account");
    bytes32 internal constant CONFIG = keccak256("config");

    function test_initEmitsPolicySetAndIgnoresData() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        policy.initializeWithMultiplexer(account, CONFIG, hex"deadbeef");
    }

    function test_allowsEverything() public view {
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, hex"01", "")), 0);
        assertEq(policy.checkAction(CONFIG, account, address(1), 1 ether, hex"12345678"), 0);
        assertTrue(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
    }

    function testFuzz_actionAlwaysPasses(address target, uint256 value, bytes calldata data) public view {
        assertEq(policy.checkAction(CONFIG, account, target, value, data), 0);
    }
}
