//! A checked builder for [`UserOperation`].

use crate::{Eip7702Auth, Error, Quantity, UserOperation};
use alloy_primitives::{Address, Bytes, U256};

/// Builds a [`UserOperation`], refusing inconsistent ones.
///
/// Numbers are taken as anything `Into<`[`Quantity`]`>` (any unsigned integer or [`U256`]) and checked against their packed `uint128`
/// width on [`build`](Self::build), so an oversized estimate is an error rather than a silent truncation.
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct UserOperationBuilder {
    sender: Option<Address>,
    nonce: U256,
    factory: Option<Address>,
    factory_data: Bytes,
    call_data: Bytes,
    call_gas_limit: U256,
    verification_gas_limit: U256,
    pre_verification_gas: U256,
    max_fee_per_gas: U256,
    max_priority_fee_per_gas: U256,
    paymaster: Option<Address>,
    paymaster_verification_gas_limit: U256,
    paymaster_post_op_gas_limit: U256,
    paymaster_data: Bytes,
    signature: Bytes,
    eip7702_auth: Option<Eip7702Auth>,
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: Into<$arg:ty> as $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<$arg>) -> Self {
            self.$name = Into::<$ty>::into(value.into());
            self
        }
    };
}

impl UserOperationBuilder {
    /// Sets the sending account (required).
    pub fn sender(mut self, sender: Address) -> Self {
        self.sender = Some(sender);
        self
    }

    /// Sets the factory that deploys the account (first operation only).
    pub fn factory(mut self, factory: Address) -> Self {
        self.factory = Some(factory);
        self
    }

    /// Attaches an EIP-7702 authorization (the sender is an EOA delegating in this operation).
    pub fn eip7702_auth(mut self, auth: Eip7702Auth) -> Self {
        self.eip7702_auth = Some(auth);
        self
    }

    /// Sets the paymaster.
    pub fn paymaster(mut self, paymaster: Address) -> Self {
        self.paymaster = Some(paymaster);
        self
    }

    setter!(/// Sets the EntryPoint nonce (`key ‖ sequence`).
        nonce: Into<Quantity> as U256);
    setter!(/// Sets the factory calldata; requires [`factory`](Self::factory).
        factory_data: Into<Bytes> as Bytes);
    setter!(/// Sets the calldata for the account.
        call_data: Into<Bytes> as Bytes);
    setter!(/// Sets the execution gas limit (must fit in 128 bits).
        call_gas_limit: Into<Quantity> as U256);
    setter!(/// Sets the validation gas limit (must fit in 128 bits).
        verification_gas_limit: Into<Quantity> as U256);
    setter!(/// Sets the pre-verification gas.
        pre_verification_gas: Into<Quantity> as U256);
    setter!(/// Sets the max fee per gas (must fit in 128 bits).
        max_fee_per_gas: Into<Quantity> as U256);
    setter!(/// Sets the max priority fee per gas (must fit in 128 bits).
        max_priority_fee_per_gas: Into<Quantity> as U256);
    setter!(/// Sets the paymaster validation gas limit; requires [`paymaster`](Self::paymaster).
        paymaster_verification_gas_limit: Into<Quantity> as U256);
    setter!(/// Sets the paymaster `postOp` gas limit; requires [`paymaster`](Self::paymaster).
        paymaster_post_op_gas_limit: Into<Quantity> as U256);
    setter!(/// Sets the paymaster data; requires [`paymaster`](Self::paymaster).
        paymaster_data: Into<Bytes> as Bytes);
    setter!(/// Sets the signature (or a stub signature for estimation).
        signature: Into<Bytes> as Bytes);

    /// Checks the operation and returns it.
    ///
    /// Errors: [`Error::MissingSender`], [`Error::ValueTooLarge`] for a gas value over 128 bits,
    /// [`Error::FactoryDataWithoutFactory`], [`Error::PaymasterFieldWithoutPaymaster`].
    pub fn build(self) -> Result<UserOperation, Error> {
        let narrow = |value: U256, field: &'static str| {
            u128::try_from(value).map_err(|_| Error::ValueTooLarge {
                field,
                value,
                bits: 128,
            })
        };
        let op = UserOperation {
            sender: self.sender.ok_or(Error::MissingSender)?,
            nonce: self.nonce,
            factory: self.factory,
            factory_data: self.factory_data,
            call_data: self.call_data,
            call_gas_limit: narrow(self.call_gas_limit, "callGasLimit")?,
            verification_gas_limit: narrow(self.verification_gas_limit, "verificationGasLimit")?,
            pre_verification_gas: self.pre_verification_gas,
            max_fee_per_gas: narrow(self.max_fee_per_gas, "maxFeePerGas")?,
            max_priority_fee_per_gas: narrow(
                self.max_priority_fee_per_gas,
                "maxPriorityFeePerGas",
            )?,
            paymaster: self.paymaster,
            paymaster_verification_gas_limit: narrow(
                self.paymaster_verification_gas_limit,
                "paymasterVerificationGasLimit",
            )?,
            paymaster_post_op_gas_limit: narrow(
                self.paymaster_post_op_gas_limit,
                "paymasterPostOpGasLimit",
            )?,
            paymaster_data: self.paymaster_data,
            signature: self.signature,
            eip7702_auth: self.eip7702_auth,
        };
        op.validate()?;
        Ok(op)
    }
}

impl From<UserOperation> for UserOperationBuilder {
    /// Starts from an existing operation, e.g. to change gas values and re-check.
    fn from(op: UserOperation) -> Self {
        Self {
            sender: Some(op.sender),
            nonce: op.nonce,
            factory: op.factory,
            factory_data: op.factory_data,
            call_data: op.call_data,
            call_gas_limit: U256::from(op.call_gas_limit),
            verification_gas_limit: U256::from(op.verification_gas_limit),
            pre_verification_gas: op.pre_verification_gas,
            max_fee_per_gas: U256::from(op.max_fee_per_gas),
            max_priority_fee_per_gas: U256::from(op.max_priority_fee_per_gas),
            paymaster: op.paymaster,
            paymaster_verification_gas_limit: U256::from(op.paymaster_verification_gas_limit),
            paymaster_post_op_gas_limit: U256::from(op.paymaster_post_op_gas_limit),
            paymaster_data: op.paymaster_data,
            signature: op.signature,
            eip7702_auth: op.eip7702_auth,
        }
    }
}
