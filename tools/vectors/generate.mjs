// Golden vector generator: `cargo xtask vectors` (or `npm run generate` in this directory).
//
// Every value is computed by the pinned reference JavaScript (module-sdk per SmartSession era, viem,
// solady's LibZip) from deterministic pseudo-random inputs, so reruns write identical files. The Rust
// tests only read the committed JSON; they never run Node.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flzCases } from './src/flz.mjs';
import { prng } from './src/prng.mjs';
import { sessionDataVectors } from './src/session_data.mjs';
import { sessionVectors } from './src/sessions.mjs';
import { userOpVectors } from './src/userop.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const sessionsDir = join(root, 'crates', 'sessions-types', 'tests', 'vectors');
const useropDir = join(root, 'crates', 'userop', 'tests', 'vectors');
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

/** JSON with bigints as decimal strings; stable two-space layout and a trailing newline. */
const toJson = (value) => `${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;

const written = [];
function write(dir, file, description, vectors) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  const body = {
    description,
    generator: 'tools/vectors/generate.mjs (cargo xtask vectors)',
    packages: pkg.dependencies,
    vectors,
  };
  writeFileSync(path, toJson(body));
  written.push(relative(root, path));
}

// Each area gets its own seed so adding cases to one file does not reshuffle the others.
const { files, abiSamples } = await sessionVectors(0x5e55);
const flz = flzCases(prng(0xf12), abiSamples);

write(sessionsDir, 'flz.json', 'solady JS LibZip.flzCompress(input) = compressed; LibZip.flzDecompress(compressed) = input', flz);
write(sessionsDir, 'permission_ids.json', 'module-sdk getPermissionId (identical in 0.1.28, 0.2.3, 0.4.0)', files.permission_ids);
write(sessionsDir, 'action_ids.json', 'module-sdk getActionId({target, selector}); forCall: selector = callData[0:4], or 0xffffffff when callData is shorter than 4 bytes', files.action_ids);
write(sessionsDir, 'config_ids.json', 'policy config ids (smart-sessions-onchain.md §4) computed with viem keccak256/encodePacked; module-sdk has no helper', files.config_ids);
write(sessionsDir, 'policies.json', 'module-sdk policy init data per era: getSudoPolicy, getTimeFramePolicy, getUsageLimitPolicy, getValueLimitPolicy, getSpendingLimitsPolicy, getUniversalActionPolicy (rules listed unpadded; module-sdk was given them padded to 16 with zero rules, length = rules.length)', files.policies);
write(sessionsDir, 'validator_init_data.json', 'module-sdk getOwnableValidator({threshold, owners}).initData (owners lower-cased and sorted by module-sdk)', files.validator_init_data);
write(sessionsDir, 'signatures.json', 'module-sdk encodeSmartSessionSignature per era (accountType nexus: permissionEnableSig = validator || sig); payload = the ABI bytes before FastLZ compression', files.signatures);
write(sessionsDir, 'session_digests.json', 'sessionDigest = viem hashStruct of the per-chain session struct (SessionEIP712 for pre-v1, SignedSession for v1; = on-chain getSessionDigest); permissionEnableHash = module-sdk hashChainSessions([{chainId, session}]). For v1 the permission flags are derived as the contract does (derivedPermissions), not taken from the caller.', files.session_digests);
write(sessionsDir, 'multichain_hashes.json', 'module-sdk hashChainSessions over several chains, given here as the per-chain digests the contract re-hashes', files.multichain_hashes);
write(sessionsDir, 'install_data.json', 'module-sdk getSmartSessionsValidator({sessions, useRegistry}).initData and getEnableSessionsAction({sessions}).callData per era', files.install_data);
write(sessionsDir, 'session_data.json', '@biconomy/sdk stringify / parse of SessionData: reference = stringify(obj) in the SDK layout, roundtrip = stringify(parse(reference)), canonical = the same values in the Rust layout (checked equal up to key order, hex case and permitERC4337Paymaster=false), expect = fields to check', sessionDataVectors(0x5d47a));
write(useropDir, 'user_op_hash.json', 'viem getUserOperationHash({userOperation, entryPointAddress, entryPointVersion: "0.7", chainId}); userOperation in the unpacked JSON-RPC form (viem formatUserOperationRequest)', userOpVectors(prng(0x4337)));

console.log(`wrote ${written.length} files:`);
for (const file of written) console.log(`  ${file}`);
