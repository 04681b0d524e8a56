//! The engine: owns the circuit state and the cardiac clock, steps time at a fixed dt, applies
//! setting changes at any moment, and feeds the monitor. Pure and deterministic: no clock, no
//! threads, no I/O, no allocation in [`Engine::step`].

use crate::blood_gas::{BloodGases, GasSummary};
use crate::circulation::{
    Circuit, Connection, Modulation, N_CHAMBERS, N_CONNECTIONS, N_NODES, Node,
};
use crate::cpr::Compressions;
use crate::drugs::{Drug, Pharmacology};
use crate::error::Error;
use crate::fluids::Fluids;
use crate::lactate::Lactate;
use crate::lungs::{
    EdemaRisk, Exchange, LungWater, NORMAL_CAPILLARY_MMHG, capillary_pressure_mmhg,
};
use crate::monitor::{
    Beat, BeatMeans, IabpReadings, Monitor, SUMMARY_BEATS, Sample, spo2_lower_pct, spo2_upper_pct,
};
use crate::oxygen::{Conditions, MixingZone, OxygenTransport};
use crate::patient::Patient;
use crate::reflex::Baroreflex;
use crate::rhythm::CardiacClock;
use crate::settings;
use crate::support::{HeartEvents, Support};
use crate::units::s_from_ms;
use crate::valves::ValveState;
use serde::Serialize;

pub use crate::alarms::SUCTION_ALARM_MIN_PCT;
/// Bisection steps to find the mean filling pressure that holds the blood volume at t = 0.
const FILLING_PRESSURE_BISECTIONS: usize = 100;
/// Search bracket for that pressure.
const FILLING_PRESSURE_MAX_MMHG: f64 = 1e4;
const FILLING_PRESSURE_MIN_MMHG: f64 = -1e4;
/// The slow processes (drug kinetics, lung water, O2 transport) advance at this interval; their
/// time constants are seconds to hours.
pub const SLOW_UPDATE_S: f64 = 0.01;

/// Everything a view may want to read of the circulation after a step: pressures, flows and
/// activation at `t_s` (the start of the step), volumes at its end (`t_s + dt`).
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub t_s: f64,
    pub r_wave: bool,
    /// The synthetic ECG (lead II) at `t_s`.
    pub ecg_mv: f64,
    /// The right radial and femoral arterial lines (delayed and reshaped: `arterial_line`).
    pub p_radial_mmhg: f64,
    pub p_femoral_mmhg: f64,
    /// Chest compressions' intrathoracic pressure (0 without CPR).
    pub chest_mmhg: f64,
    /// IABP balloon gas volume and gas-line (console) pressure.
    pub iabp_balloon_ml: f64,
    pub iabp_balloon_pressure_mmhg: f64,
    pub p_mmhg: [f64; N_NODES],
    pub v_ml: [f64; N_NODES],
    pub q_ml_s: [f64; N_CONNECTIONS],
    pub activation: [f64; N_CHAMBERS],
}

/// The run summary: mean of the last [`SUMMARY_BEATS`] beats plus state. Key names are a
/// contract with external scripts (issue 2): add, never rename.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub t_s: f64,
    /// Every per-beat indicator, averaged (`hr_bpm`, `map_mmhg`, ... `cpo_w`, `lvet_ms`).
    #[serde(flatten)]
    pub beat: Beat,
    /// Share of the beats in which the aortic valve opened.
    pub av_opening_pct: f64,
    /// Pulse oximetry at the right hand and a foot: the saturations `sao2_*_pct`, read only
    /// over a pulsatile pleth (null without a pulse: VF or asystole on ECMO).
    pub spo2_upper_pct: Option<f64>,
    pub spo2_lower_pct: Option<f64>,
    /// Standard deviation of the RR intervals of the summarised beats (about 0 in a regular
    /// rhythm, large in AF).
    pub rr_sd_ms: f64,
    pub blood_volume_ml: f64,
    /// Net fluid given since t = 0 (negative: removed).
    pub fluid_given_ml: f64,
    /// The ECMO drainage inlet collapsed (suction) in the summarised beats.
    pub ecmo_chatter: bool,
    /// The Impella inlet sucked down on the LV in the summarised beats.
    pub impella_suction: bool,
    /// IABP console readings from the right radial line (null with the IABP off; the
    /// unassisted ones also at 1:1).
    #[serde(flatten)]
    pub iabp: IabpReadings,
    /// Effect-site occupancy (0-1) of each drug's principal action.
    pub dobutamine_effect: f64,
    pub milrinone_effect: f64,
    pub epinephrine_effect: f64,
    pub norepinephrine_effect: f64,
    /// Net transcapillary filtration into the lung (Starling), mean of the summarised beats.
    pub lung_filtration_ml_h: f64,
    /// Lung lymph flow back to the veins.
    pub lymph_flow_ml_h: f64,
    /// Extravascular lung water.
    pub lung_water_ml: f64,
    /// Extravascular lung water index (per kg body weight).
    pub lung_water_ml_kg: f64,
    pub edema_risk: EdemaRisk,
    /// Why, in words.
    pub edema_reason: String,
    /// Where the retrograde ECMO stream meets the native output (null without ECMO).
    pub mixing_zone: Option<MixingZone>,
    /// Blood gases, lactate and CO2 removal now (`paco2_mmhg`, `ph`, `lactate_mmol_l`, ...).
    #[serde(flatten)]
    pub gases: GasSummary,
    /// The bedside alarms active now, most urgent first (`alarms.rs`).
    pub alarms: Vec<crate::alarms::Alarm>,
    /// Beats the means were taken over.
    pub beats: usize,
}

