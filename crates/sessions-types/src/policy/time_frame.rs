//! TimeFramePolicy init data.

use alloy_primitives::Bytes;

use crate::{Error, Result};

/// Largest uint48 value (`2^48 - 1`).
pub const MAX_UINT48: u64 = (1 << 48) - 1;

/// A validity window in unix seconds. `valid_until = 0` means no expiry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimeFrame {
    /// End of the window (inclusive, as validationData validUntil); 0 = none.
    pub valid_until: u64,
    /// Start of the window.
    pub valid_after: u64,
}

impl TimeFrame {
    /// Checks uint48 ranges and `valid_after <= valid_until` (when `valid_until != 0`).
    pub fn new(valid_until: u64, valid_after: u64) -> Result<Self> {
        for (field, value) in [("validUntil", valid_until), ("validAfter", valid_after)] {
            if value > MAX_UINT48 {
                return Err(Error::Uint48Overflow { field, value });
            }
        }
        if valid_until != 0 && valid_after > valid_until {
            return Err(Error::InvalidTimeFrame {
                valid_until,
                valid_after,
            });
        }
        Ok(Self {
            valid_until,
            valid_after,
        })
    }

    /// `abi.encodePacked(uint48 validUntil, uint48 validAfter)` (12 bytes), as the smartsessions
    /// TimeFramePolicy reads it (`uint96(bytes12(initData[0:12]))`).
    pub fn encode(&self) -> Bytes {
        let mut out = [0u8; 12];
        out[..6].copy_from_slice(&self.valid_until.to_be_bytes()[2..]);
        out[6..].copy_from_slice(&self.valid_after.to_be_bytes()[2..]);
        Bytes::copy_from_slice(&out)
    }

    /// The 32-byte `abi.encodePacked(uint128 validUntil, uint128 validAfter)` of module-sdk 0.1.x / 0.2.x
    /// and @biconomy/sdk 0.0.x deployments (TimeFramePolicy at `0x8177…6dc72` / `0x0B7BB9…7805`).
    pub fn encode_legacy(&self) -> Bytes {
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(&u128::from(self.valid_until).to_be_bytes());
        out[16..].copy_from_slice(&u128::from(self.valid_after).to_be_bytes());
        Bytes::copy_from_slice(&out)
    }

    /// Decodes the 12-byte form.
    pub fn decode(data: &[u8]) -> Result<Self> {
        if data.len() != 12 {
            return Err(Error::InitDataLength {
                policy: "TimeFramePolicy",
                expected: 12,
                actual: data.len(),
            });
        }
        let mut until = [0u8; 8];
        until[2..].copy_from_slice(&data[..6]);
        let mut after = [0u8; 8];
        after[2..].copy_from_slice(&data[6..]);
        Self::new(u64::from_be_bytes(until), u64::from_be_bytes(after))
    }

    /// Decodes the 32-byte legacy form; values above uint48 are errors (they cannot be timestamps here).
    pub fn decode_legacy(data: &[u8]) -> Result<Self> {
        if data.len() != 32 {
            return Err(Error::InitDataLength {
                policy: "TimeFramePolicy (legacy)",
                expected: 32,
                actual: data.len(),
            });
        }
        let to_u64 = |field: &'static str, b: &[u8]| -> Result<u64> {
            let v = u128::from_be_bytes(b.try_into().expect("16 bytes"));
            u64::try_from(v).map_err(|_| Error::InvalidField {
                what: "TimeFramePolicy (legacy)",
                reason: format!("{field} = {v} does not fit uint48"),
            })
        };
        Self::new(
            to_u64("validUntil", &data[..16])?,
            to_u64("validAfter", &data[16..])?,
        )
    }
}

/// TimeFramePolicy init data (12 bytes, see [`TimeFrame::encode`]).
pub fn time_frame(valid_until: u64, valid_after: u64) -> Result<Bytes> {
    TimeFrame::new(valid_until, valid_after).map(|t| t.encode())
}

/// Legacy 32-byte TimeFramePolicy init data (see [`TimeFrame::encode_legacy`]).
pub fn time_frame_legacy(valid_until: u64, valid_after: u64) -> Result<Bytes> {
    TimeFrame::new(valid_until, valid_after).map(|t| t.encode_legacy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn encodings() {
        assert_eq!(
            time_frame(0x0102030405, 0x0a).unwrap(),
            Bytes::from(hex!("000102030405 00000000000a"))
        );
        // module-sdk 0.1.28 vector: (1735689600, 0).
        assert_eq!(
            time_frame_legacy(1735689600, 0).unwrap(),
            Bytes::from(hex!(
                "0000000000000000000000006774858000000000000000000000000000000000"
            ))
        );
        let tf = TimeFrame::new(MAX_UINT48, 5).unwrap();
        assert_eq!(TimeFrame::decode(&tf.encode()).unwrap(), tf);
        assert_eq!(TimeFrame::decode_legacy(&tf.encode_legacy()).unwrap(), tf);
    }

    #[test]
    fn errors() {
        assert!(matches!(
            time_frame(MAX_UINT48 + 1, 0),
            Err(Error::Uint48Overflow {
                field: "validUntil",
                ..
            })
        ));
        assert!(matches!(
            time_frame(0, MAX_UINT48 + 1),
            Err(Error::Uint48Overflow {
                field: "validAfter",
                ..
            })
        ));
        assert!(matches!(
            time_frame(10, 11),
            Err(Error::InvalidTimeFrame { .. })
        ));
        assert!(time_frame(0, 11).is_ok(), "validUntil 0 = no expiry");
        assert!(time_frame(11, 11).is_ok());
        assert!(TimeFrame::decode(&[0; 11]).is_err());
        assert!(TimeFrame::decode(&hex!("000000000001 000000000002")).is_err());
        assert!(TimeFrame::decode_legacy(&[0xff; 32]).is_err());
    }
}
