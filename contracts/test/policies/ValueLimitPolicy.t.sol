// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {ValueLimitPolicy, Execution} from "../../src/policies/ValueLimitPolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {UserOps} from "../utils/UserOps.sol";

contract ValueLimitPolicyTest is Test {
    ValueLimitPolicy internal policy = new ValueLimitPolicy();
    address internal account = makeAddr("account");
    address internal target = makeAddr("target");
    bytes32 internal constant CONFIG = keccak256("config");
    bytes4 internal constant EXECUTE = 0xe9ae5c53;

    function _init(uint256 limit) internal {
        policy.initializeWithMultiplexer(account, CONFIG, abi.encode(limit));
    }

    function _batch(uint256 a, uint256 b) internal view returns (bytes memory) {
        Execution[] memory executions = new Execution[](2);
        executions[0] = Execution(target, a, hex"01");
        executions[1] = Execution(target, b, "");
        bytes32 mode = bytes32(bytes1(0x01));
        return abi.encodeWithSelector(EXECUTE, mode, abi.encode(executions));
    }

    function test_actionsAccumulate() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        _init(1 ether);
        assertEq(policy.checkAction(CONFIG, account, target, 0.6 ether, ""), 0);
        assertEq(policy.checkAction(CONFIG, account, target, 0.4 ether, ""), 0);
        assertEq(policy.checkAction(CONFIG, account, target, 1, ""), 1, "over the limit");
        (uint256 limit, uint256 used) = policy.getValueLimit(CONFIG, address(this), account);
        assertEq(limit, 1 ether);
        assertEq(used, 1 ether);
    }

    function test_userOpSingleExecute() public {
        _init(1 ether);
        bytes memory callData = UserOps.executeSingle(target, 0.7 ether, hex"aabbccdd");
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, callData, "")), 0);
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, callData, "")), 1);
    }

    function test_userOpBatchSumsValues() public {
        _init(1 ether);
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, _batch(0.5 ether, 0.6 ether), "")), 1);
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, _batch(0.5 ether, 0.5 ether), "")), 0);
    }

    function test_userOpWithoutExecuteSpendsNothing() public {
        _init(0);
        assertEq(policy.checkUserOpPolicy(CONFIG, UserOps.make(account, hex"12345678", "")), 0);
        assertEq(policy.checkAction(CONFIG, account, target, 0, ""), 0, "zero value fits a zero limit");
        assertEq(policy.checkAction(CONFIG, account, target, 1, ""), 1);
    }

    function test_RevertWhen_delegatecallMode() public {
        _init(1 ether);
        bytes memory callData = abi.encodeWithSelector(EXECUTE, bytes32(bytes1(0xff)), abi.encodePacked(target));
        vm.expectRevert(abi.encodeWithSelector(ValueLimitPolicy.UnsupportedCallType.selector, bytes1(0xff)));
        policy.checkUserOpPolicy(CONFIG, UserOps.make(account, callData, ""));
    }

    function test_RevertWhen_notInitialised() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, address(this), account)
        );
        policy.checkAction(CONFIG, account, target, 0, "");
    }

    function test_RevertWhen_initDataNotOneWord() public {
        vm.expectRevert(abi.encodeWithSelector(ValueLimitPolicy.InvalidInitDataLength.selector, 16));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encodePacked(uint128(1)));
    }

    function testFuzz_neverSpendsMoreThanTheLimit(uint128 limit, uint128 a, uint128 b) public {
        _init(limit);
        uint256 first = policy.checkAction(CONFIG, account, target, a, "");
        uint256 second = policy.checkAction(CONFIG, account, target, b, "");
        (, uint256 used) = policy.getValueLimit(CONFIG, address(this), account);
        assertLe(used, limit);
        assertEq(first, a <= limit ? 0 : 1);
        uint256 spent = first == 0 ? a : 0;
        assertEq(second, uint256(b) + spent <= limit ? 0 : 1);
    }
}
