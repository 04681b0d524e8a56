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
    EcmoFlowReversed,
    EcmoFlowLow,
}

impl Alarm {
    pub const ALL: [Alarm; 17] = [
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
        Alarm::EcmoFlowReversed,
        Alarm::EcmoFlowLow,
    ];

    /// Whether a bedside monitor or a device console raises this alarm from what it measures
    /// (the ECG, pressures, oximetry, flows, the consoles' own sensing). The others need a
    /// blood gas (acidaemia, lactate, PaCO2, the oxygenator's PO2), an echo (a shut aortic
    /// valve) or the model's own view (lung water's rate): a trainee's monitor does not show
    /// them; the trainee finds them by asking for the test.
    pub fn at_bedside(self) -> bool {
        !matches!(
            self,
            Alarm::AorticValveClosed
                | Alarm::RisingLungWater
                | Alarm::Acidaemia
                | Alarm::RisingLactate
                | Alarm::Hypocapnia
                | Alarm::OxygenatorFailure
        )
    }

    /// The key `run --json` lists the alarm under (`hypotension`, `high_pcwp`, ...).
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The alarm's priority at its threshold; a severe reading raises it ([`active`]).
    pub fn priority(self) -> Priority {
        match self {
            Alarm::CardiacArrest
            | Alarm::Hypotension
            | Alarm::UpperBodyDesaturation
            | Alarm::OxygenatorFailure
            | Alarm::EcmoFlowReversed => Priority::High,
            Alarm::EcmoFlowLow
            | Alarm::EcmoChatter
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
            Alarm::EcmoFlowReversed => "ECMO flow reversed",
            Alarm::EcmoFlowLow => "ECMO flow low",
        }
    }

