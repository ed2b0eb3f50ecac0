// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {IPaymaster} from "@account-abstraction/contracts/interfaces/IPaymaster.sol";
import {VerifyingPaymaster} from "../src/VerifyingPaymaster.sol";
import {UserOps} from "./utils/UserOps.sol";

/// @dev Records deposits like the EntryPoint's depositTo / balanceOf.
contract DepositRecorder {
    mapping(address => uint256) public balanceOf;

    function depositTo(address account) external payable {
        balanceOf[account] += msg.value;
    }
}

contract VerifyingPaymasterTest is Test {
    VerifyingPaymaster internal paymaster;
    DepositRecorder internal entryPoint;
    address internal signer;
    uint256 internal signerKey;
    uint48 internal constant UNTIL = 2_000_000_000;
    uint48 internal constant AFTER = 1_000;

    function setUp() public {
        entryPoint = new DepositRecorder();
        (signer, signerKey) = makeAddrAndKey("paymaster signer");
        paymaster = new VerifyingPaymaster(address(entryPoint), signer);
    }

    function _op() internal returns (PackedUserOperation memory op) {
        op = UserOps.make(makeAddr("account"), UserOps.executeSingle(address(7), 0, hex"1234"), hex"aa");
        op.nonce = 42;
        op.initCode = hex"beef";
        op.accountGasLimits = bytes32(uint256(100_000) << 128 | 50_000);
        op.preVerificationGas = 21_000;
        op.gasFees = bytes32(uint256(1 gwei) << 128 | 2 gwei);
        op.paymasterAndData =
            abi.encodePacked(address(paymaster), uint128(60_000), uint128(0), UNTIL, AFTER, new bytes(65));
    }

    /// @dev Signs `op` (whose paymasterData holds a placeholder signature) and returns it with the signature in place.
    function _signed(PackedUserOperation memory op, uint256 key) internal view returns (PackedUserOperation memory) {
        bytes32 hash = paymaster.getHash(op, UNTIL, AFTER);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, hash);
        op.paymasterAndData = abi.encodePacked(address(paymaster), uint128(60_000), uint128(0), UNTIL, AFTER, r, s, v);
        return op;
    }

    function _validate(PackedUserOperation memory op) internal returns (uint256 validationData) {
        vm.prank(address(entryPoint));
        bytes memory context;
        (context, validationData) = paymaster.validatePaymasterUserOp(op, bytes32(0), 1 ether);
        assertEq(context.length, 0, "no context, so no postOp");
    }

    function test_selectorsTheEntryPointCalls() public pure {
        assertEq(IPaymaster.validatePaymasterUserOp.selector, bytes4(0x52b7512c));
        assertEq(IPaymaster.postOp.selector, bytes4(0x7c627b21));
    }

    function test_signerApprovalSponsorsWithTheWindow() public {
        uint256 data = _validate(_signed(_op(), signerKey));
        assertEq(data & type(uint160).max, 0, "approved");
        assertEq(uint48(data >> 160), UNTIL);
        assertEq(uint48(data >> 208), AFTER);
    }

    function test_otherSignerOrStubFailsWithoutReverting() public {
        (, uint256 otherKey) = makeAddrAndKey("other");
        assertEq(_validate(_signed(_op(), otherKey)) & type(uint160).max, 1);
        assertEq(_validate(_op()) & type(uint160).max, 1, "placeholder signature");
    }

    function test_everySignedFieldMatters() public {
        PackedUserOperation memory op = _signed(_op(), signerKey);
        bytes32 base = paymaster.getHash(op, UNTIL, AFTER);
        PackedUserOperation memory changed = _signed(_op(), signerKey);
        changed.nonce = 43;
        assertTrue(paymaster.getHash(changed, UNTIL, AFTER) != base, "nonce");
        changed = _signed(_op(), signerKey);
        changed.callData = hex"00";
        assertTrue(paymaster.getHash(changed, UNTIL, AFTER) != base, "callData");
        changed = _signed(_op(), signerKey);
        changed.accountGasLimits = bytes32(uint256(1));
        assertTrue(paymaster.getHash(changed, UNTIL, AFTER) != base, "gas limits");
        changed = _signed(_op(), signerKey);
        changed.gasFees = bytes32(uint256(1));
        assertTrue(paymaster.getHash(changed, UNTIL, AFTER) != base, "fees");
        assertTrue(paymaster.getHash(op, UNTIL + 1, AFTER) != base, "window");
        // Raising the paymaster's own gas limit after signing voids the approval.
        assertEq(_validate(op) & type(uint160).max, 0, "unchanged op approved");
        op.paymasterAndData = bytes.concat(
            abi.encodePacked(address(paymaster), uint128(60_001), uint128(0)), _slice(op.paymasterAndData, 52)
        );
        assertEq(_validate(op) & type(uint160).max, 1);
        // The account's signature is not covered: a signed op stays approved when it changes.
        PackedUserOperation memory resigned = _signed(_op(), signerKey);
        resigned.signature = hex"bbbb";
        assertEq(_validate(resigned) & type(uint160).max, 0);
        vm.chainId(999);
        assertTrue(paymaster.getHash(resigned, UNTIL, AFTER) != base, "chain id");
    }

    function test_malformedDataReverts() public {
        PackedUserOperation memory op = _op();
        op.paymasterAndData = abi.encodePacked(address(paymaster), uint128(60_000), uint128(0), UNTIL);
        vm.prank(address(entryPoint));
        vm.expectRevert(abi.encodeWithSelector(VerifyingPaymaster.InvalidPaymasterData.selector, 6));
        paymaster.validatePaymasterUserOp(op, bytes32(0), 0);
    }

    function test_onlyTheEntryPointValidates() public {
        vm.expectRevert(abi.encodeWithSelector(VerifyingPaymaster.NotFromEntryPoint.selector, address(this)));
        paymaster.validatePaymasterUserOp(_op(), bytes32(0), 0);
    }

    function test_postOpIsNeverUsed() public {
        vm.expectRevert(VerifyingPaymaster.PostOpNotUsed.selector);
        paymaster.postOp(IPaymaster.PostOpMode.opSucceeded, "", 0, 0);
    }

    function test_depositGoesToTheEntryPoint() public {
        paymaster.deposit{value: 3 ether}();
        assertEq(entryPoint.balanceOf(address(paymaster)), 3 ether);
        assertEq(paymaster.getDeposit(), 3 ether);
    }

    function test_zeroAddressesAreRefused() public {
        vm.expectRevert(VerifyingPaymaster.ZeroAddress.selector);
        new VerifyingPaymaster(address(0), signer);
        vm.expectRevert(VerifyingPaymaster.ZeroAddress.selector);
        new VerifyingPaymaster(address(entryPoint), address(0));
    }

    function _slice(bytes memory data, uint256 from) internal pure returns (bytes memory out) {
        out = new bytes(data.length - from);
        for (uint256 i = 0; i < out.length; i++) {
            out[i] = data[from + i];
        }
    }
}
