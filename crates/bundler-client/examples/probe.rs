//! Probes a live bundler with read calls and one deliberately invalid operation, printing what this
//! client makes of each answer: `cargo run -p nexus-sessions-bundler --example probe -- http://127.0.0.1:4337`.

use nexus_sessions_bundler::BundlerClient;
use nexus_sessions_userop::{Address, B256, ENTRY_POINT_V07, UserOperation};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:4337".into());
    let bundler = BundlerClient::builder(&url)
        .request_timeout(Duration::from_secs(5))
        .build()?;
    println!("eth_chainId: {:?}", bundler.chain_id().await);
    println!(
        "eth_supportedEntryPoints: {:?}",
        bundler.supported_entry_points().await
    );
    println!(
        "pimlico_getUserOperationGasPrice: {:?}",
        bundler.user_operation_gas_price().await
    );
    println!(
        "eth_getUserOperationReceipt(unknown): {:?}",
        bundler.get_user_operation_receipt(B256::ZERO).await
    );
    println!(
        "eth_getUserOperationByHash(unknown): {:?}",
        bundler.get_user_operation_by_hash(B256::ZERO).await
    );

    // An operation from an account that does not exist: the bundler must reject it (AA20).
    let op = UserOperation::builder()
        .sender(Address::repeat_byte(0x42))
        .call_gas_limit(100_000u64)
        .verification_gas_limit(500_000u64)
        .pre_verification_gas(60_000u64)
        .max_fee_per_gas(2_000_000_000u64)
        .max_priority_fee_per_gas(1_000_000_000u64)
        .signature(vec![0u8; 65])
        .build()?;
    match bundler
        .estimate_user_operation_gas(&op, ENTRY_POINT_V07, None)
        .await
    {
        Ok(estimate) => println!("eth_estimateUserOperationGas: {estimate:?}"),
        Err(err) => println!("eth_estimateUserOperationGas error: {err}\n  {err:?}"),
    }
    match bundler.send_user_operation(&op, ENTRY_POINT_V07).await {
        Ok(hash) => println!("eth_sendUserOperation: {hash}"),
        Err(err) => println!("eth_sendUserOperation error: {err}\n  {err:?}"),
    }
    println!("round trips: {:?}", bundler.request_counts());
    Ok(())
}
