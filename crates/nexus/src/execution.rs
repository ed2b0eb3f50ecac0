//! ERC-7579 execution modes and `execute(bytes32,bytes)` calldata.
//!
//! One call is encoded in single mode (`abi.encodePacked(target, value, data)`), two or more in
//! batch mode (`abi.encode((address,uint256,bytes)[])`), as abstractjs `encodeCalls` does. Only
//! execType DEFAULT is produced: the pre-v1 SmartSession rejects TRY and delegatecall.

use crate::{
    abi::{Execution, INexus},
    error::Error,
};
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue};
use nexus_sessions_types::abi::layout::{self, Shape};
use serde::{Deserialize, Serialize};

/// One call the account makes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Call {
    /// Target contract or EOA.
    pub to: Address,
    /// Wei sent with the call.
    #[serde(default)]
    pub value: U256,
    /// Call data (`0x` for a plain transfer).
    #[serde(default)]
    pub data: Bytes,
}

impl Call {
    /// A call with no value.
    pub fn new(to: Address, data: impl Into<Bytes>) -> Self {
        Self {
            to,
            value: U256::ZERO,
            data: data.into(),
        }
    }

    /// Sets the value sent with the call.
    pub fn with_value(mut self, value: U256) -> Self {
        self.value = value;
        self
    }

    /// The 4-byte selector SmartSession derives for this call: `data[0..4]`, or `0xFFFFFFFF` when the
    /// data is shorter than 4 bytes.
    pub fn selector(&self) -> [u8; 4] {
        match self.data.get(..4) {
            Some(s) => [s[0], s[1], s[2], s[3]],
            None => [0xFF; 4],
        }
    }
}

/// ERC-7579 call type (byte 0 of the execution mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CallType {
    /// `0x00`: one call, `encodePacked(target, value, data)`.
    Single = 0x00,
    /// `0x01`: `abi.encode(Execution[])`.
    Batch = 0x01,
    /// `0xFF`: delegatecall (never produced by this crate).
    DelegateCall = 0xFF,
}

/// ERC-7579 execution type (byte 1 of the execution mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ExecType {
    /// `0x00`: revert on failure.
    Default = 0x00,
    /// `0x01`: continue on failure.
    Try = 0x01,
}

/// The 32-byte ERC-7579 execution mode:
/// `callType (1) ‖ execType (1) ‖ unused (4) ‖ modeSelector (4) ‖ modePayload (22)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExecutionMode {
    /// Call type.
    pub call_type: CallType,
    /// Execution type.
    pub exec_type: ExecType,
}

impl ExecutionMode {
    /// abstractjs `EXECUTE_SINGLE`: 32 zero bytes.
    pub const SINGLE: Self = Self {
        call_type: CallType::Single,
        exec_type: ExecType::Default,
    };
    /// abstractjs `EXECUTE_BATCH`: `0x01` followed by 31 zero bytes.
    pub const BATCH: Self = Self {
        call_type: CallType::Batch,
        exec_type: ExecType::Default,
    };

    /// The mode word.
    pub fn to_b256(self) -> B256 {
        let mut word = B256::ZERO;
        word[0] = self.call_type as u8;
        word[1] = self.exec_type as u8;
        word
    }

    /// Parses a mode word; mode selector and payload must be zero.
    pub fn from_b256(word: B256) -> Result<Self, Error> {
        let call_type = match word[0] {
            0x00 => CallType::Single,
            0x01 => CallType::Batch,
            0xFF => CallType::DelegateCall,
            other => {
                return Err(Error::InvalidExecuteCalldata(format!(
                    "unknown call type 0x{other:02x}"
                )));
            }
        };
        let exec_type = match word[1] {
            0x00 => ExecType::Default,
            0x01 => ExecType::Try,
            other => {
                return Err(Error::InvalidExecuteCalldata(format!(
                    "unknown exec type 0x{other:02x}"
                )));
            }
        };
        if word[2..].iter().any(|b| *b != 0) {
            return Err(Error::InvalidExecuteCalldata(
                "non-zero mode selector or payload".to_string(),
            ));
        }
        Ok(Self {
            call_type,
            exec_type,
        })
    }
}

