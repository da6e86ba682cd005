// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A test account that refuses ETH, or calls back into the payer, while told to
/// @notice Acts on the Plasma contract through relay(), so that it is msg.sender there: it
/// deposits, exits and piggybacks like a user. On receiving ETH it accepts (mode 0), reverts
/// (mode 1), or makes the call set by setReentry to the payer and records its outcome (mode 2).
contract RevertingRecipient {
    uint8 public mode = 1;
    bytes public reentry;
    bool public reentryDone;
    bool public reentryOk;
    bytes public reentryResult;

    error Refused();

    /// @notice 0 accept ETH, 1 refuse it, 2 call back into the payer.
    function setMode(uint8 m) external {
        mode = m;
    }

    /// @notice The call mode 2 makes to the payer.
    function setReentry(bytes calldata data) external {
        reentry = data;
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
        if (mode == 1) revert Refused();
        if (mode == 2) {
            (bool ok, bytes memory ret) = msg.sender.call(reentry);
            (reentryDone, reentryOk, reentryResult) = (true, ok, ret);
        }
    }
}
