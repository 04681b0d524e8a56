//! The circulation as a circuit (after Pulse's circuit methodology and Physiolibrary): nodes hold
//! volume and pressure, paths carry flow from one node to another. One step: pressures from
//! volumes, flows from pressures, volumes from flows. Every path's flow leaves one node and
//! enters another, so blood volume is conserved by construction.
//!
//! Nodes and paths are small enums indexing flat arrays (struct of arrays). Paths are grouped
//! by element kind so the step loop runs three tight loops without a per-path match:
//! valves (one-way, inertial, optional regurgitant orifice), conduits (resistance + inertance,
//! flow is a state), resistors (flow follows pressure at once).

use crate::heart::{Activation, ChamberBank, ChamberLaw};
use crate::patient::{Conduit, Patient, Valve, Vessel};
use crate::units::{at_most, s_from_ms};
use crate::valves::{self, Inertial, ValveState};

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident => $key:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(usize)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub const COUNT: usize = Self::ALL.len();
            /// Short machine name (CSV columns, keys).
            pub fn key(self) -> &'static str { match self { $($name::$var => $key),* } }
            /// Human label.
            pub fn label(self) -> &'static str { match self { $($name::$var => $label),* } }
            #[inline]
            pub fn index(self) -> usize { self as usize }
        }
    };
}

named_enum!(
    /// Compartments. The four chambers come first (they have elastance laws); vessels follow.
    Node {
        La => "la", "left atrium";
        Lv => "lv", "left ventricle";
        Ra => "ra", "right atrium";
        Rv => "rv", "right ventricle";
        AorticRoot => "aortic_root", "aortic root / ascending aorta";
        Arch => "arch", "aortic arch and upper-body arteries";
        ThoracicAorta => "thoracic_aorta", "descending thoracic aorta (where an intra-aortic balloon sits)";
        Descending => "descending", "abdominal aorta and lower-body arteries";
        UpperVeins => "upper_veins", "upper-body veins (SVC)";
        LowerVeins => "lower_veins", "lower-body veins (IVC)";
        PulmonaryArteries => "pulmonary_arteries", "pulmonary arteries";
        PulmonaryCapillaries => "pulmonary_capillaries", "pulmonary capillaries";
        PulmonaryVeins => "pulmonary_veins", "pulmonary veins";
    }
);

named_enum!(
    /// Connections. Order matters: valves, then conduits, then resistors (see the module doc).
    Connection {
        Mitral => "mitral", "mitral valve";
        Aortic => "aortic", "aortic valve";
        Tricuspid => "tricuspid", "tricuspid valve";
        Pulmonic => "pulmonic", "pulmonary valve";
        RootToArch => "root_to_arch", "ascending aorta to arch";
        ArchToDescending => "arch_to_descending", "arch to descending thoracic aorta";
        ThoracicToAbdominal => "thoracic_to_abdominal", "descending thoracic to abdominal aorta";
        PulmonaryArterial => "pulmonary_arterial", "pulmonary arteries to capillaries";
        Coronary => "coronary", "coronary circulation";
        UpperBody => "upper_body", "upper-body vascular bed";
        LowerBody => "lower_body", "lower-body vascular bed";
        Svc => "svc", "superior vena cava";
        Ivc => "ivc", "inferior vena cava";
        PulmonaryCapillary => "pulmonary_capillary", "pulmonary capillaries to veins";
        PulmonaryVenous => "pulmonary_venous", "pulmonary veins to left atrium";
        Bronchial => "bronchial", "bronchial circulation";
        EcmoDrainage => "ecmo_drainage", "VA ECMO: RA drainage through the circuit to the descending aorta";
        LvVent => "lv_vent", "LV vent through the ECMO circuit to the descending aorta";
        Septostomy => "septostomy", "atrial septostomy";
        Impella => "impella", "Impella: LV to aortic root";
    }
);

/// Viscous damping of the descending thoracic aortic wall: its pressure rises by this times
/// the net blood inflow (a Kelvin-Voigt wall, whose viscous modulus Armentano et al. measured,
/// Circ Res 1995;76:468). It damps the segment's ringing against the inertance on either side,
/// which a balloon's sudden gas shuttle excites, without touching mean flows (T: chosen for a
/// damping ratio of about 0.7 with the preset's segment).
pub const THORACIC_WALL_VISCOSITY_MMHG_S_PER_ML: f64 = 0.08;

