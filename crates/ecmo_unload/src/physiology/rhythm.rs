//! The heart's rhythm: when each chamber is activated. The ventricles at R waves (sinus, paced,
//! AF, VT), the atria coupled to them (sinus, AV sequential pacing), beating on their own (VVI
//! pacing, VT: AV dissociation) or not at all (AF, VF, asystole). Sources in docs/MODEL.md,
//! section "Rhythms".

use crate::circulation::{CHAMBERS, Modulation, N_CHAMBERS, Node};
use crate::heart::{Activation, bazett_scale, table_rate_per_s};
use crate::patient::{Atria, Patient, RhythmKind};
use crate::random::Rng;
use crate::units::{period_s_from_bpm, s_from_ms};

/// Coefficient of variation of the RR interval in atrial fibrillation: the RR varies by about a
/// fifth of its mean, beat to beat, at any mean rate (Tateno & Glass, Med Biol Eng Comput
/// 2001;39:664: the CV is about constant through AF).
pub const AF_RR_CV: f64 = 0.2;
/// AF RR intervals are drawn log-normal (unimodal and right-skewed, as measured: Hashida &
/// Tasaki, Jpn Heart J 1984;25:669), within this many SDs of the median.
pub const AF_RR_TRUNCATE_SD: f64 = 2.5;
/// The fastest the autonomic tone drives a sinus node or AF's AV conduction: an adult's maximal
/// heart rate, 220 - age (Fox et al., Ann Clin Res 1971;3:404; 208 - 0.7 age, Tanaka et al.,
/// JACC 2001;37:153, gives 180-190 at 30-40 years), taken as 200/min.
pub const MAX_TONE_RATE_BPM: f64 = 200.0;
/// The irregular rhythm's random stream (fixed: an AF run replays bit for bit).
const AF_SEED: u64 = 0xAF_AF_AF;
/// Ventricles activated from one site (a pacing lead, a VT focus: a wide QRS) contract out of
/// step and generate less pressure at the same volume: end-systolic elastance falls with V0
/// unchanged, peak isovolumic pressure by 26 +- 10 % with free-wall pacing and less from other
/// sites, in proportion to the QRS widening (Burkhoff, Oikawa & Sagawa, Am J Physiol
/// 1986;251:H428). A fifth less, between their sites.
pub const ECTOPIC_ACTIVATION_EES_FACTOR: f64 = 0.8;
/// ...and their mechanical systole lasts longer: activation spreads through the myocardium
/// instead of the conduction system, so the last region contracts and relaxes about as much
/// later as the QRS is wider (a paced or VT QRS of 150-180 ms against 90: some 70 ms on a QT of
/// about 400 ms), and isovolumic contraction and relaxation lengthen (Dwivedi et al., Indian
/// Pacing Electrophysiol J 2006;6:142). Ventricular activation is stretched in time by this
/// factor: at fast rates diastole all but vanishes, filling fails and the filling pressure rises,
/// as in VT (Lima et al., Circulation 1983;68:928: LVEDP 12 -> 28 mmHg).
pub const ECTOPIC_ACTIVATION_STRETCH: f64 = 1.18;

/// What a rhythm does to contractility: a ventricle activated from a pacing lead or a
/// ventricular focus contracts dyssynchronously ([`ECTOPIC_ACTIVATION_EES_FACTOR`]).
pub fn modulation(kind: RhythmKind) -> Modulation {
    match kind {
        RhythmKind::Paced | RhythmKind::PacedAv | RhythmKind::Vt => Modulation {
            lv_ees: ECTOPIC_ACTIVATION_EES_FACTOR,
            rv_ees: ECTOPIC_ACTIVATION_EES_FACTOR,
            ..Modulation::NONE
        },
        _ => Modulation::NONE,
    }
}

