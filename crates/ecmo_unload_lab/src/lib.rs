//! The simulation lab: an instructor's session served to trainees' bedside monitors.
//!
//! The instructor's side ([`Instructor`]) listens for WebSocket connections (loopback unless
//! told otherwise), admits a monitor that gives the session's code, and sends every admitted
//! monitor the session's [`BedsideFrame`]s, batched a few times a second. The trainee's side
//! ([`BedsideLink`]) connects, receives, and reconnects when the connection drops. The wire
//! carries only bedside frames: nothing a monitor sends can change the patient, and nothing the
//! instructor alone may see (case title, settings, the scenario's hidden events) is ever on it.
//!
//! The protocol, in [`wire`]: a WebSocket upgrade of `GET /bedside` with the session code in
//! the `X-Session-Code` header and the trainee's name in `X-Trainee`; a wrong code is answered
//! 403 and the connection closed. Then the instructor sends JSON text messages ([`ToBedside`]):
//! a welcome naming the bed, then frames.

mod error;
mod instructor;
mod link;
pub mod wire;

pub use ecmo_unload::session::BedsideFrame;
pub use error::LabError;
pub use instructor::{Instructor, Trainee};
pub use link::{BedsideLink, LinkEvent, connect_once};
pub use wire::{DEFAULT_LISTEN, ToBedside};
