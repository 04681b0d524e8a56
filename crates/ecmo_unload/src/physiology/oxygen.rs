//! Gases carried with the blood: O2 saturation (and the little O2 dissolved) and CO2 content in
//! every compartment, loaded and unloaded in the native lungs, the ECMO oxygenator and the
//! beds, moved by the flows the circuit computes. A tracer marks blood that came out of the
//! ECMO return cannula, so the mixing zone (where the retrograde ECMO stream meets the native
//! LV output) follows from the flows in the aortic segments: nothing is set by hand.
//!
//! Transport is upwind mass balance over the flow volumes of a short interval: for node i and
//! carried quantity X (saturation, dissolved O2, CO2 content, tracer),
//!   V' X'_i = V X_i + sum_in (moved_j X_carried_j) - sum_out (moved_j X_i) + sources_i dt,
//! with V' the volume after the path flows. The beds' O2 use and CO2 production follow their
//! demand less what their hypoxic units cannot use (`lactate::anaerobic_share`). CO2's laws:
//! `carbon_dioxide.rs`. Equations and sources: docs/MODEL.md sections 7g and 7l.

use crate::carbon_dioxide::{self as co2, Stores};
use crate::circulation::{Connection, N_CONNECTIONS, N_NODES, Node};
use crate::lungs::LungWater;
/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::Oxygen;
use crate::units::{at_least, within};
use serde::Serialize;

impl Default for Oxygen {
    fn default() -> Self {
        Self {
            hemoglobin_g_dl: 13.0,
            vo2_ml_kg_min: BODY_VO2_ML_KG_MIN,
        }
    }
}

impl Default for crate::patient::Metabolism {
    fn default() -> Self {
        Self {
            upper_body_rate_factor: 1.0,
            lower_body_rate_factor: 1.0,
            respiratory_quotient: RESTING_RQ,
            lactate_clearance_ml_kg_min: crate::lactate::NORMAL_CLEARANCE_ML_KG_MIN,
            initial_lactate_mmol_l: START_LACTATE_MMOL_L,
            base_excess_mmol_l: 0.0,
        }
    }
}

/// Blood lactate a run starts with (about the healthy steady state, 1.18 mmol/L).
pub const START_LACTATE_MMOL_L: f64 = 1.2;

/// Seconds per minute (consumption is quoted per minute).
const S_PER_MIN: f64 = 60.0;
/// Hufner's factor as used clinically: mL O2 bound per g haemoglobin.
pub const HUFNER_ML_O2_PER_G: f64 = 1.34;
/// Resting whole-body VO2 3.5 mL/kg/min (1 MET) less the heart's 7 % (OpenStax organ table).
pub const BODY_VO2_ML_KG_MIN: f64 = 3.25;
/// Share of the body's VO2 drawn from the upper-body bed (brain 19 %, arms, upper trunk);
/// the rest (liver, gut, kidneys, legs) from the lower body.
pub const UPPER_BODY_VO2_SHARE: f64 = 0.35;
/// Respiratory quotient of a mixed diet (West).
pub const RESTING_RQ: f64 = 0.8;
/// Oxygenator O2 transfer rises with sweep gas flow: 1 - exp(-sweep / scale). Above about
/// 1 L/min sweep the membrane saturates the blood fully (sweep then sets CO2 removal).
pub const OXYGENATOR_SWEEP_SCALE_L_MIN: f64 = 0.25;
/// Share of the gap between the sweep gas's PO2 and the inlet blood's that a whole membrane
/// closes (**M**: 0.7 puts post-oxygenator PO2 near 500 mmHg at FdO2 1.0, the working
/// membrane's usual 400-500; below 200 suggests failure).
pub const MEMBRANE_O2_EFFECTIVENESS: f64 = 0.7;
/// Starting saturations: arterial and mixed venous of a resting adult.
pub const START_ARTERIAL: f64 = 0.97;
pub const START_VENOUS: f64 = 0.72;
/// ECMO-derived blood fraction at which a segment counts as reached by the ECMO stream.
pub const MIXING_FRACTION: f64 = 0.5;
/// Time constant of the running mean of the beds' and the oxygenator's flows that their
/// exchange laws read (a beat's pulsatility averaged out; the processes they drive take minutes).
pub const FLOW_AVERAGING_S: f64 = 5.0;

