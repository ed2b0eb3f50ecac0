//! FastLZ level-1 compression as used by the SmartSession module (solady `LibZip`).
//!
//! The pre-v1 SmartSession build expects the USE payload and every ENABLE / UNSAFE_ENABLE payload to be
//! FastLZ-compressed; v1 keeps the compression only for the ENABLE modes. The contract accepts any valid
//! stream, but the reference SDKs (module-sdk, @biconomy/sdk) produce exactly what solady's JavaScript
//! `LibZip.flzCompress` emits. [`compress`] reproduces that output byte for byte, so signatures built here
//! are identical to the ones the TypeScript SDKs build.
//!
//! [`decompress`] is the inverse and is meant for untrusted input: every malformed stream is reported as a
//! [`FlzError`] and the output size is bounded ([`decompress_with_limit`]).
//!
//! # Example
//!
//! ```
//! use nexus_sessions_types::flz;
//!
//! let data = [0u8; 100];
//! let packed = flz::compress(&data);
//! assert!(packed.len() < data.len());
//! assert_eq!(flz::decompress(&packed).unwrap(), data);
//! ```

/// Output size limit applied by [`decompress`]: 16 MiB, far above any userOp signature.
pub const DEFAULT_MAX_DECOMPRESSED_LEN: usize = 16 << 20;

/// Number of slots in the compressor's hash table (13-bit hash).
const HASH_SLOTS: usize = 1 << 13;
/// Largest distance a match may reach back (13-bit distance field, stored minus one).
const MAX_DISTANCE: usize = 8192;
/// Longest run encodable by one long-match instruction, in the compressor's length units
/// (the instruction copies this many bytes; length byte 253 + 9).
const MAX_MATCH_CHUNK: usize = 262;

/// A malformed or oversized FastLZ stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlzError {
    /// A literal run announces more bytes than the stream still holds.
    #[error(
        "FastLZ literal run at offset {offset} needs {needed} bytes but only {available} remain"
    )]
    TruncatedLiteral {
        /// Offset of the control byte in the compressed stream.
        offset: usize,
        /// Literal bytes announced by the control byte.
        needed: usize,
        /// Bytes left in the stream after the control byte.
        available: usize,
    },
    /// A match instruction is cut off before its length or distance byte.
    #[error(
        "FastLZ match at offset {offset} is truncated (needs {needed} bytes, {available} remain)"
    )]
    TruncatedMatch {
        /// Offset of the control byte in the compressed stream.
        offset: usize,
        /// Size of the full instruction (2 or 3 bytes).
        needed: usize,
        /// Bytes left in the stream from the control byte on.
        available: usize,
    },
    /// A match refers to bytes before the start of the output.
    #[error(
        "FastLZ match at offset {offset} reaches back {distance} bytes but only {output_len} have been produced"
    )]
    DistanceBeforeStart {
        /// Offset of the control byte in the compressed stream.
        offset: usize,
        /// How far back the match starts (stored distance + 1).
        distance: usize,
        /// Output bytes produced before this instruction.
        output_len: usize,
    },
    /// The decompressed data would exceed the caller's limit.
    #[error("FastLZ output exceeds the limit of {limit} bytes")]
    OutputTooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Compresses `input` with FastLZ level 1, byte-identical to solady's JavaScript `LibZip.flzCompress`.
