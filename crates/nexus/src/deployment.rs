//! Where the contracts live: one [`Deployment`] per chain / SDK era.
//!
//! Addresses drift between SDK releases, so they are configuration, never constants baked into the
//! client. The devnet builds its `Deployment` from its own addresses with [`Deployment::local`]; the
//! public presets reproduce the address tables of the reference SDKs (see each constructor for what
//! was and was not checked).

use alloy_primitives::{Address, Bytes, address};
use nexus_sessions_types::{ModuleVersion, NexusVersion, SessionSignatureStyle};
use serde::{Deserialize, Serialize};

/// EntryPoint v0.7, the same on every chain.
pub const ENTRY_POINT_V07: Address = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");
/// The Rhinestone ERC-7484 registry (module-sdk `REGISTRY_ADDRESS`).
pub const REGISTRY: Address = address!("0x000000000069E2a187AEFFb852bF3cCdC95151B2");
/// module-sdk `RHINESTONE_ATTESTER_ADDRESS`.
pub const RHINESTONE_ATTESTER: Address = address!("0x000000333034E9f539ce08819E12c1b8Cb29084d");
/// module-sdk `MOCK_ATTESTER_ADDRESS` (sdk 0.0.20's default for `trustAttesters`).
pub const MOCK_ATTESTER: Address = address!("0xA4C777199658a41688E9488c4EcbD7a2925Cc23A");

/// Addresses of the SmartSession policy contracts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyAddresses {
    /// SudoPolicy (allows everything).
    pub sudo: Address,
    /// UniActionPolicy (value limit per use and up to 16 argument rules).
    pub universal_action: Address,
    /// TimeFramePolicy (valid after / valid until).
    pub time_frame: Address,
    /// UsageLimitPolicy (number of uses).
    pub usage_limit: Address,
    /// ValueLimitPolicy (cumulative ETH value).
    pub value_limit: Address,
    /// ERC20SpendingLimitPolicy (cumulative token amounts per token).
    pub spending_limits: Address,
}

/// A preset constructor, as listed in [`Deployment::PRESETS`].
pub type PresetFn = fn() -> Deployment;

/// One deployment of Nexus, SmartSession and the session policies.
///
/// Made by a preset ([`Deployment::PRESETS`]), from a stack's addresses ([`Deployment::local`]) or
/// from JSON; new fields may be added, so adjust one through its public fields or `with_*`:
///
/// ```
/// use nexus_sessions::{Deployment, NexusVersion};
/// use nexus_sessions::sessions::SessionSignatureStyle;
///
/// let mut d = Deployment::nexus_1_0_smart_session_v1()
///     .with_session_signature_style(SessionSignatureStyle::Eip191VPlus4);
/// d.registry = alloy_primitives::Address::ZERO;
/// assert_eq!(d.nexus_version, NexusVersion::V1_0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Deployment {
    /// Which Nexus generation the factory deploys (account init data, the owner's validator in the
    /// nonce, how SmartSession is installed). Absent in JSON = 1.0.
    #[serde(default)]
    pub nexus_version: NexusVersion,
    /// The EntryPoint (v0.7).
    pub entry_point: Address,
    /// The NexusAccountFactory (`createAccount(bytes,bytes32)`).
    pub factory: Address,
    /// The NexusBootstrap used in the account's init data.
    pub bootstrap: Address,
    /// The Nexus implementation behind the proxies; needed, with
    /// [`proxy_creation_code`](Self::proxy_creation_code), to compute addresses locally.
    pub implementation: Option<Address>,
    /// The SmartSession module.
    pub smart_session: Address,
    /// Which SmartSession build is deployed at [`smart_session`](Self::smart_session).
    pub module_version: ModuleVersion,
    /// The owner's validator (K1-style: `onInstall` data = the 20-byte owner). On Nexus 1.2 the
    /// account's immutable default validator (the MEE K1 validator), selected by `address(0)`.
    pub account_validator: Address,
    /// The session validator SmartSession calls (OwnableValidator-compatible:
    /// init data = `abi.encode(threshold, owners)`, ECDSA signatures over the userOpHash in
    /// [`session_signature_style`](Self::session_signature_style)).
    pub session_validator: Address,
    /// How session keys sign for [`session_validator`](Self::session_validator). `None` (absent in
    /// JSON): the style of a known validator ([`SessionSignatureStyle::default_for`]); a custom
    /// validator must say it (see [`Self::session_signature_style`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_signature_style: Option<SessionSignatureStyle>,
    /// The ERC-7484 registry SmartSession consults (pre-v1 and v1.0.0).
    pub registry: Address,
    /// The policy contracts.
    pub policies: PolicyAddresses,
    /// The TimeFramePolicy reads module-sdk 0.1.x/0.2.x's 32-byte `uint128 validUntil ‖ uint128
    /// validAfter` instead of the smartsessions 12-byte `uint48 ‖ uint48` layout.
    #[serde(default)]
    pub time_frame_legacy: bool,
    /// NexusProxy creation code (modulekit's 996-byte `NEXUS_PROXY_BYTECODE` for the modulekit 0.5.9
    /// factory). Third-party bytecode: supplied at run time, never shipped with this crate. When
    /// `None` (or `implementation` is `None`) the client asks the factory for the account address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_creation_code: Option<Bytes>,
}

