//! Seeded pseudo-random numbers for the model's deterministic randomness (virtual cohorts,
//! irregular rhythms): the same seed, the same numbers, on every machine.

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a small, well-mixed seeded generator. The
/// cohort takes one stream per patient so shards and threads draw the same numbers; the
/// rhythm takes one per engine so an irregular rhythm replays bit for bit.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Stream `patient` of `seed` (one stream per cohort patient, or per engine).
    pub fn for_patient(seed: u64, patient: u64) -> Self {
        let mut r = Rng(seed ^ patient.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller), truncated at +-`truncate_sd` (redrawn beyond).
    pub fn normal(&mut self, truncate_sd: f64) -> f64 {
        loop {
            let (u1, u2) = (self.uniform(), self.uniform());
            let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            if z.abs() <= truncate_sd {
                return z;
            }
        }
    }
}
