//! Init data of the standard policies, with decoders.
//!
//! | policy | encoder | decoder |
//! |---|---|---|
//! | SudoPolicy | [`sudo`] (empty) | – |
//! | UniActionPolicy | [`universal_action`] (`abi.encode(ActionConfig)`, 3,136 bytes) | [`ActionConfig::abi_decode`] |
//! | TimeFramePolicy | [`time_frame`] (`uint48 validUntil ‖ uint48 validAfter`, 12 bytes) | [`TimeFrame::decode`] |
//! | TimeFramePolicy (module-sdk 0.1.x/0.2.x deployments) | [`time_frame_legacy`] (32 bytes) | [`TimeFrame::decode_legacy`] |
//! | UsageLimitPolicy | [`usage_limit`] (`uint128`, 16 bytes) | [`decode_usage_limit`] |
//! | ValueLimitPolicy | [`value_limit`] (`abi.encode(uint256)`) | [`decode_value_limit`] |
//! | ERC20SpendingLimitPolicy | [`spending_limits`] (`abi.encode(address[], uint256[])`) | [`decode_spending_limits`] |
//!
//! # JSON configs
//!
//! What a person writes to get a policy's init data, and what its init data decodes to (decode → encode
//! gives the same bytes):
//!
//! | policy | JSON | type |
//! |---|---|---|
//! | SudoPolicy | `{}` | [`SudoConfig`] |
//! | UniActionPolicy | `{"valueLimitPerUse"?, "rules": [{"condition", "argIndex" \| "offset", "ref" \| "min"+"max", "isLimited"?, "limit"?, "used"?}]}` | [`ActionConfig`] |
//! | TimeFramePolicy | `{"validUntil", "validAfter"?, "encoding"?: "uint48-packed" \| "uint128-packed"}` | [`TimeFrameConfig`] |
//! | UsageLimitPolicy | `{"limit"}` (uint128) | [`UsageLimitConfig`] |
//! | ValueLimitPolicy | `{"limit"}` | [`ValueLimitConfig`] |
//! | ERC20SpendingLimitPolicy | `[{"token", "limit"}]` | `Vec<`[`SpendingLimit`]`>` |
//!
//! Integers are read in every form of [`crate::json::number`] and written as decimal strings (times
//! as JSON numbers). A rule's `condition` is `equal`, `greaterThan`, `lessThan`, `greaterThanOrEqual`,
//! `lessThanOrEqual`, `notEqual` or `inRange` (any case); `argIndex` N means byte `offset` 32·N; `ref`
//! is a 20-byte address (left-padded), 32 bytes of hex, a number or a boolean; `inRange` takes `min` and
//! `max` (uint128 each) instead. Unknown fields are refused. Parse with [`crate::json::from_str`] for
//! errors that name the JSON path.
//!
//! ```
//! use nexus_sessions_types::{json, policy::{ActionConfig, TimeFrameConfig, universal_action}};
//!
//! let tf: TimeFrameConfig = json::from_str(r#"{"validUntil": 1735689600}"#)?;
//! assert_eq!(tf.encode()?.len(), 12);
//! let cfg: ActionConfig = json::from_str(
//!     r#"{"rules": [{"condition": "equal", "argIndex": 0, "ref": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}]}"#,
//! )?;
//! let bytes = universal_action(&cfg);
//! let back: ActionConfig = json::from_value(serde_json::to_value(ActionConfig::abi_decode(&bytes)?).unwrap())?;
//! assert_eq!(universal_action(&back), bytes);
//! # Ok::<(), nexus_sessions_types::Error>(())
//! ```

mod json;
mod spending_limits;
mod time_frame;
mod universal_action;

use alloy_primitives::{Bytes, U256};

pub use json::{
    SudoConfig, TimeFrameConfig, TimeFrameEncoding, UsageLimitConfig, ValueLimitConfig,
};
pub use spending_limits::{SpendingLimit, decode_spending_limits, spending_limits};
pub use time_frame::{MAX_UINT48, TimeFrame, time_frame, time_frame_legacy};
pub use universal_action::{
    ActionConfig, ActionConfigBuilder, IntoParamRef, LimitUsage, MAX_PARAM_RULES, ParamCondition,
    ParamRule, arg_offset, universal_action,
};

use crate::{Error, Result};

/// SudoPolicy init data: empty (the policy ignores it).
pub fn sudo() -> Bytes {
    Bytes::new()
}

/// UsageLimitPolicy init data: `abi.encodePacked(uint128 limit)`, 16 bytes. The limit must be non-zero.
pub fn usage_limit(limit: u128) -> Result<Bytes> {
    if limit == 0 {
        return Err(Error::ZeroUsageLimit);
    }
    Ok(Bytes::copy_from_slice(&limit.to_be_bytes()))
}

/// Decodes UsageLimitPolicy init data (exactly 16 bytes, non-zero).
pub fn decode_usage_limit(data: &[u8]) -> Result<u128> {
    let bytes: [u8; 16] = data.try_into().map_err(|_| Error::InitDataLength {
        policy: "UsageLimitPolicy",
        expected: 16,
        actual: data.len(),
    })?;
    match u128::from_be_bytes(bytes) {
        0 => Err(Error::ZeroUsageLimit),
        n => Ok(n),
    }
}

/// ValueLimitPolicy init data: `abi.encode(uint256 limit)` (total ETH value the session may send).
pub fn value_limit(limit: U256) -> Bytes {
    Bytes::copy_from_slice(&limit.to_be_bytes::<32>())
}

/// Decodes ValueLimitPolicy init data (exactly 32 bytes).
pub fn decode_value_limit(data: &[u8]) -> Result<U256> {
    if data.len() != 32 {
        return Err(Error::InitDataLength {
            policy: "ValueLimitPolicy",
            expected: 32,
            actual: data.len(),
        });
    }
    Ok(U256::from_be_slice(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn module_sdk_vectors() {
        assert_eq!(sudo(), Bytes::new());
        assert_eq!(
            usage_limit(10).unwrap(),
            Bytes::from(hex!("0000000000000000000000000000000a"))
        );
        assert_eq!(
            value_limit(U256::from(10u64).pow(U256::from(18))),
            Bytes::from(hex!(
                "0000000000000000000000000000000000000000000000000de0b6b3a7640000"
            ))
        );
    }

    #[test]
    fn limits_round_trip_and_errors() {
        assert!(matches!(usage_limit(0), Err(Error::ZeroUsageLimit)));
        assert_eq!(
            decode_usage_limit(&usage_limit(u128::MAX).unwrap()).unwrap(),
            u128::MAX
        );
        assert!(matches!(
            decode_usage_limit(&[0; 16]),
            Err(Error::ZeroUsageLimit)
        ));
        assert!(matches!(
            decode_usage_limit(&[1; 15]),
            Err(Error::InitDataLength { actual: 15, .. })
        ));
        assert_eq!(
            decode_value_limit(&value_limit(U256::MAX)).unwrap(),
            U256::MAX
        );
        assert!(decode_value_limit(&[0; 33]).is_err());
    }
}
