//! Mechanical circulatory support: VA ECMO and its LV vent, the Impella, the IABP, the atrial septostomy, and `support`, which hands them the circuit each step.

pub mod ecmo;
pub mod iabp;
pub mod impella;
pub mod lv_vent;
pub mod septostomy;
pub mod support;
