//! Golden tests of EIP-7702 delegation against measured runs (Nexus 1.2.0 on anvil `prague`, through
//! alto; `vectors/eip-7702/`): authorization signatures, the nonce rule for relayed and self-sent
//! delegations, and the type-4 transaction that carries an authorization.

use alloy_consensus::{SignableTransaction, TxEip7702};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, U256, address};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use nexus_sessions::delegation::{AuthorizationCarrier, designator, sign_authorization};
use serde_json::Value;

const NEXUS_1_2: Address = address!("0x000000004F43C49e93C970E84001853a70923B03");
/// anvil's account 5, the relayer of the measured runs.
const RELAYER_KEY: &str = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

fn json(name: &str) -> Value {
    let text = match name {
        "delegation-type4" => include_str!("vectors/eip-7702/delegation-type4.json"),
        "keys" => include_str!("vectors/eip-7702/keys-and-addresses.json"),
        "redelegation" => include_str!("vectors/eip-7702/redelegation.json"),
        "1271" => include_str!("vectors/eip-7702/owner-raw-and-1271.json"),
        _ => unreachable!(),
    };
    serde_json::from_str(text).unwrap()
}

fn key(label: &str) -> PrivateKeySigner {
    json("keys")["keys"][label]["key"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn u256(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

/// Checks a signed authorization of the vectors against one we sign with the same key.
async fn assert_same_authorization(signer: &PrivateKeySigner, auth: &Value) {
    let ours = sign_authorization(
        signer,
        auth["chainId"].as_u64().unwrap(),
        auth["address"].as_str().unwrap().parse().unwrap(),
        auth["nonce"].as_u64().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(ours.r, u256(&auth["r"]));
    assert_eq!(ours.s, u256(&auth["s"]));
    assert_eq!(u64::from(ours.y_parity), auth["yParity"].as_u64().unwrap());
    assert_eq!(ours.authority().unwrap(), signer.address());
    if let Some(hash) = auth.get("authHash") {
        let expected: B256 = hash.as_str().unwrap().parse().unwrap();
        assert_eq!(
            nexus_sessions_userop::Eip7702Auth::signing_hash(
                ours.chain_id,
                ours.address,
                ours.nonce
            ),
            expected
        );
    }
}

#[tokio::test]
async fn relayed_delegation_authorization_and_type4_transaction() {
    let v = json("delegation-type4");
    let eoa = key("eoaA");
    let auth = &v["authorization"];
    assert_eq!(
        auth["nonce"].as_u64().unwrap(),
        AuthorizationCarrier::Other
            .authorization_nonce(v["eoaBefore"]["txNonce"].as_u64().unwrap())
    );
    assert_same_authorization(&eoa, auth).await;

    // The relayer's type-4 transaction (to = the EOA, no data) is byte-identical.
    let signed = sign_authorization(&eoa, 31337, NEXUS_1_2, 0).await.unwrap();
    let t = &v["type4Tx"];
    let tx = TxEip7702 {
        chain_id: 31337,
        nonce: t["nonce"].as_u64().unwrap(),
        gas_limit: t["gas"].as_str().unwrap().parse().unwrap(),
        max_fee_per_gas: t["maxFeePerGas"].as_str().unwrap().parse().unwrap(),
        max_priority_fee_per_gas: t["maxPriorityFeePerGas"].as_str().unwrap().parse().unwrap(),
        to: eoa.address(),
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list: vec![signed.into()],
        input: Bytes::new(),
    };
    let relayer: PrivateKeySigner = RELAYER_KEY.parse().unwrap();
    let sig = relayer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let raw = tx.into_signed(sig).encoded_2718();
    assert_eq!(Bytes::from(raw).to_string(), t["rawTx"].as_str().unwrap());
}

#[tokio::test]
async fn undelegation_is_self_sent_and_redelegation_relayed() {
    let v = json("redelegation");
    let eoa = key("eoaA");
    let undelegate = &v["unDelegate"];
    let auth = &undelegate["authorizationList"][0];
    assert_eq!(auth["address"].as_str().unwrap(), Address::ZERO.to_string());
    assert_eq!(
        auth["nonce"].as_u64().unwrap(),
        AuthorizationCarrier::SelfSent.authorization_nonce(undelegate["txNonce"].as_u64().unwrap())
    );
    assert_same_authorization(&eoa, auth).await;
    assert_eq!(v["afterUndelegate"]["code"], "0x");

    assert_same_authorization(&eoa, &v["redelegate"]["authorization"]).await;
    assert_eq!(
        v["before"]["code"].as_str().unwrap(),
        Bytes::from(designator(NEXUS_1_2)).to_string()
    );
}

/// The owner's ERC-1271 signature equals abstractjs 1.2.3's `signMessage` (which the measured
/// account answered `0x1626ba7e`): prefix `address(0)` ‖ ECDSA over the ERC-7739 `PersonalSign`
/// digest in the account's domain (`eip712Domain()` of Nexus 1.2.0: "Nexus", "1.2.0").
#[test]
fn erc1271_signature_equals_abstractjs_sign_message() {
    use nexus_sessions::erc1271::{ERC1271_MAGIC_VALUE, account_domain, personal_sign_digest};
    let v = &json("1271")["erc1271"];
    let message = v["message"].as_str().unwrap();
    let hash = alloy_primitives::eip191_hash_message(message);
    assert_eq!(hash, v["hash"].as_str().unwrap().parse::<B256>().unwrap());
    let signer = key("eoaA");
    let domain = account_domain(
        "Nexus".into(),
        "1.2.0".into(),
        U256::from(31337u64),
        signer.address(),
    );
    let sig = signer
        .sign_hash_sync(&personal_sign_digest(hash, &domain))
        .unwrap();
    let ours: Bytes = [Address::ZERO.as_slice(), &sig.as_bytes()].concat().into();
    let theirs: Bytes = v["abstractjsSignMessage"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(
        v["isValidSignature"].as_str().unwrap(),
        format!("0x{}", alloy_primitives::hex::encode(ERC1271_MAGIC_VALUE))
    );
    // The plain EIP-191 signature behind the same prefix is what the account refused.
    let plain = signer.sign_message_sync(message.as_bytes()).unwrap();
    let refused: Bytes = v["plainEoaSigWithZeroPrefix"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(&refused[20..], plain.as_bytes().as_slice());
    assert_ne!(ours, refused);
}
