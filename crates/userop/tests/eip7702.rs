//! Golden test of a user operation carrying `eip7702Auth`, from a measured run (EOA delegating to
//! Nexus 1.2 inside its first operation through alto; `vectors/eip-7702/eip7702auth-userop.json`).

use alloy_primitives::{Address, B256, U256};
use nexus_sessions_userop::{ENTRY_POINT_V07, Eip7702Auth, Error, UserOperation};
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/eip-7702/eip7702auth-userop.json")).unwrap()
}

fn b256(v: &Value) -> B256 {
    v.as_str().unwrap().parse().unwrap()
}

fn address(v: &Value) -> Address {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn the_authorization_does_not_change_the_v07_hash() {
    let v = vector();
    let wire = &v["attemptNoFactory"]["userOp"];
    let op: UserOperation = serde_json::from_value(wire.clone()).unwrap();
    let auth = op.eip7702_auth.expect("eip7702Auth parsed");
    let expected = b256(&v["attemptNoFactory"]["userOpHashEntryPoint"]);
    assert_eq!(op.hash(ENTRY_POINT_V07, 31337), expected);
    assert_eq!(
        b256(&v["attemptNoFactory"]["userOpHashFromBundler"]),
        expected
    );

    // Without the authorization the hash is the same, and the packed form cannot carry it.
    let mut plain = op.clone();
    plain.eip7702_auth = None;
    assert_eq!(plain.hash(ENTRY_POINT_V07, 31337), expected);
    assert_eq!(op.pack().unpack().unwrap(), plain);

    // The wire object is written back as viem sent it (addresses in lowercase).
    let back = serde_json::to_value(&op).unwrap();
    let mut sent = wire["eip7702Auth"].clone();
    sent["address"] = Value::String(sent["address"].as_str().unwrap().to_lowercase());
    assert_eq!(back["eip7702Auth"], sent);
    assert_eq!(
        back["sender"].as_str().map(str::to_lowercase),
        wire["sender"].as_str().map(str::to_lowercase)
    );
    assert!(back.get("factory").is_none());

    let a = &v["authorization"];
    assert_eq!(auth.address, address(&a["address"]));
    assert_eq!(auth.chain_id, U256::from(a["chainId"].as_u64().unwrap()));
    assert_eq!(auth.nonce, a["nonce"].as_u64().unwrap());
    assert_eq!(auth.r, U256::from_be_bytes(b256(&a["r"]).0));
    assert_eq!(
        Eip7702Auth::signing_hash(auth.chain_id, auth.address, auth.nonce),
        b256(&a["authHash"])
    );
    assert_eq!(auth.authority().unwrap(), address(&a["authority"]));
    assert_eq!(
        auth.authority().unwrap(),
        op.sender,
        "the EOA delegates itself"
    );

    // alloy's type round-trips.
    let alloy: alloy_eip7702::SignedAuthorization = auth.into();
    assert_eq!(Eip7702Auth::from(alloy), auth);
}

#[test]
fn a_factory_next_to_an_authorization_is_refused_as_alto_does() {
    let v = vector();
    let mut wire = v["attemptNoFactory"]["userOp"].clone();
    let factory = &v["abstractjsGetFactoryArgsWhenNotDelegated"];
    wire["factory"] = factory["factory"].clone();
    wire["factoryData"] = factory["factoryData"].clone();
    let err = serde_json::from_value::<UserOperation>(wire.clone()).unwrap_err();
    assert!(
        err.to_string()
            .contains("eip7702Auth is set together with factory"),
        "{err}"
    );

    let mut op: UserOperation =
        serde_json::from_value(v["attemptNoFactory"]["userOp"].clone()).unwrap();
    op.factory = Some(address(&factory["factory"]));
    assert!(matches!(
        op.validate(),
        Err(Error::FactoryWithEip7702Auth { .. })
    ));
    op.factory = Some(nexus_sessions_userop::EIP7702_FACTORY_MARKER);
    op.factory_data = Default::default();
    assert_eq!(op.validate(), Ok(()));
}

#[test]
fn malformed_authorizations_are_typed_errors() {
    let v = vector();
    for (field, value, wanted) in [
        ("yParity", "0x02", "yParity must be 0 or 1"),
        ("nonce", "0x10000000000000000", "does not fit in 64 bits"),
        ("r", "0x1234", "r"),
    ] {
        let mut wire = v["attemptNoFactory"]["userOp"].clone();
        wire["eip7702Auth"][field] = Value::String(value.into());
        let err = serde_json::from_value::<UserOperation>(wire).unwrap_err();
        assert!(err.to_string().contains(wanted), "{field}: {err}");
    }
    let bad = Eip7702Auth {
        chain_id: U256::from(1),
        address: Address::ZERO,
        nonce: 0,
        y_parity: 0,
        r: U256::ZERO,
        s: U256::ZERO,
    };
    assert!(matches!(
        bad.authority(),
        Err(Error::InvalidAuthorization { .. })
    ));
}
