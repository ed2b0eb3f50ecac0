//! Pack + hash of one operation (target: ≤ 3 µs), plus the allocation-free direct hash.

use alloy_primitives::{Address, U256};
use criterion::{Criterion, criterion_group, criterion_main};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation};
use std::hint::black_box;

/// A realistic operation: a Nexus `execute` call (~200 bytes), a smart-session-sized signature, a paymaster.
fn operation() -> UserOperation {
    UserOperation::builder()
        .sender(Address::repeat_byte(0x11))
        .nonce(U256::from(42u64) << 64)
        .call_data(vec![0xe9; 196])
        .call_gas_limit(100_000u64)
        .verification_gas_limit(500_000u64)
        .pre_verification_gas(50_000u64)
        .max_fee_per_gas(2_000_000_000u64)
        .max_priority_fee_per_gas(1_000_000_000u64)
        .paymaster(Address::repeat_byte(0x22))
        .paymaster_verification_gas_limit(60_000u64)
        .paymaster_post_op_gas_limit(10_000u64)
        .paymaster_data(vec![0x33; 64])
        .signature(vec![0x44; 150])
        .build()
        .expect("consistent operation")
}

fn bench(c: &mut Criterion) {
    let op = operation();
    c.bench_function("pack_and_hash", |b| {
        b.iter(|| {
            black_box(&op)
                .pack()
                .hash(black_box(ENTRY_POINT_V07), black_box(31337))
        })
    });
    c.bench_function("hash_unpacked", |b| {
        b.iter(|| black_box(&op).hash(black_box(ENTRY_POINT_V07), black_box(31337)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
