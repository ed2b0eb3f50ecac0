//! Nexus account creation: bootstrap init data, factory data and the counterfactual address.
//!
//! The account is created by `NexusAccountFactory.createAccount(initData, salt)`, which deploys a
//! NexusProxy with CREATE2. `initData = abi.encode(bootstrap, bootstrapCall)` is built locally (no
//! eth_call): `initNexusWithSingleValidator(...)` for Nexus 1.0.x,
//! `initNexusWithDefaultValidatorAndOtherModulesNoRegistry(...)` for Nexus 1.2 ([`AccountInit`]).
//! The address follows the modulekit 0.5.9 / Nexus 1.2 ProxyLib formula with the **raw** salt:
//!
//! ```text
//! initCodeHash = keccak256(NEXUS_PROXY_CREATION_CODE ‖ abi.encode(implementation, initializeAccount(initData)))
//! address      = keccak256(0xff ‖ factory ‖ salt ‖ initCodeHash)[12..]
//! ```
//!
//! The proxy creation code is third-party bytecode and is not part of this crate: it comes from the
//! [`Deployment`] (the devnet provides it). Without it the client asks the factory
//! (`computeAccountAddress`).

use crate::{
    abi::{
        BootstrapConfig, BootstrapPreValidationHookConfig, INexus, INexusAccountFactory,
        INexusBootstrap, INexusBootstrap12,
    },
    deployment::Deployment,
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolValue};

/// How a Nexus account is initialised: the bootstrap call its init data carries, per Nexus
/// generation. [`AccountInit::for_owner`] picks the one a [`Deployment`] runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountInit {
    /// Nexus 1.0.x: `initNexusWithSingleValidator`.
    SingleValidator(SingleValidatorInit),
    /// Nexus 1.2: `initNexusWithDefaultValidatorAndOtherModulesNoRegistry`.
    DefaultValidator(DefaultValidatorInit),
}

/// Nexus 1.0.x init: one validator plus the ERC-7484 registry configuration, via
/// `NexusBootstrap.initNexusWithSingleValidator` (`0x01fe9ff2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleValidatorInit {
    /// The NexusBootstrap contract the account delegate-calls.
    pub bootstrap: Address,
    /// The first (owner) validator, e.g. a K1/ECDSA validator.
    pub validator: Address,
    /// The validator's `onInstall` data; for K1-style validators the 20-byte owner address.
    pub validator_init_data: Bytes,
    /// The registry the account consults on module installs (`address(0)` for none).
    pub registry: Address,
    /// Attesters the account trusts at bootstrap (only used when `registry` is non-zero).
    pub attesters: Vec<Address>,
    /// Attestation threshold.
    pub threshold: u8,
}

/// A module and its `onInstall` data in a Nexus 1.2 bootstrap call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleInit {
    /// The module.
    pub module: Address,
    /// Its `onInstall` data.
    pub data: Bytes,
}

/// A pre-validation hook in a Nexus 1.2 bootstrap call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreValidationHookInit {
    /// ERC-7579 hook type (8: ERC-1271, 9: ERC-4337).
    pub hook_type: u64,
    /// The hook.
    pub module: Address,
    /// Its `onInstall` data.
    pub data: Bytes,
}

/// Nexus 1.2 init: the account's immutable default validator (the MEE K1 validator) gets
/// `default_validator_init_data`, and the other modules are installed, without a registry
/// (`NexusBootstrap.initNexusWithDefaultValidatorAndOtherModulesNoRegistry`, `0x41bede03`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultValidatorInit {
    /// The NexusBootstrap 1.2 contract the account delegate-calls.
    pub bootstrap: Address,
    /// The default validator's `onInstall` data: the 20-byte owner, then optional 20-byte ERC-7739
    /// safe senders.
    pub default_validator_init_data: Bytes,
    /// Further validators.
    pub validators: Vec<ModuleInit>,
    /// Executors.
    pub executors: Vec<ModuleInit>,
    /// The hook (abstractjs: `address(0)` with 32 zero bytes, i.e. none).
    pub hook: ModuleInit,
    /// Fallback handlers.
    pub fallbacks: Vec<ModuleInit>,
    /// Pre-validation hooks.
    pub pre_validation_hooks: Vec<PreValidationHookInit>,
}

