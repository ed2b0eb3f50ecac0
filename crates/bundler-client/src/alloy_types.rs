//! Conversions to alloy's log and receipt types, so receipts work with the rest of alloy: event
//! decoding with `SolEvent::decode_log`, `TransactionReceipt` helpers, code written against alloy.

use crate::{BundlerError, Log, TransactionReceipt, UserOperationReceipt};
use alloy_consensus::{Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom};
use alloy_primitives::{LogData, U256};
use alloy_sol_types::SolEvent;

impl From<&Log> for alloy_primitives::Log {
    fn from(log: &Log) -> Self {
        Self {
            address: log.address,
            data: LogData::new_unchecked(log.topics.clone(), log.data.clone()),
        }
    }
}

impl From<&Log> for alloy_rpc_types_eth::Log {
    fn from(log: &Log) -> Self {
        Self {
            inner: log.into(),
            block_hash: log.block_hash,
            block_number: log.block_number,
            block_timestamp: log.block_timestamp,
            transaction_hash: log.transaction_hash,
            transaction_index: log.transaction_index,
            log_index: log.log_index,
            removed: log.removed,
        }
    }
}

impl From<Log> for alloy_rpc_types_eth::Log {
    fn from(log: Log) -> Self {
        (&log).into()
    }
}

impl Log {
    /// Decodes this log as event `E`; `None` when the log is a different event (or malformed).
    ///
    /// ```
    /// use alloy_primitives::{Address, B256, U256};
    /// use alloy_sol_types::{SolEvent, sol};
    /// use nexus_sessions_bundler::Log;
    ///
    /// sol! { event Transfer(address indexed from, address indexed to, uint256 value); }
    ///
    /// let event = Transfer { from: Address::ZERO, to: Address::with_last_byte(1), value: U256::from(5) };
    /// let data = event.encode_log_data();
    /// let json = serde_json::json!({
    ///     "address": Address::with_last_byte(9),
    ///     "topics": data.topics(),
    ///     "data": data.data,
    /// });
    /// let log: Log = serde_json::from_value(json).unwrap();
    /// assert_eq!(log.decode::<Transfer>().unwrap().value, U256::from(5));
    /// ```
    pub fn decode<E: SolEvent>(&self) -> Option<E> {
        E::decode_raw_log(self.topics.iter().copied(), &self.data).ok()
    }
}

impl UserOperationReceipt {
    /// Events of type `E` among the logs the bundler attributes to this operation, in log order
    /// (other events are skipped). The EntryPoint's own `UserOperationEvent` is in the bundle's logs:
    /// [`TransactionReceipt::events`].
    pub fn events<'a, E: SolEvent + 'a>(&'a self) -> impl Iterator<Item = E> + 'a {
        self.logs.iter().filter_map(Log::decode::<E>)
    }
}

impl TransactionReceipt {
    /// Events of type `E` among all logs of the bundle transaction, in log order.
    pub fn events<'a, E: SolEvent + 'a>(&'a self) -> impl Iterator<Item = E> + 'a {
        self.logs.iter().filter_map(Log::decode::<E>)
    }
}

impl TryFrom<&TransactionReceipt> for alloy_rpc_types_eth::TransactionReceipt {
    type Error = BundlerError;

    /// alloy's receipt of the bundle transaction. Fails with [`BundlerError::IncompleteReceipt`]
    /// when the bundler left out a field alloy requires (alto relays the node's full receipt).
    fn try_from(r: &TransactionReceipt) -> Result<Self, BundlerError> {
        let missing = |field| BundlerError::IncompleteReceipt { field };
        let receipt = ReceiptWithBloom {
            receipt: Receipt {
                status: Eip658Value::Eip658(r.status.ok_or(missing("status"))?),
                cumulative_gas_used: r.cumulative_gas_used.ok_or(missing("cumulativeGasUsed"))?,
                logs: r.logs.iter().map(alloy_rpc_types_eth::Log::from).collect(),
            },
            logs_bloom: r.logs_bloom.ok_or(missing("logsBloom"))?,
        };
        let inner = match r.transaction_type.unwrap_or(0) {
            0 => ReceiptEnvelope::Legacy(receipt),
            1 => ReceiptEnvelope::Eip2930(receipt),
            2 => ReceiptEnvelope::Eip1559(receipt),
            3 => ReceiptEnvelope::Eip4844(receipt),
            4 => ReceiptEnvelope::Eip7702(receipt),
            _ => return Err(missing("type (a known transaction type)")),
        };
        let gas_used = r.gas_used.ok_or(missing("gasUsed"))?;
        let effective_gas_price = r.effective_gas_price.unwrap_or(U256::ZERO);
        Ok(Self {
            inner,
            transaction_hash: r.transaction_hash,
            transaction_index: r.transaction_index,
            block_hash: r.block_hash,
            block_number: r.block_number,
            gas_used: u64::try_from(gas_used).map_err(|_| missing("gasUsed (within u64)"))?,
            effective_gas_price: u128::try_from(effective_gas_price)
                .map_err(|_| missing("effectiveGasPrice (within u128)"))?,
            blob_gas_used: None,
            blob_gas_price: None,
            from: r.from.ok_or(missing("from"))?,
            to: r.to,
            contract_address: None,
        })
    }
}
