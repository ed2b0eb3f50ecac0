//! An ERC-7677 paymaster service client: `pm_getPaymasterStubData` and `pm_getPaymasterData`.
//!
//! Both methods take `[userOp, entryPoint, chainId, context]`: the unsigned EntryPoint v0.7 operation
//! in its JSON-RPC form, the EntryPoint address, the chain id as hex and a service-specific context
//! (JSON; `{}` when none is given). The stub answer fills the paymaster fields for gas estimation
//! (with the paymaster's own gas limits when the service knows them, and `isFinal` when the stub
//! data may be sent as is); the final answer, asked once the gas limits are fixed, carries the
//! paymaster's signature over them. The operation is signed after that: its userOpHash covers
//! `paymasterAndData`.
//!
//! The JSON-RPC machinery (timeouts, retries on transport faults, id checks, counting, URL
//! redaction) is the bundler client's: errors are [`BundlerError`]s whose method is the `pm_*`
//! method asked.

use crate::{BundlerClient, BundlerClientBuilder, BundlerError, Url, de, redact::RedactedUrl};
use alloy_primitives::{Address, Bytes};
use nexus_sessions_userop::UserOperation;
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::{Value, json};
use std::{fmt, time::Duration};

const STUB_METHOD: &str = "pm_getPaymasterStubData";
const DATA_METHOD: &str = "pm_getPaymasterData";

/// A client of one ERC-7677 paymaster service. Cheap to clone.
///
/// ```no_run
/// use nexus_sessions_bundler::PaymasterClient;
/// use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation};
/// use serde_json::json;
///
/// # async fn run(mut op: UserOperation) -> Result<(), nexus_sessions_bundler::BundlerError> {
/// let paymaster = PaymasterClient::new("http://127.0.0.1:3000")?;
/// let context = json!({ "sponsorshipPolicyId": "sp_demo" });
/// let stub = paymaster.stub_data(&op, ENTRY_POINT_V07, 31337, Some(&context)).await?;
/// stub.apply_to(&mut op);
/// // ... estimate gas, set the limits ...
/// if !stub.is_final {
///     paymaster.data(&op, ENTRY_POINT_V07, 31337, Some(&context)).await?.apply_to(&mut op);
/// }
/// // ... sign and send ...
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PaymasterClient {
    rpc: BundlerClient,
    /// The method asked for stub data ([`PaymasterClientBuilder::data_as_stub`]).
    stub_method: &'static str,
}

// By hand: the URL may hold credentials (an API key in the path or query is common).
impl fmt::Debug for PaymasterClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymasterClient")
            .field("url", &self.rpc.url().map(|url| RedactedUrl(url.as_str())))
            .field("stub_method", &self.stub_method)
            .finish_non_exhaustive()
    }
}

/// Two clients are equal when they speak to the same URL the same way.
impl PartialEq for PaymasterClient {
    fn eq(&self, other: &Self) -> bool {
        self.rpc.url() == other.rpc.url() && self.stub_method == other.stub_method
    }
}

impl Eq for PaymasterClient {}

/// Configures a [`PaymasterClient`]. Defaults: 10 s per request attempt, 3 retries on transport
/// faults with backoff from 100 ms doubling to 2 s (both methods only read or sign, so a retry is
/// harmless).
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PaymasterClientBuilder {
    rpc: BundlerClientBuilder,
    stub_method: &'static str,
}

impl fmt::Debug for PaymasterClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The inner builder prints its URL redacted.
        f.debug_struct("PaymasterClientBuilder")
            .field("rpc", &self.rpc)
            .field("stub_method", &self.stub_method)
            .finish()
    }
}

impl PaymasterClientBuilder {
    /// Bounds every request attempt.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.rpc = self.rpc.request_timeout(timeout);
        self
    }

    /// How many times a request is retried after a transport fault (0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.rpc = self.rpc.max_retries(retries);
        self
    }

    /// The first retry delay and its cap; the delay doubles in between.
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.rpc = self.rpc.retry_backoff(initial, max);
        self
    }

    /// Asks `pm_getPaymasterData` for the stub data too, for services without
    /// `pm_getPaymasterStubData` (abstractjs' `createBicoPaymasterClient` drops the stub method, so
    /// viem asks the data method in its place). The answer is read as stub data (gas limits and
    /// `isFinal` if present). Default `false`.
    pub fn data_as_stub(mut self, enabled: bool) -> Self {
        self.stub_method = if enabled { DATA_METHOD } else { STUB_METHOD };
        self
    }

    /// Builds the client; fails only on an unparsable URL.
    pub fn build(self) -> Result<PaymasterClient, BundlerError> {
        Ok(PaymasterClient {
            rpc: self.rpc.build()?,
            stub_method: self.stub_method,
        })
    }
}