/// The `executionCalldata` for `calls` and the mode it needs: one call → single, more → batch.
pub fn encode_execution(calls: &[Call]) -> Result<(ExecutionMode, Bytes), Error> {
    match calls {
        [] => Err(Error::NoCalls),
        [call] => {
            let mut out = Vec::with_capacity(52 + call.data.len());
            out.extend_from_slice(call.to.as_slice());
            out.extend_from_slice(&call.value.to_be_bytes::<32>());
            out.extend_from_slice(&call.data);
            Ok((ExecutionMode::SINGLE, out.into()))
        }
        many => {
            let executions: Vec<Execution> = many
                .iter()
                .map(|c| Execution {
                    target: c.to,
                    value: c.value,
                    callData: c.data.clone(),
                })
                .collect();
            Ok((ExecutionMode::BATCH, executions.abi_encode().into()))
        }
    }
}

/// `execute(mode, executionCalldata)` account calldata for `calls`.
pub fn encode_execute(calls: &[Call]) -> Result<Bytes, Error> {
    let (mode, execution_calldata) = encode_execution(calls)?;
    Ok(INexus::executeCall {
        mode: mode.to_b256(),
        executionCalldata: execution_calldata,
    }
    .abi_encode()
    .into())
}

/// Decodes `execute(mode, executionCalldata)` account calldata back into calls (single or batch,
/// execType DEFAULT only).
pub fn decode_execute(call_data: &[u8]) -> Result<Vec<Call>, Error> {
    let call = INexus::executeCall::abi_decode(call_data)
        .map_err(|e| Error::InvalidExecuteCalldata(format!("not execute(bytes32,bytes): {e}")))?;
    let mode = ExecutionMode::from_b256(call.mode)?;
    if mode.exec_type != ExecType::Default {
        return Err(Error::InvalidExecuteCalldata(
            "only execType DEFAULT is supported".into(),
        ));
    }
    let data = call.executionCalldata;
    match mode.call_type {
        CallType::Single => {
            if data.len() < 52 {
                return Err(Error::InvalidExecuteCalldata(format!(
                    "single execution is {} bytes, needs at least 52",
                    data.len()
                )));
            }
            Ok(vec![Call {
                to: Address::from_slice(&data[..20]),
                value: U256::from_be_slice(&data[20..52]),
                data: Bytes::copy_from_slice(&data[52..]),
            }])
        }
        CallType::Batch => {
            // Offsets and lengths checked first: aliased offsets would make the decoder copy one large
            // callData once per entry (quadratic memory from a small input).
            let shape = Shape::Array(Box::new(Shape::Tuple(vec![
                Shape::Words(1),
                Shape::Words(1),
                Shape::Bytes,
            ])));
            layout::check(&data, &[shape], "batch executions")
                .map_err(|e| Error::InvalidExecuteCalldata(format!("bad batch encoding: {e}")))?;
            let executions = <Vec<Execution>>::abi_decode(&data)
                .map_err(|e| Error::InvalidExecuteCalldata(format!("bad batch encoding: {e}")))?;
            Ok(executions
                .into_iter()
                .map(|e| Call {
                    to: e.target,
                    value: e.value,
                    data: e.callData,
                })
                .collect())
        }
        CallType::DelegateCall => Err(Error::InvalidExecuteCalldata(
            "delegatecall executions are not supported".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    const TARGET: Address = address!("0x1111111111111111111111111111111111111111");
    // incrementNumber()
    const INCREMENT: [u8; 4] = hex!("273ea3e3");

    // nexus-and-reference-sdks.md Appendix A.3
    const SINGLE: &str = "0xe9ae5c5300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000003811111111111111111111111111111111111111110000000000000000000000000000000000000000000000000000000000000000273ea3e30000000000000000";
    const BATCH: &str = "0xe9ae5c530100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000001c000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000e00000000000000000000000001111111111111111111111111111111111111111000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000004273ea3e3000000000000000000000000000000000000000000000000000000000000000000000000000000001111111111111111111111111111111111111111000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000004273ea3e300000000000000000000000000000000000000000000000000000000";

    #[test]
    fn golden_single() {
        let calls = [Call::new(TARGET, INCREMENT)];
        assert_eq!(
            encode_execute(&calls).unwrap(),
            SINGLE.parse::<Bytes>().unwrap()
        );
        assert_eq!(
            decode_execute(&SINGLE.parse::<Bytes>().unwrap()).unwrap(),
            calls
        );
    }

    #[test]
    fn golden_batch() {
        let calls = [Call::new(TARGET, INCREMENT), Call::new(TARGET, INCREMENT)];
        assert_eq!(
            encode_execute(&calls).unwrap(),
            BATCH.parse::<Bytes>().unwrap()
        );
        assert_eq!(
            decode_execute(&BATCH.parse::<Bytes>().unwrap()).unwrap(),
            calls
        );
    }

    #[test]
    fn modes() {
        assert_eq!(ExecutionMode::SINGLE.to_b256(), B256::ZERO);
        let batch = ExecutionMode::BATCH.to_b256();
        assert_eq!(batch[0], 1);
        assert!(batch[1..].iter().all(|b| *b == 0));
        assert_eq!(
            ExecutionMode::from_b256(batch).unwrap(),
            ExecutionMode::BATCH
        );
        let mut odd = B256::ZERO;
        odd[0] = 0x02;
        assert!(ExecutionMode::from_b256(odd).is_err());
        odd[0] = 0;
        odd[10] = 1;
        assert!(ExecutionMode::from_b256(odd).is_err());
    }

    #[test]
    fn empty_and_malformed() {
        assert!(matches!(encode_execute(&[]), Err(Error::NoCalls)));
        assert!(decode_execute(&[0xe9, 0xae]).is_err());
        // a single execution shorter than 52 bytes
        let short = INexus::executeCall {
            mode: B256::ZERO,
            executionCalldata: vec![0u8; 51].into(),
        }
        .abi_encode();
        assert!(decode_execute(&short).is_err());
    }

    /// A batch whose entries all point at one large callData is refused before decoding (a naive decode
    /// copies the callData once per entry: here 2,000 × 60 KB = 120 MB from a 124 KB input).
    #[test]
    fn aliased_batch_is_refused() {
        let entries = 2_000usize;
        let word = |n: usize| U256::from(n).to_be_bytes::<32>();
        let mut batch = word(32).to_vec();
        batch.extend_from_slice(&word(entries));
        for _ in 0..entries {
            batch.extend_from_slice(&word(32 * entries));
        }
        batch.extend_from_slice(&[0u8; 64]); // target, value
        batch.extend_from_slice(&word(96));
        batch.extend_from_slice(&word(60_000));
        batch.resize(batch.len() + 60_000, 0);
        let call = INexus::executeCall {
            mode: ExecutionMode::BATCH.to_b256(),
            executionCalldata: batch.into(),
        }
        .abi_encode();
        let err = decode_execute(&call).unwrap_err().to_string();
        assert!(err.contains("invalid ABI layout"), "{err}");
    }

    #[test]
    fn selector_rule() {
        assert_eq!(Call::new(TARGET, INCREMENT).selector(), INCREMENT);
        assert_eq!(Call::new(TARGET, hex!("0102")).selector(), [0xFF; 4]);
        assert_eq!(
            Call::default().with_value(U256::from(5)).selector(),
            [0xFF; 4]
        );
    }

    #[test]
    fn value_round_trips() {
        let calls = [
            Call::new(TARGET, Bytes::new()).with_value(U256::from(7)),
            Call::new(Address::ZERO, hex!("deadbeef00")).with_value(U256::MAX),
            Call::new(TARGET, INCREMENT),
        ];
        for n in 1..=calls.len() {
            let encoded = encode_execute(&calls[..n]).unwrap();
            assert_eq!(decode_execute(&encoded).unwrap(), calls[..n]);
        }
    }
}
