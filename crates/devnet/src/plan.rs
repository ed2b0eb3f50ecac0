//! The deployment plan: which bytecode goes where, in which order, decided before anything runs.

use crate::{
    ContractOverride, DevnetAddresses, DevnetContract, DevnetError, Fixtures, ModuleVersion,
    NexusVersion, OverrideManifest, Toolchain,
    addresses::{ENTRY_POINT_V07, REGISTRY, SMART_SESSION_MODULEKIT},
};
use alloy_primitives::{Address, B256, Bytes, b256, keccak256};
use alloy_sol_types::SolValue;

/// Bumped whenever the plan's shape changes, so old cached states are not reused.
pub(crate) const PLAN_VERSION: u32 = 3;

/// The salt the canonical EntryPoint v0.7 was deployed with through the deterministic deployer.
pub(crate) const ENTRY_POINT_SALT: B256 =
    b256!("0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3");

/// How one contract gets its code.
#[derive(Clone, Debug)]
pub(crate) enum Placement {
    /// CREATE2 through the deterministic deployer (consumes one deployer nonce).
    Create2 { salt: B256, init_code: Bytes },
    /// CREATE from the deployer (consumes one deployer nonce).
    Create { init_code: Bytes },
    /// Consume one deployer nonce with an empty transaction, then etch (keeps later CREATE addresses stable).
    SkipNonceAndEtch { code: Bytes },
    /// Consume one deployer nonce with an empty transaction: the slot of a contract CREATE2-deployed later.
    SkipNonce,
    /// `anvil_setCode`.
    Etch { code: Bytes },
}

/// One step of the plan.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) contract: DevnetContract,
    pub(crate) address: Address,
    pub(crate) placement: Placement,
}

/// Everything the devnet deploys, in order, with the resulting addresses.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) module_version: ModuleVersion,
    pub(crate) nexus_version: NexusVersion,
    /// The NexusProxy creation code the factory deploys (the default's or the manifest's).
    pub(crate) nexus_proxy: Bytes,
    pub(crate) addresses: DevnetAddresses,
}

/// The order CREATE2 deployments run in: the default validator first (Nexus 1.2's implementation and
/// bootstrap constructors install it on themselves), then implementation, bootstrap and factory.
fn create2_rank(contract: DevnetContract) -> usize {
    const FIRST: [DevnetContract; 4] = [
        DevnetContract::AccountValidator,
        DevnetContract::NexusImplementation,
        DevnetContract::NexusBootstrap,
        DevnetContract::NexusFactory,
    ];
    FIRST
        .iter()
        .position(|c| *c == contract)
        .unwrap_or_else(|| {
            FIRST.len()
                + DevnetContract::ALL
                    .iter()
                    .position(|c| *c == contract)
                    .expect("every contract is in ALL")
        })
}

/// The default bytecode of every contract, gathered from the toolchain and the fixtures.
#[derive(Clone, Debug)]
pub(crate) struct DefaultCode {
    pub(crate) entry_point_init: Bytes,
    pub(crate) nexus: Bytes,
    pub(crate) nexus_factory: Bytes,
    pub(crate) nexus_bootstrap: Bytes,
    pub(crate) nexus_proxy: Bytes,
    pub(crate) smart_session_runtime: Bytes,
    /// Creation code of every fixture-backed contract except the registry, runtime code for the registry.
    pub(crate) fixtures: Vec<(DevnetContract, Bytes)>,
}

impl DefaultCode {
    /// Reads every default bytecode the plan needs (a fixture replaced by an override is not read, so
    /// an override also works when that fixture does not build).
    pub(crate) fn load(
        tc: &Toolchain,
        fixtures: &Fixtures,
        overrides: &OverrideManifest,
    ) -> Result<Self, DevnetError> {
        let mut fixture_code = Vec::new();
        for contract in DevnetContract::ALL {
            let Some(name) = contract.fixture() else {
                continue;
            };
            if overrides.get(contract).is_some() {
                continue;
            }
            let code = if contract == DevnetContract::Registry {
                fixtures.runtime_code(name)?
            } else {
                fixtures.creation_code(name)?
            };
            fixture_code.push((contract, code.into()));
        }
        Ok(Self {
            entry_point_init: entry_point_init_code(tc)?,
            nexus: tc.modulekit_bytecode("NEXUS_BYTECODE")?.into(),
            nexus_factory: tc
                .modulekit_bytecode("NEXUS_ACCOUNT_FACTORY_BYTECODE")?
                .into(),
            nexus_bootstrap: tc.modulekit_bytecode("NEXUS_BOOTSTRAP_BYTECODE")?.into(),
            nexus_proxy: tc.modulekit_bytecode("NEXUS_PROXY_BYTECODE")?.into(),
            smart_session_runtime: tc
                .modulekit_bytecode("SMART_SESSION_DEPLOYED_BYTECODE")?
                .into(),
            fixtures: fixture_code,
        })
    }

