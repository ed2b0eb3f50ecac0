//! ERC-7579 module management calldata for Nexus, and the registry's `trustAttesters`.
//!
//! Module calls are account calls (`to = account`), sent in single execution mode like abstractjs.

use crate::{
    abi::{IK1MeeValidator, INexus, IRegistry},
    deployment::Deployment,
    error::Error,
    execution::Call,
};
use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::{SolCall, SolValue};

/// Head of Nexus's SentinelList (`address(1)`), the `prev` of the newest module.
pub const SENTINEL: Address = address!("0x0000000000000000000000000000000000000001");

/// Page size used when listing validators to find `prev`.
pub const VALIDATOR_PAGE_SIZE: u64 = 100;

/// ERC-7579 module type ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ModuleType {
    /// `1`: validator (SmartSession, K1/ECDSA validators).
    Validator = 1,
    /// `2`: executor.
    Executor = 2,
    /// `3`: fallback handler.
    Fallback = 3,
    /// `4`: hook.
    Hook = 4,
}

impl ModuleType {
    /// The type id as the `uint256` Nexus expects.
    pub fn id(self) -> U256 {
        U256::from(self as u8)
    }
}

/// `installModule(moduleTypeId, module, initData)` account calldata.
pub fn install_module_calldata(
    module_type: ModuleType,
    module: Address,
    init_data: Bytes,
) -> Bytes {
    INexus::installModuleCall {
        moduleTypeId: module_type.id(),
        module,
        initData: init_data,
    }
    .abi_encode()
    .into()
}

/// The account call installing `module` (`to = account`, value 0).
pub fn install_module_call(
    account: Address,
    module_type: ModuleType,
    module: Address,
    init_data: Bytes,
) -> Call {
    Call::new(
        account,
        install_module_calldata(module_type, module, init_data),
    )
}

/// `uninstallModule(moduleTypeId, module, deInitData)` account calldata, with `deInitData` passed
/// as given (hooks; callers build the SentinelList form with [`sentinel_deinit_data`]).
pub fn uninstall_module_calldata(
    module_type: ModuleType,
    module: Address,
    deinit_data: Bytes,
) -> Bytes {
    INexus::uninstallModuleCall {
        moduleTypeId: module_type.id(),
        module,
        deInitData: deinit_data,
    }
    .abi_encode()
    .into()
}

/// The calls installing the deployment's SmartSession on `account`: `installModule(1,
/// smartSession, 0x)`, and on Nexus 1.2 also `addSafeSender(smartSession)` on the default validator
/// (abstractjs 1.2.3's `installModule(toSmartSessionsModule())` batch).
pub fn smart_session_install_calls(deployment: &Deployment, account: Address) -> Vec<Call> {
    let mut calls = vec![install_module_call(
        account,
        ModuleType::Validator,
        deployment.smart_session,
        Bytes::new(),
    )];
    if deployment.nexus_version.has_default_validator() {
        calls.push(add_safe_sender_call(
            deployment.account_validator,
            deployment.smart_session,
        ));
    }
    calls
}

/// `validator.addSafeSender(sender)` (K1 MEE validator, `0x5c81ca68`), sent by the account.
pub fn add_safe_sender_call(validator: Address, sender: Address) -> Call {
    Call::new(
        validator,
        IK1MeeValidator::addSafeSenderCall { sender }.abi_encode(),
    )
}

/// `validator.isSafeSender(sender, account)` calldata.
pub fn is_safe_sender_calldata(sender: Address, account: Address) -> Bytes {
    IK1MeeValidator::isSafeSenderCall {
        sender,
        smartAccount: account,
    }
    .abi_encode()
    .into()
}

/// `deInitData = abi.encode(address prev, bytes disableModuleData)` for validators and executors.
pub fn sentinel_deinit_data(prev: Address, disable_data: Bytes) -> Bytes {
    (prev, disable_data).abi_encode_params().into()
}

/// The account call uninstalling validator `module`, given the account's validator list as
/// `getValidatorsPaginated(SENTINEL, n)` returns it (newest first).
pub fn uninstall_validator_call(
    account: Address,
    module: Address,
    installed_validators: &[Address],
    disable_data: Bytes,
) -> Result<Call, Error> {
    let prev = previous_module(installed_validators, module)?;
    Ok(Call::new(
        account,
        uninstall_module_calldata(
            ModuleType::Validator,
            module,
            sentinel_deinit_data(prev, disable_data),
        ),
    ))
}

/// The SentinelList predecessor of `module` in a newest-first list: [`SENTINEL`] at index 0,
/// otherwise the previous entry.
pub fn previous_module(list: &[Address], module: Address) -> Result<Address, Error> {
    match list.iter().position(|m| *m == module) {
        Some(0) => Ok(SENTINEL),
        Some(i) => Ok(list[i - 1]),
        None => Err(Error::ModuleNotInstalled { module }),
    }
}

/// `getValidatorsPaginated(cursor, size)` calldata.
pub fn get_validators_calldata(cursor: Address, size: u64) -> Bytes {
    INexus::getValidatorsPaginatedCall {
        cursor,
        size: U256::from(size),
    }
    .abi_encode()
    .into()
}

/// Decodes a `getValidatorsPaginated` reply into `(validators, next cursor)`.
pub fn decode_validators(reply: &[u8]) -> Result<(Vec<Address>, Address), Error> {
    let ret = INexus::getValidatorsPaginatedCall::abi_decode_returns(reply)
        .map_err(|e| Error::abi("getValidatorsPaginated reply", e))?;
    Ok((ret.array, ret.next))
}