/// How much more compliant a vessel is below its unstressed volume (buckled) than above it.
pub const COLLAPSED_COMPLIANCE_FACTOR: f64 = 10.0;
const COLLAPSED_ELASTANCE_FRACTION: f64 = 1.0 / COLLAPSED_COMPLIANCE_FACTOR;

/// Rounding residue tolerated (and zeroed) where the limiter empties a compartment exactly.
const ROUNDING_ML: f64 = 1e-9;

pub const CHAMBERS: [Node; 4] = [Node::La, Node::Lv, Node::Ra, Node::Rv];
pub const N_CHAMBERS: usize = CHAMBERS.len();
/// For each chamber (CHAMBERS order), the left-heart chamber of its kind: LA for the atria, LV
/// for the ventricles.
pub const LEFT_TWIN: [usize; N_CHAMBERS] = [0, 1, 0, 1];
const _: () = {
    let mut k = 0;
    while k < N_CHAMBERS {
        let (own, twin) = (CHAMBERS[k] as usize, CHAMBERS[LEFT_TWIN[k]] as usize);
        let own_atrium = own == Node::La as usize || own == Node::Ra as usize;
        assert!(if own_atrium {
            twin == Node::La as usize
        } else {
            twin == Node::Lv as usize
        });
        k += 1;
    }
};
pub const N_NODES: usize = Node::COUNT;
pub const N_CONNECTIONS: usize = Connection::COUNT;
pub const VALVES: std::ops::Range<usize> = 0..4;
pub const CONDUITS: std::ops::Range<usize> = 4..8;
pub const RESISTORS: std::ops::Range<usize> = 8..16;
/// Device paths: their flows come from the device modules, not from the circuit.
pub const DEVICES: std::ops::Range<usize> = 16..N_CONNECTIONS;

impl Connection {
    /// (from, to): positive flow runs from the first node to the second.
    pub const fn ends(self) -> (Node, Node) {
        use Node::*;
        match self {
            Connection::Mitral => (La, Lv),
            Connection::Aortic => (Lv, AorticRoot),
            Connection::Tricuspid => (Ra, Rv),
            Connection::Pulmonic => (Rv, PulmonaryArteries),
            Connection::RootToArch => (AorticRoot, Arch),
            Connection::ArchToDescending => (Arch, ThoracicAorta),
            Connection::ThoracicToAbdominal => (ThoracicAorta, Descending),
            Connection::PulmonaryArterial => (PulmonaryArteries, PulmonaryCapillaries),
            Connection::Coronary => (AorticRoot, Ra),
            Connection::UpperBody => (Arch, UpperVeins),
            Connection::LowerBody => (Descending, LowerVeins),
            Connection::Svc => (UpperVeins, Ra),
            Connection::Ivc => (LowerVeins, Ra),
            Connection::PulmonaryCapillary => (PulmonaryCapillaries, PulmonaryVeins),
            Connection::PulmonaryVenous => (PulmonaryVeins, La),
            Connection::Bronchial => (ThoracicAorta, PulmonaryVeins),
            Connection::EcmoDrainage => (Ra, Descending),
            Connection::LvVent => (Lv, Descending),
            Connection::Septostomy => (La, Ra),
            Connection::Impella => (Lv, AorticRoot),
        }
    }
}

/// What the body's control (baroreflex) and the drugs do to the preset's parameters: each field
/// multiplies the preset's value. Sources compose by multiplying (effects on one parameter act
/// in series: a reflex vasoconstriction of an already norepinephrine-constricted bed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Modulation {
    pub lv_ees: f64,
    pub rv_ees: f64,
    /// Passive diastolic stiffness (the EDPVR's scale A): below 1 is lusitropy, a lower
    /// filling pressure at the same volume.
    pub lv_edpvr: f64,
    pub rv_edpvr: f64,
    /// Heart period (RR): below 1 is a faster heart.
    pub heart_period: f64,
    pub upper_body_r: f64,
    pub lower_body_r: f64,
    /// Pulmonary (capillary) resistance.
    pub pulmonary_r: f64,
    /// Venous unstressed volume: below 1 is venoconstriction (volume moved to stressed).
    pub upper_veins_v0: f64,
    pub lower_veins_v0: f64,
}