/// Severinghaus (J Appl Physiol 1979;46:599): saturation from PO2.
pub fn saturation_from_po2(po2_mmhg: f64) -> f64 {
    let p = po2_mmhg.max(0.0);
    if p == 0.0 {
        return 0.0;
    }
    1.0 / (23_400.0 / (p * p * p + 150.0 * p) + 1.0)
}

/// Alveolar PO2 breathing `fio2` at alveolar PCO2 `paco2_mmhg` (alveolar gas equation): the
/// steady state of the alveolar O2 balance the transport runs, and where a run starts.
pub fn alveolar_po2_mmhg(fio2: f64, paco2_mmhg: f64, rq: f64) -> f64 {
    at_least(fio2 * co2::DRY_GAS_MMHG - paco2_mmhg / rq, 0.0)
}

/// Where the ECMO stream meets the native output. Serialised in snake_case like every enum;
/// the kebab-case spelling it once had (`aortic-root`) is still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixingZone {
    #[serde(alias = "aortic-root")]
    AorticRoot,
    Arch,
    Descending,
}

impl MixingZone {
    /// As a clinician names the place.
    pub fn label(self) -> &'static str {
        match self {
            MixingZone::AorticRoot => "aortic root",
            MixingZone::Arch => "arch",
            MixingZone::Descending => "descending aorta",
        }
    }
}

/// The two systemic beds, in the order of [`Stores::tissue_mmhg`].
const BEDS: [(Connection, Node, Node); 2] = [
    (Connection::UpperBody, Node::Arch, Node::UpperVeins),
    (Connection::LowerBody, Node::Descending, Node::LowerVeins),
];

/// The running gases.
#[derive(Clone, Debug)]
pub struct OxygenTransport {
    /// Saturation 0-1 per node.
    sat: [f64; N_NODES],
    /// Dissolved O2, mL per mL (for partial pressures; the beds draw on the bound O2).
    dissolved: [f64; N_NODES],
    /// CO2 content, mL per mL, on the linear curve of `carbon_dioxide` (an offset state).
    co2: [f64; N_NODES],
    /// Fraction of the blood that came from the ECMO return since it last left a capillary bed.
    ecmo: [f64; N_NODES],
    /// Volume moved by each path since the last update (signed, mL).
    moved_ml: [f64; N_CONNECTIONS],
    /// Node volumes at the last update.
    last_v_ml: [f64; N_NODES],
    capacity_ml_o2_per_ml: f64,
    /// The beds' O2 demand (mL/min), upper and lower.
    demand_ml_min: [f64; 2],
    rq: f64,
    fio2: f64,
    /// Native lungs: alveolar PO2 (a state: ventilation brings O2 in, the capillary blood takes
    /// it up), end-capillary saturation and their own shunt.
    alveolar_po2_mmhg: f64,
    alveolar: f64,
    shunt: f64,
    alveolar_ventilation_ml_s: f64,
    /// Oxygenator: sweep, O2 fraction, O2 transfer share, membrane function.
    sweep_l_min: f64,
    fdo2: f64,
    oxygenator_transfer: f64,
    membrane_function: f64,
    /// Running means (mL/min): the beds' flows, the oxygenator's, and its inlet blood's share
    /// from the LV (a vent) against the RA.
    bed_flow_ml_min: [f64; 2],
    oxygenator_flow_ml_min: f64,
    vent_share: f64,
    /// The beds' anaerobic shares (0-1) at the last update.
    anaerobic: [f64; 2],
    /// The body's standard base excess at the last update (sets CO2 content against PCO2).
    sbe_mmol_l: f64,
    stores: Stores,
    /// CO2 in the blood and the stores at t = 0 (mL), and what volume changed outside the paths
    /// (fluids, lung water, the transport's one-step lag) carried in or out since (with what
    /// holding a content to the curve's span changed: nothing outside the extremes).
    initial_co2_ml: f64,
    co2_with_volume_ml: f64,
}

