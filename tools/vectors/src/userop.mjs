// userOpHash vectors: viem getUserOperationHash for EntryPoint v0.7.

import { entryPoint07Address, formatUserOperationRequest, getUserOperationHash } from 'viem/account-abstraction';

const U128_MAX = (1n << 128n) - 1n;
const FIELD_ORDER = [
  'sender', 'nonce', 'factory', 'factoryData', 'callData', 'callGasLimit', 'verificationGasLimit',
  'preVerificationGas', 'maxFeePerGas', 'maxPriorityFeePerGas', 'paymaster', 'paymasterVerificationGasLimit',
  'paymasterPostOpGasLimit', 'paymasterData', 'signature',
];

const DOC_A5_CALLDATA = '0xe9ae5c5300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000003811111111111111111111111111111111111111110000000000000000000000000000000000000000000000000000000000000000273ea3e30000000000000000';

export function userOpVectors(rng) {
  const gas = () => rng.pick([0n, 1n, 21000n, 100000n, 500000n, U128_MAX, rng.uint(128), BigInt(rng.u32())]);
  const cases = [{
    name: 'doc-a.5-reference',
    chainId: 31337,
    entryPoint: entryPoint07Address,
    expected: '0x631c3900e7181ae6d5cf1cdeb13c59a97f2f6aabdc5b704de6ab8410a3d8eb22',
    op: {
      sender: '0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb',
      nonce: 0x000000000000000071727de22e5e9d8baf0edac6f37da0340000000000000000n,
      callData: DOC_A5_CALLDATA,
      callGasLimit: 100000n,
      verificationGasLimit: 500000n,
      preVerificationGas: 50000n,
      maxFeePerGas: 2000000000n,
      maxPriorityFeePerGas: 1000000000n,
      signature: '0x',
    },
  }];
  const chainIds = [1, 10, 137, 8453, 31337, 84532, 11155111, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER];
  for (let k = 0; k < 40; k++) {
    const withFactory = k % 4 === 1 || k % 4 === 3;
    const withPaymaster = k % 4 >= 2;
    const op = {
      sender: rng.address(),
      nonce: rng.uint(256),
      callData: rng.hex(rng.pick([0, 4, 36, 100, rng.range(1, 600)])),
      callGasLimit: gas(),
      verificationGasLimit: gas(),
      preVerificationGas: rng.chance(0.2) ? rng.uint(256) : gas(),
      maxFeePerGas: gas(),
      maxPriorityFeePerGas: gas(),
      signature: rng.hex(rng.pick([0, 65, 85, rng.range(1, 300)])),
    };
    if (withFactory) {
      op.factory = rng.address();
      // An empty factoryData still puts the factory address into initCode (viem getInitCode).
      op.factoryData = k % 8 === 3 ? '0x' : rng.hex(rng.range(1, 400));
    }
    if (withPaymaster) {
      op.paymaster = rng.address();
      op.paymasterVerificationGasLimit = gas();
      op.paymasterPostOpGasLimit = gas();
      op.paymasterData = k % 8 === 2 ? '0x' : rng.hex(rng.range(1, 200));
    }
    cases.push({
      name: `random-${k}${withFactory ? '-factory' : ''}${withPaymaster ? '-paymaster' : ''}`,
      chainId: rng.pick(chainIds),
      entryPoint: k % 5 === 0 ? rng.address() : entryPoint07Address,
      op,
    });
  }
  return cases.map(({ name, chainId, entryPoint, op, expected }) => {
    const hash = getUserOperationHash({
      userOperation: op, entryPointAddress: entryPoint, entryPointVersion: '0.7', chainId,
    });
    if (expected && hash !== expected) throw new Error(`${name}: viem gives ${hash}, the doc says ${expected}`);
    const rpc = formatUserOperationRequest(op);
    const ordered = {};
    for (const key of FIELD_ORDER) if (key in rpc) ordered[key] = rpc[key];
    return { name, userOperation: ordered, entryPoint, chainId, hash };
  });
}