impl Modulation {
    pub const NONE: Modulation = Modulation {
        lv_ees: 1.0,
        rv_ees: 1.0,
        lv_edpvr: 1.0,
        rv_edpvr: 1.0,
        heart_period: 1.0,
        upper_body_r: 1.0,
        lower_body_r: 1.0,
        pulmonary_r: 1.0,
        upper_veins_v0: 1.0,
        lower_veins_v0: 1.0,
    };

    /// Both modulations at once.
    pub fn then(&self, o: &Modulation) -> Modulation {
        Modulation {
            lv_ees: self.lv_ees * o.lv_ees,
            rv_ees: self.rv_ees * o.rv_ees,
            lv_edpvr: self.lv_edpvr * o.lv_edpvr,
            rv_edpvr: self.rv_edpvr * o.rv_edpvr,
            heart_period: self.heart_period * o.heart_period,
            upper_body_r: self.upper_body_r * o.upper_body_r,
            lower_body_r: self.lower_body_r * o.lower_body_r,
            pulmonary_r: self.pulmonary_r * o.pulmonary_r,
            upper_veins_v0: self.upper_veins_v0 * o.upper_veins_v0,
            lower_veins_v0: self.lower_veins_v0 * o.lower_veins_v0,
        }
    }
}

/// The compiled coefficients of the circuit: what the step loop reads. Rebuilt from the patient
/// whenever a parameter changes; the state (volumes, inertial flows) is kept.
#[derive(Clone, Debug)]
pub struct Circuit {
    pub chamber: [ChamberLaw; N_CHAMBERS],
    /// Activation tables (CHAMBERS order).
    pub activation: [Activation; N_CHAMBERS],
    /// The right chambers' tables equal the left's (the usual case: each side's atrium and
    /// ventricle share their timing), so the step looks up two, not four.
    pub sides_alike: bool,
    /// Vessel elastance 1/C (index by node; unused for chambers).
    pub elastance_mmhg_per_ml: [f64; N_NODES],
    pub v0_ml: [f64; N_NODES],
    pub r_mmhg_s_per_ml: [f64; N_CONNECTIONS],
    pub l_mmhg_s2_per_ml: [f64; N_CONNECTIONS],
    /// Step coefficients of valves and conduits (index by path; resistors unused).
    inertial: [Inertial; N_CONNECTIONS],
    /// 1/R of resistors (index by path).
    conductance_ml_s_per_mmhg: [f64; N_CONNECTIONS],
    /// Regurgitant orifice area per valve (mm^2).
    pub regurgitant_mm2: [f64; 4],
    /// Closing volume per valve.
    pub closing_volume_ml: [f64; 4],
    dt_s: f64,
    /// The chambers' EDPVR exponentials carried between steps, and steps since their last exact
    /// computation.
    bank: ChamberBank<N_CHAMBERS>,
}

/// Connection ends as compile-time tables: the step loops index with constants (no bounds checks).
const FROM: [usize; N_CONNECTIONS] = ends_table(0);
const TO: [usize; N_CONNECTIONS] = ends_table(1);

const fn ends_table(which: usize) -> [usize; N_CONNECTIONS] {
    let mut out = [0; N_CONNECTIONS];
    let mut j = 0;
    while j < N_CONNECTIONS {
        let (from, to) = Connection::ALL[j].ends();
        out[j] = if which == 0 {
            from as usize
        } else {
            to as usize
        };
        j += 1;
    }
    out
}

