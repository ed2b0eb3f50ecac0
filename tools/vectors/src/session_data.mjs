// SessionData JSON vectors: the text the reference SDK's own `stringify` writes, and what its `parse`
// reads back, for the Rust `sessions_types::SessionData` (crates/sessions-types/tests/golden_session_data.rs).
//
// `stringify` / `parse` come from @biconomy/sdk 0.0.21 (0.0.20 is not on the npm registry; 0.0.21 is the
// next release of the same module-sdk 0.1.x / pre-v1 era and its Helpers.js functions are the same).
// Sessions are built with the SDK's own helpers (createActionData, toUniversalActionPolicy,
// toTimeRangePolicy) and their permission ids with module-sdk 0.1.28 getPermissionId.
//
// Every case has
//   reference  — stringify(obj), obj laid out as the SDK builds it (its key order, the hex case given);
//   roundtrip  — stringify(parse(reference)): the reference reads its own text back unchanged;
//   canonical  — stringify(canonical(parse(reference))): the same values in the layout the Rust crate writes
//                (module-sdk type key order, EIP-55 addresses, lower-case other hex,
//                permitERC4337Paymaster always present). The generator checks that canonical() changed
//                nothing but layout, case and that default;
//   expect     — values the Rust test checks field by field (bigints as decimal strings).
// Cases already in the canonical layout have reference === canonical, so the Rust output must be
// byte-identical to the reference stringify text itself.

import { parse, stringify, createActionData, toUniversalActionPolicy, toTimeRangePolicy } from '@biconomy/sdk';
import * as sdk01 from 'module-sdk-0.1';
import { getAddress, toBytes, toHex } from 'viem';
import { prng } from './prng.mjs';

const SMART_SESSIONS = '0x0000000071727De22e5E9D8bAF0EDAc6F37da034';
const SIMPLE_SESSION_VALIDATOR = '0x41f143f4B5f19AfCd2602F6ADE18E75e9b5E37d3';
const OWNABLE_VALIDATOR = '0x2483DA3A338895199E5e538530213157e931Bf06';
const K1_VALIDATOR = '0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa';
const SUDO_POLICY = '0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6';
const COUNTER = '0x1111111111111111111111111111111111111111';
const GRANTER = '0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb';
const SESSION_KEY = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const isAddress = (v) => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);
const lower = (v) => (typeof v === 'string' ? v.toLowerCase() : v);

/** A session as @biconomy/sdk 0.0.20/0.0.21 grantPermission builds it (its key order). */
function sdkSession(rng, { chainId, target, selectors, rules, withTimeRange }) {
  const actions = selectors.map((selector) => {
    const policies = [
      toUniversalActionPolicy({ paramRules: { length: rules.length, rules }, valueLimitPerUse: 0n }),
    ];
    if (withTimeRange) policies.push(toTimeRangePolicy(1_900_000_000, 1_700_000_000));
    policies.push({ policy: SUDO_POLICY, initData: '0x' });
    return createActionData(target, selector, policies);
  });
  return {
    chainId,
    sessionValidator: SIMPLE_SESSION_VALIDATOR,
    // applyDefaults: sessionKeyData = toHex(toBytes(sessionPublicKey)), i.e. lower case.
    sessionValidatorInitData: toHex(toBytes(SESSION_KEY)),
    salt: rng.hex(32),
    userOpPolicies: [toTimeRangePolicy(0, 0)],
    actions,
    erc7739Policies: { allowedERC7739Content: [], erc1271Policies: [] },
  };
}

/** A session in module-sdk's type key order, EIP-55 addresses, lower-case hex (the Rust layout). */
function canonicalSession(s) {
  const policy = (p) => ({ policy: getAddress(p.policy), initData: lower(p.initData) });
  const out = {};
  if (s.chainId !== undefined) out.chainId = s.chainId;
  Object.assign(out, {
    sessionValidator: getAddress(s.sessionValidator),
    sessionValidatorInitData: lower(s.sessionValidatorInitData),
    salt: lower(s.salt),
    userOpPolicies: s.userOpPolicies.map(policy),
    erc7739Policies: {
      allowedERC7739Content: s.erc7739Policies.allowedERC7739Content,
      erc1271Policies: s.erc7739Policies.erc1271Policies.map(policy),
    },
    actions: s.actions.map((a) => ({
      actionTargetSelector: lower(a.actionTargetSelector),
      actionTarget: getAddress(a.actionTarget),
      actionPolicies: a.actionPolicies.map(policy),
    })),
    permitERC4337Paymaster: s.permitERC4337Paymaster ?? false,
  });
  return out;
}