impl Summary {
    /// Keys that may be `null` in the JSON: console readings with nothing to read, and vascular
    /// resistances with no flow through the bed. Every other key is always a finite number.
    pub fn may_be_null(key: &str) -> bool {
        key.starts_with("iabp_")
            || key.starts_with("spo2_")
            || key == "svr_dyn_s_cm5"
            || key == "pvr_dyn_s_cm5"
            || key == "mixing_zone"
            || key.starts_with("ecmo_pre_oxygenator_")
            || key.starts_with("ecmo_post_oxygenator_")
    }
}

/// The slow state (the engine's report besides its beats); lives with the monitor, which reads it.
pub use crate::monitor::Status;

#[derive(Clone, Debug)]
pub struct Engine {
    patient: Patient,
    circuit: Circuit,
    clock: CardiacClock,
    compressions: Compressions,
    /// This step's chest compression pressure.
    chest_mmhg: f64,
    monitor: Monitor,
    dt_s: f64,
    /// Time at the last change of dt; t = origin + steps * dt (exact, no accumulated rounding).
    t_origin_s: f64,
    steps: u64,
    v_ml: [f64; N_NODES],
    p_mmhg: [f64; N_NODES],
    q_state_ml_s: [f64; N_CONNECTIONS],
    valve_state: [ValveState; 4],
    q_ml_s: [f64; N_CONNECTIONS],
    /// The step that made `q_ml_s` (the O2 transport collects them one step late, after a
    /// change of dt too).
    flows_dt_s: f64,
    activation: [f64; N_CHAMBERS],
    last_r_wave: bool,
    support: Support,
    baroreflex: Option<Baroreflex>,
    reflex: Modulation,
    drugs: Modulation,
    /// Both, as applied to the circuit.
    modulation: Modulation,
    pharmacology: Pharmacology,
    lungs: LungWater,
    oxygen: OxygenTransport,
    lactate: Lactate,
    since_slow_s: f64,
    /// The heart's O2 consumption of the last beat (feeds the coronary sinus).
    mvo2_ml_min: f64,
    fluids: Fluids,
    /// What the carotid sinus reports: the mean arch pressure of the last beat (or assist
    /// cycle) plus its pulsatile bias.
    sinus_mmhg: f64,
    /// What the cardiopulmonary receptors report: the last beat's sensed atrial pressure.
    atrial_mmhg: f64,
    /// Volume added or removed since t = 0 (infusions, a changed `blood_volume_ml`).
    volume_added_ml: f64,
    /// Blood plus lung water at t = 0: conserved but for what was added.
    initial_volume_ml: f64,
    /// Forecasts only: the slow processes (lung water, lactate, drug kinetics, a running fluid
    /// order) advance this many seconds per second of circulation (`forecast`, docs/MODEL.md
    /// 7n). 1 in every engine a user runs.
    slow_boost: f64,
}

