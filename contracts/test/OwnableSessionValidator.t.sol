// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {OwnableSessionValidator} from "../src/OwnableSessionValidator.sol";

contract OwnableSessionValidatorTest is Test {
    OwnableSessionValidator internal validator;
    bytes32 internal constant HASH = keccak256("user operation hash");
    address[3] internal owners; // ascending
    uint256[3] internal keys;

    function setUp() public {
        validator = new OwnableSessionValidator();
        (address a, uint256 ka) = makeAddrAndKey("session key a");
        (address b, uint256 kb) = makeAddrAndKey("session key b");
        (address c, uint256 kc) = makeAddrAndKey("session key c");
        address[3] memory addrs = [a, b, c];
        uint256[3] memory ks = [ka, kb, kc];
        // Sort by numeric value.
        for (uint256 i; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (addrs[j] < addrs[i]) {
                    (addrs[i], addrs[j]) = (addrs[j], addrs[i]);
                    (ks[i], ks[j]) = (ks[j], ks[i]);
                }
            }
        }
        owners = addrs;
        keys = ks;
    }

    function _config(uint256 threshold) internal view returns (bytes memory) {
        address[] memory list = new address[](3);
        for (uint256 i; i < 3; ++i) list[i] = owners[i];
        return abi.encode(threshold, list);
    }

    function _personalSign(uint256 key, bytes32 hash) internal pure returns (bytes memory) {
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function test_selectorSmartSessionCalls() public view {
        assertEq(validator.validateSignatureWithData.selector, bytes4(0x940d3840));
    }

    function test_moduleType() public {
        assertTrue(validator.isModuleType(7));
        assertFalse(validator.isModuleType(1));
        validator.onInstall("");
        assertTrue(validator.isInitialized(address(this)));
        validator.onUninstall("");
    }

    function test_singleOwnerPersonalSign() public view {
        address[] memory one = new address[](1);
        one[0] = owners[1];
        bytes memory data = abi.encode(uint256(1), one);
        assertTrue(validator.validateSignatureWithData(HASH, _personalSign(keys[1], HASH), data));
        assertFalse(validator.validateSignatureWithData(HASH, _personalSign(keys[0], HASH), data));
    }

    function test_rawHashSignatureIsRejected() public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], HASH);
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(r, s, v), _config(1)));
    }

    function test_ethSignStyleVPlusFour() public view {
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", HASH));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[2], digest);
        assertTrue(validator.validateSignatureWithData(HASH, abi.encodePacked(r, s, v + 4), _config(1)));
    }

    function test_thresholdTwoInAnyOrder() public view {
        bytes memory ab = abi.encodePacked(_personalSign(keys[0], HASH), _personalSign(keys[2], HASH));
        bytes memory ba = abi.encodePacked(_personalSign(keys[2], HASH), _personalSign(keys[0], HASH));
        assertTrue(validator.validateSignatureWithData(HASH, ab, _config(2)));
        assertTrue(validator.validateSignatureWithData(HASH, ba, _config(2)));
    }

    function test_sameOwnerCountsOnce() public view {
        bytes memory sig = _personalSign(keys[0], HASH);
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(sig, sig), _config(2)));
    }

    function test_tooFewSignatures() public view {
        assertFalse(validator.validateSignatureWithData(HASH, _personalSign(keys[0], HASH), _config(2)));
    }

    function test_unsortedOrDuplicateOwnersFail() public view {
        bytes memory sig = _personalSign(keys[0], HASH);
        address[] memory unsorted = new address[](2);
        unsorted[0] = owners[1];
        unsorted[1] = owners[0];
        assertFalse(validator.validateSignatureWithData(HASH, sig, abi.encode(uint256(1), unsorted)));
        address[] memory duplicate = new address[](2);
        duplicate[0] = owners[0];
        duplicate[1] = owners[0];
        assertFalse(validator.validateSignatureWithData(HASH, sig, abi.encode(uint256(1), duplicate)));
    }

    function test_badThresholdFails() public view {
        bytes memory sig = _personalSign(keys[0], HASH);
        assertFalse(validator.validateSignatureWithData(HASH, sig, _config(0)));
        bytes memory three = abi.encodePacked(sig, _personalSign(keys[1], HASH), _personalSign(keys[2], HASH));
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(three, sig), _config(4)));
        assertTrue(validator.validateSignatureWithData(HASH, three, _config(3)));
    }

    function test_malformedInputReturnsFalseWithoutReverting() public view {
        bytes memory sig = _personalSign(keys[0], HASH);
        assertFalse(validator.validateSignatureWithData(HASH, sig, ""));
        assertFalse(validator.validateSignatureWithData(HASH, sig, hex"01"));
        assertFalse(validator.validateSignatureWithData(HASH, sig, abi.encode(uint256(1), uint256(64), uint256(2**200))));
        assertFalse(validator.validateSignatureWithData(HASH, sig, abi.encodePacked(_config(1), uint256(0))));
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(sig, hex"00"), _config(1)));
        assertFalse(validator.validateSignatureWithData(HASH, "", _config(1)));
        assertFalse(validator.validateSignatureWithData(HASH, new bytes(65), _config(1)));
    }

    function testFuzz_onlyTheSignedHashValidates(bytes32 hash, bytes32 otherHash) public view {
        vm.assume(hash != otherHash);
        bytes memory sig = _personalSign(keys[1], hash);
        assertTrue(validator.validateSignatureWithData(hash, sig, _config(1)));
        assertFalse(validator.validateSignatureWithData(otherHash, sig, _config(1)));
    }
}
