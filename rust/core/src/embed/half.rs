//! IEEE binary16 (float16), the storage type of document vectors (SPEC.md
//! §10, *Document vectors*): conversions to and from f32, rounding to
//! nearest even as numpy's `astype(float16)` does.

/// The binary16 bits nearest to `x` (ties to even; overflow to infinity;
/// NaN stays NaN).
#[must_use]
pub fn f16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    // Truncations below keep the bits each field needs (sign: 1, exponent
    // and mantissa: 15), so no value is lost.
    #[allow(clippy::cast_possible_truncation, reason = "see the comment above")]
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff).cast_signed();
    let man = bits & 0x007f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man == 0 { 0 } else { 0x200 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let man = man | 0x0080_0000;
        let shift = (14 - e).cast_unsigned();
        let half = 1u32 << (shift - 1);
        let rest = man & ((1u32 << shift) - 1);
        let mut out = man >> shift;
        if rest > half || (rest == half && out & 1 == 1) {
            out += 1;
        }
        #[allow(
            clippy::cast_possible_truncation,
            reason = "below 0x400, or 0x400 on carry"
        )]
        return sign | out as u16;
    }
    let rest = man & 0x1fff;
    let mut out = (e.cast_unsigned() << 10) | (man >> 13);
    if rest > 0x1000 || (rest == 0x1000 && out & 1 == 1) {
        out += 1; // a carry into the exponent rounds up to the next binade or infinity
    }
    #[allow(clippy::cast_possible_truncation, reason = "at most 0x7c00")]
    let out = out as u16;
    sign | out
}

/// The f32 value of binary16 bits (exact).
#[must_use]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: normalise the mantissa.
            let lead = man.leading_zeros() - 21;
            sign | ((113 - lead) << 23) | (((man << lead) & 0x3ff) << 13)
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_finite_half() {
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            if x.is_nan() {
                assert!(f16_to_f32(f16_bits(x)).is_nan());
            } else {
                assert_eq!(f16_bits(x), h, "{h:#06x} -> {x}");
            }
        }
    }

    #[test]
    fn rounds_to_nearest_even() {
        assert_eq!(f16_bits(1.0), 0x3c00);
        assert_eq!(f16_bits(-2.0), 0xc000);
        assert_eq!(f16_bits(65520.0), 0x7c00);
        assert_eq!(f16_bits(1.0 + 2f32.powi(-11)), 0x3c00); // tie to even
        assert_eq!(f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        assert_eq!(f16_bits(2f32.powi(-25)), 0); // tie to even, zero
        assert_eq!(f16_bits(2f32.powi(-24)), 1);
        assert_eq!(f16_bits(0.1), 0x2e66);
    }
}
