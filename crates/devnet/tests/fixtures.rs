//! Building the Solidity fixtures and reading their artifacts.

use nexus_sessions_devnet::{DevnetError, Fixtures, Toolchain, fixtures::FIXTURE_CONTRACTS};

/// EIP-170: the most runtime code a CREATE may leave.
const MAX_RUNTIME_SIZE: usize = 24_576;

fn fixtures() -> Fixtures {
    let tc = Toolchain::ensure().expect("toolchain");
    Fixtures::build(&tc).expect("fixtures build")
}

#[test]
fn every_fixture_has_deployable_code() {
    let fixtures = fixtures();
    for name in FIXTURE_CONTRACTS {
        let creation = fixtures
            .creation_code(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let runtime = fixtures
            .runtime_code(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            runtime.len() <= MAX_RUNTIME_SIZE,
            "{name} runtime is {} bytes",
            runtime.len()
        );
        assert!(
            creation.len() > runtime.len(),
            "{name}: creation code embeds the runtime"
        );
        assert!(
            creation.windows(runtime.len()).any(|w| w == runtime),
            "{name}: runtime not inside creation code"
        );
    }
}

#[test]
fn registry_runtime_is_etchable() {
    // The registry is placed with anvil_setCode, so its constructor never runs: it must not rely on
    // immutables (forge lists them under `deployedBytecode.immutableReferences`).
    let fixtures = fixtures();
    let path = fixtures.artifact_path("TestRegistry");
    let artifact: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let immutables = &artifact["deployedBytecode"]["immutableReferences"];
    // forge omits the key when there are none.
    assert!(
        immutables.is_null() || immutables.as_object().is_some_and(|refs| refs.is_empty()),
        "immutables: {immutables}"
    );
    assert!(!fixtures.runtime_code("TestRegistry").unwrap().is_empty());
}

#[test]
fn unknown_contract_is_a_typed_error() {
    match fixtures().creation_code("NoSuchContract") {
        Err(DevnetError::MissingContract { contract, path }) => {
            assert_eq!(contract, "NoSuchContract");
            assert!(path.ends_with("NoSuchContract.sol/NoSuchContract.json"));
        }
        other => panic!("expected MissingContract, got {other:?}"),
    }
}

#[test]
fn rebuild_is_a_no_op_and_concurrent_builds_agree() {
    let tc = Toolchain::ensure().expect("toolchain");
    let first = Fixtures::build(&tc)
        .unwrap()
        .runtime_code("Counter")
        .unwrap();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let tc = tc.clone();
            std::thread::spawn(move || Fixtures::build(&tc).and_then(|f| f.runtime_code("Counter")))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("thread").expect("build"), first);
    }
}
