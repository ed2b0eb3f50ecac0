//! Private keys for the live commands: read from a file or an environment variable, never from argv
//! (argv is visible in process lists). The key never appears in an error message.

use alloy_primitives::B256;

use crate::{
    cli::KeySource,
    error::{CliError, Location, Result},
};

/// Where a key came from, for messages. Names the flag but never its value: a key pasted by mistake
/// as the path or the variable name would otherwise be printed.
fn source_name(src: &KeySource, role: &str) -> String {
    match (&src.key_file, &src.key_env) {
        (Some(_), _) => format!("{role} key (--key-file)"),
        (None, Some(_)) => format!("{role} key (--key-env)"),
        (None, None) => format!("{role} key"),
    }
}

/// Reads the 32-byte private key named by `src`; `role` (e.g. "owner") only labels errors.
pub(crate) fn read_key(src: &KeySource, role: &str) -> Result<B256> {
    let loc = Location::new(source_name(src, role));
    let text = match (&src.key_file, &src.key_env) {
        (Some(path), _) => {
            check_permissions(path, &loc)?;
            std::fs::read_to_string(path).map_err(|source| CliError::Read {
                what: loc.to_string(),
                source,
            })?
        }
        (None, Some(var)) => std::env::var(var).map_err(|e| {
            loc.error(match e {
                std::env::VarError::NotPresent => "the environment variable is not set".to_owned(),
                std::env::VarError::NotUnicode(_) => {
                    "the environment variable is not valid UTF-8".to_owned()
                }
            })
        })?,
        (None, None) => {
            return Err(loc.error(format!(
                "this command needs the {role} key: pass --key-file PATH or --key-env VAR"
            )));
        }
    };
    parse_key(&text, &loc)
}

/// Parses a hex private key without ever echoing its characters.
fn parse_key(text: &str, loc: &Location) -> Result<B256> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(loc.error(format!(
            "not a private key: expected 64 hex digits (optionally 0x-prefixed), got {} characters",
            digits.len()
        )));
    }
    let key: B256 = digits.parse().map_err(|_| loc.error("not a private key"))?;
    if key.is_zero() {
        return Err(loc.error("not a private key: it is zero"));
    }
    Ok(key)
}

/// Refuses key files that other users can read, as ssh does.
#[cfg(unix)]
fn check_permissions(path: &str, loc: &Location) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| CliError::Read {
        what: loc.to_string(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(loc.error(format!(
            "the key file is accessible by other users (mode {mode:04o}); run `chmod 600` on it"
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &str, _loc: &Location) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_without_echoing() {
        let loc = Location::new("k");
        let good = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n";
        assert!(parse_key(good, &loc).is_ok());
        let secretish = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690z";
        let e = parse_key(secretish, &loc).unwrap_err().to_string();
        assert!(!e.contains("59c6995e"), "{e}");
        assert!(parse_key(&format!("0x{}", "00".repeat(32)), &loc).is_err());
    }
}