impl Engine {
    /// A new engine at t = 0: the heart at rest, every compartment at the mean filling pressure
    /// that holds `blood_volume_ml` (the state of a stopped circulation), about to beat.
    pub fn new(patient: Patient) -> Result<Self, Error> {
        settings::validate(&patient)?;
        let circuit = Circuit::new(&patient);
        let monitor = Monitor::new(circuit.chamber[Node::Lv.index()], patient.bsa_m2());
        let clock = CardiacClock::new(&patient, &circuit.activation);
        let v_ml = resting_volumes(&circuit, patient.blood_volume_ml);
        let support = Support::new(&patient);
        let lungs = LungWater::new(&patient.lungs, patient.weight_kg);
        let oxygen = OxygenTransport::new(&patient, &v_ml);
        let lactate = Lactate::new(&patient);
        let patient_reference_map = patient.reflex.reference_map_mmhg;
        let patient_reference_atrial = patient.reflex.reference_atrial_mmhg;
        let baroreflex = patient
            .reflex
            .baroreflex
            .then(|| Baroreflex::new(&patient.reflex));
        let mut e = Engine {
            dt_s: s_from_ms(patient.numerics.dt_ms),
            patient,
            circuit,
            clock,
            compressions: Compressions::default(),
            chest_mmhg: 0.0,
            monitor,
            t_origin_s: 0.0,
            steps: 0,
            v_ml,
            p_mmhg: [0.0; N_NODES],
            q_state_ml_s: [0.0; N_CONNECTIONS],
            valve_state: [ValveState::default(); 4],
            q_ml_s: [0.0; N_CONNECTIONS],
            flows_dt_s: 0.0,
            activation: [0.0; N_CHAMBERS],
            last_r_wave: false,
            support,
            sinus_mmhg: patient_reference_map,
            atrial_mmhg: patient_reference_atrial,
            baroreflex,
            reflex: Modulation::NONE,
            drugs: Modulation::NONE,
            modulation: Modulation::NONE,
            pharmacology: Pharmacology::default(),
            lungs,
            oxygen,
            lactate,
            since_slow_s: 0.0,
            mvo2_ml_min: 0.0,
            fluids: Fluids::default(),
            volume_added_ml: 0.0,
            initial_volume_ml: 0.0,
            slow_boost: 1.0,
        };
        e.initial_volume_ml = e.body_fluid_ml();
        // The rhythm's own modulation (a paced or VT heart) from the first step, with or
        // without a reflex or drugs to trigger it.
        e.remodulate();
        e.update_drugs(0.0);
        e.circuit.pressures(
            &e.activation,
            &e.v_ml,
            &e.q_state_ml_s,
            0.0,
            0.0,
            &mut e.p_mmhg,
        );
        Ok(e)
    }

    /// Advance one fixed step. Returns the beat that an R wave closed at this step, if any.
    #[inline]
    pub fn step(&mut self) -> Option<Beat> {
        let dt = self.dt_s;
        // The O2 transport collects the flows of the step before, read here rather than at its
        // end: the step's flows are then long stored (reading them back at once stalls on store
        // forwarding), and the transport runs every SLOW_UPDATE_S anyway.
        self.oxygen.carry(&self.q_ml_s, self.flows_dt_s);
        let r_wave = self.clock.take_r_wave();
        self.support.prepare(&self.circuit, &self.v_ml);
        self.activation = self
            .clock
            .activation(&self.circuit.activation, self.circuit.sides_alike);
        self.chest_mmhg = self.compressions.step(&self.patient.cpr, dt);
        self.circuit.pressures(
            &self.activation,
            &self.v_ml,
            &self.q_state_ml_s,
            self.support.balloon_ml(),
            self.chest_mmhg,
            &mut self.p_mmhg,
        );
        if let Some(reflex) = &mut self.baroreflex {
            reflex.sinus.sample(self.p_mmhg[Node::Arch.index()], dt);
        }
        if let Some(reflex) = &mut self.baroreflex
            && let Some(m) = reflex.step(self.sinus_mmhg, self.atrial_mmhg, dt)
        {
            self.reflex = m;
            self.remodulate();
        }
        self.circuit.flows(
            &self.p_mmhg,
            &mut self.q_state_ml_s,
            &mut self.valve_state,
            &mut self.q_ml_s,
        );
        self.support.flows(
            &self.p_mmhg,
            HeartEvents {
                r_wave,
                paced: self.patient.rhythm.kind.paced(),
                aortic_open: self.valve_state[Connection::Aortic.index()].open,
            },
            dt,
            &mut self.q_ml_s,
        );
        // The monitor reads the ventricles' volumes at the step's start, with its pressures.
        let (lv_ml, rv_ml) = (self.v_ml[Node::Lv.index()], self.v_ml[Node::Rv.index()]);
        if self
            .circuit
            .integrate(dt, &mut self.q_ml_s, &mut self.q_state_ml_s, &mut self.v_ml)
        {
            self.support.take_limited(&self.q_ml_s);
        }
        if self.fluids.running() {
            self.fluids.stop_at(
                self.blood_volume_ml(),
                settings::BLOOD_VOLUME_MIN_ML..=settings::BLOOD_VOLUME_MAX_ML,
            );
        }
        if self.fluids.running() {
            let (upper, lower) = (Node::UpperVeins.index(), Node::LowerVeins.index());
            let (mut u, mut l) = (self.v_ml[upper], self.v_ml[lower]);
            self.volume_added_ml += self.fluids.step(dt * self.slow_boost, &mut u, &mut l);
            self.v_ml[upper] = u;
            self.v_ml[lower] = l;
        }
        // The monitor sees the flows that actually moved blood (after any limiting).
        let beat = self.monitor.observe(&Sample {
            t_s: self.t_s(),
            dt_s: dt,
            r_wave,
            beating: self.clock.beating(),
            p_mmhg: &self.p_mmhg,
            lv_ml,
            rv_ml,
            q_ml_s: &self.q_ml_s,
            devices: self.support.readout(),
            oxygen: self.oxygen.saturations(),
        });
        self.last_r_wave = r_wave;
        if let Some(b) = &beat {
            if let Some(reflex) = &mut self.baroreflex {
                reflex.sinus.end_beat();
            }
            self.sinus_mmhg = self.reflex_input_mmhg(b);
            self.atrial_mmhg = crate::reflex::sensed_atrial_mmhg(b.cvp_mmhg, b.pcwp_mmhg);
            self.mvo2_ml_min = b.mvo2_ml_min;
        }
        self.since_slow_s += dt;
        if self.since_slow_s >= SLOW_UPDATE_S {
            let h = std::mem::take(&mut self.since_slow_s);
            self.slow_update(h);
        }
        self.flows_dt_s = dt;
        self.steps += 1;
        self.clock.advance(
            dt,
            &self.patient,
            self.modulation.heart_period,
            &self.circuit.activation,
        );
        beat
    }

