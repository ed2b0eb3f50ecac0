//! Child processes the devnet starts: spawn with output to a log file, stop by PID on drop.

use crate::DevnetError;
use std::{
    fs::File,
    io::{Read, Seek, SeekFrom},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// A child process owned by the devnet. Dropping it kills that PID (and only that PID) and waits for it.
#[derive(Debug)]
pub(crate) struct ManagedChild {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl ManagedChild {
    /// Starts `command` with stdout and stderr appended to `log`.
    pub(crate) fn spawn(
        name: &'static str,
        mut command: Command,
        log: &Path,
    ) -> Result<Self, DevnetError> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|source| DevnetError::Io {
                action: "create log file",
                path: log.to_path_buf(),
                source,
            })?;
        let err = out.try_clone().map_err(|source| DevnetError::Io {
            action: "open log file",
            path: log.to_path_buf(),
            source,
        })?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        // Program and arguments only: `Command`'s Debug would also print the environment, which carries
        // alto's keys.
        let shown = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|s| s.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        let child = command.spawn().map_err(|e| DevnetError::Command {
            command: shown,
            detail: format!("could not start {name}: {e}"),
        })?;
        Ok(Self {
            name,
            child,
            log: log.to_path_buf(),
        })
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` once the process has exited.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// An error saying the process died early, with the end of its log.
    pub(crate) fn died(&self, status: ExitStatus) -> DevnetError {
        DevnetError::Process {
            name: self.name,
            detail: format!(
                "exited early ({status}); last log lines:\n{}",
                log_tail(&self.log, 30)
            ),
            log: self.log.clone(),
        }
    }

    /// The log file.
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }
}

impl Drop for ManagedChild {
    fn drop(&mut self) {
        if self.exited().is_none() {
            // SIGKILL to our own PID only; the state we care about is cached before this point.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The last `lines` lines of a log file (at most 64 KiB read), for error messages.
pub(crate) fn log_tail(path: &Path, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
        let mut buf = Vec::new();
        let _ = f.read_to_end(&mut buf);
        text = String::from_utf8_lossy(&buf).into_owned();
    }
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A port that was free on 127.0.0.1 a moment ago (the caller detects the rare race by the server
/// exiting with "address in use" and retries).
pub(crate) fn free_port() -> Result<u16, DevnetError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|source| DevnetError::Io {
        action: "bind a probe socket on",
        path: PathBuf::from("127.0.0.1:0"),
        source,
    })?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| DevnetError::Io {
            action: "read the probe socket address of",
            path: PathBuf::from("127.0.0.1:0"),
            source,
        })
}

/// A suffix for temporary files that is unique across processes and across devnets started concurrently
/// in one process (write-then-rename needs a file nobody else writes).
pub(crate) fn unique_suffix() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Log directories older than this are removed when a new instance starts.
const LOG_RETENTION_SECS: u64 = 24 * 60 * 60;

/// Creates a fresh per-instance log directory `<target>/devnet-logs/<unix-secs>-<pid>-<n>`, and removes
/// instance directories older than a day (by the time in their name), so test runs do not pile up logs.
pub(crate) fn instance_log_dir(target_dir: &Path) -> Result<PathBuf, DevnetError> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let root = target_dir.join("devnet-logs");
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let started = name
            .to_str()
            .and_then(|n| n.split('-').next()?.parse::<u64>().ok());
        if started.is_some_and(|t| t + LOG_RETENTION_SECS < secs) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let name = format!(
        "{secs}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).map_err(|source| DevnetError::Io {
        action: "create log directory",
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// The cargo target directory: `CARGO_TARGET_DIR` (relative to the repository root) or `<repo>/target`.
pub(crate) fn target_dir(repo_root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => repo_root.join(dir),
        _ => repo_root.join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_kills_the_child_by_pid() {
        let dir = instance_log_dir(&std::env::temp_dir().join("devnet-process-test")).unwrap();
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let child = ManagedChild::spawn("sleep", cmd, &dir.join("sleep.log")).unwrap();
        let pid = child.pid();
        assert!(Path::new(&format!("/proc/{pid}")).exists());
        drop(child);
        // After wait() the PID is reaped, so /proc no longer has it (barring instant PID reuse).
        assert!(
            !Path::new(&format!("/proc/{pid}/cmdline")).exists() || {
                let cmdline =
                    std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                !cmdline.starts_with("sleep")
            }
        );
    }

    #[test]
    fn early_exit_is_reported_with_the_log_tail() {
        let dir = instance_log_dir(&std::env::temp_dir().join("devnet-process-test")).unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo first; echo boom >&2; exit 3"]);
        let mut child = ManagedChild::spawn("sh", cmd, &dir.join("sh.log")).unwrap();
        let status = loop {
            if let Some(s) = child.exited() {
                break s;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        let err = child.died(status).to_string();
        assert!(err.contains("boom") && err.contains("sh.log"), "{err}");
    }

    #[test]
    fn old_instance_logs_are_pruned() {
        let target = std::env::temp_dir().join(format!("devnet-prune-test-{}", std::process::id()));
        let old = target.join("devnet-logs").join("1000-1-0");
        std::fs::create_dir_all(&old).unwrap();
        let fresh = instance_log_dir(&target).unwrap();
        let kept = instance_log_dir(&target).unwrap();
        assert!(!old.exists(), "a day-old instance directory is removed");
        assert!(fresh.exists() && kept.exists() && fresh != kept);
        std::fs::remove_dir_all(&target).unwrap();
    }

    #[test]
    fn free_ports_are_bindable() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind(("127.0.0.1", port)).unwrap();
    }
}
