//! Errors of the library: each names what was wrong and where, in one line.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("unknown key '{key}' (list them with: ecmo-unload params --preset NAME)")]
    UnknownKey { key: String },
    #[error(
        "{key} = {} is out of range [{min}, {max}]{}{unit}",
        crate::units::Short(*value),
        if unit.is_empty() { "" } else { " " }
    )]
    OutOfRange {
        key: String,
        value: f64,
        min: f64,
        max: f64,
        unit: &'static str,
    },
    #[error("{key} = '{value}': expected {expected}")]
    WrongType {
        key: String,
        value: String,
        expected: String,
    },
    #[error("{key} = '{value}': {reason}")]
    Invalid {
        key: String,
        value: String,
        reason: String,
    },
    #[error("'{text}' is not KEY=VALUE")]
    BadAssignment { text: String },
    #[error("unknown preset '{name}' (built in: {known}) and no such file")]
    UnknownPreset { name: String, known: String },
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A value that parsed but is invalid, located in its file.
    #[error("{file}:{line}:{column}: {source}")]
    InFile {
        file: String,
        line: usize,
        column: usize,
        source: Box<Error>,
    },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl Error {
    /// A RON syntax or type error, at its place in `file`.
    pub fn from_ron(file: &str, e: &ron::error::SpannedError) -> Error {
        Error::Parse {
            file: file.to_string(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        }
    }

    /// A value that parsed but is invalid, at `(line, column)` in `file`.
    pub fn in_file(file: &str, (line, column): (usize, usize), source: Error) -> Error {
        Error::InFile {
            file: file.to_string(),
            line,
            column,
            source: Box::new(source),
        }
    }
}