impl Circuit {
    pub fn new(p: &Patient) -> Self {
        let chamber = [
            ChamberLaw::new(&p.heart.la),
            ChamberLaw::new(&p.heart.lv),
            ChamberLaw::new(&p.heart.ra),
            ChamberLaw::new(&p.heart.rv),
        ];
        let mut c = Circuit {
            chamber,
            activation: [
                Activation::new(&p.heart.la),
                Activation::new(&p.heart.lv),
                Activation::new(&p.heart.ra),
                Activation::new(&p.heart.rv),
            ],
            sides_alike: false,
            elastance_mmhg_per_ml: [0.0; N_NODES],
            v0_ml: [0.0; N_NODES],
            r_mmhg_s_per_ml: [0.0; N_CONNECTIONS],
            l_mmhg_s2_per_ml: [0.0; N_CONNECTIONS],
            regurgitant_mm2: [0.0; 4],
            closing_volume_ml: [0.0; 4],
            dt_s: s_from_ms(p.numerics.dt_ms),
            inertial: [Inertial::default(); N_CONNECTIONS],
            conductance_ml_s_per_mmhg: [0.0; N_CONNECTIONS],
            bank: ChamberBank::new(&chamber),
        };
        c.sides_alike = (0..N_CHAMBERS).all(|k| c.activation[k] == c.activation[LEFT_TWIN[k]]);
        for (i, law) in c.chamber.iter().enumerate() {
            c.v0_ml[i] = law.v0_ml;
        }
        let s = &p.systemic;
        let pu = &p.pulmonary;
        let vessels: [(Node, &Vessel); 9] = [
            (Node::AorticRoot, &s.aortic_root),
            (Node::Arch, &s.arch),
            (Node::ThoracicAorta, &s.thoracic_aorta),
            (Node::Descending, &s.descending),
            (Node::UpperVeins, &s.upper_veins),
            (Node::LowerVeins, &s.lower_veins),
            (Node::PulmonaryArteries, &pu.arteries),
            (Node::PulmonaryCapillaries, &pu.capillaries),
            (Node::PulmonaryVeins, &pu.veins),
        ];
        for (n, v) in vessels {
            c.elastance_mmhg_per_ml[n.index()] = 1.0 / v.c_ml_per_mmhg;
            c.v0_ml[n.index()] = v.v0_ml;
        }
        let valves: [(Connection, &Valve); 4] = [
            (Connection::Mitral, &p.valves.mitral),
            (Connection::Aortic, &p.valves.aortic),
            (Connection::Tricuspid, &p.valves.tricuspid),
            (Connection::Pulmonic, &p.valves.pulmonary),
        ];
        for (path, v) in valves {
            c.r_mmhg_s_per_ml[path.index()] = v.r_mmhg_s_per_ml;
            c.l_mmhg_s2_per_ml[path.index()] = v.l_mmhg_s2_per_ml;
            c.closing_volume_ml[path.index()] = v.closing_volume_ml;
        }
        c.regurgitant_mm2[Connection::Mitral.index()] = p.valves.mitral_regurgitation_mm2;
        c.regurgitant_mm2[Connection::Aortic.index()] = p.valves.aortic_regurgitation_mm2;
        let conduits: [(Connection, &Conduit); 4] = [
            (Connection::RootToArch, &s.root_to_arch),
            (Connection::ArchToDescending, &s.arch_to_descending),
            (Connection::ThoracicToAbdominal, &s.thoracic_to_abdominal),
            (Connection::PulmonaryArterial, &pu.arterial),
        ];
        for (path, k) in conduits {
            c.r_mmhg_s_per_ml[path.index()] = k.r_mmhg_s_per_ml;
            c.l_mmhg_s2_per_ml[path.index()] = k.l_mmhg_s2_per_ml;
        }
        let resistors = [
            (Connection::Coronary, s.coronary_r_mmhg_s_per_ml),
            (Connection::UpperBody, s.upper_body_r_mmhg_s_per_ml),
            (Connection::LowerBody, s.lower_body_r_mmhg_s_per_ml),
            (Connection::Svc, s.svc_r_mmhg_s_per_ml),
            (Connection::Ivc, s.ivc_r_mmhg_s_per_ml),
            (Connection::PulmonaryCapillary, pu.capillary_r_mmhg_s_per_ml),
            (Connection::PulmonaryVenous, pu.venous_r_mmhg_s_per_ml),
            (Connection::Bronchial, s.bronchial_r_mmhg_s_per_ml),
        ];
        for (path, r) in resistors {
            c.r_mmhg_s_per_ml[path.index()] = r;
        }
        for j in VALVES.chain(CONDUITS) {
            c.inertial[j] = Inertial::new(c.r_mmhg_s_per_ml[j], c.l_mmhg_s2_per_ml[j], c.dt_s);
        }
        for j in RESISTORS {
            c.conductance_ml_s_per_mmhg[j] = 1.0 / c.r_mmhg_s_per_ml[j];
        }
        c
    }

