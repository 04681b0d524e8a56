//! The wire: the upgrade request's path and headers, and the messages the instructor sends.

use ecmo_unload::session::BedsideFrame;
use serde::{Deserialize, Serialize};

/// Where `serve` and `--listen` listen unless told: loopback only, so nothing on the network
/// can reach a session that was not opened to it (`--listen 0.0.0.0:7411` opens it to a lab).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7411";
/// The one path a monitor connects to.
pub const PATH: &str = "/bedside";
/// The request header carrying the session code.
pub const CODE_HEADER: &str = "x-session-code";
/// The request header carrying the trainee's name (shown to the instructor).
pub const TRAINEE_HEADER: &str = "x-trainee";
/// The reason a refused code is given with its 403.
pub const WRONG_CODE: &str = "wrong session code";
/// Longest session code and trainee name, in bytes.
pub const MAX_CODE_BYTES: usize = 64;
pub const MAX_NAME_BYTES: usize = 64;

/// What the instructor sends a monitor, as JSON text messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToBedside {
    /// Sent once on admission: the neutral name the monitor shows.
    Welcome { bed: String },
    /// A stretch of the session.
    Frame(Box<BedsideFrame>),
}

/// Check a session code: printable ASCII without spaces, 1 to [`MAX_CODE_BYTES`] long.
pub fn check_code(code: &str) -> Result<(), crate::LabError> {
    let bad = |reason| crate::LabError::BadInput {
        what: "--code",
        value: code.to_string(),
        reason,
    };
    if code.is_empty() {
        return Err(bad("a session code cannot be empty"));
    }
    if code.len() > MAX_CODE_BYTES {
        return Err(bad("a session code is at most 64 characters"));
    }
    if !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(
            "a session code is letters, digits and punctuation, without spaces",
        ));
    }
    Ok(())
}

/// A read that found nothing within its timeout (the socket's poll), not a failure.
pub(crate) fn timed_out(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if matches!(
        io.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ))
}
