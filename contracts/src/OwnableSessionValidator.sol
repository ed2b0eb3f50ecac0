// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {EcdsaLib} from "./lib/EcdsaLib.sol";
import {OwnableSessionValidatorBase} from "./lib/OwnableSessionValidatorBase.sol";

/// @title OwnableSessionValidator
/// @notice Session validator with the signature rule of rhinestone's OwnableValidator before core-modules
///         f86f209 (as deployed at 0x2483…Bf06): every owner signs personal_sign(hash), EIP-191 with v 27/28.
///         eth_sign-style signatures with v + 4 (31/32) sign the same EIP-191 digest here.
/// @dev For the current OwnableValidator's rule (raw hash unless v + 4) see `RawHashSessionValidator`.
contract OwnableSessionValidator is OwnableSessionValidatorBase {
    function _recover(bytes32 hash, bytes calldata signature, uint256 offset) internal pure override returns (address) {
        uint8 v = uint8(signature[offset + 64]);
        if (v == 31 || v == 32) v -= 4;
        return EcdsaLib.tryRecover(
            EcdsaLib.toEthSignedMessageHash(hash),
            bytes32(signature[offset:offset + 32]),
            bytes32(signature[offset + 32:offset + 64]),
            v
        );
    }
}