///
/// The output always decodes back to `input` (with [`decompress`] or the on-chain `LibZip.flzDecompress`).
///
/// ```
/// // The USE payload of smart-sessions-onchain.md §20.2: abi.encode(bytes sig65).
/// let mut payload = vec![0u8; 160];
/// payload[31] = 0x20;
/// payload[63] = 0x41;
/// payload[64..96].fill(0x11);
/// payload[96..128].fill(0x22);
/// payload[128] = 0x1b;
/// let packed = nexus_sessions_types::flz::compress(&payload);
/// assert_eq!(packed[..4], [0x01, 0x00, 0x00, 0xe0]);
/// ```
pub fn compress(input: &[u8]) -> Vec<u8> {
    let n = input.len();
    let mut out = Vec::with_capacity(n + n / 32 + 1);
    // The reference stops searching 13 bytes before the end (`i < b - 9` with `b = n - 4`).
    let search_end = n.saturating_sub(13);
    let mut table = [0u32; HASH_SLOTS];
    let mut anchor = 0usize;
    let mut i = 2usize;

    'main: while i < search_end {
        // Search for a 3-byte match. An empty slot reads as position 0, as in the reference.
        let (reference, distance) = loop {
            let seq = u24(input, i);
            let slot = hash(seq);
            let reference = table[slot] as usize;
            table[slot] = i as u32;
            let distance = i - reference;
            let hit = distance < MAX_DISTANCE && u24(input, reference) == seq;
            if i >= search_end {
                break 'main;
            }
            i += 1;
            if hit {
                if i >= search_end {
                    // The reference drops a match found at the last search position.
                    break 'main;
                }
                i -= 1;
                break (reference, distance);
            }
        };

        emit_literals(&mut out, &input[anchor..i]);

        // Match length in the reference's units: one past the first mismatch after the 3 hashed bytes,
        // bounded by `b - (i + 3)`. The instruction copies `len + 2` bytes.
        let bound = n - 4 - (i + 3);
        let ahead = &input[i + 3..i + 3 + bound];
        let behind = &input[reference + 3..reference + 3 + bound];
        let mut len = match ahead.iter().zip(behind).position(|(x, y)| x != y) {
            Some(k) => k + 1,
            None => bound,
        };
        i += len;

        let d = distance - 1;
        let (d_hi, d_lo) = ((d >> 8) as u8, (d & 0xff) as u8);
        while len > MAX_MATCH_CHUNK {
            out.extend_from_slice(&[224 + d_hi, 253, d_lo]);
            len -= MAX_MATCH_CHUNK;
        }
        if len < 7 {
            out.extend_from_slice(&[((len as u8) << 5) + d_hi, d_lo]);
        } else {
            out.extend_from_slice(&[224 + d_hi, (len - 7) as u8, d_lo]);
        }

        table[hash(u24(input, i))] = i as u32;
        i += 1;
        table[hash(u24(input, i))] = i as u32;
        i += 1;
        anchor = i;
    }

    emit_literals(&mut out, &input[anchor..]);
    out
}

/// Decompresses a FastLZ level-1 stream, with an output limit of [`DEFAULT_MAX_DECOMPRESSED_LEN`].
///
/// Accepts every stream the on-chain decoder accepts when it is well formed, and rejects truncated
/// instructions and matches that reach before the start of the output.
///
/// ```
/// use nexus_sessions_types::flz::{decompress, FlzError};
///
/// // One literal run of 3 bytes, then a 3-byte match at distance 3.
/// assert_eq!(decompress(&[0x02, 1, 2, 3, 0x20, 0x02]).unwrap(), [1, 2, 3, 1, 2, 3]);
/// // The literal run announces 3 bytes but only 2 follow.
/// assert!(matches!(decompress(&[0x02, 1, 2]), Err(FlzError::TruncatedLiteral { .. })));
/// ```
pub fn decompress(input: &[u8]) -> Result<Vec<u8>, FlzError> {
    decompress_with_limit(input, DEFAULT_MAX_DECOMPRESSED_LEN)
}

/// Decompresses a FastLZ level-1 stream, failing with [`FlzError::OutputTooLarge`] as soon as the output
/// would exceed `max_len` bytes.
///
/// ```
/// use nexus_sessions_types::flz::{compress, decompress_with_limit, FlzError};
///
/// let packed = compress(&[0u8; 1000]);
/// assert_eq!(decompress_with_limit(&packed, 1000).unwrap().len(), 1000);
/// assert_eq!(decompress_with_limit(&packed, 999), Err(FlzError::OutputTooLarge { limit: 999 }));
/// ```
pub fn decompress_with_limit(input: &[u8], max_len: usize) -> Result<Vec<u8>, FlzError> {
    // A 3-byte instruction expands to at most 264 bytes, so this bound never over-reserves much.
    let mut out = Vec::with_capacity(input.len().saturating_mul(2).min(max_len));
    let mut pos = 0usize;
    while pos < input.len() {
        let control = input[pos];
        let kind = control >> 5;
        let available = input.len() - pos - 1;
        if kind == 0 {
            let needed = usize::from(control) + 1;
            if needed > available {
                return Err(FlzError::TruncatedLiteral {
                    offset: pos,
                    needed,
                    available,
                });
            }
            reserve_within(&out, needed, max_len)?;
            out.extend_from_slice(&input[pos + 1..pos + 1 + needed]);
            pos += 1 + needed;
            continue;
        }
        let (len, dist_lo, size) = if kind == 7 {
            if available < 2 {
                return Err(FlzError::TruncatedMatch {
                    offset: pos,
                    needed: 3,
                    available: available + 1,
                });
            }
            (9 + usize::from(input[pos + 1]), input[pos + 2], 3)
        } else {
            if available < 1 {
                return Err(FlzError::TruncatedMatch {
                    offset: pos,
                    needed: 2,
                    available: available + 1,
                });
            }
            (usize::from(kind) + 2, input[pos + 1], 2)
        };
        let distance = ((usize::from(control & 31) << 8) | usize::from(dist_lo)) + 1;
        if distance > out.len() {
            return Err(FlzError::DistanceBeforeStart {
                offset: pos,
                distance,
                output_len: out.len(),
            });
        }
        reserve_within(&out, len, max_len)?;
        let start = out.len() - distance;
        if distance >= len {
            out.extend_from_within(start..start + len);
        } else {
            // Overlapping copy: the source includes bytes this instruction writes (run-length style).
            for k in 0..len {
                let byte = out[start + k];
                out.push(byte);
            }
        }
        pos += size;
    }
    Ok(out)
}

