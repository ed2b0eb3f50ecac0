//! Live commands: `status`, `grant`, `use`, `revoke`, over the `nexus` facade.

use clap::Args;

use crate::{
    cli::{Endpoints, KeySource},
    error::{CliError, Result},
};

/// `status` arguments.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    /// The smart account.
    #[arg(long, value_name = "ADDR")]
    pub(crate) account: Option<String>,
}

/// `grant` arguments.
#[derive(Debug, Args)]
pub(crate) struct GrantArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeySource,
}

/// `use` arguments.
#[derive(Debug, Args)]
pub(crate) struct UseArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeySource,
}

/// `revoke` arguments.
#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeySource,
}

fn pending() -> CliError {
    CliError::Runtime("live commands are not wired yet".into())
}

pub(crate) fn status(_a: StatusArgs) -> Result<()> {
    Err(pending())
}
pub(crate) fn grant(_a: GrantArgs) -> Result<()> {
    Err(pending())
}
pub(crate) fn use_session(_a: UseArgs) -> Result<()> {
    Err(pending())
}
pub(crate) fn revoke(_a: RevokeArgs) -> Result<()> {
    Err(pending())
}