/** SessionData in the Rust layout. */
function canonical(d) {
  const m = d.moduleData;
  const md = {
    permissionIds: m.permissionIds.map(lower),
    action: { target: getAddress(m.action.target), value: m.action.value, callData: lower(m.action.callData) },
  };
  if (m.mode !== undefined) md.mode = m.mode;
  if (m.permissionIdIndex !== undefined) md.permissionIdIndex = m.permissionIdIndex;
  if (m.enableSessionData !== undefined) {
    const e = m.enableSessionData;
    md.enableSessionData = {
      enableSession: {
        chainDigestIndex: e.enableSession.chainDigestIndex,
        hashesAndChainIds: e.enableSession.hashesAndChainIds.map((h) => ({
          chainId: h.chainId,
          sessionDigest: lower(h.sessionDigest),
        })),
        sessionToEnable: canonicalSession(e.enableSession.sessionToEnable),
        permissionEnableSig: lower(e.enableSession.permissionEnableSig),
      },
      validator: getAddress(e.validator),
      accountType: e.accountType,
    };
  }
  if (m.sessions !== undefined) md.sessions = m.sessions.map(canonicalSession);
  const out = {
    granter: getAddress(d.granter),
    sessionPublicKey: isAddress(d.sessionPublicKey) ? getAddress(d.sessionPublicKey) : lower(d.sessionPublicKey),
  };
  if (d.description !== undefined) out.description = d.description;
  out.moduleData = md;
  for (const k of ['moduleVersion', 'chainId', 'smartSession']) {
    if (d[k] !== undefined) out[k] = k === 'smartSession' ? getAddress(d[k]) : d[k];
  }
  return out;
}

