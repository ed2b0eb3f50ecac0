// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {EcdsaLib} from "./lib/EcdsaLib.sol";

/// @title EcdsaValidator
/// @notice ERC-7579 validator (module type 1) for Nexus accounts: one ECDSA owner per account.
/// @dev Accepts signatures over the raw hash or its EIP-191 personal_sign hash. A bad signature makes
///      `validateUserOp` return 1 instead of reverting, so bundlers can estimate gas with a dummy signature.
contract EcdsaValidator {
    /// @dev ERC-7579 module type id of a validator.
    uint256 internal constant MODULE_TYPE_VALIDATOR = 1;
    /// @dev ERC-1271 answers.
    bytes4 internal constant ERC1271_MAGIC_VALUE = 0x1626ba7e;
    bytes4 internal constant ERC1271_INVALID = 0xffffffff;

    /// @notice The owner of each account that installed this validator.
    mapping(address account => address owner) public ownerOf;

    /// @notice Emitted when an account sets its owner on install.
    event OwnerSet(address indexed account, address indexed owner);
    /// @notice Emitted when an account uninstalls the validator.
    event OwnerRemoved(address indexed account);

    /// @notice The account already has an owner here.
    error AlreadyInitialized(address account);
    /// @notice Install data is neither 20 packed bytes nor a 32-byte ABI-encoded address.
    error InvalidInstallData(bytes data);
    /// @notice The owner may not be address(0).
    error InvalidOwner();

    /// @notice Sets the caller's owner from `data`: 20 packed bytes or `abi.encode(address)`.
    function onInstall(bytes calldata data) external {
        if (ownerOf[msg.sender] != address(0)) revert AlreadyInitialized(msg.sender);
        address owner;
        if (data.length == 20) {
            owner = address(bytes20(data));
        } else if (data.length == 32 && uint256(bytes32(data)) >> 160 == 0) {
            owner = address(uint160(uint256(bytes32(data))));
        } else {
            revert InvalidInstallData(data);
        }
        if (owner == address(0)) revert InvalidOwner();
        ownerOf[msg.sender] = owner;
        emit OwnerSet(msg.sender, owner);
    }

    /// @notice Removes the caller's owner; the data is ignored.
    function onUninstall(bytes calldata) external {
        delete ownerOf[msg.sender];
        emit OwnerRemoved(msg.sender);
    }

    /// @notice True for module type 1 (validator) only.
    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == MODULE_TYPE_VALIDATOR;
    }

    /// @notice True when `account` has an owner here.
    function isInitialized(address account) external view returns (bool) {
        return ownerOf[account] != address(0);
    }

    /// @notice ERC-4337 validation: 0 when the sender's owner signed `userOpHash`, else 1 (never reverts).
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external view returns (uint256) {
        return _isOwnerSignature(ownerOf[userOp.sender], userOpHash, userOp.signature) ? 0 : 1;
    }

    /// @notice ERC-1271 through the account: the calling account's owner must have signed `hash`.
    function isValidSignatureWithSender(address, bytes32 hash, bytes calldata signature)
        external
        view
        returns (bytes4)
    {
        return _isOwnerSignature(ownerOf[msg.sender], hash, signature) ? ERC1271_MAGIC_VALUE : ERC1271_INVALID;
    }

    function _isOwnerSignature(address owner, bytes32 hash, bytes calldata signature) private pure returns (bool) {
        if (owner == address(0) || signature.length != 65) return false;
        return EcdsaLib.recover(hash, signature, 0) == owner
            || EcdsaLib.recover(EcdsaLib.toEthSignedMessageHash(hash), signature, 0) == owner;
    }
}
