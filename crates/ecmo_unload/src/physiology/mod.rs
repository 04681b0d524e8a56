//! The patient's own physiology: the chambers, the cardiac rhythm and its ECG, the reflexes, drugs, lungs, oxygen, fluids and chest compressions.

pub mod cpr;
pub mod drugs;
pub mod ecg;
pub mod fluids;
pub mod heart;
pub mod lungs;
pub mod oxygen;
pub mod reflex;
pub mod rhythm;