    /// Apply the body's and the drugs' modulation to the patient's own values (contractility,
    /// bed and pulmonary resistances, venous unstressed volumes).
    pub fn apply_modulation(&mut self, p: &Patient, m: &Modulation) {
        let (lv, rv) = (Node::Lv.index(), Node::Rv.index());
        for (k, c, ees, edpvr) in [
            (lv, &p.heart.lv, m.lv_ees, m.lv_edpvr),
            (rv, &p.heart.rv, m.rv_ees, m.rv_edpvr),
        ] {
            self.chamber[k] = ChamberLaw::new(&crate::patient::Chamber {
                ees_mmhg_per_ml: c.ees_mmhg_per_ml * ees,
                edpvr_a_mmhg: c.edpvr_a_mmhg * edpvr,
                ..c.clone()
            });
        }
        self.bank.take_laws(&self.chamber);
        let s = &p.systemic;
        for (path, r) in [
            (
                Connection::UpperBody,
                s.upper_body_r_mmhg_s_per_ml * m.upper_body_r,
            ),
            (
                Connection::LowerBody,
                s.lower_body_r_mmhg_s_per_ml * m.lower_body_r,
            ),
            (
                Connection::PulmonaryCapillary,
                p.pulmonary.capillary_r_mmhg_s_per_ml * m.pulmonary_r,
            ),
        ] {
            self.r_mmhg_s_per_ml[path.index()] = r;
            self.conductance_ml_s_per_mmhg[path.index()] = 1.0 / r;
        }
        self.v0_ml[Node::UpperVeins.index()] = s.upper_veins.v0_ml * m.upper_veins_v0.max(0.0);
        self.v0_ml[Node::LowerVeins.index()] = s.lower_veins.v0_ml * m.lower_veins_v0.max(0.0);
    }

    /// Pressures from volumes, once per step: it carries the chambers' EDPVR exponentials on
    /// (see [`ChamberBank`]). `activation[k]` is e(t) of chamber k (in [`CHAMBERS`] order).
    /// `q_state`: the inertial flows at the step's start (the thoracic aorta's wall damping reads
    /// its net inflow). `balloon_ml`: an intra-aortic balloon's gas volume, which occupies the
    /// descending thoracic aorta alongside its blood. `chest_mmhg`: chest compressions' pressure on what lies in the chest.
    #[inline]
    pub fn pressures(
        &mut self,
        activation: &[f64; N_CHAMBERS],
        v: &[f64; N_NODES],
        q_state: &[f64; N_CONNECTIONS],
        balloon_ml: f64,
        chest_mmhg: f64,
        p: &mut [f64; N_NODES],
    ) {
        // One store per node, vessels in a branch-free loop the compiler vectorises: the flow
        // step reads these back in pairs, and a pair load over two separate scalar stores (or
        // a value stored twice) stalls on store forwarding.
        let mut vessels = [0.0; N_NODES - N_CHAMBERS];
        for (k, out) in vessels.iter_mut().enumerate() {
            let i = k + N_CHAMBERS;
            let held = if i == Node::ThoracicAorta.index() {
                v[i] + balloon_ml
            } else {
                v[i]
            };
            *out = self.vessel_pressure_mmhg(i, held);
        }
        let chambers: &[f64; N_CHAMBERS] = v[..N_CHAMBERS].try_into().expect("chambers first");
        let chamber_p = self.bank.pressures_mmhg(activation, chambers);
        p[..N_CHAMBERS].copy_from_slice(&chamber_p);
        p[N_CHAMBERS..].copy_from_slice(&vessels);
        let thoracic_inflow = q_state[Connection::ArchToDescending.index()]
            - q_state[Connection::ThoracicToAbdominal.index()];
        p[Node::ThoracicAorta.index()] += THORACIC_WALL_VISCOSITY_MMHG_S_PER_ML * thoracic_inflow;
        if chest_mmhg != 0.0 {
            compress(chest_mmhg, p);
        }
    }