/// The contract addresses of a locally deployed stack, for [`Deployment::local`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalAddresses {
    /// EntryPoint v0.7.
    pub entry_point: Address,
    /// Nexus implementation.
    pub implementation: Address,
    /// NexusAccountFactory.
    pub factory: Address,
    /// NexusBootstrap.
    pub bootstrap: Address,
    /// SmartSession.
    pub smart_session: Address,
    /// ERC-7484 registry (or a mock at its address).
    pub registry: Address,
    /// The owner's K1-style validator.
    pub account_validator: Address,
    /// The OwnableValidator-compatible session validator.
    pub session_validator: Address,
    /// Policy contracts.
    pub policies: PolicyAddresses,
}

impl Deployment {
    /// A deployment on a local chain (the devnet), from its addresses, the SmartSession version it
    /// runs and, when available, the NexusProxy creation code for local address computation. It is
    /// also the constructor for any other chain whose addresses are known (then set the remaining
    /// public fields, e.g. [`registry`](Self::registry) or [`time_frame_legacy`](Self::time_frame_legacy)).
    ///
    /// Nexus 1.0 and, for the session validator, the style of a known OwnableValidator or else
    /// EIP-191 (this project's fixture validator); change them with [`Self::with_nexus_version`]
    /// and [`Self::with_session_signature_style`].
    pub fn local(
        addresses: LocalAddresses,
        module_version: ModuleVersion,
        proxy_creation_code: Option<Bytes>,
    ) -> Self {
        Self {
            nexus_version: NexusVersion::V1_0,
            entry_point: addresses.entry_point,
            factory: addresses.factory,
            bootstrap: addresses.bootstrap,
            implementation: Some(addresses.implementation),
            smart_session: addresses.smart_session,
            module_version,
            account_validator: addresses.account_validator,
            session_validator: addresses.session_validator,
            session_signature_style: Some(
                SessionSignatureStyle::default_for(addresses.session_validator)
                    .unwrap_or(SessionSignatureStyle::Eip191),
            ),
            registry: addresses.registry,
            policies: addresses.policies,
            time_frame_legacy: false,
            proxy_creation_code,
        }
    }

