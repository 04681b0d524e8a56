//! Peripheral VA ECMO: femoral venous drainage from the right atrium / IVC junction, a
//! centrifugal pump, a membrane oxygenator and a femoral arterial return cannula whose flow
//! enters the descending aorta and runs retrograde toward the arch. An LV vent (see
//! [`crate::lv_vent`]) joins the drainage line before the pump.
//!
//! The circuit is hydraulic, not scripted: three inertial branches meet at the pump inlet, a
//! rigid junction. Drainage (RA -> junction) and vent (LV -> junction) feed the trunk
//! (junction -> pump -> oxygenator -> return cannula -> descending aorta):
//!
//!   L_d dQ_d/dt = P_RA - R_d Q_d - P_j
//!   L_v dQ_v/dt = P_LV - R_v Q_v - P_j
//!   L_t dQ_t/dt = P_j + H(Q_t, rpm) - R_t Q_t - P_desc,      Q_t = Q_d + Q_v
//!
//! The R's are secant resistances of the quadratic cannula and oxygenator pressure drops at the
//! current flow, so each branch is advanced semi-implicitly (stable for any R, down to a fully
//! collapsed inlet). The junction pressure P_j (the pump inlet pressure a console shows) follows
//! from the constraint that the trunk carries what the branches bring. Flow therefore falls when
//! afterload rises or drainage is poor, and the drainage inlet collapses as the right atrium
//! empties: flow limitation and a "chatter" flag, never a negative volume.

use crate::units::{L_MIN_PER_ML_S, at_least, at_most, l_min_from_ml_s, within};

/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::{Ecmo, EcmoMode};

/// Pump curve: pressure head at 3000 rpm as a cubic in flow (Lim, PhD thesis, eq. 2.15, as
/// listed in the project's reference sheet), 269/234/188 mmHg at 0/4/8 L/min; other speeds by
/// the pump affinity laws H(Q, n) = (n/n_ref)^2 H(Q n_ref/n, n_ref).
const PUMP_REF_RPM: f64 = 3000.0;
/// Its reciprocal: the step loop multiplies (a division costs ten multiplications).
const PER_PUMP_REF_RPM: f64 = 1.0 / PUMP_REF_RPM;
/// Upper end of the reference curve's range (L/min at 3000 rpm).
const PUMP_REF_MAX_L_MIN: f64 = 8.0;
/// Resistance of a stopped or slow impeller to flow through it, mmHg / (L/min)^2 (a modelling
/// choice: of the order of the return cannula's).
const PUMP_BACKFLOW_QUADRATIC: f64 = 4.0;
const PUMP_POLY: [f64; 9] = [
    -92.34, 2.708, 0.05172, -0.8888, -0.003733, 2.289e-5, -0.08211, 0.0005172, -1.84e-7,
];
/// Quadratic pressure-drop coefficients, mmHg / (L/min)^2 and mmHg / (L/min).
/// Oxygenator: fit of 5/14/37/64 mmHg at 1/2/4/6 L/min (adult membrane lung; Fried et al.,
/// Perfusion 1998;13:119 report 67 mmHg at 4 L/min for Capiox SX, a higher bracket).
const OXYGENATOR_LINEAR: f64 = 5.17;
const OXYGENATOR_QUADRATIC: f64 = 0.917;
/// Return cannula, 17 Fr reference: 200 mmHg at 6 L/min in blood (Bard 17 Fr, Noe et al.,
/// J Extra Corpor Technol 1989;21:67), pure quadratic.
const RETURN_QUADRATIC_AT_REF: f64 = 200.0 / 36.0;
const RETURN_REF_FR: f64 = 17.0;
/// Drainage cannula, 25 Fr multistage reference: about 40 mmHg at 4 L/min (pump-inlet pressures
/// of -30 to -60 mmHg at 4-5 L/min in practice), pure quadratic.
const DRAINAGE_QUADRATIC_AT_REF: f64 = 40.0 / 16.0;
const DRAINAGE_REF_FR: f64 = 25.0;
/// Cannula pressure drop scales with the inverse fourth power of the diameter (Poiseuille).
const CANNULA_DIAMETER_EXPONENT: f64 = 4.0;
/// Blood inertance of each half of the circuit: 1 m of 3/8" tubing plus its cannula,
/// rho l / A = 1060 kg/m^3 * 1 m / 7.1e-5 m^2 = 1.5e7 Pa s^2/m^3.
pub const BRANCH_INERTANCE_MMHG_S2_PER_ML: f64 = 0.112;
/// Smallest secant resistance (at zero flow), so the semi-implicit step is defined.
const MIN_SECANT_R_MMHG_S_PER_ML: f64 = 1e-3;
/// Collapse of a pump inlet (the ECMO drainage in the RA; the LV vent and the Impella in the
/// LV): full area while the chamber holds more than this above its unstressed volume, closing
/// linearly to nothing at the unstressed volume.
pub const COLLAPSE_ONSET_ML: f64 = 15.0;
const PER_COLLAPSE_ONSET_ML: f64 = 1.0 / COLLAPSE_ONSET_ML;
/// Flow-mode controller: proportional and integral gains (rpm per L/min, rpm per L/min/s).
const FLOW_KP_RPM_PER_L_MIN: f64 = 150.0;
const FLOW_KI_RPM_PER_L_MIN_S: f64 = 300.0;
/// Console speed limits.
pub const RPM_MAX: f64 = 5000.0;
/// Flow mode's inlet-pressure servo: below this pump-inlet pressure the console reduces speed
/// (consoles limit venous-line suction to about -100 mmHg, T), by this much flow error per mmHg.
pub const INLET_SERVO_MMHG: f64 = -100.0;
const INLET_SERVO_MMHG_PER_L_MIN: f64 = 20.0;

