//! The x87 80-bit `long double` that Asterisk's expression engine computes with.
//!
//! `Ld` wraps rustc_apfloat's `X87DoubleExtended`, so `+ - * / %` round exactly as the x87 FPU
//! does (64-bit significand, 15-bit exponent, round to nearest even). The FPU's NaN habits are
//! added on top: an invalid operation yields the negative "indefinite" NaN (printed `-nan`), and
//! a NaN operand is passed through with its sign. Decimal input follows glibc's `strtold` and
//! output follows glibc's `printf("%.18Lg")`, both exact: the printer expands the binary value
//! into all of its decimal digits with a small base-10⁹ big integer before rounding half to even.

use std::cmp::Ordering;

use rustc_apfloat::ieee::{Double, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round, Status};

type X87 = X87DoubleExtended;

/// Significant digits of `%.18Lg`.
const PRECISION: i32 = 18;

/// A `long double` value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ld(X87);

/// The outcome of converting a numeric string (`strtold` with `errno`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Conv {
    /// The conversion worked.
    Ok(Ld),
    /// `strtold` set `ERANGE` (overflow, or underflow to a tiny or zero value); the value is
    /// what `strtold` returned anyway (±∞, or 0 or a denormal).
    Range(Ld),
}

impl Ld {
    pub(crate) const ZERO: Ld = Ld(X87::ZERO);

    /// The x87 "real indefinite" NaN: what an invalid operation produces (prints `-nan`).
    pub(crate) fn default_nan() -> Ld {
        Ld(-X87::NAN)
    }

    /// A quiet NaN with the given sign.
    pub(crate) fn nan(negative: bool) -> Ld {
        if negative {
            Ld(-X87::NAN)
        } else {
            Ld(X87::NAN)
        }
    }

    pub(crate) fn infinity(negative: bool) -> Ld {
        if negative {
            Ld(-X87::INFINITY)
        } else {
            Ld(X87::INFINITY)
        }
    }

    pub(crate) fn raw(self) -> X87 {
        self.0
    }

    pub(crate) fn from_raw(x: X87) -> Ld {
        Ld(x)
    }

    pub(crate) fn from_i64(n: i64) -> Ld {
        Ld(X87::from_i128(i128::from(n)).value)
    }

    pub(crate) fn from_bool(b: bool) -> Ld {
        Ld::from_i64(i64::from(b))
    }

    /// An integer, exactly (built from its bit pattern: the 64-bit significand holds any u64).
    pub(crate) fn from_u64(m: u64) -> Ld {
        if m == 0 {
            return Ld::ZERO;
        }
        let lz = m.leading_zeros();
        let exponent = u128::from(16383 + 63 - lz);
        Ld(X87::from_bits((exponent << 64) | u128::from(m << lz)))
    }

    /// `m × 2^e`, rounded once (exact when `m` fits in 64 bits and the result is in range).
    fn from_parts(m: u128, e: i32) -> Ld {
        Ld(X87::from_u128(m).value.scalbn(e))
    }

    pub(crate) fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub(crate) fn is_nan(self) -> bool {
        self.0.is_nan()
    }

    pub(crate) fn is_negative(self) -> bool {
        self.0.is_negative()
    }

    pub(crate) fn is_infinite(self) -> bool {
        self.0.is_infinite()
    }

    /// `self > 0` (false for NaN).
    pub(crate) fn is_above_zero(self) -> bool {
        !self.is_nan() && !self.is_zero() && !self.is_negative()
    }

    /// `self < 0` (false for NaN and -0).
    pub(crate) fn is_below_zero(self) -> bool {
        !self.is_nan() && !self.is_zero() && self.is_negative()
    }

    pub(crate) fn is_integer(self) -> bool {
        self.0.is_integer()
    }

    pub(crate) fn cmp(self, other: Ld) -> Option<Ordering> {
        self.0.partial_cmp(&other.0)
    }

    pub(crate) fn eq(self, other: Ld) -> bool {
        self.cmp(other) == Some(Ordering::Equal)
    }

    pub(crate) fn lt(self, other: Ld) -> bool {
        self.cmp(other) == Some(Ordering::Less)
    }

    pub(crate) fn gt(self, other: Ld) -> bool {
        self.cmp(other) == Some(Ordering::Greater)
    }