    /// Preset `nexus-1.0-smart-session-pre-v1`: the public module-sdk 0.1.x-era stack
    /// (@biconomy/sdk 0.0.10–0.0.20): Nexus 1.0.x, SmartSession `0xDDFF43A4…` (pre-v1 era) and its
    /// policies, OwnableValidator `0x2483DA3A…` (EIP-191 session signatures), K1Validator
    /// `0x0000002D…`.
    ///
    /// What is known: the SmartSession, policy and validator addresses are module-sdk 0.1.28/0.1.32
    /// constants; none were checked on a live chain. That era's SDK used the K1ValidatorFactory, which
    /// this crate does not drive, so factory and bootstrap are abstractjs 0.0.32+'s
    /// NexusAccountFactory `0x000000226c…` and NexusBootstrap `0x000000F5…` — a release (LibClone)
    /// factory whose address formula differs from the modulekit build, hence no proxy code: addresses
    /// come from `computeAccountAddress`. The TimeFramePolicy at `0x8177…` expects module-sdk's
    /// 32-byte `uint128‖uint128` init data, not the 12-byte smartsessions layout.
    pub fn nexus_1_0_smart_session_pre_v1() -> Self {
        Self {
            nexus_version: NexusVersion::V1_0,
            entry_point: ENTRY_POINT_V07,
            factory: address!("0x000000226cada0d8b36034F5D5c06855F59F6F3A"),
            bootstrap: address!("0x000000F5b753Fdd20C5CA2D7c1210b3Ab1EA5903"),
            implementation: None,
            smart_session: address!("0xDDFF43A42726df11E34123f747bDce0f755F784d"),
            module_version: ModuleVersion::PreV1,
            account_validator: address!("0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa"),
            session_validator: address!("0x2483DA3A338895199E5e538530213157e931Bf06"),
            session_signature_style: Some(SessionSignatureStyle::Eip191),
            registry: REGISTRY,
            policies: PolicyAddresses {
                sudo: address!("0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6"),
                universal_action: address!("0x148CD6c24F4dd23C396E081bBc1aB1D92eeDe2BF"),
                time_frame: address!("0x8177451511dE0577b911C254E9551D981C26dc72"),
                usage_limit: address!("0x1F34eF8311345A3A4a4566aF321b313052F51493"),
                value_limit: address!("0x730DA93267E7E513e932301B47F2ac7D062abC83"),
                spending_limits: address!("0x8e58f4945e6ba2a11b184a9c20b6c765a0891b95"),
            },
            time_frame_legacy: true,
            proxy_creation_code: None,
        }
    }

    /// Preset `nexus-1.0-smart-session-v1`: the public SmartSession v1.0.0 stack (module-sdk 0.2.x;
    /// @biconomy/sdk 0.0.22–0.0.28 and abstractjs 0.0.32–0.1.1), with abstractjs 0.1.x's Nexus 1.0.x
    /// NexusAccountFactory and NexusBootstrap, OwnableValidator `0x2483DA3A…` (EIP-191).
    ///
    /// What is known: SmartSession, Sudo, UniAction and SpendingLimits addresses were recomputed from
    /// the v1.0.0 artifacts and CREATE2 salts (reference docs); TimeFrame, UsageLimit and ValueLimit
    /// are module-sdk constants of unknown provenance; nothing was checked on a live chain. Addresses
    /// come from `computeAccountAddress` (no proxy code).
    pub fn nexus_1_0_smart_session_v1() -> Self {
        Self {
            nexus_version: NexusVersion::V1_0,
            entry_point: ENTRY_POINT_V07,
            factory: address!("0x000000226cada0d8b36034F5D5c06855F59F6F3A"),
            bootstrap: address!("0x000000F5b753Fdd20C5CA2D7c1210b3Ab1EA5903"),
            implementation: None,
            smart_session: address!("0x00000000002B0eCfbD0496EE71e01257dA0E37DE"),
            module_version: ModuleVersion::V1,
            account_validator: address!("0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa"),
            session_validator: address!("0x2483DA3A338895199E5e538530213157e931Bf06"),
            session_signature_style: Some(SessionSignatureStyle::Eip191),
            registry: REGISTRY,
            policies: PolicyAddresses {
                sudo: address!("0x0000003111cD8e92337C100F22B7A9dbf8DEE301"),
                universal_action: address!("0x0000006DDA6c463511C4e9B05CFc34C1247fCF1F"),
                time_frame: address!("0x8177451511dE0577b911C254E9551D981C26dc72"),
                usage_limit: address!("0x1F34eF8311345A3A4a4566aF321b313052F51493"),
                value_limit: address!("0x730DA93267E7E513e932301B47F2ac7D062abC83"),
                spending_limits: address!("0x00000088D48cF102A8Cdb0137A9b173f957c6343"),
            },
            time_frame_legacy: true,
            proxy_creation_code: None,
        }
    }