    /// A vessel's transmural pressure: linear above its unstressed volume; below it the vessel
    /// is buckled and far more compliant (the tube law, Shapiro, J Biomech Eng 1977;99:126).
    #[inline]
    pub fn vessel_pressure_mmhg(&self, node: usize, v_ml: f64) -> f64 {
        let stressed = v_ml - self.v0_ml[node];
        // Below V0 only the fraction COLLAPSED_ELASTANCE_FRACTION of the stressed volume
        // counts: written with a min rather than a select (SSE2 has no blend instruction).
        let buckled = at_most(stressed, 0.0);
        self.elastance_mmhg_per_ml[node]
            * (stressed - (1.0 - COLLAPSED_ELASTANCE_FRACTION) * buckled)
    }

    /// Inverse of [`Self::vessel_pressure_mmhg`] (never below empty).
    pub fn vessel_volume_ml(&self, node: usize, p_mmhg: f64) -> f64 {
        let e = self.elastance_mmhg_per_ml[node];
        let stressed = if p_mmhg >= 0.0 {
            p_mmhg / e
        } else {
            p_mmhg * COLLAPSED_COMPLIANCE_FACTOR / e
        };
        (self.v0_ml[node] + stressed).max(0.0)
    }

    /// Flows from pressures. `q_state` holds the inertial flows (valve forward flow, conduit
    /// flow) and is advanced one step; `q` receives every path's net flow for this step.
    #[inline]
    pub fn flows(
        &self,
        p: &[f64; N_NODES],
        q_state: &mut [f64; N_CONNECTIONS],
        valve_state: &mut [ValveState; 4],
        q: &mut [f64; N_CONNECTIONS],
    ) {
        for j in VALVES {
            let dp = p[FROM[j]] - p[TO[j]];
            let forward = self.inertial[j].valve_step(
                q_state[j],
                dp,
                &mut valve_state[j],
                self.closing_volume_ml[j],
                self.dt_s,
            );
            q_state[j] = forward;
            q[j] = forward + valves::orifice_flow(self.regurgitant_mm2[j], dp);
        }
        for j in CONDUITS {
            let dp = p[FROM[j]] - p[TO[j]];
            let q_new = self.inertial[j].step(q_state[j], dp);
            q_state[j] = q_new;
            q[j] = q_new;
        }
        for j in RESISTORS {
            q[j] = (p[FROM[j]] - p[TO[j]]) * self.conductance_ml_s_per_mmhg[j];
        }
    }

    /// Volumes from flows (explicit, after the flows of this step: semi-implicit Euler).
    ///
    /// If a compartment would be emptied below zero (a numerical overshoot at extreme settings:
    /// more outflow in one step than it holds), its outflows this step are scaled down to what
    /// it holds, on both ends of each path, so volumes stay non-negative and the total is still
    /// conserved. Returns whether that limiter acted.
    #[inline]
    pub fn integrate(
        &self,
        dt_s: f64,
        q: &mut [f64; N_CONNECTIONS],
        q_state: &mut [f64; N_CONNECTIONS],
        v: &mut [f64; N_NODES],
    ) -> bool {
        let mut next = *v;
        apply(dt_s, q, &mut next);
        // Any sign bit set? One OR per pair of volumes, branch-free (an early-exit `all` does
        // not vectorise, and comparisons cost three instructions where an OR costs one). A
        // -0.0 also takes the limiter, which leaves it as it is; NaN is not caught here.
        if next.iter().fold(0u64, |bits, x| bits | x.to_bits()) >> 63 == 0 {
            *v = next;
            return false;
        }
        self.limit(dt_s, q, q_state, v);
        true
    }

