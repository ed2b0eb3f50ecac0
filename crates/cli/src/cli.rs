//! The command-line grammar (clap derive). Each variant's doc comment is its `--help` text.

use core::fmt;

use clap::{Args, Parser, Subcommand, ValueEnum};
use nexus_sessions_bundler::RedactedUrl;

/// Inspect, encode and decode ERC-7579 Smart Sessions data; grant, use and revoke sessions live.
///
/// Offline commands print machine output on stdout (hex values 0x-prefixed lowercase, or JSON) and
/// report errors as one line on stderr with exit code 2. Wherever a FILE is read, `-` means stdin.
#[derive(Debug, Parser)]
#[command(
    name = "nexus-sessions",
    version,
    propagate_version = true,
    max_term_width = 110
)]
pub(crate) struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// SmartSession module version (the on-chain encodings differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VersionArg {
    /// The SmartSession bytecode shipped in modulekit 0.5.9 (commit b17010a); module-sdk 0.1.x.
    #[value(name = "pre-v1")]
    PreV1,
    /// SmartSession v1.0.0; module-sdk >= 0.2.
    #[value(name = "v1")]
    V1,
    /// SmartSession v1 without the ERC-7484 registry.
    #[value(name = "v1-registry-free")]
    V1RegistryFree,
}

/// An enable mode (the digest differs between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EnableModeArg {
    /// ENABLE (0x01): the registry checks apply.
    Enable,
    /// UNSAFE_ENABLE (0x02): registry checks skipped.
    UnsafeEnable,
}

/// The policies whose init data this tool can build and decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PolicyKind {
    /// SudoPolicy: no config, init data `0x`.
    Sudo,
    /// UniActionPolicy: `{"valueLimitPerUse": "0", "rules": [...]}` (up to 16 rules).
    UniversalAction,
    /// TimeFramePolicy: `{"validUntil": N, "validAfter": N}` (uint48 each; 12 packed bytes by default).
    TimeFrame,
    /// UsageLimitPolicy: `{"limit": N}` (uint128; 16 packed bytes).
    UsageLimit,
    /// ValueLimitPolicy: `{"limit": N}` (uint256 wei).
    ValueLimit,
    /// ERC20SpendingLimitPolicy: `[{"token": "0x…", "limit": N}, ...]`.
    SpendingLimits,
}

