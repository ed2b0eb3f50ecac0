// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {RawHashSessionValidator} from "../src/RawHashSessionValidator.sol";
import {OwnableSessionValidator} from "../src/OwnableSessionValidator.sol";

/// The current OwnableValidator's rule: raw hash with v 27/28, EIP-191 with v + 4; and how the three
/// session-key signature styles fare on both fixture validators.
contract RawHashSessionValidatorTest is Test {
    RawHashSessionValidator internal validator;
    OwnableSessionValidator internal eip191;
    bytes32 internal constant HASH = keccak256("user operation hash");
    address internal owner;
    uint256 internal key;
    address internal other;
    uint256 internal otherKey;

    function setUp() public {
        validator = new RawHashSessionValidator();
        eip191 = new OwnableSessionValidator();
        (owner, key) = makeAddrAndKey("session key");
        (other, otherKey) = makeAddrAndKey("another key");
    }

    function _config(address who) internal pure returns (bytes memory) {
        address[] memory one = new address[](1);
        one[0] = who;
        return abi.encode(uint256(1), one);
    }

    function _personalDigest(bytes32 hash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
    }

    /// EIP-191 with v 27/28: the old OwnableValidator's (and abstractjs 1.2.3's) style.
    function _eip191(uint256 k, bytes32 hash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(k, _personalDigest(hash));
        return abi.encodePacked(r, s, v);
    }

    /// EIP-191 with v raised by 4 (31/32).
    function _eip191PlusFour(uint256 k, bytes32 hash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(k, _personalDigest(hash));
        return abi.encodePacked(r, s, v + 4);
    }

    /// ECDSA over the raw hash, v 27/28.
    function _raw(uint256 k, bytes32 hash) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(k, hash);
        return abi.encodePacked(r, s, v);
    }

    function test_selectorAndModuleType() public {
        assertEq(validator.validateSignatureWithData.selector, bytes4(0x940d3840));
        assertTrue(validator.isModuleType(7));
        assertFalse(validator.isModuleType(1));
        validator.onInstall("");
        assertTrue(validator.isInitialized(address(this)));
    }

    function test_rawHashSignatureValidates() public view {
        assertTrue(validator.validateSignatureWithData(HASH, _raw(key, HASH), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, _raw(otherKey, HASH), _config(owner)));
    }

    function test_vPlusFourIsEip191() public view {
        assertTrue(validator.validateSignatureWithData(HASH, _eip191PlusFour(key, HASH), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, _eip191PlusFour(otherKey, HASH), _config(owner)));
    }

    function test_plainEip191IsRefused() public view {
        // Recovered from the raw hash, a personal_sign signature names some other address.
        assertFalse(validator.validateSignatureWithData(HASH, _eip191(key, HASH), _config(owner)));
    }

    function test_zeroOneVAndOutOfRangeV() public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, HASH);
        assertTrue(validator.validateSignatureWithData(HASH, abi.encodePacked(r, s, v - 27), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(r, s, uint8(33)), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(r, s, uint8(29)), _config(owner)));
    }

    /// The matrix the devnet's e2e tests prove on-chain: which style lands on which validator.
    function test_styleMatrixOnBothFixtures() public view {
        bytes memory cfg = _config(owner);
        // Old rule (OwnableSessionValidator): EIP-191 v 27/28 and v + 4 accepted, raw refused.
        assertTrue(eip191.validateSignatureWithData(HASH, _eip191(key, HASH), cfg));
        assertTrue(eip191.validateSignatureWithData(HASH, _eip191PlusFour(key, HASH), cfg));
        assertFalse(eip191.validateSignatureWithData(HASH, _raw(key, HASH), cfg));
        // Current rule (RawHashSessionValidator): raw and v + 4 accepted, EIP-191 v 27/28 refused.
        assertFalse(validator.validateSignatureWithData(HASH, _eip191(key, HASH), cfg));
        assertTrue(validator.validateSignatureWithData(HASH, _eip191PlusFour(key, HASH), cfg));
        assertTrue(validator.validateSignatureWithData(HASH, _raw(key, HASH), cfg));
    }

    function test_thresholdTwoMixesStyles() public view {
        address[] memory two = new address[](2);
        (two[0], two[1]) = owner < other ? (owner, other) : (other, owner);
        bytes memory cfg = abi.encode(uint256(2), two);
        bytes memory sig = abi.encodePacked(_raw(key, HASH), _eip191PlusFour(otherKey, HASH));
        assertTrue(validator.validateSignatureWithData(HASH, sig, cfg));
        bytes memory same = abi.encodePacked(_raw(key, HASH), _eip191PlusFour(key, HASH));
        assertFalse(validator.validateSignatureWithData(HASH, same, cfg), "one owner counts once");
    }

    function test_malformedInputReturnsFalse() public view {
        bytes memory sig = _raw(key, HASH);
        assertFalse(validator.validateSignatureWithData(HASH, sig, ""));
        assertFalse(validator.validateSignatureWithData(HASH, abi.encodePacked(sig, hex"00"), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, new bytes(65), _config(owner)));
        assertFalse(validator.validateSignatureWithData(HASH, "", _config(owner)));
    }

    function testFuzz_onlyTheSignedHashValidates(bytes32 hash, bytes32 otherHash) public view {
        vm.assume(hash != otherHash);
        assertTrue(validator.validateSignatureWithData(hash, _raw(key, hash), _config(owner)));
        assertFalse(validator.validateSignatureWithData(otherHash, _raw(key, hash), _config(owner)));
        assertTrue(validator.validateSignatureWithData(hash, _eip191PlusFour(key, hash), _config(owner)));
        assertFalse(validator.validateSignatureWithData(otherHash, _eip191PlusFour(key, hash), _config(owner)));
    }
}
