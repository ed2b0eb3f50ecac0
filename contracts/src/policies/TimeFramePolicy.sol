// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IUserOpPolicy, IActionPolicy, I1271Policy} from "../interfaces/IPolicy.sol";
import {PolicyBase} from "../lib/PolicyBase.sol";

/// @title TimeFramePolicy
/// @notice Limits a session to a time window by returning ERC-4337 validation data with validAfter and
///         validUntil; the EntryPoint enforces the window. For ERC-1271 the window is checked directly.
/// @dev Init data = `abi.encodePacked(uint48 validUntil, uint48 validAfter)` (12 bytes). validUntil = 0 means
///      no expiry. A config with both values 0 counts as not initialised.
contract TimeFramePolicy is PolicyBase, IUserOpPolicy, IActionPolicy, I1271Policy {
    /// @notice One window.
    struct TimeFrame {
        uint48 validUntil;
        uint48 validAfter;
    }

    mapping(bytes32 configId => mapping(address multiplexer => mapping(address account => TimeFrame))) internal
        timeFrames;

    /// @notice Init data is not exactly 12 bytes.
    error InvalidInitDataLength(uint256 length);
    /// @notice validAfter is later than a non-zero validUntil.
    error InvalidTimeFrame(uint48 validUntil, uint48 validAfter);

    /// @notice Stores the window, replacing any earlier one.
    function initializeWithMultiplexer(address account, bytes32 configId, bytes calldata initData) external {
        if (initData.length != 12) revert InvalidInitDataLength(initData.length);
        uint48 validUntil = uint48(bytes6(initData[0:6]));
        uint48 validAfter = uint48(bytes6(initData[6:12]));
        if (validUntil != 0 && validAfter > validUntil) revert InvalidTimeFrame(validUntil, validAfter);
        timeFrames[configId][msg.sender][account] = TimeFrame(validUntil, validAfter);
        emit PolicySet(configId, msg.sender, account);
    }

    /// @notice `validAfter << 208 | validUntil << 160` for the operation's sender.
    function checkUserOpPolicy(bytes32 id, PackedUserOperation calldata userOp) external view returns (uint256) {
        return _validationData(id, userOp.sender);
    }

    /// @notice `validAfter << 208 | validUntil << 160` for `account`.
    function checkAction(bytes32 id, address account, address, uint256, bytes calldata)
        external
        view
        returns (uint256)
    {
        return _validationData(id, account);
    }

    /// @notice True when now is within [validAfter, validUntil) (validUntil 0 = open-ended).
    function check1271SignedAction(bytes32 id, address, address account, bytes32, bytes calldata)
        external
        view
        returns (bool)
    {
        TimeFrame memory frame = _frame(id, account);
        return block.timestamp >= frame.validAfter && (frame.validUntil == 0 || block.timestamp < frame.validUntil);
    }

    /// @notice The stored window, for inspection.
    function getTimeFrame(bytes32 configId, address multiplexer, address account)
        external
        view
        returns (uint48 validUntil, uint48 validAfter)
    {
        TimeFrame memory frame = timeFrames[configId][multiplexer][account];
        return (frame.validUntil, frame.validAfter);
    }

    function _validationData(bytes32 id, address account) private view returns (uint256) {
        TimeFrame memory frame = _frame(id, account);
        // Same packing as ERC-4337 `_packValidationData(false, validUntil, validAfter)`: validUntil 0 stays 0,
        // which the EntryPoint and SmartSession read as "no expiry".
        return (uint256(frame.validAfter) << 208) | (uint256(frame.validUntil) << 160);
    }

    function _frame(bytes32 id, address account) private view returns (TimeFrame memory frame) {
        frame = timeFrames[id][msg.sender][account];
        if (frame.validUntil == 0 && frame.validAfter == 0) revert PolicyNotInitialized(id, msg.sender, account);
    }

    function _roles() internal pure override returns (bool userOp, bool action, bool erc1271) {
        return (true, true, true);
    }
}
