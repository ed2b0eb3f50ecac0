//! `policy` and `decode-policy`.

use crate::{
    cli::PolicyKind,
    commands::hex_arg,
    error::{Location, Result},
    input,
    output::{self, hex0x},
    policy_config,
};

pub(crate) fn build(kind: PolicyKind, config: Option<&str>) -> Result<()> {
    let text = config
        .map(|c| input::inline_text("--config", c))
        .transpose()?;
    let data = policy_config::encode(kind, text.as_ref().map(|(t, l)| (t.as_str(), l)))?;
    output::line(&hex0x(data));
    Ok(())
}

pub(crate) fn decode(kind: PolicyKind, init_data: &str) -> Result<()> {
    let bytes = hex_arg("argument HEX", init_data)?;
    let value = policy_config::decode(kind, &bytes, &Location::new("argument HEX"))?;
    output::json(&value);
    Ok(())
}