/// Sweep gas flow a run starts with (**M**: about half the pump flow; at 4 L/min of blood it
/// keeps the shock patient's PaCO2 in range with the ventilator at rest settings; clinicians
/// titrate it to PaCO2: docs/VALIDATION.md).
pub const DEFAULT_SWEEP_L_MIN: f64 = 2.0;

impl Default for Ecmo {
    fn default() -> Self {
        Self {
            enabled: false,
            mode: EcmoMode::Rpm,
            rpm: 3000.0,
            flow_target_l_min: 4.0,
            sweep_l_min: DEFAULT_SWEEP_L_MIN,
            fdo2: 1.0,
            membrane_function: 1.0,
            drainage_cannula_fr: 25.0,
            return_cannula_fr: 17.0,
        }
    }
}

/// The reference curve at 3000 rpm as a cubic in flow alone (the polynomial with the speed
/// fixed; folded at compile time so the step evaluates four terms, not nine).
const PUMP_REF_CUBIC: [f64; 4] = {
    let (p, w) = (PUMP_POLY, PUMP_REF_RPM);
    [
        p[0] + p[2] * w + p[5] * w * w,
        p[1] + p[4] * w + p[8] * w * w,
        p[3] + p[7] * w,
        p[6],
    ]
};

/// The reference curve's slope at its end (mmHg per L/min), where runout continues it.
const PUMP_REF_RUNOUT_SLOPE: f64 = {
    let (c, q) = (PUMP_REF_CUBIC, PUMP_REF_MAX_L_MIN);
    c[1] + 2.0 * c[2] * q + 3.0 * c[3] * q * q
};

/// The reference curve at 3000 rpm, valid from 0 to 8 L/min.
#[inline]
fn reference_head_mmhg(q_l_min: f64) -> f64 {
    let c = PUMP_REF_CUBIC;
    c[0] + q_l_min * (c[1] + q_l_min * (c[2] + q_l_min * c[3]))
}

/// Pump pressure head (mmHg) at a flow (L/min) and speed (rpm): the reference curve scaled by
/// the affinity laws inside its range; beyond runout it continues along its end tangent; for
/// backflow (a slow or stopped pump overpowered by the aorta) the impeller holds its shut-off
/// head and resists the reverse flow like a quadratic resistance, whatever its speed, so flow
/// falls smoothly and monotonically as the speed does.
pub fn pump_head_mmhg(q_l_min: f64, rpm: f64) -> f64 {
    let s = at_least(rpm * PER_PUMP_REF_RPM, 0.0);
    if q_l_min <= 0.0 {
        return s * s * reference_head_mmhg(0.0) + PUMP_BACKFLOW_QUADRATIC * q_l_min * q_l_min;
    }
    if s == 0.0 {
        // A stopped impeller carrying forward flow: a resistance (head falls with flow).
        return -PUMP_BACKFLOW_QUADRATIC * q_l_min * q_l_min;
    }
    if q_l_min <= PUMP_REF_MAX_L_MIN * s {
        // s^2 h(q/s) expanded, so only the cubic term waits for 1/s.
        let c = PUMP_REF_CUBIC;
        let inv_s = 1.0 / s;
        return c[0] * s * s + q_l_min * (c[1] * s + q_l_min * (c[2] + q_l_min * c[3] * inv_s));
    }
    let q = q_l_min / s;
    s * s
        * (reference_head_mmhg(PUMP_REF_MAX_L_MIN)
            + PUMP_REF_RUNOUT_SLOPE * (q - PUMP_REF_MAX_L_MIN))
}

