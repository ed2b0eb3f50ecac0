//! ABI layout pre-pass: checks every offset and length of an encoding against the input before decoding.
//!
//! A standard ABI decoder follows offsets wherever they point and copies what it finds, so a few KB whose
//! array offsets all point at one large element decode into gigabytes (offset aliasing), and a length word
//! may claim more elements than the input holds. Everything this crate decodes must be the canonical
//! encoding anyway (its decoders re-encode and compare), and in the canonical encoding each dynamic
//! element starts exactly where the previous one ended. This pass walks the type's [`Shape`] without
//! allocating and requires exactly that, so the decoder that runs afterwards produces at most as many bytes
//! as the input holds, and hostile layouts are refused in time linear in the input size.
//!
//! This crate's decoders run it on every input; [`check`] runs it for other ABI types.
//!
//! ```
//! use alloy_sol_types::SolValue;
//! use nexus_sessions_types::abi::layout::{Shape, check};
//!
//! // (address, uint256, bytes)[]
//! let shape = Shape::Array(Box::new(Shape::Tuple(vec![Shape::Words(1), Shape::Words(1), Shape::Bytes])));
//! let list = vec![(nexus_sessions_types::Address::ZERO, nexus_sessions_types::U256::ZERO, nexus_sessions_types::Bytes::new())];
//! let data = list.abi_encode();
//! assert!(check(&data, &[shape.clone()], "executions").is_ok());
//! // The same with its two offsets pointing at one element: refused.
//! let mut two = vec![(nexus_sessions_types::Address::ZERO, nexus_sessions_types::U256::ZERO, nexus_sessions_types::Bytes::new()); 2]
//!     .abi_encode();
//! two[127] = 0x40; // second offset := first offset
//! assert!(check(&two, &[shape], "executions").is_err());
//! ```

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolType;

use crate::{
    Error, Result,
    abi::{policy, pre_v1, v1},
};

/// The ABI shape of a type: enough to walk its encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A static value of this many 32-byte words.
    Words(usize),
    /// `bytes` or `string`.
    Bytes,
    /// `T[]`.
    Array(Box<Self>),
    /// A struct or tuple.
    Tuple(Vec<Self>),
}

impl Shape {
    fn is_dynamic(&self) -> bool {
        match self {
            Self::Words(_) => false,
            Self::Bytes | Self::Array(_) => true,
            Self::Tuple(items) => items.iter().any(Self::is_dynamic),
        }
    }

    /// Bytes this shape takes in its parent's head: an offset word if dynamic, else its words.
    fn head_len(&self) -> usize {
        match self {
            Self::Words(n) => 32 * n,
            Self::Tuple(items) if !self.is_dynamic() => items.iter().map(Self::head_len).sum(),
            _ => 32,
        }
    }
}

/// Types whose encoding the pre-pass can walk.
pub(crate) trait AbiShape {
    fn shape() -> Shape;
}

/// Static types: their encoded size is all the pre-pass needs.
macro_rules! static_shape {
    ($($t:ty),* $(,)?) => {$(
        impl AbiShape for $t {
            fn shape() -> Shape {
                Shape::Words(<$t as alloy_sol_types::SolValue>::SolType::ENCODED_SIZE.unwrap_or(32) / 32)
            }
        }
    )*};
}
static_shape!(
    Address,
    U256,
    B256,
    pre_v1::ChainDigest,
    v1::ChainDigest,
    policy::ActionConfig,
);

impl AbiShape for Bytes {
    fn shape() -> Shape {
        Shape::Bytes
    }
}

impl AbiShape for String {
    fn shape() -> Shape {
        Shape::Bytes
    }
}

impl<T: AbiShape> AbiShape for Vec<T> {
    fn shape() -> Shape {
        Shape::Array(Box::new(T::shape()))
    }
}

impl<A: AbiShape, B: AbiShape> AbiShape for (A, B) {
    fn shape() -> Shape {
        Shape::Tuple(vec![A::shape(), B::shape()])
    }
}

/// Structs: the shapes of their fields, in declaration order.
macro_rules! struct_shape {
    ($($t:ty => [$($field:ty),* $(,)?];)*) => {$(
        impl AbiShape for $t {
            fn shape() -> Shape {
                Shape::Tuple(vec![$(<$field as AbiShape>::shape()),*])
            }
        }
    )*};
}

// Field types mirror the `sol!` declarations in `abi/pre_v1.rs` and `abi/v1.rs`; a mismatch makes the
// golden and round-trip tests fail, since every decode runs this pass first.
struct_shape! {
    pre_v1::PolicyData => [Address, Bytes];
    pre_v1::ActionData => [B256, Address, Vec<pre_v1::PolicyData>];
    pre_v1::ERC7739Data => [Vec<String>, Vec<pre_v1::PolicyData>];
    pre_v1::Session => [
        Address, Bytes, B256, Vec<pre_v1::PolicyData>, pre_v1::ERC7739Data, Vec<pre_v1::ActionData>,
    ];
    pre_v1::EnableSession => [U256, Vec<pre_v1::ChainDigest>, pre_v1::Session, Bytes];
    v1::PolicyData => [Address, Bytes];
    v1::ActionData => [B256, Address, Vec<v1::PolicyData>];
    v1::ERC7739Context => [B256, Vec<String>];
    v1::ERC7739Data => [Vec<v1::ERC7739Context>, Vec<v1::PolicyData>];
    v1::Session => [
        Address, Bytes, B256, Vec<v1::PolicyData>, v1::ERC7739Data, Vec<v1::ActionData>, U256,
    ];
    v1::EnableSession => [U256, Vec<v1::ChainDigest>, v1::Session, Bytes];
}

