//! The maths functions built into the expression grammar (`COS(x)`, `POW(x,y)`, … in
//! `op_func` of `main/ast_expr2.y`), computed as glibc's `long double` functions do.
//!
//! `SQRT`, `FLOOR`, `CEIL`, `ROUND`, `RINT`, `TRUNC`, `ABS` and `REMAINDER` are exact, as in
//! glibc. `POW` with an integer exponent is exact for |y| <= 3 (glibc multiplies on the FPU);
//! `EXP2`/`EXP10` of an integer and `LOG2`/`LOG10` of an exact power are exact. Everything else
//! (exponentials, logarithms, other powers, the trigonometric functions) is computed in 113-bit
//! IEEE quad precision with the usual series and rounded once, so it is correctly rounded.
//! glibc's x87 code is only nearly so (`powl` ends with `f2xm1`, `log10l` with `fyl2x`): a few
//! results in a hundred differ from Asterisk's in the last of the 18 printed digits. `SIN`,
//! `COS` and `TAN` of arguments beyond ±2^30 fall back to `f64` (their last digits differ).
//! Domain errors give the NaN sign glibc's SVID wrappers return (`LOG(-1)` → `nan`, `SQRT(-1)`
//! → `-nan`, `ACOS(12)` → `nan`).

use std::cmp::Ordering;
use std::sync::OnceLock;

use rustc_apfloat::ieee::{Quad, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round};

use crate::expr::expression::ldouble::{Conv, Ld};

/// A built-in maths function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Cos,
    Sin,
    Tan,
    Acos,
    Asin,
    Atan,
    Atan2,
    Pow,
    Sqrt,
    Floor,
    Ceil,
    Round,
    Rint,
    Trunc,
    Exp,
    Exp2,
    Exp10,
    Log,
    Log2,
    Log10,
    Remainder,
    Abs,
}

impl Builtin {
    /// The built-in with this exact (case-sensitive) name.
    pub(crate) fn by_name(name: &str) -> Option<Builtin> {
        let it = match name {
            "COS" => Builtin::Cos,
            "SIN" => Builtin::Sin,
            "TAN" => Builtin::Tan,
            "ACOS" => Builtin::Acos,
            "ASIN" => Builtin::Asin,
            "ATAN" => Builtin::Atan,
            "ATAN2" => Builtin::Atan2,
            "POW" => Builtin::Pow,
            "SQRT" => Builtin::Sqrt,
            "FLOOR" => Builtin::Floor,
            "CEIL" => Builtin::Ceil,
            "ROUND" => Builtin::Round,
            "RINT" => Builtin::Rint,
            "TRUNC" => Builtin::Trunc,
            "EXP" => Builtin::Exp,
            "EXP2" => Builtin::Exp2,
            "EXP10" => Builtin::Exp10,
            "LOG" => Builtin::Log,
            "LOG2" => Builtin::Log2,
            "LOG10" => Builtin::Log10,
            "REMAINDER" => Builtin::Remainder,
            "ABS" => Builtin::Abs,
            _ => return None,
        };
        Some(it)
    }

    /// How many arguments the function takes (any other count is "wrong args").
    pub(crate) fn arity(self) -> usize {
        match self {
            Builtin::Atan2 | Builtin::Pow | Builtin::Remainder => 2,
            _ => 1,
        }
    }

