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

/// Powers of ten that are exact in `f64`.
const POW10: [f64; 16] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// A number `-?d+(.d+)?` with at most 15 digits at the start of `t` (the decimal mark is
/// `point`), and the bytes it used; `None` for anything else. The value is the mantissa (below
/// 10¹⁵ < 2⁵³, exact) divided by an exact power of ten: one correctly rounded operation, so the
/// result is the correctly rounded value of the decimal, identical to the standard parser's
/// (Clinger's fast path).
#[inline]
pub(super) fn plain_decimal(t: &[u8], point: u8) -> Option<(f64, usize)> {
    let n = t.len();
    let neg = n > 0 && t[0] == b'-';
    let mut i = usize::from(neg);
    let mut mant: u64 = 0;
    let start = i;
    while i < n && t[i].is_ascii_digit() && i - start < 16 {
        mant = mant * 10 + u64::from(t[i] - b'0');
        i += 1;
    }
    let mut digits = i - start;
    if digits == 0 {
        return None;
    }
    let mut frac = 0;
    if i < n && t[i] == point {
        i += 1;
        while i < n && t[i].is_ascii_digit() && digits < 16 {
            mant = mant * 10 + u64::from(t[i] - b'0');
            i += 1;
            frac += 1;
            digits += 1;
        }
        if frac == 0 {
            return None;
        }
    }
    if digits > 15 {
        return None;
    }
    let v = mant as f64 / POW10[frac];
    Some((if neg { -v } else { v }, i))
}
