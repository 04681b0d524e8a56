//! The circuit: the nodes and paths of the circulation and the valve and conduit laws that move blood between them.

pub mod circulation;
pub mod valves;