/// Inputs of one update besides the flows.
pub struct Conditions<'a> {
    pub v_ml: &'a [f64; N_NODES],
    pub lungs: &'a LungWater,
    pub mvo2_ml_min: f64,
    /// Standard base excess of the body now (`acid_base::standard_base_excess`).
    pub sbe_mmol_l: f64,
}

impl OxygenTransport {
    pub fn new(p: &crate::patient::Patient, v_ml: &[f64; N_NODES]) -> Self {
        use Node::*;
        let arterial = [
            PulmonaryVeins,
            La,
            Lv,
            AorticRoot,
            Arch,
            ThoracicAorta,
            Descending,
        ];
        let sbe = crate::acid_base::standard_base_excess(
            p.metabolism.base_excess_mmol_l,
            p.metabolism.initial_lactate_mmol_l,
        );
        let mut sat = [START_VENOUS; N_NODES];
        let mut co2 = [co2::content_from_pco2(co2::START_VENOUS_MMHG, sbe); N_NODES];
        for n in arterial {
            sat[n.index()] = START_ARTERIAL;
            co2[n.index()] = co2::content_from_pco2(co2::START_ARTERIAL_MMHG, sbe);
        }
        let mut t = OxygenTransport {
            sat,
            dissolved: [0.0; N_NODES],
            co2,
            ecmo: [0.0; N_NODES],
            moved_ml: [0.0; N_CONNECTIONS],
            last_v_ml: *v_ml,
            capacity_ml_o2_per_ml: 0.0,
            demand_ml_min: [0.0; 2],
            rq: RESTING_RQ,
            fio2: 0.21,
            alveolar_po2_mmhg: 0.0,
            alveolar: 1.0,
            shunt: 0.0,
            alveolar_ventilation_ml_s: 0.0,
            sweep_l_min: 0.0,
            fdo2: 1.0,
            oxygenator_transfer: 0.0,
            membrane_function: 1.0,
            bed_flow_ml_min: [0.0; 2],
            oxygenator_flow_ml_min: 0.0,
            vent_share: 0.0,
            anaerobic: [0.0; 2],
            sbe_mmol_l: sbe,
            stores: Stores::new(p.weight_kg, UPPER_BODY_VO2_SHARE),
            initial_co2_ml: 0.0,
            co2_with_volume_ml: 0.0,
        };
        t.initial_co2_ml = t.blood_co2_ml() + t.stores.held_ml();
        t.configure(p);
        t.alveolar_po2_mmhg = alveolar_po2_mmhg(t.fio2, t.stores.alveolar_mmhg, t.rq);
        t.alveolar = saturation_from_po2(t.alveolar_po2_mmhg);
        t
    }

    pub fn configure(&mut self, p: &crate::patient::Patient) {
        self.capacity_ml_o2_per_ml = HUFNER_ML_O2_PER_G * p.oxygen.hemoglobin_g_dl / 100.0;
        let body = p.oxygen.vo2_ml_kg_min * p.weight_kg;
        let m = &p.metabolism;
        self.demand_ml_min = [
            UPPER_BODY_VO2_SHARE * body * m.upper_body_rate_factor,
            (1.0 - UPPER_BODY_VO2_SHARE) * body * m.lower_body_rate_factor,
        ];
        self.rq = m.respiratory_quotient;
        self.fio2 = p.lungs.fio2;
        self.shunt = p.lungs.shunt_fraction;
        self.alveolar_ventilation_ml_s = co2::alveolar_ventilation_ml_s(
            p.lungs.minute_ventilation_l_min,
            p.lungs.dead_space_fraction,
        );
        self.sweep_l_min = p.ecmo.sweep_l_min;
        self.fdo2 = p.ecmo.fdo2;
        self.membrane_function = p.ecmo.membrane_function;
        self.oxygenator_transfer = self.membrane_function
            * (1.0 - (-p.ecmo.sweep_l_min / OXYGENATOR_SWEEP_SCALE_L_MIN).exp());
    }