/** Deep equality up to key order, hex case and a `permitERC4337Paymaster: false` default. */
function sameValues(a, b, path = '$') {
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.toLowerCase() !== b.toLowerCase()) throw new Error(`${path}: ${a} != ${b}`);
    return;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    if (a !== b) throw new Error(`${path}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(a) !== Array.isArray(b) || (Array.isArray(a) && a.length !== b.length)) {
    throw new Error(`${path}: array shapes differ`);
  }
  const drop = (o) => Object.keys(o).filter((k) => !(k === 'permitERC4337Paymaster' && o[k] === false));
  const ka = drop(a).sort();
  const kb = drop(b).sort();
  if (ka.join() !== kb.join()) throw new Error(`${path}: keys ${ka} != ${kb}`);
  for (const k of ka) sameValues(a[k], b[k], `${path}.${k}`);
}

const permissionId = (session) => sdk01.getPermissionId({ session });

function vector(name, note, obj) {
  const reference = stringify(obj);
  const parsed = parse(reference);
  const roundtrip = stringify(parsed);
  if (roundtrip !== reference) throw new Error(`${name}: stringify(parse(x)) != x`);
  const canon = canonical(parsed);
  sameValues(parsed, canon);
  const m = parsed.moduleData;
  const sessions = m.sessions ?? [];
  const enable = m.enableSessionData?.enableSession;
  return {
    name,
    note,
    reference,
    roundtrip,
    canonical: stringify(canon),
    expect: {
      granter: getAddress(parsed.granter),
      permissionIds: m.permissionIds.map(lower),
      actionValue: m.action.value.toString(),
      mode: m.mode ?? null,
      sessionPermissionIds: sessions.map((s) => lower(permissionId(s))),
      sessionChainIds: sessions.map((s) => (s.chainId === undefined ? null : s.chainId.toString())),
      enableChainIds: enable ? enable.hashesAndChainIds.map((h) => h.chainId.toString()) : [],
      enablePermissionId: enable ? lower(permissionId(enable.sessionToEnable)) : null,
      description: parsed.description ?? null,
    },
  };
}

export function sessionDataVectors(seed) {
  const rng = prng(seed);
  const out = [];

  // 1. The sdk 0.0.20 dx-test shape (nexus-and-reference-sdks.md §12): USE mode, no sessions; already
  //    in the canonical layout.
  const docSession = sdkSession(rng, {
    chainId: 84532n, target: COUNTER, selectors: ['0x273ea3e3'], rules: [], withTimeRange: false,
  });
  const { callData: enableCallData } = sdk01.getEnableSessionsAction({ sessions: [docSession] });
  out.push(vector('use-sdk-0.0.20', 'USE mode as @biconomy/sdk 0.0.20 returns it: permission ids, the enableSessions action, no sessions', {
    granter: GRANTER,
    sessionPublicKey: SESSION_KEY,
    description: `Session to increment a counter for ${COUNTER}`,
    moduleData: {
      permissionIds: [permissionId(docSession)],
      action: { target: SMART_SESSIONS, value: 0n, callData: enableCallData },
      mode: '0x00',
    },
  }));

  // 2. USE with sessions, two permissions, the second one selected; SDK key order (not canonical).
  const s1 = sdkSession(rng, {
    chainId: 8453n, target: COUNTER, selectors: ['0x273ea3e3', '0x3fb5c1cb'],
    rules: [{ condition: 4, offsetIndex: 0, isLimited: true, ref: 100, usage: { limit: 1000n, used: 0n } }],
    withTimeRange: true,
  });
  const s2 = sdkSession(rng, {
    chainId: 18446744073709551615n, target: '0x2222222222222222222222222222222222222222', selectors: ['0xd0e30db0'], rules: [], withTimeRange: false,
  });
  const { callData: enable2 } = sdk01.getEnableSessionsAction({ sessions: [s1, s2] });
  out.push(vector('use-with-sessions', 'USE mode with sessions (sdk 0.0.22+ shape), permissionIdIndex 1, a uint64-max chain id and a large action value; SDK key order', {
    granter: GRANTER,
    sessionPublicKey: SESSION_KEY,
    moduleData: {
      permissionIds: [permissionId(s1), permissionId(s2)],
      action: { target: SMART_SESSIONS, value: 123456789012345678901234567890n, callData: enable2 },
      mode: '0x00',
      permissionIdIndex: 1,
      sessions: [s1, s2],
    },
  }));

  // 3. ENABLE (UNSAFE_ENABLE) with enableSessionData over three chains, mixed-case hex everywhere.
  const s3 = sdkSession(rng, {
    chainId: 11155111n, target: COUNTER, selectors: ['0x273EA3E3'], rules: [], withTimeRange: false,
  });
  s3.sessionValidator = OWNABLE_VALIDATOR.toLowerCase();
  s3.sessionValidatorInitData = sdk01.encodeValidationData({ threshold: 1, owners: [SESSION_KEY.toLowerCase()] }).toUpperCase().replace('0X', '0x');
  const digests = [1n, 11155111n, 18446744073709551615n].map((chainId) => ({ chainId, sessionDigest: rng.hex(32).toUpperCase().replace('0X', '0x') }));
  out.push(vector('enable-mixed-case', 'UNSAFE_ENABLE with enableSessionData (3 chains, bigint chain ids), a description, upper- and lower-case hex and lower-case addresses', {
    granter: GRANTER.toLowerCase(),
    sessionPublicKey: SESSION_KEY.toUpperCase().replace('0X', '0x'),
    description: 'deferred grant: "enable and use" — ünïcödé ✓',
    moduleData: {
      permissionIds: [permissionId(s3).toUpperCase().replace('0X', '0x')],
      action: { target: SMART_SESSIONS.toLowerCase(), value: 0n, callData: sdk01.getEnableSessionsAction({ sessions: [s3] }).callData },
      mode: '0x02',
      enableSessionData: {
        enableSession: {
          chainDigestIndex: 1,
          hashesAndChainIds: digests,
          sessionToEnable: s3,
          permissionEnableSig: rng.hex(65),
        },
        validator: K1_VALIDATOR,
        accountType: 'nexus',
      },
      sessions: [s3],
    },
  }));

  // 4. What the Rust crate writes after a devnet grant: canonical layout plus the optional extension
  //    fields (moduleVersion, chainId, smartSession); the reference keeps them as plain fields.
  const s4 = canonicalSession(sdkSession(rng, {
    chainId: 31337n, target: COUNTER, selectors: ['0x273ea3e3'], rules: [], withTimeRange: false,
  }));
  out.push(vector('rust-extension-fields', 'the Rust layout with the extension fields moduleVersion, chainId (tagged bigint) and smartSession; ENABLE mode', {
    granter: GRANTER,
    sessionPublicKey: SESSION_KEY,
    moduleData: {
      permissionIds: [permissionId(s4)],
      action: { target: SMART_SESSIONS, value: 0n, callData: sdk01.getEnableSessionsAction({ sessions: [s4] }).callData },
      mode: '0x01',
      enableSessionData: {
        enableSession: {
          chainDigestIndex: 0,
          hashesAndChainIds: [{ chainId: 31337n, sessionDigest: rng.hex(32) }],
          sessionToEnable: s4,
          permissionEnableSig: rng.hex(65),
        },
        validator: getAddress(K1_VALIDATOR),
        accountType: 'nexus',
      },
      sessions: [s4],
    },
    moduleVersion: 'pre-v1',
    chainId: 31337n,
    smartSession: SMART_SESSIONS,
  }));

  return out;
}
