// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {
    UniversalActionPolicy,
    ActionConfig,
    ParamRule,
    ParamCondition,
    LimitUsage
} from "../../src/policies/UniversalActionPolicy.sol";
import {PolicyBase} from "../../src/lib/PolicyBase.sol";
import {Counter} from "../../src/Counter.sol";

contract UniversalActionPolicyTest is Test {
    UniversalActionPolicy internal policy;
    address internal account = makeAddr("account");
    address internal target = makeAddr("target");
    bytes32 internal constant CONFIG = keccak256("config");

    function setUp() public {
        policy = new UniversalActionPolicy();
    }

    function _rule(ParamCondition condition, uint64 argIndex, bytes32 ref) internal pure returns (ParamRule memory r) {
        r.condition = condition;
        r.offset = argIndex * 32;
        r.ref = ref;
    }

    function _init(uint256 valueLimit, ParamRule[] memory rules) internal {
        ActionConfig memory config;
        config.valueLimitPerUse = valueLimit;
        config.paramRules.length = rules.length;
        for (uint256 i; i < rules.length; ++i) config.paramRules.rules[i] = rules[i];
        bytes memory initData = abi.encode(config);
        assertEq(initData.length, 3136, "flat 98-word encoding");
        policy.initializeWithMultiplexer(account, CONFIG, initData);
    }

    function _one(ParamRule memory rule) internal pure returns (ParamRule[] memory rules) {
        rules = new ParamRule[](1);
        rules[0] = rule;
    }

    function _check(uint256 value, bytes memory data) internal returns (uint256) {
        return policy.checkAction(CONFIG, account, target, value, data);
    }

    function _setNumber(uint256 n) internal pure returns (bytes memory) {
        return abi.encodeCall(Counter.setNumber, (n));
    }

    function test_initStoresConfigAndEmits() public {
        vm.expectEmit(address(policy));
        emit PolicyBase.PolicySet(CONFIG, address(this), account);
        _init(5, _one(_rule(ParamCondition.EQUAL, 0, bytes32(uint256(7)))));
        ActionConfig memory stored = policy.getActionConfig(CONFIG, address(this), account);
        assertEq(stored.valueLimitPerUse, 5);
        assertEq(stored.paramRules.length, 1);
        assertEq(stored.paramRules.rules[0].ref, bytes32(uint256(7)));
    }

    function test_everyCondition() public {
        bytes32 ten = bytes32(uint256(10));
        ParamCondition[6] memory conditions = [
            ParamCondition.EQUAL,
            ParamCondition.GREATER_THAN,
            ParamCondition.LESS_THAN,
            ParamCondition.GREATER_THAN_OR_EQUAL,
            ParamCondition.LESS_THAN_OR_EQUAL,
            ParamCondition.NOT_EQUAL
        ];
        // Expected outcome for params 9, 10, 11 under each condition (true = pass).
        bool[3][6] memory expected = [
            [false, true, false],
            [false, false, true],
            [true, false, false],
            [false, true, true],
            [true, true, false],
            [true, false, true]
        ];
        for (uint256 c; c < 6; ++c) {
            _init(0, _one(_rule(conditions[c], 0, ten)));
            for (uint256 p; p < 3; ++p) {
                uint256 result = _check(0, _setNumber(9 + p));
                assertEq(result, expected[c][p] ? 0 : 1, string.concat("condition ", vm.toString(c)));
            }
        }
    }

    function test_inRange() public {
        bytes32 ref = bytes32((uint256(5) << 128) | 8);
        _init(0, _one(_rule(ParamCondition.IN_RANGE, 0, ref)));
        assertEq(_check(0, _setNumber(4)), 1);
        assertEq(_check(0, _setNumber(5)), 0);
        assertEq(_check(0, _setNumber(8)), 0);
        assertEq(_check(0, _setNumber(9)), 1);
    }

    function test_offsetSelectsTheArgument() public {
        // transferFrom(from, to, amount): rule on the third argument (byte offset 64).
        _init(0, _one(_rule(ParamCondition.LESS_THAN_OR_EQUAL, 2, bytes32(uint256(100)))));
        bytes memory ok = abi.encodeWithSignature("transferFrom(address,address,uint256)", account, target, 100);
        bytes memory tooMuch = abi.encodeWithSignature("transferFrom(address,address,uint256)", account, target, 101);
        assertEq(_check(0, ok), 0);
        assertEq(_check(0, tooMuch), 1);
    }

    function test_paramPastCalldataEndFails() public {
        _init(0, _one(_rule(ParamCondition.NOT_EQUAL, 1, bytes32(0))));
        assertEq(_check(0, _setNumber(1)), 1, "second argument does not exist");
        assertEq(_check(0, hex"12"), 1, "shorter than a selector");
    }

    function test_limitedUsageAccumulates() public {
        ParamRule memory rule = _rule(ParamCondition.LESS_THAN_OR_EQUAL, 0, bytes32(uint256(60)));
        rule.isLimited = true;
        rule.usage = LimitUsage({limit: 100, used: 0});
        _init(0, _one(rule));
        assertEq(_check(0, _setNumber(60)), 0);
        assertEq(_check(0, _setNumber(40)), 0);
        assertEq(policy.getActionConfig(CONFIG, address(this), account).paramRules.rules[0].usage.used, 100);
        assertEq(_check(0, _setNumber(1)), 1, "limit of 100 reached");
        assertEq(_check(0, _setNumber(0)), 0, "zero still fits");
    }

    function test_allRulesMustHold() public {
        ParamRule[] memory rules = new ParamRule[](2);
        rules[0] = _rule(ParamCondition.GREATER_THAN, 0, bytes32(uint256(1)));
        rules[1] = _rule(ParamCondition.LESS_THAN, 0, bytes32(uint256(5)));
        _init(0, rules);
        assertEq(_check(0, _setNumber(3)), 0);
        assertEq(_check(0, _setNumber(1)), 1);
        assertEq(_check(0, _setNumber(5)), 1);
    }

    function test_reinitOverwrites() public {
        _init(0, _one(_rule(ParamCondition.EQUAL, 0, bytes32(uint256(1)))));
        _init(0, _one(_rule(ParamCondition.EQUAL, 0, bytes32(uint256(2)))));
        assertEq(_check(0, _setNumber(1)), 1);
        assertEq(_check(0, _setNumber(2)), 0);
    }

    function test_RevertWhen_valueAboveLimitPerUse() public {
        _init(1 ether, _one(_rule(ParamCondition.GREATER_THAN_OR_EQUAL, 0, bytes32(0))));
        assertEq(_check(1 ether, _setNumber(1)), 0);
        vm.expectRevert(
            abi.encodeWithSelector(UniversalActionPolicy.ValueLimitExceeded.selector, CONFIG, 1 ether + 1, 1 ether)
        );
        _check(1 ether + 1, _setNumber(1));
    }

    function test_RevertWhen_notInitialised() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, address(this), account)
        );
        _check(0, _setNumber(1));
    }

    function test_RevertWhen_otherMultiplexerAsks() public {
        _init(0, _one(_rule(ParamCondition.EQUAL, 0, bytes32(uint256(1)))));
        address other = makeAddr("other multiplexer");
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(PolicyBase.PolicyNotInitialized.selector, CONFIG, other, account));
        policy.checkAction(CONFIG, account, target, 0, _setNumber(1));
    }

    function test_RevertWhen_initDataMalformed() public {
        vm.expectRevert(abi.encodeWithSelector(UniversalActionPolicy.InvalidInitDataLength.selector, 32));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encode(uint256(1)));

        ActionConfig memory config;
        config.paramRules.length = 17;
        vm.expectRevert(abi.encodeWithSelector(UniversalActionPolicy.TooManyRules.selector, 17));
        policy.initializeWithMultiplexer(account, CONFIG, abi.encode(config));
    }

    function testFuzz_inRangeMatchesBounds(uint128 min, uint128 max, uint256 param) public {
        vm.assume(min <= max);
        bytes32 ref = bytes32((uint256(min) << 128) | max);
        _init(0, _one(_rule(ParamCondition.IN_RANGE, 0, ref)));
        bool inside = param >= min && param <= max;
        assertEq(_check(0, _setNumber(param)), inside ? 0 : 1);
    }
}
