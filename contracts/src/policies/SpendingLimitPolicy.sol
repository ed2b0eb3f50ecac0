// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {IActionPolicy, VALIDATION_SUCCESS, VALIDATION_FAILED} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @title SpendingLimitPolicy
/// @notice Caps how much of each ERC-20 token a config may transfer or approve in total.
/// @dev Init data = `abi.encode(address[] tokens, uint256[] limits)`. Only `transfer`, `approve` and
///      `transferFrom` calls with no ETH pass; the target is the token. Re-initialising sets the listed
///      tokens' limits and resets their totals; tokens not listed again keep their earlier config.
contract SpendingLimitPolicy is PolicyBase, IActionPolicy {
    bytes4 internal constant TRANSFER = 0xa9059cbb; // transfer(address,uint256)
    bytes4 internal constant APPROVE = 0x095ea7b3; // approve(address,uint256)
    bytes4 internal constant TRANSFER_FROM = 0x23b872dd; // transferFrom(address,address,uint256)

    /// @notice Limit and amount spent for one token.
    struct TokenLimit {
        uint256 limit;
        uint256 spent;
    }

    // The account is the innermost key so the slot stays associated with it (ERC-7562).
    mapping(
        bytes32 configId
            => mapping(address multiplexer => mapping(address token => mapping(address account => TokenLimit)))
    ) internal tokenLimits;

    /// @notice A token of address(0).
    error InvalidTokenAddress(address token);
    /// @notice A limit of zero.
    error InvalidLimit(uint256 limit);
    /// @notice `tokens` and `limits` differ in length.
    error LengthMismatch(uint256 tokens, uint256 limits);

    /// @notice Stores a limit per token and resets their totals.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external {
        (address[] memory tokens, uint256[] memory limits) = abi.decode(initData, (address[], uint256[]));
        if (tokens.length != limits.length) revert LengthMismatch(tokens.length, limits.length);
        for (uint256 i; i < tokens.length; ++i) {
            if (tokens[i] == address(0)) revert InvalidTokenAddress(tokens[i]);
            if (limits[i] == 0) revert InvalidLimit(limits[i]);
            tokenLimits[configId][msg.sender][tokens[i]][account] = TokenLimit(limits[i], 0);
        }
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice 0 when `data` is a transfer/approve/transferFrom of a configured token within its remaining
    ///         limit and no ETH is sent, else 1.
    function checkAction(bytes32 id, address account, address target, uint256 value, bytes calldata data)
        external
        returns (uint256)
    {
        if (value != 0 || data.length < 4) return VALIDATION_FAILED;
        bytes4 selector = bytes4(data[0:4]);
        uint256 amount;
        if (selector == TRANSFER || selector == APPROVE) {
            if (data.length < 68) return VALIDATION_FAILED;
            amount = uint256(bytes32(data[36:68]));
        } else if (selector == TRANSFER_FROM) {
            if (data.length < 100) return VALIDATION_FAILED;
            amount = uint256(bytes32(data[68:100]));
        } else {
            return VALIDATION_FAILED;
        }
        TokenLimit storage token = tokenLimits[id][msg.sender][target][account];
        if (token.limit == 0) return VALIDATION_FAILED;
        if (token.spent > token.limit || amount > token.limit - token.spent) return VALIDATION_FAILED;
        token.spent += amount;
        return VALIDATION_SUCCESS;
    }

    /// @notice Limit and amount spent so far for one token.
    function getSpendingLimit(bytes32 configId, address multiplexer, address token, address account)
        external
        view
        returns (uint256 limit, uint256 spent)
    {
        TokenLimit memory config = tokenLimits[configId][multiplexer][token][account];
        return (config.limit, config.spent);
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (false, true, false);
    }
}