/// Oxygenator pressure drop (mmHg) at a flow (L/min), signed with the flow.
pub fn oxygenator_drop_mmhg(q_l_min: f64) -> f64 {
    OXYGENATOR_LINEAR * q_l_min + OXYGENATOR_QUADRATIC * q_l_min * q_l_min.abs()
}

/// Quadratic coefficient of a cannula of `fr` French, scaled from a reference size.
fn cannula_quadratic(reference: f64, reference_fr: f64, fr: f64) -> f64 {
    reference * (reference_fr / fr).powf(CANNULA_DIAMETER_EXPONENT)
}

/// A branch's pressure drop a Q + b Q|Q| (Q in L/min) compiled for the step: its secant
/// resistance at a flow, times dt / L (what the semi-implicit step needs), with the unit
/// conversions folded into the coefficients.
#[derive(Clone, Copy, Debug, Default)]
struct BranchLaw {
    /// a, b and the smallest secant resistance, each in mmHg s/mL x dt / L.
    linear: f64,
    quadratic_per_ml_s: f64,
    floor: f64,
}

impl BranchLaw {
    /// `linear` in mmHg / (L/min), `quadratic` in mmHg / (L/min)^2.
    fn new(linear: f64, quadratic: f64, dt_per_l: f64) -> Self {
        Self {
            linear: linear * L_MIN_PER_ML_S * dt_per_l,
            quadratic_per_ml_s: quadratic * L_MIN_PER_ML_S * L_MIN_PER_ML_S * dt_per_l,
            floor: MIN_SECANT_R_MMHG_S_PER_ML * dt_per_l,
        }
    }

    /// Secant resistance x dt / L at flow `q_ml_s`.
    #[inline]
    fn secant(&self, q_ml_s: f64) -> f64 {
        at_least(
            self.linear + self.quadratic_per_ml_s * q_ml_s.abs(),
            self.floor,
        )
    }
}

/// A collapsing inlet of open fraction f has f^2 the conductance of an orifice: the factor on
/// its resistance (1 when fully open, the usual case, without dividing). The law of every
/// pump inlet here: ECMO drainage, the LV vent and the Impella's.
#[inline]
pub fn collapse_factor(open: f64) -> f64 {
    if open >= 1.0 {
        1.0
    } else {
        let f = at_least(open, f64::MIN_POSITIVE);
        1.0 / (f * f)
    }
}

/// The pump's flow (mL/s) in a step's path flows: drainage plus the vent that joins it.
#[inline]
pub fn pump_flow_ml_s(q_ml_s: &[f64; crate::circulation::N_CONNECTIONS]) -> f64 {
    use crate::circulation::Connection;
    q_ml_s[Connection::EcmoDrainage.index()] + q_ml_s[Connection::LvVent.index()]
}

/// Fraction of a pump inlet still open at its chamber's volume (0 = collapsed).
pub fn inlet_open_fraction(v_ml: f64, v0_ml: f64) -> f64 {
    within((v_ml - v0_ml) * PER_COLLAPSE_ONSET_ML, 0.0, 1.0)
}

/// One semi-implicit branch: Q' = keep Q + gain (P_up - P_down). The default (all zeros) is a
/// clamped branch: no flow whatever the pressures.
#[derive(Clone, Copy, Debug, Default)]
struct Branch {
    keep: f64,
    gain: f64,
}

impl Branch {
    /// `r_dt_per_l`: the branch's resistance times dt / L; `dt_per_l`: dt / L, the same for
    /// every branch (one inertance).
    #[inline]
    fn new(r_dt_per_l: f64, dt_per_l: f64) -> Self {
        let keep = 1.0 / (1.0 + r_dt_per_l);
        Self {
            keep,
            gain: keep * dt_per_l,
        }
    }
}

/// Pressures the circuit sees this step.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub ra_mmhg: f64,
    pub lv_mmhg: f64,
    pub descending_mmhg: f64,
}

