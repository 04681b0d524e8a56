//! The bedside monitor: beats and per-beat indicators computed from the waveforms, as a
//! clinician measures them. A beat runs from one R wave to the next (ECG-triggered, as bedside
//! monitors and conductance-catheter analysis gate beats). The monitor only reads node pressures,
//! volumes and path flows; it never reaches into the model's internals. Definitions and sources
//! of every indicator: docs/MODEL.md, section "Indicators".

pub mod alarms;
pub mod arterial_line;
pub mod blood_gas;
mod readings;

pub use readings::*;

use crate::arterial_line::ArterialLine;
use crate::circulation::{Connection, N_CONNECTIONS, N_NODES, Node};
use crate::drugs::N_DRUGS;
use crate::heart::ChamberLaw;
use crate::iabp::ConsoleStatus;
use crate::lungs::{EdemaRisk, capillary_pressure_mmhg};
use crate::oxygen::{MixingZone, Saturations};
use crate::support::Readout;
use crate::units::{
    bpm_from_period_s, dyn_s_cm5_from_mmhg_l_min, l_min_from_ml_s, ms_from_s, watts_from_mmhg_l_min,
};
use serde::Serialize;
use std::collections::VecDeque;

/// A beat counts as "aortic valve opened" when it ejects at least this much forward volume:
/// a valve echo sees open, not the trickle a valve passes before its closing volume (1 mL)
/// flows back.
pub const AV_OPENING_MIN_FORWARD_ML: f64 = 3.0;
/// O2 cost of pressure-volume area (Suga, Physiol Rev 1990;70:247): mL O2 per mmHg*mL.
pub const MVO2_PER_PVA_ML_O2_PER_MMHG_ML: f64 = 1.8e-5;
/// Excitation-contraction coupling O2 per beat, proportional to Ees (Suga 1990): the
/// PVA-independent intercept (0.025 mL O2/beat/100 g, two thirds E-C coupling) scaled to a
/// 150 g human LV at a reference Ees of 2 mmHg/mL. See docs/MODEL.md.
pub const MVO2_ECC_ML_O2_PER_BEAT_PER_EES: f64 = 0.0125;
/// Basal (non-contractile) LV O2 consumption: one third of the intercept at 72 bpm.
pub const MVO2_BASAL_ML_O2_MIN: f64 = 0.9;
/// A diastole counts as balloon-assisted when the IABP holds at least this much gas in it.
pub const IABP_ASSISTED_MIN_ML: f64 = 5.0;
/// An LV whose pressure still falls faster than this at the R wave is still relaxing from the
/// beat before: LVEDP is read where the fall ends. Active relaxation runs at -1000 mmHg/s and
/// more; the pressure drift of a filled LV after its a wave is tens of mmHg/s.
pub const STILL_RELAXING_MMHG_S: f64 = 100.0;
/// Below this flow SVR and PVR are reported as undefined.
pub const RESISTANCE_MIN_FLOW_L_MIN: f64 = 0.1;
/// Without beats (VF, asystole) the monitor measures in windows this long.
pub const NO_BEAT_WINDOW_S: f64 = 1.0;
/// Fractions shown as percentages.
const PERCENT: f64 = 100.0;
/// How many beats the run summary averages.
pub const SUMMARY_BEATS: usize = 10;
/// Beats kept in the monitor's log (a ring: no allocation in the step loop).
pub const BEAT_LOG_CAPACITY: usize = 64;

/// What the monitor sees each step.
pub struct Sample<'a> {
    pub t_s: f64,
    pub dt_s: f64,
    /// Ventricular activation onset (the ECG R wave) at this sample.
    pub r_wave: bool,
    /// Does the rhythm make beats? Without (VF, asystole) the monitor closes 1-s windows.
    pub beating: bool,
    pub p_mmhg: &'a [f64; N_NODES],
    /// The ventricles' volumes at the sample (the only volumes the monitor reads).
    pub lv_ml: f64,
    pub rv_ml: f64,
    pub q_ml_s: &'a [f64; N_CONNECTIONS],
    /// What the device consoles show.
    pub devices: Readout,
    /// Blood O2 saturations (0-1) where the monitor samples them.
    pub oxygen: Saturations,
}