/// One activation timing: time since onset, the period, the one before (its activation tail
/// may still be relaxing), and the table lookup rate (Bazett-scaled).
#[derive(Clone, Debug)]
struct Timing {
    since_s: f64,
    period_s: f64,
    previous_period_s: f64,
    table_rate_per_s: f64,
    /// Per chamber: the previous beat's activation tail is zero from this time into the beat
    /// (usually at once; fast rates and slow relaxation make it run on).
    tail_until_s: [f64; N_CHAMBERS],
}

impl Timing {
    fn new() -> Self {
        Self {
            since_s: 0.0,
            period_s: f64::INFINITY,
            previous_period_s: f64::INFINITY,
            table_rate_per_s: table_rate_per_s(1.0),
            tail_until_s: [0.0; N_CHAMBERS],
        }
    }

    /// A new beat of `period_s` starts, its timing scaled by Bazett and stretched by `stretch`.
    fn start(&mut self, period_s: f64, stretch: f64, tables: &[Activation; N_CHAMBERS]) {
        self.previous_period_s = self.period_s;
        self.period_s = period_s;
        self.table_rate_per_s = table_rate_per_s(bazett_scale(period_s) * stretch);
        self.retime(tables);
    }

    fn retime(&mut self, tables: &[Activation; N_CHAMBERS]) {
        self.tail_until_s = std::array::from_fn(|k| {
            tables[k].end_s(self.table_rate_per_s) - self.previous_period_s
        });
    }

    /// Chamber `k`'s activation `t_s` into this beat. When systole outlasts the period (fast
    /// rates, slow relaxation) the previous beat's tail is still there: the activation is the
    /// larger of the two, so it runs on continuously through the onset (incomplete relaxation).
    #[inline]
    fn activation(&self, tables: &[Activation; N_CHAMBERS], k: usize, t_s: f64) -> f64 {
        let now = tables[k].at_rate(t_s, self.table_rate_per_s);
        if t_s < self.tail_until_s[k] {
            now.max(tables[k].at_rate(t_s + self.previous_period_s, self.table_rate_per_s))
        } else {
            now
        }
    }
}

/// The cardiac clock: R waves at the rhythm's rate and the atria's own timing.
#[derive(Clone, Debug)]
pub struct CardiacClock {
    kind: RhythmKind,
    atria: Atria,
    /// The ventricles: time since the last R wave, RR.
    ventricles: Timing,
    /// Dissociated atria: time since their last activation onset, PP.
    atrial: Timing,
    av_delay_s: f64,
    r_wave_pending: bool,
    /// Does the rhythm make beats at all (not in VF or asystole)?
    beating: bool,
    rng: Rng,
}

impl CardiacClock {
    pub fn new(p: &Patient, tables: &[Activation; N_CHAMBERS]) -> Self {
        let mut c = CardiacClock {
            kind: p.rhythm.kind,
            atria: p.rhythm.kind.atria(),
            ventricles: Timing::new(),
            atrial: Timing::new(),
            av_delay_s: 0.0,
            // A first R wave at once, if the rhythm beats at all.
            r_wave_pending: p.rhythm.kind.beats(),
            beating: p.rhythm.kind.beats(),
            rng: Rng::for_patient(AF_SEED, 0),
        };
        c.start_beat(p, 1.0, tables);
        c.start_atrial_beat(p, 1.0, tables);
        c
    }

    /// Rate and timing are taken up at each R wave, as the heart does. `heart_period`: the
    /// reflex's and drugs' change of the heart period, which moves a sinus rate and AF's
    /// ventricular response but not a pacemaker's or a ventricular focus's.
    fn start_beat(&mut self, p: &Patient, heart_period: f64, tables: &[Activation; N_CHAMBERS]) {
        let set_rr_s = period_s_from_bpm(p.rhythm.rate_bpm);
        let mut rr_s = if self.kind.rate_follows_tone() {
            // The reflex and drugs speed the sinus node (or AV conduction in AF) no faster
            // than its maximum, or than the rate set if that is faster still.
            let fastest_s = period_s_from_bpm(MAX_TONE_RATE_BPM).min(set_rr_s);
            (set_rr_s * heart_period).max(fastest_s)
        } else {
            set_rr_s
        };
        if self.kind == RhythmKind::Af {
            // Log-normal with mean rr_s and CV AF_RR_CV.
            let sigma = (1.0 + AF_RR_CV * AF_RR_CV).ln().sqrt();
            rr_s *= (sigma * self.rng.normal(AF_RR_TRUNCATE_SD) - 0.5 * sigma * sigma).exp();
        }
        self.av_delay_s = s_from_ms(p.heart.av_delay_ms).min(rr_s);
        self.ventricles
            .start(rr_s, self.kind.ventricular_stretch(), tables);
    }

