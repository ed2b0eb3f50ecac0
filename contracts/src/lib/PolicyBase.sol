// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {IERC165, IPolicy, IUserOpPolicy, IActionPolicy, I1271Policy} from "../interfaces/IPolicy.sol";

/// @notice What every fixture policy shares: the PolicySet event, the init errors and ERC-165 per role.
/// @dev `supportsInterface(0xffffffff)` must be false so OpenZeppelin's ERC165Checker (SmartSession v1)
///      accepts the policy; pre-v1 SmartSession asks for the role id directly.
abstract contract PolicyBase is IPolicy {
    /// @notice Emitted whenever a config is (re)initialised.
    event PolicySet(bytes32 configId, address multiplexer, address account);

    /// @notice The config used by a check was never initialised.
    error PolicyNotInitialized(bytes32 configId, address multiplexer, address account);

    /// @dev Which roles the concrete policy plays.
    function _roles() internal pure virtual returns (bool userOp, bool action, bool erc1271);

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        (bool userOp, bool action, bool erc1271) = _roles();
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IPolicy).interfaceId
            || (userOp && interfaceId == type(IUserOpPolicy).interfaceId)
            || (action && interfaceId == type(IActionPolicy).interfaceId)
            || (erc1271 && interfaceId == type(I1271Policy).interfaceId);
    }
}