    /// Preset `nexus-1.2-smart-session-v1-registry-free`: what @biconomy/abstractjs 1.2.3 creates
    /// today — Nexus 1.2.0 (implementation `0x…4F43C49e`, factory `0x…1D1D5004`, bootstrap
    /// `0x…D3254452`, the MEE K1 validator `0x…d12897DD` as default validator), SmartSession v1
    /// registry-free `0x…8bDABA73` with module-sdk 0.4.0's policies, and the current OwnableValidator
    /// `0x…13fdB5` as session validator, signed EIP-191 with v+4.
    ///
    /// What was verified: on a devnet running byte-identical builds of these contracts at these
    /// addresses (the Nexus contracts CREATE2-deployed through the deterministic deployment proxy,
    /// SmartSession, OwnableValidator and policies etched), account addresses, init data and owner
    /// operations equal abstractjs 1.2.3's (golden vectors), and the e2e suite runs on it. Not
    /// verified: presence of this bytecode on public chains. No proxy creation code is shipped
    /// (third-party bytecode), so account addresses come from `computeAccountAddress` unless the
    /// caller sets [`proxy_creation_code`](Self::proxy_creation_code).
    pub fn nexus_1_2_smart_session_v1_registry_free() -> Self {
        Self {
            nexus_version: NexusVersion::V1_2,
            entry_point: ENTRY_POINT_V07,
            factory: address!("0x000000001D1D5004a02bAfAb9de2D6CE5b7B13de"),
            bootstrap: address!("0x00000000D3254452a909E4eeD47455Af7E27C289"),
            implementation: Some(address!("0x000000004F43C49e93C970E84001853a70923B03")),
            smart_session: address!("0x00000000008bDABA73cD9815d79069c247Eb4bDA"),
            module_version: ModuleVersion::V1RegistryFree,
            account_validator: address!("0x00000000d12897DDAdC2044614A9677B191A2d95"),
            session_validator: address!("0x000000000013fdB5234E4E3162a810F54d9f7E98"),
            session_signature_style: Some(SessionSignatureStyle::Eip191VPlus4),
            registry: REGISTRY,
            policies: PolicyAddresses {
                sudo: address!("0x0000000000FEEc8D74e3143fBaBbca515358d869"),
                universal_action: address!("0x0000000000714Cf48FcF88A0bFBa70d313415032"),
                time_frame: address!("0x0000000000D30f611fA3bf652ac6879428586930"),
                usage_limit: address!("0x00000000001d4479FA2A947026204d0283ceDe4B"),
                value_limit: address!("0x000000000021dC45451291BCDfc9f0B46d6f0278"),
                spending_limits: address!("0x000000000033212e272655d8a22402db819477a6"),
            },
            time_frame_legacy: false,
            proxy_creation_code: None,
        }
    }

