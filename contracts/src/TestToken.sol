// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

/// @title TestToken
/// @notice A mintable ERC-20 for tests: anybody may mint, 18 decimals.
contract TestToken {
    /// @notice Token name.
    string public constant name = "Test Token";
    /// @notice Token symbol.
    string public constant symbol = "TEST";
    /// @notice Token decimals.
    uint8 public constant decimals = 18;

    /// @notice Total supply.
    uint256 public totalSupply;
    /// @notice Balances by holder.
    mapping(address holder => uint256) public balanceOf;
    /// @notice Allowances by owner and spender.
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @notice ERC-20 Transfer (also for mints, from address(0)).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 Approval.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice The sender's balance is too small.
    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    /// @notice The spender's allowance is too small.
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);
    /// @notice Transfers and mints to address(0) are refused.
    error InvalidReceiver(address to);

    /// @notice Creates `amount` tokens for `to`. Open to anybody (test fixture).
    function mint(address to, uint256 amount) external {
        if (to == address(0)) revert InvalidReceiver(to);
        totalSupply += amount;
        unchecked {
            // Cannot overflow: balances sum to totalSupply, which was checked above.
            balanceOf[to] += amount;
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Moves `amount` from the caller to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Lets `spender` move up to `amount` of the caller's tokens.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice Moves `amount` from `from` to `to` against the caller's allowance (an unlimited one stays).
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(from, msg.sender, allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        if (to == address(0)) revert InvalidReceiver(to);
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount;
        }
        emit Transfer(from, to, amount);
    }
}