    /// The dissociated atria start a beat at the sinus node's rate (which the reflex moves).
    fn start_atrial_beat(
        &mut self,
        p: &Patient,
        heart_period: f64,
        tables: &[Activation; N_CHAMBERS],
    ) {
        self.atrial.start(
            period_s_from_bpm(p.rhythm.atrial_rate_bpm) * heart_period,
            1.0,
            tables,
        );
    }

    /// Where each chamber's previous-beat tail ends (after the tables change).
    pub fn retime(&mut self, tables: &[Activation; N_CHAMBERS]) {
        self.ventricles.retime(tables);
        self.atrial.retime(tables);
    }

    /// Advance by `dt_s`; R waves and atrial beats start when their period is up.
    #[inline]
    pub fn advance(
        &mut self,
        dt_s: f64,
        p: &Patient,
        heart_period: f64,
        tables: &[Activation; N_CHAMBERS],
    ) {
        self.ventricles.since_s += dt_s;
        if self.beating && self.ventricles.since_s >= self.ventricles.period_s {
            self.ventricles.since_s -= self.ventricles.period_s;
            self.start_beat(p, heart_period, tables);
            self.r_wave_pending = true;
        }
        if self.atria == Atria::Dissociated {
            self.atrial.since_s += dt_s;
            if self.atrial.since_s >= self.atrial.period_s {
                self.atrial.since_s -= self.atrial.period_s;
                self.start_atrial_beat(p, heart_period, tables);
            }
        }
    }

    /// Is an R wave due at this step? (Read once: it clears.)
    #[inline]
    pub fn take_r_wave(&mut self) -> bool {
        std::mem::take(&mut self.r_wave_pending)
    }

    /// A changed rhythm: a rhythm back from VF or asystole (defibrillation, pacing) starts a
    /// beat now; atria that begin to beat on their own carry on from where they were.
    pub fn change_rhythm(
        &mut self,
        p: &Patient,
        heart_period: f64,
        tables: &[Activation; N_CHAMBERS],
    ) {
        let (kind, atria) = (p.rhythm.kind, p.rhythm.kind.atria());
        if atria == Atria::Dissociated && self.atria != Atria::Dissociated {
            let since = self.since_atrial_onset_s().unwrap_or(0.0);
            self.atrial.since_s = 0.0;
            // No tail of an atrial beat from long ago.
            self.atrial.period_s = f64::INFINITY;
            self.start_atrial_beat(p, heart_period, tables);
            self.atrial.since_s = since.min(self.atrial.period_s);
        }
        let beating = kind.beats();
        self.kind = kind;
        self.atria = atria;
        if beating && !self.beating {
            // A rhythm back (defibrillation, pacing): a beat now, with no tail of the last
            // beat before the arrest.
            self.ventricles.since_s = 0.0;
            self.ventricles.period_s = f64::INFINITY;
            self.start_beat(p, heart_period, tables);
            self.r_wave_pending = true;
        }
        self.beating = beating;
        self.retime(tables);
    }

    /// Time since the atria's activation onset (`None` when they do not beat).
    #[inline]
    pub fn since_atrial_onset_s(&self) -> Option<f64> {
        match self.atria {
            Atria::Coupled if self.beating => Some(self.coupled_atrial_s()),
            Atria::Dissociated => Some(self.atrial.since_s),
            _ => None,
        }
    }

