// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IPaymaster} from "@account-abstraction/contracts/interfaces/IPaymaster.sol";
import {EcdsaLib} from "./lib/EcdsaLib.sol";

/// @notice The EntryPoint's deposit functions this paymaster uses.
interface IEntryPointDeposits {
    function depositTo(address account) external payable;
    function balanceOf(address account) external view returns (uint256);
}

/// @title VerifyingPaymaster
/// @notice EntryPoint v0.7 paymaster that sponsors every operation its off-chain signer approved.
/// @dev `paymasterAndData = paymaster (20) ‖ uint128 verificationGas ‖ uint128 postOpGas ‖ paymasterData`,
///      `paymasterData = uint48 validUntil ‖ uint48 validAfter ‖ signature (65, r ‖ s ‖ v)`. The signer signs
///      `getHash(op, validUntil, validAfter)` (raw hash, no EIP-191 prefix), which covers every field of the
///      operation except the signatures (the userOpHash cannot be signed: it covers paymasterData).
///      A wrong signature returns SIG_VALIDATION_FAILED instead of reverting, so bundlers can estimate gas
///      with stub data; a malformed paymasterData reverts. Validation reads immutables only (no storage,
///      no TIMESTAMP: the window goes back in validationData) and returns no context, so no postOp runs
///      and the paymaster needs no stake under ERC-7562.
contract VerifyingPaymaster is IPaymaster {
    /// @dev Where paymasterData starts inside paymasterAndData.
    uint256 internal constant PAYMASTER_DATA_OFFSET = 52;
    /// @dev validUntil (6) + validAfter (6) + signature (65).
    uint256 internal constant PAYMASTER_DATA_LENGTH = 77;
    /// @dev validationData's authorizer field for a failed signature.
    uint256 internal constant SIG_VALIDATION_FAILED = 1;

    /// @notice The EntryPoint this paymaster serves.
    address public immutable entryPoint;
    /// @notice The off-chain signer whose approval sponsors an operation.
    address public immutable verifyingSigner;

    /// @notice Only the EntryPoint may call validation.
    error NotFromEntryPoint(address caller);
    /// @notice paymasterData is not `validUntil ‖ validAfter ‖ 65-byte signature`.
    error InvalidPaymasterData(uint256 length);
    /// @notice postOp is never requested (validation returns no context).
    error PostOpNotUsed();
    /// @notice The constructor got a zero address.
    error ZeroAddress();

    constructor(address entryPoint_, address verifyingSigner_) {
        if (entryPoint_ == address(0) || verifyingSigner_ == address(0)) revert ZeroAddress();
        entryPoint = entryPoint_;
        verifyingSigner = verifyingSigner_;
    }

    /// @notice Adds the value sent to this paymaster's deposit at the EntryPoint.
    function deposit() external payable {
        IEntryPointDeposits(entryPoint).depositTo{value: msg.value}(address(this));
    }

    /// @notice This paymaster's deposit at the EntryPoint.
    function getDeposit() external view returns (uint256) {
        return IEntryPointDeposits(entryPoint).balanceOf(address(this));
    }

    /// @notice The hash the signer signs for `userOp` and the validity window.
    function getHash(PackedUserOperation calldata userOp, uint48 validUntil, uint48 validAfter)
        public
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                userOp.sender,
                userOp.nonce,
                keccak256(userOp.initCode),
                keccak256(userOp.callData),
                userOp.accountGasLimits,
                bytes32(userOp.paymasterAndData[20:PAYMASTER_DATA_OFFSET]),
                userOp.preVerificationGas,
                userOp.gasFees,
                block.chainid,
                address(this),
                validUntil,
                validAfter
            )
        );
    }

    /// @notice Splits paymasterData into the validity window and the signature.
    function parsePaymasterData(bytes calldata paymasterAndData)
        public
        pure
        returns (uint48 validUntil, uint48 validAfter, bytes calldata signature)
    {
        if (paymasterAndData.length != PAYMASTER_DATA_OFFSET + PAYMASTER_DATA_LENGTH) {
            revert InvalidPaymasterData(paymasterAndData.length < PAYMASTER_DATA_OFFSET
                    ? 0
                    : paymasterAndData.length - PAYMASTER_DATA_OFFSET);
        }
        validUntil = uint48(bytes6(paymasterAndData[PAYMASTER_DATA_OFFSET:PAYMASTER_DATA_OFFSET + 6]));
        validAfter = uint48(bytes6(paymasterAndData[PAYMASTER_DATA_OFFSET + 6:PAYMASTER_DATA_OFFSET + 12]));
        signature = paymasterAndData[PAYMASTER_DATA_OFFSET + 12:];
    }

    /// @inheritdoc IPaymaster
    function validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32, uint256)
        external
        view
        returns (bytes memory context, uint256 validationData)
    {
        if (msg.sender != entryPoint) revert NotFromEntryPoint(msg.sender);
        (uint48 validUntil, uint48 validAfter, bytes calldata signature) = parsePaymasterData(userOp.paymasterAndData);
        bool approved = EcdsaLib.recover(getHash(userOp, validUntil, validAfter), signature, 0) == verifyingSigner;
        // validationData = authorizer (0 ok, 1 failed) ‖ validUntil << 160 ‖ validAfter << 208.
        validationData =
            (approved ? 0 : SIG_VALIDATION_FAILED) | (uint256(validUntil) << 160) | (uint256(validAfter) << 208);
        return ("", validationData);
    }

    /// @inheritdoc IPaymaster
    function postOp(PostOpMode, bytes calldata, uint256, uint256) external pure {
        revert PostOpNotUsed();
    }
}
