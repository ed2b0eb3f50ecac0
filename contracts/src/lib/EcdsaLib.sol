// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

/// @notice Signature recovery that never reverts: malformed or malleable signatures recover to address(0).
library EcdsaLib {
    /// @dev secp256k1n / 2: signatures with a larger s are the malleable twin and are rejected.
    uint256 internal constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice The EIP-191 personal_sign hash of a 32-byte message.
    function toEthSignedMessageHash(bytes32 hash) internal pure returns (bytes32 digest) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
    }

    /// @notice Recovers the signer of a 65-byte `r ‖ s ‖ v` signature at `offset` in `sig`.
    /// @dev Returns address(0) for a short slice and everything `tryRecover` rejects.
    function recover(bytes32 hash, bytes calldata sig, uint256 offset) internal pure returns (address) {
        if (sig.length < offset + 65) return address(0);
        return tryRecover(hash, bytes32(sig[offset:offset + 32]), bytes32(sig[offset + 32:offset + 64]), uint8(sig[offset + 64]));
    }

    /// @notice Recovers a signer; v may be 27/28 or 0/1. address(0) for a bad v, a high s or a failed recovery.
    function tryRecover(bytes32 hash, bytes32 r, bytes32 s, uint8 v) internal pure returns (address) {
        if (v < 27) v += 27;
        if (v != 27 && v != 28) return address(0);
        if (uint256(s) > HALF_ORDER) return address(0);
        return ecrecover(hash, v, r, s);
    }
}
