//! Throughput of `flz::compress` / `flz::decompress` on 1 KiB of ABI-shaped data (release build):
//!
//! ```text
//! cargo run --release -p nexus-sessions-types --example flz_throughput
//! ```
//!
//! Prints the median of 31 timed batches for each direction.

use std::hint::black_box;
use std::time::Instant;

use nexus_sessions_types::flz;

/// 1 KiB shaped like an ABI-encoded session: offsets, zero padding, repeated addresses, a signature.
fn abi_like_kib() -> Vec<u8> {
    let address = [
        0x70, 0x99, 0x79, 0x70, 0xc5, 0x18, 0x12, 0xdc, 0x3a, 0x01, 0x0c, 0x7d, 0x01, 0xb5, 0x0e,
        0x0d, 0x17, 0xdc, 0x79, 0xc8,
    ];
    let mut out = Vec::with_capacity(1024);
    let mut seed = 0x2545_f491_u32;
    let mut word = 0;
    while out.len() < 1024 {
        let mut w = [0u8; 32];
        match word % 5 {
            0 => w[31] = (word * 32) as u8,
            1 => w[12..].copy_from_slice(&address),
            2 => {}
            3 => {
                for b in &mut w {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    *b = seed as u8;
                }
            }
            _ => w[..4].copy_from_slice(&[0x27, 0x3e, 0xa3, 0xe3]),
        }
        out.extend_from_slice(&w);
        word += 1;
    }
    out.truncate(1024);
    out
}

fn median_mb_per_s(bytes: usize, mut f: impl FnMut()) -> f64 {
    const ITERS: usize = 2000;
    let mut samples: Vec<f64> = (0..31)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..ITERS {
                f();
            }
            (bytes * ITERS) as f64 / start.elapsed().as_secs_f64() / 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let input = abi_like_kib();
    let packed = flz::compress(&input);
    assert_eq!(flz::decompress(&packed).unwrap(), input);
    let c = median_mb_per_s(input.len(), || {
        black_box(flz::compress(black_box(&input)));
    });
    let d = median_mb_per_s(input.len(), || {
        black_box(flz::decompress(black_box(&packed)).unwrap());
    });
    println!("input 1024 bytes -> {} compressed", packed.len());
    println!("compress:   {c:.0} MB/s (median of 31)");
    println!("decompress: {d:.0} MB/s (median of 31, output bytes)");
}
