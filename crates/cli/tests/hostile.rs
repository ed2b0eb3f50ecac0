//! `decode-signature` refuses a hostile ENABLE signature (ABI offset aliasing: a 4.5 KB input that a naive
//! decoder expands to about 1 GB) with the input-error contract, for every module version.

mod common;

use alloy_primitives::hex;
use common::input_error;
use fuzz::hostile::{DEFAULT_ALIASES, DEFAULT_INIT_LEN, aliased_enable_signature};
use nexus_sessions_types::ModuleVersion;

#[test]
fn aliased_enable_signature_is_an_input_error() {
    for version in ModuleVersion::ALL {
        let sig = hex::encode_prefixed(aliased_enable_signature(
            version,
            DEFAULT_ALIASES,
            DEFAULT_INIT_LEN,
        ));
        input_error(
            &[
                "decode-signature",
                "--module-version",
                version.as_str(),
                &sig,
            ],
            &["argument HEX", "invalid ABI layout", "canonical encoding"],
        );
    }
}
