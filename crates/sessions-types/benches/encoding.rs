//! Encoding benchmarks. Targets: permission id <= 2 µs, session digest <= 10 µs, ENABLE signature encoding
//! <= 25 µs (3-action session), FastLZ compress >= 100 MB/s on 1 KiB of ABI-like data.
//!
//! `cargo bench -p nexus-sessions-types --bench encoding -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)]

use std::hint::black_box;

use alloy_primitives::{Address, B256, Bytes, U256, address, fixed_bytes};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use nexus_sessions_types::{
    ActionData, ChainDigest, EnableSession, ModuleVersion, PolicyData, Session, SmartSessionMode,
    SmartSessionSignature, flz, ownable_validator_init_data, policy, session_digest,
    validator_prefixed_permission_enable_sig,
};

fn three_action_session() -> Session {
    let uni = policy::universal_action(
        &policy::ActionConfig::builder()
            .rule(policy::ParamRule::new(
                policy::ParamCondition::Equal,
                0,
                address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            ))
            .build()
            .unwrap(),
    );
    let sudo = address!("0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6");
    Session::builder()
        .session_validator(address!("0x2483DA3A338895199E5e538530213157e931Bf06"))
        .session_validator_init_data(
            ownable_validator_init_data(
                1,
                &[address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")],
            )
            .unwrap(),
        )
        .salt(B256::with_last_byte(1))
        .user_op_policy(PolicyData::new(
            address!("0x0000000000D30f611fA3bf652ac6879428586930"),
            policy::time_frame(1_900_000_000, 0).unwrap(),
        ))
        .action(ActionData::new(
            address!("0x1111111111111111111111111111111111111111"),
            fixed_bytes!("0x273ea3e3"),
            vec![PolicyData::new(sudo, policy::sudo())],
        ))
        .action(ActionData::new(
            address!("0x2222222222222222222222222222222222222222"),
            fixed_bytes!("0xa9059cbb"),
            vec![
                PolicyData::new(address!("0x0000000000714Cf48FcF88A0bFBa70d313415032"), uni),
                PolicyData::new(
                    address!("0x00000000001d4479FA2A947026204d0283ceDe4B"),
                    policy::usage_limit(10).unwrap(),
                ),
            ],
        ))
        .action(ActionData::new(
            address!("0x3333333333333333333333333333333333333333"),
            fixed_bytes!("0x095ea7b3"),
            vec![PolicyData::new(
                address!("0x000000000033212e272655d8a22402db819477a6"),
                policy::spending_limits(&[(
                    address!("0x3333333333333333333333333333333333333333"),
                    U256::from(1000),
                )])
                .unwrap(),
            )],
        ))
        .build()
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let session = three_action_session();
    let account = address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb");
    let sig = Bytes::from(vec![0x1b; 65]);

    c.bench_function("permission_id", |b| {
        b.iter(|| {
            nexus_sessions_types::permission_id(
                black_box(session.session_validator()),
                black_box(session.session_validator_init_data()),
                black_box(session.salt()),
            )
        })
    });

    // Building derives the permission id and the EIP-712 sub-hashes (every policy's init data is hashed here).
    let builder = session.to_builder();
    c.bench_function("session_build_3_actions", |b| {
        b.iter_batched(
            || builder.clone(),
            |b| b.build().unwrap(),
            BatchSize::SmallInput,
        )
    });

    // A typical grant: one action with SudoPolicy (module-sdk / abstractjs default).
    let small = Session::builder()
        .session_validator(session.session_validator())
        .session_validator_init_data(session.session_validator_init_data().clone())
        .salt(session.salt())
        .action(session.actions()[0].clone())
        .build()
        .unwrap();
    for v in [ModuleVersion::PreV1, ModuleVersion::V1] {
        c.bench_function(&format!("session_digest_1_action_sudo/{v}"), |b| {
            b.iter(|| {
                session_digest(
                    v,
                    black_box(&small),
                    account,
                    v.canonical_address(),
                    SmartSessionMode::UnsafeEnable,
                    U256::ZERO,
                )
            })
        });
    }

    for v in [ModuleVersion::PreV1, ModuleVersion::V1] {
        // A session's first digest hashes its policies and actions; later ones reuse those sub-hashes.
        let fresh = session.to_builder().build().unwrap();
        c.bench_function(&format!("session_digest_3_actions_first/{v}"), |b| {
            b.iter_batched(
                || fresh.clone(),
                |s| {
                    session_digest(
                        v,
                        &s,
                        account,
                        v.canonical_address(),
                        SmartSessionMode::UnsafeEnable,
                        U256::ZERO,
                    )
                },
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("session_digest_3_actions/{v}"), |b| {
            b.iter(|| {
                session_digest(
                    v,
                    black_box(&session),
                    account,
                    v.canonical_address(),
                    SmartSessionMode::UnsafeEnable,
                    U256::ZERO,
                )
            })
        });
    }

    for v in [ModuleVersion::PreV1, ModuleVersion::V1] {
        let use_sig = SmartSessionSignature::Use {
            permission_id: session.permission_id(),
            signature: sig.clone(),
        };
        c.bench_function(&format!("use_signature_encode/{v}"), |b| {
            b.iter(|| black_box(&use_sig).encode(v))
        });
    }

    for v in [ModuleVersion::PreV1, ModuleVersion::V1] {
        let digest = session_digest(
            v,
            &session,
            account,
            v.canonical_address(),
            SmartSessionMode::Enable,
            U256::ZERO,
        );
        let enable = SmartSessionSignature::Enable {
            mode: SmartSessionMode::Enable,
            enable_session: EnableSession {
                chain_digest_index: 0,
                hashes_and_chain_ids: vec![ChainDigest {
                    chain_id: 31337,
                    session_digest: digest,
                }],
                session: session.clone(),
                permission_enable_sig: validator_prefixed_permission_enable_sig(
                    Address::repeat_byte(0x42),
                    &sig,
                ),
            },
            signature: sig.clone(),
        };
        let encoded = enable.encode(v);
        c.bench_function(&format!("enable_signature_encode/{v}"), |b| {
            b.iter(|| black_box(&enable).encode(v))
        });
        c.bench_function(&format!("enable_signature_decode/{v}"), |b| {
            b.iter(|| SmartSessionSignature::decode(v, black_box(&encoded)).unwrap())
        });
    }

    // 1 KiB of ABI-shaped data: the pre-v1 Session encoding, repeated / cut to 1024 bytes.
    let abi = session.abi_encode(ModuleVersion::PreV1);
    let data: Vec<u8> = abi.iter().copied().cycle().take(1024).collect();
    let mut g = c.benchmark_group("flz");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("compress_1KiB_abi", |b| {
        b.iter(|| flz::compress(black_box(&data)))
    });
    let packed = flz::compress(&data);
    g.bench_function("decompress_1KiB_abi", |b| {
        b.iter(|| flz::decompress(black_box(&packed)).unwrap())
    });
    g.finish();
}

criterion_group!(encoding, benches);
criterion_main!(encoding);
