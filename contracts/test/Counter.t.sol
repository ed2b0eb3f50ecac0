// SPDX-License-Identifier: MIT
pragma solidity 0.8.23;

import {Test} from "forge-std/Test.sol";
import {Counter} from "../src/Counter.sol";

contract CounterTest is Test {
    Counter internal counter;

    function setUp() public {
        counter = new Counter();
    }

    function test_selectorOfIncrementNumber() public pure {
        assertEq(Counter.incrementNumber.selector, bytes4(0x273ea3e3));
    }

    function test_incrementNumber() public {
        counter.incrementNumber();
        counter.incrementNumber();
        assertEq(counter.number(), 2);
    }

    function test_setNumberThenIncrementBy() public {
        counter.setNumber(40);
        counter.incrementBy(2);
        assertEq(counter.number(), 42);
    }

    function test_depositKeepsEthAndIncrements() public {
        vm.deal(address(this), 1 ether);
        vm.expectEmit(address(counter));
        emit Counter.Deposited(address(this), 0.25 ether);
        counter.deposit{value: 0.25 ether}();
        assertEq(address(counter).balance, 0.25 ether);
        assertEq(counter.number(), 1);
    }

    function test_RevertWhen_incrementOverflows() public {
        counter.setNumber(type(uint256).max);
        vm.expectRevert(); // arithmetic overflow panic
        counter.incrementBy(1);
    }

    function test_RevertWhen_alwaysReverts() public {
        vm.expectRevert(abi.encodeWithSelector(Counter.CounterReverted.selector, address(this)));
        counter.alwaysReverts();
    }

    function test_RevertWhen_plainEthTransfer() public {
        vm.deal(address(this), 1 ether);
        (bool ok,) = address(counter).call{value: 1}("");
        assertFalse(ok, "Counter has no receive function");
    }

    function testFuzz_incrementBy(uint128 a, uint128 b) public {
        counter.incrementBy(a);
        counter.incrementBy(b);
        assertEq(counter.number(), uint256(a) + uint256(b));
    }
}
