//! Hostile inputs built in code: small encodings that a naive ABI decoder turns into gigabytes.
//!
//! The aliasing attack: a `userOpPolicies` array of `aliases` offsets that all point at one `PolicyData`
//! whose `initData` is `init_len` bytes. The encoding holds the init data once; a decoder that follows
//! every offset copies it `aliases` times. FastLZ (the ENABLE payload is compressed) shrinks the repeated
//! offset words and the zero init data to a few KB.

use alloy_primitives::U256;
use nexus_sessions_types::{ModuleVersion, SmartSessionMode, flz};

/// Aliases and init-data size of the default hostile input: about 1.1 GB if decoded naively.
pub const DEFAULT_ALIASES: usize = 6_000;
/// See [`DEFAULT_ALIASES`].
pub const DEFAULT_INIT_LEN: usize = 192_000;

fn word(n: usize) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}

/// A tuple's canonical encoding: static words in the head, dynamic parts as offsets to their tails.
enum Part {
    Word(usize),
    Tail(Vec<u8>),
}

fn tuple(parts: Vec<Part>) -> Vec<u8> {
    let head_len = 32 * parts.len();
    let mut head = Vec::with_capacity(head_len);
    let mut tail = Vec::new();
    for part in parts {
        match part {
            Part::Word(n) => head.extend_from_slice(&word(n)),
            Part::Tail(bytes) => {
                head.extend_from_slice(&word(head_len + tail.len()));
                tail.extend_from_slice(&bytes);
            }
        }
    }
    head.extend_from_slice(&tail);
    head
}

fn bytes(len: usize) -> Vec<u8> {
    let mut out = word(len).to_vec();
    out.resize(32 + len.div_ceil(32) * 32, 0);
    out
}

fn empty_array() -> Vec<u8> {
    word(0).to_vec()
}

/// `PolicyData[]` of `aliases` entries whose offsets all point at the same `PolicyData`.
fn aliased_policies(aliases: usize, init_len: usize) -> Vec<u8> {
    let mut out = word(aliases).to_vec();
    for _ in 0..aliases {
        out.extend_from_slice(&word(32 * aliases));
    }
    out.extend_from_slice(&tuple(vec![
        Part::Word(0x1234),
        Part::Tail(bytes(init_len)),
    ]));
    out
}

/// The encoded `Session` tuple of `version` with aliased `userOpPolicies`.
pub fn aliased_session(version: ModuleVersion, aliases: usize, init_len: usize) -> Vec<u8> {
    // ERC7739Data: two empty lists in both layouts.
    let erc7739 = tuple(vec![Part::Tail(empty_array()), Part::Tail(empty_array())]);
    let mut parts = vec![
        Part::Word(0x2483),
        Part::Tail(bytes(0)),
        Part::Word(1),
        Part::Tail(aliased_policies(aliases, init_len)),
        Part::Tail(erc7739),
        Part::Tail(empty_array()),
    ];
    if version.is_v1() {
        parts.push(Part::Word(0));
    }
    tuple(parts)
}

/// The raw (uncompressed) ENABLE payload `abi.encode(EnableSession, bytes)` with an aliased session.
pub fn aliased_enable_payload(version: ModuleVersion, aliases: usize, init_len: usize) -> Vec<u8> {
    let chain_digests = {
        let mut out = word(1).to_vec();
        out.extend_from_slice(&word(1));
        out.extend_from_slice(&[0x11; 32]);
        out
    };
    let enable_session = tuple(vec![
        Part::Word(0),
        Part::Tail(chain_digests),
        Part::Tail(aliased_session(version, aliases, init_len)),
        Part::Tail(bytes(65)),
    ]);
    tuple(vec![Part::Tail(enable_session), Part::Tail(bytes(65))])
}

/// A complete ENABLE userOp signature (mode byte + FastLZ payload) with an aliased session.
pub fn aliased_enable_signature(
    version: ModuleVersion,
    aliases: usize,
    init_len: usize,
) -> Vec<u8> {
    let mut sig = vec![SmartSessionMode::Enable.as_u8()];
    sig.extend_from_slice(&flz::compress(&aliased_enable_payload(
        version, aliases, init_len,
    )));
    sig
}

/// SmartSession `onInstall` data (`Session[]`, v1 with its mode byte) holding one aliased session.
pub fn aliased_install_data(version: ModuleVersion, aliases: usize, init_len: usize) -> Vec<u8> {
    let mut list = word(1).to_vec();
    list.extend_from_slice(&word(32));
    list.extend_from_slice(&aliased_session(version, aliases, init_len));
    let encoded = tuple(vec![Part::Tail(list)]);
    if version.is_v1() {
        let mut out = vec![SmartSessionMode::Enable.as_u8()];
        out.extend_from_slice(&encoded);
        out
    } else {
        encoded
    }
}
