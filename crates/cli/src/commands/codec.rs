//! `encode-use`, `decode-signature`, `flz`, `userop-hash`.

use alloy_primitives::Bytes;
use nexus_sessions_types::{ModuleVersion, SmartSessionMode, SmartSessionSignature};
use serde_json::{Value, json};

use crate::{
    cli::FlzCommand,
    commands::hex_arg,
    error::{Location, Result},
    input,
    output::{self, hex0x},
    session_json,
};

pub(crate) fn encode_use(
    version: ModuleVersion,
    permission_id: &str,
    signature: &str,
) -> Result<()> {
    let permission_id = input::hex_b256(permission_id, &Location::new("--permission-id"))?;
    let signature = input::hex_bytes(signature, &Location::new("--signature"))?;
    let encoded = SmartSessionSignature::Use {
        permission_id: permission_id.into(),
        signature: Bytes::from(signature),
    }
    .encode(version);
    output::line(&hex0x(encoded));
    Ok(())
}

fn mode_name(mode: SmartSessionMode) -> &'static str {
    match mode {
        SmartSessionMode::Use => "use",
        SmartSessionMode::Enable => "enable",
        SmartSessionMode::UnsafeEnable => "unsafe-enable",
    }
}

pub(crate) fn decode_signature(version: ModuleVersion, signature: &str) -> Result<()> {
    let bytes = hex_arg("argument HEX", signature)?;
    let loc = Location::new("argument HEX");
    let decoded =
        SmartSessionSignature::decode(version, &bytes).map_err(|e| loc.error(e.to_string()))?;
    output::json(&signature_json(version, &decoded));
    Ok(())
}

/// The `decode-signature` JSON of a decoded signature.
pub(crate) fn signature_json(version: ModuleVersion, sig: &SmartSessionSignature) -> Value {
    match sig {
        SmartSessionSignature::Use {
            permission_id,
            signature,
        } => json!({
            "moduleVersion": version.as_str(),
            "mode": mode_name(SmartSessionMode::Use),
            "modeByte": SmartSessionMode::Use.as_hex(),
            "permissionId": hex0x(permission_id.0),
            "sessionKeySignature": hex0x(signature),
            "problems": [],
        }),
        SmartSessionSignature::Enable {
            mode,
            enable_session,
            signature,
        } => {
            let e = enable_session;
            let session = &e.session;
            let pid = session.permission_id();
            let digests: Vec<Value> = e
                .hashes_and_chain_ids
                .iter()
                .map(|d| json!({"chainId": d.chain_id, "sessionDigest": hex0x(d.session_digest)}))
                .collect();
            let this_chain = e
                .hashes_and_chain_ids
                .get(usize::from(e.chain_digest_index))
                .map(|d| d.chain_id);
            let sig = &e.permission_enable_sig;
            let nexus = if sig.len() >= 20 {
                json!({"validator": hex0x(&sig[..20]), "signature": hex0x(&sig[20..])})
            } else {
                Value::Null
            };
            // Things that decode but fail on-chain: what someone debugging an AA23/AA24 wants first.
            let mut problems = Vec::new();
            let n = e.hashes_and_chain_ids.len();
            if usize::from(e.chain_digest_index) >= n {
                problems.push(format!(
                    "chainDigestIndex {} is out of range for {n} chain digest(s): SmartSession panics (0x32)",
                    e.chain_digest_index
                ));
            }
            if sig.len() < 20 {
                problems.push(format!(
                    "permissionEnableSig is {} bytes: Nexus needs a 20-byte validator address first",
                    sig.len()
                ));
            }
            json!({
                "moduleVersion": version.as_str(),
                "mode": mode_name(*mode),
                "modeByte": mode.as_hex(),
                "permissionId": hex0x(pid.0),
                "sessionKeySignature": hex0x(signature),
                "enableSession": {
                    "chainDigestIndex": e.chain_digest_index,
                    "hashesAndChainIds": digests,
                    "sessionToEnable": session_json::to_json(session, version, this_chain),
                    "permissionEnableSig": hex0x(sig),
                },
                "permissionEnableSigNexus": nexus,
                "permissionEnableHash": hex0x(nexus_sessions_types::multichain_hash(version, &e.hashes_and_chain_ids)),
                "problems": problems,
            })
        }
    }
}

pub(crate) fn flz(cmd: FlzCommand) -> Result<()> {
    match cmd {
        FlzCommand::Compress { data } => {
            let bytes = hex_arg("argument HEX", &data)?;
            output::line(&hex0x(nexus_sessions_types::flz::compress(&bytes)));
        }
        FlzCommand::Decompress { data } => {
            let bytes = hex_arg("argument HEX", &data)?;
            let out = nexus_sessions_types::flz::decompress(&bytes).map_err(|e| {
                Location::new("argument HEX").error(format!("bad FastLZ stream: {e}"))
            })?;
            output::line(&hex0x(out));
        }
    }
    Ok(())
}

pub(crate) fn userop_hash(path: &str, entry_point: &str, chain_id: &str) -> Result<()> {
    let entry_point = input::address(entry_point, &Location::new("--entry-point"))?;
    let chain_id = input::u64_str(chain_id, &Location::new("--chain-id"))?;
    let (value, loc) = input::json_file::<Value>("--userop", path)?;
    let op: nexus_sessions_userop::UserOperation =
        input::typed_value(value, &loc, "not a v0.7 user operation")?;
    output::line(&hex0x(op.hash(entry_point, chain_id)));
    Ok(())
}
