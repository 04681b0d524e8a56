//! Bedside alarms: threshold and pattern alarms on the monitor's beats and the engine's slow
//! state, each with a priority and a one-line clinical explanation of why it fires and what
//! usually helps. Pure: the dashboard keeps acknowledgement and silence, this only says which
//! conditions hold now. Thresholds and sources: docs/MODEL.md section 6.2.

use crate::lungs::RISK_MODERATE_PC_MMHG;
use crate::monitor::Status;
use crate::monitor::{Beat, BeatMeans, spo2_upper_pct};
use crate::patient::Choice;
use crate::patient::RhythmKind;

/// MAP below which perfusion is at risk (the usual resuscitation target of 65 mmHg).
pub const MAP_LOW_MMHG: f64 = 65.0;
/// Consecutive beats without aortic-valve opening that make a stagnant LV.
pub const AV_CLOSED_BEATS: usize = 10;
/// Wedge pressure above which the lungs congest (interstitial oedema from 18-20 mmHg).
pub const PCWP_HIGH_MMHG: f64 = 20.0;
/// Lung water gain that counts as rising.
pub const LUNG_WATER_RISING_ML_H: f64 = crate::lungs::RISING_ML_H;
/// Beats whose means the threshold alarms read (a monitor averages a few beats, so one ectopic
/// beat does not alarm).
pub const ALARM_BEATS: usize = 5;

/// The ECMO chatter and Impella suction flags rise when an inlet collapsed for at least this
/// share of the summarised time (a console's suction alarm, not a single step's flicker).
pub const SUCTION_ALARM_MIN_PCT: f64 = 1.0;
/// Upper-body arterial saturation below which the brain and heart are hypoxaemic.
pub const UPPER_SPO2_LOW_PCT: f64 = 90.0;
/// Arterial pH below which acidaemia alarms (7.25: below it catecholamines lose effect and
/// the myocardium contracts less; Kraut & Madias, Nat Rev Nephrol 2010;6:274).
pub const ACIDAEMIA_PH: f64 = 7.25;
/// Right radial PaCO2 below which hypocapnia alarms (a fast fall narrows the cerebral vessels;
/// ELSO advises avoiding a rapid PaCO2 drop on starting ECMO: Cavayas et al., Am J Respir Crit
/// Care Med 2020;201:1525).
pub const HYPOCAPNIA_MMHG: f64 = 30.0;
/// Post-oxygenator PO2 below which the oxygenator alarms with ECMO running (a working membrane
/// at FdO2 1.0 gives 400-500; ELSO targets about 150 when FdO2 is lowered on purpose).
pub const POST_OXYGENATOR_PO2_LOW_MMHG: f64 = 100.0;
/// Lactate at or above which a rise alarms (SCAI stage C: lactate >= 2 mmol/L; Naidu 2022).
pub const LACTATE_HIGH_MMOL_L: f64 = 2.0;
/// Rise of lactate that counts as rising (**T**: a tenth of a mmol/L an hour shows on a gas an
/// hour apart as a change a laboratory reports).
pub const LACTATE_RISING_MMOL_L_H: f64 = 0.1;

/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::AlarmLimits;

impl Default for AlarmLimits {
    fn default() -> Self {
        Self {
            map_low_mmhg: MAP_LOW_MMHG,
            upper_spo2_low_pct: UPPER_SPO2_LOW_PCT,
            pcwp_high_mmhg: PCWP_HIGH_MMHG,
            ph_low: ACIDAEMIA_PH,
            paco2_low_mmhg: HYPOCAPNIA_MMHG,
            lactate_high_mmol_l: LACTATE_HIGH_MMOL_L,
            post_oxygenator_po2_low_mmhg: POST_OXYGENATOR_PO2_LOW_MMHG,
        }
    }
}

