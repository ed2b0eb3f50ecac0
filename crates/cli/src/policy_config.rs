//! Policy configs: the JSON `policy` reads and `decode-policy` writes (see `policy --help`), which are
//! `nexus_sessions_types::policy`'s config types. Their serde implementations parse (errors at the JSON
//! path) and their encoders check (exact lengths, canonical ABI, fields in range), so `decode-policy`
//! output fed back to `policy` reproduces the same bytes.

use nexus_sessions_types::policy::{
    self, ActionConfig, SpendingLimit, SudoConfig, TimeFrameConfig, UsageLimitConfig,
    ValueLimitConfig,
};
use serde::Serialize;
use serde_json::Value;

use crate::{
    cli::PolicyKind,
    error::{Location, Result},
    input,
};

/// Builds the init data of `kind` from its JSON config text (`None` = no `--config`).
pub(crate) fn encode(kind: PolicyKind, config: Option<(&str, &Location)>) -> Result<Vec<u8>> {
    let need = |what: &str| -> Result<(&str, &Location)> {
        config.ok_or_else(|| {
            Location::new("--config").error(format!(
                "the {what} policy needs a config (see `policy --help`)"
            ))
        })
    };
    let bytes = match kind {
        PolicyKind::Sudo => {
            if let Some((text, loc)) = config {
                input::parse_json::<SudoConfig>(text, loc)?;
            }
            policy::sudo()
        }
        PolicyKind::UniversalAction => {
            let (text, loc) = need("universal-action")?;
            let cfg: ActionConfig = input::parse_json(text, loc)?;
            if cfg.rules().is_empty() {
                warn_no_rules();
            }
            policy::universal_action(&cfg)
        }
        PolicyKind::TimeFrame => {
            let (text, loc) = need("time-frame")?;
            let cfg: TimeFrameConfig = input::parse_json(text, loc)?;
            cfg.encode().map_err(|e| loc.lib_error(e))?
        }
        PolicyKind::UsageLimit => {
            let (text, loc) = need("usage-limit")?;
            let cfg: UsageLimitConfig = input::parse_json(text, loc)?;
            cfg.encode().map_err(|e| loc.field("limit").lib_error(e))?
        }
        PolicyKind::ValueLimit => {
            let (text, loc) = need("value-limit")?;
            input::parse_json::<ValueLimitConfig>(text, loc)?.encode()
        }
        PolicyKind::SpendingLimits => {
            let (text, loc) = need("spending-limits")?;
            let limits: Vec<SpendingLimit> = input::parse_json(text, loc)?;
            let pairs: Vec<_> = limits.iter().map(|l| (l.token, l.limit)).collect();
            policy::spending_limits(&pairs).map_err(|e| loc.lib_error(e))?
        }
    };
    Ok(bytes.to_vec())
}

/// module-sdk encodes a rule-less config, but the contract rejects it at use time: say so on stderr.
fn warn_no_rules() {
    eprintln!(
        "warning: universal-action config has no rules: paramRules.length = 0 makes the policy revert \
         PolicyNotInitialized on every call"
    );
}

/// Decodes init data of `kind` into its JSON config.
pub(crate) fn decode(kind: PolicyKind, data: &[u8], loc: &Location) -> Result<Value> {
    fn json<T: Serialize>(v: &T) -> Value {
        // The config types serialize to plain JSON (string keys, no failing serializers).
        serde_json::to_value(v).unwrap_or(Value::Null)
    }
    let lib = |e| loc.lib_error(e);
    Ok(match kind {
        PolicyKind::Sudo => json(&SudoConfig::decode(data).map_err(lib)?),
        PolicyKind::TimeFrame => json(&TimeFrameConfig::decode(data).map_err(lib)?),
        PolicyKind::UsageLimit => json(&UsageLimitConfig::decode(data).map_err(lib)?),
        PolicyKind::ValueLimit => json(&ValueLimitConfig::decode(data).map_err(lib)?),
        PolicyKind::SpendingLimits => json(&policy::decode_spending_limits(data).map_err(lib)?),
        PolicyKind::UniversalAction => {
            let cfg = ActionConfig::abi_decode(data).map_err(lib)?;
            if cfg.rules().is_empty() {
                warn_no_rules();
            }
            json(&cfg)
        }
    })
}