/// Open fractions of the drainage inlet (RA collapse) and of the vent inlet (LV collapse).
#[derive(Clone, Copy, Debug)]
pub struct Inlets {
    pub drainage_open: f64,
    pub vent_open: f64,
}

/// Settings compiled for the step loop (no powf or division per step).
#[derive(Clone, Copy, Debug, Default)]
pub struct EcmoConfig {
    enabled: bool,
    mode: EcmoMode,
    rpm: f64,
    flow_target_l_min: f64,
    /// dt / L of every branch.
    dt_per_l: f64,
    /// The flow controller's integral gain times the step.
    ki_dt_rpm_per_l_min: f64,
    drainage: BranchLaw,
    trunk: BranchLaw,
    /// The LV vent's branch when the vent is on.
    vent: Option<BranchLaw>,
}

impl EcmoConfig {
    pub fn new(s: &Ecmo, vent: &crate::lv_vent::LvVent, dt_s: f64) -> Self {
        let dt_per_l = dt_s / BRANCH_INERTANCE_MMHG_S2_PER_ML;
        let k_drain = cannula_quadratic(
            DRAINAGE_QUADRATIC_AT_REF,
            DRAINAGE_REF_FR,
            s.drainage_cannula_fr,
        );
        let k_return =
            cannula_quadratic(RETURN_QUADRATIC_AT_REF, RETURN_REF_FR, s.return_cannula_fr);
        Self {
            enabled: s.enabled,
            mode: s.mode,
            rpm: s.rpm,
            flow_target_l_min: s.flow_target_l_min,
            dt_per_l,
            ki_dt_rpm_per_l_min: FLOW_KI_RPM_PER_L_MIN_S * dt_s,
            drainage: BranchLaw::new(0.0, k_drain, dt_per_l),
            trunk: BranchLaw::new(OXYGENATOR_LINEAR, OXYGENATOR_QUADRATIC + k_return, dt_per_l),
            vent: vent
                .enabled
                .then(|| BranchLaw::new(0.0, vent_quadratic(vent.cannula_fr), dt_per_l)),
        }
    }
}

/// One step's junction, prepared from what is known before the step's pressures are: the
/// branches' secant resistances (from the flows they carry), the inlets' collapse (from the
/// chambers' volumes) and the pump's speed and head. The pressures then only weigh in.
#[derive(Clone, Copy, Debug, Default)]
struct Junction {
    drainage: Branch,
    vent: Branch,
    trunk: Branch,
    /// Pump head at the branch flows the step starts from.
    head_mmhg: f64,
    /// 1 / (sum of the branches' gains).
    per_gain: f64,
}

/// The running circuit: flows, pump speed, controller state and console readouts.
#[derive(Clone, Debug, Default)]
pub struct EcmoCircuit {
    pub drainage_ml_s: f64,
    pub vent_ml_s: f64,
    pub rpm: f64,
    /// Pump inlet (junction) pressure: what the console's venous line pressure shows.
    pub inlet_mmhg: f64,
    /// The drainage inlet is partly collapsed this step.
    pub collapsing: bool,
    integral_rpm: f64,
    /// The mode of the last step (None: just started).
    last_mode: Option<EcmoMode>,
    /// The coming step's junction ([`EcmoCircuit::prepare`]).
    junction: Junction,
}

impl EcmoCircuit {
    /// Advance one step: [`EcmoCircuit::prepare`] then [`EcmoCircuit::advance`] (the engine
    /// calls the two apart).
    #[cfg(test)]
    pub fn step(&mut self, s: &EcmoConfig, inlets: Inlets, ports: Ports) {
        self.prepare(s, inlets);
        self.advance(s, ports);
    }

