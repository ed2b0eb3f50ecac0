// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {EcdsaLib} from "./lib/EcdsaLib.sol";

/// @title OwnableSessionValidator
/// @notice A stateless session validator (ERC-7579 module type 7) for SmartSession, compatible with
///         rhinestone's OwnableValidator as deployed at 0x2483…Bf06: threshold-of-n ECDSA owners, each signing
///         personal_sign(hash).
/// @dev Config (SmartSession's sessionValidatorInitData) = `abi.encode(uint256 threshold, address[] owners)`
///      with owners strictly ascending by numeric value. Invalid configs and signatures return false; they
///      never revert, so gas estimation with a mock signature works.
contract OwnableSessionValidator {
    /// @dev ERC-7579 module type id of a stateless validator.
    uint256 internal constant MODULE_TYPE_STATELESS_VALIDATOR = 7;
    /// @dev Every signature is exactly this long: r ‖ s ‖ v.
    uint256 internal constant SIGNATURE_LENGTH = 65;

    /// @notice Nothing to set up: the config travels with every call.
    function onInstall(bytes calldata) external {}

    /// @notice Nothing to clean up.
    function onUninstall(bytes calldata) external {}

    /// @notice True for module type 7 (stateless session validator) only.
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == MODULE_TYPE_STATELESS_VALIDATOR;
    }

    /// @notice Always true: the validator keeps no per-account state.
    function isInitialized(address) external pure returns (bool) {
        return true;
    }

    /// @notice True when at least `threshold` distinct owners from `data` signed personal_sign(`hash`).
    /// @param hash The message (SmartSession passes the raw userOpHash).
    /// @param signature Concatenated 65-byte signatures, in any order; v is 27/28 (or 0/1), or 31/32 for
    ///        eth_sign-style signatures (v - 4).
    /// @param data `abi.encode(uint256 threshold, address[] owners)`.
    function validateSignatureWithData(bytes32 hash, bytes calldata signature, bytes calldata data)
        external
        pure
        returns (bool)
    {
        (bool ok, uint256 threshold, address[] memory owners) = _decodeConfig(data);
        if (!ok) return false;
        if (signature.length % SIGNATURE_LENGTH != 0) return false;
        uint256 count = signature.length / SIGNATURE_LENGTH;
        if (count < threshold) return false;

        bytes32 digest = EcdsaLib.toEthSignedMessageHash(hash);
        bool[] memory counted = new bool[](owners.length);
        uint256 valid;
        for (uint256 i; i < count; ++i) {
            address signer = _recover(digest, signature, i * SIGNATURE_LENGTH);
            if (signer == address(0)) continue;
            for (uint256 j; j < owners.length; ++j) {
                if (owners[j] == signer) {
                    if (!counted[j]) {
                        counted[j] = true;
                        ++valid;
                    }
                    break;
                }
            }
        }
        return valid >= threshold;
    }

    /// @dev Decodes and checks the config without reverting on malformed input.
    function _decodeConfig(bytes calldata data)
        private
        pure
        returns (bool ok, uint256 threshold, address[] memory owners)
    {
        // Head: threshold, offset of owners; the array: length then one word per owner.
        if (data.length < 96) return (false, 0, owners);
        threshold = uint256(bytes32(data[0:32]));
        uint256 offset = uint256(bytes32(data[32:64]));
        if (offset != 64) return (false, 0, owners);
        uint256 length = uint256(bytes32(data[64:96]));
        // Canonical encoding only: exactly the owners' words follow (no trailing bytes).
        if (length == 0 || length > (data.length - 96) / 32 || data.length != 96 + 32 * length) {
            return (false, 0, owners);
        }
        if (threshold == 0 || threshold > length) return (false, 0, owners);
        owners = new address[](length);
        uint256 previous;
        for (uint256 i; i < length; ++i) {
            uint256 word = uint256(bytes32(data[96 + 32 * i:128 + 32 * i]));
            // Owners must be valid addresses, non-zero and strictly ascending (sorted and unique).
            if (word >> 160 != 0 || word <= previous) return (false, 0, owners);
            owners[i] = address(uint160(word));
            previous = word;
        }
        ok = true;
    }

    /// @dev eth_sign-style signatures carry v + 4; both forms sign the same EIP-191 digest here.
    function _recover(bytes32 digest, bytes calldata signature, uint256 offset) private pure returns (address) {
        uint8 v = uint8(signature[offset + 64]);
        if (v == 31 || v == 32) v -= 4;
        bytes32 r = bytes32(signature[offset:offset + 32]);
        bytes32 s = bytes32(signature[offset + 32:offset + 64]);
        return EcdsaLib.tryRecover(digest, r, s, v);
    }
}
