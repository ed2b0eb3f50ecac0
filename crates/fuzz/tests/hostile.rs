//! Regression: ABI offset aliasing is refused before decoding (ENABLE signatures of every version,
//! install data), with a typed error saying where.

use alloy_sol_types::SolValue;
use fuzz::hostile::{
    DEFAULT_ALIASES, DEFAULT_INIT_LEN, aliased_enable_payload, aliased_enable_signature,
    aliased_install_data,
};
use nexus_sessions_types::{
    Error, ModuleVersion, SmartSessionSignature,
    abi::{pre_v1, v1},
    decode_install_data,
};

/// The crafted input is a well-formed aliased encoding: a plain alloy decode accepts it and copies the
/// aliased element once per offset (so the refusal below is about aliasing, not about junk).
#[test]
fn crafted_input_really_aliases() {
    for version in ModuleVersion::ALL {
        let raw = aliased_enable_payload(version, 3, 100);
        let policies = if version.is_v1() {
            let (e, _) = <v1::EnablePayload>::abi_decode_params(&raw).unwrap();
            e.sessionToEnable.userOpPolicies
        } else {
            let (e, _) = <pre_v1::EnablePayload>::abi_decode_params(&raw).unwrap();
            e.sessionToEnable
                .userOpPolicies
                .into_iter()
                .map(|p| v1::PolicyData {
                    policy: p.policy,
                    initData: p.initData,
                })
                .collect()
        };
        assert_eq!(policies.len(), 3, "{version}");
        assert!(policies.iter().all(|p| p.initData.len() == 100));
    }
}

#[test]
fn aliased_enable_signatures_are_refused_with_the_offset() {
    for version in ModuleVersion::ALL {
        let sig = aliased_enable_signature(version, DEFAULT_ALIASES, DEFAULT_INIT_LEN);
        assert!(
            sig.len() < 8_000,
            "hostile input is small: {} bytes",
            sig.len()
        );
        match SmartSessionSignature::decode(version, &sig) {
            Err(Error::AbiLayout {
                position, reason, ..
            }) => {
                assert!(
                    reason.contains("canonical encoding puts this element"),
                    "{reason}"
                );
                assert!(position > 0);
            }
            other => panic!("{version}: expected AbiLayout, got {other:?}"),
        }
    }
}

#[test]
fn aliased_install_data_is_refused() {
    for version in ModuleVersion::ALL {
        let data = aliased_install_data(version, 1_000, 10_000);
        let err = decode_install_data(version, &data).unwrap_err();
        assert!(matches!(err, Error::AbiLayout { .. }), "{version}: {err}");
        // Without aliasing (one entry) the same builder gives a decodable session.
        let ok = aliased_install_data(version, 1, 64);
        assert_eq!(
            decode_install_data(version, &ok).unwrap().sessions.len(),
            1,
            "{version}"
        );
    }
}

#[test]
fn length_claims_beyond_the_input_are_refused() {
    for version in ModuleVersion::ALL {
        let mut data = aliased_install_data(version, 1, 64);
        let start = usize::from(version.is_v1());
        // The Session[] length word (after the outer offset): claim 2^40 sessions.
        data[start + 32..start + 64]
            .copy_from_slice(&alloy_primitives::U256::from(1u64 << 40).to_be_bytes::<32>());
        let err = decode_install_data(version, &data).unwrap_err().to_string();
        assert!(
            err.contains("exceeds the input size") || err.contains("needs at least"),
            "{err}"
        );
    }
}