impl DefaultValidatorInit {
    /// What abstractjs 1.2.3 `toNexusAccount` builds for `owner`: no other module, the empty hook.
    pub fn for_owner(bootstrap: Address, owner: Address) -> Self {
        Self {
            bootstrap,
            default_validator_init_data: Bytes::copy_from_slice(owner.as_slice()),
            validators: Vec::new(),
            executors: Vec::new(),
            hook: ModuleInit {
                module: Address::ZERO,
                data: Bytes::from(vec![0u8; 32]),
            },
            fallbacks: Vec::new(),
            pre_validation_hooks: Vec::new(),
        }
    }

    /// Adds a validator installed at account creation (e.g. SmartSession with empty data).
    pub fn validator(mut self, module: Address, data: Bytes) -> Self {
        self.validators.push(ModuleInit { module, data });
        self
    }

    /// Adds an executor installed at account creation.
    pub fn executor(mut self, module: Address, data: Bytes) -> Self {
        self.executors.push(ModuleInit { module, data });
        self
    }

    /// Adds ERC-7739 safe senders to the default validator's init data (the K1 MEE validator reads
    /// 20-byte chunks after the owner): a safe sender's plain ECDSA signatures are accepted, as
    /// SmartSession's ENABLE signatures need.
    pub fn safe_senders(mut self, senders: &[Address]) -> Self {
        let mut data = self.default_validator_init_data.to_vec();
        for s in senders {
            data.extend_from_slice(s.as_slice());
        }
        self.default_validator_init_data = data.into();
        self
    }
}

fn configs(list: &[ModuleInit]) -> Vec<BootstrapConfig> {
    list.iter().map(ModuleInit::to_sol).collect()
}

impl ModuleInit {
    fn to_sol(&self) -> BootstrapConfig {
        BootstrapConfig {
            module: self.module,
            data: self.data.clone(),
        }
    }
}

impl AccountInit {
    /// A Nexus 1.0.x K1-style account: `validator` owned by `owner` (init data = the 20 owner
    /// bytes), with the given registry configuration.
    pub fn k1(
        bootstrap: Address,
        validator: Address,
        owner: Address,
        registry: Address,
        attesters: Vec<Address>,
        threshold: u8,
    ) -> Self {
        Self::SingleValidator(SingleValidatorInit {
            bootstrap,
            validator,
            validator_init_data: Bytes::copy_from_slice(owner.as_slice()),
            registry,
            attesters,
            threshold,
        })
    }

    /// The account a deployment creates for `owner` by default: Nexus 1.0 — the deployment's
    /// account validator owned by `owner`, no registry; Nexus 1.2 — the default validator owned by
    /// `owner`, no other module (as abstractjs 1.2.3).
    pub fn for_owner(deployment: &Deployment, owner: Address) -> Self {
        if deployment.nexus_version.has_default_validator() {
            Self::DefaultValidator(DefaultValidatorInit::for_owner(deployment.bootstrap, owner))
        } else {
            Self::k1(
                deployment.bootstrap,
                deployment.account_validator,
                owner,
                Address::ZERO,
                vec![],
                0,
            )
        }
    }

    /// The bootstrap contract.
    pub fn bootstrap(&self) -> Address {
        match self {
            Self::SingleValidator(i) => i.bootstrap,
            Self::DefaultValidator(i) => i.bootstrap,
        }
    }

