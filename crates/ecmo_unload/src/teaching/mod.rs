//! Teaching: scenarios, their timeline and checkpoints, and the built-in library.

pub mod scenario;