/// Checks that `data` is laid out as the canonical `abi.encode(items…)` (a parameter list; one item for
/// `abi.encode(value)`): every offset where the standard encoder puts it, every length within the input, no
/// trailing bytes. `what` names the data in the error ([`crate::Error::AbiLayout`] or
/// [`crate::Error::TrailingBytes`]).
pub fn check(data: &[u8], items: &[Shape], what: &'static str) -> Result<()> {
    Walker { data, what }.top(items)
}

/// Checks the layout of `abi.encode(T)` (one value).
pub(crate) fn check_single<T: AbiShape>(data: &[u8], what: &'static str) -> Result<()> {
    check(data, &[T::shape()], what)
}

/// Checks the layout of `abi.encode(A, B, …)` (a parameter list; `T` is the tuple).
pub(crate) fn check_params<T: AbiShape>(data: &[u8], what: &'static str) -> Result<()> {
    match T::shape() {
        Shape::Tuple(items) => check(data, &items, what),
        single => check(data, &[single], what),
    }
}

struct Walker<'a> {
    data: &'a [u8],
    what: &'static str,
}

impl Walker<'_> {
    fn error(&self, position: usize, reason: String) -> Error {
        Error::AbiLayout {
            what: self.what,
            position,
            reason,
        }
    }

    fn top(&self, items: &[Shape]) -> Result<()> {
        let end = self.tuple(0, items.iter())?;
        if end < self.data.len() {
            return Err(Error::TrailingBytes {
                what: self.what,
                extra: self.data.len() - end,
            });
        }
        Ok(())
    }

    /// A word read as a length or offset; it must fit the input (anything larger is a lie).
    fn word(&self, at: usize, name: &str) -> Result<usize> {
        let Some(word) = self.data.get(at..at + 32) else {
            return Err(self.error(
                at,
                format!(
                    "{name} word needs 32 bytes, {} remain",
                    self.data.len().saturating_sub(at)
                ),
            ));
        };
        let value = U256::from_be_slice(word);
        usize::try_from(value)
            .ok()
            .filter(|v| *v <= self.data.len())
            .ok_or_else(|| {
                self.error(
                    at,
                    format!(
                        "{name} {value} exceeds the input size ({} bytes)",
                        self.data.len()
                    ),
                )
            })
    }

    /// Walks a tuple whose head starts at `base`; returns where its encoding ends.
    fn tuple<'s>(
        &self,
        base: usize,
        items: impl Iterator<Item = &'s Shape> + Clone,
    ) -> Result<usize> {
        let head_len: usize = items.clone().map(Shape::head_len).sum();
        let mut cursor = base + head_len;
        if cursor > self.data.len() {
            return Err(self.error(
                base,
                format!(
                    "head needs {head_len} bytes, {} remain",
                    self.data.len().saturating_sub(base)
                ),
            ));
        }
        let mut head = base;
        for item in items {
            if item.is_dynamic() {
                let offset = self.word(head, "offset")?;
                if base + offset != cursor {
                    // Aliasing (pointing into claimed space) and gaps both land here.
                    return Err(self.error(
                        head,
                        format!(
                            "offset {offset} points at byte {}; the canonical encoding puts this element at byte \
                             {cursor} (overlapping or out-of-order elements are refused)",
                            base + offset
                        ),
                    ));
                }
                cursor = self.dynamic(cursor, item)?;
            }
            head += item.head_len();
        }
        Ok(cursor)
    }

    /// Walks a dynamic value at `at`; returns where it ends.
    fn dynamic(&self, at: usize, shape: &Shape) -> Result<usize> {
        match shape {
            Shape::Bytes => {
                let len = self.word(at, "length")?;
                let end = at + 32 + len.div_ceil(32) * 32;
                if end > self.data.len() {
                    return Err(self.error(
                        at,
                        format!(
                            "length {len} needs {} bytes, {} remain",
                            end - at - 32,
                            self.data.len() - at - 32
                        ),
                    ));
                }
                Ok(end)
            }
            Shape::Array(item) => {
                let len = self.word(at, "length")?;
                let base = at + 32;
                let remain = self.data.len().saturating_sub(base);
                // Checked before walking: every element takes at least its head in the input.
                if len.saturating_mul(item.head_len()) > remain {
                    return Err(self.error(
                        at,
                        format!(
                            "array length {len} needs at least {} bytes, {remain} remain",
                            len.saturating_mul(item.head_len())
                        ),
                    ));
                }
                self.tuple(base, std::iter::repeat_n(item.as_ref(), len))
            }
            Shape::Tuple(items) => self.tuple(at, items.iter()),
            Shape::Words(n) => Ok(at + 32 * n),
        }
    }
}
