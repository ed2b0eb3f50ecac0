//! The one error type of the command line, and how each kind maps to an exit code.

use std::fmt;

/// Exit code for bad input: arguments, files, JSON, hex, lengths, versions.
pub(crate) const EXIT_INPUT: u8 = 2;
/// Exit code for a failure while talking to a node or bundler, or a rejected operation: nothing
/// landed.
pub(crate) const EXIT_RUNTIME: u8 = 1;
/// Exit code for a user operation whose outcome is unknown: it may have landed or may still land
/// (`resolve` settles it).
pub(crate) const EXIT_UNKNOWN: u8 = 3;

/// Where a bad value came from: an argument, a file, a JSON path inside either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    source: String,
    path: String,
}

impl Location {
    /// A command-line argument or file, e.g. `--session session.json` or `argument SIGNATURE`.
    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            path: String::new(),
        }
    }

    /// This location, one object field deeper.
    pub(crate) fn field(&self, name: &str) -> Self {
        let path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        };
        Self {
            source: self.source.clone(),
            path,
        }
    }

    /// This location, a JSON path deeper (`actions[0].actionTarget`, as serde_path_to_error writes it).
    pub(crate) fn at(&self, path: &str) -> Self {
        let path = match (self.path.is_empty(), path.is_empty() || path == ".") {
            (_, true) => self.path.clone(),
            (true, false) => path.to_owned(),
            (false, false) if path.starts_with('[') => format!("{}{path}", self.path),
            (false, false) => format!("{}.{path}", self.path),
        };
        Self {
            source: self.source.clone(),
            path,
        }
    }

    /// A library error about the value at this location. A JSON error is placed at the path it names,
    /// with its line and column; a syntax error says "invalid JSON".
    pub(crate) fn lib_error(&self, e: nexus_sessions_types::Error) -> CliError {
        match e {
            nexus_sessions_types::Error::JsonAt { path, source } => {
                let message = if source.is_syntax() || source.is_eof() {
                    format!("invalid JSON: {source}")
                } else {
                    source.to_string()
                };
                self.at(&path).error(message)
            }
            other => self.error(other.to_string()),
        }
    }

    /// An error at this location.
    pub(crate) fn error(&self, message: impl Into<String>) -> CliError {
        CliError::Input {
            location: self.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.source)
        } else {
            write!(f, "{}, at {}", self.source, self.path)
        }
    }
}

/// Everything that can go wrong in a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// A malformed argument, file or JSON value.
    #[error("{location}: {message}")]
    Input {
        /// Which argument / file / JSON path.
        location: String,
        /// What was wrong with it.
        message: String,
    },
    /// A file or stdin could not be read.
    #[error("cannot read {what}: {source}")]
    Read {
        /// The argument and path.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A live operation failed (node, bundler, chain).
    #[error("{0}")]
    Runtime(String),
    /// A user operation was (maybe) sent but its outcome is unknown.
    #[error("{0}")]
    Unknown(String),
}

impl CliError {
    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Input { .. } | Self::Read { .. } => EXIT_INPUT,
            Self::Runtime(_) => EXIT_RUNTIME,
            Self::Unknown(_) => EXIT_UNKNOWN,
        }
    }

    /// The message as a single line (library messages may carry newlines).
    pub(crate) fn one_line(&self) -> String {
        one_line(&self.to_string())
    }
}

/// Collapses whitespace runs containing newlines so a message always fits one line.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shorthand for command results.
pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_renders_json_path() {
        let loc = Location::new("--session s.json")
            .field("actions")
            .at("[2]")
            .field("actionTarget");
        assert_eq!(
            loc.to_string(),
            "--session s.json, at actions[2].actionTarget"
        );
        assert_eq!(Location::new("argument HEX").to_string(), "argument HEX");
        let file = Location::new("--chain f.json");
        assert_eq!(file.at(".").to_string(), "--chain f.json");
        assert_eq!(
            file.at("[0].chainId").to_string(),
            "--chain f.json, at [0].chainId"
        );
        assert_eq!(
            file.field("chains").at("[1].rpc_url").to_string(),
            "--chain f.json, at chains[1].rpc_url"
        );
    }

    #[test]
    fn messages_are_single_line() {
        let e = CliError::Runtime("first\n  second\nthird".into());
        assert_eq!(e.one_line(), "first second third");
        assert_eq!(e.exit_code(), EXIT_RUNTIME);
        assert_eq!(Location::new("x").error("bad").exit_code(), EXIT_INPUT);
    }
}
