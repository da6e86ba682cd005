// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A test ERC-20 whose transfer returns false while told to
/// @notice transferFrom works, so deposits succeed; payouts by transfer fail without reverting.
contract FalseToken {
    bool public refusing = true;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    /// @notice Turns failing transfers on or off.
    function setRefusing(bool on) external {
        refusing = on;
    }

    /// @notice Creates amount tokens for to.
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    /// @notice Lets spender move up to amount of the caller's tokens.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    /// @notice Returns false, moving nothing, while refusing; else a plain transfer.
    function transfer(address to, uint256 amount) external returns (bool) {
        if (refusing || balanceOf[msg.sender] < amount) return false;
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        return true;
    }

    /// @notice A plain transferFrom within the allowance.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (allowance[from][msg.sender] < amount || balanceOf[from] < amount) return false;
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return true;
    }
}
