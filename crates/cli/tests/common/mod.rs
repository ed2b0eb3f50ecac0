//! Runs the `nexus-sessions` binary and checks its output contract.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Output, Stdio},
};

/// The binary under test.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nexus-sessions"));
    // Keep the output contract independent of the caller's environment.
    cmd.env_remove("RUST_BACKTRACE")
        .env_remove("NEXUS_RPC_URL")
        .env_remove("NEXUS_BUNDLER_URL");
    cmd
}

/// Path of a file under `tests/data`.
pub fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

/// Runs with `args`, feeding `stdin`.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nexus-sessions");
    // A command refused on its arguments exits without reading stdin: a broken pipe is fine then.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// Runs with `args` and an empty stdin.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run nexus-sessions")
}

/// Asserts success and returns stdout (trimmed).
pub fn ok(args: &[&str]) -> String {
    check_ok(args, run(args))
}

/// Asserts success with `stdin` and returns stdout (trimmed).
pub fn ok_stdin(args: &[&str], stdin: &str) -> String {
    check_ok(args, run_with_stdin(args, stdin))
}

fn check_ok(args: &[&str], out: Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed with {:?}: {stderr}",
        out.status.code()
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 stdout")
        .trim()
        .to_owned()
}

/// Asserts success and parses stdout as JSON.
pub fn ok_json(args: &[&str]) -> serde_json::Value {
    let text = ok(args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {text}"))
}

/// Asserts the input-error contract: exit code 2, nothing on stdout, exactly one line on stderr
/// starting with `error:`, no panic, containing every `needle`. Returns the line.
pub fn input_error(args: &[&str], needles: &[&str]) -> String {
    check_input_error(args, run(args), needles)
}

/// [`input_error`] with data on stdin.
pub fn input_error_stdin(args: &[&str], stdin: &str, needles: &[&str]) -> String {
    check_input_error(args, run_with_stdin(args, stdin), needles)
}

fn check_input_error(args: &[&str], out: Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: expected exit code 2, stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?}: stdout should be empty: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{args:?}: panic: {stderr}"
    );
    assert!(
        !stderr.contains("backtrace"),
        "{args:?}: backtrace: {stderr}"
    );
    let trimmed = stderr.strip_suffix('\n').unwrap_or(&stderr);
    assert!(
        !trimmed.contains('\n'),
        "{args:?}: error must be one line, got: {stderr}"
    );
    assert!(trimmed.starts_with("error: "), "{args:?}: {stderr}");
    for needle in needles {
        assert!(
            trimmed.contains(needle),
            "{args:?}: error {trimmed:?} should mention {needle:?}"
        );
    }
    trimmed.to_owned()
}
