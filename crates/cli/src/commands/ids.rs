//! `permission-id`, `action-id`, `session-digest`, `multichain-hash`.

use std::fmt;

use alloy_primitives::{FixedBytes, U256, keccak256};
use nexus_sessions_types::{ChainDigest, ModuleVersion};
use serde::{
    Deserialize,
    de::{SeqAccess, Visitor},
};
use serde_json::json;

use crate::{
    cli::EnableModeArg,
    error::{Location, Result},
    input,
    output::{self, hex0x},
    session_json,
};

pub(crate) fn permission_id(session: &str) -> Result<()> {
    let (session, _) = session_json::read("--session", session)?;
    output::line(&hex0x(session.permission_id().0));
    Ok(())
}

pub(crate) fn action_id(target: &str, selector: &str) -> Result<()> {
    let target = input::address(target, &Location::new("--target"))?;
    let selector = parse_selector(selector, &Location::new("--selector"))?;
    output::line(&hex0x(nexus_sessions_types::action_id(target, selector).0));
    Ok(())
}

/// A 4-byte hex selector, or a canonical function signature like `transfer(address,uint256)`.
pub(crate) fn parse_selector(s: &str, loc: &Location) -> Result<FixedBytes<4>> {
    let s = s.trim();
    if s.contains('(') {
        if s.chars().any(char::is_whitespace) || !s.ends_with(')') {
            return Err(loc.error(format!(
                "{s:?} is not a canonical function signature (no spaces, no parameter names, e.g. transfer(address,uint256))"
            )));
        }
        Ok(FixedBytes::from_slice(&keccak256(s.as_bytes())[..4]))
    } else {
        input::hex_fixed::<4>(s, loc)
    }
}

pub(crate) struct DigestArgs<'a> {
    pub(crate) session: &'a str,
    pub(crate) version: ModuleVersion,
    pub(crate) account: &'a str,
    pub(crate) smart_session: &'a str,
    pub(crate) mode: EnableModeArg,
    pub(crate) nonce: &'a str,
    pub(crate) chain_id: Option<&'a str>,
    pub(crate) json: bool,
}

pub(crate) fn session_digest(a: &DigestArgs<'_>) -> Result<()> {
    let account = input::address(a.account, &Location::new("--account"))?;
    let smart_session = input::address(a.smart_session, &Location::new("--smart-session"))?;
    let nonce: U256 = input::uint_str(a.nonce, &Location::new("--nonce"))?;
    let arg_chain = a
        .chain_id
        .map(|c| input::u64_str(c, &Location::new("--chain-id")))
        .transpose()?;
    let (session, loc) = session_json::read("--session", a.session)?;
    let chain_id = match (arg_chain, session.chain_id()) {
        (Some(x), Some(y)) if x != y => {
            return Err(Location::new("--chain-id")
                .error(format!("{x} differs from the session file's chainId {y}")));
        }
        (x, y) => x.or(y),
    };
    let session = session_json::bind(session, a.version, &loc)?;
    let digest = nexus_sessions_types::session_digest(
        a.version,
        &session,
        account,
        smart_session,
        a.mode.into(),
        nonce,
    );
    if a.json {
        let Some(chain_id) = chain_id else {
            return Err(Location::new("--json")
                .error("needs --chain-id (or a chainId in the session file) to label the digest"));
        };
        output::json(&json!({"chainId": chain_id, "sessionDigest": hex0x(digest)}));
    } else {
        output::line(&hex0x(digest));
    }
    Ok(())
}

/// Parses `[{"chainId": N, "sessionDigest": "0x…"}, ...]` (at least one).
pub(crate) fn parse_digests(text: &str, loc: &Location) -> Result<Vec<ChainDigest>> {
    let Digests(digests) = input::parse_json(text, loc)?;
    if digests.is_empty() {
        return Err(loc.error("needs at least one {chainId, sessionDigest} entry"));
    }
    Ok(digests)
}

/// The `--digests` list; by hand for a message that names the expected shape.
struct Digests(Vec<ChainDigest>);

impl<'de> Deserialize<'de> for Digests {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Digests;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of {chainId, sessionDigest} entries")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Digests, A::Error> {
                let mut list = Vec::new();
                while let Some(d) = seq.next_element()? {
                    list.push(d);
                }
                Ok(Digests(list))
            }
        }
        d.deserialize_seq(V)
    }
}

pub(crate) fn multichain_hash(version: ModuleVersion, digests: &str) -> Result<()> {
    // The formula is shared, but pre-v1 and v1 name the EIP-712 chain/multichain types differently.
    let (text, loc) = input::inline_text("--digests", digests)?;
    let digests = parse_digests(&text, &loc)?;
    output::line(&hex0x(nexus_sessions_types::multichain_hash(
        version, &digests,
    )));
    Ok(())
}