    /// Why it fires and what usually helps, in one line, naming only what the simulator offers
    /// and knowing what already runs (`r`): no "add an Impella" beside a running Impella, no
    /// ECMO afterload without ECMO.
    pub fn explanation(self, r: Running) -> String {
        let unload = unloading_options(r);
        let more_flow = if r.ecmo {
            "more ECMO flow, an inotrope"
        } else if r.impella {
            "a higher Impella level, an inotrope, or VA ECMO"
        } else {
            "an inotrope, an Impella or VA ECMO"
        };
        match self {
            Alarm::CardiacArrest => {
                let support = if r.ecmo {
                    "ECMO carries the circulation (no compressions needed while it flows)"
                } else if r.impella {
                    "the Impella moves blood only as long as the right heart and lungs bring it \
                     to the LV: keep it running, compressions (CPR) if the MAP falls, VA ECMO \
                     (ECPR) to carry the whole circulation"
                } else {
                    "chest compressions now (CPR), or VA ECMO (ECPR)"
                };
                format!(
                    "no output of the heart's own (VF, asystole, pulseless VT, PEA): {support}; \
                     a shock for VF and pulseless VT (the rhythm buttons); epinephrine and \
                     pacing for asystole and PEA"
                )
            }
            Alarm::Hypotension if !r.beating && !r.ecmo => {
                "no output of the heart's own: treat the arrest first (compressions, a shock for \
                 VF, VA ECMO)"
                    .into()
            }
            Alarm::Hypotension => format!(
                "organ perfusion falls below this MAP: more flow ({more_flow}) or tone \
                 (norepinephrine); fluids only if preload-responsive"
            ),
            Alarm::UpperBodyDesaturation if !r.ventilated => {
                "no ventilation: the alveoli empty of O2 and the blood leaves the lungs \
                 unoxygenated; ventilate (minute ventilation), then FiO2"
                    .into()
            }
            Alarm::UpperBodyDesaturation if r.ecmo => {
                "the heart's own output carries blood the failing lungs did not oxygenate to the \
                 brain and the heart (north-south): raise FiO2 and ventilation, more ECMO flow \
                 moves the mixing zone up; if the legs desaturate too, suspect the oxygenator \
                 (sweep gas, FdO2, membrane)"
                    .into()
            }
            Alarm::UpperBodyDesaturation => {
                "the lungs do not oxygenate the blood (shunt, oedema): raise FiO2 and \
                 ventilation, lower the left atrial pressure; VA ECMO oxygenates the blood it \
                 returns"
                    .into()
            }
            Alarm::EcmoChatter => {
                "the drainage cannula sucks the vein flat: the patient is underfilled for this \
                 pump speed; lower the speed or give volume"
                    .into()
            }
            Alarm::ImpellaSuction => {
                "the LV is too empty for the Impella level: lower the P-level or give volume".into()
            }
            Alarm::AorticValveClosed if r.impella => {
                "the Impella empties the LV, so the LV no longer opens its own valve: blood \
                 stagnates in the aortic root (thrombus); a lower P-level, or an inotrope, lets \
                 it eject again"
                    .into()
            }
            Alarm::AorticValveClosed if !r.beating && r.ecmo => format!(
                "the arrested heart does not eject: behind the ECMO flow the LV fills from the \
                 bronchial and Thebesian return and distends; restore a rhythm (a shock for \
                 VF){unload}"
            ),
            Alarm::AorticValveClosed if !r.beating => {
                "the arrested heart does not eject: treat the arrest (compressions, a shock for \
                 VF, VA ECMO)"
                    .into()
            }
            Alarm::AorticValveClosed if r.ecmo => format!(
                "the LV no longer ejects against the ECMO afterload: blood stagnates (thrombus) \
                 and the LV distends; less ECMO flow, an inotrope{unload}"
            ),
            Alarm::AorticValveClosed => format!(
                "the LV is too weak to open its valve against the aortic pressure: no output of \
                 its own and stasis in the LV; an inotrope{unload}"
            ),
            Alarm::HighPcwp => {
                let ecmo = if r.ecmo {
                    ", less ECMO flow if the LV is distended"
                } else {
                    ""
                };
                format!(
                    "left atrial pressure this high pushes water into the lungs: remove fluid{ecmo}\
                     {unload}"
                )
            }
            Alarm::RisingLungWater => format!(
                "filtration outruns lymph drainage: pulmonary oedema is building; lower the left \
                 atrial pressure (remove fluid{unload})"
            ),
            Alarm::Acidaemia => {
                let co2 = if r.ecmo {
                    "more ventilation or sweep gas"
                } else {
                    "more ventilation"
                };
                format!(
                    "arterial pH below the limit: read the gas for which: a metabolic acidosis \
                     (base deficit: lactate from poor perfusion or epinephrine, or other acids) \
                     or CO2 retained (PaCO2 high: {co2})"
                )
            }
            Alarm::RisingLactate => format!(
                "lactate high and climbing: tissues short of O2 (more flow: {more_flow}), a \
                 liver that clears less, or epinephrine's own beta-2 lactate"
            ),
            Alarm::Hypocapnia if r.ecmo => {
                "PaCO2 below the limit: the sweep gas and the ventilator together take out more \
                 CO2 than the body makes; a fast fall narrows the brain's vessels: lower the \
                 sweep (or the ventilation) and let PaCO2 come back slowly"
                    .into()
            }
            Alarm::Hypocapnia => {
                "PaCO2 below the limit: the ventilation takes out more CO2 than the body makes; \
                 lower the minute ventilation"
                    .into()
            }
            Alarm::OxygenatorFailure => {
                "the blood leaving the oxygenator is barely oxygenated: check the sweep gas is \
                 flowing and its FdO2, then the membrane function; more ECMO flow does not help \
                 until it oxygenates"
                    .into()
            }
            Alarm::IabpTriggerLoss => {
                "the console has no trigger and has stopped pumping: no R waves (VF, asystole), no \
                 arterial upstroke (a non-ejecting LV on the pressure trigger) or no pacing \
                 spikes; choose a trigger the heart gives, or internal in arrest and CPR"
                    .into()
            }
            Alarm::IabpLowAugmentation => {
                "the balloon cannot fill in the diastole it is given: slow the rate when the notch \
                 meets the next R wave (1:2 does not add a diastole), or review the timing"
                    .into()
            }
            Alarm::IabpTimingConflict => {
                "the timing settings overlap (deflation before the balloon could fill, or \
                 inflation before the last deflation ended): the console clamped them"
                    .into()
            }
            Alarm::EcmoFlowReversed => {
                "the pump turns too slowly to hold the arterial pressure: blood runs back from the \
                 artery through the circuit to the vein, a shunt that steals output; raise the \
                 pump speed, or switch ECMO off to wean"
                    .into()
            }
            Alarm::EcmoFlowLow => {
                "the circuit runs far below the flow it should: in flow mode the pump cannot reach \
                 its target (an underfilled patient: see the inlet pressure; give volume or lower \
                 the target); below 1 L/min a circuit clots: raise the speed or wean off"
                    .into()
            }
        }
    }
}

/// The unloading devices not yet running, as ", or unload (an IABP, an Impella)"; empty when
/// all run (ECMO-only ones, the LV vent and the septostomy, only with ECMO).
fn unloading_options(r: Running) -> String {
    let mut o = Vec::new();
    if !r.iabp {
        o.push("an IABP");
    }
    if !r.impella {
        o.push("an Impella");
    }
    if r.ecmo && !r.vent {
        o.push("an LV vent");
    }
    if r.ecmo && !r.septostomy {
        o.push("an atrial septostomy");
    }
    if o.is_empty() {
        ", or more support from the unloading devices running".into()
    } else {
        format!(", or unload ({})", o.join(", "))
    }
}