/// IEC 60601-1-8 alarm priorities (most urgent first: they sort so).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    /// A monitor's marks for the priority (`***`, `**`, `*`).
    pub fn marks(self) -> &'static str {
        match self {
            Priority::High => "***",
            Priority::Medium => "**",
            Priority::Low => "*",
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Alarm {
    CardiacArrest,
    Hypotension,
    UpperBodyDesaturation,
    EcmoChatter,
    ImpellaSuction,
    AorticValveClosed,
    HighPcwp,
    RisingLungWater,
    Acidaemia,
    RisingLactate,
    Hypocapnia,
    OxygenatorFailure,
    IabpTriggerLoss,
    IabpLowAugmentation,
    IabpTimingConflict,
}

impl Alarm {
    pub const ALL: [Alarm; 15] = [
        Alarm::CardiacArrest,
        Alarm::Hypotension,
        Alarm::UpperBodyDesaturation,
        Alarm::EcmoChatter,
        Alarm::ImpellaSuction,
        Alarm::AorticValveClosed,
        Alarm::HighPcwp,
        Alarm::RisingLungWater,
        Alarm::Acidaemia,
        Alarm::RisingLactate,
        Alarm::Hypocapnia,
        Alarm::OxygenatorFailure,
        Alarm::IabpTriggerLoss,
        Alarm::IabpLowAugmentation,
        Alarm::IabpTimingConflict,
    ];

    /// The key `run --json` lists the alarm under (`hypotension`, `high_pcwp`, ...).
    pub fn key(self) -> &'static str {
        self.into()
    }

    pub fn priority(self) -> Priority {
        match self {
            Alarm::CardiacArrest
            | Alarm::Hypotension
            | Alarm::UpperBodyDesaturation
            | Alarm::OxygenatorFailure => Priority::High,
            Alarm::EcmoChatter
            | Alarm::ImpellaSuction
            | Alarm::AorticValveClosed
            | Alarm::Acidaemia
            | Alarm::RisingLactate
            | Alarm::Hypocapnia
            | Alarm::IabpTriggerLoss => Priority::Medium,
            Alarm::HighPcwp
            | Alarm::RisingLungWater
            | Alarm::IabpLowAugmentation
            | Alarm::IabpTimingConflict => Priority::Low,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Alarm::CardiacArrest => "Cardiac arrest",
            Alarm::Hypotension => "MAP low",
            Alarm::UpperBodyDesaturation => "Upper-body SpO2 low",
            Alarm::EcmoChatter => "ECMO chatter",
            Alarm::ImpellaSuction => "Impella suction",
            Alarm::AorticValveClosed => "Aortic valve closed",
            Alarm::HighPcwp => "PCWP high",
            Alarm::RisingLungWater => "Lung water rising",
            Alarm::Acidaemia => "Acidaemia",
            Alarm::RisingLactate => "Lactate rising",
            Alarm::Hypocapnia => "PaCO2 low",
            Alarm::OxygenatorFailure => "Post-oxygenator PO2 low",
            Alarm::IabpTriggerLoss => "IABP trigger loss",
            Alarm::IabpLowAugmentation => "IABP low augmentation",
            Alarm::IabpTimingConflict => "IABP timing conflict",
        }
    }

    /// Why it fires and what usually helps, in one line.
    pub fn explanation(self) -> &'static str {
        match self {
            Alarm::CardiacArrest => {
                "no output of the heart's own (VF, asystole, pulseless VT, PEA): CPR unless ECMO \
                 carries the circulation; shock VF and VT; adrenaline and reversible causes for \
                 asystole and PEA"
            }
            Alarm::Hypotension => {
                "organ perfusion falls below a MAP of 65: more flow (ECMO, inotrope) or tone \
                 (vasopressor), fluids only if preload-responsive"
            }
            Alarm::UpperBodyDesaturation => {
                "native output carries poorly oxygenated blood from failing lungs to the brain \
                 and heart (north-south): ventilator FiO2/PEEP, more ECMO flow, or move the \
                 return to the right subclavian/jugular (V-AV); if the legs desaturate too, \
                 suspect the oxygenator first"
            }
            Alarm::EcmoChatter => {
                "the drainage cannula sucks the vein flat: the patient is underfilled for this \
                 pump speed; lower the speed or give volume"
            }
            Alarm::ImpellaSuction => {
                "the LV is too empty for the Impella level: lower the P-level, give volume, \
                 check position"
            }
            Alarm::AorticValveClosed => {
                "the LV no longer ejects against the ECMO afterload: blood stagnates (thrombus) \
                 and the LV distends; less ECMO flow, an inotrope, or unload (IABP, Impella, vent)"
            }
            Alarm::HighPcwp => {
                "left atrial pressure this high pushes water into the lungs: unload the LV, \
                 diurese, less ECMO flow if the LV is distended"
            }
            Alarm::RisingLungWater => {
                "filtration outruns lymph drainage: pulmonary oedema is building; lower the left \
                 atrial pressure (unloading, diuresis)"
            }
            Alarm::Acidaemia => {
                "arterial pH below 7.25: read the gas for which: a metabolic acidosis (base \
                 deficit: lactate from poor perfusion or epinephrine, or other acids) or CO2 \
                 retained (PaCO2 high: more ventilation or sweep gas)"
            }
            Alarm::RisingLactate => {
                "lactate above 2 and climbing: tissues short of O2 (more flow: ECMO, Impella, \
                 inotrope), a liver that clears less, or epinephrine's own beta-2 lactate"
            }
            Alarm::Hypocapnia => {
                "PaCO2 below 30: the sweep gas and the ventilator together take out more CO2 \
                 than the body makes; a fast fall narrows the brain's vessels: lower the sweep \
                 (or the ventilation) and let PaCO2 come back slowly"
            }
            Alarm::OxygenatorFailure => {
                "the blood leaving the oxygenator is barely oxygenated: check the sweep gas is \
                 flowing and its FdO2, then the membrane (clot, plasma leak); more ECMO flow does \
                 not help until it oxygenates"
            }
            Alarm::IabpTriggerLoss => {
                "the console has no trigger and has stopped pumping: no R waves (VF, asystole), no \
                 arterial upstroke (a non-ejecting LV on the pressure trigger) or no pacing \
                 spikes; choose a trigger the heart gives, or internal in arrest and CPR"
            }
            Alarm::IabpLowAugmentation => {
                "the balloon cannot fill in the diastole it is given: slow the rate when the notch \
                 meets the next R wave (1:2 does not add a diastole), or review the timing"
            }
            Alarm::IabpTimingConflict => {
                "the timing settings overlap (deflation before the balloon could fill, or \
                 inflation before the last deflation ended): the console clamped them"
            }
        }
    }
}

