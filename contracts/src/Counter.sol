// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

/// @title Counter
/// @notice A call target for end-to-end tests: plain, parameterised and payable calls.
contract Counter {
    /// @notice The current number.
    uint256 public number;

    /// @notice Emitted on every change of `number`.
    event NumberChanged(address indexed caller, uint256 newNumber);
    /// @notice Emitted when ETH is deposited.
    event Deposited(address indexed from, uint256 amount);

    /// @notice Raised by `alwaysReverts`, to exercise failing executions.
    error CounterReverted(address caller);

    /// @notice Adds one (selector 0x273ea3e3).
    function incrementNumber() external {
        _set(number + 1);
    }

    /// @notice Adds `amount`; reverts on overflow.
    function incrementBy(uint256 amount) external {
        _set(number + amount);
    }

    /// @notice Replaces the number.
    function setNumber(uint256 newNumber) external {
        _set(newNumber);
    }

    /// @notice Adds one and keeps the ETH sent.
    function deposit() external payable {
        emit Deposited(msg.sender, msg.value);
        _set(number + 1);
    }

    /// @notice Always reverts with `CounterReverted(msg.sender)`.
    function alwaysReverts() external view {
        revert CounterReverted(msg.sender);
    }

    function _set(uint256 newNumber) private {
        number = newNumber;
        emit NumberChanged(msg.sender, newNumber);
    }
}
