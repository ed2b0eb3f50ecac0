// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {SpendingLimitPolicy} from "../../src/policies/SpendingLimitPolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {TestToken} from "../../src/TestToken.sol";

contract SpendingLimitPolicyTest is Test {
    SpendingLimitPolicy internal policy = new SpendingLimitPolicy();
    address internal account = makeAddr("account");
    address internal token = makeAddr("token");
    address internal otherToken = makeAddr("other token");
    address internal bob = makeAddr("bob");
    bytes32 internal constant CONFIG = keccak256("config");

    function _init(address[] memory tokens, uint256[] memory limits) internal {
        policy.initializeWithMultiplexer(account, CONFIG, abi.encode(tokens, limits));
    }

    function _initOne(uint256 limit) internal {
        address[] memory tokens = new address[](1);
        tokens[0] = token;
        uint256[] memory limits = new uint256[](1);
        limits[0] = limit;
        _init(tokens, limits);
    }

    function _check(address target, uint256 value, bytes memory data) internal returns (uint256) {
        return policy.checkAction(CONFIG, account, target, value, data);
    }

    function test_transfersAndApprovalsAccumulate() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        _initOne(100);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.transfer, (bob, 40))), 0);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.approve, (bob, 30))), 0);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.transferFrom, (account, bob, 30))), 0);
        (uint256 limit, uint256 spent) = policy.getSpendingLimit(CONFIG, address(this), token, account);
        assertEq(limit, 100);
        assertEq(spent, 100);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.transfer, (bob, 1))), 1, "limit reached");
    }

    function test_failsForEthOtherSelectorsAndUnknownTokens() public {
        _initOne(100);
        assertEq(_check(token, 1, abi.encodeCall(TestToken.transfer, (bob, 1))), 1, "value sent");
        assertEq(_check(token, 0, abi.encodeCall(TestToken.mint, (bob, 1))), 1, "not a spend");
        assertEq(_check(otherToken, 0, abi.encodeCall(TestToken.transfer, (bob, 1))), 1, "token not configured");
        assertEq(_check(token, 0, hex"a9059cbb"), 1, "truncated transfer");
        assertEq(_check(token, 0, ""), 1, "no selector");
    }

    function test_tokensAreIndependent() public {
        address[] memory tokens = new address[](2);
        tokens[0] = token;
        tokens[1] = otherToken;
        uint256[] memory limits = new uint256[](2);
        limits[0] = 10;
        limits[1] = 20;
        _init(tokens, limits);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.transfer, (bob, 10))), 0);
        assertEq(_check(otherToken, 0, abi.encodeCall(TestToken.transfer, (bob, 20))), 0);
        assertEq(_check(token, 0, abi.encodeCall(TestToken.transfer, (bob, 1))), 1);
    }

    function test_RevertWhen_tokenIsZero() public {
        address[] memory tokens = new address[](1);
        uint256[] memory limits = new uint256[](1);
        limits[0] = 1;
        vm.expectRevert(abi.encodeWithSelector(SpendingLimitPolicy.InvalidTokenAddress.selector, address(0)));
        _init(tokens, limits);
    }

    function test_RevertWhen_limitIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(SpendingLimitPolicy.InvalidLimit.selector, 0));
        _initOne(0);
    }

    function test_RevertWhen_lengthsDiffer() public {
        address[] memory tokens = new address[](2);
        uint256[] memory limits = new uint256[](1);
        vm.expectRevert(abi.encodeWithSelector(SpendingLimitPolicy.LengthMismatch.selector, 2, 1));
        _init(tokens, limits);
    }

    function testFuzz_neverExceedsLimit(uint128 limit, uint128 a, uint128 b) public {
        vm.assume(limit > 0);
        _initOne(limit);
        _check(token, 0, abi.encodeCall(TestToken.transfer, (bob, a)));
        _check(token, 0, abi.encodeCall(TestToken.approve, (bob, b)));
        (, uint256 spent) = policy.getSpendingLimit(CONFIG, address(this), token, account);
        assertLe(spent, limit);
    }
}
