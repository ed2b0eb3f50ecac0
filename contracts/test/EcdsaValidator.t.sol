// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {EcdsaValidator} from "../src/EcdsaValidator.sol";
import {UserOps} from "./utils/UserOps.sol";

contract EcdsaValidatorTest is Test {
    EcdsaValidator internal validator;
    address internal account = makeAddr("account");
    address internal owner;
    uint256 internal ownerKey;
    bytes32 internal constant HASH = keccak256("user operation hash");

    function setUp() public {
        validator = new EcdsaValidator();
        (owner, ownerKey) = makeAddrAndKey("owner");
        vm.prank(account);
        validator.onInstall(abi.encodePacked(owner));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _ethSigned(bytes32 hash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
    }

    function _validate(bytes memory signature) internal view returns (uint256) {
        PackedUserOperation memory op = UserOps.make(account, "", signature);
        return validator.validateUserOp(op, HASH);
    }

    function test_selectorsNexusCalls() public pure {
        assertEq(EcdsaValidator.validateUserOp.selector, bytes4(0x97003203));
        assertEq(EcdsaValidator.isValidSignatureWithSender.selector, bytes4(0xf551e2ee));
        assertEq(EcdsaValidator.onInstall.selector, bytes4(0x6d61fe70));
        assertEq(EcdsaValidator.onUninstall.selector, bytes4(0x8a91b0e3));
        assertEq(EcdsaValidator.isModuleType.selector, bytes4(0xecd05961));
        assertEq(EcdsaValidator.isInitialized.selector, bytes4(0xd60b347f));
    }

    function test_moduleTypeAndInitialisation() public {
        assertTrue(validator.isModuleType(1));
        assertFalse(validator.isModuleType(7));
        assertTrue(validator.isInitialized(account));
        assertEq(validator.ownerOf(account), owner);
        assertFalse(validator.isInitialized(makeAddr("other")));
    }

    function test_installWithAbiEncodedOwner() public {
        address other = makeAddr("other");
        vm.prank(other);
        validator.onInstall(abi.encode(owner));
        assertEq(validator.ownerOf(other), owner);
    }

    function test_acceptsEip191AndRawSignatures() public view {
        assertEq(_validate(_sign(ownerKey, _ethSigned(HASH))), 0);
        assertEq(_validate(_sign(ownerKey, HASH)), 0);
    }

    function test_wrongSignerReturnsOneWithoutReverting() public {
        (, uint256 otherKey) = makeAddrAndKey("intruder");
        assertEq(_validate(_sign(otherKey, _ethSigned(HASH))), 1);
    }

    function test_dummySignatureReturnsOne() public view {
        bytes memory dummy = new bytes(65);
        for (uint256 i; i < 65; ++i) dummy[i] = 0xff;
        assertEq(_validate(dummy), 1);
        assertEq(_validate(new bytes(65)), 1);
        assertEq(_validate(""), 1);
        assertEq(_validate(new bytes(64)), 1);
    }

    function test_rejectsHighS() public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, HASH);
        bytes32 highS = bytes32(SECP256K1_ORDER - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        // The malleable twin recovers the same address with plain ecrecover ...
        assertEq(ecrecover(HASH, flippedV, r, highS), owner);
        // ... but the validator refuses it.
        assertEq(_validate(abi.encodePacked(r, highS, flippedV)), 1);
    }

    function test_uninstalledAccountFails() public {
        bytes memory signature = _sign(ownerKey, HASH);
        vm.prank(account);
        validator.onUninstall("");
        assertFalse(validator.isInitialized(account));
        assertEq(_validate(signature), 1);
    }

    function test_erc1271ForTheCallingAccount() public {
        bytes memory good = _sign(ownerKey, _ethSigned(HASH));
        vm.prank(account);
        assertEq(validator.isValidSignatureWithSender(address(this), HASH, good), bytes4(0x1626ba7e));
        vm.prank(account);
        assertEq(validator.isValidSignatureWithSender(address(this), HASH, _sign(ownerKey, HASH)), bytes4(0x1626ba7e));
        vm.prank(makeAddr("not installed"));
        assertEq(validator.isValidSignatureWithSender(address(this), HASH, good), bytes4(0xffffffff));
        vm.prank(account);
        assertEq(
            validator.isValidSignatureWithSender(address(this), keccak256("other"), good), bytes4(0xffffffff)
        );
    }

    function test_RevertWhen_installedTwice() public {
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(EcdsaValidator.AlreadyInitialized.selector, account));
        validator.onInstall(abi.encodePacked(owner));
    }

    function test_RevertWhen_installDataMalformed() public {
        address other = makeAddr("other");
        bytes memory tooShort = hex"1234";
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(EcdsaValidator.InvalidInstallData.selector, tooShort));
        validator.onInstall(tooShort);

        bytes memory dirtyWord = abi.encode(type(uint256).max);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(EcdsaValidator.InvalidInstallData.selector, dirtyWord));
        validator.onInstall(dirtyWord);
    }

    function test_RevertWhen_ownerIsZero() public {
        vm.prank(makeAddr("other"));
        vm.expectRevert(EcdsaValidator.InvalidOwner.selector);
        validator.onInstall(abi.encodePacked(address(0)));
    }

    function testFuzz_ownerSignatureValidatesAnyHash(uint256 keySeed, bytes32 hash) public {
        uint256 key = bound(keySeed, 1, SECP256K1_ORDER - 1);
        address signer = vm.addr(key);
        address other = makeAddr("fuzz account");
        vm.prank(other);
        validator.onInstall(abi.encodePacked(signer));
        PackedUserOperation memory op = UserOps.make(other, "", _sign(key, _ethSigned(hash)));
        assertEq(validator.validateUserOp(op, hash), 0);
        op.signature = _sign(key, keccak256(abi.encode(hash)));
        assertEq(validator.validateUserOp(op, hash), 1);
    }
}
