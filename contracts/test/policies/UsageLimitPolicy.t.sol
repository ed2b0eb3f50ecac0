// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {UsageLimitPolicy} from "../../src/policies/UsageLimitPolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {UserOps} from "../utils/UserOps.sol";

contract UsageLimitPolicyTest is Test {
    UsageLimitPolicy internal policy = new UsageLimitPolicy();
    address internal account = makeAddr("account");
    bytes32 internal constant CONFIG = keccak256("config");

    function test_countsUsesAcrossRoles() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(2)));
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, "", "")), 0);
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), 0);
        (uint128 limit, uint128 used) = policy.getUsage(CONFIG, address(this), account);
        assertEq(limit, 2);
        assertEq(used, 2);
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), 1, "third use fails");
    }

    function test_reinitResetsTheCount() public {
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(1)));
        policy.checkAction(CONFIG, account, address(1), 0, "");
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(1)));
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), 0);
    }

    function test_RevertWhen_limitZero() public {
        vm.expectRevert(abi.encodeWithSelector(UsageLimitPolicy.InvalidLimit.selector, 0));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(0)));
    }

    function test_RevertWhen_initDataNotSixteenBytes() public {
        vm.expectRevert(abi.encodeWithSelector(UsageLimitPolicy.InvalidInitDataLength.selector, 32));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encode(uint256(1)));
    }

    function test_RevertWhen_notInitialised() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, address(this), account)
        );
        policy.checkAction(CONFIG, account, address(1), 0, "");
    }

    function testFuzz_exactlyLimitUsesPass(uint8 limit) public {
        vm.assume(limit > 0);
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(limit)));
        for (uint256 i; i < limit; ++i) {
            assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), 0);
        }
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), 1);
    }
}
