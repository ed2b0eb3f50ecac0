//! Strict ABI decoding: decode, re-encode, and require the input to be exactly the canonical encoding.
//!
//! Solidity itself would accept some non-canonical encodings, but everything this crate decodes was produced
//! by a standard encoder; anything else (trailing garbage, odd offsets, dirty padding) is reported instead
//! of being silently accepted or dropped. Before decoding, [`crate::abi::layout`] checks every offset and length
//! against the input, so a hostile encoding cannot make the decoder allocate more than the input holds.

use alloy_sol_types::{SolType, SolValue};

use crate::{
    Error, Result,
    abi::layout::{self, AbiShape},
};

fn compare(data: &[u8], canonical: &[u8], what: &'static str) -> Result<()> {
    if canonical == data {
        Ok(())
    } else if data.len() > canonical.len() && data.starts_with(canonical) {
        Err(Error::TrailingBytes {
            what,
            extra: data.len() - canonical.len(),
        })
    } else {
        Err(Error::NonCanonicalAbi { what })
    }
}

/// `abi.decode(data, (T))` for a single value, exact.
pub(crate) fn decode_single<T>(data: &[u8], what: &'static str) -> Result<T>
where
    T: SolValue + From<<T::SolType as SolType>::RustType> + AbiShape,
{
    layout::check_single::<T>(data, what)?;
    let value = T::abi_decode(data).map_err(|source| Error::Abi { what, source })?;
    compare(data, &value.abi_encode(), what)?;
    Ok(value)
}

/// `abi.decode(data, (A, B, …))` for a parameter list, exact.
pub(crate) fn decode_params<T>(data: &[u8], what: &'static str) -> Result<T>
where
    T: SolValue + From<<T::SolType as SolType>::RustType> + AbiShape,
    for<'a> <T::SolType as SolType>::Token<'a>: alloy_sol_types::abi::TokenSeq<'a>,
{
    layout::check_params::<T>(data, what)?;
    let value = T::abi_decode_params(data).map_err(|source| Error::Abi { what, source })?;
    compare(data, &value.abi_encode_params(), what)?;
    Ok(value)
}
