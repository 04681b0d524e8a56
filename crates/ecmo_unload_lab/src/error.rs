//! What can go wrong between an instructor and a monitor.

/// A failure of the lab link, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The instructor refused the session code (HTTP 403).
    #[error("the session at {addr} refused code '{code}': wrong session code")]
    WrongCode { addr: String, code: String },
    /// The session has as many monitors as it takes (HTTP 503).
    #[error("the session at {addr} is full: it takes {max} monitors")]
    Full { addr: String, max: usize },
    /// Nothing answered, or what answered was not an ecmo-unload session.
    #[error("no ecmo-unload session at {addr}: {reason}")]
    Unreachable { addr: String, reason: String },
    /// The address to listen on could not be taken.
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    /// A code or name a WebSocket header cannot carry.
    #[error("{what} '{value}': {reason}")]
    BadInput {
        what: &'static str,
        value: String,
        reason: &'static str,
    },
}