/// What runs at the bedside, which an alarm's advice must know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Running {
    pub ecmo: bool,
    pub impella: bool,
    pub iabp: bool,
    /// An LV vent on the ECMO circuit.
    pub vent: bool,
    pub septostomy: bool,
    /// The lungs are ventilated (minute ventilation above zero).
    pub ventilated: bool,
    /// The heart beats (not VF, not asystole).
    pub beating: bool,
}

impl Running {
    pub fn of(p: &crate::Patient) -> Self {
        Self {
            ecmo: p.ecmo.enabled,
            impella: p.impella.enabled,
            iabp: p.iabp.enabled,
            vent: p.ecmo.enabled && p.lv_vent.enabled,
            septostomy: p.septostomy.diameter_mm > 0.0,
            ventilated: p.lungs.minute_ventilation_l_min > 0.0,
            beating: !p.rhythm.kind.is_arrest(),
        }
    }
}

/// An alarm on now: which, how urgent at this reading, and the reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Active {
    pub alarm: Alarm,
    pub priority: Priority,
    pub reading: String,
}

impl Active {
    fn new(alarm: Alarm, reading: String) -> Self {
        Self {
            alarm,
            priority: alarm.priority(),
            reading,
        }
    }

    /// Raise the priority to `p` when `severe` (never lower it).
    fn escalate(mut self, severe: bool, p: Priority) -> Self {
        if severe {
            self.priority = self.priority.min(p);
        }
        self
    }
}

/// PCWP this far above its limit raises the alarm to medium, and this far to high (**T**:
/// radiographic interstitial oedema from about 20 mmHg, alveolar flooding from 25-30 and
/// frank pulmonary oedema beyond (Forrester et al., NEJM 1976;295:1356)).
pub const PCWP_MEDIUM_ABOVE_LIMIT_MMHG: f64 = 10.0;
pub const PCWP_HIGH_ABOVE_LIMIT_MMHG: f64 = 20.0;
/// Severe acidaemia: the acidaemia alarm is high priority below this pH (BICAR-ICU's
/// threshold for severe metabolic acidaemia, 7.20; Jaber et al., Lancet 2018;392:31).
pub const SEVERE_ACIDAEMIA_PH: f64 = 7.20;
/// Lactate at or above this makes its alarm high priority (the SCAI shock stages' and the
/// sepsis bundles' marker of severe hypoperfusion, 4 mmol/L).
pub const SEVERE_LACTATE_MMOL_L: f64 = 4.0;
/// ECMO flow below this counts as running backwards (below the monitor's noise).
pub const ECMO_REVERSED_L_MIN: f64 = -0.1;
/// In flow mode, a flow below this share of the target alarms; in either mode, a flow below
/// [`ECMO_MIN_FLOW_L_MIN`] (**T**: ELSO's guidance keeps a VA circuit above 1-1.5 L/min
/// against thrombosis).
pub const ECMO_FLOW_LOW_FRACTION: f64 = 0.75;
pub const ECMO_MIN_FLOW_L_MIN: f64 = 1.0;

/// What the alarms read: the recent beats' means, the beats themselves (newest last) and the
/// slow state.
pub struct Inputs<'a> {
    pub means: &'a BeatMeans,
    pub recent: &'a [Beat],
    pub status: &'a Status,
    pub ecmo_on: bool,
    pub impella_on: bool,
    /// ECMO in flow mode: its target flow (none in RPM mode or off).
    pub ecmo_flow_target_l_min: Option<f64>,
    pub rhythm: RhythmKind,
    /// Chest compressions running: their pulse is not the heart's.
    pub cpr: bool,
    /// Where the threshold alarms sound (the patient's `alarms.*`).
    pub limits: &'a AlarmLimits,
}

/// The alarms whose condition holds now, each with the reading that tripped it, most urgent
/// first.
pub fn active(i: &Inputs) -> Vec<Active> {
    let b = &i.means.mean;
    let mut out: Vec<Active> = conditions(i)
        .into_iter()
        .map(|(a, reading)| Active::new(a, reading))
        .map(|x| escalate(x, i))
        .collect();
    if i.ecmo_on {
        let flow = b.ecmo_flow_l_min;
        if flow < ECMO_REVERSED_L_MIN {
            out.push(Active::new(
                Alarm::EcmoFlowReversed,
                format!("ECMO flow {flow:.1} L/min"),
            ));
        } else if let Some(target) = i.ecmo_flow_target_l_min
            && flow < ECMO_FLOW_LOW_FRACTION * target
        {
            out.push(Active::new(
                Alarm::EcmoFlowLow,
                format!("ECMO flow {flow:.1} L/min, target {target:.1}"),
            ));
        } else if flow < ECMO_MIN_FLOW_L_MIN {
            out.push(Active::new(
                Alarm::EcmoFlowLow,
                format!("ECMO flow {flow:.1} L/min"),
            ));
        }
    }
    out.sort_by_key(|x| (x.priority, x.alarm));
    out
}

