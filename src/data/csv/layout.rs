//! How a CSV file is laid out: its delimiter (picked from the header line, and named in
//! messages) and its line ends (bare `\r` lines translated to `\n`).

/// Pick the delimiter from the header line: the most frequent of `,` `;` tab outside quotes.
pub(super) fn sniff(header: &[u8], decimal_comma: bool) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let cands = [b',', b';', b'\t'];
    let mut best = if decimal_comma { 1 } else { 0 };
    for k in 0..3 {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    cands[best]
}

pub(super) fn delim_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        b' ' => "space".into(),
        d => format!("`{}`", d as char),
    }
}

/// Append `bytes` to `out` with `\r` and `\r\n` line ends turned into `\n` (see
/// `Chunker::cr_lines`); `last_cr` carries the state across calls.
pub(super) fn cr_to_lf(bytes: &[u8], last_cr: &mut bool, out: &mut Vec<u8>) {
    out.reserve(bytes.len());
    for &b in bytes {
        if *last_cr && b == b'\n' {
            *last_cr = false;
            continue;
        }
        *last_cr = b == b'\r';
        out.push(if *last_cr { b'\n' } else { b });
    }
}
