//! A portable seeded generator (SplitMix64): the same stream on every machine, thread
//! count and version of this crate, because the algorithm is fixed here and not taken
//! from a library whose stream may change.

/// SplitMix64 (Steele, Lea and Flood, 2014).
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [low, high) (for low < high): low + (high - low) u can round up to
    /// high where high - low spans few ulps, and is then the largest f64 below high.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let v = low + (high - low) * self.next_f64();
        if v >= high && low < high {
            high.next_down().max(low)
        } else {
            v
        }
    }

    /// `len` uniform values in [low, high).
    pub fn fill(&mut self, len: usize, low: f64, high: f64) -> Vec<f64> {
        (0..len).map(|_| self.uniform(low, high)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_values_stay_below_high_where_the_range_spans_few_ulps() {
        // 1e16 .. 1e16 + 2 holds two f64 values; low + 2u rounds to high for u >= 3/4
        let (low, high) = (1e16, 10000000000000002.0);
        let v = SplitMix64::new(1).fill(64, low, high);
        assert!(v.iter().all(|&x| (low..high).contains(&x)), "{v:?}");
        assert!(v.contains(&low));
        // and the usual range is untouched: the largest draw stays exactly as computed
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            let u = b.next_f64();
            assert_eq!(a.uniform(-1.0, 1.0).to_bits(), (-1.0 + 2.0 * u).to_bits());
        }
    }

    #[test]
    fn reference_stream() {
        // the published SplitMix64 test vector for seed 1234567
        let mut g = SplitMix64::new(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
        assert_eq!(g.next_u64(), 9817491932198370423);
    }
}