/// A severe reading raises an alarm's priority (IEC 60601-1-8: priority follows the urgency of
/// the response the condition needs).
fn escalate(x: Active, i: &Inputs) -> Active {
    let b = &i.means.mean;
    let gas = &i.status.gases.right_radial;
    let l = i.limits;
    match x.alarm {
        Alarm::HighPcwp => x
            .escalate(
                b.pcwp_mmhg >= l.pcwp_high_mmhg + PCWP_MEDIUM_ABOVE_LIMIT_MMHG,
                Priority::Medium,
            )
            .escalate(
                b.pcwp_mmhg >= l.pcwp_high_mmhg + PCWP_HIGH_ABOVE_LIMIT_MMHG,
                Priority::High,
            ),
        Alarm::Acidaemia => x.escalate(gas.ph < SEVERE_ACIDAEMIA_PH, Priority::High),
        Alarm::RisingLactate => {
            x.escalate(gas.lactate_mmol_l >= SEVERE_LACTATE_MMOL_L, Priority::High)
        }
        Alarm::RisingLungWater => x.escalate(
            i.status.edema_risk == crate::lungs::EdemaRisk::Severe,
            Priority::Medium,
        ),
        _ => x,
    }
}

/// The conditions that hold, each with the reading that tripped it.
fn conditions(i: &Inputs) -> Vec<(Alarm, String)> {
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
            format!("no ejection for {}", beats_text(closed)),
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
///
/// An LV an Impella sucks empty develops no pressure for want of volume, not of contraction:
/// its suction is the `ImpellaSuction` alarm's to name, not an arrest.
fn supported_and_contracting(i: &Inputs) -> bool {
    let b = &i.means.mean;
    // ...while the pump still holds the pressure: an empty circulation is an arrest.
    let sucked_empty = i.impella_on
        && b.impella_suction_pct >= SUCTION_ALARM_MIN_PCT
        && b.map_mmhg >= i.limits.map_low_mmhg;
    (i.ecmo_on || i.impella_on)
        && i.rhythm != RhythmKind::Vt
        && (b.lv_peak_mmhg - b.lvedp_mmhg >= LV_CONTRACTING_MIN_MMHG || sucked_empty)
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

/// An alarm beginning (with its reading) or clearing (`raised` none), at a simulated time: the
/// event log's record, right across a jump ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmChange {
    pub t_s: f64,
    pub alarm: Alarm,
    pub raised: Option<String>,
}

/// Since when each active alarm has been on, in simulated time (a monitor's "since t = 30 s"):
/// right across a jump ahead, which a wall clock is not.
#[derive(Clone, Debug, Default)]
pub struct Onsets {
    on: Vec<(Alarm, f64)>,
}

impl Onsets {
    /// Note the alarms active at `t_s`: a new one begins now, one no longer active is forgotten
    /// (if it comes back, it begins again). Returns what changed, in the order noted.
    pub fn update(&mut self, t_s: f64, active: &[Active]) -> Vec<AlarmChange> {
        let mut changes = Vec::new();
        self.on.retain(|(a, _)| {
            let on = active.iter().any(|x| x.alarm == *a);
            if !on {
                changes.push(AlarmChange {
                    t_s,
                    alarm: *a,
                    raised: None,
                });
            }
            on
        });
        for x in active {
            if !self.on.iter().any(|(b, _)| *b == x.alarm) {
                self.on.push((x.alarm, t_s));
                changes.push(AlarmChange {
                    t_s,
                    alarm: x.alarm,
                    raised: Some(x.reading.clone()),
                });
            }
        }
        changes
    }

    /// When `alarm` began, if it is on.
    pub fn since(&self, alarm: Alarm) -> Option<f64> {
        self.on.iter().find(|(a, _)| *a == alarm).map(|&(_, t)| t)
    }
}

/// A count of beats as the monitor can vouch for it: the beat log holds
/// [`crate::monitor::BEAT_LOG_CAPACITY`] beats, so a full log reads "64+ beats" (the alarm and the
/// schematic say the same).
pub fn beats_text(n: usize) -> String {
    if n >= crate::monitor::BEAT_LOG_CAPACITY {
        format!("{}+ beats", crate::monitor::BEAT_LOG_CAPACITY)
    } else {
        format!("{n} beats")
    }
}
