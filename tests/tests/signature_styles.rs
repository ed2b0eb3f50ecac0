//! Session-key signature styles on-chain, on any devnet stack: every style is tried against two
//! session validators with different rules, and each lands where its validator accepts it.
//!
//! - `session_validator`: on the default devnet the `OwnableSessionValidator` fixture (the
//!   OwnableValidator rule before core-modules f86f209: EIP-191, v 27/28 — it also reads v 31/32 as
//!   EIP-191); with the production-stack manifest the current OwnableValidator `0x…13fdB5…`.
//! - `raw_hash_session_validator`: the `RawHashSessionValidator` fixture, the current rule (the raw
//!   userOpHash, or EIP-191 with v + 4).
//!
//! A style a validator does not accept is refused: by the client before anything is sent when the
//! validator is a known one (`SignatureStyleRejected`), else by the chain with AA24, and the Counter
//! does not move.

use e2e::{Owner, counter, fixed_fees};
use nexus_sessions::{
    ActionPermission, Deployment, Error, PermissionRequest, PrivateKeySigner, SessionSignatureStyle,
};
use nexus_sessions_bundler::AaCode;
use nexus_sessions_devnet::Devnet;

use SessionSignatureStyle::{Eip191, Eip191VPlus4, RawHash};

/// One session validator under test and the styles it accepts.
struct Validator {
    name: &'static str,
    deployment: Deployment,
    accepts: &'static [SessionSignatureStyle],
    /// The client knows the validator and refuses a wrong style itself.
    known: bool,
}

fn validators(devnet: &Devnet) -> [Validator; 2] {
    let default = devnet.deployment();
    let known = SessionSignatureStyle::accepted_by(default.session_validator);
    let session_validator = Validator {
        name: "session_validator",
        accepts: known.unwrap_or(&[Eip191, Eip191VPlus4]),
        known: known.is_some(),
        deployment: default.clone(),
    };
    let mut raw = default;
    raw.session_validator = devnet.addresses().raw_hash_session_validator;
    let raw_hash = Validator {
        name: "raw_hash_session_validator",
        deployment: raw.with_session_signature_style(Eip191VPlus4),
        accepts: &[Eip191VPlus4, RawHash],
        known: false,
    };
    [session_validator, raw_hash]
}

/// Grants `incrementNumber()` on `validator` to a fresh key, then uses it once per style (USE mode,
/// no local policy pre-check: the chain decides).
async fn every_style_on(devnet: &Devnet, validator: Validator) {
    let name = validator.name;
    let validator_address = validator.deployment.session_validator;
    let owner = Owner::with_deployment(devnet, validator.deployment)
        .await
        .unwrap();
    let key = PrivateKeySigner::random();
    let json = owner
        .grant(
            PermissionRequest::new(key.address()).action(ActionPermission::new(
                owner.counter,
                counter::INCREMENT_NUMBER,
            )),
        )
        .await
        .unwrap();
    let fees = fixed_fees(devnet).await.unwrap();
    for style in SessionSignatureStyle::ALL {
        let accepted = validator.accepts.contains(&style);
        let before = owner.count().await.unwrap();
        let client = owner
            .session_client_signing(devnet, key.clone(), &json, false, Some(style))
            .await;
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                assert!(
                    validator.known && !accepted,
                    "{name} {style:?}: client refused: {e}"
                );
                assert!(
                    matches!(
                        &e,
                        e2e::SetupError::Nexus(Error::Sessions(
                            nexus_sessions::sessions::Error::SignatureStyleRejected { .. }
                        ))
                    ),
                    "{name} {style:?}: {e:?}"
                );
                eprintln!("{name} {style:?}: refused locally: {e}");
                continue;
            }
        };
        assert_eq!(client.signature_style(), style);
        let outcome = match client
            .use_permission_with(&[counter::increment(owner.counter)], &fees)
            .await
        {
            Ok(hash) => client
                .wait_for_user_operation_receipt(hash)
                .await
                .map(|r| r.success),
            Err(e) => Err(e),
        };
        let after = owner.count().await.unwrap();
        if accepted {
            assert_eq!(outcome.ok(), Some(true), "{name} {style:?} should land");
            assert_eq!(after, before + 1, "{name} {style:?}");
        } else {
            let e = outcome.expect_err("a style the validator does not accept");
            assert_eq!(e.aa_code(), Some(AaCode::AA24), "{name} {style:?}: {e}");
            // Explained: which style was refused by which validator, and what to do.
            assert!(
                matches!(&e, Error::SessionSignatureRejected { style: s, validator: v, .. }
                    if *s == style && *v == validator_address),
                "{name} {style:?}: {e:?}"
            );
            assert_eq!(after, before, "{name} {style:?}: nothing moved");
            eprintln!("{name} {style:?}: refused on chain: {e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_style_lands_where_its_validator_accepts_it_and_is_refused_elsewhere() {
    let devnet = Devnet::start().await.unwrap();
    let [a, b] = validators(&devnet);
    tokio::join!(every_style_on(&devnet, a), every_style_on(&devnet, b));
}

/// ENABLE and UNSAFE_ENABLE (the session key enables and uses in one operation, its signature inside
/// the enable payload) in both styles the raw-hash fixture accepts, on any stack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_modes_in_the_current_validators_styles() {
    use nexus_sessions::sessions::SmartSessionMode;
    let devnet = Devnet::start().await.unwrap();
    let [_, raw_hash] = validators(&devnet);
    let owner = Owner::with_deployment(&devnet, raw_hash.deployment)
        .await
        .unwrap();
    let fees = fixed_fees(&devnet).await.unwrap();
    for (mode, style) in [
        (SmartSessionMode::Enable, Eip191VPlus4),
        (SmartSessionMode::UnsafeEnable, RawHash),
        (SmartSessionMode::Enable, RawHash),
        (SmartSessionMode::UnsafeEnable, Eip191VPlus4),
    ] {
        let key = PrivateKeySigner::random();
        let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
            owner.counter,
            counter::INCREMENT_NUMBER,
        ));
        let data = owner
            .client
            .grant_deferred_permission(&request, mode)
            .await
            .unwrap();
        let session = owner
            .session_client_signing(&devnet, key, &data.to_json(), false, Some(style))
            .await
            .unwrap();
        let before = owner.count().await.unwrap();
        let hash = session
            .use_permission_with(&[counter::increment(owner.counter)], &fees)
            .await
            .unwrap_or_else(|e| panic!("{mode:?} {style:?}: {e}"));
        let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
        assert!(receipt.success, "{mode:?} {style:?}");
        assert_eq!(
            owner.count().await.unwrap(),
            before + 1,
            "{mode:?} {style:?}"
        );
        assert!(
            session.is_permission_enabled().await.unwrap(),
            "{mode:?} {style:?}"
        );
    }
}
