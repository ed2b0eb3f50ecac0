// FastLZ vectors: solady's JavaScript LibZip.flzCompress over inputs chosen to exercise every compressor path.

import solady from 'solady';
import { encodeAbiParameters } from 'viem';
import { concat, fromHex, toHex } from './prng.mjs';

const { LibZip } = solady;

/** The reference hash with JS number semantics (f64 multiply, ToInt32, >> 19, & 8191). */
const jsHash = (x) => ((2654435769 * x) >> 19) & 8191;
/** The same formula on the exact 32-bit product, which the reference does NOT use. */
const exactHash = (x) => (Math.imul(-1640531527, x) >>> 19) & 8191;

const le24 = (x) => Uint8Array.of(x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff);
const fill = (n, b) => new Uint8Array(n).fill(b);
const repeat = (pattern, times) => concat(...Array(times).fill(pattern));

/**
 * Builds the FastLZ cases. `abiSamples` are ABI-encoded session payloads produced by the session generator.
 * Returns `[{ name, input, compressed }]`; every compressed stream is checked to decompress to its input.
 */
export function flzCases(rng, abiSamples) {
  const cases = [];
  const add = (name, bytes) => cases.push({ name, input: toHex(bytes) });

  // Inputs below 16 bytes never reach the match loop; 16 is the first that does.
  for (let n = 0; n <= 17; n++) add(`tiny-random-${n}`, rng.bytes(n));
  for (let n = 1; n <= 17; n += 4) add(`tiny-zero-${n}`, fill(n, 0));

  // Long zero runs: the empty-slot-reads-as-0 rule, overlapping matches, chunks of 262.
  for (const n of [18, 32, 64, 100, 262, 263, 264, 265, 266, 300, 524, 525, 527, 1000, 4096, 9000]) {
    add(`zeros-${n}`, fill(n, 0));
  }
  for (const n of [40, 270, 600]) add(`ff-run-${n}`, fill(n, 0xff));
  add('zeros-then-random', concat(fill(700, 0), rng.bytes(50)));
  add('random-then-zeros', concat(rng.bytes(50), fill(700, 0)));
  add('random-zeros-random', concat(rng.bytes(30), fill(2000, 0), rng.bytes(30)));

  // Incompressible data.
  for (const n of [20, 31, 32, 33, 64, 100, 257, 1024]) add(`random-${n}`, rng.bytes(n));

  // Bytes >= 0x80 in repeated patterns.
  for (let k = 0; k < 8; k++) {
    const pattern = rng.bytes(rng.range(3, 40)).map((b) => b | 0x80);
    add(`high-bytes-pattern-${k}`, concat(repeat(pattern, rng.range(2, 30)), rng.bytes(rng.range(0, 20))));
  }

  // Repeated addresses (ABI words with 12 zero bytes then 20 address bytes).
  for (let k = 0; k < 8; k++) {
    const addrs = Array.from({ length: rng.range(1, 4) }, () => rng.address());
    const list = Array.from({ length: rng.range(2, 24) }, () => rng.pick(addrs));
    add(`abi-address-array-${k}`, fromHex(encodeAbiParameters([{ type: 'address[]' }], [list])));
  }

  // ABI-shaped words: zero words, small integers, addresses, selectors, full words, repeated.
  for (let k = 0; k < 40; k++) {
    const words = [];
    const pool = [];
    const count = rng.range(1, k < 30 ? 40 : 200);
    for (let w = 0; w < count; w++) {
      let word;
      switch (rng.int(7)) {
        case 0: word = fill(32, 0); break;
        case 1: word = concat(fill(31, 0), Uint8Array.of(rng.int(256))); break;
        case 2: word = concat(fill(12, 0), rng.bytes(20)); break;
        case 3: word = concat(rng.bytes(4), fill(28, 0)); break;
        case 4: word = rng.bytes(32); break;
        default: word = pool.length ? rng.pick(pool) : rng.bytes(32); break;
      }
      pool.push(word);
      words.push(word);
    }
    // Optional unaligned prefix so matches do not all sit on 32-byte boundaries.
    add(`abi-words-${k}`, concat(rng.bytes(rng.int(5)), ...words));
  }

  // Matches longer than 262 bytes with a non-trivial distance.
  for (const [period, total] of [[37, 1200], [100, 3000], [255, 2000], [1000, 5000], [8191, 9000], [8192, 9000], [8193, 9000]]) {
    const block = rng.bytes(period);
    const out = new Uint8Array(total);
    for (let i = 0; i < total; i++) out[i] = block[i % period];
    add(`period-${period}-len-${total}`, out);
  }

  // Inputs whose hash slot differs between f64 and exact-integer multiplication. For each such 3-byte
  // value x, a colliding value y (same JS slot) sits between two copies of x: the JS compressor loses
  // the match, an exact-integer port would keep it. The reverse arrangement checks the other slot.
  const differing = [];
  for (let x = 0; x < 1 << 24; x++) if (jsHash(x) !== exactHash(x)) differing.push(x);
  if (differing.length !== 56) throw new Error(`expected 56 rounding-sensitive hashes, found ${differing.length}`);
  const bySlot = new Map();
  for (let y = 0; bySlot.size < 8192 && y < 1 << 22; y += 7) {
    const slot = jsHash(y);
    if (!bySlot.has(slot)) bySlot.set(slot, y);
  }
  for (const x of differing) {
    const jsCollider = bySlot.get(jsHash(x));
    const exactCollider = bySlot.get(exactHash(x));
    const gap = () => rng.bytes(rng.range(4, 9));
    add(`rounding-${x.toString(16)}`, concat(
      gap(), le24(x), gap(), le24(jsCollider), gap(), le24(x), gap(),
      le24(exactCollider), gap(), le24(x), gap(), le24(x), le24(x), gap(),
    ));
  }

  // ABI-encoded sessions and enable payloads (the real use).
  abiSamples.forEach((sample, k) => add(`session-abi-${k}-${sample.name}`, fromHex(sample.data)));

  for (const c of cases) {
    c.compressed = LibZip.flzCompress(c.input);
    if (LibZip.flzDecompress(c.compressed) !== c.input) throw new Error(`flz round trip failed: ${c.name}`);
  }
  return cases;
}
