// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {TimeFramePolicy} from "../../src/policies/TimeFramePolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {UserOps} from "../utils/UserOps.sol";

contract TimeFramePolicyTest is Test {
    TimeFramePolicy internal policy = new TimeFramePolicy();
    address internal account = makeAddr("account");
    bytes32 internal constant CONFIG = keccak256("config");

    function _init(uint48 validUntil, uint48 validAfter) internal {
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(validUntil, validAfter));
    }

    function _packed(uint48 validUntil, uint48 validAfter) internal pure returns (uint256) {
        return (uint256(validAfter) << 208) | (uint256(validUntil) << 160);
    }

    function test_returnsPackedValidationData() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        _init(2000, 1000);
        (uint48 until, uint48 afterTs) = policy.getTimeFrame(CONFIG, address(this), account);
        assertEq(until, 2000);
        assertEq(afterTs, 1000);
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, "", "")), _packed(2000, 1000));
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), _packed(2000, 1000));
    }

    function test_noExpiryKeepsValidUntilZero() public {
        _init(0, 1000);
        assertEq(policy.checkAction(CONFIG, account, address(1), 0, ""), _packed(0, 1000));
    }

    function test_erc1271ChecksTheWindow() public {
        _init(2000, 1000);
        vm.warp(999);
        assertFalse(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
        vm.warp(1000);
        assertTrue(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
        vm.warp(1999);
        assertTrue(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
        vm.warp(2000);
        assertFalse(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
    }

    function test_erc1271OpenEnded() public {
        _init(0, 10);
        vm.warp(type(uint40).max);
        assertTrue(policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), ""));
    }

    function test_RevertWhen_windowInverted() public {
        vm.expectRevert(abi.encodeWithSelector(TimeFramePolicy.InvalidTimeFrame.selector, uint48(10), uint48(11)));
        _init(10, 11);
    }

    function test_RevertWhen_initDataNotTwelveBytes() public {
        vm.expectRevert(abi.encodeWithSelector(TimeFramePolicy.InvalidInitDataLength.selector, 32));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(10), uint128(0)));
    }

    function test_RevertWhen_notInitialised() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, address(this), account)
        );
        policy.checkAction(CONFIG, account, address(1), 0, "");
        vm.expectRevert(
            abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, address(this), account)
        );
        policy.check1271SignedAction(CONFIG, address(this), account, bytes32(0), "");
    }

    function testFuzz_packingRoundTrips(uint48 validUntil, uint48 validAfter) public {
        vm.assume(validUntil != 0 || validAfter != 0);
        vm.assume(validUntil == 0 || validAfter <= validUntil);
        _init(validUntil, validAfter);
        uint256 data = policy.checkUserOpPolicy(CONFIG, UserOps.make(account, "", ""));
        assertEq(uint48(data >> 160), validUntil);
        assertEq(uint48(data >> 208), validAfter);
        assertEq(uint160(data), 0, "no aggregator / failure bit");
    }
}
