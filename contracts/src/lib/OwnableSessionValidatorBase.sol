// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

/// @title OwnableSessionValidatorBase
/// @notice The shared part of the project's OwnableValidator-compatible session validators (ERC-7579 module
///         type 7, called by SmartSession): threshold-of-n ECDSA owners. What a signature signs is left to
///         the concrete validator (`_recover`), because that is the one thing the two OwnableValidator
///         generations disagree on.
/// @dev Config (SmartSession's sessionValidatorInitData) = `abi.encode(uint256 threshold, address[] owners)`
///      with owners strictly ascending by numeric value. Invalid configs and signatures return false; they
///      never revert, so gas estimation with a mock signature works.
abstract contract OwnableSessionValidatorBase {
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

    /// @notice True when at least `threshold` distinct owners from `data` signed `hash` (see `_recover`).
    /// @param hash The message (SmartSession passes the raw userOpHash).
    /// @param signature Concatenated 65-byte signatures, in any order.
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

        bool[] memory counted = new bool[](owners.length);
        uint256 valid;
        for (uint256 i; i < count; ++i) {
            address signer = _recover(hash, signature, i * SIGNATURE_LENGTH);
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

    /// @dev The signer of the 65-byte signature at `offset` over `hash`, or address(0).
    function _recover(bytes32 hash, bytes calldata signature, uint256 offset) internal pure virtual returns (address);

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
}