    /// The slow processes, every [`SLOW_UPDATE_S`]: drug kinetics, lung water, O2 transport.
    fn slow_update(&mut self, h: f64) {
        let slow_h = h * self.slow_boost;
        self.update_drugs(slow_h);
        // A chest compression squeezes the lung's interstitium with its capillaries: the
        // pressure across the capillary wall is the vascular pressure less the chest's.
        let pc = capillary_pressure_mmhg(
            self.p_mmhg[Node::La.index()],
            self.p_mmhg[Node::PulmonaryArteries.index()],
        ) - self.chest_mmhg;
        let cap = Node::PulmonaryCapillaries.index();
        let (filtered, drained) = self.lungs.step(pc, slow_h, self.v_ml[cap]);
        // Lung lymph reaches the veins by the thoracic and right lymphatic ducts (subclavian),
        // at its own rate: in a boosted projection the part the boost adds goes back where it
        // left, or the faster clock would open a shunt from the lungs to the veins that lowers
        // the left atrial pressure (docs/MODEL.md 7n). Unboosted, all of it reaches the veins.
        let to_veins = drained / self.slow_boost;
        self.v_ml[cap] -= filtered - (drained - to_veins);
        self.v_ml[Node::UpperVeins.index()] += to_veins;
        self.oxygen.update(
            &Conditions {
                v_ml: &self.v_ml,
                lungs: &self.lungs,
                mvo2_ml_min: self.mvo2_ml_min,
                sbe_mmol_l: self.standard_base_excess(),
            },
            h,
        );
        self.lactate.step(&self.lactate_drive(), slow_h);
    }

    /// What drives lactate now: the beds' O2 deficit, the liver's perfusion and hypoxia, and
    /// the drugs' beta-2 glycolysis.
    pub fn lactate_drive(&self) -> crate::lactate::Drive {
        crate::lactate::Drive {
            o2_deficit_ml_min: self.oxygen.o2_deficit_ml_min(),
            lower_body_flow_ml_min: self.oxygen.lower_body_flow_ml_min(),
            lower_body_anaerobic: self.oxygen.anaerobic_shares()[1],
            glycolysis: self.pharmacology.glycolysis(),
        }
    }

    /// The body's standard base excess now: the set non-lactate part less the lactate above
    /// normal.
    pub fn standard_base_excess(&self) -> f64 {
        crate::acid_base::standard_base_excess(
            self.patient.metabolism.base_excess_mmol_l,
            self.lactate.mmol_l,
        )
    }

    /// Blood gases drawn now from every site (`monitor::blood_gas`).
    pub fn blood_gases(&self) -> BloodGases {
        BloodGases::draw(
            &self.oxygen,
            self.t_s(),
            self.standard_base_excess(),
            self.lactate.mmol_l,
            self.patient.ecmo.enabled,
        )
    }

    pub fn lactate(&self) -> &Lactate {
        &self.lactate
    }

    /// Advance the drug kinetics (a no-op with nothing on board) and apply their effects.
    fn update_drugs(&mut self, h: f64) {
        if !self.pharmacology.active(&self.patient.drugs) {
            if self.drugs != Modulation::NONE {
                self.drugs = Modulation::NONE;
                self.remodulate();
            }
            return;
        }
        self.pharmacology.step(&self.patient.drugs, h);
        self.drugs = self.pharmacology.modulation();
        self.remodulate();
    }

