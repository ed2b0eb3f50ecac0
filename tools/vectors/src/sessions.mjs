// Smart Sessions vectors: ids, policies, validator init data, signatures, EIP-712 digests, install data.
// Each SmartSession version is encoded with the module-sdk release of its era:
//   pre-v1            -> @rhinestone/module-sdk 0.1.28 (FastLZ-compressed USE, old EIP-712 types)
//   v1                -> @rhinestone/module-sdk 0.2.3  (SmartSession v1.0.0)
//   v1-registry-free  -> @rhinestone/module-sdk 0.4.0  (SmartSession main, registry removed)

import * as sdk01 from 'module-sdk-0.1';
import * as sdk02 from 'module-sdk-0.2';
import * as sdk04 from 'module-sdk-0.4';
import solady from 'solady';
import { prng } from './prng.mjs';
import {
  concat as hexConcat, encodeAbiParameters, getAddress, encodePacked, hashStruct, keccak256, pad, size, slice, toHex as numToHex,
} from 'viem';

const { LibZip } = solady;

export const VERSIONS = {
  'pre-v1': { sdk: sdk01, sdkVersion: '@rhinestone/module-sdk@0.1.28', v1: false },
  v1: { sdk: sdk02, sdkVersion: '@rhinestone/module-sdk@0.2.3', v1: true },
  'v1-registry-free': { sdk: sdk04, sdkVersion: '@rhinestone/module-sdk@0.4.0', v1: true },
};

export const MODES = { ENABLE: '0x01', UNSAFE_ENABLE: '0x02' };
const MODE_NAMES = { '0x00': 'use', '0x01': 'enable', '0x02': 'unsafe-enable' };
const FALLBACK_TARGET = '0x0000000000000000000000000000000000000001';

