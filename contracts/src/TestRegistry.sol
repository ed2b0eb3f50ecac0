// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

/// @title TestRegistry
/// @notice ERC-7484 registry stand-in for the devnet, etched at 0x000000000069E2a187AEFFb852bF3cCdC95151B2.
/// @dev Runtime code only is placed there (anvil_setCode), so it has no constructor, no immutables and
///      no state that needs initialising. Every module counts as attested unless `revoke` marked it; then
///      each check reverts `RevokedAttestation(module)`, which lets tests exercise registry failures.
contract TestRegistry {
    mapping(address account => address[]) internal trustedAttesters;
    mapping(address account => uint8) public trustedThreshold;
    mapping(address module => bool) public isRevoked;

    /// @notice An account set its trusted attesters.
    event NewTrustedAttesters(address indexed account);
    /// @notice A module was marked revoked (or cleared again).
    event RevocationSet(address indexed module, bool revoked);

    /// @notice Empty attester list, address(0) or a duplicate.
    error InvalidTrustedAttesterInput();
    /// @notice The module was marked revoked.
    error RevokedAttestation(address module);

    /// @notice Stores the caller's attesters (sorted ascending) and threshold (clamped to their number).
    function trustAttesters(uint8 threshold, address[] calldata attesters) external {
        uint256 length = attesters.length;
        if (length == 0) revert InvalidTrustedAttesterInput();
        address[] memory sorted = attesters;
        for (uint256 i = 1; i < length; ++i) {
            address current = sorted[i];
            uint256 j = i;
            while (j > 0 && sorted[j - 1] > current) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = current;
        }
        if (sorted[0] == address(0)) revert InvalidTrustedAttesterInput();
        for (uint256 i = 1; i < length; ++i) {
            if (sorted[i] == sorted[i - 1]) revert InvalidTrustedAttesterInput();
        }
        trustedAttesters[msg.sender] = sorted;
        trustedThreshold[msg.sender] = threshold > length ? uint8(length) : threshold;
        emit NewTrustedAttesters(msg.sender);
    }

    /// @notice The attesters `account` trusts, ascending.
    function findTrustedAttesters(address account) external view returns (address[] memory) {
        return trustedAttesters[account];
    }

    /// @notice Test hook: marks `module` revoked so every check of it reverts.
    function revoke(address module) external {
        isRevoked[module] = true;
        emit RevocationSet(module, true);
    }

    /// @notice Test hook: clears a revocation.
    function unrevoke(address module) external {
        isRevoked[module] = false;
        emit RevocationSet(module, false);
    }

    /// @notice ERC-7484 check for the caller.
    function check(address module) external view {
        _check(module);
    }

    /// @notice ERC-7484 check with a module type (Nexus's RegistryAdapter).
    function check(address module, uint256) external view {
        _check(module);
    }

    /// @notice ERC-7484 check with explicit attesters.
    function check(address module, address[] calldata, uint256) external view {
        _check(module);
    }

    /// @notice ERC-7484 check with a module type and explicit attesters.
    function check(address module, uint256, address[] calldata, uint256) external view {
        _check(module);
    }

    /// @notice ERC-7484 check for an account (SmartSession, for policies). Selector 0x4c13560c.
    function checkForAccount(address, address module) external view {
        _check(module);
    }

    /// @notice ERC-7484 check for an account and module type (SmartSession, for session validators).
    ///         Selector 0x529562a1.
    function checkForAccount(address, address module, uint256) external view {
        _check(module);
    }

    function _check(address module) private view {
        if (isRevoked[module]) revert RevokedAttestation(module);
    }
}
