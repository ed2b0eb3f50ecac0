//! Which SmartSession build is targeted, and the signature mode byte.

use core::{fmt, str::FromStr};

use alloy_primitives::{Address, address};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The three SmartSession module versions this crate encodes for.
///
/// Every encoder that differs between versions takes one of these as a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ModuleVersion {
    /// The pre-v1 build shipped in @rhinestone/modulekit 0.5.9 (smartsessions commit `b17010a`):
    /// old `Session` layout, FastLZ-compressed USE signatures, mode hashed into the enable digest.
    PreV1,
    /// Tag v1.0.0: `permitERC4337Paymaster`, `ERC7739Context[]`, raw USE signatures, `SignedSession` EIP-712
    /// types, mode byte in front of the install data. Consults the ERC-7484 registry in ENABLE mode.
    V1,
    /// smartsessions main (Aug 2025): v1.0.0 with the registry removed.
    V1RegistryFree,
}

impl ModuleVersion {
    /// All versions, oldest first.
    pub const ALL: [Self; 3] = [Self::PreV1, Self::V1, Self::V1RegistryFree];

    /// The name used in configuration and JSON: `pre-v1`, `v1` or `v1-registry-free`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PreV1 => "pre-v1",
            Self::V1 => "v1",
            Self::V1RegistryFree => "v1-registry-free",
        }
    }

    /// True for v1.0.0 and v1 registry-free (they share every struct layout and encoding).
    pub const fn is_v1(self) -> bool {
        !matches!(self, Self::PreV1)
    }

    /// True when the USE-mode signature payload is FastLZ-compressed (pre-v1 only).
    pub const fn compresses_use_signature(self) -> bool {
        matches!(self, Self::PreV1)
    }

    /// True when the module consults the ERC-7484 registry in ENABLE mode and direct enables.
    pub const fn uses_registry(self) -> bool {
        !matches!(self, Self::V1RegistryFree)
    }

    /// The canonical deployment address of this version (module-sdk constants; see the address table in
    /// the on-chain reference). For pre-v1 this is where modulekit etches the bytecode in its test setup.
    pub const fn canonical_address(self) -> Address {
        match self {
            Self::PreV1 => address!("0x0000000071727De22e5E9D8bAF0EDAc6F37da034"),
            Self::V1 => address!("0x00000000002B0eCfbD0496EE71e01257dA0E37DE"),
            Self::V1RegistryFree => address!("0x00000000008bDABA73cD9815d79069c247Eb4bDA"),
        }
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ModuleVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| Error::UnknownModuleVersion(s.to_owned()))
    }
}

impl Serialize for ModuleVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ModuleVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Which Nexus account generation a deployment runs. The SmartSession encodings do not depend on it;
/// the account's init data, the owner's nonce key and the SmartSession install do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NexusVersion {
    /// Nexus 1.0.x (the modulekit 0.5.9 dev build, 1.0.1): the bootstrap installs the owner's K1
    /// validator (`initNexusWithSingleValidator`), owner operations name it in the nonce key.
    #[default]
    V1_0,
    /// Nexus 1.2.0 (abstractjs 1.2.x): an immutable default validator (the MEE K1 validator) set up by
    /// `initNexusWithDefaultValidatorAndOtherModulesNoRegistry`; owner operations name `address(0)`
    /// in the nonce key; SmartSession must also be a safe sender of the default validator.
    V1_2,
}

impl NexusVersion {
    /// Every version, oldest first.
    pub const ALL: [Self; 2] = [Self::V1_0, Self::V1_2];

    /// The name used in configuration and JSON: `1.0` or `1.2`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_0 => "1.0",
            Self::V1_2 => "1.2",
        }
    }

    /// True when the account has a built-in default validator, selected by `address(0)`.
    pub const fn has_default_validator(self) -> bool {
        matches!(self, Self::V1_2)
    }
}

impl fmt::Display for NexusVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NexusVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| Error::InvalidField {
                what: "Nexus version",
                reason: format!("{s:?} is not one of 1.0, 1.2"),
            })
    }
}