/// Checks that `extra` more bytes fit under `max_len`.
fn reserve_within(out: &[u8], extra: usize, max_len: usize) -> Result<(), FlzError> {
    if out.len() + extra > max_len {
        return Err(FlzError::OutputTooLarge { limit: max_len });
    }
    Ok(())
}

/// Little-endian 3-byte read. Callers keep `i + 2` in bounds.
#[inline(always)]
fn u24(input: &[u8], i: usize) -> u32 {
    u32::from(input[i]) | u32::from(input[i + 1]) << 8 | u32::from(input[i + 2]) << 16
}

/// The reference hash, `((2654435769 * x) >> 19) & 8191`, with JavaScript number semantics.
///
/// JS multiplies in f64, so the product (up to 2^56) is rounded to 53 bits before `ToInt32` keeps its low
/// 32 bits; the exact integer product gives a different slot for some inputs. The arithmetic shift and
/// 13-bit mask together select bits 19..31 of those low 32 bits.
#[inline(always)]
fn hash(x: u32) -> usize {
    let product = 2654435769.0f64 * f64::from(x);
    // Exact: the rounded product is a non-negative integer below 2^56.
    let low = product as u64 as u32;
    ((low >> 19) & 8191) as usize
}

/// Emits `bytes` as literal runs of at most 32 bytes each.
fn emit_literals(out: &mut Vec<u8>, bytes: &[u8]) {
    for run in bytes.chunks(32) {
        out.push((run.len() - 1) as u8);
        out.extend_from_slice(run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer product and the f64 product disagree for this input (smart-sessions-onchain.md §6.2).
    #[test]
    fn hash_uses_f64_rounding() {
        let exact = ((2654435769u64 * 0x3b4377) as u32 >> 19) & 8191;
        assert_eq!(exact, 968);
        assert_eq!(hash(0x3b4377), 969);
    }

    #[test]
    fn empty_and_tiny_inputs_are_literals() {
        assert!(compress(&[]).is_empty());
        assert_eq!(compress(&[7]), [0, 7]);
        assert_eq!(decompress(&[]).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn malformed_streams_are_rejected() {
        assert_eq!(
            decompress(&[0x01, 0xaa]),
            Err(FlzError::TruncatedLiteral {
                offset: 0,
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            decompress(&[0x00, 0xaa, 0x20]),
            Err(FlzError::TruncatedMatch {
                offset: 2,
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            decompress(&[0x00, 0xaa, 0xe0, 0x01]),
            Err(FlzError::TruncatedMatch {
                offset: 2,
                needed: 3,
                available: 2
            })
        );
        assert_eq!(
            decompress(&[0x00, 0xaa, 0x20, 0x01]),
            Err(FlzError::DistanceBeforeStart {
                offset: 2,
                distance: 2,
                output_len: 1
            })
        );
        assert_eq!(
            decompress(&[0x20, 0x00]),
            Err(FlzError::DistanceBeforeStart {
                offset: 0,
                distance: 1,
                output_len: 0
            })
        );
    }

    #[test]
    fn overlapping_match_repeats_bytes() {
        // Literal 0xab, then a long match of 9 + 0 bytes at distance 1.
        assert_eq!(
            decompress(&[0x00, 0xab, 0xe0, 0x00, 0x00]).unwrap(),
            [0xab; 10]
        );
    }

    proptest::proptest! {
        #[test]
        fn round_trip(input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            proptest::prop_assert_eq!(decompress(&compress(&input)).unwrap(), input);
        }

        #[test]
        fn round_trip_low_entropy(input in proptest::collection::vec(0u8..3, 0..4096)) {
            proptest::prop_assert_eq!(decompress(&compress(&input)).unwrap(), input);
        }

        #[test]
        fn arbitrary_streams_never_panic(stream in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            if let Ok(out) = decompress_with_limit(&stream, 4096) {
                proptest::prop_assert!(out.len() <= 4096);
            }
        }
    }
}
