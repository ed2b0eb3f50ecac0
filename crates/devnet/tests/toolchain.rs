//! The installed toolchain: modulekit bytecode sizes match the recipe, tools answer, ensure is idempotent.

use alloy_primitives::{b256, keccak256};
use nexus_sessions_devnet::{DevnetError, Toolchain};

#[test]
fn modulekit_constants_have_the_documented_sizes() {
    let tc = Toolchain::ensure().expect("toolchain");
    for (name, size) in [
        ("NEXUS_BYTECODE", 22_788),
        ("NEXUS_ACCOUNT_FACTORY_BYTECODE", 4_069),
        ("NEXUS_BOOTSTRAP_BYTECODE", 9_130),
        ("NEXUS_PROXY_BYTECODE", 996),
        ("SMART_SESSION_DEPLOYED_BYTECODE", 24_967),
    ] {
        let code = tc
            .modulekit_bytecode(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(code.len(), size, "{name}");
    }
    let proxy = tc.modulekit_bytecode("NEXUS_PROXY_BYTECODE").unwrap();
    assert_eq!(
        keccak256(&proxy),
        b256!("d8028c0fd3ea88bd5b8a93f4d6f25186b61283339649e59e6595a38a277a42df")
    );
}

#[test]
fn unknown_constant_is_a_typed_error() {
    let tc = Toolchain::ensure().expect("toolchain");
    match tc.modulekit_bytecode("NOT_A_CONSTANT") {
        Err(DevnetError::BytecodeConstant { name, .. }) => assert_eq!(name, "NOT_A_CONSTANT"),
        other => panic!("expected BytecodeConstant, got {other:?}"),
    }
}

#[test]
fn ensure_is_idempotent_and_tools_exist() {
    let first = Toolchain::ensure().expect("toolchain");
    let second = Toolchain::ensure().expect("toolchain again");
    assert_eq!(first.forge, second.forge);
    assert_eq!(first.versions, second.versions);
    for path in [
        &first.forge,
        &first.anvil,
        &first.cast,
        &first.solc_shim,
        &first.entry_point_artifact,
    ] {
        assert!(path.is_file(), "{} missing", path.display());
    }
    assert!(first.alto_package_dir.join("package.json").is_file());
    assert!(
        first
            .versions
            .solc
            .ends_with("0.8.23+commit.f704f362.Linux.g++")
    );
}

#[test]
fn concurrent_ensure_calls_agree() {
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(Toolchain::ensure))
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread").expect("ensure"))
        .collect();
    assert!(
        results
            .windows(2)
            .all(|w| w[0].solc_shim == w[1].solc_shim && w[0].versions == w[1].versions)
    );
}

#[test]
fn ensure_at_a_root_without_tool_manifests_names_the_missing_file() {
    let root = std::env::temp_dir().join(format!("devnet-empty-root-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let result = Toolchain::ensure_at(&root);
    std::fs::remove_dir_all(&root).unwrap();
    match result {
        Err(DevnetError::Io { path, .. }) => {
            assert!(
                path.ends_with("tools/package-lock.json"),
                "{}",
                path.display()
            )
        }
        other => panic!("expected an Io error naming the lock file, got {other:?}"),
    }
}