/// What the alarms read: the recent beats' means, the beats themselves (newest last) and the
/// slow state.
pub struct Inputs<'a> {
    pub means: &'a BeatMeans,
    pub recent: &'a [Beat],
    pub status: &'a Status,
    pub ecmo_on: bool,
    pub impella_on: bool,
    pub rhythm: RhythmKind,
    /// Chest compressions running: their pulse is not the heart's.
    pub cpr: bool,
    /// Where the threshold alarms sound (the patient's `alarms.*`).
    pub limits: &'a AlarmLimits,
}

/// The alarms whose condition holds now, each with the reading that tripped it, most urgent
/// first.
pub fn active(i: &Inputs) -> Vec<(Alarm, String)> {
    let b = &i.means.mean;
    let mut out = Vec::new();
    if i.rhythm.is_arrest() {
        out.push((Alarm::CardiacArrest, i.rhythm.label().to_string()));
    } else if i.cpr || (pulseless(i.means) && !supported_and_contracting(i)) {
        // Beats on the ECG but no pulse of the heart's own: pulseless VT, or pulseless
        // electrical activity in any other rhythm (on ECMO too: the flow is the machine's).
        let what = if i.rhythm == RhythmKind::Vt {
            "pulseless VT".to_string()
        } else {
            format!("PEA ({})", i.rhythm.label())
        };
        out.push((Alarm::CardiacArrest, what));
    }
    if b.map_mmhg < i.limits.map_low_mmhg {
        out.push((Alarm::Hypotension, format!("MAP {:.0} mmHg", b.map_mmhg)));
    }
    // A pulse oximeter reads, and so alarms, only over a pulse.
    if let Some(spo2) = spo2_upper_pct(b)
        && spo2 < i.limits.upper_spo2_low_pct
    {
        out.push((
            Alarm::UpperBodyDesaturation,
            format!("right radial SpO2 {spo2:.0} %"),
        ));
    }
    if i.ecmo_on && b.ecmo_collapse_pct >= SUCTION_ALARM_MIN_PCT {
        out.push((
            Alarm::EcmoChatter,
            format!("inlet {:.0} mmHg", b.ecmo_inlet_mmhg),
        ));
    }
    if i.impella_on && b.impella_suction_pct >= SUCTION_ALARM_MIN_PCT {
        out.push((
            Alarm::ImpellaSuction,
            format!("{:.0} % of the beat", b.impella_suction_pct),
        ));
    }
    let closed = av_shut_beats(i.recent.iter());
    if closed >= AV_CLOSED_BEATS {
        out.push((
            Alarm::AorticValveClosed,
            format!("no ejection for {closed} beats"),
        ));
    }
    if b.pcwp_mmhg > i.limits.pcwp_high_mmhg {
        out.push((Alarm::HighPcwp, format!("PCWP {:.0} mmHg", b.pcwp_mmhg)));
    }
    if i.status.lung_water_gain_ml_h > LUNG_WATER_RISING_ML_H
        && b.pulmonary_capillary_mmhg >= RISK_MODERATE_PC_MMHG
    {
        out.push((
            Alarm::RisingLungWater,
            format!(
                "+{:.0} mL/h, EVLWI {:.1} mL/kg",
                i.status.lung_water_gain_ml_h, i.status.lung_water_ml_kg
            ),
        ));
    }
    let gas = &i.status.gases.right_radial;
    if gas.ph < i.limits.ph_low {
        out.push((
            Alarm::Acidaemia,
            format!(
                "pH {:.2}, PaCO2 {:.0}, BE {:.1}",
                gas.ph, gas.pco2_mmhg, gas.base_excess_mmol_l
            ),
        ));
    }
    if gas.pco2_mmhg < i.limits.paco2_low_mmhg {
        out.push((
            Alarm::Hypocapnia,
            format!("PaCO2 {:.0} mmHg, pH {:.2}", gas.pco2_mmhg, gas.ph),
        ));
    }
    if i.ecmo_on
        && let Some(post) = i.status.gases.post_oxygenator
        && post.po2_mmhg < i.limits.post_oxygenator_po2_low_mmhg
    {
        out.push((
            Alarm::OxygenatorFailure,
            format!("post-oxygenator PO2 {:.0} mmHg", post.po2_mmhg),
        ));
    }
    if gas.lactate_mmol_l >= i.limits.lactate_high_mmol_l
        && i.status.lactate_rate_mmol_l_h >= LACTATE_RISING_MMOL_L_H
    {
        out.push((
            Alarm::RisingLactate,
            format!(
                "lactate {:.1} mmol/L, +{:.1} an hour",
                gas.lactate_mmol_l, i.status.lactate_rate_mmol_l_h
            ),
        ));
    }
    if let Some(console) = i.status.iabp {
        iabp_alarms(&console, &mut out);
    }
    out.sort_by_key(|(a, _)| (a.priority(), *a));
    out
}