    /// The presets by name (see each constructor for what was verified).
    pub const PRESETS: [(&'static str, PresetFn); 3] = [
        (
            "nexus-1.0-smart-session-pre-v1",
            Self::nexus_1_0_smart_session_pre_v1,
        ),
        (
            "nexus-1.0-smart-session-v1",
            Self::nexus_1_0_smart_session_v1,
        ),
        (
            "nexus-1.2-smart-session-v1-registry-free",
            Self::nexus_1_2_smart_session_v1_registry_free,
        ),
    ];

    /// The preset called `name` (one of [`Self::PRESETS`]).
    pub fn preset(name: &str) -> Option<Self> {
        Self::PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, make)| make())
    }

    /// This deployment with another Nexus generation.
    #[must_use]
    pub fn with_nexus_version(mut self, version: NexusVersion) -> Self {
        self.nexus_version = version;
        self
    }

    /// This deployment with (or, for `None`, without) the NexusProxy creation code that lets the
    /// client compute account addresses without asking the factory
    /// ([`proxy_creation_code`](Self::proxy_creation_code)).
    #[must_use]
    pub fn with_proxy_creation_code(mut self, code: Option<Bytes>) -> Self {
        self.proxy_creation_code = code;
        self
    }

    /// This deployment with an explicit session-key signature style.
    #[must_use]
    pub fn with_session_signature_style(mut self, style: SessionSignatureStyle) -> Self {
        self.session_signature_style = Some(style);
        self
    }

    /// How session keys sign for the session validator: the explicit style, else a known
    /// validator's ([`SessionSignatureStyle::default_for`]), else `None` (a custom validator whose
    /// style nobody stated; session-key clients refuse to guess).
    pub fn session_signature_style(&self) -> Option<SessionSignatureStyle> {
        self.session_signature_style
            .or_else(|| SessionSignatureStyle::default_for(self.session_validator))
    }

    /// The validator owner operations name in the nonce key (and ENABLE signatures name as the
    /// owner's validator): the account validator on Nexus 1.0, `address(0)` (the account's default
    /// validator) on Nexus 1.2.
    pub fn owner_validator(&self) -> Address {
        if self.nexus_version.has_default_validator() {
            Address::ZERO
        } else {
            self.account_validator
        }
    }

    /// Every contract the deployment names, by role (registry and implementation only when set),
    /// e.g. to check they all have code on a chain.
    pub fn contracts(&self) -> Vec<(&'static str, Address)> {
        let p = &self.policies;
        let mut out = vec![
            ("entry_point", self.entry_point),
            ("factory", self.factory),
            ("bootstrap", self.bootstrap),
            ("smart_session", self.smart_session),
            ("account_validator", self.account_validator),
            ("session_validator", self.session_validator),
            ("sudo_policy", p.sudo),
            ("universal_action_policy", p.universal_action),
            ("time_frame_policy", p.time_frame),
            ("usage_limit_policy", p.usage_limit),
            ("value_limit_policy", p.value_limit),
            ("spending_limits_policy", p.spending_limits),
        ];
        if let Some(i) = self.implementation {
            out.insert(1, ("implementation", i));
        }
        if self.module_version.uses_registry() && !self.registry.is_zero() {
            out.push(("registry", self.registry));
        }
        out
    }

    /// True when the account address can be computed without RPC.
    pub fn computes_addresses_locally(&self) -> bool {
        self.implementation.is_some() && self.proxy_creation_code.is_some()
    }
}