    pub(crate) fn ge(self, other: Ld) -> bool {
        matches!(self.cmp(other), Some(Ordering::Greater | Ordering::Equal))
    }

    pub(crate) fn neg(self) -> Ld {
        Ld(-self.0)
    }

    pub(crate) fn abs(self) -> Ld {
        Ld(self.0.abs())
    }

    /// Applies an FPU operation with the x87 NaN rules: a NaN operand is the result; of two
    /// NaNs (ours all share one significand) the positive one wins.
    fn arith(self, rhs: Ld, op: impl FnOnce(X87, X87) -> X87) -> Ld {
        if self.is_nan() && rhs.is_nan() {
            return Ld::nan(self.is_negative() && rhs.is_negative());
        }
        if self.is_nan() {
            return self;
        }
        if rhs.is_nan() {
            return rhs;
        }
        let res = op(self.0, rhs.0);
        if res.is_nan() {
            Ld::default_nan()
        } else {
            Ld(res)
        }
    }

    pub(crate) fn add(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| (a + b).value)
    }

    pub(crate) fn sub(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| (a - b).value)
    }

    pub(crate) fn mul(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| (a * b).value)
    }

    pub(crate) fn div(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| (a / b).value)
    }

    /// C `fmodl`: exact remainder with the sign of the dividend.
    pub(crate) fn fmod(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| a.c_fmod(b).value)
    }

    /// C `remainderl`: exact remainder of the quotient rounded to nearest even.
    pub(crate) fn ieee_rem(self, rhs: Ld) -> Ld {
        self.arith(rhs, |a, b| a.ieee_rem(b).value)
    }

    /// Rounds to an integer in the given direction (`floorl`, `ceill`, `roundl`, `rintl`,
    /// `truncl`); signed zeros and NaNs keep their sign.
    pub(crate) fn round_to_integral(self, round: Round) -> Ld {
        if self.is_nan() || self.is_infinite() || self.is_zero() {
            return self;
        }
        let res = self.0.round_to_integral(round).value;
        // A value rounded to zero keeps the sign of the input (`ceill(-0.5)` is `-0`).
        if res.is_zero() && self.is_negative() != res.is_negative() {
            return Ld(-res);
        }
        Ld(res)
    }

    /// Correctly rounded square root (the x87 `fsqrt`); a negative input gives `-nan`.
    pub(crate) fn sqrt(self) -> Ld {
        if self.is_nan() || self.is_zero() {
            return self;
        }
        if self.is_negative() {
            return Ld::default_nan();
        }
        if self.is_infinite() {
            return self;
        }
        let Some((m, e)) = self.parts() else {
            return self;
        };
        // value = m × 2^e with m in [2^63, 2^64); scale m so the exponent becomes even.
        let s: i32 = if (e - 63).rem_euclid(2) == 0 { 63 } else { 64 };
        let n = u128::from(m) << s;
        let mut r = n.isqrt();
        let rem = n - r * r;
        // The exact root lies in (r, r + 1); it is nearer r + 1 exactly when rem > r.
        if rem > r {
            r += 1;
        }
        Ld::from_parts(r, (e - s) / 2)
    }

    /// `(m, e)` with value = ±m × 2^e and the top bit of `m` set; `None` for zero, ∞ and NaN.
    fn parts(self) -> Option<(u64, i32)> {
        if !self.0.is_finite() || self.is_zero() {
            return None;
        }
        let bits = self.0.to_bits();
        let field = ((bits >> 64) & 0x7fff) as i32;
        let mut m = bits as u64;
        let mut e = if field == 0 { 1 } else { field } - 16383 - 63;
        if m == 0 {
            return None;
        }
        let lz = m.leading_zeros() as i32;
        m <<= lz;
        e -= lz;
        Some((m, e))
    }

    /// `frexpl`: `(f, e)` with value = f × 2^e and |f| in [0.5, 1) (f is the value itself for
    /// zero, ∞ and NaN).
    pub(crate) fn frexp(self) -> (Ld, i32) {
        match self.parts() {
            Some((m, e)) => {
                let f = Ld::from_parts(u128::from(m), -64);
                let f = if self.is_negative() { f.neg() } else { f };
                (f, e + 64)
            }
            None => (self, 0),
        }
    }

    /// `scalbnl`: value × 2^n, rounded once.
    pub(crate) fn scalbn(self, n: i32) -> Ld {
        Ld(self.0.scalbn(n))
    }

    pub(crate) fn to_f64(self) -> f64 {
        let mut loses_info = false;
        let d: Double = self.0.convert(&mut loses_info).value;
        f64::from_bits(d.to_bits() as u64)
    }

    pub(crate) fn from_f64(x: f64) -> Ld {
        if x.is_nan() {
            return Ld::nan(x.is_sign_negative());
        }
        let mut loses_info = false;
        Ld(Double::from_bits(u128::from(x.to_bits()))
            .convert(&mut loses_info)
            .value)
    }

    /// Decimal `digits` (ASCII, no leading zeros needed) × 10^exp10, correctly rounded, as
    /// glibc's `strtold` computes it.
    pub(crate) fn from_decimal(digits: &[u8], exp10: i64) -> Conv {
        let digits = match digits.iter().position(|&d| d != b'0') {
            Some(first) => &digits[first..],
            None => return Conv::Ok(Ld::ZERO),
        };
        // Trailing zeros only move the exponent.
        let trailing = digits.iter().rev().take_while(|&&d| d == b'0').count();
        let digits = &digits[..digits.len() - trailing];
        let exp10 = exp10.saturating_add(trailing as i64);
        if digits.len() <= 19 {
            let mut m: u64 = 0;
            for &d in digits {
                m = m * 10 + u64::from(d - b'0');
            }
            if exp10 == 0 {
                return Conv::Ok(Ld::from_u64(m));
            }
            // m and 10^k are exact, so one multiplication or division rounds once.
            if (0..=27).contains(&exp10) {
                let p = Ld::from_parts(10u128.pow(exp10 as u32), 0);
                return Conv::Ok(Ld::from_parts(u128::from(m), 0).mul(p));
            }
            if (-27..0).contains(&exp10) {
                let p = Ld::from_parts(10u128.pow((-exp10) as u32), 0);
                return Conv::Ok(Ld::from_parts(u128::from(m), 0).div(p));
            }
        }
        // The decimal exponent of the leading digit decides the hopeless cases quickly.
        let lead = exp10.saturating_add(digits.len() as i64 - 1);
        if lead > 5000 {
            return Conv::Range(Ld::infinity(false));
        }
        if lead < -5000 {
            return Conv::Range(Ld::ZERO);
        }
        let mut text = String::with_capacity(digits.len() + 8);
        text.extend(digits.iter().map(|&d| char::from(d)));
        text.push('e');
        text.push_str(&exp10.to_string());
        match X87::from_str_r(&text, Round::NearestTiesToEven) {
            Ok(res) => {
                let value = res.value;
                if res.status.intersects(Status::OVERFLOW | Status::UNDERFLOW) || value.is_zero() {
                    Conv::Range(Ld(value))
                } else {
                    Conv::Ok(Ld(value))
                }
            }
            Err(_) => Conv::Range(Ld::ZERO),
        }
    }

    /// glibc `strtold` on the texts the expression engine feeds it (blanks, sign, digits and
    /// one `.`): the longest numeric prefix is converted; no digits at all gives 0.
    pub(crate) fn parse_prefix(text: &str) -> Conv {
        let bytes = text.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
        {
            pos += 1;
        }
        let mut negative = false;
        if pos < bytes.len() && (bytes[pos] == b'-' || bytes[pos] == b'+') {
            negative = bytes[pos] == b'-';
            pos += 1;
        }
        let start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_end = pos;
        let mut frac_end = pos;
        if pos < bytes.len() && bytes[pos] == b'.' {
            let mut p = pos + 1;
            while p < bytes.len() && bytes[p].is_ascii_digit() {
                p += 1;
            }
            frac_end = p;
        }
        let int_digits = &bytes[start..int_end];
        let frac_digits = if frac_end > int_end {
            &bytes[int_end + 1..frac_end]
        } else {
            &bytes[int_end..int_end]
        };
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Conv::Ok(Ld::ZERO);
        }
        let res = if frac_digits.is_empty() {
            Ld::from_decimal(int_digits, 0)
        } else {
            let mut all = Vec::with_capacity(int_digits.len() + frac_digits.len());
            all.extend_from_slice(int_digits);
            all.extend_from_slice(frac_digits);
            Ld::from_decimal(&all, -(frac_digits.len() as i64))
        };
        match res {
            Conv::Ok(v) if negative => Conv::Ok(v.neg()),
            Conv::Range(v) if negative => Conv::Range(v.neg()),
            other => other,
        }
    }

    /// Appends the value as C `printf("%.18Lg")` prints it.
    pub(crate) fn format_into(self, out: &mut String) {
        if self.is_nan() {
            out.push_str(if self.is_negative() { "-nan" } else { "nan" });
            return;
        }
        if self.is_negative() {
            out.push('-');
        }
        if self.is_infinite() {
            out.push_str("inf");
            return;
        }
        let Some((m, e)) = self.parts() else {
            out.push('0');
            return;
        };
        // Small integers: print them directly.
        let tz = (m.trailing_zeros() as i32).min(if e < 0 { -e } else { 0 });
        let (m, e) = (m >> tz, e + tz);
        if e >= 0 && e <= m.leading_zeros() as i32 {
            let v = m << e;
            if v < 1_000_000_000_000_000_000 {
                push_u64(out, v);
                return;
            }
        }
        let (digits, exp10) = if (-124..0).contains(&e) {
            fraction_digits(m, e)
        } else {
            exact_digits(m, e)
        };
        let (digits, exp10) = round_digits(digits, exp10);
        format_g(out, &digits, exp10);
    }

    /// `format_into` through the big-integer path only (a reference for tests).
    #[cfg(test)]
    pub(crate) fn to_text_exact(self) -> String {
        let mut out = String::new();
        match self.parts() {
            Some((m, e)) if self.0.is_finite() => {
                if self.is_negative() {
                    out.push('-');
                }
                let (digits, exp10) = round_digits(exact_digits(m, e).0, exact_digits(m, e).1);
                format_g(&mut out, &digits, exp10);
            }
            _ => self.format_into(&mut out),
        }
        out
    }

    pub(crate) fn to_text(self) -> String {
        let mut out = String::new();
        self.format_into(&mut out);
        out
    }
}