    /// The bootstrap call: `initNexusWithSingleValidator(validator, data, registry, attesters,
    /// threshold)` or `initNexusWithDefaultValidatorAndOtherModulesNoRegistry(...)`.
    pub fn bootstrap_call(&self) -> Bytes {
        match self {
            Self::SingleValidator(i) => INexusBootstrap::initNexusWithSingleValidatorCall {
                validator: i.validator,
                data: i.validator_init_data.clone(),
                registry: i.registry,
                attesters: i.attesters.clone(),
                threshold: i.threshold,
            }
            .abi_encode()
            .into(),
            Self::DefaultValidator(i) => {
                INexusBootstrap12::initNexusWithDefaultValidatorAndOtherModulesNoRegistryCall {
                    defaultValidatorInitData: i.default_validator_init_data.clone(),
                    validators: configs(&i.validators),
                    executors: configs(&i.executors),
                    hook: i.hook.to_sol(),
                    fallbacks: configs(&i.fallbacks),
                    preValidationHooks: i
                        .pre_validation_hooks
                        .iter()
                        .map(|h| BootstrapPreValidationHookConfig {
                            hookType: U256::from(h.hook_type),
                            module: h.module,
                            data: h.data.clone(),
                        })
                        .collect(),
                }
                .abi_encode()
                .into()
            }
        }
    }

    /// `initData = abi.encode(address bootstrap, bytes bootstrapCall)`, the argument of
    /// `Nexus.initializeAccount` and `NexusAccountFactory.createAccount`.
    pub fn init_data(&self) -> Bytes {
        (self.bootstrap(), self.bootstrap_call())
            .abi_encode_params()
            .into()
    }
}

/// `createAccount(initData, salt)` factory calldata (the user operation's `factoryData`).
pub fn factory_data(init_data: &Bytes, salt: B256) -> Bytes {
    INexusAccountFactory::createAccountCall {
        initData: init_data.clone(),
        salt,
    }
    .abi_encode()
    .into()
}

/// `computeAccountAddress(initData, salt)` calldata, for the eth_call fallback.
pub fn compute_account_address_call(init_data: &Bytes, salt: B256) -> Bytes {
    INexusAccountFactory::computeAccountAddressCall {
        initData: init_data.clone(),
        salt,
    }
    .abi_encode()
    .into()
}

/// The salt for account index `index`: the index as a big-endian `uint256` (abstractjs
/// `pad(toHex(index), {size: 32})`).
pub fn salt_for_index(index: u64) -> B256 {
    B256::left_padding_from(&index.to_be_bytes())
}

/// keccak256 of the NexusProxy deployment code for this account:
/// `proxy_creation_code ‖ abi.encode(implementation, initializeAccount(initData))`.
pub fn init_code_hash(
    proxy_creation_code: &[u8],
    implementation: Address,
    init_data: &Bytes,
) -> B256 {
    let initialize = Bytes::from(
        INexus::initializeAccountCall {
            initData: init_data.clone(),
        }
        .abi_encode(),
    );
    let args = (implementation, initialize).abi_encode_params();
    let mut code = Vec::with_capacity(proxy_creation_code.len() + args.len());
    code.extend_from_slice(proxy_creation_code);
    code.extend_from_slice(&args);
    keccak256(code)
}

