//! Blood gases as the laboratory reports them: from the right radial line (arch blood: brain
//! and right arm), a femoral line (descending aorta), the circuit's pre- and post-oxygenator
//! ports and the pulmonary artery (mixed venous). Each sample's PO2, PCO2 and saturation are
//! the model's for that blood; pH and bicarbonate follow from its PCO2 and the body's standard
//! base excess (`acid_base.rs`).

use crate::acid_base::BloodGas;
use crate::circulation::Node;
use crate::oxygen::{OxygenTransport, saturation_from_po2};
use serde::Serialize;

/// Where a sample is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Site {
    RightRadial,
    Femoral,
    PreOxygenator,
    PostOxygenator,
    MixedVenous,
}

impl Site {
    pub const ALL: [Site; 5] = [
        Site::RightRadial,
        Site::Femoral,
        Site::PreOxygenator,
        Site::PostOxygenator,
        Site::MixedVenous,
    ];

    /// As the laboratory labels the sample.
    pub fn label(self) -> &'static str {
        match self {
            Site::RightRadial => "Arterial, right radial",
            Site::Femoral => "Arterial, femoral",
            Site::PreOxygenator => "ECMO pre-oxygenator",
            Site::PostOxygenator => "ECMO post-oxygenator",
            Site::MixedVenous => "Mixed venous (PA)",
        }
    }

    /// Drawn from an artery (the printout's reference ranges are arterial).
    pub fn is_arterial(self) -> bool {
        matches!(self, Site::RightRadial | Site::Femoral)
    }

    /// The column heading of a printout.
    pub fn short(self) -> &'static str {
        match self {
            Site::RightRadial => "R radial",
            Site::Femoral => "Femoral",
            Site::PreOxygenator => "Pre-oxy",
            Site::PostOxygenator => "Post-oxy",
            Site::MixedVenous => "Mixed ven",
        }
    }
}

/// One set of samples drawn at once (the circuit's only with ECMO running).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct BloodGases {
    /// Simulated time the samples were drawn.
    pub t_s: f64,
    pub right_radial: BloodGas,
    pub femoral: BloodGas,
    pub pre_oxygenator: Option<BloodGas>,
    pub post_oxygenator: Option<BloodGas>,
    pub mixed_venous: BloodGas,
}

impl BloodGases {
    /// Samples of the blood in `o` at `t_s`, with the body's standard base excess and lactate.
    pub fn draw(o: &OxygenTransport, t_s: f64, sbe: f64, lactate: f64, ecmo_on: bool) -> Self {
        // A sample's sO2 is the co-oximeter's: of the blood once its bound and dissolved O2 have
        // shared out again (mixed ECMO and native blood rebinds the dissolved O2).
        let node = |n: Node| {
            let po2 = o.po2_mmhg(n);
            BloodGas::of(o.pco2_mmhg(n), po2, saturation_from_po2(po2), sbe, lactate)
        };
        let circuit = |(_, po2, pco2): (f64, f64, f64)| {
            BloodGas::of(pco2, po2, saturation_from_po2(po2), sbe, lactate)
        };
        BloodGases {
            t_s,
            right_radial: node(Node::Arch),
            femoral: node(Node::Descending),
            pre_oxygenator: ecmo_on.then(|| circuit(o.pre_oxygenator())),
            post_oxygenator: ecmo_on.then(|| circuit(o.post_oxygenator())),
            mixed_venous: node(Node::PulmonaryArteries),
        }
    }

    /// The first sample with a value no blood can have (a partial pressure, bicarbonate,
    /// saturation or lactate negative or not finite, a pH outside the reported range), named;
    /// `None` when every drawn sample is physical. For checks of the model (tests, fuzzing).
    pub fn unphysical(&self) -> Option<String> {
        let ph_range = crate::acid_base::PH_MIN..=crate::acid_base::PH_MAX;
        Site::ALL.into_iter().find_map(|site| {
            let g = self.at(site)?;
            let values = [
                g.pco2_mmhg,
                g.po2_mmhg,
                g.hco3_mmol_l,
                g.so2_pct,
                g.lactate_mmol_l,
            ];
            let bad =
                values.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || !ph_range.contains(&g.ph);
            bad.then(|| format!("{site:?}: {g:?}"))
        })
    }

    /// The sample from `site`, if drawn.
    pub fn at(&self, site: Site) -> Option<&BloodGas> {
        match site {
            Site::RightRadial => Some(&self.right_radial),
            Site::Femoral => Some(&self.femoral),
            Site::PreOxygenator => self.pre_oxygenator.as_ref(),
            Site::PostOxygenator => self.post_oxygenator.as_ref(),
            Site::MixedVenous => Some(&self.mixed_venous),
        }
    }
}

/// A printout's analytes: name, unit, reference range (arterial), and how to read the value.
pub struct Analyte {
    pub name: &'static str,
    pub unit: &'static str,
    /// Arterial reference range (None: no range printed).
    pub range: Option<(f64, f64)>,
    pub decimals: usize,
    pub value: fn(&BloodGas) -> f64,
}

