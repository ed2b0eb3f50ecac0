//! The anvil state cache: a dump of a fully deployed devnet, keyed by a hash of everything that shaped it,
//! so a warm start loads it instead of deploying again.

use crate::{DevnetAddresses, DevnetError};
use alloy_primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped when the file layout changes.
const FORMAT: u32 = 1;

/// One cached devnet state.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CachedState {
    format: u32,
    pub(crate) key: B256,
    pub(crate) addresses: DevnetAddresses,
    /// keccak of the code at every address, checked after loading.
    pub(crate) code_hashes: Vec<(Address, B256)>,
    /// `anvil_dumpState` output (gzipped JSON).
    pub(crate) state: Bytes,
}

impl CachedState {
    pub(crate) fn new(
        key: B256,
        addresses: DevnetAddresses,
        code_hashes: Vec<(Address, B256)>,
        state: Bytes,
    ) -> Self {
        Self {
            format: FORMAT,
            key,
            addresses,
            code_hashes,
            state,
        }
    }
}

/// `<cache>/devnet-state/<key>.json`.
pub(crate) fn path(cache_dir: &Path, key: B256) -> PathBuf {
    cache_dir.join("devnet-state").join(format!("{key:x}.json"))
}

/// Reads a cached state; anything unreadable or from another key or format is treated as absent.
pub(crate) fn read(path: &Path, key: B256) -> Option<CachedState> {
    let text = std::fs::read(path).ok()?;
    let state: CachedState = serde_json::from_slice(&text).ok()?;
    (state.format == FORMAT && state.key == key && !state.state.is_empty()).then_some(state)
}

/// Writes a cached state atomically (temporary file, then rename), so concurrent test binaries never read
/// a partial file.
pub(crate) fn write(path: &Path, state: &CachedState) -> Result<(), DevnetError> {
    let dir = path.parent().expect("cache path has a parent");
    std::fs::create_dir_all(dir).map_err(|source| DevnetError::Io {
        action: "create state cache directory",
        path: dir.to_path_buf(),
        source,
    })?;
    let tmp = path.with_extension(format!("tmp-{}", crate::process::unique_suffix()));
    let json = serde_json::to_vec(state).expect("CachedState serializes");
    std::fs::write(&tmp, json).map_err(|source| DevnetError::Io {
        action: "write",
        path: tmp.clone(),
        source,
    })?;
    prune(dir, path);
    std::fs::rename(&tmp, path).map_err(|source| DevnetError::Io {
        action: "rename into",
        path: path.to_path_buf(),
        source,
    })
}

/// Cached states other than `keep` that were not touched for this long are deleted.
const RETENTION: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 60 * 60);

/// Removes stale cache files (other keys, left by older bytecode or overrides), so the cache stays small.
fn prune(dir: &Path, keep: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        if path != keep && stale.is_some_and(|age| age > RETENTION) {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_key_mismatch() {
        let dir = std::env::temp_dir().join(format!("devnet-state-cache-{}", std::process::id()));
        let key = B256::repeat_byte(7);
        let file = path(&dir, key);
        let state = CachedState::new(
            key,
            DevnetAddresses::zero(),
            vec![(Address::ZERO, B256::ZERO)],
            vec![1, 2].into(),
        );
        write(&file, &state).unwrap();
        let back = read(&file, key).unwrap();
        assert_eq!(back.state, state.state);
        assert_eq!(back.code_hashes, state.code_hashes);
        assert!(read(&file, B256::repeat_byte(8)).is_none());
        std::fs::write(&file, "{ not json").unwrap();
        assert!(read(&file, key).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