    /// Reflex, drugs and the rhythm together onto the circuit (and the monitor's view of the LV).
    fn remodulate(&mut self) {
        self.modulation = self
            .reflex
            .then(&self.drugs)
            .then(&crate::rhythm::modulation(self.patient.rhythm.kind));
        self.circuit
            .apply_modulation(&self.patient, &self.modulation);
        self.monitor.configure(
            self.circuit.chamber[Node::Lv.index()],
            self.patient.bsa_m2(),
        );
    }

    /// Forecasts: run the slow processes `boost` times faster than the circulation (at least 1;
    /// `forecast::project`). Volume, CO2 and drug ledgers then hold in the slow processes'
    /// time, not the engine's clock: a boosted engine is a projection, never shown live.
    pub(crate) fn set_slow_boost(&mut self, boost: f64) {
        self.slow_boost = boost.max(1.0);
    }

    /// Forecasts: move the body's CO2 on by what was made and removed in skipped slow time
    /// (`OxygenTransport::advance_co2`).
    pub(crate) fn advance_co2(&mut self, produced_ml: f64, exhaled_ml: f64, oxygenator_ml: f64) {
        self.oxygen
            .advance_co2(produced_ml, exhaled_ml, oxygenator_ml);
    }

    /// Run for `seconds` of simulated time.
    pub fn run_for(&mut self, seconds: f64) {
        let n = (seconds / self.dt_s).round() as u64;
        for _ in 0..n {
            self.step();
        }
    }

    /// Give `volume_ml` of fluid (negative: remove it) over `duration_s`, from now; replaces a
    /// running order.
    pub fn give_fluid(&mut self, volume_ml: f64, duration_s: f64) -> Result<(), Error> {
        // The order must leave a blood volume the patient could be set to (`blood_volume_ml`'s
        // range): a removal past it empties the veins and every pressure reads below zero.
        Fluids::check_order(volume_ml, duration_s)?;
        let range = settings::BLOOD_VOLUME_MIN_ML..=settings::BLOOD_VOLUME_MAX_ML;
        let after_ml = self.blood_volume_ml() + volume_ml;
        if !range.contains(&after_ml) {
            return Err(Error::Invalid {
                key: "fluid volume".into(),
                value: format!("{volume_ml} mL"),
                reason: format!(
                    "would leave {after_ml:.1} mL of blood, outside {:.0}-{:.0} mL",
                    range.start(),
                    range.end()
                ),
            });
        }
        self.fluids.order(volume_ml, duration_s)
    }

    /// A loading dose of `drug` (mcg/kg) now, e.g. milrinone 50 mcg/kg.
    pub fn give_bolus(&mut self, drug: Drug, mcg_kg: f64) -> Result<(), Error> {
        self.pharmacology.bolus(drug, mcg_kg)
    }