    /// Coupled atria: activated `av_delay` before each R wave.
    #[inline]
    fn coupled_atrial_s(&self) -> f64 {
        coupled_atrial_s(
            self.ventricles.since_s,
            self.ventricles.period_s,
            self.av_delay_s,
        )
    }

    /// The clock as it stood `dt_s` ago, at the start of the step just taken (what the
    /// step's pressures belong to): time since the R wave, that beat's RR, and time since the
    /// atria's onset. The ECG is drawn from it.
    pub fn at_step_start(&self, dt_s: f64) -> (f64, f64, Option<f64>) {
        let rewind = |t: &Timing| {
            let since = t.since_s - dt_s;
            if since < 0.0 {
                (since + t.previous_period_s, t.previous_period_s)
            } else {
                (since, t.period_s)
            }
        };
        let (since_r, rr) = rewind(&self.ventricles);
        let atrial = match self.atria {
            Atria::Coupled if self.beating => {
                Some(coupled_atrial_s(since_r, rr, self.av_delay_s.min(rr)))
            }
            Atria::Dissociated => Some(rewind(&self.atrial).0),
            _ => None,
        };
        (since_r, rr, atrial)
    }

    /// Activation of each chamber now (CHAMBERS order). `sides_alike`: the right chambers'
    /// tables are the left's, so only the left are looked up.
    #[inline]
    pub fn activation(
        &self,
        tables: &[Activation; N_CHAMBERS],
        sides_alike: bool,
    ) -> [f64; N_CHAMBERS] {
        let one = |k: usize| {
            if matches!(CHAMBERS[k], Node::La | Node::Ra) {
                match self.atria {
                    Atria::Coupled if self.beating => {
                        self.ventricles
                            .activation(tables, k, self.coupled_atrial_s())
                    }
                    Atria::Dissociated => self.atrial.activation(tables, k, self.atrial.since_s),
                    _ => 0.0,
                }
            } else if self.beating {
                self.ventricles
                    .activation(tables, k, self.ventricles.since_s)
            } else {
                0.0
            }
        };
        if sides_alike {
            let left = [one(LEFT_ATRIUM), one(LEFT_VENTRICLE)];
            std::array::from_fn(|k| left[crate::circulation::LEFT_TWIN[k]])
        } else {
            std::array::from_fn(one)
        }
    }

    /// Does the rhythm make beats (R waves)?
    pub fn beating(&self) -> bool {
        self.beating
    }

    /// Time since the last R wave.
    pub fn since_r_s(&self) -> f64 {
        self.ventricles.since_s
    }

    /// This beat's RR interval (in VF or asystole the last beat's).
    pub fn rr_s(&self) -> f64 {
        self.ventricles.period_s
    }
}

/// Time since the atrial onset of atria activated `av_delay_s` before each R wave, `since_r_s`
/// into a beat of `rr_s`.
#[inline]
fn coupled_atrial_s(since_r_s: f64, rr_s: f64, av_delay_s: f64) -> f64 {
    let atrial_onset = rr_s - av_delay_s;
    if since_r_s >= atrial_onset {
        since_r_s - atrial_onset
    } else {
        since_r_s + av_delay_s
    }
}

const LEFT_ATRIUM: usize = Node::La as usize;
const LEFT_VENTRICLE: usize = Node::Lv as usize;