fn push_u64(out: &mut String, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

/// A little-endian big integer in base 10⁹.
struct Big(Vec<u32>);

const BASE: u64 = 1_000_000_000;

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut limbs = Vec::with_capacity(4);
        let mut v = v;
        loop {
            limbs.push((v % BASE) as u32);
            v /= BASE;
            if v == 0 {
                break;
            }
        }
        Big(limbs)
    }

    fn mul_small(&mut self, factor: u64) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let cur = u64::from(*limb) * factor + carry;
            *limb = (cur % BASE) as u32;
            carry = cur / BASE;
        }
        while carry > 0 {
            self.0.push((carry % BASE) as u32);
            carry /= BASE;
        }
    }

    fn mul_pow2(&mut self, mut n: u32) {
        while n >= 29 {
            self.mul_small(1 << 29);
            n -= 29;
        }
        if n > 0 {
            self.mul_small(1 << n);
        }
    }

    fn mul_pow5(&mut self, mut n: u32) {
        while n >= 13 {
            self.mul_small(1_220_703_125);
            n -= 13;
        }
        if n > 0 {
            self.mul_small(5u64.pow(n));
        }
    }

    /// The decimal digits, most significant first.
    fn digits(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() * 9);
        let mut iter = self.0.iter().rev();
        if let Some(&top) = iter.next() {
            let mut tmp = String::new();
            push_u64(&mut tmp, u64::from(top));
            out.extend(tmp.bytes().map(|b| b - b'0'));
        }
        for &limb in iter {
            let mut v = limb;
            let mut chunk = [0u8; 9];
            for slot in chunk.iter_mut().rev() {
                *slot = (v % 10) as u8;
                v /= 10;
            }
            out.extend_from_slice(&chunk);
        }
        out
    }
}

