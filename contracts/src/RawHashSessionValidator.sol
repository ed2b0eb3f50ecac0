// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {EcdsaLib} from "./lib/EcdsaLib.sol";
import {OwnableSessionValidatorBase} from "./lib/OwnableSessionValidatorBase.sol";

/// @title RawHashSessionValidator
/// @notice Session validator with the signature rule of the current rhinestone OwnableValidator (core-modules
///         since f86f209, deployed at 0x000000000013fdB5…): a signature with v 27/28 (or 0/1) is recovered
///         from the RAW hash; one with v raised by 4 (31/32) is recovered from personal_sign(hash) with v - 4.
///         So a plain EIP-191 signature with v 27/28 recovers some other address and is refused.
/// @dev For the older rule (EIP-191 with v 27/28) see `OwnableSessionValidator`.
contract RawHashSessionValidator is OwnableSessionValidatorBase {
    function _recover(bytes32 hash, bytes calldata signature, uint256 offset) internal pure override returns (address) {
        uint8 v = uint8(signature[offset + 64]);
        bytes32 digest = hash;
        if (v > 30) {
            v -= 4;
            digest = EcdsaLib.toEthSignedMessageHash(hash);
        }
        return EcdsaLib.tryRecover(
            digest, bytes32(signature[offset:offset + 32]), bytes32(signature[offset + 32:offset + 64]), v
        );
    }
}
