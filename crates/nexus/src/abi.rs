//! Solidity interfaces of the Nexus 1.0.x and 1.2.0 contracts the facade calls.
//!
//! Only the functions this crate encodes or reads are declared. SmartSession itself lives in
//! [`nexus_sessions_types::abi`], per module version.

use alloy_sol_types::sol;

sol! {
    /// One ERC-7579 execution inside a batch: `(address target, uint256 value, bytes callData)`.
    #[derive(Debug, PartialEq, Eq)]
    struct Execution {
        /// Call target.
        address target;
        /// Wei sent with the call.
        uint256 value;
        /// Call data.
        bytes callData;
    }

    /// The Nexus account (ERC-7579 execution and module management, SentinelList reads).
    #[derive(Debug, PartialEq, Eq)]
    interface INexus {
        /// ERC-7579 `execute(bytes32 mode, bytes executionCalldata)` (`0xe9ae5c53`).
        function execute(bytes32 mode, bytes executionCalldata) external payable;
        /// `initializeAccount(bytes initData)` (`0x4b6a1419`), called by the proxy constructor.
        function initializeAccount(bytes initData) external payable;
        /// `installModule(uint256,address,bytes)` (`0x9517e29f`).
        function installModule(uint256 moduleTypeId, address module, bytes initData) external payable;
        /// `uninstallModule(uint256,address,bytes)` (`0xa71763a8`).
        function uninstallModule(uint256 moduleTypeId, address module, bytes deInitData) external payable;
        /// `isModuleInstalled(uint256,address,bytes)` (`0x112d3a7d`).
        function isModuleInstalled(uint256 moduleTypeId, address module, bytes additionalContext) external view returns (bool installed);
        /// `getValidatorsPaginated(address,uint256)` (`0x5faac46b`); newest validator first.
        function getValidatorsPaginated(address cursor, uint256 size) external view returns (address[] array, address next);
        /// `accountId()`; `"biconomy.nexus.1.0.0"` for the modulekit 0.5.9 build.
        function accountId() external view returns (string id);
        /// ERC-1271 `isValidSignature(bytes32,bytes)` (`0x1626ba7e`); the first 20 bytes of the
        /// signature select the validator (`address(0)` = Nexus 1.2's default validator).
        function isValidSignature(bytes32 hash, bytes signature) external view returns (bytes4 magic);
        /// ERC-5267 `eip712Domain()`: the account's EIP-712 domain (ERC-7739 signatures are made
        /// over it).
        function eip712Domain() external view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions);
    }

    /// NexusBootstrap 1.0.0 (delegate-called by `initializeAccount`).
    #[derive(Debug, PartialEq, Eq)]
    interface INexusBootstrap {
        /// `initNexusWithSingleValidator(address,bytes,address,address[],uint8)` (`0x01fe9ff2`).
        function initNexusWithSingleValidator(address validator, bytes data, address registry, address[] attesters, uint8 threshold) external;
    }

    /// A module and its init data in a Nexus 1.2 bootstrap call (`BootstrapConfig`).
    #[derive(Debug, PartialEq, Eq)]
    struct BootstrapConfig {
        /// The module (`address(0)` entries are skipped).
        address module;
        /// Its `onInstall` data.
        bytes data;
    }

    /// A pre-validation hook in a Nexus 1.2 bootstrap call (`BootstrapPreValidationHookConfig`).
    #[derive(Debug, PartialEq, Eq)]
    struct BootstrapPreValidationHookConfig {
        /// ERC-7579 hook type (8: ERC-1271, 9: ERC-4337).
        uint256 hookType;
        /// The hook.
        address module;
        /// Its `onInstall` data.
        bytes data;
    }

    /// NexusBootstrap 1.2.x (the "1.2.1" deployment abstractjs 1.2.3 uses).
    #[derive(Debug, PartialEq, Eq)]
    interface INexusBootstrap12 {
        /// `initNexusWithDefaultValidatorAndOtherModulesNoRegistry(bytes,(address,bytes)[],(address,bytes)[],(address,bytes),(address,bytes)[],(uint256,address,bytes)[])`
        /// (`0x41bede03`): installs the immutable default validator with `defaultValidatorInitData`
        /// and the other modules, without a registry.
        function initNexusWithDefaultValidatorAndOtherModulesNoRegistry(bytes defaultValidatorInitData, BootstrapConfig[] validators, BootstrapConfig[] executors, BootstrapConfig hook, BootstrapConfig[] fallbacks, BootstrapPreValidationHookConfig[] preValidationHooks) external;
    }

    /// The MEE K1 validator, Nexus 1.2's default validator: ERC-7739 safe senders may have their
    /// plain ECDSA signatures checked without the ERC-7739 wrapping.
    #[derive(Debug, PartialEq, Eq)]
    interface IK1MeeValidator {
        /// `addSafeSender(address)` (`0x5c81ca68`), called by the account.
        function addSafeSender(address sender) external;
        /// `removeSafeSender(address)`, called by the account.
        function removeSafeSender(address sender) external;
        /// `isSafeSender(address,address)`.
        function isSafeSender(address sender, address smartAccount) external view returns (bool);
    }

    /// NexusAccountFactory (modulekit 0.5.9 dev build, and the abstractjs NexusAccountFactory ABI).
    #[derive(Debug, PartialEq, Eq)]
    interface INexusAccountFactory {
        /// `createAccount(bytes,bytes32)` (`0xea6d13ac`).
        function createAccount(bytes initData, bytes32 salt) external payable returns (address account);
        /// `computeAccountAddress(bytes,bytes32)` (`0xfafa2b42`).
        function computeAccountAddress(bytes initData, bytes32 salt) external view returns (address account);
    }

    /// EntryPoint v0.7 reads.
    #[derive(Debug, PartialEq, Eq)]
    interface IEntryPoint {
        /// `getNonce(address,uint192)` (`0x35567e1a`).
        function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
    }

    /// ERC-7484 registry (Rhinestone Registry / MockRegistry).
    #[derive(Debug, PartialEq, Eq)]
    interface IRegistry {
        /// `trustAttesters(uint8,address[])` (`0xf05c04e1`), called by the account.
        function trustAttesters(uint8 threshold, address[] attesters) external;
        /// `findTrustedAttesters(address)` (`0xdd0fd278`); absent on modulekit's MockRegistry (reverts).
        function findTrustedAttesters(address smartAccount) external view returns (address[] attesters);
    }

    /// ERC-20 functions the local spending-limit check understands.
    #[derive(Debug, PartialEq, Eq)]
    interface IERC20 {
        /// `transfer(address,uint256)` (`0xa9059cbb`).
        function transfer(address to, uint256 amount) external returns (bool);
        /// `approve(address,uint256)` (`0x095ea7b3`).
        function approve(address spender, uint256 amount) external returns (bool);
        /// `transferFrom(address,address,uint256)` (`0x23b872dd`).
        function transferFrom(address from, address to, uint256 amount) external returns (bool);
    }
}
