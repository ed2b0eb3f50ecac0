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

    /// This location, one array element deeper.
    pub(crate) fn index(&self, i: usize) -> Self {
        Self {
            source: self.source.clone(),
            path: format!("{}[{i}]", self.path),
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
            .index(2)
            .field("actionTarget");
        assert_eq!(
            loc.to_string(),
            "--session s.json, at actions[2].actionTarget"
        );
        assert_eq!(Location::new("argument HEX").to_string(), "argument HEX");
    }

    #[test]
    fn messages_are_single_line() {
        let e = CliError::Runtime("first\n  second\nthird".into());
        assert_eq!(e.one_line(), "first second third");
        assert_eq!(e.exit_code(), EXIT_RUNTIME);
        assert_eq!(Location::new("x").error("bad").exit_code(), EXIT_INPUT);
    }
}