// EIP-712 struct types of the per-chain session digest (smart-sessions-onchain.md §8.3). module-sdk only
// reads the digest from the contract (`getSessionDigest`), so the per-chain digest is computed here with
// viem `hashStruct`; the generator checks it against module-sdk's `hashChainSessions` (see digestCase).
const POLICY = [{ name: 'policy', type: 'address' }, { name: 'initData', type: 'bytes' }];
const ACTION = [
  { name: 'actionTargetSelector', type: 'bytes4' },
  { name: 'actionTarget', type: 'address' },
  { name: 'actionPolicies', type: 'PolicyData[]' },
];
const TYPES_PRE_V1 = {
  PolicyData: POLICY,
  ActionData: ACTION,
  ERC7739Data: [
    { name: 'allowedERC7739Content', type: 'string[]' },
    { name: 'erc1271Policies', type: 'PolicyData[]' },
  ],
  SessionEIP712: [
    { name: 'account', type: 'address' },
    { name: 'smartSession', type: 'address' },
    { name: 'mode', type: 'uint8' },
    { name: 'sessionValidator', type: 'address' },
    { name: 'salt', type: 'bytes32' },
    { name: 'sessionValidatorInitData', type: 'bytes' },
    { name: 'userOpPolicies', type: 'PolicyData[]' },
    { name: 'erc7739Policies', type: 'ERC7739Data' },
    { name: 'actions', type: 'ActionData[]' },
    { name: 'nonce', type: 'uint256' },
  ],
};
const TYPES_V1 = {
  PolicyData: POLICY,
  ActionData: ACTION,
  ERC7739Context: [
    { name: 'appDomainSeparator', type: 'bytes32' },
    { name: 'contentName', type: 'string[]' },
  ],
  ERC7739Data: [
    { name: 'allowedERC7739Content', type: 'ERC7739Context[]' },
    { name: 'erc1271Policies', type: 'PolicyData[]' },
  ],
  SignedPermissions: [
    { name: 'permitGenericPolicy', type: 'bool' },
    { name: 'permitAdminAccess', type: 'bool' },
    { name: 'ignoreSecurityAttestations', type: 'bool' },
    { name: 'permitERC4337Paymaster', type: 'bool' },
    { name: 'userOpPolicies', type: 'PolicyData[]' },
    { name: 'erc7739Policies', type: 'ERC7739Data' },
    { name: 'actions', type: 'ActionData[]' },
  ],
  SignedSession: [
    { name: 'account', type: 'address' },
    { name: 'permissions', type: 'SignedPermissions' },
    { name: 'sessionValidator', type: 'address' },
    { name: 'sessionValidatorInitData', type: 'bytes' },
    { name: 'salt', type: 'bytes32' },
    { name: 'smartSession', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
};
const CHAIN_TYPEHASH = {
  false: keccak256(new TextEncoder().encode(
    'ChainSessionEIP712(uint64 chainId,SessionEIP712 session)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Data(string[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SessionEIP712(address account,address smartSession,uint8 mode,address sessionValidator,bytes32 salt,bytes sessionValidatorInitData,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions,uint256 nonce)')),
  true: keccak256(new TextEncoder().encode(
    'ChainSession(uint64 chainId,SignedSession session)ActionData(bytes4 actionTargetSelector,address actionTarget,PolicyData[] actionPolicies)ERC7739Context(bytes32 appDomainSeparator,string[] contentName)ERC7739Data(ERC7739Context[] allowedERC7739Content,PolicyData[] erc1271Policies)PolicyData(address policy,bytes initData)SignedPermissions(bool permitGenericPolicy,bool permitAdminAccess,bool ignoreSecurityAttestations,bool permitERC4337Paymaster,PolicyData[] userOpPolicies,ERC7739Data erc7739Policies,ActionData[] actions)SignedSession(address account,SignedPermissions permissions,address sessionValidator,bytes sessionValidatorInitData,bytes32 salt,address smartSession,uint256 nonce)')),
};
if (CHAIN_TYPEHASH.false !== '0x9c5d301c45209fe15c8bb85bc08d4234ac9e1d48c0d22b7ab701ae25e640086b'
  || CHAIN_TYPEHASH.true !== '0x1ea7e4bc398fa0ccd68d92b5d8931a3fd93eebe1cf0391b4ba28935801af7c80') {
  throw new Error('chain typehash does not match smart-sessions-onchain.md §8.3');
}
const MULTICHAIN_TYPEHASH = {
  false: '0x9af9262be547d4cc9dd06591bab37efd72d2b9d5fca173afd326b5b5410dac18',
  true: '0x0c9d02fb89a1da34d66ea2088dc9ee6a58efee71cef6f1bb849ed74fc6003d98',
};
const DOMAIN_SEPARATOR = '0x057501e891776d1482927e5f094ae44049a4d893ba2d7b334dd7db8d38d3a0e1';

// ---------------------------------------------------------------------------------------------------------
// Random sessions

const STRINGS = [
  'Permit(address owner)', 'Mail(address to,string contents)', '', 'x', 'Ünïcödé ✓ 🚀',
  'TransferWithAuthorization(address from,address to,uint256 value)', 'a'.repeat(70),
];

function randomPolicy(rng) {
  const initData = rng.pick([
    () => '0x',
    () => rng.hex(rng.range(1, 40)),
    () => rng.hex(32),
    () => rng.hex(rng.range(33, 200)),
  ])();
  return { policy: rng.address(), initData };
}

const policies = (rng, max) => Array.from({ length: rng.int(max + 1) }, () => randomPolicy(rng));

function randomAction(rng, v1) {
  const roll = rng.int(10);
  let actionTarget = rng.address();
  let actionTargetSelector = rng.hex(4);
  if (roll === 0) { actionTarget = FALLBACK_TARGET; actionTargetSelector = '0x00000001'; }
  if (roll === 1 && v1) { actionTarget = FALLBACK_TARGET; actionTargetSelector = '0x00000002'; }
  if (roll === 2) actionTargetSelector = '0xffffffff';
  return { actionTargetSelector, actionTarget, actionPolicies: policies(rng, 3) };
}

/** A random session in module-sdk field names for a pre-v1 (`v1 = false`) or v1 struct. */
export function randomSession(rng, v1) {
  const strings = () => Array.from({ length: rng.int(4) }, () => rng.pick(STRINGS));
  const session = {
    sessionValidator: rng.address(),
    sessionValidatorInitData: rng.chance(0.5)
      ? encodeAbiParameters([{ type: 'uint256' }, { type: 'address[]' }],
        [BigInt(rng.range(1, 3)), Array.from({ length: rng.range(1, 3) }, () => rng.address())])
      : rng.hex(rng.int(90)),
    salt: rng.chance(0.3) ? pad(numToHex(rng.range(0, 20)), { size: 32 }) : rng.hex(32),
    userOpPolicies: policies(rng, 3),
    erc7739Policies: {
      allowedERC7739Content: v1
        ? Array.from({ length: rng.int(3) }, () => ({ appDomainSeparator: rng.hex(32), contentName: strings() }))
        : strings(),
      erc1271Policies: policies(rng, 2),
    },
    actions: Array.from({ length: rng.int(4) }, () => randomAction(rng, v1)),
  };
  if (v1) session.permitERC4337Paymaster = rng.chance(0.5);
  return session;
}

// ---------------------------------------------------------------------------------------------------------
// Doc sessions (smart-sessions-onchain.md §20)

const OWNABLE_VALIDATOR = '0x2483DA3A338895199E5e538530213157e931Bf06';
const SESSION_KEY = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const initDataFor = (owners) => sdk01.encodeValidationData({ threshold: 1, owners: owners.map((o) => o.toLowerCase()) });

export function docSessionA(v1) {
  const s = {
    sessionValidator: OWNABLE_VALIDATOR,
    sessionValidatorInitData: initDataFor(['0x1111111111111111111111111111111111111111']),
    salt: pad('0x01', { size: 32 }),
    userOpPolicies: [{ policy: '0x3333333333333333333333333333333333333333', initData: '0x1234' }],
    erc7739Policies: {
      allowedERC7739Content: v1
        ? [{ appDomainSeparator: `0x${'ab'.repeat(32)}`, contentName: ['Permit(address owner)'] }]
        : ['Permit(address owner)'],
      erc1271Policies: [],
    },
    actions: [{
      actionTargetSelector: '0xa9059cbb',
      actionTarget: '0x4444444444444444444444444444444444444444',
      actionPolicies: [{ policy: '0x3333333333333333333333333333333333333333', initData: '0x' }],
    }],
  };
  if (v1) s.permitERC4337Paymaster = false;
  return s;
}

function docSessionB(validator, policy, salt) {
  return {
    sessionValidator: validator,
    sessionValidatorInitData: initDataFor([SESSION_KEY]),
    salt: pad(salt, { size: 32 }),
    userOpPolicies: [],
    erc7739Policies: { allowedERC7739Content: [], erc1271Policies: [] },
    actions: [{
      actionTargetSelector: '0x273ea3e3',
      actionTarget: '0x1111111111111111111111111111111111111111',
      actionPolicies: [{ policy, initData: '0x' }],
    }],
  };
}
const SUDO_PRE_V1 = '0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6';
const MOCK_VALIDATOR = '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707';
const MOCK_POLICY = '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9';
const MODULEKIT_SMART_SESSION = '0x0000000071727De22e5E9D8bAF0EDAc6F37da034';
const DOC_ACCOUNT = '0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb';

function expectEq(actual, expected, what) {
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new Error(`${what}: reference JS gives ${actual}, the doc says ${expected}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Digests

/** Derived v1 permission flags (smart-sessions-onchain.md §8.5); module-sdk takes them as caller input. */
function v1Flags(session, mode) {
  const has = (sel) => session.actions.some(
    (a) => a.actionTarget.toLowerCase() === FALLBACK_TARGET && a.actionTargetSelector.toLowerCase() === sel);
  return {
    permitGenericPolicy: has('0x00000001'),
    permitAdminAccess: has('0x00000002'),
    ignoreSecurityAttestations: mode === MODES.UNSAFE_ENABLE,
  };
}

/** The module-sdk `hashChainSessions` entry for one chain. */
function chainSessionEntry(version, { session, account, smartSession, mode, nonce, chainId }) {
  const { v1 } = VERSIONS[version];
  if (!v1) {
    return { chainId, session: { ...session, account, smartSession, mode: Number(mode), nonce } };
  }
  return {
    chainId,
    session: {
      ...session,
      permissions: {
        ...v1Flags(session, mode),
        permitERC4337Paymaster: session.permitERC4337Paymaster,
        userOpPolicies: session.userOpPolicies,
        erc7739Policies: session.erc7739Policies,
        actions: session.actions,
      },
      account,
      smartSession,
      nonce,
    },
  };
}

/** Per-chain session digest (= on-chain getSessionDigest) via viem hashStruct. */
function sessionDigest(version, input) {
  const { v1 } = VERSIONS[version];
  const { session } = chainSessionEntry(version, input);
  return hashStruct({
    types: v1 ? TYPES_V1 : TYPES_PRE_V1,
    primaryType: v1 ? 'SignedSession' : 'SessionEIP712',
    data: session,
  });
}

/** Multichain hash from digests only (smart-sessions-onchain.md §8.1 step 3), the way the contract does it. */
function multichainFromDigests(v1, digests) {
  const entries = digests.map(({ chainId, sessionDigest: d }) => keccak256(encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'bytes32' }], [CHAIN_TYPEHASH[v1], chainId, d])));
  const structHash = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }],
    [MULTICHAIN_TYPEHASH[v1], keccak256(entries.length ? hexConcat(entries) : '0x')]));
  return keccak256(hexConcat(['0x1901', DOMAIN_SEPARATOR, structHash]));
}

/**
 * Digest of every chain plus the multichain hash from module-sdk `hashChainSessions`. Throws unless the
 * contract-style recomputation from the digests equals module-sdk's hash, which ties the viem struct types
 * above to the ones module-sdk uses.
 */
function multichain(version, inputs) {
  const { sdk, v1 } = VERSIONS[version];
  const chainDigests = inputs.map((input) => ({ chainId: input.chainId, sessionDigest: sessionDigest(version, input) }));
  const hash = sdk.hashChainSessions(inputs.map((input) => chainSessionEntry(version, input)));
  expectEq(multichainFromDigests(v1, chainDigests), hash, `${version} multichain hash from digests`);
  return { chainDigests, hash };
}

// ---------------------------------------------------------------------------------------------------------
// Vector files

const CHAIN_IDS = [1n, 10n, 137n, 8453n, 31337n, 84532n, 11155111n, 18446744073709551615n];
const randomNonce = (rng) => rng.pick([0n, 1n, 2n, BigInt(rng.u32()), rng.uint(256)]);

/** All session-related vector files. Each file draws from its own seeded PRNG, so changing one file's
 * cases does not reshuffle the others. */
export async function sessionVectors(seed) {
  const rng = (k) => prng(seed + k);
  const out = {};
  const abiSamples = [];
  out.permission_ids = permissionIds(rng(1));
  out.action_ids = await actionIds(rng(2));
  out.config_ids = configIds(rng(3));
  out.policies = policyVectors(rng(4));
  out.validator_init_data = validatorInitData(rng(5));
  out.signatures = signatures(rng(6), abiSamples);
  out.session_digests = sessionDigests(rng(7));
  out.multichain_hashes = multichainHashes(rng(8));
  out.install_data = installData(rng(9), abiSamples);
  return { files: out, abiSamples };
}

function permissionIds(rng) {
  // Same formula in every version: checked against all three module-sdks.
  const cases = [
    { name: 'doc-20.1-session-a', session: docSessionA(false), expected: '0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b' },
    { name: 'doc-20.3-session-b', session: docSessionB(OWNABLE_VALIDATOR, SUDO_PRE_V1, '0x01'), expected: '0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957' },
    { name: 'doc-20.4-mock-validator', session: docSessionB(MOCK_VALIDATOR, MOCK_POLICY, '0x01'), expected: '0x401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372' },
    { name: 'doc-20.5-enable', session: docSessionB(MOCK_VALIDATOR, MOCK_POLICY, '0x0b'), expected: '0x70c718876b4eaa85d283fea2e742cb09ed256bfbfe8a785b2d417aeadf0b8cd0' },
    { name: 'doc-20.5-unsafe-enable', session: docSessionB(MOCK_VALIDATOR, MOCK_POLICY, '0x0c'), expected: '0x72c92ae58d4932059488984fcd9e2a94c164e86aa90dd22e954d128e132fa376' },
  ];
  cases.push({ name: 'empty-init-data-zero-salt', session: { ...docSessionA(false), sessionValidatorInitData: '0x', salt: pad('0x00', { size: 32 }) } });
  for (let k = 0; k < 30; k++) cases.push({ name: `random-${k}`, session: randomSession(rng, k % 2 === 1) });
  return cases.map(({ name, session, expected }) => {
    const ids = Object.values(VERSIONS).map(({ sdk }) => sdk.getPermissionId({ session }));
    if (new Set(ids).size !== 1) throw new Error(`permission id differs between module-sdk versions: ${name}`);
    if (expected) expectEq(ids[0], expected, `permission id ${name}`);
    return {
      name,
      sessionValidator: session.sessionValidator,
      sessionValidatorInitData: session.sessionValidatorInitData,
      salt: session.salt,
      permissionId: ids[0],
    };
  });
}

async function actionIds(rng) {
  const targets = [
    ['doc-15.2', '0x1111111111111111111111111111111111111111', '0x273ea3e3', '0x5925bd5bd51b40f14e7ad7ba583e31e71a0200ad8bb32da4df0dd2d5b8bd22d9'],
    ['fallback', FALLBACK_TARGET, '0x00000001', '0xd884b6afa19f8ace90a388daca691e4e28f20cdac5aeefd46ad8bd1c074d28cf'],
    ['fallback-smartsession-call', FALLBACK_TARGET, '0x00000002', '0x986126569d6396d837d7adeb3ca726199afaf83546f38726e6f331bb92d8e9d6'],
    ['value-selector', rng.address(), '0xffffffff'],
    ['zero', '0x0000000000000000000000000000000000000000', '0x00000000'],
  ];
  for (let k = 0; k < 20; k++) targets.push([`random-${k}`, rng.address(), rng.hex(4)]);
  const byTarget = [];
  for (const [name, target, selector, expected] of targets) {
    const ids = await Promise.all(Object.values(VERSIONS).map(({ sdk }) => sdk.getActionId({ target, selector })));
    if (new Set(ids).size !== 1) throw new Error(`action id differs between module-sdk versions: ${name}`);
    if (expected) expectEq(ids[0], expected, `action id ${name}`);
    byTarget.push({ name, target, selector, actionId: ids[0] });
  }
  // actionId of an execution: the selector is callData[0:4], or 0xFFFFFFFF when callData is shorter
  // (SmartSession VALUE_SELECTOR rule). module-sdk has no helper for this; getActionId is fed the selector.
  const forCall = [];
  for (let k = 0; k < 16; k++) {
    const target = rng.address();
    const callData = rng.hex(k < 6 ? k : rng.range(4, 100));
    const selector = size(callData) >= 4 ? slice(callData, 0, 4) : '0xffffffff';
    forCall.push({ name: `call-${k}`, target, callData, actionId: await sdk04.getActionId({ target, selector }) });
  }
  return { byTarget, forCall };
}

function configIds(rng) {
  // Policy storage keys (smart-sessions-onchain.md §4), computed with viem from the contract formulas;
  // module-sdk has no helper for them.
  const out = [];
  for (let k = 0; k < 12; k++) {
    const account = rng.address();
    const permissionId = rng.hex(32);
    const actionId = rng.hex(32);
    const packed = (types, values) => keccak256(encodePacked(types, values));
    out.push({
      name: `random-${k}`,
      account,
      permissionId,
      actionId,
      userOpConfigId: packed(['address', 'bytes32'], [account, permissionId]),
      actionConfigId: packed(['address', 'bytes32'], [account, packed(['bytes32', 'bytes32'], [permissionId, actionId])]),
      erc1271ConfigId: packed(['address', 'bytes32'], [account, packed(['string', 'bytes32'], ['ERC1271: ', permissionId])]),
    });
  }
  return out;
}

function policyVectors(rng) {
  const out = { sudo: [], timeFrame: [], usageLimit: [], valueLimit: [], spendingLimits: [], universalAction: [] };
  const u48 = () => rng.pick([0, 1, 1735689600, 2 ** 48 - 1, rng.u32()]);
  for (const [version, { sdk, sdkVersion }] of Object.entries(VERSIONS)) {
    const sudo = sdk.getSudoPolicy();
    out.sudo.push({ version, sdkVersion, policy: sudo.policy, initData: sudo.initData });

    // The policy requires validAfter <= validUntil unless validUntil = 0 (no expiry).
    const frames = [[1735689600, 0], [0, 1735689600], [2 ** 48 - 1, 2 ** 48 - 1]];
    for (let k = 0; k < 5; k++) {
      const [a, b] = [u48(), u48()];
      frames.push([Math.max(a, b), Math.min(a, b)]);
    }
    for (const [validUntil, validAfter] of frames) {
      const p = sdk.getTimeFramePolicy({ validUntil, validAfter });
      out.timeFrame.push({ version, sdkVersion, validUntil, validAfter, encoding: size(p.initData) === 12 ? 'uint48-packed' : 'uint128-packed', policy: p.policy, initData: p.initData });
    }
    for (const limit of [10n, 0n, 1n, (1n << 128n) - 1n, rng.uint(128), rng.uint(128)]) {
      const p = sdk.getUsageLimitPolicy({ limit });
      // module-sdk encodes 0, but the policy rejects a zero limit on install.
      out.usageLimit.push({ version, sdkVersion, limit: limit.toString(), contractValid: limit !== 0n, policy: p.policy, initData: p.initData });
    }
    for (const limit of [10n ** 18n, 0n, (1n << 256n) - 1n, rng.uint(256), rng.uint(256)]) {
      const p = sdk.getValueLimitPolicy({ limit });
      out.valueLimit.push({ version, sdkVersion, limit: limit.toString(), policy: p.policy, initData: p.initData });
    }
    const limitSets = [[{ token: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', limit: 10n ** 18n }]];
    for (let k = 0; k < 4; k++) {
      limitSets.push(Array.from({ length: rng.range(1, 5) }, () => ({ token: rng.address(), limit: rng.uint(256) || 1n })));
    }
    for (const limits of limitSets) {
      const p = sdk.getSpendingLimitsPolicy(limits);
      out.spendingLimits.push({
        version, sdkVersion, limits: limits.map(({ token, limit }) => ({ token, limit: limit.toString() })), policy: p.policy, initData: p.initData,
      });
    }
    const configs = [{
      name: 'doc-15.7', valueLimitPerUse: 0n,
      rules: [{ condition: 0, offset: 0n, isLimited: false, ref: pad(SESSION_KEY.toLowerCase(), { size: 32 }), usage: { limit: 0n, used: 0n } }],
    }, { name: 'no-rules', valueLimitPerUse: rng.uint(256), rules: [] }];
    for (let k = 0; k < 5; k++) {
      configs.push({
        name: `random-${k}`,
        valueLimitPerUse: rng.uint(256),
        rules: Array.from({ length: k === 4 ? 16 : rng.range(1, 6) }, () => {
          const condition = rng.int(7);
          // IN_RANGE packs uint128 min << 128 | max and needs min <= max.
          let ref = rng.hex(32);
          if (condition === 6) {
            const [a, b] = [rng.uint(128), rng.uint(128)];
            ref = pad(numToHex(((a < b ? a : b) << 128n) | (a < b ? b : a)), { size: 32 });
          }
          return {
            condition,
            offset: BigInt(rng.pick([0, 32, 64, 4, rng.u32()])),
            isLimited: rng.chance(0.5),
            ref,
            usage: { limit: rng.uint(256), used: rng.chance(0.7) ? 0n : rng.uint(256) },
          };
        }),
      });
    }
    for (const { name, valueLimitPerUse, rules } of configs) {
      const padded = [...rules];
      while (padded.length < 16) {
        padded.push({ condition: 0, offset: 0n, isLimited: false, ref: pad('0x00', { size: 32 }), usage: { limit: 0n, used: 0n } });
      }
      const p = sdk.getUniversalActionPolicy({ valueLimitPerUse, paramRules: { length: BigInt(rules.length), rules: padded } });
      if (size(p.initData) !== 3136) throw new Error('universal action init data is not 3136 bytes');
      out.universalAction.push({
        version, sdkVersion, name,
        valueLimitPerUse: valueLimitPerUse.toString(),
        rules: rules.map((r) => ({
          condition: r.condition, offset: r.offset.toString(), isLimited: r.isLimited, ref: r.ref,
          limit: r.usage.limit.toString(), used: r.usage.used.toString(),
        })),
        policy: p.policy,
        initData: p.initData,
      });
    }
  }
  expectEq(out.timeFrame[0].initData, '0x0000000000000000000000006774858000000000000000000000000000000000', 'doc §15.6 time frame');
  expectEq(out.usageLimit[0].initData, '0x0000000000000000000000000000000a', 'doc §15.6 usage limit');
  expectEq(out.valueLimit[0].initData, '0x0000000000000000000000000000000000000000000000000de0b6b3a7640000', 'doc §15.6 value limit');
  return out;
}

function validatorInitData(rng) {
  // OwnableValidator init data: module-sdk 0.4.0 getOwnableValidator lower-cases then sorts, which is
  // numeric order; owners are given here in random order, some checksummed.
  const out = [];
  const sets = [{ name: 'doc-15.1', threshold: 1, owners: [SESSION_KEY] }];
  for (let k = 0; k < 12; k++) {
    const owners = Array.from({ length: rng.range(1, 6) }, () => rng.address());
    const mixed = owners.map((o) => (rng.chance(0.5) ? getAddress(o) : o));
    sets.push({ name: `random-${k}`, threshold: rng.range(1, owners.length), owners: mixed });
  }
  for (const { name, threshold, owners } of sets) {
    const { initData } = sdk04.getOwnableValidator({ threshold, owners });
    // module-sdk 0.1.x sorts the strings as given (and in place), so it only agrees for lower-case input.
    const legacy = sdk01.getOwnableValidator({ threshold, owners: owners.map((o) => o.toLowerCase()) }).initData;
    if (legacy !== initData) throw new Error(`ownable validator init data differs between module-sdk versions: ${name}`);
    out.push({ name, threshold, owners, initData });
  }
  expectEq(out[0].initData, '0x00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000100000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8', 'doc §15.1 init data');
  return out;
}

const SIG65 = `0x${'11'.repeat(32)}${'22'.repeat(32)}1b`;
const DUMMY_SIG = '0xe8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf16392acfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae491839af51c';
const DOC_SESSION_KEY_SIG = '0x4afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a8c126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa34531c';

function signatures(rng, abiSamples) {
  const out = [];
  // USE
  const uses = [
    { name: 'doc-20.2-session-a', permissionId: '0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b', signature: SIG65 },
    { name: 'doc-20.4-mock-validator', permissionId: '0x401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372', signature: DOC_SESSION_KEY_SIG },
    { name: 'doc-20.6-stub', permissionId: '0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957', signature: DUMMY_SIG },
    { name: 'empty-signature', permissionId: rng.hex(32), signature: '0x' },
  ];
  for (let k = 0; k < 10; k++) uses.push({ name: `random-${k}`, permissionId: rng.hex(32), signature: rng.hex(rng.pick([65, 65, 130, 1, 64, rng.range(2, 300)])) });
  const docUse = {
    'pre-v1:doc-20.2-session-a': '0x005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b010000e014010020e0141d0300004111e016000022e01600001b2044e00e00040000000000',
    'v1:doc-20.2-session-a': '0x005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b111111111111111111111111111111111111111111111111111111111111111122222222222222222222222222222222222222222222222222222222222222221b',
    'pre-v1:doc-20.4-mock-validator': '0x00401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372010000e014010020e0141d1f0000414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d51fc6a8c126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6e03fa34531c2044e00e00040000000000',
    'pre-v1:doc-20.6-stub': '0x00ba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957010000e014010020e0141d1f000041e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf163921facfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae49103839af51c2044e00e00040000000000',
  };
  for (const [version, { sdk, sdkVersion }] of Object.entries(VERSIONS)) {
    for (const { name, permissionId, signature } of uses) {
      const encoded = sdk.encodeSmartSessionSignature({ mode: sdk.SmartSessionMode.USE, permissionId, signature });
      if (docUse[`${version}:${name}`]) expectEq(encoded, docUse[`${version}:${name}`], `${version} USE ${name}`);
      out.push({ version, sdkVersion, mode: 'use', name, permissionId, signature, encoded });
    }
  }
  // ENABLE / UNSAFE_ENABLE
  const docEnable = [
    {
      name: 'doc-20.5-enable', mode: MODES.ENABLE, session: docSessionB(MOCK_VALIDATOR, MOCK_POLICY, '0x0b'),
      digest: '0x04d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b31255aef4',
      ownerSig: '0x506b4db791a9032f0e2604ddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cbbd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821b',
      expected: '0x01010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a6904d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b3125501aef4e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000be0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f506b4db791a9032f0e26041fddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cb15bd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821be01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3401531ce0014be00700040000000000',
    },
    {
      name: 'doc-20.5-unsafe-enable', mode: MODES.UNSAFE_ENABLE, session: docSessionB(MOCK_VALIDATOR, MOCK_POLICY, '0x0c'),
      digest: '0x4073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d0793db9',
      ownerSig: '0x09479384b72d95027fa3e77a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef15a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1c',
      expected: '0x02010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a694073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d079013db9e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000ce0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f09479384b72d95027fa3e71f7a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef1515a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1ce01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa340053e0126b040000000000',
    },
  ];
  for (const [version, { sdk, sdkVersion, v1 }] of Object.entries(VERSIONS)) {
    const cases = [];
    if (!v1) {
      for (const d of docEnable) {
        const digest = sessionDigest(version, {
          session: d.session, account: DOC_ACCOUNT, smartSession: MODULEKIT_SMART_SESSION, mode: d.mode, nonce: 0n, chainId: 31337n,
        });
        expectEq(digest, d.digest, `${d.name} session digest`);
        cases.push({
          name: d.name, mode: d.mode, chainDigestIndex: 0, hashesAndChainIds: [{ chainId: 31337n, sessionDigest: digest }],
          sessionToEnable: d.session, validator: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
          permissionEnableSig: d.ownerSig, signature: DOC_SESSION_KEY_SIG, expected: d.expected,
        });
      }
    }
    for (let k = 0; k < 8; k++) {
      const chains = Array.from({ length: rng.range(1, 4) }, () => rng.pick(CHAIN_IDS));
      const session = randomSession(rng, v1);
      const mode = k % 2 ? MODES.UNSAFE_ENABLE : MODES.ENABLE;
      cases.push({
        name: `random-${k}`,
        mode,
        chainDigestIndex: rng.int(chains.length),
        hashesAndChainIds: chains.map((chainId) => ({ chainId, sessionDigest: rng.hex(32) })),
        sessionToEnable: session,
        validator: rng.address(),
        permissionEnableSig: rng.hex(rng.pick([65, 65, 0, 97, rng.range(1, 200)])),
        signature: rng.hex(rng.pick([65, 65, 0, 130, rng.range(1, 200)])),
      });
    }
    for (const c of cases) {
      const enableSessionData = {
        enableSession: {
          chainDigestIndex: c.chainDigestIndex,
          hashesAndChainIds: c.hashesAndChainIds,
          sessionToEnable: c.sessionToEnable,
          permissionEnableSig: c.permissionEnableSig,
        },
        validator: c.validator,
        accountType: 'nexus',
      };
      const encoded = sdk.encodeSmartSessionSignature({ mode: c.mode, permissionId: sdk.getPermissionId({ session: c.sessionToEnable }), signature: c.signature, enableSessionData });
      if (c.expected) expectEq(encoded, c.expected, `${version} ${c.name}`);
      const payload = LibZip.flzDecompress(slice(encoded, 1));
      abiSamples.push({ name: `${version}-${MODE_NAMES[c.mode]}-${c.name}`, data: payload });
      out.push({
        version, sdkVersion, mode: MODE_NAMES[c.mode], name: c.name,
        permissionId: sdk.getPermissionId({ session: c.sessionToEnable }),
        enableSession: {
          chainDigestIndex: c.chainDigestIndex,
          hashesAndChainIds: c.hashesAndChainIds.map(({ chainId, sessionDigest: d }) => ({ chainId: chainId.toString(), sessionDigest: d })),
          sessionToEnable: c.sessionToEnable,
          permissionEnableSig: c.permissionEnableSig,
        },
        validator: c.validator,
        accountType: 'nexus',
        formattedPermissionEnableSig: encodePacked(['address', 'bytes'], [c.validator, c.permissionEnableSig]),
        signature: c.signature,
        payload,
        encoded,
      });
    }
  }
  return out;
}

const SMART_SESSION_ADDRESSES = {
  'pre-v1': [MODULEKIT_SMART_SESSION, sdk01.SMART_SESSIONS_ADDRESS],
  v1: [sdk02.SMART_SESSIONS_ADDRESS],
  'v1-registry-free': [sdk04.SMART_SESSIONS_ADDRESS],
};

function sessionDigests(rng) {
  const out = [];
  const docDigests = {
    'pre-v1': {
      account: '0x5555555555555555555555555555555555555555', smartSession: MODULEKIT_SMART_SESSION,
      [MODES.ENABLE]: ['0xba39bc0af8a267a8d5d314e0d9404e8ab373e67f57cd3de0de96ef5d67b3f7c5', '0xd1a1164b382ecde483b5ef77a0a71aa4254a7fb515e59fa9316c4532d5e05361'],
      [MODES.UNSAFE_ENABLE]: ['0x893e753dfb467a49bb6c6bde88eec6bea542f6ef0ad254441fa0bcc4582d7f58', '0x5d54fe5ec03b3af3e3a85b5982f44ace084def6b6c8ab9dee9c96b0095d94030'],
    },
    v1: {
      account: '0x5555555555555555555555555555555555555555', smartSession: '0x00000000002B0eCfbD0496EE71e01257dA0E37DE',
      [MODES.ENABLE]: ['0x5c492f2319b7c702aad9479e29f6c0af9f2b3d32facaeb16a6cf99103603cc7f', '0xac79e440b216f5584c26e0e828d74e54a161bbc5d99aede0464da5008516bbb8'],
      [MODES.UNSAFE_ENABLE]: ['0x65a5bdb209183df86261a8b3754116a99cabb9a9d3603adbb6199966772d7e3a', '0x333a9b280cbb8e2d2aa2c25b225a395fe8e4f199ab505f41de0186a7b4ccaebd'],
    },
  };
  const docB = {
    [MODES.ENABLE]: ['0x9c16d984b1dd153f71febd72623bd2762b67b5ce01f3993a97d1431e1068683f', '0x46f22c7d14dbe453ae45eb4a4f1d80623e96ecc146883fdcde38e6e83d93ca97'],
    [MODES.UNSAFE_ENABLE]: ['0x3562c05b0cf90524bbef0eb4c77f6fb6f42f547a20ef03366eea21386d77ef6e', '0x4900358698e73958e21a4e1c7174dd0e2f14ae5f35179a8a0a836a969a0ac0e3'],
  };
  for (const [version, { v1, sdkVersion }] of Object.entries(VERSIONS)) {
    const cases = [];
    const doc = docDigests[version];
    if (doc) {
      for (const mode of [MODES.ENABLE, MODES.UNSAFE_ENABLE]) {
        cases.push({ name: 'doc-20.1-session-a', session: docSessionA(v1), account: doc.account, smartSession: doc.smartSession, mode, nonce: 0n, chainId: 31337n, expected: doc[mode] });
      }
    }
    if (!v1) {
      for (const mode of [MODES.ENABLE, MODES.UNSAFE_ENABLE]) {
        cases.push({ name: 'doc-20.3-session-b', session: docSessionB(OWNABLE_VALIDATOR, SUDO_PRE_V1, '0x01'), account: DOC_ACCOUNT, smartSession: MODULEKIT_SMART_SESSION, mode, nonce: 0n, chainId: 31337n, expected: docB[mode] });
      }
    }
    for (let k = 0; k < 12; k++) {
      const session = randomSession(rng, v1);
      const base = {
        session, account: rng.address(), smartSession: rng.pick(SMART_SESSION_ADDRESSES[version]), nonce: randomNonce(rng), chainId: rng.pick(CHAIN_IDS),
      };
      // Same session and nonce under both modes, so the mode's effect on the digest is visible.
      for (const mode of [MODES.ENABLE, MODES.UNSAFE_ENABLE]) cases.push({ name: `random-${k}`, ...base, mode });
    }
    for (const c of cases) {
      const { chainDigests, hash } = multichain(version, [c]);
      if (c.expected) {
        expectEq(chainDigests[0].sessionDigest, c.expected[0], `${version} ${c.name} digest`);
        expectEq(hash, c.expected[1], `${version} ${c.name} multichain hash`);
      }
      const entry = {
        version, sdkVersion, name: c.name, mode: MODE_NAMES[c.mode],
        session: c.session, account: c.account, smartSession: c.smartSession, nonce: c.nonce.toString(), chainId: c.chainId.toString(),
        sessionDigest: chainDigests[0].sessionDigest,
        permissionEnableHash: hash,
      };
      if (v1) entry.derivedPermissions = v1Flags(c.session, c.mode);
      out.push(entry);
    }
  }
  return out;
}

function multichainHashes(rng) {
  const out = [];
  for (const [version, { v1, sdkVersion }] of Object.entries(VERSIONS)) {
    const cases = [];
    if (!v1) {
      const a = { session: docSessionA(false), account: '0x5555555555555555555555555555555555555555', smartSession: MODULEKIT_SMART_SESSION, nonce: 0n };
      cases.push({ name: 'doc-20.1-two-chains-enable', expectedHash: '0x82beceac08d7b27fa6f67f78f2508280e10496cf7ad4860f5a1ad3c66a9169f1', fixed: [{ chainId: 1n, sessionDigest: `0x${'11'.repeat(32)}` }], inputs: [{ ...a, mode: MODES.ENABLE, chainId: 31337n }] });
      cases.push({ name: 'doc-20.1-two-chains-unsafe-enable', expectedHash: '0x846767d4021263f1375ddeb4ff44b35f628baa310948d23c4d915a38b09212be', fixed: [{ chainId: 1n, sessionDigest: `0x${'11'.repeat(32)}` }], inputs: [{ ...a, mode: MODES.UNSAFE_ENABLE, chainId: 31337n }] });
    }
    for (let k = 0; k < 8; k++) {
      const account = rng.address();
      const mode = k % 2 ? MODES.UNSAFE_ENABLE : MODES.ENABLE;
      const inputs = Array.from({ length: k === 0 ? 1 : rng.range(2, 5) }, () => ({
        session: randomSession(rng, v1), account, smartSession: rng.pick(SMART_SESSION_ADDRESSES[version]), mode, nonce: randomNonce(rng), chainId: rng.pick(CHAIN_IDS),
      }));
      cases.push({ name: `random-${k}`, inputs });
    }
    for (const c of cases) {
      let { chainDigests, hash } = multichain(version, c.inputs);
      if (c.fixed) {
        // A digest given directly (no session behind it): only the contract-style formula applies.
        chainDigests = [...c.fixed, ...chainDigests];
        hash = multichainFromDigests(v1, chainDigests);
        expectEq(hash, c.expectedHash, `${version} ${c.name}`);
      }
      out.push({
        version, sdkVersion, name: c.name,
        chainDigests: chainDigests.map(({ chainId, sessionDigest: d }) => ({ chainId: chainId.toString(), sessionDigest: d })),
        hash,
      });
    }
  }
  return out;
}

function installData(rng, abiSamples) {
  const out = { install: [], enableSessionsCalldata: [] };
  for (const [version, { sdk, sdkVersion, v1 }] of Object.entries(VERSIONS)) {
    const sets = [{ name: 'empty', sessions: [] }];
    if (!v1) sets.push({ name: 'doc-a.2-session-b', sessions: [docSessionB(OWNABLE_VALIDATOR, SUDO_PRE_V1, '0x01')] });
    sets.push({ name: 'doc-20.1-session-a', sessions: [docSessionA(v1)] });
    for (let k = 0; k < 5; k++) sets.push({ name: `random-${k}`, sessions: Array.from({ length: rng.range(1, 3) }, () => randomSession(rng, v1)) });
    for (const { name, sessions } of sets) {
      // pre-v1 has no mode prefix (module-sdk 0.1.x has no useRegistry option); v1 prefixes
      // ENABLE (useRegistry = true) or UNSAFE_ENABLE (useRegistry = false).
      const modes = v1 ? [[MODES.ENABLE, true], [MODES.UNSAFE_ENABLE, false]] : [[MODES.ENABLE, undefined]];
      for (const [mode, useRegistry] of modes) {
        const { initData } = sdk.getSmartSessionsValidator({ sessions, useRegistry });
        out.install.push({ version, sdkVersion, name, mode: MODE_NAMES[mode], useRegistry: useRegistry ?? null, sessions, initData });
      }
      if (sessions.length) {
        const { callData } = sdk.getEnableSessionsAction({ sessions });
        out.enableSessionsCalldata.push({ version, sdkVersion, name, sessions, callData });
        if (name !== 'empty') abiSamples.push({ name: `${version}-install-${name}`, data: v1 ? slice(out.install.at(-1).initData, 1) : out.install.at(-1).initData });
      }
    }
  }
  const a2 = out.enableSessionsCalldata.find((e) => e.version === 'pre-v1' && e.name === 'doc-a.2-session-b');
  expectEq(keccak256(a2.callData), '0x018907ea46b9d94a98a185ee635bf5e8a7ed7c01a0210d5ed55e2e7133f6bdb4', 'doc A.2 enableSessions calldata');
  return out;
}
