//! Session validator init data for rhinestone's OwnableValidator.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolValue;

use crate::{Error, ModuleVersion, Result, codec};

/// Most OwnableValidator owners accepted as session validator init data.
///
/// SmartSession stores the init data with FlatBytes in 10 slots (320 bytes). `abi.encode(uint256,
/// address[])` is `96 + 32·n` bytes, so 7 owners would fill exactly 320 bytes, but the FlatBytes pinned at
/// pre-v1 writes an 11th slot at exactly 320 bytes. The v1 FlatBytes could not be checked against the
/// deployed bytecode, so the safe limit of 6 applies to every version.
pub const MAX_SESSION_VALIDATOR_OWNERS: usize = 6;

/// Largest session validator init data SmartSession can store (FlatBytes, 10 × 32 bytes).
pub const MAX_SESSION_VALIDATOR_DATA_LEN: usize = 320;

/// The owner limit for `version` (see [`MAX_SESSION_VALIDATOR_OWNERS`]).
pub const fn max_owners(_version: ModuleVersion) -> usize {
    MAX_SESSION_VALIDATOR_OWNERS
}

/// OwnableValidator config: signature threshold and owners in strictly ascending numeric order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OwnableValidatorConfig {
    /// Signatures needed.
    pub threshold: u64,
    /// Owners, sorted by uint160 value, unique.
    pub owners: Vec<Address>,
}

impl OwnableValidatorConfig {
    /// Sorts owners by numeric value and checks threshold, duplicates, zero owner and size for every version.
    pub fn new(threshold: u64, owners: &[Address]) -> Result<Self> {
        let mut sorted = owners.to_vec();
        // Address compares bytewise big-endian, which is uint160 order (not JS string order).
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateOwner(w[0]));
        }
        if sorted.first() == Some(&Address::ZERO) {
            return Err(Error::ZeroOwner);
        }
        if threshold == 0 {
            return Err(Error::ZeroThreshold);
        }
        if threshold > sorted.len() as u64 {
            return Err(Error::ThresholdExceedsOwners {
                threshold,
                owners: sorted.len(),
            });
        }
        Ok(Self {
            threshold,
            owners: sorted,
        })
    }

    /// Checks the owner count against `version`'s storage limit.
    pub fn check_size(&self, version: ModuleVersion) -> Result<()> {
        let max = max_owners(version);
        if self.owners.len() > max {
            return Err(Error::TooManyOwners {
                count: self.owners.len(),
                bytes: 96 + 32 * self.owners.len(),
                max,
                version,
            });
        }
        Ok(())
    }

    /// `abi.encode(uint256 threshold, address[] owners)`.
    pub fn abi_encode(&self) -> Bytes {
        (U256::from(self.threshold), self.owners.clone())
            .abi_encode_params()
            .into()
    }

    /// Decodes and checks init data: owners must already be strictly ascending, as the validator requires.
    pub fn abi_decode(data: &[u8]) -> Result<Self> {
        let (threshold, owners): (U256, Vec<Address>) =
            codec::decode_params(data, "OwnableValidator init data")?;
        let threshold = u64::try_from(threshold).map_err(|_| Error::InvalidField {
            what: "OwnableValidator threshold",
            reason: format!("{threshold} exceeds the number of possible owners"),
        })?;
        if owners.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::InvalidField {
                what: "OwnableValidator owners",
                reason: "not strictly ascending by numeric value (the validator would reject every signature)"
                    .to_owned(),
            });
        }
        Self::new(threshold, &owners)
    }
}

/// OwnableValidator init data: owners sorted by uint160, unique; `0 < threshold <= owners`; at most
/// [`MAX_SESSION_VALIDATOR_OWNERS`] owners (see there why).
///
/// ```
/// use alloy_primitives::address;
/// let data = nexus_sessions_types::ownable_validator_init_data(1, &[address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")])?;
/// assert_eq!(data.len(), 128);
/// # Ok::<(), nexus_sessions_types::Error>(())
/// ```
pub fn ownable_validator_init_data(threshold: u64, owners: &[Address]) -> Result<Bytes> {
    ownable_validator_init_data_for(ModuleVersion::PreV1, threshold, owners)
}

/// [`ownable_validator_init_data`] with the size limit of a given version.
pub fn ownable_validator_init_data_for(
    version: ModuleVersion,
    threshold: u64,
    owners: &[Address],
) -> Result<Bytes> {
    let cfg = OwnableValidatorConfig::new(threshold, owners)?;
    cfg.check_size(version)?;
    Ok(cfg.abi_encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    #[test]
    fn vector_and_sorting() {
        let sk = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        let data = ownable_validator_init_data(1, &[sk]).unwrap();
        assert_eq!(
            data.as_ref(),
            &hex!(
                "0000000000000000000000000000000000000000000000000000000000000001"
                "0000000000000000000000000000000000000000000000000000000000000040"
                "0000000000000000000000000000000000000000000000000000000000000001"
                "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
            )[..]
        );
        // Checksummed strings sort "B" before "a"; numeric order puts 0xa… before 0xB….
        let a = address!("0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        let b = address!("0xBbBBbbBBbbbBbBbBbbbbbBbBbbBbbBbbbbBbbBbb");
        let cfg = OwnableValidatorConfig::new(2, &[b, a]).unwrap();
        assert_eq!(cfg.owners, vec![a, b]);
        assert_eq!(
            OwnableValidatorConfig::abi_decode(&cfg.abi_encode()).unwrap(),
            cfg
        );
    }

    #[test]
    fn errors() {
        let o = |i: u8| Address::repeat_byte(i);
        assert!(matches!(
            ownable_validator_init_data(0, &[o(1)]),
            Err(Error::ZeroThreshold)
        ));
        assert!(matches!(
            ownable_validator_init_data(2, &[o(1)]),
            Err(Error::ThresholdExceedsOwners { .. })
        ));
        assert!(matches!(
            ownable_validator_init_data(1, &[]),
            Err(Error::ThresholdExceedsOwners { owners: 0, .. })
        ));
        assert!(matches!(
            ownable_validator_init_data(1, &[o(1), o(1)]),
            Err(Error::DuplicateOwner(_))
        ));
        assert!(matches!(
            ownable_validator_init_data(1, &[Address::ZERO]),
            Err(Error::ZeroOwner)
        ));
        let six: Vec<_> = (1..=6).map(o).collect();
        assert_eq!(
            ownable_validator_init_data(3, &six).unwrap().len(),
            96 + 32 * 6
        );
        let seven: Vec<_> = (1..=7).map(o).collect();
        for v in ModuleVersion::ALL {
            let err = ownable_validator_init_data_for(v, 3, &seven).unwrap_err();
            assert!(matches!(
                err,
                Error::TooManyOwners {
                    count: 7,
                    bytes: 320,
                    max: 6,
                    ..
                }
            ));
            assert!(err.to_string().contains("11th slot"));
        }
        // Unsorted init data is rejected by the decoder (the validator would never accept a signature).
        let unsorted = (U256::ONE, vec![o(2), o(1)]).abi_encode_params();
        assert!(OwnableValidatorConfig::abi_decode(&unsorted).is_err());
    }
}