impl PaymasterClient {
    /// A client with default settings for `url`.
    pub fn new(url: &str) -> Result<Self, BundlerError> {
        Self::builder(url).build()
    }

    /// A builder for `url`.
    pub fn builder(url: &str) -> PaymasterClientBuilder {
        PaymasterClientBuilder {
            rpc: BundlerClient::builder(url),
            stub_method: STUB_METHOD,
        }
    }

    /// The service URL (print it through [`redact_url`](crate::redact_url)); `None` when the
    /// client speaks through a transport of its own.
    pub fn url(&self) -> Option<&Url> {
        self.rpc.url()
    }

    /// `pm_getPaymasterStubData` (or `pm_getPaymasterData` with
    /// [`data_as_stub`](PaymasterClientBuilder::data_as_stub)): paymaster fields for gas
    /// estimation. `op` is the unsigned operation (its paymaster fields, if any, are sent as they are).
    pub async fn stub_data(
        &self,
        op: &UserOperation,
        entry_point: Address,
        chain_id: u64,
        context: Option<&Value>,
    ) -> Result<PaymasterStubData, BundlerError> {
        op.validate()?;
        self.rpc
            .request(
                self.stub_method,
                &params(op, entry_point, chain_id, context),
            )
            .await
    }

    /// `pm_getPaymasterData`: the final paymaster fields for `op`, whose gas limits and fees must be
    /// final (the paymaster signs over them). Sign the operation afterwards.
    pub async fn data(
        &self,
        op: &UserOperation,
        entry_point: Address,
        chain_id: u64,
        context: Option<&Value>,
    ) -> Result<PaymasterData, BundlerError> {
        op.validate()?;
        self.rpc
            .request(DATA_METHOD, &params(op, entry_point, chain_id, context))
            .await
    }

    /// Requests made so far (every attempt counts).
    pub fn request_count(&self) -> u64 {
        self.rpc.request_count()
    }
}

fn params(
    op: &UserOperation,
    entry_point: Address,
    chain_id: u64,
    context: Option<&Value>,
) -> Value {
    json!([
        op,
        entry_point,
        format!("{chain_id:#x}"),
        context.cloned().unwrap_or_else(|| json!({}))
    ])
}

/// Who sponsors the operation, as the service names it (for wallets to show).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Sponsor {
    /// The sponsor's name.
    pub name: String,
    /// An icon URI, if given.
    #[serde(default)]
    pub icon: Option<String>,
}

/// The answer of `pm_getPaymasterStubData` (EntryPoint v0.7 form).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymasterStubData {
    /// The paymaster contract.
    #[serde(deserialize_with = "paymaster_address")]
    pub paymaster: Address,
    /// Stub `paymasterData` (the final length and shape, so estimation is right).
    pub paymaster_data: Bytes,
    /// The paymaster's validation gas, when the service knows it (else the bundler estimates it).
    #[serde(default, deserialize_with = "de::opt_u128")]
    pub paymaster_verification_gas_limit: Option<u128>,
    /// The paymaster's `postOp` gas, when the service knows it.
    #[serde(default, deserialize_with = "de::opt_u128")]
    pub paymaster_post_op_gas_limit: Option<u128>,
    /// Whether the stub data is already final (no `pm_getPaymasterData` needed).
    #[serde(default, deserialize_with = "opt_flag")]
    pub is_final: bool,
    /// The sponsor, if the service names one.
    #[serde(default)]
    pub sponsor: Option<Sponsor>,
}

impl PaymasterStubData {
    /// Writes the paymaster, its data and the gas limits the service gave into `op` (limits it did
    /// not give are left as they are, for the bundler's estimate).
    pub fn apply_to(&self, op: &mut UserOperation) {
        op.paymaster = Some(self.paymaster);
        op.paymaster_data = self.paymaster_data.clone();
        if let Some(gas) = self.paymaster_verification_gas_limit {
            op.paymaster_verification_gas_limit = gas;
        }
        if let Some(gas) = self.paymaster_post_op_gas_limit {
            op.paymaster_post_op_gas_limit = gas;
        }
    }
}