/// The rows of a blood-gas printout, with adult arterial reference ranges (PaCO2 35-45, pH
/// 7.35-7.45, HCO3 22-26, lactate 0.5-2: docs/VALIDATION.md).
#[rustfmt::skip]
pub const ANALYTES: [Analyte; 7] = [
    Analyte { name: "pH", unit: "", range: Some((7.35, 7.45)), decimals: 2, value: |g| g.ph },
    Analyte { name: "pCO2", unit: "mmHg", range: Some((35.0, 45.0)), decimals: 0, value: |g| g.pco2_mmhg },
    Analyte { name: "pO2", unit: "mmHg", range: Some((80.0, 100.0)), decimals: 0, value: |g| g.po2_mmhg },
    Analyte { name: "HCO3-", unit: "mmol/L", range: Some((22.0, 26.0)), decimals: 1, value: |g| g.hco3_mmol_l },
    Analyte { name: "BE", unit: "mmol/L", range: Some((-2.0, 2.0)), decimals: 1, value: |g| g.base_excess_mmol_l },
    Analyte { name: "sO2", unit: "%", range: Some((95.0, 100.0)), decimals: 1, value: |g| g.so2_pct },
    Analyte { name: "Lactate", unit: "mmol/L", range: Some((0.5, 2.0)), decimals: 1, value: |g| g.lactate_mmol_l },
];

/// The run summary's blood-gas keys (a contract: add, never rename).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct GasSummary {
    /// Right radial (arch) arterial gas.
    pub paco2_mmhg: f64,
    pub pao2_upper_mmhg: f64,
    /// Femoral (descending aorta) arterial PO2.
    pub pao2_lower_mmhg: f64,
    pub ph: f64,
    pub hco3_mmol_l: f64,
    pub base_excess_mmol_l: f64,
    pub lactate_mmol_l: f64,
    /// Change of lactate now, per hour.
    pub lactate_rate_mmol_l_h: f64,
    /// Mixed venous PCO2 and the venous-to-arterial PCO2 gap (above 6 mmHg: flow too low for
    /// the CO2 the body makes).
    pub pvco2_mmhg: f64,
    pub pv_aco2_gap_mmhg: f64,
    /// The circuit's gases (null without ECMO).
    pub ecmo_pre_oxygenator_po2_mmhg: Option<f64>,
    pub ecmo_pre_oxygenator_pco2_mmhg: Option<f64>,
    pub ecmo_post_oxygenator_po2_mmhg: Option<f64>,
    pub ecmo_post_oxygenator_pco2_mmhg: Option<f64>,
    /// Alveolar PO2 and PCO2 of the ventilated alveoli (PAO2 - PaO2: the A-a gradient).
    pub alveolar_po2_mmhg: f64,
    pub alveolar_pco2_mmhg: f64,
    /// CO2 breathed out by the lungs and taken by the oxygenator's sweep gas.
    pub vco2_lungs_ml_min: f64,
    pub vco2_oxygenator_ml_min: f64,
    /// Share of the lower body's and the upper body's demand their hypoxic tissue cannot meet.
    pub anaerobic_upper_pct: f64,
    pub anaerobic_lower_pct: f64,
    /// The liver's lactate uptake capacity (100: normal).
    pub hepatic_function_pct: f64,
    /// Running mean of the lower body's blood flow (the liver's share of it is its perfusion).
    pub lower_body_flow_l_min: f64,
}

impl GasSummary {
    /// The keys of `gases` and the slow state's rates.
    pub fn of(g: &BloodGases, o: &OxygenTransport, lactate: &crate::lactate::Lactate) -> Self {
        let a = &g.right_radial;
        let stores = o.co2_stores();
        let [upper, lower] = o.anaerobic_shares();
        GasSummary {
            paco2_mmhg: a.pco2_mmhg,
            pao2_upper_mmhg: a.po2_mmhg,
            pao2_lower_mmhg: g.femoral.po2_mmhg,
            ph: a.ph,
            hco3_mmol_l: a.hco3_mmol_l,
            base_excess_mmol_l: a.base_excess_mmol_l,
            lactate_mmol_l: lactate.mmol_l,
            lactate_rate_mmol_l_h: lactate.rate_mmol_l_h,
            pvco2_mmhg: g.mixed_venous.pco2_mmhg,
            pv_aco2_gap_mmhg: g.mixed_venous.pco2_mmhg - a.pco2_mmhg,
            ecmo_pre_oxygenator_po2_mmhg: g.pre_oxygenator.map(|s| s.po2_mmhg),
            ecmo_pre_oxygenator_pco2_mmhg: g.pre_oxygenator.map(|s| s.pco2_mmhg),
            ecmo_post_oxygenator_po2_mmhg: g.post_oxygenator.map(|s| s.po2_mmhg),
            ecmo_post_oxygenator_pco2_mmhg: g.post_oxygenator.map(|s| s.pco2_mmhg),
            alveolar_po2_mmhg: o.alveolar_po2(),
            alveolar_pco2_mmhg: stores.alveolar_mmhg,
            vco2_lungs_ml_min: stores.exhaled_ml_min.max(0.0),
            vco2_oxygenator_ml_min: stores.oxygenator_ml_min.max(0.0),
            anaerobic_upper_pct: crate::units::pct_from_fraction(upper),
            anaerobic_lower_pct: crate::units::pct_from_fraction(lower),
            hepatic_function_pct: crate::units::pct_from_fraction(lactate.hepatic_function),
            lower_body_flow_l_min: crate::units::l_min_from_ml_s(o.lower_body_flow_ml_min() / 60.0),
        }
    }
}
