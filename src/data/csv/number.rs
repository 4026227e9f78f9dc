//! A CSV field's text as a number: an exact fast path for plain decimals and the standard
//! library's correctly rounded parser for everything else.

/// Parse a trimmed field as a number; `None` if it is not one.
#[inline]
pub(super) fn parse_number(t: &[u8], decimal_comma: bool) -> Option<f64> {
    // Plain decimals (Likert answers, codes, counts, scores): exact, see `plain_decimal`.
    if let Some((v, used)) = plain_decimal(t, b'.')
        && used == t.len()
    {
        return Some(v);
    }
    parse_number_general(t, decimal_comma)
}

/// The standard library's correctly rounded parser, after mapping a decimal comma to a point.
#[cold]
#[inline(never)]
fn parse_number_general(t: &[u8], decimal_comma: bool) -> Option<f64> {
    if t.len() > 64 {
        return std::str::from_utf8(t).ok()?.parse::<f64>().ok();
    }
    let mut buf = [0u8; 64];
    let buf = &mut buf[..t.len()];
    buf.copy_from_slice(t);
    if decimal_comma {
        for b in buf.iter_mut() {
            if *b == b',' {
                *b = b'.';
            }
        }
    }
    std::str::from_utf8(buf).ok()?.parse::<f64>().ok()
}

/// Powers of ten that are exact in `f64` (10²² is the largest: 5²² < 2⁵³).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Largest mantissa that is exact in `f64`.
const MAX_EXACT: u64 = 1 << 53;

/// Whether the eight bytes of `v` (little-endian) are all ASCII digits.
#[inline]
fn eight_digits(v: u64) -> bool {
    let a = v.wrapping_add(0x4646_4646_4646_4646);
    let b = v.wrapping_sub(0x3030_3030_3030_3030);
    (a | b) & 0x8080_8080_8080_8080 == 0
}

/// The value of eight ASCII digits (little-endian in `v`, first digit in the lowest byte), by
/// three multiplications instead of eight.
#[inline]
fn eight_digit_value(v: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let v = v.wrapping_sub(0x3030_3030_3030_3030);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v1 = (v & MASK).wrapping_mul(MUL1);
    let v2 = ((v >> 16) & MASK).wrapping_mul(MUL2);
    u64::from((v1.wrapping_add(v2) >> 32) as u32)
}

/// Append the run of digits at `t[i..]` to `mant` (wrapping: the caller bounds the digit count)
/// and return the end of the run.
#[inline]
fn digit_run(t: &[u8], mut i: usize, mant: &mut u64) -> usize {
    // The first two digits one at a time: most fields of survey data are one or two digits long.
    for _ in 0..2 {
        match t.get(i) {
            Some(&b) if b.is_ascii_digit() => {
                *mant = mant.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                i += 1;
            }
            _ => return i,
        }
    }
    while let Some(b) = t.get(i..i + 8) {
        let Ok(b) = <[u8; 8]>::try_from(b) else { break };
        let v = u64::from_le_bytes(b);
        if !eight_digits(v) {
            break;
        }
        *mant = mant.wrapping_mul(100_000_000).wrapping_add(eight_digit_value(v));
        i += 8;
    }
    while i < t.len() && t[i].is_ascii_digit() {
        *mant = mant.wrapping_mul(10).wrapping_add(u64::from(t[i] - b'0'));
        i += 1;
    }
    i
}

/// A number `-?d+(.d+)?` at the start of `t` (the decimal mark is `point`) whose digits, leading
/// zeros dropped, form an integer of at most 2⁵³ and which has at most 22 digits after the mark,
/// and the bytes it used; `None` for anything else. The value is the mantissa (exact) divided by
/// an exact power of ten: one correctly rounded operation, so the result is the correctly
/// rounded value of the decimal, identical to the standard parser's (Clinger's fast path). This
/// covers Likert answers and codes as well as the 15 significant digits R's `write.csv` prints
/// (`-0.0933520653718465`, `0.00044336056346061`). Digits are read eight at a time.
#[inline]
pub(super) fn plain_decimal(t: &[u8], point: u8) -> Option<(f64, usize)> {
    let n = t.len();
    let neg = n > 0 && t[0] == b'-';
    let start = usize::from(neg);
    let mut mant: u64 = 0;
    let mut i = digit_run(t, start, &mut mant);
    let int_digits = i - start;
    if int_digits == 0 {
        return None;
    }
    let mut frac = 0;
    if i < n && t[i] == point {
        let f0 = i + 1;
        i = digit_run(t, f0, &mut mant);
        frac = i - f0;
        if frac == 0 || frac >= POW10.len() {
            return None;
        }
    }
    // Up to 19 digits cannot overflow; beyond, the leading zeros (which leave the mantissa at
    // zero) must make up the difference.
    let digits = int_digits + frac;
    if digits > 19 {
        let zeros = t[start..i]
            .iter()
            .take_while(|&&b| b == b'0' || b == point)
            .filter(|&&b| b == b'0')
            .count();
        if digits - zeros > 19 {
            return None;
        }
    }
    if mant > MAX_EXACT {
        return None;
    }
    // No division for whole numbers (exact either way; the division's latency is most of the
    // cost of a one-digit field).
    let v = if frac == 0 { mant as f64 } else { mant as f64 / POW10[frac] };
    Some((if neg { -v } else { v }, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard library's parser is correctly rounded: the fast path must give the same
    /// bits on every input it accepts, and must refuse what it cannot do exactly.
    #[test]
    fn plain_decimals_match_the_standard_parser() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut accepted = 0;
        for _ in 0..200_000 {
            let digits = 1 + (next() % 23) as usize;
            let mut s = String::new();
            if next() % 2 == 0 {
                s.push('-');
            }
            let body: String =
                (0..digits).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let int_len = (next() % (digits as u64 + 1)) as usize;
            let lead_zeros = (next() % 6) as usize;
            if int_len == 0 {
                s.push('0');
                s.push('.');
                s.extend(std::iter::repeat_n('0', lead_zeros));
                s.push_str(&body);
            } else if int_len == digits {
                s.push_str(&body);
            } else {
                s.push_str(&body[..int_len]);
                s.push('.');
                s.push_str(&body[int_len..]);
            }
            let want: f64 = s.parse().unwrap();
            if let Some((v, used)) = plain_decimal(s.as_bytes(), b'.') {
                assert_eq!(used, s.len(), "{s}");
                assert_eq!(v.to_bits(), want.to_bits(), "{s}");
                accepted += 1;
            }
            assert_eq!(parse_number(s.as_bytes(), false).map(f64::to_bits), Some(want.to_bits()));
        }
        assert!(accepted > 50_000, "{accepted}");
        // R's 15 significant digits, the largest exact mantissa and one past it.
        for s in
            ["-0.0933520653718465", "0.00044336056346061", "9007199254740992", "0.9007199254740993"]
        {
            let want: f64 = s.parse().unwrap();
            assert_eq!(parse_number(s.as_bytes(), false), Some(want), "{s}");
        }
        assert!(plain_decimal(b"0.00044336056346061", b'.').is_some());
        assert!(plain_decimal(b"9007199254740993", b'.').is_none());
        assert!(plain_decimal(b"1.00000000000000000000001", b'.').is_none());
        assert!(plain_decimal(b"1234567890123456789012345", b'.').is_none());
        assert!(plain_decimal(b"18446744073709551617", b'.').is_none());
        assert_eq!(plain_decimal(b"0.000000000000000000005", b'.'), Some((5e-21, 23)));
        assert_eq!(plain_decimal(b"12345678.5,", b'.'), Some((12345678.5, 10)));
    }
}
