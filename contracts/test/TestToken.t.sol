// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {TestToken} from "../src/TestToken.sol";

contract TestTokenTest is Test {
    TestToken internal token;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        token = new TestToken();
    }

    function test_mintIsOpenAndEmits() public {
        vm.expectEmit(address(token));
        emit TestToken.Transfer(address(0), alice, 100);
        vm.prank(bob);
        token.mint(alice, 100);
        assertEq(token.balanceOf(alice), 100);
        assertEq(token.totalSupply(), 100);
    }

    function test_transfer() public {
        token.mint(alice, 100);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 30));
        assertEq(token.balanceOf(alice), 70);
        assertEq(token.balanceOf(bob), 30);
    }

    function test_approveAndTransferFrom() public {
        token.mint(alice, 100);
        vm.prank(alice);
        vm.expectEmit(address(token));
        emit TestToken.Approval(alice, bob, 50);
        token.approve(bob, 50);
        vm.prank(bob);
        token.transferFrom(alice, bob, 20);
        assertEq(token.allowance(alice, bob), 30);
        assertEq(token.balanceOf(bob), 20);
    }

    function test_unlimitedAllowanceIsNotSpent() public {
        token.mint(alice, 100);
        vm.prank(alice);
        token.approve(bob, type(uint256).max);
        vm.prank(bob);
        token.transferFrom(alice, bob, 60);
        assertEq(token.allowance(alice, bob), type(uint256).max);
    }

    function test_RevertWhen_transferExceedsBalance() public {
        token.mint(alice, 10);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(TestToken.InsufficientBalance.selector, alice, 10, 11));
        token.transfer(bob, 11);
    }

    function test_RevertWhen_transferFromExceedsAllowance() public {
        token.mint(alice, 100);
        vm.prank(alice);
        token.approve(bob, 5);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(TestToken.InsufficientAllowance.selector, alice, bob, 5, 6));
        token.transferFrom(alice, bob, 6);
    }

    function test_RevertWhen_transferToZero() public {
        token.mint(alice, 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(TestToken.InvalidReceiver.selector, address(0)));
        token.transfer(address(0), 1);
    }

    function testFuzz_transferConservesSupply(uint256 minted, uint256 sent) public {
        minted = bound(minted, 0, type(uint128).max);
        sent = bound(sent, 0, minted);
        token.mint(alice, minted);
        vm.prank(alice);
        token.transfer(bob, sent);
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), token.totalSupply());
        assertEq(token.balanceOf(bob), sent);
    }
}
