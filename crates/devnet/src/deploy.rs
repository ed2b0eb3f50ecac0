//! Executes a [`Plan`] against a running anvil, checking every step.

use crate::{
    DevnetError, NexusVersion,
    addresses::DETERMINISTIC_DEPLOYER,
    plan::{Placement, Plan, Step},
};
use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_provider::{Provider, ProviderBuilder, ext::AnvilApi};
use alloy_rpc_types_eth::{TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, sol};
use std::time::Duration;

sol! {
    /// ERC-7579 module type query, used to sanity-check the SmartSession after placing it.
    function isModuleType(uint256 moduleTypeId) external view returns (bool);
    /// The Nexus implementation's name and version, checked against the declared Nexus version.
    function accountId() external pure returns (string memory);
    /// `VerifyingPaymaster.deposit()`: the value goes to the paymaster's EntryPoint deposit.
    function deposit() external payable;
}

/// What the devnet deposits at the EntryPoint for its verifying paymaster: enough for thousands of
/// sponsored operations at devnet gas prices.
pub const PAYMASTER_DEPOSIT: U256 = alloy_primitives::uint!(100_000_000_000_000_000_000_U256);

/// The runtime code of the deterministic deployment proxy (Arachnid's, at `0x4e59…956C` on every chain
/// with the pre-EIP-155 deployment; anvil predeploys it). Placed when a node lacks it.
const DETERMINISTIC_DEPLOYER_RUNTIME: &[u8] = &alloy_primitives::hex!(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3"
);

/// How long to wait for a receipt on an automining anvil before giving up.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs every step of `plan` from `deployer` and checks each one (receipt status 1, the expected address,
/// code present; etched code read back byte for byte).
pub(crate) async fn execute(
    plan: &Plan,
    rpc_url: &str,
    deployer: &PrivateKeySigner,
) -> Result<(), DevnetError> {
    // reqwest with rustls needs a crypto provider before any client is built.
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(deployer.clone()))
        .connect(rpc_url)
        .await
        .map_err(|e| rpc_err("connect to anvil", e))?;
    ensure_deterministic_deployer(&provider).await?;
    for step in &plan.steps {
        run_step(&provider, deployer.address(), step).await?;
    }
    fund_paymaster(&provider, plan.addresses.paymaster).await?;
    check_module_type(&provider, plan.addresses.smart_session).await?;
    check_nexus_version(
        &provider,
        plan.addresses.nexus_implementation,
        plan.nexus_version,
    )
    .await
}

/// Deposits [`PAYMASTER_DEPOSIT`] at the EntryPoint for the verifying paymaster (after every
/// deployment: the transaction takes a deployer nonce no CREATE address depends on).
async fn fund_paymaster<P: Provider>(provider: &P, paymaster: Address) -> Result<(), DevnetError> {
    let fail = |detail: String| DevnetError::Deployment {
        contract: "paymaster".into(),
        detail,
    };
    let tx = TransactionRequest::default()
        .with_to(paymaster)
        .with_value(PAYMASTER_DEPOSIT)
        .with_input(depositCall {}.abi_encode());
    send_and_check(provider, tx, &fail).await.map(drop)
}

/// Makes sure the deterministic deployment proxy is there (anvil predeploys it; another node might
/// not): etches its well-known runtime code when the address is empty, refuses other code there.
pub(crate) async fn ensure_deterministic_deployer<P: Provider>(
    provider: &P,
) -> Result<(), DevnetError> {
    let fail = |detail: String| DevnetError::Deployment {
        contract: "deterministic deployment proxy".into(),
        detail,
    };
    let code = provider
        .get_code_at(DETERMINISTIC_DEPLOYER)
        .await
        .map_err(|e| fail(format!("eth_getCode({DETERMINISTIC_DEPLOYER}): {e}")))?;
    if code.is_empty() {
        tracing::debug!("no deterministic deployment proxy on the node; etching it");
        let runtime = Bytes::from_static(DETERMINISTIC_DEPLOYER_RUNTIME);
        return etch(provider, DETERMINISTIC_DEPLOYER, &runtime, &fail).await;
    }
    if code.as_ref() != DETERMINISTIC_DEPLOYER_RUNTIME {
        return Err(fail(format!(
            "{DETERMINISTIC_DEPLOYER} holds {} bytes of other code; CREATE2 addresses would differ",
            code.len()
        )));
    }
    Ok(())
}

/// The implementation's `accountId()` must be the declared version's (so a manifest cannot call a
/// 1.0.1 build 1.2.0 or the other way round).
async fn check_nexus_version<P: Provider>(
    provider: &P,
    implementation: Address,
    version: NexusVersion,
) -> Result<(), DevnetError> {
    let fail = |detail: String| DevnetError::Deployment {
        contract: "nexus_implementation".into(),
        detail,
    };
    let tx = TransactionRequest::default()
        .with_to(implementation)
        .with_input(accountIdCall {}.abi_encode());
    let out = provider
        .call(tx)
        .await
        .map_err(|e| fail(format!("accountId() call failed: {e}")))?;
    let id = accountIdCall::abi_decode_returns(&out)
        .map_err(|e| fail(format!("accountId() returned {out} ({e})")))?;
    // "biconomy.nexus.1.0.0" for the 1.0.1 dev build, "biconomy.nexus.1.2.0" for 1.2.0.
    let expected = format!("biconomy.nexus.{version}.");
    if !id.starts_with(&expected) {
        return Err(fail(format!(
            "accountId() is {id:?}, but the devnet declares Nexus {version} (expected {expected}x)"
        )));
    }
    Ok(())
}

