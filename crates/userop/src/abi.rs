//! `sol!` bindings of the EntryPoint v0.7 surface an SDK touches: the packed struct, the calls that
//! take it, the nonce and counterfactual-address helpers, the revert errors bundlers relay and the
//! events a receipt carries.

use crate::PackedUserOperation as Packed;
use alloy_primitives::Address;
use alloy_sol_types::SolCall;

alloy_sol_types::sol! {
    #![sol(all_derives)]

    /// The EntryPoint v0.7 `PackedUserOperation` as laid out for ABI encoding.
    struct PackedUserOperation {
        /// The smart account.
        address sender;
        /// `key ‖ sequence`.
        uint256 nonce;
        /// `factory ‖ factoryData`.
        bytes initCode;
        /// Calldata for the account.
        bytes callData;
        /// `verificationGasLimit ‖ callGasLimit`.
        bytes32 accountGasLimits;
        /// Pre-verification gas.
        uint256 preVerificationGas;
        /// `maxPriorityFeePerGas ‖ maxFeePerGas`.
        bytes32 gasFees;
        /// `paymaster ‖ gas limits ‖ paymasterData`.
        bytes paymasterAndData;
        /// The account's signature.
        bytes signature;
    }

    /// The EntryPoint v0.7 functions, errors and events used by the SDK.
    interface IEntryPoint {
        /// The `userOpHash` the account signs.
        function getUserOpHash(PackedUserOperation calldata userOp) external view returns (bytes32);
        /// Executes a bundle, paying the gas refund to `beneficiary`.
        function handleOps(PackedUserOperation[] calldata ops, address payable beneficiary) external;
        /// The next nonce of `sender` for the 192-bit `key`.
        function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
        /// Always reverts with `SenderAddressResult(address)`.
        function getSenderAddress(bytes calldata initCode) external;
        /// The deposit of `account`.
        function balanceOf(address account) external view returns (uint256);
        /// Adds to the deposit of `account`.
        function depositTo(address account) external payable;

        /// Validation failed for operation `opIndex`; `reason` starts with an `AAnn` code.
        error FailedOp(uint256 opIndex, string reason);
        /// Like `FailedOp`, with the revert data of the account or paymaster call.
        error FailedOpWithRevert(uint256 opIndex, string reason, bytes inner);
        /// The answer of `getSenderAddress`.
        error SenderAddressResult(address sender);
        /// `postOp` reverted.
        error PostOpReverted(bytes returnData);

        /// Emitted once per executed operation.
        event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed);
        /// Emitted when the account's execution reverted.
        event UserOperationRevertReason(bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason);
        /// Emitted when the paymaster's `postOp` reverted.
        event PostOpRevertReason(bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason);
        /// Emitted when the prefund did not cover the actual gas cost.
        event UserOperationPrefundTooLow(bytes32 indexed userOpHash, address indexed sender, uint256 nonce);
        /// Emitted when a factory deployed an account.
        event AccountDeployed(bytes32 indexed userOpHash, address indexed sender, address factory, address paymaster);
        /// Emitted before the execution loop of a bundle.
        event BeforeExecution();
    }
}

/// Calldata of `EntryPoint.getUserOpHash(op)`.
pub fn get_user_op_hash_calldata(op: &Packed) -> Vec<u8> {
    IEntryPoint::getUserOpHashCall {
        userOp: op.clone().into(),
    }
    .abi_encode()
}

/// Calldata of `EntryPoint.handleOps(ops, beneficiary)`.
pub fn handle_ops_calldata(ops: &[Packed], beneficiary: Address) -> Vec<u8> {
    IEntryPoint::handleOpsCall {
        ops: ops.iter().cloned().map(Into::into).collect(),
        beneficiary,
    }
    .abi_encode()
}
