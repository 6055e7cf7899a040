//! One error type for the whole pipeline. Every variant names the file, field or column at fault
//! and what was expected; each maps to a documented exit code (see README "Exit codes").

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file cannot be parsed or fails validation.
    #[error("{file}: {message}")]
    Spec { file: PathBuf, message: String },

    /// An input file is missing, unreadable or not in the stated format.
    #[error("{file}: {message}")]
    Input { file: PathBuf, message: String },

    /// An input's SHA-256 differs from the one recorded in the lock file or spec.
    #[error(
        "{file}: checksum mismatch\n  expected sha256 {expected}\n  found    sha256 {found}\n  \
         If this is a deliberate new version of the data (e.g. a new survey wave), re-record the \
         checksums with `vnr-brief lock {spec}` and run again."
    )]
    Checksum {
        file: PathBuf,
        spec: PathBuf,
        expected: String,
        found: String,
    },

    /// The data do not fit the spec: a missing or mistyped column, bad weights, an empty population.
    #[error("{context}: {message}")]
    Data { context: String, message: String },

    /// A report template fails to parse or render.
    #[error("template {template}: {message}")]
    Template { template: String, message: String },

    /// Writing outputs failed.
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },

    /// `verify` found files that differ from the manifest.
    #[error("verification failed:\n{0}")]
    Verify(String),
}

impl Error {
    /// Exit codes (2 is left to command-line usage errors): 3 spec, 4 input or checksum, 5 data,
    /// 6 template, 7 output, 8 verification.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Spec { .. } => 3,
            Error::Input { .. } | Error::Checksum { .. } => 4,
            Error::Data { .. } => 5,
            Error::Template { .. } => 6,
            Error::Output { .. } => 7,
            Error::Verify(_) => 8,
        }
    }

    pub fn spec(file: &Path, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn input(file: &Path, message: impl Into<String>) -> Self {
        Error::Input {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn data(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Data {
            context: context.into(),
            message: message.into(),
        }
    }

    pub fn output(path: &Path, message: impl Into<String>) -> Self {
        Error::Output {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

thread_local! {
    /// Set while `contain_panic` runs a closure on this thread: its panics are reported as errors,
    /// so the panic hook stays quiet for them.
    static CONTAINING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run third-party code (polars evaluating a user's expression or parsing a user's file) and turn
/// a panic inside it into `Err(message)`. Polars occasionally panics on inputs it should reject
/// (found by `tests/it/fuzz.rs`, e.g. `COALESCE(2147483648, 30)`); a user must see which field
/// failed, not a backtrace. Panics elsewhere still print as usual.
pub fn contain_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINING.with(|c| c.get()) {
                previous(info);
            }
        }));
    });
    let was = CONTAINING.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(was));
    out.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown internal error".into())
    })
}