/// The IABP console's own alarms (what a Datascope or Maquet console shows on its screen).
fn iabp_alarms(c: &crate::iabp::ConsoleStatus, out: &mut Vec<(Alarm, String)>) {
    if c.trigger_lost {
        out.push((
            Alarm::IabpTriggerLoss,
            format!("no trigger for {:.0} s", crate::iabp::TRIGGER_LOSS_S),
        ));
        return;
    }
    if c.no_diastole {
        out.push((
            Alarm::IabpLowAugmentation,
            "no diastole to inflate in at this rate".to_string(),
        ));
    } else if let Some(f) = c.fill_fraction
        && f < crate::iabp::LOW_FILL_FRACTION
    {
        out.push((
            Alarm::IabpLowAugmentation,
            format!("balloon fills to {:.0} % of its volume", 100.0 * f),
        ));
    }
    if c.clamped {
        out.push((
            Alarm::IabpTimingConflict,
            "timing clamped by the console".to_string(),
        ));
    }
}

/// A rhythm without a pulse of the heart's own: the aortic valve opens in fewer than half the
/// beats, or the radial line shows no pulse a pulse oximeter could read.
pub fn pulseless(means: &BeatMeans) -> bool {
    means.av_opening_pct < PULSELESS_AV_OPENING_PCT || spo2_upper_pct(&means.mean).is_none()
}