async fn run_step<P: Provider>(
    provider: &P,
    deployer: Address,
    step: &Step,
) -> Result<(), DevnetError> {
    let fail = |detail: String| DevnetError::Deployment {
        contract: step.contract.name().into(),
        detail,
    };
    match &step.placement {
        Placement::Create2 { salt, init_code } => {
            let data: Bytes = [salt.as_slice(), init_code.as_ref()].concat().into();
            let tx = TransactionRequest::default()
                .with_to(DETERMINISTIC_DEPLOYER)
                .with_input(data);
            send_and_check(provider, tx, &fail).await?;
            require_code(provider, step.address, &fail).await?;
        }
        Placement::Create { init_code } => {
            let tx = TransactionRequest::default().with_deploy_code(init_code.clone());
            let receipt = send_and_check(provider, tx, &fail).await?;
            if receipt.contract_address != Some(step.address) {
                return Err(fail(format!(
                    "landed at {:?}, expected {} (was the deployer's nonce used elsewhere?)",
                    receipt.contract_address, step.address
                )));
            }
            require_code(provider, step.address, &fail).await?;
        }
        Placement::SkipNonceAndEtch { code } => {
            let tx = TransactionRequest::default()
                .with_to(deployer)
                .with_value(U256::ZERO);
            send_and_check(provider, tx, &fail).await?;
            etch(provider, step.address, code, &fail).await?;
        }
        Placement::SkipNonce => {
            let tx = TransactionRequest::default()
                .with_to(deployer)
                .with_value(U256::ZERO);
            send_and_check(provider, tx, &fail).await?;
        }
        Placement::Etch { code } => etch(provider, step.address, code, &fail).await?,
    }
    Ok(())
}

async fn send_and_check<P: Provider>(
    provider: &P,
    tx: TransactionRequest,
    fail: &impl Fn(String) -> DevnetError,
) -> Result<TransactionReceipt, DevnetError> {
    let pending = provider
        .send_transaction(tx)
        .await
        .map_err(|e| fail(format!("sending the transaction: {e}")))?;
    let hash = *pending.tx_hash();
    let receipt = wait_receipt(provider, hash)
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !receipt.status() {
        return Err(fail(format!(
            "transaction {hash} reverted (status 0, gas used {})",
            receipt.gas_used
        )));
    }
    Ok(receipt)
}

/// Polls for a receipt; anvil automines, so it is normally there on the first call.
pub(crate) async fn wait_receipt<P: Provider>(
    provider: &P,
    hash: B256,
) -> Result<TransactionReceipt, DevnetError> {
    let deadline = tokio::time::Instant::now() + RECEIPT_TIMEOUT;
    loop {
        match provider.get_transaction_receipt(hash).await {
            Ok(Some(receipt)) => return Ok(receipt),
            Ok(None) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await
            }
            Ok(None) => {
                return Err(DevnetError::Rpc {
                    context: format!("waiting for the receipt of {hash}"),
                    detail: format!("none after {RECEIPT_TIMEOUT:?}"),
                });
            }
            Err(e) => return Err(rpc_err(&format!("eth_getTransactionReceipt({hash})"), e)),
        }
    }
}

async fn require_code<P: Provider>(
    provider: &P,
    address: Address,
    fail: &impl Fn(String) -> DevnetError,
) -> Result<Bytes, DevnetError> {
    let code = provider
        .get_code_at(address)
        .await
        .map_err(|e| fail(format!("eth_getCode({address}): {e}")))?;
    if code.is_empty() {
        return Err(fail(format!(
            "no code at {address} after a successful transaction"
        )));
    }
    Ok(code)
}

async fn etch<P: Provider>(
    provider: &P,
    address: Address,
    code: &Bytes,
    fail: &impl Fn(String) -> DevnetError,
) -> Result<(), DevnetError> {
    provider
        .anvil_set_code(address, code.clone())
        .await
        .map_err(|e| fail(format!("anvil_setCode({address}): {e}")))?;
    let placed = require_code(provider, address, fail).await?;
    if keccak256(&placed) != keccak256(code) {
        return Err(fail(format!(
            "code read back from {address} differs from the code etched"
        )));
    }
    Ok(())
}

/// The SmartSession must answer `isModuleType(1) == true` (it is a validator).
pub(crate) async fn check_module_type<P: Provider>(
    provider: &P,
    smart_session: Address,
) -> Result<(), DevnetError> {
    let fail = |detail: String| DevnetError::Deployment {
        contract: "smart_session".into(),
        detail,
    };
    let call = isModuleTypeCall {
        moduleTypeId: U256::from(1),
    };
    let tx = TransactionRequest::default()
        .with_to(smart_session)
        .with_input(call.abi_encode());
    let out = provider
        .call(tx)
        .await
        .map_err(|e| fail(format!("isModuleType(1) call failed: {e}")))?;
    let is_validator = isModuleTypeCall::abi_decode_returns(&out)
        .map_err(|e| fail(format!("isModuleType(1) returned {out} ({e})")))?;
    if !is_validator {
        return Err(fail(format!("isModuleType(1) is false at {smart_session}")));
    }
    Ok(())
}

/// Reads the code hash of every address (used to validate a cached state after loading it).
pub(crate) async fn code_hashes<P: Provider>(
    provider: &P,
    addresses: &[Address],
) -> Result<Vec<B256>, DevnetError> {
    let mut out = Vec::with_capacity(addresses.len());
    for address in addresses {
        let code = provider
            .get_code_at(*address)
            .await
            .map_err(|e| rpc_err(&format!("eth_getCode({address})"), e))?;
        out.push(if code.is_empty() {
            B256::ZERO
        } else {
            keccak256(&code)
        });
    }
    Ok(out)
}

pub(crate) fn rpc_err(context: &str, e: impl std::fmt::Display) -> DevnetError {
    DevnetError::Rpc {
        context: context.to_string(),
        detail: e.to_string(),
    }
}
