//! The session's record: the event log and the CSV recorder, and the debrief written from them.

pub mod debrief;
pub mod log;