    /// Collect one step's flows (cheap; the transport runs at [`OxygenTransport::update`]).
    #[inline]
    pub fn carry(&mut self, q_ml_s: &[f64; N_CONNECTIONS], dt_s: f64) {
        for (m, q) in self.moved_ml.iter_mut().zip(q_ml_s) {
            *m += q * dt_s;
        }
    }

    /// Move the collected volumes' gases and tracer, then exchange and consume for `dt_s`.
    pub fn update(&mut self, c: &Conditions, dt_s: f64) {
        if dt_s <= 0.0 {
            return;
        }
        self.sbe_mmol_l = c.sbe_mmol_l;
        let sbe = c.sbe_mmol_l;
        self.average_flows(dt_s);
        let shunt = 1.0 - (1.0 - self.shunt) * (1.0 - c.lungs.oedema_shunt());
        let pao2 = self.alveolar_po2_mmhg;
        self.alveolar = saturation_from_po2(pao2);
        let end_capillary_co2 = co2::content_from_pco2(self.stores.alveolar_mmhg, sbe);
        let end_capillary_dissolved = crate::acid_base::O2_SOLUBILITY_ML_ML_MMHG * pao2;
        let tissue_co2 = self
            .stores
            .tissue_mmhg
            .map(|p| co2::content_from_pco2(p, sbe));
        let co2_kept = self.oxygenator_co2_kept();
        let (mut to_alveoli_ml, mut to_membrane_ml, mut to_tissue_ml) = (0.0, 0.0, [0.0; 2]);
        let mut o2_uptake_ml = 0.0;
        let cap = self.capacity_ml_o2_per_ml;
        let mut o2 = [0.0; N_NODES];
        let mut dissolved = [0.0; N_NODES];
        let mut carbon = [0.0; N_NODES];
        let mut tracer = [0.0; N_NODES];
        let mut v = [0.0; N_NODES];
        for i in 0..N_NODES {
            let v0 = at_least(self.last_v_ml[i], 0.0);
            o2[i] = self.sat[i] * v0;
            dissolved[i] = self.dissolved[i] * v0;
            carbon[i] = self.co2[i] * v0;
            tracer[i] = self.ecmo[i] * v0;
            v[i] = v0;
        }
        for path in Connection::ALL {
            let j = path.index();
            let m = self.moved_ml[j];
            if m == 0.0 {
                continue;
            }
            let (from, to) = path.ends();
            let (src, dst) = if m > 0.0 { (from, to) } else { (to, from) };
            let (s, d) = (src.index(), dst.index());
            let vol = m.abs();
            let (mut s_c, mut d_c, mut c_c, mut f_c) =
                (self.sat[s], self.dissolved[s], self.co2[s], self.ecmo[s]);
            if m > 0.0 {
                match path {
                    Connection::PulmonaryCapillary => {
                        o2_uptake_ml += vol
                            * (1.0 - shunt)
                            * (cap * (self.alveolar - self.sat[s]) + end_capillary_dissolved
                                - self.dissolved[s]);
                        s_c = shunt * s_c + (1.0 - shunt) * self.alveolar;
                        d_c = shunt * d_c + (1.0 - shunt) * end_capillary_dissolved;
                        c_c = shunt * c_c + (1.0 - shunt) * end_capillary_co2;
                        to_alveoli_ml += vol * (self.co2[s] - c_c);
                        f_c = 0.0;
                    }
                    Connection::EcmoDrainage | Connection::LvVent => {
                        let p_out = self.oxygenator_po2_mmhg(s_c);
                        s_c = saturation_from_po2(p_out);
                        d_c = crate::acid_base::O2_SOLUBILITY_ML_ML_MMHG * p_out;
                        c_c = co2::content_from_pco2(
                            co2::pco2_from_content(c_c, sbe) * co2_kept,
                            sbe,
                        );
                        to_membrane_ml += vol * (self.co2[s] - c_c);
                        f_c = 1.0;
                    }
                    Connection::UpperBody | Connection::LowerBody => {
                        let bed = usize::from(*path == Connection::LowerBody);
                        c_c = tissue_co2[bed];
                        to_tissue_ml[bed] += vol * (self.co2[s] - c_c);
                        d_c = 0.0;
                        f_c = 0.0;
                    }
                    Connection::Coronary => {
                        d_c = 0.0;
                        f_c = 0.0;
                    }
                    _ => {}
                }
            }
            o2[s] -= vol * self.sat[s];
            dissolved[s] -= vol * self.dissolved[s];
            carbon[s] -= vol * self.co2[s];
            tracer[s] -= vol * self.ecmo[s];
            v[s] -= vol;
            o2[d] += vol * s_c;
            dissolved[d] += vol * d_c;
            carbon[d] += vol * c_c;
            tracer[d] += vol * f_c;
            v[d] += vol;
        }
        // Consumption where the beds drain: the body's veins, and the coronary sinus (RA). A
        // bed's hypoxic units use no O2 and make no CO2 (their glycolysis makes lactate).
        let minutes = dt_s / S_PER_MIN;
        let mut produced_ml = 0.0;
        for (bed, &(_, artery, vein)) in BEDS.iter().enumerate() {
            let do2 = self.bed_flow_ml_min[bed] * cap * self.sat[artery.index()];
            self.anaerobic[bed] = crate::lactate::anaerobic_share(do2, self.demand_ml_min[bed]);
            let used_ml = self.demand_ml_min[bed] * (1.0 - self.anaerobic[bed]) * minutes;
            o2[vein.index()] -= used_ml / cap;
            let made_ml = self.rq * used_ml;
            self.stores.add_to_tissue(bed, made_ml + to_tissue_ml[bed]);
            produced_ml += made_ml;
        }
        let heart_ml = c.mvo2_ml_min.max(0.0) * minutes;
        o2[Node::Ra.index()] -= heart_ml / cap;
        carbon[Node::Ra.index()] += self.rq * heart_ml;
        produced_ml += self.rq * heart_ml;
        let max_dissolved = crate::acid_base::O2_SOLUBILITY_ML_ML_MMHG * co2::DRY_GAS_MMHG;
        let co2_span = (
            co2::content_from_pco2(0.0, sbe),
            co2::content_from_pco2(co2::MAX_PCO2_MMHG, sbe),
        );
        for i in 0..N_NODES {
            // A compartment that (nearly) emptied keeps its last contents.
            if v[i] > f64::EPSILON {
                let per_ml = 1.0 / v[i];
                self.sat[i] = within(o2[i] * per_ml, 0.0, 1.0);
                self.dissolved[i] = within(dissolved[i] * per_ml, 0.0, max_dissolved);
                // The linear curve's content is an offset state (below zero in a severe
                // metabolic acidosis at a low PCO2); held to the curve's physical span, which
                // only a compartment all but emptied in one interval reaches.
                self.co2[i] = within(carbon[i] * per_ml, co2_span.0, co2_span.1);
                self.ecmo[i] = within(tracer[i] * per_ml, 0.0, 1.0);
            }
            // What the volume changed outside the paths took or brought (and the span's hold).
            self.co2_with_volume_ml += self.co2[i] * at_least(c.v_ml[i], 0.0) - carbon[i];
        }
        self.stores
            .ventilate(to_alveoli_ml, self.alveolar_ventilation_ml_s, dt_s);
        self.alveolar_po2_mmhg = co2::alveolar_exchange_mmhg(
            self.alveolar_po2_mmhg,
            -o2_uptake_ml,
            self.fio2 * co2::DRY_GAS_MMHG,
            self.alveolar_ventilation_ml_s,
            dt_s,
        );
        self.stores.produced_ml += produced_ml;
        self.stores.oxygenator_ml += to_membrane_ml;
        self.stores.oxygenator_ml_min = to_membrane_ml / minutes;
        self.moved_ml = [0.0; N_CONNECTIONS];
        self.last_v_ml = *c.v_ml;
    }

