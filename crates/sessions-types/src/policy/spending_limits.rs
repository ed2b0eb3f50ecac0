//! ERC20SpendingLimitPolicy init data.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolValue;

use crate::{Error, Result, codec};

/// One token's cumulative spending limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SpendingLimit {
    /// The ERC-20 token (the action's target).
    pub token: Address,
    /// Total amount that `transfer` / `approve` / `transferFrom` may move.
    pub limit: U256,
}

fn check(limits: &[(Address, U256)]) -> Result<()> {
    if limits.is_empty() {
        return Err(Error::EmptySpendingLimits);
    }
    for (index, (token, limit)) in limits.iter().enumerate() {
        if *token == Address::ZERO {
            return Err(Error::ZeroTokenAddress { index });
        }
        if limit.is_zero() {
            return Err(Error::ZeroSpendingLimit {
                index,
                token: *token,
            });
        }
    }
    Ok(())
}

/// `abi.encode(address[] tokens, uint256[] limits)`. Errors on an empty list, a zero token or a zero limit.
pub fn spending_limits(limits: &[(Address, U256)]) -> Result<Bytes> {
    check(limits)?;
    let tokens: Vec<Address> = limits.iter().map(|(t, _)| *t).collect();
    let amounts: Vec<U256> = limits.iter().map(|(_, l)| *l).collect();
    Ok((tokens, amounts).abi_encode_params().into())
}

/// Decodes `abi.encode(address[], uint256[])`; the lists must have equal, non-zero length and no zero entries.
pub fn decode_spending_limits(data: &[u8]) -> Result<Vec<SpendingLimit>> {
    let (tokens, limits): (Vec<Address>, Vec<U256>) =
        codec::decode_params(data, "ERC20SpendingLimitPolicy init data")?;
    if tokens.len() != limits.len() {
        return Err(Error::SpendingLimitsLengthMismatch {
            tokens: tokens.len(),
            limits: limits.len(),
        });
    }
    let pairs: Vec<(Address, U256)> = tokens.into_iter().zip(limits).collect();
    check(&pairs)?;
    Ok(pairs
        .into_iter()
        .map(|(token, limit)| SpendingLimit { token, limit })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    #[test]
    fn module_sdk_vector() {
        let weth = address!("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
        let limit = U256::from(10u64).pow(U256::from(18));
        let enc = spending_limits(&[(weth, limit)]).unwrap();
        let expected = hex!(
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000080"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000de0b6b3a7640000"
        );
        assert_eq!(enc.as_ref(), &expected[..]);
        assert_eq!(
            decode_spending_limits(&enc).unwrap(),
            vec![SpendingLimit { token: weth, limit }]
        );
    }

    #[test]
    fn errors() {
        let t = address!("0x1111111111111111111111111111111111111111");
        assert!(matches!(
            spending_limits(&[]),
            Err(Error::EmptySpendingLimits)
        ));
        assert!(matches!(
            spending_limits(&[(Address::ZERO, U256::ONE)]),
            Err(Error::ZeroTokenAddress { index: 0 })
        ));
        assert!(matches!(
            spending_limits(&[(t, U256::ONE), (t, U256::ZERO)]),
            Err(Error::ZeroSpendingLimit { index: 1, .. })
        ));
        let mismatched = (vec![t, t], vec![U256::ONE]).abi_encode_params();
        assert!(matches!(
            decode_spending_limits(&mismatched),
            Err(Error::SpendingLimitsLengthMismatch {
                tokens: 2,
                limits: 1
            })
        ));
        let mut trailing = spending_limits(&[(t, U256::ONE)]).unwrap().to_vec();
        trailing.push(0);
        assert!(matches!(
            decode_spending_limits(&trailing),
            Err(Error::TrailingBytes { extra: 1, .. })
        ));
    }
}
