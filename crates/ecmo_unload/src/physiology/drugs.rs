//! Vasoactive and inotropic infusions: pharmacokinetics to an effect site, and saturating
//! dose-response curves on contractility, heart rate, vascular resistance and venous tone.
//!
//! Kinetics (one compartment plus an effect site, concentrations in dose-equivalent units so
//! that the steady state equals the infusion rate):
//!   dCp/dt = k (rate - Cp),  k = ln 2 / t1/2;  a bolus B (mcg/kg) adds k B to Cp;
//!   dCe/dt = ke0 (Cp - Ce).
//! Both are advanced with their exact exponential solution, so any step is stable.
//! Dynamics: each receptor action is an Emax curve, factor = 1 + Emax Ce^n / (Ce^n + EC50^n);
//! actions on one parameter multiply. Parameters and sources: docs/MODEL.md section 7e.

use crate::circulation::Modulation;
use crate::error::Error;
use crate::units::min_from_s;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drug {
    Dobutamine,
    Milrinone,
    Epinephrine,
    Norepinephrine,
}

pub const N_DRUGS: usize = 4;

impl Drug {
    pub const ALL: [Drug; N_DRUGS] = [
        Drug::Dobutamine,
        Drug::Milrinone,
        Drug::Epinephrine,
        Drug::Norepinephrine,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Drug::Dobutamine => "dobutamine",
            Drug::Milrinone => "milrinone",
            Drug::Epinephrine => "epinephrine",
            Drug::Norepinephrine => "norepinephrine",
        }
    }

    pub fn parse(name: &str) -> Result<Drug, Error> {
        Drug::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::Invalid {
                key: "drug".into(),
                value: name.into(),
                reason: "expected dobutamine, milrinone, epinephrine or norepinephrine".into(),
            })
    }

    /// A loading dose as written `DRUG:MCG_KG` (`run --bolus`, a scenario's `bolus` action);
    /// `Ok(None)` if it is not a name and a number, an error naming the drugs if the name is
    /// not one of them or the range if the dose is outside [`Drug::max_bolus_mcg_kg`].
    pub fn parse_bolus(text: &str) -> Result<Option<(Drug, f64)>, Error> {
        let Some((name, dose)) = text.split_once(':') else {
            return Ok(None);
        };
        let Ok(dose) = dose.trim().parse::<f64>() else {
            return Ok(None);
        };
        let drug = Drug::parse(name.trim())?;
        drug.check_bolus(dose)?;
        Ok(Some((drug, dose)))
    }

    /// The largest loading dose (mcg/kg): the one that lifts the plasma level to
    /// [`MAX_BOLUS_PLASMA_RATIO`] times the top of the drug's infusion range. For epinephrine
    /// 29 mcg/kg, twice an arrest dose of 1 mg in 70 kg.
    pub fn max_bolus_mcg_kg(self) -> f64 {
        let p = self.profile();
        MAX_BOLUS_PLASMA_RATIO * p.max_rate_mcg_kg_min * min_from_s(p.half_life_s)
            / std::f64::consts::LN_2
    }

    /// A loading dose inside 0 to [`Drug::max_bolus_mcg_kg`] (to 0.1 mcg/kg, as the error
    /// shows it), or the error naming the range.
    pub fn check_bolus(self, mcg_kg: f64) -> Result<(), Error> {
        let max = (self.max_bolus_mcg_kg() * 10.0).floor() / 10.0;
        if mcg_kg.is_finite() && (0.0..=max).contains(&mcg_kg) {
            Ok(())
        } else {
            Err(Error::OutOfRange {
                key: format!("{} bolus", self.name()),
                value: mcg_kg,
                min: 0.0,
                max,
                unit: "mcg/kg",
            })
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The published kinetics and dose-response of this drug.
    pub fn profile(self) -> &'static Profile {
        &PROFILES[self.index()]
    }
}

impl Drugs {
    pub fn rate_mcg_kg_min(&self, d: Drug) -> f64 {
        match d {
            Drug::Dobutamine => self.dobutamine_mcg_kg_min,
            Drug::Milrinone => self.milrinone_mcg_kg_min,
            Drug::Epinephrine => self.epinephrine_mcg_kg_min,
            Drug::Norepinephrine => self.norepinephrine_mcg_kg_min,
        }
    }
}