    /// Fold the interval's moved volumes into the running mean flows.
    fn average_flows(&mut self, dt_s: f64) {
        let k = 1.0 - (-dt_s / FLOW_AVERAGING_S).exp();
        let per_min = S_PER_MIN / dt_s;
        for (bed, &(path, _, _)) in BEDS.iter().enumerate() {
            let q = self.moved_ml[path.index()].max(0.0) * per_min;
            self.bed_flow_ml_min[bed] += (q - self.bed_flow_ml_min[bed]) * k;
        }
        let drain = self.moved_ml[Connection::EcmoDrainage.index()].max(0.0) * per_min;
        let vent = self.moved_ml[Connection::LvVent.index()].max(0.0) * per_min;
        self.oxygenator_flow_ml_min += (drain + vent - self.oxygenator_flow_ml_min) * k;
        if drain + vent > 0.0 {
            self.vent_share += (vent / (drain + vent) - self.vent_share) * k;
        }
    }

    /// Saturation (0-1) of a compartment. Volume changed outside the paths (fluids, lung
    /// water) leaves it as it is.
    pub fn saturation(&self, n: Node) -> f64 {
        self.sat[n.index()]
    }

    /// PO2 leaving the oxygenator for blood that enters it at saturation `s_in` (0-1): the
    /// membrane closes [`MEMBRANE_O2_EFFECTIVENESS`] of the gap to the sweep gas's PO2, as far
    /// as the sweep and the membrane's function allow.
    pub fn oxygenator_po2_mmhg(&self, s_in: f64) -> f64 {
        let p_in = crate::acid_base::po2_from_saturation(s_in);
        let p_gas = self.fdo2 * co2::DRY_GAS_MMHG;
        at_least(
            p_in + (p_gas - p_in) * MEMBRANE_O2_EFFECTIVENESS * self.oxygenator_transfer,
            0.0,
        )
    }