impl RhythmKind {
    /// How much longer the ventricles' activation lasts than with normal conduction: a wide QRS
    /// (pacing, VT) spreads contraction and relaxation in time
    /// ([`ECTOPIC_ACTIVATION_STRETCH`]).
    pub fn ventricular_stretch(self) -> f64 {
        match self {
            RhythmKind::Paced | RhythmKind::PacedAv | RhythmKind::Vt => ECTOPIC_ACTIVATION_STRETCH,
            _ => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circulation::Circuit;

    /// With the right chambers timed like the left (the presets), looking up the left two and
    /// copying gives exactly the four lookups, through a beat, its previous beat's tail at a
    /// fast rate, and the atrial onset before the R wave, for coupled and dissociated atria.
    #[test]
    fn shared_activation_lookup_equals_four_lookups() {
        for kind in [RhythmKind::Sinus, RhythmKind::Paced] {
            let mut p = crate::presets::load("cardiogenic-shock").unwrap();
            p.rhythm.rate_bpm = 150.0;
            p.rhythm.kind = kind;
            let circuit = Circuit::new(&p);
            assert!(circuit.sides_alike);
            let mut clock = CardiacClock::new(&p, &circuit.activation);
            clock.start_beat(&p, 1.0, &circuit.activation);
            let mut active = 0;
            for _ in 0..1000 {
                clock.advance(0.4e-3, &p, 1.0, &circuit.activation);
                let shared = clock.activation(&circuit.activation, true);
                assert_eq!(shared, clock.activation(&circuit.activation, false));
                active += usize::from(shared.iter().all(|&e| e > 0.0));
            }
            assert!(
                active > 0,
                "{kind:?}: the test saw every chamber active at once"
            );
        }
        // A right heart timed differently is noticed.
        let mut p = crate::presets::load("cardiogenic-shock").unwrap();
        p.heart.rv.relaxation_ms += 10.0;
        assert!(!Circuit::new(&p).sides_alike);
    }

    /// AF: RR irregular with the set mean and CV, atria silent; sinus: regular.
    #[test]
    fn af_is_irregular_around_the_set_rate_and_the_atria_are_silent() {
        let mut p = crate::presets::load("healthy").unwrap();
        p.rhythm.kind = RhythmKind::Af;
        p.rhythm.rate_bpm = 100.0;
        let circuit = Circuit::new(&p);
        let mut clock = CardiacClock::new(&p, &circuit.activation);
        let rrs: Vec<f64> = (0..4000)
            .map(|_| {
                clock.start_beat(&p, 1.0, &circuit.activation);
                clock.rr_s()
            })
            .collect();
        let mean = rrs.iter().sum::<f64>() / rrs.len() as f64;
        let sd = (rrs.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / rrs.len() as f64).sqrt();
        assert!((mean - 0.6).abs() < 0.01, "mean RR {mean}");
        assert!((sd / mean - AF_RR_CV).abs() < 0.02, "CV {}", sd / mean);
        for k in 0..2000 {
            clock.advance(0.5e-3, &p, 1.0, &circuit.activation);
            let e = clock.activation(&circuit.activation, false);
            assert_eq!((e[0], e[2]), (0.0, 0.0), "atria active at step {k}");
        }
        assert!(clock.since_atrial_onset_s().is_none());
    }

    /// VVI: the atria keep their own rate while the ventricles follow the pacer; the sinus
    /// node's rate follows the reflex, the pacer's does not.
    #[test]
    fn paced_atria_are_dissociated_at_their_own_rate() {
        let mut p = crate::presets::load("healthy").unwrap();
        p.rhythm.kind = RhythmKind::Paced;
        p.rhythm.rate_bpm = 60.0;
        p.rhythm.atrial_rate_bpm = 90.0;
        let circuit = Circuit::new(&p);
        let mut clock = CardiacClock::new(&p, &circuit.activation);
        let (mut r_waves, mut p_onsets, mut last_since_p) = (0, 0, 0.0);
        let dt = 0.5e-3;
        for _ in 0..(20.0 / dt) as usize {
            clock.advance(dt, &p, 0.8, &circuit.activation);
            r_waves += usize::from(clock.take_r_wave());
            let since_p = clock.since_atrial_onset_s().unwrap();
            p_onsets += usize::from(since_p < last_since_p);
            last_since_p = since_p;
        }
        assert!(
            (r_waves as i64 - 20).abs() <= 1,
            "{r_waves} R waves in 20 s at 60/min"
        );
        // 90/min sped up by the 0.8 period factor: 112.5/min.
        assert!(
            (p_onsets as i64 - 37).abs() <= 1,
            "{p_onsets} P waves in 20 s"
        );
    }
}