    /// The default code of a fixture-backed contract; empty when it was not loaded because an override
    /// replaces it (the plan then never uses it).
    fn fixture(&self, contract: DevnetContract) -> Bytes {
        self.fixtures
            .iter()
            .find(|(c, _)| *c == contract)
            .map(|(_, code)| code.clone())
            .unwrap_or_default()
    }
}

/// `.bytecode` of `@account-abstraction/contracts@0.7.0` `artifacts/EntryPoint.json`: the canonical init code.
fn entry_point_init_code(tc: &Toolchain) -> Result<Bytes, DevnetError> {
    let path = &tc.entry_point_artifact;
    let text = std::fs::read_to_string(path).map_err(|source| DevnetError::Io {
        action: "read",
        path: path.clone(),
        source,
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| DevnetError::Artifact {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    let hex = json["bytecode"]
        .as_str()
        .ok_or_else(|| DevnetError::Artifact {
            path: path.clone(),
            reason: "no `bytecode` string".into(),
        })?;
    hex.parse::<Bytes>().map_err(|e| DevnetError::Artifact {
        path: path.clone(),
        reason: format!("`bytecode` is not hex: {e}"),
    })
}

impl Plan {
    /// Builds the plan: the fixed default order from the deployer's nonce 0, with overrides applied.
    pub(crate) fn build(
        code: &DefaultCode,
        deployer: Address,
        overrides: &OverrideManifest,
    ) -> Self {
        // Nonce 0: the EntryPoint through the deterministic deployer, landing on its canonical address.
        let mut steps = vec![Step {
            contract: DevnetContract::EntryPoint,
            address: ENTRY_POINT_V07,
            placement: Placement::Create2 {
                salt: ENTRY_POINT_SALT,
                init_code: code.entry_point_init.clone(),
            },
        }];
        let mut nonce = 1u64;
        let mut create2s = Vec::new();
        // Every CREATE slot consumes exactly one deployer nonce, whatever the override, so the addresses
        // of the other contracts never depend on the manifest.
        let mut next_create = |steps: &mut Vec<Step>, contract, default_init: Bytes| {
            let address = deployer.create(nonce);
            nonce += 1;
            steps.push(match overrides.get(contract) {
                None => Step {
                    contract,
                    address,
                    placement: Placement::Create {
                        init_code: default_init,
                    },
                },
                Some(ContractOverride::Creation { init_code }) => Step {
                    contract,
                    address,
                    placement: Placement::Create {
                        init_code: init_code.clone(),
                    },
                },
                Some(ContractOverride::Runtime { code, address: at }) => Step {
                    contract,
                    address: at.unwrap_or(address),
                    placement: Placement::SkipNonceAndEtch { code: code.clone() },
                },
                Some(entry @ ContractOverride::Create2 { .. }) => Step {
                    contract,
                    address: entry.create2_address().expect("a CREATE2 entry"),
                    placement: Placement::SkipNonce,
                },
            });
        };

        // The factory is built for the implementation wherever it lands.
        let implementation = match overrides.get(DevnetContract::NexusImplementation) {
            Some(entry @ ContractOverride::Create2 { .. }) => {
                entry.create2_address().expect("a CREATE2 entry")
            }
            Some(ContractOverride::Runtime {
                address: Some(at), ..
            }) => *at,
            _ => deployer.create(1),
        };
        let nexus_init = [code.nexus.as_ref(), &ENTRY_POINT_V07.abi_encode()].concat();
        next_create(
            &mut steps,
            DevnetContract::NexusImplementation,
            nexus_init.into(),
        );
        let factory_init = [
            code.nexus_factory.as_ref(),
            &(implementation, deployer).abi_encode_params(),
        ]
        .concat();
        next_create(
            &mut steps,
            DevnetContract::NexusFactory,
            factory_init.into(),
        );
        next_create(
            &mut steps,
            DevnetContract::NexusBootstrap,
            code.nexus_bootstrap.clone(),
        );
        for contract in [
            DevnetContract::AccountValidator,
            DevnetContract::Counter,
            DevnetContract::Token,
            DevnetContract::SessionValidator,
            DevnetContract::SudoPolicy,
            DevnetContract::UniversalActionPolicy,
            DevnetContract::TimeFramePolicy,
            DevnetContract::UsageLimitPolicy,
            DevnetContract::ValueLimitPolicy,
            DevnetContract::SpendingLimitsPolicy,
            DevnetContract::RawHashSessionValidator,
        ] {
            next_create(&mut steps, contract, code.fixture(contract));
        }

        // Normally etched contracts; creation-code overrides of them are deployed last, with CREATE.
        let mut late_creates = Vec::new();
        for (contract, default_address, default_code) in [
            (
                DevnetContract::SmartSession,
                SMART_SESSION_MODULEKIT,
                code.smart_session_runtime.clone(),
            ),
            (
                DevnetContract::Registry,
                REGISTRY,
                code.fixture(DevnetContract::Registry),
            ),
        ] {
            match overrides.get(contract) {
                None => steps.push(Step {
                    contract,
                    address: default_address,
                    placement: Placement::Etch { code: default_code },
                }),
                Some(ContractOverride::Runtime { code, address }) => steps.push(Step {
                    contract,
                    address: address.unwrap_or(match (contract, overrides.module_version()) {
                        // A SmartSession build goes to that version's canonical address by default.
                        (DevnetContract::SmartSession, Some(version)) => {
                            version.canonical_address()
                        }
                        _ => default_address,
                    }),
                    placement: Placement::Etch { code: code.clone() },
                }),
                Some(ContractOverride::Creation { init_code }) => {
                    late_creates.push((contract, init_code.clone()))
                }
                // No nonce slot: placed with the other CREATE2 deployments below.
                Some(ContractOverride::Create2 { .. }) => {}
            }
        }
        for (contract, init_code) in late_creates {
            next_create(&mut steps, contract, init_code);
        }
        // The paymaster after every other nonce slot, so adding it moved no other address.
        let paymaster_init = [
            code.fixture(DevnetContract::Paymaster).as_ref(),
            &(ENTRY_POINT_V07, crate::keys::paymaster_signer_address()).abi_encode_params(),
        ]
        .concat();
        next_create(&mut steps, DevnetContract::Paymaster, paymaster_init.into());

        // CREATE2 deployments after every nonce slot (they may depend on each other, never on a slot).
        for contract in DevnetContract::ALL {
            if let Some(entry @ ContractOverride::Create2 { salt, init_code }) =
                overrides.get(contract)
            {
                create2s.push(Step {
                    contract,
                    address: entry.create2_address().expect("a CREATE2 entry"),
                    placement: Placement::Create2 {
                        salt: *salt,
                        init_code: init_code.clone(),
                    },
                });
            }
        }
        create2s.sort_by_key(|step| create2_rank(step.contract));
        steps.extend(create2s);

        let mut addresses = DevnetAddresses::zero();
        for step in &steps {
            addresses.set(step.contract, step.address);
        }
        let module_version = overrides.module_version().unwrap_or(ModuleVersion::PreV1);
        Self {
            steps,
            module_version,
            nexus_version: overrides.nexus_version().unwrap_or(NexusVersion::V1_0),
            nexus_proxy: overrides
                .nexus_proxy()
                .cloned()
                .unwrap_or_else(|| code.nexus_proxy.clone()),
            addresses,
        }
    }

    /// A hash of every input that shapes the resulting chain state: the plan version, the tool versions,
    /// every step's address and bytecode.
    pub(crate) fn cache_key(&self, tool_fingerprint: &[u8]) -> B256 {
        let mut buf = Vec::new();
        buf.extend_from_slice(&PLAN_VERSION.to_be_bytes());
        buf.extend_from_slice(&keccak256(tool_fingerprint).0);
        buf.extend_from_slice(self.module_version.as_str().as_bytes());
        buf.extend_from_slice(self.nexus_version.as_str().as_bytes());
        buf.extend_from_slice(&keccak256(&self.nexus_proxy).0);
        for step in &self.steps {
            buf.extend_from_slice(step.contract.name().as_bytes());
            buf.extend_from_slice(step.address.as_slice());
            let (tag, code): (u8, &[u8]) = match &step.placement {
                Placement::Create2 { salt, init_code } => {
                    buf.extend_from_slice(salt.as_slice());
                    (1, init_code)
                }
                Placement::Create { init_code } => (2, init_code),
                Placement::SkipNonceAndEtch { code } => (3, code),
                Placement::Etch { code } => (4, code),
                Placement::SkipNonce => (5, &[]),
            };
            buf.push(tag);
            buf.extend_from_slice(&keccak256(code).0);
        }
        keccak256(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    fn code() -> DefaultCode {
        DefaultCode {
            entry_point_init: vec![1].into(),
            nexus: vec![2].into(),
            nexus_factory: vec![3].into(),
            nexus_bootstrap: vec![4].into(),
            nexus_proxy: vec![5].into(),
            smart_session_runtime: vec![6].into(),
            fixtures: DevnetContract::ALL
                .into_iter()
                .filter(|c| c.fixture().is_some())
                .enumerate()
                .map(|(i, c)| (c, Bytes::from(vec![0x10 + i as u8])))
                .collect(),
        }
    }

    const DEPLOYER: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    #[test]
    fn default_addresses_match_the_recipe() {
        let plan = Plan::build(&code(), DEPLOYER, &OverrideManifest::new());
        let a = &plan.addresses;
        assert_eq!(a.entry_point, ENTRY_POINT_V07);
        assert_eq!(
            a.nexus_implementation,
            address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
        );
        assert_eq!(
            a.nexus_factory,
            address!("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
        );
        assert_eq!(
            a.nexus_bootstrap,
            address!("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
        );
        assert_eq!(
            a.account_validator,
            address!("0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9")
        );
        assert_eq!(
            a.counter,
            address!("0x5FC8d32690cc91D4c39d9d3abcBD16989F875707")
        );
        assert_eq!(a.smart_session, SMART_SESSION_MODULEKIT);
        assert_eq!(a.registry, REGISTRY);
        assert_eq!(plan.module_version, ModuleVersion::PreV1);
        let all: std::collections::BTreeSet<_> = a.iter().map(|(_, x)| x).collect();
        assert_eq!(
            all.len(),
            DevnetContract::ALL.len(),
            "addresses are distinct"
        );
        // Constructor arguments: Nexus(entryPoint), factory(implementation, owner).
        let Placement::Create { init_code } = &plan.steps[1].placement else {
            panic!()
        };
        assert_eq!(init_code.len(), 1 + 32);
        let Placement::Create { init_code } = &plan.steps[2].placement else {
            panic!()
        };
        assert_eq!(&init_code[13..33], a.nexus_implementation.as_slice());
        assert_eq!(&init_code[45..65], DEPLOYER.as_slice());
    }

    #[test]
    fn overrides_keep_other_addresses_and_change_the_key() {
        let base = Plan::build(&code(), DEPLOYER, &OverrideManifest::new());
        let at = address!("0x00000000008bDABA73cD9815d79069c247Eb4bDA");
        let overrides = OverrideManifest::new()
            .with_module_version(ModuleVersion::V1RegistryFree)
            .with_contract(
                DevnetContract::SmartSession,
                ContractOverride::Runtime {
                    code: vec![7].into(),
                    address: Some(at),
                },
            )
            .unwrap()
            .with_contract(
                DevnetContract::Counter,
                ContractOverride::Runtime {
                    code: vec![8].into(),
                    address: None,
                },
            )
            .unwrap()
            .with_contract(
                DevnetContract::Registry,
                ContractOverride::Creation {
                    init_code: vec![9].into(),
                },
            )
            .unwrap();
        let plan = Plan::build(&code(), DEPLOYER, &overrides);
        assert_eq!(plan.addresses.smart_session, at);
        assert_eq!(
            plan.addresses.counter, base.addresses.counter,
            "etched at the usual CREATE address"
        );
        assert_eq!(
            plan.addresses.token, base.addresses.token,
            "later nonces unchanged"
        );
        assert_eq!(
            plan.addresses.spending_limits_policy,
            base.addresses.spending_limits_policy
        );
        assert_eq!(
            plan.addresses.registry,
            DEPLOYER.create(15),
            "creation-code registry goes last"
        );
        assert_eq!(plan.module_version, ModuleVersion::V1RegistryFree);
        let v1 = OverrideManifest::new()
            .with_module_version(ModuleVersion::V1)
            .with_contract(
                DevnetContract::SmartSession,
                ContractOverride::Runtime {
                    code: vec![7].into(),
                    address: None,
                },
            )
            .unwrap();
        let v1_plan = Plan::build(&code(), DEPLOYER, &v1);
        assert_eq!(
            v1_plan.addresses.smart_session,
            ModuleVersion::V1.canonical_address()
        );
        assert_ne!(plan.cache_key(b"tools"), base.cache_key(b"tools"));
        assert_ne!(base.cache_key(b"tools"), base.cache_key(b"other tools"));
        assert_eq!(
            base.cache_key(b"tools"),
            Plan::build(&code(), DEPLOYER, &OverrideManifest::new()).cache_key(b"tools")
        );
    }

    #[test]
    fn create2_overrides_keep_the_nonce_slots_and_run_last_in_dependency_order() {
        let base = Plan::build(&code(), DEPLOYER, &OverrideManifest::new());
        let create2 = |byte: u8| ContractOverride::Create2 {
            salt: B256::with_last_byte(byte),
            init_code: vec![byte].into(),
        };
        let mut overrides =
            OverrideManifest::new().with_nexus(NexusVersion::V1_2, vec![0xaa].into());
        for (contract, byte) in [
            (DevnetContract::NexusFactory, 1),
            (DevnetContract::NexusImplementation, 2),
            (DevnetContract::NexusBootstrap, 3),
            (DevnetContract::AccountValidator, 4),
        ] {
            overrides = overrides.with_contract(contract, create2(byte)).unwrap();
        }
        let plan = Plan::build(&code(), DEPLOYER, &overrides);
        assert_eq!(plan.nexus_version, NexusVersion::V1_2);
        assert_eq!(plan.nexus_proxy.to_vec(), vec![0xaa]);
        assert_eq!(
            plan.addresses.nexus_implementation,
            create2(2).create2_address().unwrap()
        );
        assert_ne!(
            plan.addresses.nexus_implementation,
            base.addresses.nexus_implementation
        );
        for contract in [
            DevnetContract::Counter,
            DevnetContract::SessionValidator,
            DevnetContract::RawHashSessionValidator,
            DevnetContract::SpendingLimitsPolicy,
        ] {
            assert_eq!(
                plan.addresses.get(contract),
                base.addresses.get(contract),
                "{contract}"
            );
        }
        let slots = plan
            .steps
            .iter()
            .filter(|s| matches!(s.placement, Placement::SkipNonce))
            .count();
        assert_eq!(
            slots, 4,
            "every CREATE2-placed contract still consumes its nonce slot"
        );
        let order: Vec<_> = plan
            .steps
            .iter()
            .filter(|s| matches!(s.placement, Placement::Create2 { .. }))
            .map(|s| s.contract)
            .collect();
        assert_eq!(
            order,
            [
                DevnetContract::EntryPoint,
                DevnetContract::AccountValidator,
                DevnetContract::NexusImplementation,
                DevnetContract::NexusBootstrap,
                DevnetContract::NexusFactory,
            ]
        );
        assert!(
            matches!(
                plan.steps.last().unwrap().placement,
                Placement::Create2 { .. }
            ),
            "CREATE2 deployments come after every nonce slot"
        );
        assert_ne!(plan.cache_key(b"tools"), base.cache_key(b"tools"));
        assert_eq!(base.nexus_version, NexusVersion::V1_0);
        assert_eq!(base.nexus_proxy.to_vec(), vec![5]);
    }
}
