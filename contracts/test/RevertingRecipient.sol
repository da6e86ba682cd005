// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A test account that refuses ETH while told to
/// @notice Acts on the Plasma contract through relay(), so that it is msg.sender there: it
/// deposits, exits and piggybacks like a user, but a payment to it fails while refusing is set.
contract RevertingRecipient {
    bool public refusing = true;

    error Refused();

    /// @notice Turns refusing ETH on or off.
    function setRefusing(bool on) external {
        refusing = on;
    }

    /// @notice Calls target with data and value; bubbles a revert up unchanged.
    function relay(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        if (refusing) revert Refused();
    }
}