    /// Saturation leaving the oxygenator for blood that enters it at `s_in` (0-1).
    pub fn oxygenator_outlet(&self, s_in: f64) -> f64 {
        saturation_from_po2(self.oxygenator_po2_mmhg(s_in))
    }

    /// Saturation of the blood the ECMO returns at path flows `q_ml_s`: the drainage (RA) and
    /// vent (LV) blood each through the oxygenator, mixed by their flows (the RA's alone with no
    /// forward pump flow).
    pub fn ecmo_return_saturation(&self, q_ml_s: &[f64; N_CONNECTIONS]) -> f64 {
        let drain = q_ml_s[Connection::EcmoDrainage.index()].max(0.0);
        let vent = q_ml_s[Connection::LvVent.index()].max(0.0);
        let from_ra = self.oxygenator_outlet(self.saturation(Node::Ra));
        if drain + vent <= 0.0 {
            return from_ra;
        }
        let from_lv = self.oxygenator_outlet(self.saturation(Node::Lv));
        (drain * from_ra + vent * from_lv) / (drain + vent)
    }

    /// Fraction of the blood in `n` that came from the ECMO return.
    pub fn ecmo_fraction(&self, n: Node) -> f64 {
        self.ecmo[n.index()]
    }

    /// The first aortic segment, from the heart outwards, that the ECMO stream dominates.
    pub fn mixing_zone(&self) -> MixingZone {
        if self.ecmo_fraction(Node::AorticRoot) >= MIXING_FRACTION {
            MixingZone::AorticRoot
        } else if self.ecmo_fraction(Node::Arch) >= MIXING_FRACTION {
            MixingZone::Arch
        } else {
            MixingZone::Descending
        }
    }