    /// The first half of a step, from the circuit's state and the inlets' open fractions
    /// only: controller, speed, head and the branches' coefficients. Split off so the engine
    /// can run it before the step's pressures exist; its division chains then overlap the
    /// pressure computation instead of lengthening the step (the results are the same).
    #[inline]
    pub fn prepare(&mut self, s: &EcmoConfig, inlets: Inlets) {
        if !s.enabled {
            // Clamped lines, pump stopped.
            *self = EcmoCircuit::default();
            return;
        }
        if self.last_mode != Some(s.mode) {
            // Bumpless transfer: flow mode takes over from the speed the pump runs at (or,
            // starting up, from the console's set speed).
            let running = if self.last_mode.is_some() {
                self.rpm
            } else {
                s.rpm
            };
            self.integral_rpm = running;
            self.last_mode = Some(s.mode);
        }
        self.rpm = match s.mode {
            EcmoMode::Rpm => s.rpm,
            EcmoMode::Flow => self.flow_controller(s),
        };
        let total = self.drainage_ml_s + self.vent_ml_s;
        let dt_per_l = s.dt_per_l;
        let drainage = Branch::new(
            s.drainage.secant(self.drainage_ml_s) * collapse_factor(inlets.drainage_open),
            dt_per_l,
        );
        let trunk = Branch::new(s.trunk.secant(total), dt_per_l);
        let vent = match s.vent {
            Some(law) => Branch::new(
                law.secant(self.vent_ml_s) * collapse_factor(inlets.vent_open),
                dt_per_l,
            ),
            None => Branch::default(),
        };
        self.junction = Junction {
            drainage,
            vent,
            trunk,
            head_mmhg: pump_head_mmhg(l_min_from_ml_s(total), self.rpm),
            per_gain: 1.0 / (trunk.gain + drainage.gain + vent.gain),
        };
        self.collapsing = inlets.drainage_open < 1.0;
    }

    /// The second half: the junction pressure and the branches' new flows from the step's
    /// pressures.
    #[inline]
    pub fn advance(&mut self, s: &EcmoConfig, ports: Ports) {
        if !s.enabled {
            return;
        }
        let Junction {
            drainage: d,
            vent: v,
            trunk: t,
            head_mmhg,
            per_gain,
        } = self.junction;
        // Without a vent its branch is all zeros: no flow, whatever the LV pressure.
        let total = self.drainage_ml_s + self.vent_ml_s;
        // Trunk = drainage + vent at the new time fixes the junction pressure.
        let p_j = (d.keep * self.drainage_ml_s
            + d.gain * ports.ra_mmhg
            + v.keep * self.vent_ml_s
            + v.gain * ports.lv_mmhg
            - t.keep * total
            - t.gain * (head_mmhg - ports.descending_mmhg))
            * per_gain;
        self.drainage_ml_s = d.keep * self.drainage_ml_s + d.gain * (ports.ra_mmhg - p_j);
        self.vent_ml_s = v.keep * self.vent_ml_s + v.gain * (ports.lv_mmhg - p_j);
        self.inlet_mmhg = p_j;
    }

    /// PI control of speed on pump flow, with the consoles' inlet-pressure servo: below
    /// `INLET_SERVO_MMHG` the speed is pulled down instead of chasing the target into a
    /// collapsed vein (and the integrator does not wind up).
    fn flow_controller(&mut self, s: &EcmoConfig) -> f64 {
        let mut error_l_min = s.flow_target_l_min - self.pump_flow_l_min();
        let suction_mmhg = INLET_SERVO_MMHG - self.inlet_mmhg;
        if suction_mmhg > 0.0 {
            error_l_min = at_most(error_l_min, -suction_mmhg / INLET_SERVO_MMHG_PER_L_MIN);
        }
        self.integral_rpm = within(
            self.integral_rpm + s.ki_dt_rpm_per_l_min * error_l_min,
            0.0,
            RPM_MAX,
        );
        within(
            self.integral_rpm + FLOW_KP_RPM_PER_L_MIN * error_l_min,
            0.0,
            RPM_MAX,
        )
    }

    pub fn pump_flow_l_min(&self) -> f64 {
        l_min_from_ml_s(self.drainage_ml_s + self.vent_ml_s)
    }
}

