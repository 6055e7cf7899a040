//! Deterministic arithmetic and the single random stream. `exp` and `ln` use IEEE basic
//! operations only (no platform `libm`), so draws and derived values are bit-identical on any
//! machine.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `e^x` with basic IEEE operations only (relative error ~1e-16); `x` is clamped to ±700.
pub(super) fn dexp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0;
    let mut i = 14.0;
    while i > 0.5 {
        p = 1.0 + p * r / i;
        i -= 1.0;
    }
    // k is in [-1010, 1010]: 2^k is a normal number.
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    p * scale
}

/// Natural logarithm of a positive normal number with basic IEEE operations only.
pub(super) fn dln(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716.
    let mut sum = 0.0;
    let mut k = 25.0;
    while k > 0.5 {
        sum = 1.0 / k + s2 * sum;
        k -= 2.0;
    }
    let ef = e as f64;
    ef * LN2_HI + (2.0 * s * sum + ef * LN2_LO)
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + dexp(-x))
}

pub(super) fn b2i(b: bool) -> i64 {
    i64::from(b)
}

pub(super) fn b2f(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// The single random stream.
pub(super) struct Draw {
    rng: ChaCha8Rng,
    spare: Option<f64>,
}

impl Draw {
    pub(super) fn new(seed: u64, wave: u32) -> Self {
        let mixed = splitmix64(seed ^ splitmix64(0x5EED_0000_0000_0000 ^ u64::from(wave)));
        Draw {
            rng: ChaCha8Rng::seed_from_u64(mixed),
            spare: None,
        }
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub(super) fn u(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal (Marsaglia polar method).
    pub(super) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let a = 2.0 * self.u() - 1.0;
            let b = 2.0 * self.u() - 1.0;
            let s = a * a + b * b;
            if s > 1e-300 && s < 1.0 {
                let f = (-2.0 * dln(s) / s).sqrt();
                self.spare = Some(b * f);
                return a * f;
            }
        }
    }

    pub(super) fn bern(&mut self, p: f64) -> bool {
        self.u() < p
    }

    /// Bernoulli with success probability `logistic(x)`.
    pub(super) fn logit(&mut self, x: f64) -> bool {
        self.u() < logistic(x)
    }

    /// Uniform integer in `lo..=hi`.
    pub(super) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.u() * (hi - lo + 1) as f64) as i64
    }

    /// Index drawn with probability proportional to `weights` (non-negative, not all zero).
    pub(super) fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut t = self.u() * total;
        for (i, &w) in weights.iter().enumerate() {
            if t < w {
                return i;
            }
            t -= w;
        }
        weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
    }

    /// Poisson by inversion (small means only).
    pub(super) fn poisson(&mut self, lambda: f64) -> u32 {
        let limit = dexp(-lambda);
        let mut k = 0;
        let mut p = self.u();
        while p > limit && k < 12 {
            p *= self.u();
            k += 1;
        }
        k
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
