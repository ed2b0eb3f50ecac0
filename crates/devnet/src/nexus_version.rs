//! Which Nexus build a devnet runs.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The Nexus account build placed on a devnet: the default (modulekit's 1.0.1 dev build) or one
/// declared by the override manifest (`nexus_implementation.nexus_version`). Tests and demos pick their
/// flow from it, so one suite runs on every stack.
///
/// ```
/// use devnet::NexusVersion;
/// let v: NexusVersion = "1.2.0".parse().unwrap();
/// assert!(v.has_default_validator());
/// assert_eq!(v.account_id(), "biconomy.nexus.1.2.0");
/// assert_eq!(NexusVersion::V1_0_1Dev.to_string(), "1.0.1-dev");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NexusVersion {
    /// The Nexus 1.0.1 dev build shipped in @rhinestone/modulekit 0.5.9 (NexusProxy accounts, owner
    /// validator installed by `initNexusWithSingleValidator`).
    #[serde(rename = "1.0.1-dev")]
    V1_0_1Dev,
    /// Nexus 1.2.0 as abstractjs 1.2.3 deploys it: an immutable default validator (the MEE K1
    /// validator) used for validator `address(0)`, the `…DefaultValidator…NoRegistry` bootstrap.
    #[serde(rename = "1.2.0")]
    V1_2_0,
}

impl NexusVersion {
    /// Every version, oldest first.
    pub const ALL: [Self; 2] = [Self::V1_0_1Dev, Self::V1_2_0];

    /// The name used in the manifest and in JSON: `1.0.1-dev` or `1.2.0`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_0_1Dev => "1.0.1-dev",
            Self::V1_2_0 => "1.2.0",
        }
    }

    /// What the implementation's `accountId()` returns; the devnet checks it after placing the
    /// contracts (the 1.0.1 dev build still says 1.0.0).
    pub const fn account_id(self) -> &'static str {
        match self {
            Self::V1_0_1Dev => "biconomy.nexus.1.0.0",
            Self::V1_2_0 => "biconomy.nexus.1.2.0",
        }
    }

    /// True when accounts have an immutable default validator (1.2): owner operations name validator
    /// `address(0)` and the manifest's `account_validator` is that default validator.
    pub const fn has_default_validator(self) -> bool {
        matches!(self, Self::V1_2_0)
    }
}

impl fmt::Display for NexusVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NexusVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!(
                    "unknown Nexus version {s:?}; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_text_and_json() {
        for v in NexusVersion::ALL {
            assert_eq!(v.as_str().parse::<NexusVersion>(), Ok(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            assert_eq!(serde_json::from_str::<NexusVersion>(&json).unwrap(), v);
        }
        assert!("1.2".parse::<NexusVersion>().unwrap_err().contains("1.2.0"));
        assert!(!NexusVersion::V1_0_1Dev.has_default_validator());
    }
}