/// Cannula quadratic coefficient for a vent of `fr` French (mmHg per (L/min)^2): the drainage
/// cannula law scaled to its size.
pub fn vent_quadratic(fr: f64) -> f64 {
    cannula_quadratic(DRAINAGE_QUADRATIC_AT_REF, DRAINAGE_REF_FR, fr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(e: Ecmo) -> EcmoConfig {
        EcmoConfig::new(&e, &crate::lv_vent::LvVent::default(), 5e-4)
    }

    /// RA 8, LV 20, descending aorta 75 mmHg.
    const PORTS: Ports = Ports {
        ra_mmhg: 8.0,
        lv_mmhg: 20.0,
        descending_mmhg: 75.0,
    };

    /// A circuit run for `steps` steps of 0.5 ms against [`PORTS`], the drainage inlet open by
    /// `drainage_open`.
    fn settle(c: &mut EcmoCircuit, e: Ecmo, drainage_open: f64, steps: usize) {
        let s = config(e);
        let inlets = Inlets {
            drainage_open,
            vent_open: 1.0,
        };
        for _ in 0..steps {
            c.step(&s, inlets, PORTS);
        }
    }

    #[test]
    fn pump_curve_matches_the_reference_points() {
        for (q, h) in [(0.0, 269.0), (4.0, 234.0), (8.0, 188.0)] {
            assert!(
                (pump_head_mmhg(q, 3000.0) - h).abs() < 1.0,
                "{q}: {}",
                pump_head_mmhg(q, 3000.0)
            );
        }
        // Affinity: doubling speed quadruples the shut-off head.
        assert!((pump_head_mmhg(0.0, 4000.0) / pump_head_mmhg(0.0, 2000.0) - 4.0).abs() < 1e-9);
        // A stopped impeller resists flow either way; a spinning one holds its head.
        assert!(pump_head_mmhg(3.0, 0.0) < 0.0 && pump_head_mmhg(-3.0, 0.0) > 0.0);
        assert!(pump_head_mmhg(-1.0, 2000.0) > pump_head_mmhg(0.0, 2000.0));
        // Beyond runout the curve continues down along its tangent.
        assert!(pump_head_mmhg(10.0, 3000.0) < pump_head_mmhg(8.0, 3000.0));
    }

    #[test]
    fn backflow_falls_smoothly_as_the_pump_speeds_up() {
        let flow_at = |rpm: f64| {
            let mut c = EcmoCircuit::default();
            let on = Ecmo {
                enabled: true,
                rpm,
                ..Ecmo::default()
            };
            settle(&mut c, on, 1.0, 20_000);
            c.pump_flow_l_min()
        };
        let flows: Vec<f64> = [0.0, 1.0, 300.0, 1000.0, 1500.0, 2000.0, 3000.0]
            .into_iter()
            .map(flow_at)
            .collect();
        assert!(
            flows[0] < 0.0,
            "a stopped pump lets the aorta drain backward"
        );
        assert!(flows.windows(2).all(|w| w[1] > w[0]), "{flows:?}");
        assert!(
            (flows[1] - flows[0]).abs() < 0.01,
            "no jump between 0 and 1 rpm"
        );
    }

    #[test]
    fn drops_match_their_sources() {
        assert!((oxygenator_drop_mmhg(4.0) - 35.3).abs() < 0.5);
        assert!(
            (cannula_quadratic(RETURN_QUADRATIC_AT_REF, 17.0, 17.0) * 36.0 - 200.0).abs() < 1e-9
        );
        // A bigger cannula drops less.
        assert!(cannula_quadratic(1.0, 17.0, 19.0) < 1.0);
    }

    #[test]
    fn a_steady_circuit_balances_head_against_the_drops() {
        let mut c = EcmoCircuit::default();
        let on = Ecmo {
            enabled: true,
            ..Ecmo::default()
        };
        settle(&mut c, on, 1.0, 40_000);
        let q = c.pump_flow_l_min();
        let k_drain = DRAINAGE_QUADRATIC_AT_REF;
        let drops = k_drain * q * q + oxygenator_drop_mmhg(q) + RETURN_QUADRATIC_AT_REF * q * q;
        let balance = 8.0 + pump_head_mmhg(q, 3000.0) - drops - 75.0;
        assert!(balance.abs() < 0.01, "q {q}, residual {balance}");
        assert!(
            (3.0..6.0).contains(&q),
            "3000 rpm against 75 mmHg gives {q} L/min"
        );
        assert!((c.inlet_mmhg - (8.0 - k_drain * q * q)).abs() < 0.01);
    }

    #[test]
    fn a_collapsed_inlet_stops_drainage_and_flow_mode_holds_its_target() {
        let mut c = EcmoCircuit::default();
        settle(
            &mut c,
            Ecmo {
                enabled: true,
                ..Ecmo::default()
            },
            0.0,
            4000,
        );
        assert!(c.pump_flow_l_min().abs() < 1e-6 && c.collapsing);
        let flow_mode = Ecmo {
            enabled: true,
            mode: EcmoMode::Flow,
            flow_target_l_min: 3.2,
            ..Ecmo::default()
        };
        settle(&mut c, flow_mode, 1.0, 120_000);
        assert!(
            (c.pump_flow_l_min() - 3.2).abs() < 0.02,
            "{}",
            c.pump_flow_l_min()
        );
        assert!(c.rpm > 1000.0 && c.rpm < RPM_MAX);
    }
}