/// Leading decimal digits of a value and what the rest holds.
struct Digits {
    /// The first significant digits (at least 19 when the value has that many), as 0–9.
    lead: Vec<u8>,
    /// Whether any digit after `lead` is not zero.
    sticky: bool,
}

/// The decimal digits of m × 2^e for -124 <= e < 0, exactly, using 128-bit arithmetic: the
/// integer part printed, then the fraction multiplied by ten digit by digit.
fn fraction_digits(m: u64, e: i32) -> (Digits, i32) {
    let k = (-e) as u32;
    let int = if k < 64 { m >> k } else { 0 };
    let mask = (1u128 << k) - 1;
    let mut frac = u128::from(m) & mask;
    let mut lead = Vec::with_capacity(24);
    let mut exp10: i32 = -1;
    if int > 0 {
        let mut tmp = String::new();
        push_u64(&mut tmp, int);
        lead.extend(tmp.bytes().map(|b| b - b'0'));
        exp10 = lead.len() as i32 - 1;
    }
    let want = PRECISION as usize + 1;
    while lead.len() < want && frac != 0 {
        frac *= 10;
        let digit = (frac >> k) as u8;
        frac &= mask;
        if lead.is_empty() && digit == 0 {
            exp10 -= 1;
            continue;
        }
        lead.push(digit);
    }
    (
        Digits {
            lead,
            sticky: frac != 0,
        },
        exp10,
    )
}