/// All commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the permission id of a session: keccak256(abi.encode(sessionValidator, sessionValidatorInitData, salt)).
    ///
    /// The session file uses @rhinestone/module-sdk `Session` field names. Only sessionValidator,
    /// sessionValidatorInitData and salt feed the id, so it is the same for every module version.
    ///
    /// Example:
    ///   nexus-sessions permission-id --session session.json
    ///   cat session.json | nexus-sessions permission-id --session -
    #[command(verbatim_doc_comment)]
    PermissionId {
        /// Session JSON file (module-sdk `Session` field names), or `-` for stdin.
        #[arg(long, value_name = "FILE")]
        session: String,
    },

    /// Print an action id: keccak256(abi.encodePacked(target, selector)).
    ///
    /// Example:
    ///   nexus-sessions action-id --target 0x1111111111111111111111111111111111111111 --selector 0x273ea3e3
    ///   nexus-sessions action-id --target 0x1111111111111111111111111111111111111111 --selector 'incrementNumber()'
    #[command(verbatim_doc_comment)]
    ActionId {
        /// The contract the session may call.
        #[arg(long, value_name = "ADDR")]
        target: String,
        /// 4-byte selector as hex, or a function signature such as `transfer(address,uint256)`.
        #[arg(long, value_name = "SELECTOR")]
        selector: String,
    },

    /// Print the per-chain session digest, as SmartSession's `getSessionDigest` returns it.
    ///
    /// The digest binds the session to the account, the SmartSession address, the mode and the
    /// account's enable nonce for this permission (`getNonce(permissionId, account)`). It does not
    /// depend on the chain id; `--chain-id` (or the session file's `chainId`) only labels the
    /// `--json` output, which is one entry ready for `multichain-hash --digests`.
    ///
    /// Example:
    ///   nexus-sessions session-digest --session session.json --module-version pre-v1 \
    ///     --account 0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb \
    ///     --smart-session 0x0000000071727De22e5E9D8bAF0EDAc6F37da034 \
    ///     --mode enable --nonce 0 --chain-id 31337
    #[command(verbatim_doc_comment)]
    SessionDigest {
        /// Session JSON file (module-sdk `Session` field names), or `-` for stdin.
        #[arg(long, value_name = "FILE")]
        session: String,
        /// SmartSession module version.
        #[arg(long, value_name = "VERSION")]
        module_version: VersionArg,
        /// The smart account.
        #[arg(long, value_name = "ADDR")]
        account: String,
        /// The SmartSession module address.
        #[arg(long, value_name = "ADDR")]
        smart_session: String,
        /// The enable mode the signature will be sent with.
        #[arg(long)]
        mode: EnableModeArg,
        /// The account's enable nonce for this permission id (decimal or 0x-hex).
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        nonce: String,
        /// The chain this digest is for (labels `--json` output).
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        chain_id: Option<String>,
        /// Print `{"chainId": N, "sessionDigest": "0x…"}` instead of the bare digest.
        #[arg(long)]
        json: bool,
    },

    /// Print the multichain EIP-712 hash the account owner signs to enable a session.
    ///
    /// pre-v1 and v1 differ in the EIP-712 type names (ChainSessionEIP712 vs ChainSession), so the
    /// version matters.
    ///
    /// DIGESTS is inline JSON, `@FILE`, or `-` (stdin): `[{"chainId": N, "sessionDigest": "0x…"}, ...]`,
    /// in the order they will appear in `hashesAndChainIds`.
    ///
    /// Example:
    ///   nexus-sessions multichain-hash --module-version pre-v1 \
    ///     --digests '[{"chainId": 31337, "sessionDigest": "0x9c16d984b1dd153f71febd72623bd2762b67b5ce01f3993a97d1431e1068683f"}]'
    #[command(verbatim_doc_comment)]
    MultichainHash {
        /// SmartSession module version.
        #[arg(long, value_name = "VERSION")]
        module_version: VersionArg,
        /// `[{"chainId": N, "sessionDigest": "0x…"}]`, inline, `@FILE` or `-`.
        #[arg(long, value_name = "JSON")]
        digests: String,
    },

    /// Print the userOp.signature for USE mode: 0x00 ‖ permissionId ‖ session-key signature.
    ///
    /// pre-v1 compresses abi.encode(signature) with FastLZ (byte-identical to module-sdk 0.1.x);
    /// v1 appends the raw signature.
    ///
    /// Example:
    ///   nexus-sessions encode-use --module-version v1 --permission-id 0x5fc0…df0b --signature 0x1111…1b
    #[command(verbatim_doc_comment)]
    EncodeUse {
        /// SmartSession module version.
        #[arg(long, value_name = "VERSION")]
        module_version: VersionArg,
        /// The 32-byte permission id.
        #[arg(long, value_name = "HEX")]
        permission_id: String,
        /// The session key's signature over the userOpHash.
        #[arg(long, value_name = "HEX")]
        signature: String,
    },

    /// Decode a SmartSession userOp.signature into JSON.
    ///
    /// Prints the mode, the permission id, the session key's signature and, for ENABLE and
    /// UNSAFE_ENABLE, the enable data: chainDigestIndex, hashesAndChainIds, the session (module-sdk
    /// field names), the permissionEnableSig split into the Nexus validator and its signature, the
    /// multichain hash the owner signed, and the permission id recomputed from the session.
    /// `problems` lists what decodes but fails on-chain (e.g. a chainDigestIndex out of range).
    ///
    /// Example:
    ///   nexus-sessions decode-signature --module-version pre-v1 0x005fc0b0…0000
    ///   pbpaste | nexus-sessions decode-signature --module-version v1 -
    #[command(verbatim_doc_comment)]
    DecodeSignature {
        /// SmartSession module version.
        #[arg(long, value_name = "VERSION")]
        module_version: VersionArg,
        /// The userOp.signature as hex, or `-` to read it from stdin.
        #[arg(value_name = "HEX")]
        signature: String,
    },

    /// FastLZ (solady LibZip) compression, byte-identical to solady's JavaScript flzCompress.
    #[command(subcommand)]
    Flz(FlzCommand),

    /// Print the EntryPoint v0.7 userOpHash of a user operation.
    ///
    /// The operation is the unpacked JSON-RPC form bundlers use (sender, nonce, factory,
    /// factoryData, callData, callGasLimit, verificationGasLimit, preVerificationGas,
    /// maxFeePerGas, maxPriorityFeePerGas, paymaster, paymasterVerificationGasLimit,
    /// paymasterPostOpGasLimit, paymasterData, signature). A JSON-RPC request or a
    /// `{"userOperation": …}` wrapper is not accepted: pass the operation object itself.
    ///
    /// Example:
    ///   nexus-sessions userop-hash --userop op.json --chain-id 31337
    ///   nexus-sessions userop-hash --userop - --entry-point 0x0000000071727De22E5E9d8BAf0edAc6f37da032 --chain-id 1 < op.json
    #[command(verbatim_doc_comment)]
    UseropHash {
        /// The user operation JSON file, or `-` for stdin.
        #[arg(long, value_name = "FILE")]
        userop: String,
        /// The EntryPoint address (default: the canonical v0.7 EntryPoint).
        #[arg(
            long,
            value_name = "ADDR",
            default_value = "0x0000000071727De22E5E9d8BAf0edAc6f37da032"
        )]
        entry_point: String,
        /// The chain id.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        chain_id: String,
    },

    /// Build a policy's init data from a JSON config.
    ///
    /// CONFIG is inline JSON, `@FILE`, or `-` (stdin). Integers may be JSON numbers, decimal
    /// strings, 0x-hex strings or {"__type":"bigint","value":"…"}; unknown fields are errors.
    ///
    ///   sudo             no config (or {})                                    -> 0x
    ///   universal-action {"valueLimitPerUse": N, "rules": [RULE, ...]}       (at most 16 rules)
    ///       RULE = {"condition": "equal" | "greaterThan" | "lessThan" | "greaterThanOrEqual"
    ///                            | "lessThanOrEqual" | "notEqual" | "inRange",
    ///               "argIndex": I  (the I-th 32-byte argument)  |  "offset": BYTES (after the selector),
    ///               "ref": "0x…" (20-byte address or 32 bytes) | N   (not for inRange),
    ///               "min": N, "max": N   (inRange only; uint128 each),
    ///               "isLimited": false, "limit": N (required when isLimited), "used": N (optional)}
    ///   time-frame       {"validUntil": N, "validAfter": N}                   (uint48 each; validUntil 0 = no expiry)
    ///                    optional "encoding": "uint48-packed" (12 bytes, the smartsessions contract; default)
    ///                    or "uint128-packed" (32 bytes, module-sdk 0.1.x/0.2.x deployments)
    ///   usage-limit      {"limit": N}                                          (uint128)
    ///   value-limit      {"limit": N}                                          (uint256, wei)
    ///   spending-limits  [{"token": "0x…", "limit": N}, ...]
    ///
    /// Example:
    ///   nexus-sessions policy time-frame --config '{"validUntil": 1767225600, "validAfter": 0}'
    ///   nexus-sessions policy universal-action --config '{"valueLimitPerUse": "0",
    ///     "rules": [{"condition": "equal", "argIndex": 0, "ref": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}]}'
    #[command(verbatim_doc_comment)]
    Policy {
        /// Which policy.
        kind: PolicyKind,
        /// The policy config (see above), inline, `@FILE` or `-`.
        #[arg(long, value_name = "JSON")]
        config: Option<String>,
    },

    /// Decode a policy's init data into the JSON config shape `policy` takes.
    ///
    /// Example:
    ///   nexus-sessions decode-policy usage-limit 0x0000000000000000000000000000000a
    #[command(verbatim_doc_comment)]
    DecodePolicy {
        /// Which policy the init data is for.
        kind: PolicyKind,
        /// The init data as hex, or `-` for stdin.
        #[arg(value_name = "HEX")]
        init_data: String,
    },

    /// Print the counterfactual address of an owner's Nexus account.
    ///
    /// The account is the one this SDK (and abstractjs for Nexus 1.2) creates for the owner: Nexus
    /// 1.0 — the deployment's K1 validator owned by OWNER; Nexus 1.2 — the default validator owned by
    /// OWNER, no other module. INDEX is the factory salt (uint64, as abstractjs's `index`).
    ///
    /// The address is computed offline when the deployment carries the NexusProxy creation code
    /// (`proxy_creation_code` in a Deployment file); otherwise the factory's computeAccountAddress is
    /// asked through --rpc-url (or NEXUS_RPC_URL). The presets carry no proxy code.
    ///
    /// Presets: nexus-1.0-smart-session-pre-v1, nexus-1.0-smart-session-v1,
    /// nexus-1.2-smart-session-v1-registry-free.
    ///
    /// Example:
    ///   nexus-sessions account-address --owner 0x90F79bf6EB2c4f870365E785982E1f101E93b906 --index 0 \
    ///     --preset nexus-1.2-smart-session-v1-registry-free --rpc-url http://127.0.0.1:8545
    ///   nexus-sessions account-address --owner 0x90F7… --index 7 --deployment deployment.json
    #[command(verbatim_doc_comment)]
    AccountAddress {
        /// The account owner.
        #[arg(long, value_name = "ADDR")]
        owner: String,
        /// The account index (factory salt).
        #[arg(long, value_name = "N", default_value = "0")]
        index: String,
        /// A deployment preset (see above).
        #[arg(
            long,
            value_name = "NAME",
            conflicts_with = "deployment",
            required_unless_present = "deployment"
        )]
        preset: Option<String>,
        /// Deployment JSON: `cargo xtask devnet` output or a nexus `Deployment`.
        #[arg(long, value_name = "FILE")]
        deployment: Option<String>,
        /// Node URL for the factory's computeAccountAddress when the address cannot be computed
        /// offline [env: NEXUS_RPC_URL].
        #[arg(long, value_name = "URL")]
        rpc_url: Option<String>,
    },

    /// Show an account's SmartSession state.
    ///
    /// Prints whether the account is deployed, its EIP-7702 delegation (`none`, `nexus`, `other`, or
    /// `contract` for a factory account), whether the SmartSession module is installed and, for a
    /// permission, whether it is enabled and the account's enable nonce for it.
    ///
    /// Example:
    ///   nexus-sessions status --deployment devnet.json --owner 0x90F79bf6EB2c4f870365E785982E1f101E93b906
    ///   nexus-sessions status --account 0x… --permission-id 0x… --json
    #[command(verbatim_doc_comment)]
    Status(crate::live::StatusArgs),

    /// Grant a session: the owner's account enables it with a UserOperation.
    ///
    /// Deploys the account and installs SmartSession first when needed. The session is either a
    /// session file, or built from `--session-key` and `--action` with the deployment's session
    /// validator and policies (sudo unless limits are given). The owner key is read from a file or an
    /// environment variable, never from the command line.
    ///
    /// `--deferred [enable|unsafe-enable]` sends no grant operation: the owner signs off-chain and
    /// the session key's first `use` enables the session. With several `--chain FILE`s, one owner
    /// signature covers every chain, and `--out grant.json` writes one SessionData per chain
    /// (`grant.<chainId>.json`), each used as is on its chain.
    ///
    /// Example:
    ///   nexus-sessions grant --deployment devnet.json --key-file owner.key \
    ///     --session-key 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 \
    ///     --action '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707:incrementNumber()' --usage-limit 10 \
    ///     --out session-data.json
    ///   nexus-sessions grant --deferred --chain chain-a.json --chain chain-b.json \
    ///     --key-file owner.key --session-key 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 \
    ///     --action '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707:incrementNumber()' --out grant.json
    #[command(verbatim_doc_comment)]
    Grant(crate::live::GrantArgs),

    /// Use a session: the session key sends a call from the account.
    ///
    /// The session key is read from a file or an environment variable, never from the command line.
    ///
    /// Example:
    ///   nexus-sessions use --deployment devnet.json --key-env SESSION_KEY --session-data session-data.json \
    ///     --target 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707 --call 'incrementNumber()'
    ///   nexus-sessions use --key-file session.key --account 0x… --permission-id 0x… --target 0x… --call 0x…
    #[command(verbatim_doc_comment)]
    Use(crate::live::UseArgs),

    /// Revoke a session: the owner's account removes it with a UserOperation.
    ///
    /// Example:
    ///   nexus-sessions revoke --deployment devnet.json --key-file owner.key --session-data session-data.json
    #[command(verbatim_doc_comment)]
    Revoke(crate::live::RevokeArgs),

    /// Settle a user operation whose outcome is unknown (exit code 3 of grant / use / revoke).
    ///
    /// `grant`, `use` and `revoke` exit with 0 when their operation landed, 1 when it failed and
    /// nothing landed, 2 on bad input, and 3 when the operation may have been sent but its outcome
    /// is unknown: then stdout names the userOpHash and the signed operation. Never repeat the
    /// command in that case (a new operation could land too): run `resolve`, which resends the SAME
    /// signed operation (it cannot land twice) and waits. Exit codes as above.
    ///
    /// Example:
    ///   nexus-sessions use … --json > use.json; test $? -eq 3 && nexus-sessions resolve --user-operation use.json
    ///   nexus-sessions resolve --deployment devnet.json --user-op-hash 0x… --timeout 60
    #[command(verbatim_doc_comment)]
    Resolve(crate::live::ResolveArgs),
    /// Delegate the key's EOA to the Nexus 1.2 implementation (EIP-7702) with its own type-4
    /// transaction; the EOA then is a Nexus account at its own address.
    ///
    /// Nothing is sent when it already delegates to Nexus. The code is read back afterwards: a
    /// delegation the chain skipped is an error. (`grant --eip7702` delegates in its first user
    /// operation instead, without a transaction.)
    ///
    /// Example:
    ///   nexus-sessions delegate --deployment devnet.json --key-file owner.key
    #[command(verbatim_doc_comment)]
    Delegate(crate::live::DelegateArgs),

    /// Remove the key's EOA delegation (type-4 transaction authorizing address(0)).
    ///
    /// The account's storage (modules, permissions) survives: `delegate` restores it. Meanwhile every
    /// operation fails (AA20).
    ///
    /// Example:
    ///   nexus-sessions undelegate --deployment devnet.json --key-file owner.key
    #[command(verbatim_doc_comment)]
    Undelegate(crate::live::DelegateArgs),
}

