// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {IActionPolicy, VALIDATION_SUCCESS, VALIDATION_FAILED} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @notice How a 32-byte call argument is compared with a rule's reference value (numerically).
enum ParamCondition {
    EQUAL,
    GREATER_THAN,
    LESS_THAN,
    GREATER_THAN_OR_EQUAL,
    LESS_THAN_OR_EQUAL,
    NOT_EQUAL,
    IN_RANGE
}

/// @notice A running total a limited rule may not exceed.
struct LimitUsage {
    uint256 limit;
    uint256 used;
}

/// @notice One rule on one 32-byte argument at byte `offset` after the selector.
/// @dev For IN_RANGE, `ref = uint128 min << 128 | uint128 max` (both inclusive).
struct ParamRule {
    ParamCondition condition;
    uint64 offset;
    bool isLimited;
    bytes32 ref;
    LimitUsage usage;
}

/// @notice Up to 16 rules; only the first `length` apply.
struct ParamRules {
    uint256 length;
    ParamRule[16] rules;
}

/// @notice The whole config of one action: a per-call ETH cap and the argument rules.
/// @dev `abi.encode(ActionConfig)` is a flat, static 98-word (3,136-byte) tuple.
struct ActionConfig {
    uint256 valueLimitPerUse;
    ParamRules paramRules;
}

/// @title UniversalActionPolicy
/// @notice Action policy checking call arguments against up to 16 rules and the call value against a cap.
contract UniversalActionPolicy is PolicyBase, IActionPolicy {
    /// @dev Size of `abi.encode(ActionConfig)`.
    uint256 internal constant INIT_DATA_LENGTH = 98 * 32;

    mapping(bytes32 configId => mapping(address multiplexer => mapping(address account => ActionConfig))) internal
        actionConfigs;

    /// @notice The call sends more ETH than the config allows per use.
    error ValueLimitExceeded(bytes32 configId, uint256 value, uint256 limit);
    /// @notice Init data is not a 3,136-byte ActionConfig.
    error InvalidInitDataLength(uint256 length);
    /// @notice More than 16 rules were requested.
    error TooManyRules(uint256 length);

    /// @notice Stores `abi.decode(initData, (ActionConfig))`, replacing any earlier config.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external {
        if (initData.length != INIT_DATA_LENGTH) revert InvalidInitDataLength(initData.length);
        ActionConfig memory config = abi.decode(initData, (ActionConfig));
        if (config.paramRules.length > 16) revert TooManyRules(config.paramRules.length);
        ActionConfig storage stored = actionConfigs[configId][msg.sender][account];
        stored.valueLimitPerUse = config.valueLimitPerUse;
        stored.paramRules.length = config.paramRules.length;
        // Copied rule by rule (the compiler cannot copy struct arrays from memory to storage), and only the
        // active ones: this runs inside validation in ENABLE mode, and rules past `length` are never read.
        for (uint256 i; i < config.paramRules.length; ++i) {
            stored.paramRules.rules[i] = config.paramRules.rules[i];
        }
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice 0 when every rule holds (and limited rules stay within their totals), else 1.
    /// @dev Reverts PolicyNotInitialized when the config has no rules and ValueLimitExceeded above the cap.
    function checkAction(bytes32 id, address account, address, uint256 value, bytes calldata data)
        external
        returns (uint256)
    {
        ActionConfig storage config = actionConfigs[id][msg.sender][account];
        uint256 length = config.paramRules.length;
        if (length == 0) revert PolicyNotInitialized(id, msg.sender, account);
        if (value > config.valueLimitPerUse) revert ValueLimitExceeded(id, value, config.valueLimitPerUse);
        for (uint256 i; i < length; ++i) {
            if (!_check(config.paramRules.rules[i], data)) return VALIDATION_FAILED;
        }
        return VALIDATION_SUCCESS;
    }

    /// @notice The stored config, for inspection. Rules past `paramRules.length` are unused (they may still hold
    ///         an earlier, longer config's values).
    function getActionConfig(bytes32 configId, address multiplexer, address account)
        external
        view
        returns (ActionConfig memory)
    {
        return actionConfigs[configId][multiplexer][account];
    }

    function _check(ParamRule storage rule, bytes calldata data) private returns (bool) {
        uint256 start = 4 + uint256(rule.offset);
        // A rule on an argument the call does not have fails (never reads past the calldata).
        if (data.length < start + 32) return false;
        uint256 param = uint256(bytes32(data[start:start + 32]));
        uint256 ref = uint256(rule.ref);
        ParamCondition condition = rule.condition;
        if (condition == ParamCondition.EQUAL && param != ref) return false;
        if (condition == ParamCondition.GREATER_THAN && param <= ref) return false;
        if (condition == ParamCondition.LESS_THAN && param >= ref) return false;
        if (condition == ParamCondition.GREATER_THAN_OR_EQUAL && param < ref) return false;
        if (condition == ParamCondition.LESS_THAN_OR_EQUAL && param > ref) return false;
        if (condition == ParamCondition.NOT_EQUAL && param == ref) return false;
        if (condition == ParamCondition.IN_RANGE && (param < ref >> 128 || param > uint128(ref))) return false;
        if (rule.isLimited) {
            LimitUsage storage usage = rule.usage;
            if (usage.used > usage.limit || param > usage.limit - usage.used) return false;
            usage.used += param;
        }
        return true;
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (false, true, false);
    }
}