/// A beating heart behind a pump that carries the circulation (ECMO or Impella) is not in
/// arrest when its flat pulse is the pump's: its LV still contracts, developing pressure, and
/// the shut valve is the `AorticValveClosed` alarm's to name. Without a pump, a contraction
/// without a pulse is pseudo-PEA and treated as PEA (Paradis et al., Chest 1992;101:123). Not
/// in VT: a pulseless VT is shocked whatever carries the circulation.
fn supported_and_contracting(i: &Inputs) -> bool {
    let b = &i.means.mean;
    (i.ecmo_on || i.impella_on)
        && i.rhythm != RhythmKind::Vt
        && b.lv_peak_mmhg - b.lvedp_mmhg >= LV_CONTRACTING_MIN_MMHG
}

/// The least LV developed pressure (peak minus end-diastolic) that counts as a contraction
/// (**T**). On the shock patient at 4 L/min of ECMO flow a stone heart (LV Ees 0.1-0.25
/// mmHg/mL) develops none and one at 0.3 about 8 mmHg, while at 0.4 it develops 26 and an LV
/// emptied by an Impella 5.5 about 44.
pub const LV_CONTRACTING_MIN_MMHG: f64 = 20.0;

/// Below this share of beats with an aortic-valve opening the heart makes no pulse of its own.
pub const PULSELESS_AV_OPENING_PCT: f64 = 50.0;

/// The latest beats in a row (of `beats`, oldest first) in which the aortic valve stayed shut.
pub fn av_shut_beats<'a>(beats: impl DoubleEndedIterator<Item = &'a Beat>) -> usize {
    beats.rev().take_while(|b| !b.av_opened).count()
}

/// Since when each active alarm has been on, in simulated time (a monitor's "since t = 30 s"):
/// right across a jump ahead, which a wall clock is not.
#[derive(Clone, Debug, Default)]
pub struct Onsets {
    on: Vec<(Alarm, f64)>,
}

impl Onsets {
    /// Note the alarms active at `t_s`: a new one begins now, one no longer active is forgotten
    /// (if it comes back, it begins again).
    pub fn update(&mut self, t_s: f64, active: &[(Alarm, String)]) {
        self.on.retain(|(a, _)| active.iter().any(|(b, _)| b == a));
        for (a, _) in active {
            if !self.on.iter().any(|(b, _)| b == a) {
                self.on.push((*a, t_s));
            }
        }
    }

    /// When `alarm` began, if it is on.
    pub fn since(&self, alarm: Alarm) -> Option<f64> {
        self.on.iter().find(|(a, _)| *a == alarm).map(|&(_, t)| t)
    }
}