/// What a receptor action changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// LV and RV end-systolic elastance (inotropy).
    Contractility,
    /// LV and RV passive diastolic stiffness (lusitropy below 0: the EDPVR shifts down).
    DiastolicStiffness,
    /// Heart rate (chronotropy): the factor divides the heart period.
    Rate,
    /// Upper- and lower-body bed resistance.
    SystemicResistance,
    PulmonaryResistance,
    /// Venous unstressed volume (venoconstriction below 1).
    VenousUnstressedVolume,
    /// Aerobic glycolysis (beta-2, Na/K-ATPase): lactate production, as a multiple of basal
    /// added (`lactate.rs`); no hemodynamic effect.
    Glycolysis,
}

/// One receptor action: the parameter changes by the fraction `emax` at full occupancy.
#[derive(Clone, Copy, Debug)]
pub struct Action {
    pub target: Target,
    pub emax: f64,
    pub ec50_mcg_kg_min: f64,
    pub hill: f64,
}

const fn act(target: Target, emax: f64, ec50_mcg_kg_min: f64, hill: f64) -> Action {
    Action {
        target,
        emax,
        ec50_mcg_kg_min,
        hill,
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Profile {
    pub half_life_s: f64,
    /// The top of the infusion range (`drugs.<name>_mcg_kg_min`).
    pub max_rate_mcg_kg_min: f64,
    /// Plasma to effect-site equilibration half-time (ln 2 / ke0).
    pub effect_site_half_time_s: f64,
    /// The first action is the drug's principal one: its occupancy is `<drug>_effect`.
    pub actions: &'static [Action],
}

/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::Drugs;
use Target::*;

/// Kinetics from the labels; dose-response calibrated to the hemodynamic studies cited in
/// docs/MODEL.md 7e (order: [`Drug::ALL`]).
pub const PROFILES: [Profile; N_DRUGS] = [
    // Dobutamine: beta1 >> beta2, alpha1; t1/2 2 min, onset 1-2 min.
    Profile {
        half_life_s: 120.0,
        max_rate_mcg_kg_min: 40.0,
        effect_site_half_time_s: 60.0,
        actions: &[
            act(Contractility, 1.0, 7.0, 1.0),
            act(Rate, 0.15, 10.0, 1.5),
            act(SystemicResistance, -0.6, 7.0, 1.0),
            act(DiastolicStiffness, -0.3, 7.0, 1.0),
        ],
    },
    // Milrinone: PDE3 inhibitor, inodilator; t1/2 2.3 h in heart failure.
    Profile {
        half_life_s: 8280.0,
        max_rate_mcg_kg_min: 1.5,
        effect_site_half_time_s: 300.0,
        actions: &[
            act(Contractility, 0.4, 0.35, 1.0),
            act(SystemicResistance, -0.45, 0.35, 1.0),
            act(PulmonaryResistance, -0.4, 0.35, 1.0),
            act(VenousUnstressedVolume, 0.5, 0.35, 1.0),
            act(Rate, 0.12, 0.35, 1.0),
            act(DiastolicStiffness, -0.55, 0.35, 1.0),
        ],
    },
    // Epinephrine: beta1 and beta2 at low doses, alpha1 above ~0.1-0.2.
    Profile {
        half_life_s: 120.0,
        max_rate_mcg_kg_min: 2.0,
        effect_site_half_time_s: 60.0,
        actions: &[
            act(Contractility, 1.2, 0.08, 1.0),
            act(Rate, 0.6, 0.1, 1.0),
            act(SystemicResistance, -0.5, 0.03, 1.0),
            act(SystemicResistance, 1.5, 0.4, 1.5),
            act(VenousUnstressedVolume, -0.1, 0.2, 1.0),
            // Beta-2 aerobic glycolysis (Levy, Lancet 2005;365:871; Shock 2008): epinephrine
            // raises lactate where norepinephrine at a like MAP does not (Levy, JACC 2018;72:173).
            act(Glycolysis, EPINEPHRINE_GLYCOLYSIS_EMAX, 0.05, 1.0),
        ],
    },
    // Norepinephrine: alpha1 >> beta1; t1/2 2.4 min.
    Profile {
        half_life_s: 144.0,
        max_rate_mcg_kg_min: 3.0,
        effect_site_half_time_s: 60.0,
        actions: &[
            act(SystemicResistance, 1.4, 0.3, 1.2),
            act(VenousUnstressedVolume, -0.12, 0.2, 1.0),
            act(Contractility, 0.45, 0.15, 1.0),
            act(Rate, 0.1, 0.2, 1.0),
        ],
    },
];

/// Epinephrine's most extra lactate production, a multiple of basal (**M**: with the EC50 of
/// 0.05 mcg/kg/min, 0.05 mcg/kg/min multiplies production by 2.5 and 0.1 by 3, enough that
/// at a MAP norepinephrine also reaches lactate ends higher with epinephrine, as in OptimaCC,
/// although the model's epinephrine raises the cardiac index more: docs/MODEL.md 7m).
pub const EPINEPHRINE_GLYCOLYSIS_EMAX: f64 = 3.0;

/// A loading dose may lift a drug's plasma level to at most this many times the top of its
/// infusion range (**C**: generous for every dose in use, a milrinone load of 50 mcg/kg or an
/// arrest dose of epinephrine; it bounds what a typing error can do).
pub const MAX_BOLUS_PLASMA_RATIO: f64 = 5.0;

/// The RV's inotropic response as a share of the LV's: beta-adrenergic stimulation raises LV
/// contractility significantly more than RV contractility (Jerzewski et al., J Comput Assist
/// Tomogr 1998;22:569, both ESPVR slopes measured at once). The share is the model's
/// (docs/MODEL.md 7e): with equal shares an inotrope pumps the systemic veins into the lungs
/// and the wedge pressure of a failing LV barely falls.
pub const RV_INOTROPY_SHARE: f64 = 0.5;

fn occupancy(a: &Action, ce: f64) -> f64 {
    if ce <= 0.0 {
        return 0.0;
    }
    let x = (ce / a.ec50_mcg_kg_min).powf(a.hill);
    x / (1.0 + x)
}

/// The running infusions: plasma and effect-site concentrations per drug.
#[derive(Clone, Debug, Default)]
pub struct Pharmacology {
    plasma: [f64; N_DRUGS],
    effect_site: [f64; N_DRUGS],
}

/// Below this every concentration counts as gone (keeps a stopped infusion from costing time).
const NEGLIGIBLE_MCG_KG_MIN: f64 = 1e-9;

impl Pharmacology {
    /// Is any drug on board or running?
    pub fn active(&self, rates: &Drugs) -> bool {
        Drug::ALL.iter().any(|&d| {
            let i = d.index();
            rates.rate_mcg_kg_min(d) > 0.0
                || self.plasma[i] > NEGLIGIBLE_MCG_KG_MIN
                || self.effect_site[i] > NEGLIGIBLE_MCG_KG_MIN
        })
    }

    /// Advance the kinetics by `dt_s` at the given infusion rates.
    pub fn step(&mut self, rates: &Drugs, dt_s: f64) {
        for d in Drug::ALL {
            let (i, prof) = (d.index(), d.profile());
            let rate = rates.rate_mcg_kg_min(d);
            let k = std::f64::consts::LN_2 / prof.half_life_s;
            let ke0 = std::f64::consts::LN_2 / prof.effect_site_half_time_s;
            let (cp0, ce0) = (self.plasma[i], self.effect_site[i]);
            let decay = (-k * dt_s).exp();
            let decay_e = (-ke0 * dt_s).exp();
            // Exact solution of the linear pair over the step (plasma drives the effect site).
            let cp = rate + (cp0 - rate) * decay;
            let ce = if (k - ke0).abs() < 1e-12 {
                rate + (ce0 - rate) * decay_e + (cp0 - rate) * ke0 * dt_s * decay_e
            } else {
                rate + (ce0 - rate) * decay_e + (cp0 - rate) * ke0 / (ke0 - k) * (decay - decay_e)
            };
            self.plasma[i] = cp.max(0.0);
            self.effect_site[i] = ce.max(0.0);
        }
    }

    /// A loading dose: `mcg_kg` into the plasma compartment at once.
    pub fn bolus(&mut self, d: Drug, mcg_kg: f64) -> Result<(), Error> {
        d.check_bolus(mcg_kg)?;
        let k_per_min = std::f64::consts::LN_2 / min_from_s(d.profile().half_life_s);
        // Repeated loading doses stop at the same plasma level one maximal dose reaches.
        let cap = MAX_BOLUS_PLASMA_RATIO * d.profile().max_rate_mcg_kg_min;
        let level = &mut self.plasma[d.index()];
        *level = (*level + k_per_min * mcg_kg).min(cap.max(*level));
        Ok(())
    }

    /// Effect-site concentration (dose-equivalent: equals the rate at steady state).
    pub fn effect_site_mcg_kg_min(&self, d: Drug) -> f64 {
        self.effect_site[d.index()]
    }

    /// Occupancy of the drug's principal action, 0-1 (`<drug>_effect`).
    pub fn effect(&self, d: Drug) -> f64 {
        occupancy(&d.profile().actions[0], self.effect_site[d.index()])
    }

    /// Extra aerobic glycolysis from the drugs on board, a multiple of basal lactate production.
    pub fn glycolysis(&self) -> f64 {
        let mut g = 0.0;
        for d in Drug::ALL {
            let ce = self.effect_site[d.index()];
            for a in d
                .profile()
                .actions
                .iter()
                .filter(|a| a.target == Glycolysis)
            {
                g += a.emax * occupancy(a, ce);
            }
        }
        g
    }

    /// What the drugs on board do now.
    pub fn modulation(&self) -> Modulation {
        let mut m = Modulation::NONE;
        for d in Drug::ALL {
            let ce = self.effect_site[d.index()];
            if ce <= 0.0 {
                continue;
            }
            for a in d.profile().actions {
                let f = 1.0 + a.emax * occupancy(a, ce);
                match a.target {
                    Contractility => {
                        m.lv_ees *= f;
                        m.rv_ees *= 1.0 + (f - 1.0) * RV_INOTROPY_SHARE;
                    }
                    DiastolicStiffness => {
                        m.lv_edpvr *= f;
                        m.rv_edpvr *= f;
                    }
                    Rate => m.heart_period /= f,
                    SystemicResistance => {
                        m.upper_body_r *= f;
                        m.lower_body_r *= f;
                    }
                    PulmonaryResistance => m.pulmonary_r *= f,
                    VenousUnstressedVolume => {
                        m.upper_veins_v0 *= f;
                        m.lower_veins_v0 *= f;
                    }
                    Glycolysis => {}
                }
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &mut Pharmacology, rates: &Drugs, seconds: f64) {
        let dt = 0.01;
        for _ in 0..(seconds / dt).round() as usize {
            p.step(rates, dt);
        }
    }

    #[test]
    fn infusions_approach_their_rate_at_the_published_pace() {
        let rates = Drugs {
            dobutamine_mcg_kg_min: 10.0,
            milrinone_mcg_kg_min: 0.5,
            ..Drugs::default()
        };
        let mut p = Pharmacology::default();
        run(&mut p, &rates, 120.0);
        let dob = p.effect_site_mcg_kg_min(Drug::Dobutamine);
        // One half-life (2 min): plasma at half, the effect site lagging behind it.
        assert!(dob > 2.0 && dob < 5.0, "dobutamine Ce at 2 min {dob}");
        run(&mut p, &rates, 1080.0);
        let dob = p.effect_site_mcg_kg_min(Drug::Dobutamine);
        assert!(dob > 9.5 && dob <= 10.0, "at 20 min {dob}");
        let mil = p.effect_site_mcg_kg_min(Drug::Milrinone);
        assert!(
            mil < 0.1 * 0.5 * 1.5,
            "milrinone is slow without a bolus: {mil}"
        );
        run(&mut p, &rates, 3.0 * 3600.0);
        let mil = p.effect_site_mcg_kg_min(Drug::Milrinone);
        assert!(
            mil > 0.25 && mil < 0.5,
            "half or more of steady state by 3 h: {mil}"
        );
    }

    #[test]
    fn a_milrinone_loading_dose_gives_effect_at_once() {
        let rates = Drugs {
            milrinone_mcg_kg_min: 0.5,
            ..Drugs::default()
        };
        let mut p = Pharmacology::default();
        p.bolus(Drug::Milrinone, 50.0).unwrap();
        run(&mut p, &rates, 1800.0);
        let loaded = p.effect_site_mcg_kg_min(Drug::Milrinone);
        let mut q = Pharmacology::default();
        run(&mut q, &rates, 1800.0);
        let unloaded = q.effect_site_mcg_kg_min(Drug::Milrinone);
        assert!(loaded > 2.0 * unloaded, "{loaded} vs {unloaded}");
        assert!(p.bolus(Drug::Milrinone, f64::NAN).is_err());
    }

    #[test]
    fn stopping_washes_out_and_effects_saturate() {
        let rates = Drugs {
            epinephrine_mcg_kg_min: 0.1,
            ..Drugs::default()
        };
        let mut p = Pharmacology::default();
        run(&mut p, &rates, 900.0);
        let on = p.effect(Drug::Epinephrine);
        assert!(on > 0.3 && on < 1.0);
        run(&mut p, &Drugs::default(), 1800.0);
        assert!(p.effect(Drug::Epinephrine) < 0.01);
        // Doubling a high dose adds less than doubling a low one (saturation).
        let m = |dose: f64| {
            let mut p = Pharmacology::default();
            let r = Drugs {
                dobutamine_mcg_kg_min: dose,
                ..Drugs::default()
            };
            run(&mut p, &r, 1800.0);
            p.modulation().lv_ees
        };
        let (m5, m10, m20, m40) = (m(5.0), m(10.0), m(20.0), m(40.0));
        assert!(m10 - m5 > m40 - m20 - 1e-9 || (m40 - m20) < (m20 - m10));
        assert!(m5 > 1.0 && m10 > m5 && m20 > m10 && m40 > m20);
    }

    #[test]
    fn norepinephrine_constricts_and_epinephrine_speeds_the_heart() {
        let steady = |r: Drugs| {
            let mut p = Pharmacology::default();
            run(&mut p, &r, 1800.0);
            p.modulation()
        };
        let ne = steady(Drugs {
            norepinephrine_mcg_kg_min: 0.3,
            ..Drugs::default()
        });
        let epi = steady(Drugs {
            epinephrine_mcg_kg_min: 0.1,
            ..Drugs::default()
        });
        assert!(ne.lower_body_r > 1.5 && ne.lower_veins_v0 < 1.0);
        assert!(epi.heart_period < ne.heart_period && epi.lv_ees > ne.lv_ees);
        let dob = steady(Drugs {
            dobutamine_mcg_kg_min: 10.0,
            ..Drugs::default()
        });
        assert!(dob.lower_body_r < 1.0 && dob.lv_ees > 1.4);
    }

    #[test]
    fn repeated_loading_doses_stop_at_the_largest_ones_level() {
        for d in Drug::ALL {
            let mut p = Pharmacology::default();
            let max = d.max_bolus_mcg_kg();
            p.bolus(d, (max * 10.0).floor() / 10.0).unwrap();
            let one = p.plasma[d.index()];
            for _ in 0..100 {
                p.bolus(d, (max * 10.0).floor() / 10.0).unwrap();
            }
            let cap = MAX_BOLUS_PLASMA_RATIO * d.profile().max_rate_mcg_kg_min;
            assert!(p.plasma[d.index()] <= cap + 1e-9, "{d:?}");
            assert!(p.plasma[d.index()] >= one, "{d:?}");
            assert!(p.bolus(d, max * 1.01).is_err(), "{d:?}");
        }
    }
}