    /// The saturations a monitor shows.
    pub fn saturations(&self) -> Saturations {
        Saturations {
            upper: self.saturation(Node::Arch),
            lower: self.saturation(Node::Descending),
            coronary: self.saturation(Node::AorticRoot),
            mixed_venous: self.saturation(Node::PulmonaryArteries),
        }
    }

    /// Alveolar PO2 (mmHg) of the ventilated alveoli.
    pub fn alveolar_po2(&self) -> f64 {
        self.alveolar_po2_mmhg
    }

    /// PCO2 (mmHg) of a compartment's blood.
    pub fn pco2_mmhg(&self, n: Node) -> f64 {
        co2::pco2_from_content(self.co2[n.index()], self.sbe_mmol_l)
    }

    /// PO2 (mmHg) of a compartment's blood: its bound and dissolved O2 shared out again.
    pub fn po2_mmhg(&self, n: Node) -> f64 {
        let i = n.index();
        let cap = self.capacity_ml_o2_per_ml;
        crate::acid_base::po2_from_content(cap * self.sat[i] + self.dissolved[i], cap)
    }

    /// The blood entering the oxygenator: its saturation, PO2 and PCO2 (RA drainage and LV
    /// vent blood mixed by their mean flows).
    pub fn pre_oxygenator(&self) -> (f64, f64, f64) {
        let w = self.vent_share;
        let (ra, lv) = (Node::Ra.index(), Node::Lv.index());
        let sat = (1.0 - w) * self.sat[ra] + w * self.sat[lv];
        let cap = self.capacity_ml_o2_per_ml;
        let dissolved = (1.0 - w) * self.dissolved[ra] + w * self.dissolved[lv];
        let content = (1.0 - w) * self.co2[ra] + w * self.co2[lv];
        (
            sat,
            crate::acid_base::po2_from_content(cap * sat + dissolved, cap),
            co2::pco2_from_content(content, self.sbe_mmol_l),
        )
    }

    /// The blood leaving the oxygenator: saturation, PO2, PCO2.
    pub fn post_oxygenator(&self) -> (f64, f64, f64) {
        let (s_in, _, pco2_in) = self.pre_oxygenator();
        let p_out = self.oxygenator_po2_mmhg(s_in);
        (
            saturation_from_po2(p_out),
            p_out,
            pco2_in * self.oxygenator_co2_kept(),
        )
    }

    /// Share of the inlet PCO2 the blood keeps through the oxygenator at its mean flow.
    fn oxygenator_co2_kept(&self) -> f64 {
        1.0 - co2::oxygenator_co2_share(
            self.oxygenator_flow_ml_min,
            self.sweep_l_min,
            self.membrane_function,
        )
    }

    /// The CO2 stores outside the blood and the CO2 that crossed the body's borders.
    pub fn co2_stores(&self) -> &Stores {
        &self.stores
    }

    /// Projections (`forecast::project`): move the body's CO2 on by what the beds and the heart
    /// made (`produced_ml`) less what the lungs (`exhaled_ml`) and the oxygenator
    /// (`oxygenator_ml`) removed in the slow time a window skipped. The net shifts every
    /// compartment's PCO2 (blood, tissue stores, alveolar gas) by the same amount, the net over
    /// their total capacitance: the body's slow CO2 mode, whose gradients the fluxes set and
    /// the circulation keeps (docs/MODEL.md 7n). The ledgers book all three, so the CO2
    /// balance still closes.
    pub(crate) fn advance_co2(&mut self, produced_ml: f64, exhaled_ml: f64, oxygenator_ml: f64) {
        let sbe = self.sbe_mmol_l;
        let slope = co2::CONTENT_SLOPE_ML_PER_ML_MMHG;
        let blood_ml: f64 = self.last_v_ml.iter().map(|v| v.max(0.0)).sum();
        let capacitance_ml_mmhg = slope * blood_ml
            + self.stores.tissue_capacitance_ml_mmhg.iter().sum::<f64>()
            + co2::ALVEOLAR_GAS_ML / co2::ALVEOLAR_CONSTANT_MMHG;
        let shift_mmhg = (produced_ml - exhaled_ml - oxygenator_ml) / capacitance_ml_mmhg;
        let span = (
            co2::content_from_pco2(0.0, sbe),
            co2::content_from_pco2(co2::MAX_PCO2_MMHG, sbe),
        );
        let before = self.blood_co2_ml() + self.stores.held_ml();
        for c in &mut self.co2 {
            *c = within(*c + slope * shift_mmhg, span.0, span.1);
        }
        let s = &mut self.stores;
        for p in &mut s.tissue_mmhg {
            *p = at_least(*p + shift_mmhg, 0.0);
        }
        s.alveolar_mmhg = at_least(s.alveolar_mmhg + shift_mmhg, 0.0);
        s.produced_ml += produced_ml;
        s.exhaled_ml += exhaled_ml;
        s.oxygenator_ml += oxygenator_ml;
        // What a hold at the curve's ends or at zero kept from moving is booked with the
        // volume changes (as the transport books its own holds).
        let moved = self.blood_co2_ml() + self.stores.held_ml() - before;
        self.co2_with_volume_ml += moved - (produced_ml - exhaled_ml - oxygenator_ml);
    }