/// `isModuleInstalled(moduleTypeId, module, additionalContext)` calldata.
pub fn is_module_installed_calldata(module_type: ModuleType, module: Address) -> Bytes {
    INexus::isModuleInstalledCall {
        moduleTypeId: module_type.id(),
        module,
        additionalContext: Bytes::new(),
    }
    .abi_encode()
    .into()
}

/// `trustAttesters(threshold, attesters)` registry calldata (`0xf05c04e1`).
pub fn trust_attesters_calldata(threshold: u8, attesters: &[Address]) -> Bytes {
    IRegistry::trustAttestersCall {
        threshold,
        attesters: attesters.to_vec(),
    }
    .abi_encode()
    .into()
}

/// The account call `registry.trustAttesters(threshold, attesters)`.
pub fn trust_attesters_call(registry: Address, threshold: u8, attesters: &[Address]) -> Call {
    Call::new(registry, trust_attesters_calldata(threshold, attesters))
}

/// `findTrustedAttesters(account)` calldata.
pub fn find_trusted_attesters_calldata(account: Address) -> Bytes {
    IRegistry::findTrustedAttestersCall {
        smartAccount: account,
    }
    .abi_encode()
    .into()
}

/// Decodes a `findTrustedAttesters` reply.
pub fn decode_trusted_attesters(reply: &[u8]) -> Result<Vec<Address>, Error> {
    IRegistry::findTrustedAttestersCall::abi_decode_returns(reply)
        .map_err(|e| Error::abi("findTrustedAttesters reply", e))
}

/// Decodes a single ABI `bool` reply (`isModuleInstalled`, `isPermissionEnabled`).
pub fn decode_bool(what: &'static str, reply: &[u8]) -> Result<bool, Error> {
    bool::abi_decode(reply).map_err(|e| Error::abi(what, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    const SMART_SESSION: Address = address!("0x0000000071727De22e5E9D8bAF0EDAc6F37da034");
    const MOCK_ATTESTER: Address = address!("0xA4C777199658a41688E9488c4EcbD7a2925Cc23A");

    // nexus-and-reference-sdks.md Appendix A.4
    const INSTALL: &str = "0x9517e29f00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000071727de22e5e9d8baf0edac6f37da03400000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000000";
    const UNINSTALL: &str = "0xa71763a800000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000071727de22e5e9d8baf0edac6f37da03400000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000400000000000000000000000000000000000000000000000000000000000000000";
    const TRUST: &str = "0xf05c04e1000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000400000000000000000000000000000000000000000000000000000000000000001000000000000000000000000a4c777199658a41688e9488c4ecbd7a2925cc23a";

    #[test]
    fn golden_install() {
        let data = install_module_calldata(ModuleType::Validator, SMART_SESSION, Bytes::new());
        assert_eq!(data, INSTALL.parse::<Bytes>().unwrap());
        let account = address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb");
        let call = install_module_call(account, ModuleType::Validator, SMART_SESSION, Bytes::new());
        assert_eq!(call.to, account);
        assert_eq!(call.data, data);
    }

    #[test]
    fn golden_uninstall_at_head() {
        let other = address!("0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
        let call = uninstall_validator_call(
            Address::ZERO,
            SMART_SESSION,
            &[SMART_SESSION, other],
            Bytes::new(),
        )
        .unwrap();
        assert_eq!(call.data, UNINSTALL.parse::<Bytes>().unwrap());
    }

    #[test]
    fn prev_is_the_newer_neighbour() {
        let a = address!("0x00000000000000000000000000000000000000aa");
        let b = address!("0x00000000000000000000000000000000000000bb");
        let c = address!("0x00000000000000000000000000000000000000cc");
        let list = [a, b, c];
        assert_eq!(previous_module(&list, a).unwrap(), SENTINEL);
        assert_eq!(previous_module(&list, b).unwrap(), a);
        assert_eq!(previous_module(&list, c).unwrap(), b);
        assert!(matches!(
            previous_module(&list, SMART_SESSION),
            Err(Error::ModuleNotInstalled { module }) if module == SMART_SESSION
        ));
        let deinit = sentinel_deinit_data(b, Bytes::from_static(&[1, 2]));
        assert_eq!(&deinit[12..32], b.as_slice());
    }

    #[test]
    fn golden_trust_attesters() {
        assert_eq!(
            trust_attesters_calldata(1, &[MOCK_ATTESTER]),
            TRUST.parse::<Bytes>().unwrap()
        );
    }

    #[test]
    fn replies_decode_and_reject_garbage() {
        let reply = (vec![SMART_SESSION], SENTINEL).abi_encode_params();
        assert_eq!(
            decode_validators(&reply).unwrap(),
            (vec![SMART_SESSION], SENTINEL)
        );
        assert!(decode_validators(&hex!("00")).is_err());
        let attesters = (vec![MOCK_ATTESTER],).abi_encode_params();
        assert_eq!(
            decode_trusted_attesters(&attesters).unwrap(),
            vec![MOCK_ATTESTER]
        );
        assert!(decode_trusted_attesters(&[]).is_err());
        assert!(decode_bool("x", &true.abi_encode()).unwrap());
        assert!(decode_bool("x", &[1u8; 3]).is_err());
        assert_eq!(
            &get_validators_calldata(SENTINEL, 100)[..4],
            hex!("5faac46b")
        );
        assert_eq!(
            &is_module_installed_calldata(ModuleType::Validator, SMART_SESSION)[..4],
            hex!("112d3a7d")
        );
        assert_eq!(
            &find_trusted_attesters_calldata(SMART_SESSION)[..4],
            hex!("dd0fd278")
        );
    }
}
