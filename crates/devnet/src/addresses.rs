//! Where every devnet contract lives.

use alloy_primitives::{Address, address};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The canonical EntryPoint v0.7 address.
pub const ENTRY_POINT_V07: Address = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");
/// The deterministic deployment proxy built into anvil (used for the EntryPoint's CREATE2).
pub const DETERMINISTIC_DEPLOYER: Address = address!("0x4e59b44847b379578588920ca78fbf26c0b4956c");
/// Where modulekit 0.5.9 places the (pre-v1) SmartSession module; the devnet etches it here.
pub const SMART_SESSION_MODULEKIT: Address = address!("0x0000000071727De22e5E9D8bAF0EDAc6F37da034");
/// The ERC-7484 registry address the pre-v1 SmartSession calls in ENABLE mode; the devnet etches the
/// `TestRegistry` fixture here.
pub const REGISTRY: Address = address!("0x000000000069E2a187AEFFb852bF3cCdC95151B2");

/// Every contract the devnet places, by its field name in [`DevnetAddresses`] (also the key used in the
/// override manifest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DevnetContract {
    /// EntryPoint v0.7.
    EntryPoint,
    /// The Nexus account implementation.
    NexusImplementation,
    /// The NexusAccountFactory.
    NexusFactory,
    /// The NexusBootstrap.
    NexusBootstrap,
    /// The SmartSession module.
    SmartSession,
    /// The ERC-7484 registry.
    Registry,
    /// The ECDSA validator installed as the accounts' owner validator (`EcdsaValidator` fixture).
    AccountValidator,
    /// The session validator used inside SmartSession (`OwnableSessionValidator` fixture: EIP-191
    /// signatures, the OwnableValidator rule before core-modules f86f209).
    SessionValidator,
    /// A second session validator with the current OwnableValidator rule (`RawHashSessionValidator`
    /// fixture: raw userOpHash, or EIP-191 with v + 4), so both signature rules can be proven on-chain.
    RawHashSessionValidator,
    /// The `Counter` fixture.
    Counter,
    /// The `TestToken` ERC-20 fixture.
    Token,
    /// Sudo policy.
    SudoPolicy,
    /// Universal action (argument rules) policy.
    UniversalActionPolicy,
    /// Time frame policy.
    TimeFramePolicy,
    /// Usage limit policy.
    UsageLimitPolicy,
    /// ETH value limit policy.
    ValueLimitPolicy,
    /// ERC-20 spending limits policy.
    SpendingLimitsPolicy,
    /// The verifying paymaster (`VerifyingPaymaster` fixture), deposited at the EntryPoint; its
    /// signer is the key of the devnet's [`PaymasterService`](crate::PaymasterService).
    Paymaster,
}

impl DevnetContract {
    /// All contracts, in deployment order.
    pub const ALL: [Self; 18] = [
        Self::EntryPoint,
        Self::NexusImplementation,
        Self::NexusFactory,
        Self::NexusBootstrap,
        Self::AccountValidator,
        Self::Counter,
        Self::Token,
        Self::SessionValidator,
        Self::SudoPolicy,
        Self::UniversalActionPolicy,
        Self::TimeFramePolicy,
        Self::UsageLimitPolicy,
        Self::ValueLimitPolicy,
        Self::SpendingLimitsPolicy,
        Self::RawHashSessionValidator,
        Self::SmartSession,
        Self::Registry,
        Self::Paymaster,
    ];

