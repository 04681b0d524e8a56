//! The patient's own physiology: the chambers, the cardiac rhythm and its ECG, the reflexes, drugs, lungs, the blood gases (oxygen, carbon dioxide, acid-base, lactate), fluids and chest compressions.

pub mod acid_base;
pub mod carbon_dioxide;
pub mod cpr;
pub mod drugs;
pub mod ecg;
pub mod fluids;
pub mod heart;
pub mod lactate;
pub mod lungs;
pub mod oxygen;
pub mod reflex;
pub mod rhythm;