/// The answer of `pm_getPaymasterData` (EntryPoint v0.7 form).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymasterData {
    /// The paymaster contract.
    #[serde(deserialize_with = "paymaster_address")]
    pub paymaster: Address,
    /// The final `paymasterData` (typically the paymaster signer's signature and validity window).
    pub paymaster_data: Bytes,
}

impl PaymasterData {
    /// Writes the paymaster and its data into `op`; the gas limits stay.
    pub fn apply_to(&self, op: &mut UserOperation) {
        op.paymaster = Some(self.paymaster);
        op.paymaster_data = self.paymaster_data.clone();
    }
}

/// A paymaster address: required and non-zero (a zero address would send the operation unsponsored).
fn paymaster_address<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
    de::opt_address(d)?.ok_or_else(|| D::Error::custom("`paymaster` is empty or the zero address"))
}

/// `isFinal`: a flag, `null` meaning false.
fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None => Ok(false),
        Some(v) => de::flag(v).map_err(D::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn params_are_op_entry_point_hex_chain_and_context() {
        let op = UserOperation {
            sender: address!("0x1111111111111111111111111111111111111111"),
            ..Default::default()
        };
        let ep = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");
        let p = params(&op, ep, 84532, None);
        assert_eq!(p[1], json!(ep));
        assert_eq!(p[2], json!("0x14a34"));
        assert_eq!(p[3], json!({}));
        assert_eq!(p[0]["sender"], json!(op.sender));
        assert!(p[0].get("paymaster").is_none(), "no paymaster fields yet");
        let ctx = json!({"policy": "x"});
        assert_eq!(params(&op, ep, 1, Some(&ctx))[3], ctx);
    }

    #[test]
    fn stub_reply_shapes() {
        let full: PaymasterStubData = serde_json::from_value(json!({
            "paymaster": "0x2222222222222222222222222222222222222222",
            "paymasterData": "0xabcd",
            "paymasterVerificationGasLimit": "0x1000",
            "paymasterPostOpGasLimit": "0x0",
            "isFinal": true,
            "sponsor": {"name": "Devnet"}
        }))
        .unwrap();
        assert_eq!(full.paymaster_verification_gas_limit, Some(0x1000));
        assert_eq!(full.paymaster_post_op_gas_limit, Some(0));
        assert!(full.is_final);
        assert_eq!(full.sponsor.unwrap().name, "Devnet");
        let bare: PaymasterStubData = serde_json::from_value(json!({
            "paymaster": "0x2222222222222222222222222222222222222222",
            "paymasterData": "0x",
            "isFinal": null
        }))
        .unwrap();
        assert!(!bare.is_final);
        assert_eq!(bare.paymaster_verification_gas_limit, None);
        let mut op = UserOperation {
            paymaster_verification_gas_limit: 7,
            ..Default::default()
        };
        bare.apply_to(&mut op);
        assert_eq!(op.paymaster, Some(bare.paymaster));
        assert_eq!(
            op.paymaster_verification_gas_limit, 7,
            "kept for the estimate"
        );
    }

    #[test]
    fn hostile_replies_are_errors() {
        for bad in [
            json!({"paymasterData": "0x"}),
            json!({"paymaster": "0x0000000000000000000000000000000000000000", "paymasterData": "0x"}),
            json!({"paymaster": "nope", "paymasterData": "0x"}),
            json!({"paymaster": "0x2222222222222222222222222222222222222222", "paymasterData": "zz"}),
            json!({"paymaster": "0x2222222222222222222222222222222222222222"}),
            json!({"paymasterAndData": "0x2222222222222222222222222222222222222222"}),
            json!({"paymaster": "0x2222222222222222222222222222222222222222", "paymasterData": "0x",
                   "paymasterVerificationGasLimit": "0x1ffffffffffffffffffffffffffffffff"}),
            json!({"paymaster": "0x2222222222222222222222222222222222222222", "paymasterData": "0x",
                   "isFinal": "maybe"}),
        ] {
            assert!(
                serde_json::from_value::<PaymasterStubData>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
