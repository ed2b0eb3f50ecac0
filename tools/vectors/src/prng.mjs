// Deterministic pseudo-random inputs: a fixed-seed PRNG (mulberry32), so every run writes identical files.

/** Creates a generator; `seed` is any 32-bit integer. */
export function prng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
  const rng = {
    /** Uniform 32-bit unsigned integer. */
    u32: next,
    /** Uniform integer in [0, n). */
    int: (n) => next() % n,
    /** Uniform integer in [lo, hi]. */
    range: (lo, hi) => lo + (next() % (hi - lo + 1)),
    /** True with probability p. */
    chance: (p) => next() / 2 ** 32 < p,
    /** One element of `items`. */
    pick: (items) => items[next() % items.length],
    /** `n` random bytes. */
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
    /** `n` random bytes as 0x-hex. */
    hex: (n) => toHex(rng.bytes(n)),
    /** A random lower-case address. */
    address: () => toHex(rng.bytes(20)),
    /** Random unsigned integer of up to `bits` bits (BigInt), biased towards small and extreme values. */
    uint: (bits) => {
      const max = (1n << BigInt(bits)) - 1n;
      switch (next() % 6) {
        case 0: return 0n;
        case 1: return max;
        case 2: return BigInt(next() % 1000);
        case 3: return BigInt(next());
        default: {
          let v = 0n;
          for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(next());
          return v & (max >> BigInt(next() % bits));
        }
      }
    },
  };
  return rng;
}

/** Bytes to 0x-prefixed lower-case hex. */
export function toHex(bytes) {
  let s = '0x';
  for (const b of bytes) s += (b | 0x100).toString(16).slice(1);
  return s;
}

/** 0x-hex to bytes. */
export function fromHex(hex) {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
