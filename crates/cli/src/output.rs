//! Writing results to stdout: one hex value per line, or pretty JSON.
//!
//! A closed stdout (`nexus-sessions … | head -c1`) is not an error worth a panic: writes that fail with
//! a broken pipe end the process quietly with success, as other Unix tools do.

use std::io::{ErrorKind, Write};

use alloy_primitives::hex;
use serde_json::Value;

/// Lowercase `0x`-prefixed hex.
pub(crate) fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    hex::encode_prefixed(bytes)
}

/// Prints one line to stdout.
pub(crate) fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let result = writeln!(out, "{text}").and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Prints a JSON value, pretty-printed, to stdout.
pub(crate) fn json(value: &Value) {
    // Serialising a `Value` cannot fail (string keys, no custom serialisers).
    let text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    line(&text);
}