    /// CO2 in the blood (mL): every compartment's content times its volume at the last update.
    pub fn blood_co2_ml(&self) -> f64 {
        self.co2
            .iter()
            .zip(&self.last_v_ml)
            .map(|(c, v)| c * v.max(0.0))
            .sum()
    }

    /// CO2 unaccounted for (mL): blood and stores now against t = 0 plus what the beds and the
    /// heart made, less what was breathed out and taken by the sweep, plus what volume changes
    /// carried. Zero to rounding: the transport and every exchange conserve CO2.
    pub fn co2_residual_ml(&self) -> f64 {
        let s = &self.stores;
        self.blood_co2_ml() + s.held_ml()
            - (self.initial_co2_ml + s.produced_ml - s.exhaled_ml - s.oxygenator_ml
                + self.co2_with_volume_ml)
    }

    /// CO2 carried in or out by volume changed outside the paths since t = 0 (mL).
    pub fn co2_with_volume_ml(&self) -> f64 {
        self.co2_with_volume_ml
    }

    /// O2 the beds' hypoxic units lack now (mL/min): their demand times their anaerobic share.
    pub fn o2_deficit_ml_min(&self) -> f64 {
        self.demand_ml_min[0] * self.anaerobic[0] + self.demand_ml_min[1] * self.anaerobic[1]
    }

    /// The beds' anaerobic shares (0-1), upper and lower body.
    pub fn anaerobic_shares(&self) -> [f64; 2] {
        self.anaerobic
    }

    /// Running mean of the lower-body bed's blood flow (mL/min): the liver's perfusion.
    pub fn lower_body_flow_ml_min(&self) -> f64 {
        self.bed_flow_ml_min[1]
    }

    /// Running mean of the blood flow through the oxygenator (mL/min).
    pub fn oxygenator_flow_ml_min(&self) -> f64 {
        self.oxygenator_flow_ml_min
    }
}

/// Right radial (arch), femoral (descending), coronary (aortic root) and mixed venous (PA).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Saturations {
    pub upper: f64,
    pub lower: f64,
    pub coronary: f64,
    pub mixed_venous: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severinghaus_matches_the_standard_curve() {
        // P50 ~ 26.8 mmHg; 40 mmHg -> 75 %; 100 mmHg -> 97.7 %.
        assert!((saturation_from_po2(26.8) - 0.5).abs() < 0.02);
        assert!((saturation_from_po2(40.0) - 0.75).abs() < 0.01);
        assert!((saturation_from_po2(100.0) - 0.977).abs() < 0.005);
        // Room air at PaCO2 40: PAO2 about 100 mmHg, saturation 97.7 %.
        let room_air = saturation_from_po2(alveolar_po2_mmhg(0.21, 40.0, RESTING_RQ));
        assert!((room_air - 0.977).abs() < 0.005);
    }
}
