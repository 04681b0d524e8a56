//! The panels around the tabs: the top bar, the side panels with their consoles, the alarms.

pub mod alarm_view;
pub mod consoles;
pub(crate) mod top_bar;