/// Declares [`Beat`]: the beat's timing and opening flag, then the averaged indicators, whose
/// field names are the JSON summary keys. One list serves the struct and its averaging.
macro_rules! beat_indicators {
    ($($(#[doc = $doc:literal])* $field:ident,)*) => {
        /// Per-beat indicators.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
        pub struct Beat {
            #[serde(skip)]
            pub t_start_s: f64,
            #[serde(skip)]
            pub duration_s: f64,
            /// Did the aortic valve open (forward volume >= [`AV_OPENING_MIN_FORWARD_ML`])?
            #[serde(skip)]
            pub av_opened: bool,
            /// A beat between R waves (false: a window of [`NO_BEAT_WINDOW_S`] without beats).
            #[serde(skip)]
            pub beating: bool,
            /// Central aortic (root) systolic peak while ejecting: an IABP console reading.
            #[serde(skip)]
            pub central_sbp_mmhg: f64,
            /// Was the IABP balloon up in this beat's diastole?
            #[serde(skip)]
            pub iabp_assisted: bool,
            /// Was the diastole before this beat's systole balloon-assisted?
            #[serde(skip)]
            pub after_assisted: bool,
            /// Lowest arch pressure before this beat's systolic peak: the end-diastolic pressure
            /// of the diastole before it (the deflation dip's floor when balloon-assisted). In a
            /// beat without ejection, the beat's lowest arch pressure.
            #[serde(skip)]
            pub central_edp_mmhg: f64,
            /// Highest arch pressure in this beat's diastole (the augmented peak when assisted).
            #[serde(skip)]
            pub diastolic_peak_mmhg: f64,
            $($(#[doc = $doc])* pub $field: f64,)*
        }

        const AVERAGED: usize = [$(stringify!($field)),*].len();
        /// The averaged indicators' names (their JSON keys), in order.
        const AVERAGED_NAMES: [&str; AVERAGED] = [$(stringify!($field)),*];

        impl Beat {
            fn averaged(&self) -> [f64; AVERAGED] {
                [$(self.$field),*]
            }

            fn with_averaged(mut self, x: [f64; AVERAGED]) -> Self {
                let [$($field),*] = x;
                $(self.$field = $field;)*
                self
            }
        }
    };
}

beat_indicators! {
    hr_bpm,
    /// Systolic, diastolic and mean pressure and pulse pressure at the right radial line.
    sbp_mmhg,
    dbp_mmhg,
    map_mmhg,
    pulse_pressure_mmhg,
    /// Central (arch) pulse pressure: the beat's highest minus its lowest arch pressure (with
    /// an IABP the augmented diastolic peak counts); what the carotid sinus feels.
    central_pulse_pressure_mmhg,
    /// Mean, systolic and diastolic pressure at the femoral line.
    map_lower_mmhg,
    sbp_lower_mmhg,
    dbp_lower_mmhg,
    cvp_mmhg,
    pap_sys_mmhg,
    pap_dia_mmhg,
    pap_mean_mmhg,
    pcwp_mmhg,
    /// LV pressure at end-diastole: at the R wave, the onset of contraction.
    lvedp_mmhg,
    /// RV pressure at the R wave.
    rvedp_mmhg,
    lvedv_ml,
    lvesv_ml,
    lv_sv_ml,
    lvef_pct,
    lv_peak_mmhg,
    rvedv_ml,
    rvesv_ml,
    native_co_l_min,
    pva_mmhg_ml,
    stroke_work_mmhg_ml,
    mvo2_ml_min,
    coronary_perfusion_mmhg,
    /// Cardiac power output of the native heart: MAP x native CO / 451.
    cpo_w,
    /// Cardiac power output with all forward flow out of the LV (native + Impella).
    cpo_total_w,
    /// Forward volume through the aortic valve this beat.
    av_forward_ml,
    /// Left ventricular ejection time: how long the aortic valve carried forward flow.
    lvet_ms,
    /// VA ECMO pump flow (drainage plus LV vent).
    ecmo_flow_l_min,
    ecmo_rpm,
    /// Pump inlet (venous line) pressure.
    ecmo_inlet_mmhg,
    /// Share of the beat during which the drainage inlet was collapsing (suction).
    ecmo_collapse_pct,
    vent_flow_l_min,
    /// LA -> RA flow through an atrial septostomy (negative: right to left).
    septostomy_flow_l_min,
    impella_flow_l_min,
    /// Share of the beat during which the Impella inlet was sucking down.
    impella_suction_pct,
    /// Net flow delivered to the systemic arteries from all sources: native + ECMO + Impella.
    total_flow_l_min,
    /// Cardiac index: native CO / BSA (Mosteller).
    ci_l_min_m2,
    /// Systemic vascular resistance, 80 (MAP - CVP) / total flow into the systemic arteries.
    svr_dyn_s_cm5,
    /// Pulmonary vascular resistance, 80 (mean PAP - PCWP) / RV output (pulmonic valve).
    pvr_dyn_s_cm5,
    /// Pulmonary capillary (filtration) pressure by Gaar: PCWP + 0.4 (mean PAP - PCWP).
    pulmonary_capillary_mmhg,
    /// Arterial O2 saturation at the right radial (arch: brain and right arm).
    sao2_upper_pct,
    /// Arterial O2 saturation at the femoral artery (descending aorta: the legs).
    sao2_lower_pct,
    /// Saturation of the blood the coronaries receive (aortic root).
    sao2_coronary_pct,
    /// Mixed venous saturation (pulmonary artery).
    svo2_pct,
}

/// The quantities summed every step for the beat's means and volumes.
#[derive(Clone, Copy)]
enum Sum {
    Radial,
    Femoral,
    Ra,
    RvP,
    Pa,
    La,
    LvP,
    LvV,
    AorticFlow,
    EcmoFlow,
    VentFlow,
    SeptostomyFlow,
    Rpm,
    Inlet,
    ImpellaFlow,
    PulmonicFlow,
    SatUpper,
    SatLower,
    SatCoronary,
    SatMixedVenous,
}
const N_SUMS: usize = Sum::SatMixedVenous as usize + 1;

/// Running sums over the beat in progress. Time integrals are kept in steps (plain sums and
/// counts) and scaled by the step length when the beat closes: the step loop then only adds.
#[derive(Clone, Copy, Debug)]
struct Accumulator {
    started: bool,
    /// A beat between R waves (false: a window without beats).
    beating: bool,
    t_start_s: f64,
    /// The step the sums count in; a changed step rescales them ([`Accumulator::restep`]).
    dt_s: f64,
    /// Steps so far (a float: rescaled with the sums).
    steps: f64,
    sums: [f64; N_SUMS],
    /// Highest and lowest central (arch) pressure of the beat.
    arch_max: f64,
    arch_min: f64,
    radial_max: f64,
    radial_min: f64,
    /// Highest radial pressure while the pulse of an ejection passes (see `systolic_max`).
    radial_systolic_max: f64,
    radial_ejected: bool,
    femoral_max: f64,
    femoral_min: f64,
    pa_max: f64,
    pa_min: f64,
    lvedp: f64,
    /// Is LVEDP still being read (the LV still relaxing after the R wave)?
    lvedp_open: bool,
    rvedp: f64,
    lv_p_max: f64,
    lv_v_max: f64,
    /// The largest LV volume before the aortic valve first opens: end-diastole. (The beat's
    /// largest can be the next beat's filling after a long RR in AF.)
    lv_v_max_filling: f64,
    lv_v_min: f64,
    rv_v_max: f64,
    rv_v_min: f64,
    /// Forward aortic flow summed over the steps it ran, and those steps.
    av_forward_sum: f64,
    ejection_steps: f64,
    stroke_work: f64,
    prev_lv_p: f64,
    prev_lv_v: f64,
    /// End-systolic point: maximal P / (V - V0) (Suga & Sagawa's definition).
    es_ratio: f64,
    es_p: f64,
    es_v: f64,
    /// Aortic-root pressure summed since the aortic valve last closed (diastole), and steps.
    diastole_root_sum: f64,
    diastole_steps: f64,
    /// Windows without beats: over every step without forward aortic flow (the relaxation
    /// phases of CPR), the root pressure and the coronary back-pressure summed, and the steps.
    relax_root_sum: f64,
    relax_back_sum: f64,
    relax_steps: f64,
    diastole_central_max: f64,
    diastole_balloon_max: f64,
    /// Lowest arch pressure since the beat began, and its value when the systolic peak was
    /// last raised: the end-diastolic pressure before the upstroke (the deepest point of a
    /// balloon's deflation dip, which may fall after the valve opens).
    central_running_min: f64,
    central_min_before_peak: f64,
    /// Highest central aortic pressure while ejecting (the systolic peak, before the notch).
    systolic_max: f64,
    ejected: bool,
    collapse_steps: f64,
    suction_steps: f64,
    last_root: f64,
}

impl Accumulator {
    fn new() -> Self {
        Self {
            started: false,
            beating: false,
            t_start_s: 0.0,
            dt_s: 0.0,
            steps: 0.0,
            sums: [0.0; N_SUMS],
            arch_max: f64::NEG_INFINITY,
            arch_min: f64::INFINITY,
            radial_max: f64::NEG_INFINITY,
            radial_min: f64::INFINITY,
            radial_systolic_max: f64::NEG_INFINITY,
            radial_ejected: false,
            femoral_max: f64::NEG_INFINITY,
            femoral_min: f64::INFINITY,
            pa_max: f64::NEG_INFINITY,
            pa_min: f64::INFINITY,
            lvedp: 0.0,
            lvedp_open: false,
            rvedp: 0.0,
            lv_p_max: f64::NEG_INFINITY,
            lv_v_max: f64::NEG_INFINITY,
            lv_v_max_filling: f64::NEG_INFINITY,
            lv_v_min: f64::INFINITY,
            rv_v_max: f64::NEG_INFINITY,
            rv_v_min: f64::INFINITY,
            av_forward_sum: 0.0,
            ejection_steps: 0.0,
            stroke_work: 0.0,
            prev_lv_p: 0.0,
            prev_lv_v: 0.0,
            es_ratio: f64::NEG_INFINITY,
            es_p: 0.0,
            es_v: 0.0,
            diastole_root_sum: 0.0,
            diastole_steps: 0.0,
            relax_root_sum: 0.0,
            relax_back_sum: 0.0,
            relax_steps: 0.0,
            diastole_central_max: f64::NEG_INFINITY,
            diastole_balloon_max: 0.0,
            central_running_min: f64::INFINITY,
            central_min_before_peak: f64::INFINITY,
            systolic_max: f64::NEG_INFINITY,
            ejected: false,
            collapse_steps: 0.0,
            suction_steps: 0.0,
            last_root: 0.0,
        }
    }

    /// The beat's length so far.
    #[inline]
    fn duration_s(&self) -> f64 {
        self.steps * self.dt_s
    }

    /// Mean of a summed quantity over the beat.
    fn mean(&self, k: Sum) -> f64 {
        self.sums[k as usize] / self.steps
    }

    /// The step changed mid-beat (a `numerics.dt_ms` setting): re-express the sums in the new
    /// step so sum x dt stays each time integral.
    #[cold]
    #[inline(never)]
    fn restep(&mut self, dt_s: f64) {
        let f = self.dt_s / dt_s;
        for x in self.sums.iter_mut().chain([
            &mut self.steps,
            &mut self.av_forward_sum,
            &mut self.ejection_steps,
            &mut self.diastole_root_sum,
            &mut self.diastole_steps,
            &mut self.relax_root_sum,
            &mut self.relax_back_sum,
            &mut self.relax_steps,
            &mut self.collapse_steps,
            &mut self.suction_steps,
        ]) {
            *x *= f;
        }
        self.dt_s = dt_s;
    }

    #[inline]
    fn add(&mut self, s: &Sample, lv_v0_ml: f64, lines: &Lines) {
        let p = s.p_mmhg;
        let lv_p = p[Node::Lv.index()];
        let lv_v = s.lv_ml;
        if !self.started {
            self.started = true;
            self.beating = s.beating;
            self.t_start_s = s.t_s;
            self.dt_s = s.dt_s;
            self.prev_lv_p = lv_p;
            self.prev_lv_v = lv_v;
            // End-diastole is the onset of contraction, the R wave, where a beat starts (with
            // aortic regurgitation the LV goes on filling after it: the loop's largest volume
            // comes later, at a higher pressure that is not the filling pressure).
            self.lvedp = lv_p;
            self.rvedp = p[Node::Rv.index()];
            self.lvedp_open = true;
        }
        if s.dt_s != self.dt_s {
            self.restep(s.dt_s);
        }
        self.steps += 1.0;
        let arch = p[Node::Arch.index()];
        let (radial, femoral) = (lines.radial.pressure_mmhg(), lines.femoral.pressure_mmhg());
        let pa = p[Node::PulmonaryArteries.index()];
        let q = s.q_ml_s;
        let q_av = q[Connection::Aortic.index()];
        let o = &s.oxygen;
        let mut x = [0.0; N_SUMS];
        x[Sum::Radial as usize] = radial;
        x[Sum::Femoral as usize] = femoral;
        x[Sum::Ra as usize] = p[Node::Ra.index()];
        x[Sum::RvP as usize] = p[Node::Rv.index()];
        x[Sum::Pa as usize] = pa;
        x[Sum::La as usize] = p[Node::La.index()];
        x[Sum::LvP as usize] = lv_p;
        x[Sum::LvV as usize] = lv_v;
        x[Sum::AorticFlow as usize] = q_av;
        x[Sum::EcmoFlow as usize] = crate::ecmo::pump_flow_ml_s(q);
        x[Sum::VentFlow as usize] = q[Connection::LvVent.index()];
        x[Sum::SeptostomyFlow as usize] = q[Connection::Septostomy.index()];
        x[Sum::Rpm as usize] = s.devices.ecmo_rpm;
        x[Sum::Inlet as usize] = s.devices.ecmo_inlet_mmhg;
        x[Sum::ImpellaFlow as usize] = q[Connection::Impella.index()];
        x[Sum::PulmonicFlow as usize] = q[Connection::Pulmonic.index()];
        x[Sum::SatUpper as usize] = o.upper;
        x[Sum::SatLower as usize] = o.lower;
        x[Sum::SatCoronary as usize] = o.coronary;
        x[Sum::SatMixedVenous as usize] = o.mixed_venous;
        for (sum, x) in self.sums.iter_mut().zip(x) {
            *sum += x;
        }
        raise(&mut self.arch_max, arch);
        lower(&mut self.arch_min, arch);
        raise(&mut self.radial_max, radial);
        lower(&mut self.radial_min, radial);
        raise(&mut self.femoral_max, femoral);
        lower(&mut self.femoral_min, femoral);
        // The radial systolic peak: while the pulse of an ejection passes the wrist.
        if lines.radial.ejecting() {
            raise(&mut self.radial_systolic_max, radial);
            self.radial_ejected = true;
        }
        raise(&mut self.pa_max, pa);
        lower(&mut self.pa_min, pa);
        raise(&mut self.lv_p_max, lv_p);
        raise(&mut self.lv_v_max, lv_v);
        if !self.ejected {
            raise(&mut self.lv_v_max_filling, lv_v);
        }
        lower(&mut self.lv_v_min, lv_v);
        let rv_v = s.rv_ml;
        raise(&mut self.rv_v_max, rv_v);
        lower(&mut self.rv_v_min, rv_v);
        // An LV still relaxing from the beat before at the R wave (fast rates, a long ectopic
        // systole) has not reached end-diastole: read LVEDP where its pressure stops falling,
        // as one reads it off the trace before the upstroke.
        if self.lvedp_open && self.steps > 1.0 {
            if self.prev_lv_p - lv_p > STILL_RELAXING_MMHG_S * s.dt_s {
                self.lvedp = lv_p;
            } else {
                self.lvedp_open = false;
            }
        }
        // External work: the PV loop's area, -closed integral of P dV (trapezoid rule).
        self.stroke_work -= 0.5 * (lv_p + self.prev_lv_p) * (lv_v - self.prev_lv_v);
        self.prev_lv_p = lv_p;
        self.prev_lv_v = lv_v;
        let excess = lv_v - lv_v0_ml;
        // ratio > es_ratio without dividing every step (excess > 0).
        if excess > 0.0 && lv_p > self.es_ratio * excess {
            let ratio = lv_p / excess;
            if ratio > self.es_ratio {
                self.es_ratio = ratio;
                self.es_p = lv_p;
                self.es_v = lv_v;
            }
        }
        // The systolic peak is the highest pressure while the ventricle ejects: before the
        // upstroke and after the notch a higher pressure is diastolic (a balloon's).
        // The IABP console's readings are central aortic: the pressure the aortic valve opens
        // against, which a balloon's deflation dip lowers most.
        let central = p[Node::AorticRoot.index()];
        if central < self.central_running_min {
            self.central_running_min = central;
        }
        if q_av > 0.0 {
            if central > self.systolic_max {
                self.systolic_max = central;
                self.central_min_before_peak = self.central_running_min;
            }
            self.ejected = true;
            self.av_forward_sum += q_av;
            self.ejection_steps += 1.0;
            self.diastole_root_sum = 0.0;
            self.diastole_steps = 0.0;
            self.diastole_central_max = f64::NEG_INFINITY;
            self.diastole_balloon_max = 0.0;
        } else {
            self.diastole_root_sum += p[Node::AorticRoot.index()];
            self.diastole_steps += 1.0;
            if !self.beating {
                self.relax_root_sum += p[Node::AorticRoot.index()];
                // Coronary flow runs against the higher of the coronary sinus (RA) and the LV
                // cavity pressure (the vascular waterfall).
                self.relax_back_sum += p[Node::Ra.index()].max(lv_p);
                self.relax_steps += 1.0;
            }
            raise(&mut self.diastole_central_max, central);
            raise(&mut self.diastole_balloon_max, s.devices.iabp_balloon_ml);
        }
        if s.devices.ecmo_collapsing {
            self.collapse_steps += 1.0;
        }
        self.last_root = p[Node::AorticRoot.index()];
        if s.devices.impella_suction {
            self.suction_steps += 1.0;
        }
    }

    /// The PV loop's last segment runs to the next beat's first sample.
    fn close_loop(&mut self, next: &Sample) {
        let (p, v) = (next.p_mmhg[Node::Lv.index()], next.lv_ml);
        self.stroke_work -= 0.5 * (p + self.prev_lv_p) * (v - self.prev_lv_v);
    }

    /// A window without beats (VF, asystole), as the issue defines it: HR 0, LVEDP and LVEDV the
    /// window's mean LV pressure and volume, the valve "open" if any blood went forward.
    fn finish_window(&self, lv: &ChamberLaw, bsa_m2: f64) -> Beat {
        let mut b = self.finish(lv, bsa_m2);
        b.hr_bpm = 0.0;
        b.beating = false;
        b.lvedp_mmhg = self.mean(Sum::LvP);
        b.rvedp_mmhg = self.mean(Sum::RvP);
        b.lvedv_ml = self.mean(Sum::LvV);
        b.av_opened = self.av_forward_sum > 0.0;
        // Aortic minus right-atrial (or LV, if higher) pressure in the relaxation phases, as
        // measured in arrest (Paradis et al., JAMA 1990;263:1106): over the whole window, so
        // its value does not depend on where the window falls among compressions.
        b.coronary_perfusion_mmhg = if self.relax_steps > 0.0 {
            (self.relax_root_sum - self.relax_back_sum) / self.relax_steps
        } else {
            self.last_root - self.mean(Sum::Ra).max(b.lvedp_mmhg)
        };
        b
    }

    /// Mean aortic-root pressure in diastole. A beat that ejects up to the next R wave has no
    /// diastole: its last root pressure.
    fn diastolic_root_mmhg(&self) -> f64 {
        if self.diastole_steps > 0.0 {
            self.diastole_root_sum / self.diastole_steps
        } else {
            self.last_root
        }
    }

    fn finish(&self, lv: &ChamberLaw, bsa_m2: f64) -> Beat {
        let d = self.duration_s();
        let hr = bpm_from_period_s(d);
        let map = self.mean(Sum::Radial);
        let native_co = l_min_from_ml_s(self.mean(Sum::AorticFlow));
        let av_forward_ml = self.av_forward_sum * self.dt_s;
        // End-diastolic volume: the largest before ejection (a beat that never ejects: its
        // largest).
        let edv = if self.ejected {
            self.lv_v_max_filling
        } else {
            self.lv_v_max
        };
        let sv = edv - self.lv_v_min;
        // Potential energy: the area between ESPVR and EDPVR left of the end-systolic point
        // (Suga, Am J Physiol 1979;236:H498), with the model's own V0 and EDPVR.
        let es_excess = (self.es_v - lv.v0_ml).max(0.0);
        let pe = (0.5 * self.es_p * es_excess - lv.edpvr_integral_mmhg_ml(self.es_v)).max(0.0);
        let sw = self.stroke_work;
        let pva = sw.max(0.0) + pe;
        let mvo2_beat = MVO2_PER_PVA_ML_O2_PER_MMHG_ML * pva
            + MVO2_ECC_ML_O2_PER_BEAT_PER_EES * lv.ees_mmhg_per_ml;
        let diastolic_root = self.diastolic_root_mmhg();
        let impella = l_min_from_ml_s(self.mean(Sum::ImpellaFlow));
        let total_flow = native_co + l_min_from_ml_s(self.mean(Sum::EcmoFlow)) + impella;
        let sbp = if self.radial_ejected {
            self.radial_systolic_max
        } else {
            self.radial_max
        };
        let (cvp, pap_mean, pcwp) = (self.mean(Sum::Ra), self.mean(Sum::Pa), self.mean(Sum::La));
        Beat {
            t_start_s: self.t_start_s,
            duration_s: d,
            hr_bpm: hr,
            beating: true,
            sbp_mmhg: sbp,
            dbp_mmhg: self.radial_min,
            map_mmhg: map,
            pulse_pressure_mmhg: sbp - self.radial_min,
            central_pulse_pressure_mmhg: self.arch_max - self.arch_min,
            central_sbp_mmhg: self.systolic_max,
            map_lower_mmhg: self.mean(Sum::Femoral),
            sbp_lower_mmhg: self.femoral_max,
            dbp_lower_mmhg: self.femoral_min,
            cvp_mmhg: cvp,
            pap_sys_mmhg: self.pa_max,
            pap_dia_mmhg: self.pa_min,
            pap_mean_mmhg: pap_mean,
            pcwp_mmhg: pcwp,
            lvedp_mmhg: self.lvedp,
            rvedp_mmhg: self.rvedp,
            lvedv_ml: edv,
            lvesv_ml: self.lv_v_min,
            lv_sv_ml: sv,
            // An LV sucked empty (a vent or pump at the extremes) has no ejection fraction to show.
            lvef_pct: if edv > 0.0 { 100.0 * sv / edv } else { 0.0 },
            lv_peak_mmhg: self.lv_p_max,
            rvedv_ml: self.rv_v_max,
            rvesv_ml: self.rv_v_min,
            native_co_l_min: native_co,
            av_forward_ml,
            lvet_ms: ms_from_s(self.ejection_steps * self.dt_s),
            av_opened: av_forward_ml >= AV_OPENING_MIN_FORWARD_ML,
            iabp_assisted: self.diastole_balloon_max >= IABP_ASSISTED_MIN_ML,
            after_assisted: false,
            central_edp_mmhg: if self.ejected {
                self.central_min_before_peak
            } else {
                self.central_running_min
            },
            diastolic_peak_mmhg: self.diastole_central_max,
            pva_mmhg_ml: pva,
            stroke_work_mmhg_ml: sw,
            mvo2_ml_min: mvo2_beat * hr + MVO2_BASAL_ML_O2_MIN,
            coronary_perfusion_mmhg: diastolic_root - self.lvedp,
            cpo_w: watts_from_mmhg_l_min(map, native_co),
            cpo_total_w: watts_from_mmhg_l_min(map, native_co + impella),
            ecmo_flow_l_min: l_min_from_ml_s(self.mean(Sum::EcmoFlow)),
            ecmo_rpm: self.mean(Sum::Rpm),
            ecmo_inlet_mmhg: self.mean(Sum::Inlet),
            ecmo_collapse_pct: PERCENT * self.collapse_steps / self.steps,
            vent_flow_l_min: l_min_from_ml_s(self.mean(Sum::VentFlow)),
            septostomy_flow_l_min: l_min_from_ml_s(self.mean(Sum::SeptostomyFlow)),
            impella_flow_l_min: l_min_from_ml_s(self.mean(Sum::ImpellaFlow)),
            impella_suction_pct: PERCENT * self.suction_steps / self.steps,
            total_flow_l_min: total_flow,
            ci_l_min_m2: native_co / bsa_m2,
            svr_dyn_s_cm5: resistance_or_nan(map - cvp, total_flow),
            pvr_dyn_s_cm5: resistance_or_nan(
                pap_mean - pcwp,
                l_min_from_ml_s(self.mean(Sum::PulmonicFlow)),
            ),
            pulmonary_capillary_mmhg: capillary_pressure_mmhg(pcwp, pap_mean),
            sao2_upper_pct: PERCENT * self.mean(Sum::SatUpper),
            sao2_lower_pct: PERCENT * self.mean(Sum::SatLower),
            sao2_coronary_pct: PERCENT * self.mean(Sum::SatCoronary),
            svo2_pct: PERCENT * self.mean(Sum::SatMixedVenous),
        }
    }
}

/// A vascular resistance, undefined (NaN, `null` in JSON) when almost nothing flows through
/// the bed (a silent right ventricle, a circuit running backward).
fn resistance_or_nan(dp_mmhg: f64, flow_l_min: f64) -> f64 {
    if flow_l_min > RESISTANCE_MIN_FLOW_L_MIN {
        dyn_s_cm5_from_mmhg_l_min(dp_mmhg, flow_l_min)
    } else {
        f64::NAN
    }
}

/// Raise a running maximum to `x` if `x` is larger: one compare, and a store only on a new
/// maximum (`units::at_least` assigned back stores every step: 16 more instructions a step,
/// measured). A NaN sample never compares larger, so it is ignored, as `f64::max` ignores it.
#[inline]
fn raise(running: &mut f64, x: f64) {
    if x > *running {
        *running = x;
    }
}

/// Lower a running minimum to `x` if `x` is smaller (see [`raise`]).
#[inline]
fn lower(running: &mut f64, x: f64) {
    if x < *running {
        *running = x;
    }
}

/// The peripheral arterial lines the monitor records.
#[derive(Clone, Debug)]
struct Lines {
    /// Right radial (from the arch: brain and right arm).
    radial: ArterialLine,
    /// Femoral (from the descending aorta: the legs).
    femoral: ArterialLine,
}

/// Beat detection and the log of recent beats.
#[derive(Clone, Debug)]
pub struct Monitor {
    acc: Accumulator,
    lines: Lines,
    beats: VecDeque<Beat>,
    lv: ChamberLaw,
    bsa_m2: f64,
    beats_total: u64,
}

impl Monitor {
    /// `lv`: the LV law for the end-systolic point, potential energy and MVO2; `bsa_m2`: the
    /// body surface area for the cardiac index.
    pub fn new(lv: ChamberLaw, bsa_m2: f64) -> Self {
        Self {
            acc: Accumulator::new(),
            lines: Lines {
                radial: ArterialLine::radial(),
                femoral: ArterialLine::femoral(),
            },
            beats: VecDeque::with_capacity(BEAT_LOG_CAPACITY),
            lv,
            bsa_m2,
            beats_total: 0,
        }
    }

    /// Take up a changed LV law (contractility, stiffness) or body size.
    pub fn configure(&mut self, lv: ChamberLaw, bsa_m2: f64) {
        self.lv = lv;
        self.bsa_m2 = bsa_m2;
    }

    /// Feed one sample; at an R wave the beat in progress is closed and returned.
    #[inline]
    pub fn observe(&mut self, s: &Sample) -> Option<Beat> {
        let mut done = None;
        let window_full = !s.beating && self.acc.duration_s() >= NO_BEAT_WINDOW_S - 1e-9;
        let changed = s.beating != self.acc.beating;
        if changed && self.acc.beating && self.acc.started {
            // The heart stopped mid-beat: that beat never completes and is dropped, so neither
            // a partial beat nor its ejection shows in the arrest's windows.
            self.acc = Accumulator::new();
        } else if (s.r_wave || window_full || changed) && self.acc.started {
            done = Some(self.close_beat(s));
        }
        let ejecting = s.q_ml_s[Connection::Aortic.index()] > 0.0;
        self.lines
            .radial
            .step(s.p_mmhg[Node::Arch.index()], ejecting, s.dt_s);
        self.lines
            .femoral
            .step(s.p_mmhg[Node::Descending.index()], ejecting, s.dt_s);
        self.acc.add(s, self.lv.v0_ml, &self.lines);
        done
    }

    /// The right radial and femoral lines' pressures now.
    pub fn line_pressures_mmhg(&self) -> (f64, f64) {
        (
            self.lines.radial.pressure_mmhg(),
            self.lines.femoral.pressure_mmhg(),
        )
    }

    /// Close the beat in progress (once a beat, out of the per-step path).
    #[inline(never)]
    fn close_beat(&mut self, s: &Sample) -> Beat {
        self.acc.close_loop(s);
        let mut beat = if self.acc.beating {
            self.acc.finish(&self.lv, self.bsa_m2)
        } else {
            self.acc.finish_window(&self.lv, self.bsa_m2)
        };
        beat.after_assisted = self.beats.back().is_some_and(|b| b.iabp_assisted);
        if self.beats.len() == BEAT_LOG_CAPACITY {
            self.beats.pop_front();
        }
        self.beats.push_back(beat);
        self.beats_total += 1;
        self.acc = Accumulator::new();
        beat
    }

    /// Completed beats, oldest first (at most [`BEAT_LOG_CAPACITY`]).
    pub fn beats(&self) -> impl DoubleEndedIterator<Item = &Beat> + ExactSizeIterator {
        self.beats.iter()
    }

    pub fn last_beat(&self) -> Option<&Beat> {
        self.beats.back()
    }

    pub fn beats_total(&self) -> u64 {
        self.beats_total
    }

    /// Mean of the last `n` beats (`av_opened` becomes the share of beats that opened, in %).
    /// Only the latest run of beats counts, or of windows without beats: once the heart stops
    /// no beat from before shows in the means (nor an arrest window once it beats again).
    pub fn mean_of_last(&self, n: usize) -> Option<BeatMeans> {
        latest_means(&self.beats, n)
    }

    /// The last `n` or fewer beats of the latest run of the same kind (beats or windows),
    /// oldest first.
    pub fn recent(&self, n: usize) -> impl ExactSizeIterator<Item = &Beat> + Clone {
        let run = latest_run(self.beats.iter(), n);
        self.beats.range(self.beats.len() - run..)
    }
}

/// The slow state a view shows besides the beats: drugs on board, lung water, mixing zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// `<drug>_effect` in [`crate::drugs::Drug::ALL`] order.
    pub drug_effects: [f64; N_DRUGS],
    pub lung_water_ml_kg: f64,
    /// Filtration minus lymph: the lung water's trend.
    pub lung_water_gain_ml_h: f64,
    pub edema_risk: EdemaRisk,
    pub edema_reason: String,
    pub mixing_zone: Option<MixingZone>,
    /// Blood gases from every site, as they would read if drawn now.
    pub gases: crate::blood_gas::BloodGases,
    /// Blood lactate's change per hour (the samples hold its level).
    pub lactate_rate_mmol_l_h: f64,
    /// The IABP console's state (its alarms), with the IABP on.
    pub iabp: Option<ConsoleStatus>,
}