    /// Change one setting now (a dotted key as in presets). The state is kept; the new value
    /// acts from the next step (rate and timing from the next R wave).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Error> {
        let updated = settings::set(&self.patient, key, value)?;
        self.apply(updated);
        Ok(())
    }

    /// Replace every parameter at once, as that many [`Engine::set`]s would; the patient is
    /// validated first.
    pub fn set_patient(&mut self, updated: Patient) -> Result<(), Error> {
        settings::validate(&updated)?;
        self.apply(updated);
        Ok(())
    }

    /// Replace all parameters at once (already validated by the caller's path: `settings`).
    fn apply(&mut self, updated: Patient) {
        let dv = updated.blood_volume_ml - self.patient.blood_volume_ml;
        if dv != 0.0 {
            // A changed total volume is infused into (or withdrawn from) every compartment in
            // proportion to what it holds: none can be driven below empty.
            let total = self.blood_volume_ml();
            let factor = ((total + dv) / total).max(0.0);
            for v in self.v_ml.iter_mut() {
                *v *= factor;
            }
            self.volume_added_ml += self.blood_volume_ml() - total;
        }
        let dt_s = s_from_ms(updated.numerics.dt_ms);
        if dt_s != self.dt_s {
            self.t_origin_s = self.t_s();
            self.steps = 0;
            self.dt_s = dt_s;
        }
        self.circuit = Circuit::new(&updated);
        self.clock.change_rhythm(
            &updated,
            self.modulation.heart_period,
            &self.circuit.activation,
        );
        if updated.reflex != self.patient.reflex {
            self.baroreflex = updated
                .reflex
                .baroreflex
                .then(|| Baroreflex::new(&updated.reflex));
            self.reflex = Modulation::NONE;
            self.sinus_mmhg = updated.reflex.reference_map_mmhg;
            self.atrial_mmhg = updated.reflex.reference_atrial_mmhg;
        }
        self.support.configure(&updated);
        self.lungs.configure(&updated.lungs, updated.weight_kg);
        self.oxygen.configure(&updated);
        self.lactate.configure(&updated);
        self.patient = updated;
        self.remodulate();
    }

    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// Simulated time: counted in steps, so it never drifts by adding dt.
    #[inline]
    pub fn t_s(&self) -> f64 {
        self.t_origin_s + self.steps as f64 * self.dt_s
    }

    pub fn dt_s(&self) -> f64 {
        self.dt_s
    }

    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// The waveforms at the last step (pressures and flows belong to the volumes before it).
    pub fn snapshot(&self) -> Snapshot {
        let t_s = self.t_s() - self.dt_s;
        let (p_radial_mmhg, p_femoral_mmhg) = self.monitor.line_pressures_mmhg();
        let (since_r_s, rr_s, since_atrial_s) = self.clock.at_step_start(self.dt_s);
        Snapshot {
            t_s,
            r_wave: self.last_r_wave,
            ecg_mv: crate::ecg::ecg_mv(&crate::ecg::Electrical {
                kind: self.patient.rhythm.kind,
                t_s,
                since_r_s,
                rr_s,
                since_atrial_s,
            }),
            p_radial_mmhg,
            p_femoral_mmhg,
            chest_mmhg: self.chest_mmhg,
            iabp_balloon_ml: self.support.balloon_ml(),
            iabp_balloon_pressure_mmhg: self.balloon_pressure_mmhg(),
            p_mmhg: self.p_mmhg,
            v_ml: self.v_ml,
            q_ml_s: self.q_ml_s,
            activation: self.activation,
        }
    }

    /// The pressure the carotid sinus reads after this beat: its MAP plus its pulsatile bias
    /// ([`SinusPulse`]), each the beat's own or, with an IABP assisting 1:2 or 1:3, the
    /// time-weighted mean over one assist cycle. Its alternating beats would otherwise reach the
    /// rate-sensitive afferent as a beat-to-beat square wave, which the afferent's lead (gain
    /// tau_z / tau_p = 3) amplifies into a bias the sinus, which sees the whole cycle, does not
    /// have.
    fn reflex_input_mmhg(&self, newest: &Beat) -> f64 {
        let cycle = if self.patient.iabp.enabled {
            usize::from(self.patient.iabp.ratio.max(1))
        } else {
            1
        };
        let bias = self
            .baroreflex
            .as_ref()
            .map_or(0.0, |r| r.sinus.bias_mmhg(cycle));
        if cycle == 1 {
            return newest.map_mmhg + bias;
        }
        // Weighted by each beat's length: a window without beats (VF, asystole) has no rate, and
        // a period taken from its rate of 0 made the mean inf / inf (a balloon pumping 1:3 in VF).
        let beats = self.monitor.recent(cycle);
        let (sum, time) = beats.fold((0.0, 0.0), |(s, t), b| {
            (s + b.map_mmhg * b.duration_s, t + b.duration_s)
        });
        bias + if time > 0.0 {
            sum / time
        } else {
            newest.map_mmhg
        }
    }

    pub fn pressure_mmhg(&self, n: Node) -> f64 {
        self.p_mmhg[n.index()]
    }

    pub fn volume_ml(&self, n: Node) -> f64 {
        self.v_ml[n.index()]
    }

    pub fn flow_ml_s(&self, p: Connection) -> f64 {
        self.q_ml_s[p.index()]
    }

    pub fn volumes_ml(&self) -> &[f64; N_NODES] {
        &self.v_ml
    }

    /// Total blood in the circuit.
    /// Is every volume, pressure and flow of the state a finite number? (A state that is not
    /// has failed: nothing after it means anything.)
    pub fn is_finite(&self) -> bool {
        self.v_ml
            .iter()
            .chain(&self.p_mmhg)
            .chain(&self.q_state_ml_s)
            .all(|x| x.is_finite())
    }

    pub fn blood_volume_ml(&self) -> f64 {
        self.v_ml.iter().sum()
    }

    /// Blood plus extravascular lung water: what filtration and lymph only move around.
    pub fn body_fluid_ml(&self) -> f64 {
        self.blood_volume_ml() + self.lungs.water_ml()
    }

    /// Volume created or lost by the integrator (should stay at rounding level). Water filtered
    /// into the lungs has left the blood but not the body: it counts.
    pub fn volume_drift_ml(&self) -> f64 {
        self.body_fluid_ml() - self.initial_volume_ml - self.volume_added_ml
    }

    /// Time since the last R wave (the ECG's phase).
    pub fn since_r_s(&self) -> f64 {
        self.clock.since_r_s()
    }

    /// Did the last step hold an R wave?
    pub fn r_wave(&self) -> bool {
        self.last_r_wave
    }

    /// Time since the atria's activation onset (`None` when they do not beat: AF, VF,
    /// asystole); dissociated from the R waves in VVI pacing and VT.
    pub fn since_atrial_onset_s(&self) -> Option<f64> {
        self.clock.since_atrial_onset_s()
    }

    /// The current beat's RR interval (in VF or asystole the last beat's).
    pub fn rr_s(&self) -> f64 {
        self.clock.rr_s()
    }

    /// Is a heart valve open now (its own state: it closes on its flow, not on the gradient)?
    /// `valve`: one of the four valve paths (`circulation::VALVES`).
    pub fn valve_open(&self, valve: Connection) -> bool {
        self.valve_state[valve.index()].open
    }

    /// The IABP balloon's gas-line (console) pressure now.
    pub fn balloon_pressure_mmhg(&self) -> f64 {
        self.support.balloon_pressure_mmhg(&self.p_mmhg)
    }

    /// Triggers the IABP console has acted on so far (a display marks where the count steps).
    pub fn iabp_triggers(&self) -> u64 {
        self.support.iabp_triggers()
    }

    /// The IABP balloon's gas volume now.
    pub fn balloon_ml(&self) -> f64 {
        self.support.balloon_ml()
    }

    pub fn lungs(&self) -> &LungWater {
        &self.lungs
    }

    pub fn oxygen(&self) -> &OxygenTransport {
        &self.oxygen
    }

    pub fn pharmacology(&self) -> &Pharmacology {
        &self.pharmacology
    }

    /// Summary of the last [`SUMMARY_BEATS`] beats; `None` before the first beat completes.
    pub fn summary(&self) -> Option<Summary> {
        let m: BeatMeans = self.monitor.mean_of_last(SUMMARY_BEATS)?;
        let b = m.mean;
        let recent = self.monitor.recent(SUMMARY_BEATS);
        let rr_sd_ms = if b.beating {
            let n = recent.len() as f64;
            let rr = recent.clone().map(|b| b.duration_s);
            let mean = rr.clone().sum::<f64>() / n;
            crate::units::ms_from_s((rr.map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt())
        } else {
            0.0
        };
        let (exchange, risk, reason) = self.lung_report(b.pulmonary_capillary_mmhg);
        Some(Summary {
            t_s: self.t_s(),
            beat: b,
            av_opening_pct: m.av_opening_pct,
            spo2_upper_pct: spo2_upper_pct(&b),
            spo2_lower_pct: spo2_lower_pct(&b),
            rr_sd_ms,
            blood_volume_ml: self.blood_volume_ml(),
            fluid_given_ml: self.fluids.given_ml,
            ecmo_chatter: b.ecmo_collapse_pct >= SUCTION_ALARM_MIN_PCT,
            impella_suction: b.impella_suction_pct >= SUCTION_ALARM_MIN_PCT,
            iabp: if self.patient.iabp.enabled {
                IabpReadings::of(recent)
            } else {
                IabpReadings::default()
            },
            dobutamine_effect: self.pharmacology.effect(Drug::Dobutamine),
            milrinone_effect: self.pharmacology.effect(Drug::Milrinone),
            epinephrine_effect: self.pharmacology.effect(Drug::Epinephrine),
            norepinephrine_effect: self.pharmacology.effect(Drug::Norepinephrine),
            lung_filtration_ml_h: exchange.filtration_ml_h,
            lymph_flow_ml_h: exchange.lymph_ml_h,
            lung_water_ml: self.lungs.water_ml(),
            lung_water_ml_kg: self.lungs.water_ml_kg(),
            edema_risk: risk,
            edema_reason: reason,
            mixing_zone: self.mixing_zone(),
            gases: GasSummary::of(&self.blood_gases(), &self.oxygen, &self.lactate),
            alarms: self.alarms().into_iter().map(|x| x.alarm).collect(),
            beats: m.beats,
        })
    }

    /// Lung exchange at capillary pressure `pc_mmhg` (filtration is linear in Pc: at the beats'
    /// mean Pc it is their mean filtration) and the oedema grade it gives. Chest compressions
    /// squeeze the interstitium with the capillaries: their mean pressure does not filter.
    fn lung_report(&self, pc_mmhg: f64) -> (Exchange, EdemaRisk, String) {
        let pc_mmhg = pc_mmhg - crate::cpr::mean_chest_mmhg(&self.patient.cpr);
        let exchange = self.lungs.exchange(pc_mmhg);
        let (risk, reason) = EdemaRisk::grade(
            pc_mmhg,
            exchange.filtration_ml_h - exchange.lymph_ml_h,
            self.lungs.water_ml_kg(),
        );
        (exchange, risk, reason)
    }

    /// Where the ECMO stream meets the native output: none without ECMO, and none while the
    /// circuit runs backwards (no retrograde stream to meet anything).
    fn mixing_zone(&self) -> Option<MixingZone> {
        let forward = self
            .monitor
            .beats()
            .last()
            .is_none_or(|b| b.ecmo_flow_l_min > 0.0);
        (self.patient.ecmo.enabled && forward).then(|| self.oxygen.mixing_zone())
    }

    /// The slow state now (from the last beat's capillary pressure).
    /// The bedside alarms active now, most urgent first, each with its explanation (on the
    /// last beats' means; none before the first beats).
    pub fn alarms(&self) -> Vec<crate::alarms::Active> {
        let Some(means) = self.monitor.mean_of_last(crate::alarms::ALARM_BEATS) else {
            return Vec::new();
        };
        let recent: Vec<Beat> = self.monitor.beats().copied().collect();
        let p = &self.patient;
        crate::alarms::active(&crate::alarms::Inputs {
            means: &means,
            recent: &recent,
            status: &self.status(),
            ecmo_on: p.ecmo.enabled,
            impella_on: p.impella.enabled,
            ecmo_flow_target_l_min: (p.ecmo.enabled
                && p.ecmo.mode == crate::patient::EcmoMode::Flow)
                .then_some(p.ecmo.flow_target_l_min),
            rhythm: p.rhythm.kind,
            cpr: p.cpr.enabled,
            limits: &p.alarms,
        })
    }

    pub fn status(&self) -> Status {
        let pc = self
            .monitor
            .last_beat()
            .map_or(NORMAL_CAPILLARY_MMHG, |b| b.pulmonary_capillary_mmhg);
        let (exchange, edema_risk, edema_reason) = self.lung_report(pc);
        let gases = self.blood_gases();
        Status {
            drug_effects: Drug::ALL.map(|d| self.pharmacology.effect(d)),
            lung_water_ml_kg: self.lungs.water_ml_kg(),
            lung_water_gain_ml_h: exchange.filtration_ml_h - exchange.lymph_ml_h,
            edema_risk,
            edema_reason,
            mixing_zone: self.mixing_zone(),
            gases,
            lactate_rate_mmol_l_h: self.lactate.rate_mmol_l_h,
            iabp: self
                .patient
                .iabp
                .enabled
                .then(|| self.support.iabp_status()),
        }
    }
}

