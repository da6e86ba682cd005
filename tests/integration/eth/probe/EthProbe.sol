// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A probe for the tests of the C eth library, not the Plasma contract.
/// @notice It emits two of PROTOCOL §9's events with their exact signatures,
/// answers two of its views, and reverts with custom errors named like the
/// project's error codes, with Error(string), with a panic, and with an error
/// outside the project's table.
contract EthProbe {
    error BadAmount();
    error NotOperator();
    error Unlisted(uint256 code);

    event DepositCreated(address indexed depositor, uint256 indexed blknum, address indexed token, uint256 amount);
    event BlockSubmitted(uint256 indexed blknum, bytes32 root, uint256 timestamp);
    event Unrelated(uint256 value);

    address public immutable operator;
    uint256 public nextDepositBlock = 1;
    uint256 public nextChildBlock = 1000;

    constructor() {
        operator = msg.sender;
    }

    /// @notice An ETH deposit of `amount` (the call's value), numbered like a deposit block.
    function deposit(address token, uint256 amount) external payable {
        if (token != address(0) || msg.value != amount) revert BadAmount();
        emit DepositCreated(msg.sender, nextDepositBlock++, token, amount);
    }

    /// @notice Records a root as the next child block; the deployer only.
    function submitBlock(bytes32 root) external {
        if (msg.sender != operator) revert NotOperator();
        emit BlockSubmitted(nextChildBlock, root, block.timestamp);
        nextChildBlock += 1000;
    }

    /// @notice An event that is none of §9's.
    function unrelated(uint256 value) external {
        emit Unrelated(value);
    }

    function failString() external pure {
        revert("plain reason");
    }

    function failPanic(uint256 divisor) external pure returns (uint256) {
        return 1 / divisor;
    }

    function failUnlisted() external pure {
        revert Unlisted(7);
    }
}