    /// The snake_case name: the [`DevnetAddresses`] field and the override-manifest key.
    pub const fn name(self) -> &'static str {
        match self {
            Self::EntryPoint => "entry_point",
            Self::NexusImplementation => "nexus_implementation",
            Self::NexusFactory => "nexus_factory",
            Self::NexusBootstrap => "nexus_bootstrap",
            Self::SmartSession => "smart_session",
            Self::Registry => "registry",
            Self::AccountValidator => "account_validator",
            Self::SessionValidator => "session_validator",
            Self::RawHashSessionValidator => "raw_hash_session_validator",
            Self::Counter => "counter",
            Self::Token => "token",
            Self::SudoPolicy => "sudo_policy",
            Self::UniversalActionPolicy => "universal_action_policy",
            Self::TimeFramePolicy => "time_frame_policy",
            Self::UsageLimitPolicy => "usage_limit_policy",
            Self::ValueLimitPolicy => "value_limit_policy",
            Self::SpendingLimitsPolicy => "spending_limits_policy",
            Self::Paymaster => "paymaster",
        }
    }

    /// The Solidity fixture in `contracts/src` that provides this contract by default, if any.
    pub const fn fixture(self) -> Option<&'static str> {
        Some(match self {
            Self::Registry => "TestRegistry",
            Self::AccountValidator => "EcdsaValidator",
            Self::SessionValidator => "OwnableSessionValidator",
            Self::RawHashSessionValidator => "RawHashSessionValidator",
            Self::Counter => "Counter",
            Self::Token => "TestToken",
            Self::SudoPolicy => "SudoPolicy",
            Self::UniversalActionPolicy => "UniversalActionPolicy",
            Self::TimeFramePolicy => "TimeFramePolicy",
            Self::UsageLimitPolicy => "UsageLimitPolicy",
            Self::ValueLimitPolicy => "ValueLimitPolicy",
            Self::SpendingLimitsPolicy => "SpendingLimitPolicy",
            Self::Paymaster => "VerifyingPaymaster",
            Self::EntryPoint
            | Self::NexusImplementation
            | Self::NexusFactory
            | Self::NexusBootstrap
            | Self::SmartSession => return None,
        })
    }

    /// Looks a contract up by its snake_case name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for DevnetContract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The address of every contract on a running devnet. Serializes as a JSON object keyed by the
/// snake_case field names (the same names the override manifest uses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevnetAddresses {
    /// EntryPoint v0.7 (always the canonical address).
    pub entry_point: Address,
    /// The Nexus account implementation.
    pub nexus_implementation: Address,
    /// The NexusAccountFactory (`createAccount(initData, salt)`).
    pub nexus_factory: Address,
    /// The NexusBootstrap (`initNexusWithSingleValidator`).
    pub nexus_bootstrap: Address,
    /// The SmartSession module.
    pub smart_session: Address,
    /// The ERC-7484 registry.
    pub registry: Address,
    /// The ECDSA owner validator for accounts.
    pub account_validator: Address,
    /// The session validator (owner-threshold ECDSA) used by sessions. By default the
    /// `OwnableSessionValidator` fixture (EIP-191 signatures, v 27/28 or 31/32).
    pub session_validator: Address,
    /// The `RawHashSessionValidator` fixture: the current OwnableValidator's rule (raw userOpHash, or
    /// EIP-191 with v + 4).
    pub raw_hash_session_validator: Address,
    /// The `Counter` test target.
    pub counter: Address,
    /// The `TestToken` ERC-20.
    pub token: Address,
    /// Sudo policy.
    pub sudo_policy: Address,
    /// Universal action policy.
    pub universal_action_policy: Address,
    /// Time frame policy.
    pub time_frame_policy: Address,
    /// Usage limit policy.
    pub usage_limit_policy: Address,
    /// Value limit policy.
    pub value_limit_policy: Address,
    /// Spending limits policy.
    pub spending_limits_policy: Address,
    /// The verifying paymaster (deposited at the EntryPoint; the devnet's
    /// [`PaymasterService`](crate::PaymasterService) signs for it).
    pub paymaster: Address,
}

impl DevnetAddresses {
    /// These contracts as the SDK's [`Deployment`](nexus_sessions::Deployment) of `module_version`
    /// (Nexus 1.0 until [`with_nexus_version`](nexus_sessions::Deployment::with_nexus_version));
    /// `proxy_creation_code` lets account addresses be computed offline.
    /// [`Devnet::deployment`](crate::Devnet::deployment) fills both from the running devnet.
    pub fn deployment(
        &self,
        module_version: crate::ModuleVersion,
        proxy_creation_code: Option<alloy_primitives::Bytes>,
    ) -> nexus_sessions::Deployment {
        use nexus_sessions::{LocalAddresses, PolicyAddresses};
        let addresses = LocalAddresses {
            entry_point: self.entry_point,
            implementation: self.nexus_implementation,
            factory: self.nexus_factory,
            bootstrap: self.nexus_bootstrap,
            smart_session: self.smart_session,
            registry: self.registry,
            account_validator: self.account_validator,
            session_validator: self.session_validator,
            policies: PolicyAddresses {
                sudo: self.sudo_policy,
                universal_action: self.universal_action_policy,
                time_frame: self.time_frame_policy,
                usage_limit: self.usage_limit_policy,
                value_limit: self.value_limit_policy,
                spending_limits: self.spending_limits_policy,
            },
        };
        nexus_sessions::Deployment::local(addresses, module_version, proxy_creation_code)
    }

    /// The address of one contract.
    pub fn get(&self, contract: DevnetContract) -> Address {
        *self.slot(contract)
    }

