// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {TestRegistry} from "../src/TestRegistry.sol";

/// @notice The registry is exercised the way the devnet uses it: runtime code etched at the canonical address.
contract TestRegistryTest is Test {
    TestRegistry internal constant REGISTRY = TestRegistry(0x000000000069E2a187AEFFb852bF3cCdC95151B2);
    address internal account = makeAddr("account");
    address internal module = makeAddr("module");

    function setUp() public {
        vm.etch(address(REGISTRY), address(new TestRegistry()).code);
    }

    function test_selectorsMatchErc7484() public pure {
        assertEq(bytes4(keccak256("checkForAccount(address,address)")), bytes4(0x4c13560c));
        assertEq(bytes4(keccak256("checkForAccount(address,address,uint256)")), bytes4(0x529562a1));
        assertEq(TestRegistry.trustAttesters.selector, bytes4(0xf05c04e1));
        assertEq(TestRegistry.findTrustedAttesters.selector, bytes4(0xdd0fd278));
        assertEq(TestRegistry.RevokedAttestation.selector, bytes4(0x879943f8));
    }

    function test_trustAttestersSortsAndClampsThreshold() public {
        address[] memory attesters = new address[](3);
        attesters[0] = address(0x30);
        attesters[1] = address(0x10);
        attesters[2] = address(0x20);
        vm.prank(account);
        REGISTRY.trustAttesters(9, attesters);
        address[] memory found = REGISTRY.findTrustedAttesters(account);
        assertEq(found.length, 3);
        assertEq(found[0], address(0x10));
        assertEq(found[1], address(0x20));
        assertEq(found[2], address(0x30));
        assertEq(REGISTRY.trustedThreshold(account), 3);
        assertEq(REGISTRY.findTrustedAttesters(module).length, 0, "per account");
    }

    function test_checksPassForUnrevokedModules() public view {
        REGISTRY.check(module);
        REGISTRY.check(module, 1);
        REGISTRY.checkForAccount(account, module);
        REGISTRY.checkForAccount(account, module, 7);
        REGISTRY.check(module, new address[](0), 0);
        REGISTRY.check(module, 7, new address[](0), 0);
    }

    function test_revokedModuleFailsEveryCheck() public {
        REGISTRY.revoke(module);
        assertTrue(REGISTRY.isRevoked(module));
        bytes memory revoked = abi.encodeWithSelector(TestRegistry.RevokedAttestation.selector, module);
        vm.expectRevert(revoked);
        REGISTRY.checkForAccount(account, module);
        vm.expectRevert(revoked);
        REGISTRY.checkForAccount(account, module, 7);
        vm.expectRevert(revoked);
        REGISTRY.check(module, 2);
        vm.expectRevert(revoked);
        REGISTRY.check(module);
        REGISTRY.checkForAccount(account, makeAddr("other module"));
        REGISTRY.unrevoke(module);
        REGISTRY.checkForAccount(account, module);
    }

    function test_RevertWhen_attesterListEmpty() public {
        vm.expectRevert(TestRegistry.InvalidTrustedAttesterInput.selector);
        REGISTRY.trustAttesters(1, new address[](0));
    }

    function test_RevertWhen_attestersDuplicated() public {
        address[] memory attesters = new address[](3);
        attesters[0] = address(0x20);
        attesters[1] = address(0x10);
        attesters[2] = address(0x20);
        vm.expectRevert(TestRegistry.InvalidTrustedAttesterInput.selector);
        REGISTRY.trustAttesters(1, attesters);
    }

    function test_RevertWhen_attesterIsZero() public {
        address[] memory attesters = new address[](1);
        vm.expectRevert(TestRegistry.InvalidTrustedAttesterInput.selector);
        REGISTRY.trustAttesters(1, attesters);
    }

    function testFuzz_trustedAttestersAreSortedAndUnique(address[4] memory input) public {
        address[] memory attesters = new address[](4);
        bool bad;
        for (uint256 i; i < 4; ++i) {
            attesters[i] = input[i];
            if (input[i] == address(0)) bad = true;
            for (uint256 j; j < i; ++j) {
                if (input[j] == input[i]) bad = true;
            }
        }
        vm.prank(account);
        if (bad) {
            vm.expectRevert(TestRegistry.InvalidTrustedAttesterInput.selector);
            REGISTRY.trustAttesters(2, attesters);
            return;
        }
        REGISTRY.trustAttesters(2, attesters);
        address[] memory found = REGISTRY.findTrustedAttesters(account);
        assertEq(found.length, 4);
        for (uint256 i = 1; i < 4; ++i) {
            assertLt(uint160(found[i - 1]), uint160(found[i]));
        }
    }
}