/// `flz` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum FlzCommand {
    /// Compress hex input; prints hex.
    ///
    /// Example:
    ///   nexus-sessions flz compress 0x000000000000000000000000000000000000000000000000000000000000002a
    #[command(verbatim_doc_comment)]
    Compress {
        /// The bytes to compress as hex, or `-` for stdin.
        #[arg(value_name = "HEX")]
        data: String,
    },
    /// Decompress a FastLZ stream given as hex; prints hex.
    ///
    /// Example:
    ///   nexus-sessions flz decompress 0x1f00…
    #[command(verbatim_doc_comment)]
    Decompress {
        /// The compressed stream as hex, or `-` for stdin.
        #[arg(value_name = "HEX")]
        data: String,
    },
}

/// Where to find the chain and bundler (shared by the live commands).
#[derive(Clone, Args)]
pub(crate) struct Endpoints {
    /// JSON-RPC URL of the node [env: NEXUS_RPC_URL; default: the running devnet's].
    #[arg(long, value_name = "URL")]
    pub(crate) rpc_url: Option<String>,
    /// JSON-RPC URL of the ERC-4337 bundler [env: NEXUS_BUNDLER_URL; default: the running devnet's].
    #[arg(long, value_name = "URL")]
    pub(crate) bundler_url: Option<String>,
    /// Deployment JSON: `cargo xtask devnet` output or a nexus `Deployment` [env: NEXUS_DEPLOYMENT;
    /// default: .cache/devnet/current.json when a devnet wrote one].
    #[arg(long, value_name = "FILE")]
    pub(crate) deployment: Option<String>,
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where to read a private key from: never from argv, where process lists would show it.
#[derive(Clone, Args)]
pub(crate) struct KeySource {
    /// File holding the private key as hex (should be readable only by you: mode 0600).
    #[arg(long, value_name = "PATH", conflicts_with = "key_env")]
    pub(crate) key_file: Option<String>,
    /// Name of an environment variable holding the private key as hex.
    #[arg(long, value_name = "VAR")]
    pub(crate) key_env: Option<String>,
}

// By hand: URLs may hold credentials.
impl fmt::Debug for Endpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoints")
            .field("rpc_url", &self.rpc_url.as_deref().map(RedactedUrl))
            .field("bundler_url", &self.bundler_url.as_deref().map(RedactedUrl))
            .field("deployment", &self.deployment)
            .field("json", &self.json)
            .finish()
    }
}

// By hand: a key passed by mistake as the path or variable name must not be echoed.
impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySource")
            .field("key_file", &self.key_file.as_ref().map(|_| "<set>"))
            .field("key_env", &self.key_env.as_ref().map(|_| "<set>"))
            .finish()
    }
}