/// Test fixtures: a local deployment whose addresses are small numbers (EntryPoint 1,
/// implementation 2, factory 3, bootstrap 4, SmartSession 5, registry 6, account validator 7,
/// session validator 8, policies `0xA1..=0xA6` in [`PolicyAddresses`] field order).
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// The numbered policy addresses.
    pub(crate) fn policies() -> PolicyAddresses {
        let a = |n: u8| Address::with_last_byte(0xA0 + n);
        PolicyAddresses {
            sudo: a(1),
            universal_action: a(2),
            time_frame: a(3),
            usage_limit: a(4),
            value_limit: a(5),
            spending_limits: a(6),
        }
    }

    /// The numbered addresses.
    pub(crate) fn addresses() -> LocalAddresses {
        let a = Address::with_last_byte;
        LocalAddresses {
            entry_point: a(1),
            implementation: a(2),
            factory: a(3),
            bootstrap: a(4),
            smart_session: a(5),
            registry: a(6),
            account_validator: a(7),
            session_validator: a(8),
            policies: policies(),
        }
    }

    /// A pre-v1 deployment at the numbered addresses, without proxy code.
    pub(crate) fn deployment() -> Deployment {
        Deployment::local(addresses(), ModuleVersion::PreV1, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_their_versions() {
        for (d, v) in [
            (
                Deployment::nexus_1_0_smart_session_pre_v1(),
                ModuleVersion::PreV1,
            ),
            (Deployment::nexus_1_0_smart_session_v1(), ModuleVersion::V1),
            (
                Deployment::nexus_1_2_smart_session_v1_registry_free(),
                ModuleVersion::V1RegistryFree,
            ),
        ] {
            assert_eq!(d.module_version, v);
            assert_eq!(d.entry_point, ENTRY_POINT_V07);
            // every preset states its session validator's style, one that validator accepts
            let style = d.session_signature_style.expect("presets state the style");
            style.check_accepted_by(d.session_validator).unwrap();
            assert!(!d.computes_addresses_locally());
            let p = &d.policies;
            let all = [
                p.sudo,
                p.universal_action,
                p.time_frame,
                p.usage_limit,
                p.value_limit,
                p.spending_limits,
            ];
            assert!(all.iter().all(|a| !a.is_zero()));
        }
        assert_eq!(
            Deployment::nexus_1_0_smart_session_v1().smart_session,
            ModuleVersion::V1.canonical_address()
        );
        assert_eq!(
            Deployment::nexus_1_2_smart_session_v1_registry_free().smart_session,
            ModuleVersion::V1RegistryFree.canonical_address()
        );
    }

    #[test]
    fn presets_by_name() {
        for (name, make) in Deployment::PRESETS {
            assert_eq!(Deployment::preset(name), Some(make()));
            let nexus = if name.starts_with("nexus-1.2") {
                NexusVersion::V1_2
            } else {
                NexusVersion::V1_0
            };
            assert_eq!(make().nexus_version, nexus, "{name}");
            assert!(name.ends_with(make().module_version.as_str()), "{name}");
        }
        assert_eq!(Deployment::preset("public-v1"), None);
        let d12 = Deployment::nexus_1_2_smart_session_v1_registry_free();
        assert_eq!(d12.owner_validator(), Address::ZERO);
        assert_eq!(
            Deployment::nexus_1_0_smart_session_v1().owner_validator(),
            Deployment::nexus_1_0_smart_session_v1().account_validator
        );
        // JSON without the newer fields reads as Nexus 1.0 with a derived style
        let mut json = serde_json::to_value(&d12).unwrap();
        let obj = json.as_object_mut().unwrap();
        obj.remove("nexus_version");
        obj.remove("session_signature_style");
        let old: Deployment = serde_json::from_value(json).unwrap();
        assert_eq!(old.nexus_version, NexusVersion::V1_0);
        assert_eq!(old.session_signature_style, None);
        assert_eq!(
            old.session_signature_style(),
            Some(SessionSignatureStyle::Eip191VPlus4)
        );
    }

    #[test]
    fn local_keeps_addresses_and_serde_round_trips() {
        let a = Address::with_last_byte;
        let d = Deployment::local(
            fixtures::addresses(),
            ModuleVersion::PreV1,
            Some(Bytes::from_static(&[0x60, 0x80])),
        );
        assert_eq!(d.implementation, Some(a(2)));
        assert_eq!(d.factory, a(3));
        assert!(d.computes_addresses_locally());
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"module_version\":\"pre-v1\""), "{json}");
        assert_eq!(serde_json::from_str::<Deployment>(&json).unwrap(), d);
    }
}