/// Volumes at which every compartment sits at one common pressure (relaxed chambers on their
/// EDPVR) and the total equals `total_ml`: the mean circulatory filling state.
fn resting_volumes(c: &Circuit, total_ml: f64) -> [f64; N_NODES] {
    let at = |p_mmhg: f64| -> [f64; N_NODES] {
        let mut v = [0.0; N_NODES];
        for (k, law) in c.chamber.iter().enumerate() {
            v[k] = law.edpvr_volume_ml(p_mmhg);
        }
        for (i, vi) in v.iter_mut().enumerate().skip(N_CHAMBERS) {
            *vi = c.vessel_volume_ml(i, p_mmhg);
        }
        v
    };
    let (mut lo, mut hi) = (FILLING_PRESSURE_MIN_MMHG, FILLING_PRESSURE_MAX_MMHG);
    for _ in 0..FILLING_PRESSURE_BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if at(mid).iter().sum::<f64>() < total_ml {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut v = at(0.5 * (lo + hi));
    // Put the last rounding residue where it is harmless, so the total is exact.
    let residue = total_ml - v.iter().sum::<f64>();
    v[Node::LowerVeins.index()] += residue;
    v
}

/// Every key of the run summary (what `run --json` prints, what a scenario condition or a
/// measurement may name), learnt once per process from a short run of the healthy preset.
pub fn summary_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(learn_summary_keys)
}

fn learn_summary_keys() -> Vec<String> {
    let summary = crate::presets::load("healthy")
        .ok()
        .and_then(|p| Engine::new(p).ok())
        .and_then(|mut e| {
            e.run_for(EXAMPLE_RUN_S);
            e.summary()
        });
    serde_json::to_value(summary)
        .ok()
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default()
}

/// Long enough for the first beats, whose means the summary holds.
const EXAMPLE_RUN_S: f64 = 3.0;