/// The CREATE2 address NexusAccountFactory (modulekit 0.5.9 build / Nexus 1.2 ProxyLib) deploys the
/// account to. The salt is used as given.
pub fn counterfactual_address(
    factory: Address,
    proxy_creation_code: &[u8],
    implementation: Address,
    init_data: &Bytes,
    salt: B256,
) -> Address {
    factory.create2(
        salt,
        init_code_hash(proxy_creation_code, implementation, init_data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    const BOOTSTRAP: Address = address!("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
    const K1: Address = address!("0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa");
    const OWNER: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const REGISTRY: Address = address!("0x000000000069E2a187AEFFb852bF3cCdC95151B2");
    const RHINESTONE_ATTESTER: Address = address!("0x000000333034E9f539ce08819E12c1b8Cb29084d");

    // nexus-and-reference-sdks.md Appendix A.1
    const INIT_DATA: &str = "0x0000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e00000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000012401fe9ff20000000000000000000000000000002d6db27c52e3c11c1cf24072004ac75cba00000000000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000069e2a187aeffb852bf3ccdc95151b200000000000000000000000000000000000000000000000000000000000000e000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000014f39fd6e51aad88f6f4ce6ab8827279cfffb922660000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000333034e9f539ce08819e12c1b8cb29084d00000000000000000000000000000000000000000000000000000000";
    const FACTORY_DATA: &str = "0xea6d13ac0000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001a00000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e00000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000012401fe9ff20000000000000000000000000000002d6db27c52e3c11c1cf24072004ac75cba00000000000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000069e2a187aeffb852bf3ccdc95151b200000000000000000000000000000000000000000000000000000000000000e000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000014f39fd6e51aad88f6f4ce6ab8827279cfffb922660000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000333034e9f539ce08819e12c1b8cb29084d00000000000000000000000000000000000000000000000000000000";

    fn golden_init() -> AccountInit {
        AccountInit::k1(BOOTSTRAP, K1, OWNER, REGISTRY, vec![RHINESTONE_ATTESTER], 1)
    }

    #[test]
    fn golden_init_data() {
        let init = golden_init();
        assert_eq!(init.init_data(), INIT_DATA.parse::<Bytes>().unwrap());
        assert_eq!(&init.bootstrap_call()[..4], hex!("01fe9ff2"));
    }

    #[test]
    fn golden_factory_data() {
        let fd = factory_data(&golden_init().init_data(), salt_for_index(0));
        assert_eq!(fd, FACTORY_DATA.parse::<Bytes>().unwrap());
        let call = compute_account_address_call(&golden_init().init_data(), B256::ZERO);
        assert_eq!(&call[..4], hex!("fafa2b42"));
        assert_eq!(&call[4..], &fd[4..]);
    }

    #[test]
    fn salts() {
        assert_eq!(salt_for_index(0), B256::ZERO);
        assert_eq!(
            salt_for_index(1),
            b256!("0x0000000000000000000000000000000000000000000000000000000000000001")
        );
        assert_eq!(salt_for_index(u64::MAX)[24..], [0xFF; 8]);
    }

    /// The formula's structure, computed by hand from its definition with a synthetic proxy code.
    #[test]
    fn counterfactual_address_matches_hand_computation() {
        let proxy = hex!("6080604052deadbeef").to_vec();
        let implementation = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        let factory = address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        let init_data = golden_init().init_data();
        let salt = salt_for_index(1);

        // initializeAccount(initData) = 0x4b6a1419 ‖ offset 0x20 ‖ len ‖ data padded to 32.
        let mut initialize = hex!("4b6a1419").to_vec();
        initialize.extend_from_slice(&B256::left_padding_from(&[0x20]).0);
        initialize
            .extend_from_slice(&B256::left_padding_from(&(init_data.len() as u64).to_be_bytes()).0);
        initialize.extend_from_slice(&init_data);
        initialize.resize(4 + 64 + init_data.len().div_ceil(32) * 32, 0);
        // abi.encode(address, bytes) = impl word ‖ offset 0x40 ‖ len ‖ data padded to 32.
        let mut code = proxy.clone();
        code.extend_from_slice(&[0u8; 12]);
        code.extend_from_slice(implementation.as_slice());
        code.extend_from_slice(&B256::left_padding_from(&[0x40]).0);
        code.extend_from_slice(
            &B256::left_padding_from(&(initialize.len() as u64).to_be_bytes()).0,
        );
        code.extend_from_slice(&initialize);
        let padded_len = proxy.len() + 32 * 3 + initialize.len().div_ceil(32) * 32;
        code.resize(padded_len, 0);
        let hash = keccak256(&code);
        assert_eq!(init_code_hash(&proxy, implementation, &init_data), hash);

        let mut preimage = vec![0xffu8];
        preimage.extend_from_slice(factory.as_slice());
        preimage.extend_from_slice(salt.as_slice());
        preimage.extend_from_slice(hash.as_slice());
        let expected = Address::from_slice(&keccak256(&preimage)[12..]);
        assert_eq!(
            counterfactual_address(factory, &proxy, implementation, &init_data, salt),
            expected
        );

        // Every input matters.
        let other = counterfactual_address(factory, &proxy, implementation, &init_data, B256::ZERO);
        assert_ne!(other, expected);
        let other = counterfactual_address(factory, &proxy[1..], implementation, &init_data, salt);
        assert_ne!(other, expected);
    }
}
