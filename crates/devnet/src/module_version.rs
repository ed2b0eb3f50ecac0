//! Which SmartSession build the devnet placed.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The SmartSession module version (encodings differ between them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModuleVersion {
    /// The pre-v1 build shipped in modulekit 0.5.9 (the devnet's default).
    #[serde(rename = "pre-v1")]
    PreV1,
    /// SmartSession v1.0.0.
    #[serde(rename = "v1")]
    V1,
    /// SmartSession v1 registry-free build.
    #[serde(rename = "v1-registry-free")]
    V1RegistryFree,
}

impl ModuleVersion {
    /// The version's name: `"pre-v1"`, `"v1"` or `"v1-registry-free"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PreV1 => "pre-v1",
            Self::V1 => "v1",
            Self::V1RegistryFree => "v1-registry-free",
        }
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ModuleVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::PreV1, Self::V1, Self::V1RegistryFree]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown module version `{s}`; expected pre-v1, v1 or v1-registry-free")
            })
    }
}
