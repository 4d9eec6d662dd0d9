//! C's `%.Ng` float formatting at any precision, for the serializers that print floats
//! with more digits than `print` does (JSON uses `%.17g`, enough to read back the same
//! double).

/// `f` as `printf("%.{precision}g", f)` prints it: `precision` significant digits,
/// trailing zeros removed, exponent form below 1e-4 or from 10^precision on.
pub fn format_g(f: f64, precision: usize) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let p = precision.max(1) as i32;
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rounding to p significant digits first tells which form the rounded value takes.
    let sci = format!("{:.*e}", (p - 1) as usize, f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim_zeros(mantissa), exp.abs())
    } else {
        let decimals = (p - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{f:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::format_g;

    #[test]
    fn seventeen_digits() {
        let cases = [
            (2.0, "2"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (-300.0, "-300"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.33333333333333331"),
            (1e-7, "9.9999999999999995e-08"),
            (123456789012345680.0, "1.2345678901234568e+17"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(f, 17), want, "{f}");
        }
        assert_eq!(format_g(1234567.0, 6), "1.23457e+06");
    }
}