    /// Applies the function; `y` is the second argument of the two-argument functions.
    pub(crate) fn apply(self, x: Ld, y: Ld) -> Ld {
        match self {
            Builtin::Cos => trig(x, Trig::Cos),
            Builtin::Sin => trig(x, Trig::Sin),
            Builtin::Tan => trig(x, Trig::Tan),
            Builtin::Acos => arc(x, true),
            Builtin::Asin => arc(x, false),
            Builtin::Atan => {
                if x.is_nan() || x.is_zero() {
                    x
                } else {
                    from_quad(atan_quad(to_quad(x)))
                }
            }
            Builtin::Atan2 => atan2(x, y),
            Builtin::Pow => pow(x, y),
            Builtin::Sqrt => x.sqrt(),
            Builtin::Floor => x.round_to_integral(Round::TowardNegative),
            Builtin::Ceil => x.round_to_integral(Round::TowardPositive),
            Builtin::Round => x.round_to_integral(Round::NearestTiesToAway),
            Builtin::Rint => x.round_to_integral(Round::NearestTiesToEven),
            Builtin::Trunc => x.round_to_integral(Round::TowardZero),
            Builtin::Exp => exp(x),
            Builtin::Exp2 => exp2(x),
            Builtin::Exp10 => exp10(x),
            Builtin::Log => log(x, Base::E),
            Builtin::Log2 => log(x, Base::Two),
            Builtin::Log10 => log(x, Base::Ten),
            Builtin::Remainder => remainder(x, y),
            // `x < 0 ? x * -1 : x`: -0 and NaN keep their sign.
            Builtin::Abs => {
                if x.lt(Ld::ZERO) {
                    x.neg()
                } else {
                    x
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Trig {
    Sin,
    Cos,
    Tan,
}

/// `sinl`/`cosl`/`tanl`: infinities are a domain error computed as `x - x` (`-nan`).
fn trig(x: Ld, which: Trig) -> Ld {
    if x.is_infinite() {
        return Ld::default_nan();
    }
    if x.is_nan() {
        return x;
    }
    if x.is_zero() {
        return match which {
            Trig::Cos => Ld::from_i64(1),
            Trig::Sin | Trig::Tan => x,
        };
    }
    match sin_cos_quad(to_quad(x)) {
        Some((sin, cos)) => from_quad(match which {
            Trig::Sin => sin,
            Trig::Cos => cos,
            Trig::Tan => div(sin, cos),
        }),
        None => {
            let v = x.to_f64();
            Ld::from_f64(match which {
                Trig::Sin => v.sin(),
                Trig::Cos => v.cos(),
                Trig::Tan => v.tan(),
            })
        }
    }
}

/// `acosl`/`asinl`: |x| > 1 is a domain error, and glibc's wrapper returns `NAN` (`nan`).
fn arc(x: Ld, cosine: bool) -> Ld {
    if x.is_nan() {
        return x;
    }
    if x.abs().gt(Ld::from_i64(1)) {
        return Ld::nan(false);
    }
    let c = constants();
    let q = to_quad(x);
    let one = quad(1);
    let res = if cosine {
        // acos x = 2·atan √((1 - x)/(1 + x)), accurate near both ends.
        if x.eq(Ld::from_i64(-1)) {
            c.pi
        } else {
            atan_quad(sqrt_quad(div(sub(one, q), add(one, q)))).scalbn(1)
        }
    } else if x.is_zero() {
        return x;
    } else if x.abs().eq(Ld::from_i64(1)) {
        with_sign(c.half_pi, x.is_negative())
    } else {
        // asin x = atan(x / √((1 - x)(1 + x))).
        atan_quad(div(q, sqrt_quad(mul(sub(one, q), add(one, q)))))
    };
    from_quad(res)
}

/// `atan2l(y, x)` with C's special cases.
fn atan2(y: Ld, x: Ld) -> Ld {
    if y.is_nan() {
        return y;
    }
    if x.is_nan() {
        return x;
    }
    let c = constants();
    let negative = y.is_negative();
    let res = if y.is_zero() {
        if x.is_negative() {
            c.pi
        } else {
            return y;
        }
    } else if x.is_zero() {
        c.half_pi
    } else if y.is_infinite() {
        if x.is_infinite() {
            let quarter = c.half_pi.scalbn(-1);
            if x.is_negative() {
                mul(quarter, quad(3))
            } else {
                quarter
            }
        } else {
            c.half_pi
        }
    } else if x.is_infinite() {
        if x.is_negative() {
            c.pi
        } else {
            return if negative { Ld::ZERO.neg() } else { Ld::ZERO };
        }
    } else {
        let a = atan_quad(div(to_quad(y.abs()), to_quad(x.abs())));
        if x.is_negative() {
            sub(c.pi, a)
        } else {
            a
        }
    };
    from_quad(with_sign(res, negative))
}

/// `remainderl`: y = 0 or x infinite is a domain error (`zero/zero` in glibc's wrapper: `-nan`).
fn remainder(x: Ld, y: Ld) -> Ld {
    if x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    if y.is_zero() || x.is_infinite() {
        return Ld::default_nan();
    }
    x.ieee_rem(y)
}

/// 2^n for an integer n, exact (0 or ∞ beyond the range).
fn pow2_int(n: i64) -> Ld {
    let n = n.clamp(-20_000, 20_000) as i32;
    Ld::from_i64(1).scalbn(n)
}

fn exp(x: Ld) -> Ld {
    if x.is_nan() {
        return x;
    }
    exp_quad(to_quad(x))
}

fn exp2(x: Ld) -> Ld {
    if x.is_nan() {
        return x;
    }
    if x.is_integer() {
        return pow2_int(x.to_f64() as i64);
    }
    exp_quad(mul(to_quad(x), constants().ln2))
}

fn exp10(x: Ld) -> Ld {
    if x.is_nan() {
        return x;
    }
    if x.is_integer() {
        return pow10_int(x.to_f64().clamp(-6000.0, 6000.0) as i64);
    }
    exp_quad(mul(to_quad(x), constants().ln10))
}

/// 10^k for an integer k, correctly rounded (∞ or 0 beyond the range).
fn pow10_int(k: i64) -> Ld {
    match Ld::from_decimal(b"1", k) {
        Conv::Ok(v) | Conv::Range(v) => v,
    }
}

#[derive(Clone, Copy)]
enum Base {
    E,
    Two,
    Ten,
}

/// `logl`/`log2l`/`log10l`: 0 gives -∞, a negative argument `nan` (glibc's SVID wrapper).
fn log(x: Ld, base: Base) -> Ld {
    if x.is_nan() {
        return x;
    }
    if x.is_zero() {
        return Ld::infinity(true);
    }
    if x.is_negative() {
        return Ld::nan(false);
    }
    if x.is_infinite() {
        return x;
    }
    let (f, e) = x.frexp();
    match base {
        Base::Two if f.eq(Ld::from_f64(0.5)) => return Ld::from_i64(i64::from(e) - 1),
        Base::Ten => {
            // An exact power of ten has an exact logarithm.
            let guess = (f64::from(e) * std::f64::consts::LOG10_2).round() as i64;
            for k in [guess - 1, guess, guess + 1] {
                if pow10_int(k).eq(x) {
                    return Ld::from_i64(k);
                }
            }
        }
        _ => {}
    }
    let ln = ln_quad(to_quad(x));
    let res = match base {
        Base::E => ln,
        Base::Two => div(ln, constants().ln2),
        Base::Ten => div(ln, constants().ln10),
    };
    from_quad(res)
}

/// `powl`, following glibc's x86-64 special cases.
fn pow(x: Ld, y: Ld) -> Ld {
    let one = Ld::from_i64(1);
    if y.is_zero() {
        return one;
    }
    if x.eq(one) {
        return one;
    }
    if y.is_nan() {
        return y;
    }
    if x.is_nan() {
        return x;
    }
    let finite = !x.is_infinite() && !x.is_zero() && !y.is_infinite();
    if finite && y.is_integer() {
        let n = y.to_f64();
        if n.abs() < 4.0 {
            return pow_small(x, n as i32);
        }
        if n.abs() < 65536.0 {
            return pow_int(x, n as i64);
        }
    }
    if finite && x.is_negative() && !y.is_integer() {
        // A negative base with a non-integer exponent: glibc's wrapper returns zero/zero.
        return Ld::default_nan();
    }
    if finite {
        // x^y = e^(y·ln|x|), with the sign of an odd integer power.
        let res = exp_quad(mul(to_quad(y), ln_quad(to_quad(x.abs()))));
        let odd = y.is_integer() && (y.to_f64() / 2.0).fract() != 0.0;
        return if x.is_negative() && odd {
            res.neg()
        } else {
            res
        };
    }
    // Zeros and infinities: the IEEE special cases, as `f64` has them.
    Ld::from_f64(x.to_f64().powf(y.to_f64()))
}

/// glibc's exact FPU path for integer |y| <= 3: 1/x first for a negative exponent, then
/// `|x|·|x|` or `(x·|x|)·|x|`.
fn pow_small(x: Ld, n: i32) -> Ld {
    let x = if n < 0 { Ld::from_i64(1).div(x) } else { x };
    match n.unsigned_abs() {
        0 => Ld::from_i64(1),
        1 => x,
        2 => x.abs().mul(x.abs()),
        _ => x.mul(x.abs()).mul(x.abs()),
    }
}

/// x^n for a larger integer n by squaring in IEEE quad precision, then rounded once. The
/// binary exponent is carried separately so intermediate powers never overflow.
fn pow_int(x: Ld, n: i64) -> Ld {
    let mut loses = false;
    let base: Quad = x.raw().convert(&mut loses).value;
    let one = Quad::from_i128(1).value;
    let (mut acc, mut acc_exp) = (one, 0i64);
    let (mut sq, mut sq_exp) = normalize(base, 0);
    let mut k = n.unsigned_abs();
    while k > 0 {
        if k & 1 == 1 {
            (acc, acc_exp) = normalize((acc * sq).value, acc_exp + sq_exp);
        }
        k >>= 1;
        if k > 0 {
            (sq, sq_exp) = normalize((sq * sq).value, 2 * sq_exp);
        }
    }
    if n < 0 {
        (acc, acc_exp) = normalize((one / acc).value, -acc_exp);
    }
    // Scale within quad (whose range reaches further below), then round to 80 bits once.
    let exp = acc_exp.clamp(-40_000, 40_000) as i32;
    let scaled = acc.scalbn(exp);
    let res: X87DoubleExtended = scaled.convert(&mut loses).value;
    Ld::from_raw(res)
}

/// `(m, e)` with value × 2^exp = m × 2^e and |m| in [0.5, 1).
fn normalize(value: Quad, exp: i64) -> (Quad, i64) {
    let mut e = 0;
    let m = value.frexp(&mut e);
    (m, exp + i64::from(e))
}

fn to_quad(x: Ld) -> Quad {
    let mut loses = false;
    x.raw().convert(&mut loses).value
}

/// Rounds a quad value to 80 bits, once.
fn from_quad(x: Quad) -> Ld {
    let mut loses = false;
    let res: X87DoubleExtended = x.convert(&mut loses).value;
    Ld::from_raw(res)
}

fn quad(n: i128) -> Quad {
    Quad::from_i128(n).value
}

fn mul(a: Quad, b: Quad) -> Quad {
    (a * b).value
}

fn div(a: Quad, b: Quad) -> Quad {
    (a / b).value
}

fn add(a: Quad, b: Quad) -> Quad {
    (a + b).value
}

fn sub(a: Quad, b: Quad) -> Quad {
    (a - b).value
}

struct Constants {
    ln2: Quad,
    ln10: Quad,
    sqrt_half: Quad,
    sqrt3: Quad,
    pi: Quad,
    half_pi: Quad,
    sixth_pi: Quad,
    /// π/2 split for argument reduction: `c1` and `c2` have 83 significant bits, so k·c1 and
    /// k·c2 are exact for |k| < 2^30 (Cody–Waite).
    c1: Quad,
    c2: Quad,
    c3: Quad,
}

/// ln 2 and ln 10 to more than quad precision, rounded once.
fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let parse = |text: &str| {
            Quad::from_str_r(text, Round::NearestTiesToEven).map_or(Quad::ZERO, |it| it.value)
        };
        let pi = parse("3.14159265358979323846264338327950288419716939937510582097494");
        Constants {
            ln2: parse("0.69314718055994530941723212145817656807550013436025525412068"),
            ln10: parse("2.30258509299404568401799145468436420760110148862877297603333"),
            sqrt_half: parse("0.70710678118654752440084436210484903928483593768847403658834"),
            sqrt3: parse("1.73205080756887729352744634150587236694280525381038062805581"),
            pi,
            half_pi: pi.scalbn(-1),
            sixth_pi: div(pi, quad(6)),
            c1: parse(
                "1.5707963267948966192313216751934945057743268914673961944572511129081249237060546875",
            ),
            c2: parse(concat!(
                "0.000000000000000000000000016446256936324257808220157221378089951087438864622085",
                "664442393115595045506869340492706061620795243293120801997275748362881131470203399",
                "658203125",
            )),
            c3: parse(
                "-0.00000000000000000000000000000000000000000000000000050534786876784165558518503585",
            ),
        }
    })
}

/// Whether `term` no longer changes `sum` at quad precision.
fn negligible(term: Quad, sum: Quad) -> bool {
    term.is_zero() || sum.ilogb() - term.ilogb() > 118
}

/// ln x for a finite x > 0, to about 110 bits: x = f·2^e with f in [√½, √2), and
/// ln f = 2·atanh((f - 1)/(f + 1)) by its series.
fn ln_quad(x: Quad) -> Quad {
    let c = constants();
    let mut e = 0;
    let mut f = x.frexp(&mut e);
    if f.partial_cmp(&c.sqrt_half) == Some(Ordering::Less) {
        f = f.scalbn(1);
        e -= 1;
    }
    let one = quad(1);
    let s = div(sub(f, one), add(f, one));
    let s2 = mul(s, s);
    let mut sum = s;
    let mut power = s;
    for k in (3..200).step_by(2) {
        power = mul(power, s2);
        let term = div(power, quad(k));
        if negligible(term, sum) {
            break;
        }
        sum = add(sum, term);
    }
    add(sum.scalbn(1), mul(quad(i128::from(e)), c.ln2))
}

/// e^t, rounded once to 80 bits: t = n·ln 2 + r, e^(r/256) by its series, squared eight times.
fn exp_quad(t: Quad) -> Ld {
    if t.is_nan() {
        return from_quad(t);
    }
    if t.partial_cmp(&quad(11_400)) == Some(Ordering::Greater) {
        return Ld::infinity(false);
    }
    if t.partial_cmp(&quad(-11_500)) == Some(Ordering::Less) {
        return Ld::ZERO;
    }
    let c = constants();
    let n = div(t, c.ln2)
        .round_to_integral(Round::NearestTiesToEven)
        .value;
    let r = sub(t, mul(n, c.ln2)).scalbn(-8);
    let one = quad(1);
    let mut sum = one;
    let mut term = one;
    for k in 1..60 {
        term = div(mul(term, r), quad(k));
        if negligible(term, sum) {
            break;
        }
        sum = add(sum, term);
    }
    for _ in 0..8 {
        sum = mul(sum, sum);
    }
    let mut is_exact = false;
    let n = n.to_i128_r(32, Round::TowardZero, &mut is_exact).value;
    from_quad(sum.scalbn(n.clamp(-20_000, 20_000) as i32))
}

fn with_sign(x: Quad, negative: bool) -> Quad {
    if negative {
        -x
    } else {
        x
    }
}

/// √a for a finite a >= 0: Newton's method from the `f64` root (53 → 106 → 212 bits).
fn sqrt_quad(a: Quad) -> Quad {
    if a.is_zero() || a.is_infinite() {
        return a;
    }
    let mut e = 0;
    let m = a.frexp(&mut e);
    // Make the exponent even so the root of 2^e is exact.
    let (m, e) = if e % 2 == 0 {
        (m, e)
    } else {
        (m.scalbn(1), e - 1)
    };
    let mut loses = false;
    let m64: rustc_apfloat::ieee::Double = m.convert(&mut loses).value;
    let guess = f64::from_bits(m64.to_bits() as u64).sqrt();
    let mut y: Quad = rustc_apfloat::ieee::Double::from_bits(u128::from(guess.to_bits()))
        .convert(&mut loses)
        .value;
    for _ in 0..3 {
        y = add(y, div(m, y)).scalbn(-1);
    }
    y.scalbn(e / 2)
}

/// sin x and cos x for |x| < 2^30: x = k·π/2 + r with |r| <= π/4, then the series for r.
fn sin_cos_quad(x: Quad) -> Option<(Quad, Quad)> {
    let c = constants();
    if x.abs().partial_cmp(&quad(1 << 30)) != Some(Ordering::Less) {
        return None;
    }
    let k = div(x, c.half_pi)
        .round_to_integral(Round::NearestTiesToEven)
        .value;
    let r = sub(sub(sub(x, mul(k, c.c1)), mul(k, c.c2)), mul(k, c.c3));
    let r2 = mul(r, r);
    let one = quad(1);
    // sin r = r - r³/3! + …, cos r = 1 - r²/2! + …
    let (mut sin, mut term) = (r, r);
    for n in (2..80).step_by(2) {
        term = -div(mul(term, r2), quad(n * (n + 1)));
        if negligible(term, sin) {
            break;
        }
        sin = add(sin, term);
    }
    let (mut cos, mut term) = (one, one);
    for n in (1..80).step_by(2) {
        term = -div(mul(term, r2), quad(n * (n + 1)));
        if negligible(term, cos) {
            break;
        }
        cos = add(cos, term);
    }
    let mut is_exact = false;
    let quadrant = k
        .to_i128_r(64, Round::TowardZero, &mut is_exact)
        .value
        .rem_euclid(4);
    Some(match quadrant {
        0 => (sin, cos),
        1 => (cos, -sin),
        2 => (-sin, -cos),
        _ => (-cos, sin),
    })
}

/// atan t for any t (±π/2 at the infinities).
fn atan_quad(t: Quad) -> Quad {
    let c = constants();
    let negative = t.is_negative();
    let a = t.abs();
    let one = quad(1);
    let res = if a.is_infinite() {
        c.half_pi
    } else if a.partial_cmp(&one) == Some(Ordering::Greater) {
        sub(c.half_pi, atan_small(div(one, a)))
    } else {
        atan_small(a)
    };
    with_sign(res, negative)
}

/// atan a for 0 <= a <= 1: reduced below tan(π/12) with atan a = π/6 + atan((a√3 - 1)/(a + √3)).
fn atan_small(a: Quad) -> Quad {
    let c = constants();
    let tan_12th = Quad::from_str_r("0.2679491924311227", Round::NearestTiesToEven)
        .map_or(Quad::ZERO, |it| it.value);
    let (base, t) = if a.partial_cmp(&tan_12th) == Some(Ordering::Greater) {
        let t = div(sub(mul(a, c.sqrt3), quad(1)), add(a, c.sqrt3));
        (c.sixth_pi, t)
    } else {
        (Quad::ZERO, a)
    };
    // atan t = t - t³/3 + t⁵/5 - …
    let t2 = mul(t, t);
    let (mut sum, mut power) = (t, t);
    for n in (3..400).step_by(2) {
        power = -mul(power, t2);
        let term = div(power, quad(n));
        if negligible(term, sum) {
            break;
        }
        sum = add(sum, term);
    }
    add(base, sum)
}