    /// All `(contract, address)` pairs in deployment order.
    pub fn iter(&self) -> impl Iterator<Item = (DevnetContract, Address)> + '_ {
        DevnetContract::ALL.into_iter().map(|c| (c, self.get(c)))
    }

    pub(crate) fn zero() -> Self {
        Self {
            entry_point: Address::ZERO,
            nexus_implementation: Address::ZERO,
            nexus_factory: Address::ZERO,
            nexus_bootstrap: Address::ZERO,
            smart_session: Address::ZERO,
            registry: Address::ZERO,
            account_validator: Address::ZERO,
            session_validator: Address::ZERO,
            raw_hash_session_validator: Address::ZERO,
            counter: Address::ZERO,
            token: Address::ZERO,
            sudo_policy: Address::ZERO,
            universal_action_policy: Address::ZERO,
            time_frame_policy: Address::ZERO,
            usage_limit_policy: Address::ZERO,
            value_limit_policy: Address::ZERO,
            spending_limits_policy: Address::ZERO,
            paymaster: Address::ZERO,
        }
    }

    pub(crate) fn set(&mut self, contract: DevnetContract, address: Address) {
        *self.slot_mut(contract) = address;
    }

    fn slot(&self, c: DevnetContract) -> &Address {
        match c {
            DevnetContract::EntryPoint => &self.entry_point,
            DevnetContract::NexusImplementation => &self.nexus_implementation,
            DevnetContract::NexusFactory => &self.nexus_factory,
            DevnetContract::NexusBootstrap => &self.nexus_bootstrap,
            DevnetContract::SmartSession => &self.smart_session,
            DevnetContract::Registry => &self.registry,
            DevnetContract::AccountValidator => &self.account_validator,
            DevnetContract::SessionValidator => &self.session_validator,
            DevnetContract::RawHashSessionValidator => &self.raw_hash_session_validator,
            DevnetContract::Counter => &self.counter,
            DevnetContract::Token => &self.token,
            DevnetContract::SudoPolicy => &self.sudo_policy,
            DevnetContract::UniversalActionPolicy => &self.universal_action_policy,
            DevnetContract::TimeFramePolicy => &self.time_frame_policy,
            DevnetContract::UsageLimitPolicy => &self.usage_limit_policy,
            DevnetContract::ValueLimitPolicy => &self.value_limit_policy,
            DevnetContract::SpendingLimitsPolicy => &self.spending_limits_policy,
            DevnetContract::Paymaster => &self.paymaster,
        }
    }

    fn slot_mut(&mut self, c: DevnetContract) -> &mut Address {
        match c {
            DevnetContract::EntryPoint => &mut self.entry_point,
            DevnetContract::NexusImplementation => &mut self.nexus_implementation,
            DevnetContract::NexusFactory => &mut self.nexus_factory,
            DevnetContract::NexusBootstrap => &mut self.nexus_bootstrap,
            DevnetContract::SmartSession => &mut self.smart_session,
            DevnetContract::Registry => &mut self.registry,
            DevnetContract::AccountValidator => &mut self.account_validator,
            DevnetContract::SessionValidator => &mut self.session_validator,
            DevnetContract::RawHashSessionValidator => &mut self.raw_hash_session_validator,
            DevnetContract::Counter => &mut self.counter,
            DevnetContract::Token => &mut self.token,
            DevnetContract::SudoPolicy => &mut self.sudo_policy,
            DevnetContract::UniversalActionPolicy => &mut self.universal_action_policy,
            DevnetContract::TimeFramePolicy => &mut self.time_frame_policy,
            DevnetContract::UsageLimitPolicy => &mut self.usage_limit_policy,
            DevnetContract::ValueLimitPolicy => &mut self.value_limit_policy,
            DevnetContract::SpendingLimitsPolicy => &mut self.spending_limits_policy,
            DevnetContract::Paymaster => &mut self.paymaster,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde_fields() {
        let mut a = DevnetAddresses::zero();
        for (i, c) in DevnetContract::ALL.into_iter().enumerate() {
            assert_eq!(DevnetContract::from_name(c.name()), Some(c));
            a.set(c, Address::with_last_byte(i as u8 + 1));
        }
        let json = serde_json::to_value(&a).unwrap();
        let obj = json.as_object().unwrap();
        assert_eq!(obj.len(), DevnetContract::ALL.len());
        for (c, addr) in a.iter() {
            assert_eq!(
                obj[c.name()].as_str().unwrap().parse::<Address>().unwrap(),
                addr
            );
        }
        let back: DevnetAddresses = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}