/// The exact decimal expansion of m × 2^e (any e), through a base-10⁹ big integer.
fn exact_digits(m: u64, e: i32) -> (Digits, i32) {
    let mut big = Big::from_u64(m);
    let shift10 = if e >= 0 {
        big.mul_pow2(e as u32);
        0
    } else {
        // m / 2^k = m × 5^k / 10^k
        big.mul_pow5((-e) as u32);
        e
    };
    let all = big.digits();
    let exp10 = all.len() as i32 - 1 + shift10;
    let keep = (PRECISION as usize + 1).min(all.len());
    let sticky = all[keep..].iter().any(|&d| d != 0);
    let lead = all[..keep].to_vec();
    (Digits { lead, sticky }, exp10)
}

/// Rounds to 18 significant digits, half to even on an exact tie: the digits (exactly 18)
/// and the decimal exponent of the first one.
fn round_digits(digits: Digits, exp10: i32) -> (Vec<u8>, i32) {
    let keep = PRECISION as usize;
    let Digits { lead, sticky } = digits;
    let mut out: Vec<u8> = lead.iter().copied().take(keep).collect();
    out.resize(keep, 0);
    if lead.len() > keep {
        let next = lead[keep];
        let sticky = sticky || lead[keep + 1..].iter().any(|&d| d != 0);
        let odd = out[keep - 1] % 2 == 1;
        if next > 5 || (next == 5 && (sticky || odd)) {
            // Propagate the carry.
            let mut i = keep;
            loop {
                if i == 0 {
                    // 999…9 rounded up to 1000…0.
                    out.insert(0, 1);
                    out.truncate(keep);
                    return (out, exp10 + 1);
                }
                i -= 1;
                if out[i] == 9 {
                    out[i] = 0;
                } else {
                    out[i] += 1;
                    break;
                }
            }
        }
    }
    (out, exp10)
}

/// `%g` layout of rounded digits: fixed notation when -4 <= exp10 < 18, else exponent notation;
/// trailing zeros and a trailing point removed.
fn format_g(out: &mut String, digits: &[u8], exp10: i32) {
    let last = digits.iter().rposition(|&d| d != 0).unwrap_or(0);
    let sig = &digits[..=last];
    let push = |out: &mut String, ds: &[u8]| out.extend(ds.iter().map(|&d| char::from(b'0' + d)));
    if !(-4..PRECISION).contains(&exp10) {
        push(out, &sig[..1]);
        if sig.len() > 1 {
            out.push('.');
            push(out, &sig[1..]);
        }
        out.push('e');
        out.push(if exp10 < 0 { '-' } else { '+' });
        let abs = exp10.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        push_u64(out, u64::from(abs));
    } else if exp10 >= 0 {
        let int_len = exp10 as usize + 1;
        push(out, &digits[..int_len]);
        if sig.len() > int_len {
            out.push('.');
            push(out, &sig[int_len..]);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp10 - 1) {
            out.push('0');
        }
        push(out, sig);
    }
}
