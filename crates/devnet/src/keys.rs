//! The funded anvil accounts and the role each one plays on the devnet.

use alloy_primitives::{Address, B256};
use alloy_signer_local::PrivateKeySigner;
use std::fmt;

/// anvil's ten default private keys (mnemonic "test test … junk", derivation path m/44'/60'/0'/0/i).
/// They are public test keys; they are still kept out of Debug output so that a habit of printing
/// key material never forms in code that later handles real keys.
const ANVIL_KEYS: [&str; 10] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// The seed of the devnet paymaster's signing key: not an anvil account (the signer only signs, it
/// needs no ETH), so no role's nonces or balance are touched by sponsoring.
const PAYMASTER_SIGNER_SEED: &[u8] = b"nexus-sessions devnet verifying paymaster signer";

/// The key the devnet's [`PaymasterService`](crate::PaymasterService) signs sponsorships with; the
/// `VerifyingPaymaster` fixture is deployed with its address.
pub(crate) fn paymaster_signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&alloy_primitives::keccak256(PAYMASTER_SIGNER_SEED))
        .expect("a keccak digest below the curve order")
}

/// The address of [`paymaster_signer`].
pub(crate) fn paymaster_signer_address() -> Address {
    paymaster_signer().address()
}

/// One funded devnet account. `Debug` shows the address only; the key bytes are reachable through
/// [`DevnetKey::expose`] or [`DevnetKey::signer`], never printed by accident.
#[derive(Clone)]
pub struct DevnetKey {
    index: usize,
    signer: PrivateKeySigner,
}

impl DevnetKey {
    fn anvil(index: usize) -> Self {
        let bytes: B256 = ANVIL_KEYS[index]
            .parse()
            .expect("valid built-in key literal");
        let signer = PrivateKeySigner::from_bytes(&bytes).expect("valid built-in secp256k1 key");
        Self { index, signer }
    }

    /// The account's address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The index of this account in anvil's default account list.
    pub fn anvil_index(&self) -> usize {
        self.index
    }

    /// A local signer for this key (for signing transactions, messages and userOp hashes).
    pub fn signer(&self) -> &PrivateKeySigner {
        &self.signer
    }

    /// The raw private key. Named loudly on purpose: call it only where a tool needs the bytes
    /// (for example the bundler's command line).
    pub fn expose(&self) -> B256 {
        B256::from_slice(&self.signer.credential().to_bytes())
    }
}

impl fmt::Debug for DevnetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevnetKey")
            .field("anvil_index", &self.index)
            .field("address", &self.address())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// The funded anvil accounts, by role. Every role uses its own account so that nonces never collide.
#[derive(Clone, Debug)]
pub struct DevnetKeys {
    deployer: DevnetKey,
    bundler_executor: DevnetKey,
    bundler_utility: DevnetKey,
    owner: DevnetKey,
    session_key: DevnetKey,
    spare: Vec<DevnetKey>,
}

impl DevnetKeys {
    /// The anvil default accounts in their fixed roles.
    pub(crate) fn anvil_defaults() -> Self {
        Self {
            deployer: DevnetKey::anvil(0),
            bundler_executor: DevnetKey::anvil(1),
            bundler_utility: DevnetKey::anvil(2),
            owner: DevnetKey::anvil(3),
            session_key: DevnetKey::anvil(4),
            spare: (5..ANVIL_KEYS.len()).map(DevnetKey::anvil).collect(),
        }
    }

    /// anvil account 0: deploys every contract (so the CREATE addresses are deterministic).
    pub fn deployer(&self) -> &DevnetKey {
        &self.deployer
    }

    /// anvil account 1: alto's executor, which submits bundles.
    pub fn bundler_executor(&self) -> &DevnetKey {
        &self.bundler_executor
    }

    /// anvil account 2: alto's utility key, which deploys alto's simulation contracts.
    pub fn bundler_utility(&self) -> &DevnetKey {
        &self.bundler_utility
    }

    /// anvil account 3: intended owner of test Nexus accounts.
    pub fn owner(&self) -> &DevnetKey {
        &self.owner
    }

    /// anvil account 4: intended session key.
    pub fn session_key(&self) -> &DevnetKey {
        &self.session_key
    }

    /// anvil accounts 5 to 9: free for tests (second owners, attackers, recipients, ...).
    pub fn spare(&self) -> &[DevnetKey] {
        &self.spare
    }

    /// All ten keys in anvil's order.
    pub fn all(&self) -> Vec<&DevnetKey> {
        let mut all = vec![
            &self.deployer,
            &self.bundler_executor,
            &self.bundler_utility,
            &self.owner,
            &self.session_key,
        ];
        all.extend(self.spare.iter());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_the_documented_anvil_accounts() {
        let keys = DevnetKeys::anvil_defaults();
        let expect =
            |k: &DevnetKey, a: &str| assert_eq!(k.address(), a.parse::<Address>().unwrap());
        expect(
            keys.deployer(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        );
        expect(
            keys.bundler_executor(),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        );
        expect(
            keys.bundler_utility(),
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        );
        expect(keys.owner(), "0x90F79bf6EB2c4f870365E785982E1f101E93b906");
        expect(
            keys.session_key(),
            "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        );
        expect(
            &keys.spare()[4],
            "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
        );
        assert_eq!(keys.all().len(), 10);
    }

    #[test]
    fn debug_never_prints_key_bytes() {
        let keys = DevnetKeys::anvil_defaults();
        let printed = format!("{keys:?}");
        for key in keys.all() {
            let hex = alloy_primitives::hex::encode(key.expose());
            assert!(
                !printed.to_lowercase().contains(&hex),
                "key {} leaked",
                key.anvil_index()
            );
            assert!(!printed.contains(&hex[..16]));
        }
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn expose_round_trips() {
        let keys = DevnetKeys::anvil_defaults();
        let again = PrivateKeySigner::from_bytes(&keys.owner().expose()).unwrap();
        assert_eq!(again.address(), keys.owner().address());
    }
}