impl Serialize for NexusVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NexusVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The first byte of a SmartSession userOp signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SmartSessionMode {
    /// Use an already enabled permission.
    Use = 0,
    /// Enable the session in the same userOp, checking policies and validator in the registry.
    Enable = 1,
    /// Enable the session without the registry check.
    UnsafeEnable = 2,
}

impl SmartSessionMode {
    /// The mode byte.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The reference SDKs' string form: `0x00`, `0x01` or `0x02`.
    pub const fn as_hex(self) -> &'static str {
        match self {
            Self::Use => "0x00",
            Self::Enable => "0x01",
            Self::UnsafeEnable => "0x02",
        }
    }

    /// True for ENABLE and UNSAFE_ENABLE.
    pub const fn is_enable(self) -> bool {
        !matches!(self, Self::Use)
    }
}

impl TryFrom<u8> for SmartSessionMode {
    type Error = Error;

    fn try_from(b: u8) -> Result<Self, Error> {
        match b {
            0 => Ok(Self::Use),
            1 => Ok(Self::Enable),
            2 => Ok(Self::UnsafeEnable),
            other => Err(Error::InvalidMode(other)),
        }
    }
}

impl From<SmartSessionMode> for u8 {
    fn from(m: SmartSessionMode) -> Self {
        m.as_u8()
    }
}

impl fmt::Display for SmartSessionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Use => "USE",
            Self::Enable => "ENABLE",
            Self::UnsafeEnable => "UNSAFE_ENABLE",
        })
    }
}

impl FromStr for SmartSessionMode {
    type Err = Error;

    /// Accepts the hex form (`0x00`, `0x1`, …) and the names (`USE`, `ENABLE`, `UNSAFE_ENABLE`, any case).
    fn from_str(s: &str) -> Result<Self, Error> {
        if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            let b = u8::from_str_radix(hex, 16).map_err(|_| Error::InvalidField {
                what: "smart session mode",
                reason: format!("{s:?} is not a hex byte"),
            })?;
            return Self::try_from(b);
        }
        match s.to_ascii_uppercase().as_str() {
            "USE" => Ok(Self::Use),
            "ENABLE" => Ok(Self::Enable),
            "UNSAFE_ENABLE" => Ok(Self::UnsafeEnable),
            _ => Err(Error::InvalidField {
                what: "smart session mode",
                reason: format!("{s:?} is not USE, ENABLE, UNSAFE_ENABLE or 0x00..0x02"),
            }),
        }
    }
}

/// Serialized as the reference SDKs do: the strings `"0x00"`, `"0x01"`, `"0x02"`.
impl Serialize for SmartSessionMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_hex())
    }
}

impl<'de> Deserialize<'de> for SmartSessionMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nexus_version_names_round_trip() {
        for v in NexusVersion::ALL {
            assert_eq!(v.as_str().parse::<NexusVersion>().unwrap(), v);
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<NexusVersion>(&json).unwrap(), v);
        }
        assert!("1.1".parse::<NexusVersion>().is_err());
        assert!(NexusVersion::V1_2.has_default_validator());
        assert!(!NexusVersion::default().has_default_validator());
    }

    #[test]
    fn version_names_round_trip() {
        for v in ModuleVersion::ALL {
            assert_eq!(v.to_string().parse::<ModuleVersion>().unwrap(), v);
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<ModuleVersion>(&json).unwrap(), v);
        }
        assert!("v2".parse::<ModuleVersion>().is_err());
    }

    #[test]
    fn mode_bytes() {
        for b in 0u8..=255 {
            match SmartSessionMode::try_from(b) {
                Ok(m) => assert_eq!(m.as_u8(), b),
                Err(Error::InvalidMode(x)) => assert!(b > 2 && x == b),
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(
            "0x02".parse::<SmartSessionMode>().unwrap(),
            SmartSessionMode::UnsafeEnable
        );
        assert_eq!(
            "enable".parse::<SmartSessionMode>().unwrap(),
            SmartSessionMode::Enable
        );
        assert!("0x03".parse::<SmartSessionMode>().is_err());
        assert!("0xzz".parse::<SmartSessionMode>().is_err());
    }
}