    /// The limiter of [`Self::integrate`], out of line: it almost never runs, and kept inline
    /// its state made the common path spill registers to the stack.
    #[cold]
    #[inline(never)]
    fn limit(
        &self,
        dt_s: f64,
        q: &mut [f64; N_CONNECTIONS],
        q_state: &mut [f64; N_CONNECTIONS],
        v: &mut [f64; N_NODES],
    ) {
        let mut outflow_ml = [0.0; N_NODES];
        for (j, &qj) in q.iter().enumerate() {
            let (source, _) = self.source_sink(j, qj);
            outflow_ml[source] += qj.abs() * dt_s;
        }
        let scale: [f64; N_NODES] = std::array::from_fn(|n| {
            if outflow_ml[n] > v[n] {
                v[n].max(0.0) / outflow_ml[n]
            } else {
                1.0
            }
        });
        for j in 0..N_CONNECTIONS {
            let (source, _) = self.source_sink(j, q[j]);
            q[j] *= scale[source];
            q_state[j] *= scale[source];
        }
        apply(dt_s, q, v);
        // Rounding can leave -1e-17 where a node was emptied exactly. (Not `max`: a NaN must
        // stay visible.)
        for x in v.iter_mut() {
            if *x < 0.0 && *x > -ROUNDING_ML {
                *x = 0.0;
            }
        }
    }

    /// The node a flow leaves and the node it enters.
    #[inline]
    fn source_sink(&self, j: usize, q: f64) -> (usize, usize) {
        if q >= 0.0 {
            (FROM[j], TO[j])
        } else {
            (TO[j], FROM[j])
        }
    }
}

/// The compartments inside the chest, which a chest compression squeezes (the thoracic pump):
/// the chambers, the aortic root and the pulmonary circulation. The arch node holds the head
/// and arm arteries and the descending node the abdominal aorta and legs: outside.
pub const INTRATHORACIC: [Node; 9] = [
    Node::La,
    Node::Lv,
    Node::Ra,
    Node::Rv,
    Node::AorticRoot,
    Node::ThoracicAorta,
    Node::PulmonaryArteries,
    Node::PulmonaryCapillaries,
    Node::PulmonaryVeins,
];

/// Add a chest compression's pressure to the intrathoracic compartments (out of line: only
/// during CPR).
#[cold]
#[inline(never)]
fn compress(chest_mmhg: f64, p: &mut [f64; N_NODES]) {
    for n in INTRATHORACIC {
        p[n.index()] += chest_mmhg;
    }
}

/// Move each path's flow for one step from its source node to its sink node.
#[inline(always)]
fn apply(dt_s: f64, q: &[f64; N_CONNECTIONS], v: &mut [f64; N_NODES]) {
    // Two halves: each is short enough for the compiler to unroll fully, so the path ends are
    // constants rather than table loads (one loop of 20 paths stays a loop: +60 instructions a
    // step, counted with callgrind).
    const HALF: usize = N_CONNECTIONS / 2;
    for j in 0..HALF {
        let dv = q[j] * dt_s;
        v[FROM[j]] -= dv;
        v[TO[j]] += dv;
    }
    for j in HALF..N_CONNECTIONS {
        let dv = q[j] * dt_s;
        v[FROM[j]] -= dv;
        v[TO[j]] += dv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_groups_match_their_kinds() {
        for j in VALVES {
            assert!(matches!(
                Connection::ALL[j],
                Connection::Mitral
                    | Connection::Aortic
                    | Connection::Tricuspid
                    | Connection::Pulmonic
            ));
        }
        assert_eq!(Connection::ALL[CONDUITS.start], Connection::RootToArch);
        assert_eq!(
            Connection::ALL[CONDUITS.end - 1],
            Connection::PulmonaryArterial
        );
        assert_eq!(Connection::ALL[RESISTORS.end - 1], Connection::Bronchial);
        assert_eq!(Connection::ALL[DEVICES.start], Connection::EcmoDrainage);
        assert_eq!(DEVICES.end, N_CONNECTIONS);
        for (k, n) in CHAMBERS.iter().enumerate() {
            assert_eq!(n.index(), k);
        }
    }

    #[test]
    fn every_node_has_inflow_and_outflow() {
        for n in Node::ALL {
            assert!(
                Connection::ALL.iter().any(|p| p.ends().0 == *n),
                "{n:?} has no outflow"
            );
            assert!(
                Connection::ALL.iter().any(|p| p.ends().1 == *n),
                "{n:?} has no inflow"
            );
        }
    }
}
