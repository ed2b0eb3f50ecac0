//! Paymaster sponsorship (ERC-7677) in the operation pipeline: which paymaster sponsors an
//! operation ([`Sponsorship`]), its stub data before gas estimation and its final data once the
//! gas limits are fixed, before signing (the userOpHash covers `paymasterAndData`).
//!
//! Both calls come before the operation is sent, so a paymaster failure is
//! [`Error::Paymaster`]: certainly not sent.

use crate::error::Error;
use alloy_primitives::Address;
use nexus_sessions_bundler::{PaymasterClient, PaymasterStubData};
use nexus_sessions_userop::UserOperation;
use serde_json::Value;

/// Who pays for one operation ([`SendOptions::sponsorship`](crate::SendOptions::sponsorship)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sponsorship {
    /// The client's paymaster (`.paymaster(..)` on its builder) when it has one, else the account.
    #[default]
    ClientDefault,
    /// The account pays, even when the client has a paymaster.
    Unsponsored,
    /// This paymaster service sponsors the operation (with
    /// [`SendOptions::paymaster_context`](crate::SendOptions::paymaster_context) as its context).
    Paymaster(PaymasterClient),
}

/// The paymaster of a client and its default context (from the builder).
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientPaymaster {
    pub(crate) client: Option<PaymasterClient>,
    pub(crate) context: Option<Value>,
}

/// The paymaster that sponsors one operation, with the context it is asked with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sponsor<'a> {
    pub(crate) client: &'a PaymasterClient,
    pub(crate) context: Option<&'a Value>,
}

impl ClientPaymaster {
    /// Who sponsors an operation sent with `sponsorship` and `context` (a per-send context replaces
    /// the client's).
    pub(crate) fn resolve<'a>(
        &'a self,
        sponsorship: &'a Sponsorship,
        context: Option<&'a Value>,
    ) -> Option<Sponsor<'a>> {
        match sponsorship {
            Sponsorship::ClientDefault => self.client.as_ref().map(|client| Sponsor {
                client,
                context: context.or(self.context.as_ref()),
            }),
            Sponsorship::Unsponsored => None,
            Sponsorship::Paymaster(client) => Some(Sponsor { client, context }),
        }
    }
}

impl Sponsor<'_> {
    /// `pm_getPaymasterStubData` for `op` (its earlier paymaster fields cleared first), written into
    /// `op`; returns the answer (gas limits given or not, `isFinal`).
    pub(crate) async fn stub(
        &self,
        op: &mut UserOperation,
        entry_point: Address,
        chain_id: u64,
    ) -> Result<PaymasterStubData, Error> {
        clear(op);
        let stub = self
            .client
            .stub_data(op, entry_point, chain_id, self.context)
            .await
            .map_err(Error::paymaster)?;
        stub.apply_to(op);
        Ok(stub)
    }

    /// `pm_getPaymasterData` for `op` with its final gas limits, written into `op`. A service that
    /// names another paymaster than its stub did is refused: the gas was estimated for the stub's.
    pub(crate) async fn finalize(
        &self,
        op: &mut UserOperation,
        entry_point: Address,
        chain_id: u64,
    ) -> Result<(), Error> {
        let data = self
            .client
            .data(op, entry_point, chain_id, self.context)
            .await
            .map_err(Error::paymaster)?;
        if Some(data.paymaster) != op.paymaster {
            return Err(Error::PaymasterMismatch {
                stub: op.paymaster.unwrap_or_default(),
                data: data.paymaster,
            });
        }
        data.apply_to(op);
        Ok(())
    }
}

/// Removes every paymaster field from `op`.
pub(crate) fn clear(op: &mut UserOperation) {
    op.paymaster = None;
    op.paymaster_data = Default::default();
    op.paymaster_verification_gas_limit = 0;
    op.paymaster_post_op_gas_limit = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn per_send_choice_and_context_win_over_the_client() {
        let a = PaymasterClient::new("http://127.0.0.1:1/a").unwrap();
        let b = PaymasterClient::new("http://127.0.0.1:1/b").unwrap();
        let client_ctx = json!({"policy": "client"});
        let send_ctx = json!({"policy": "send"});
        let configured = ClientPaymaster {
            client: Some(a.clone()),
            context: Some(client_ctx.clone()),
        };
        let none = ClientPaymaster::default();

        let s = configured
            .resolve(&Sponsorship::ClientDefault, None)
            .unwrap();
        assert_eq!((s.client, s.context), (&a, Some(&client_ctx)));
        let s = configured
            .resolve(&Sponsorship::ClientDefault, Some(&send_ctx))
            .unwrap();
        assert_eq!(s.context, Some(&send_ctx));
        assert!(
            configured
                .resolve(&Sponsorship::Unsponsored, Some(&send_ctx))
                .is_none()
        );
        assert!(none.resolve(&Sponsorship::ClientDefault, None).is_none());
        let other = Sponsorship::Paymaster(b.clone());
        let s = none.resolve(&other, None).unwrap();
        assert_eq!((s.client, s.context), (&b, None));
        let s = configured.resolve(&other, None).unwrap();
        assert_eq!(
            s.context, None,
            "the client's context belongs to its own paymaster"
        );
    }
}
