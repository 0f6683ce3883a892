//! Runs a `Program`: the operator semantics of `main/ast_expr2.y` (`op_or`, `op_plus`,
//! `op_colon`, `op_func`, …) on a value stack, collecting the warnings Asterisk would log.
//!
//! A template's program (`template.rs`) has slot tokens; the caller passes their texts for
//! this evaluation as `Filled` values, which stand where the literals would.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::expr::expression::code::{Bin, Ending, Op, Program};
use crate::expr::expression::ldouble::{Conv, Ld};
use crate::expr::expression::limits::MAX_FUNCTION_RESULT;
use crate::expr::expression::math::Builtin;
use crate::expr::expression::posix::Pattern;
use crate::expr::expression::value::{atoi, strip_quotes, Value};
use crate::expr::expression::{Functions, Outcome};

/// `QUAD_MIN` (-2^63) as a `long double`, used by the subtraction overflow check.
fn quad_min() -> Ld {
    Ld::from_i64(i64::MIN)
}

/// `INT_MAX`: what a division by zero or by a string gives.
fn int_max() -> Ld {
    Ld::from_i64(i64::from(i32::MAX))
}

/// The text of a template's slot token for one evaluation, and whether the lexer would make
/// it a number token.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filled<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) number: bool,
}

/// Runs `program`; `filled[n]` is the text of slot token `n` (empty for a plain expression).
pub(crate) fn run<'a>(
    program: &'a Program,
    filled: &'a [Filled<'a>],
    functions: &'a dyn Functions,
) -> Outcome {
    let mut machine = Machine {
        program,
        filled,
        functions,
        stack: Vec::with_capacity(program.max_stack),
        warnings: Vec::new(),
    };
    for op in &program.code {
        machine.step(op);
    }
    let mut value = String::new();
    match program.ending {
        Ending::Value => {
            if let Some(top) = machine.stack.pop() {
                top.write_to(&mut value);
            }
        }
        Ending::Empty => {}
        Ending::Zero => value.push('0'),
    }
    let mut warnings = machine.warnings;
    if let Some((_, warning)) = &program.error {
        warnings.push(warning.clone());
    }
    Outcome { value, warnings }
}

struct Machine<'a> {
    program: &'a Program,
    filled: &'a [Filled<'a>],
    functions: &'a dyn Functions,
    stack: Vec<Value<'a>>,
    warnings: Vec<String>,
}

impl<'a> Machine<'a> {
    fn pop(&mut self) -> Value<'a> {
        // The compiler only emits balanced code; an empty stack would be a bug.
        debug_assert!(!self.stack.is_empty(), "invariant: balanced postfix code");
        self.stack.pop().unwrap_or_else(Value::empty)
    }

    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }

    fn step(&mut self, op: &'a Op) {
        let res = match op {
            Op::Push(lit) => match self.program.lits.get(*lit as usize) {
                Some(lit) if lit.slot.is_some() => {
                    match lit.slot.and_then(|n| self.filled.get(n as usize)) {
                        Some(Filled { text, number: true }) => {
                            Value::NumStr(Cow::Borrowed(text.as_ref()))
                        }
                        Some(Filled { text, .. }) => Value::Str(Cow::Borrowed(text.as_ref())),
                        None => Value::empty(),
                    }
                }
                Some(lit) if lit.number.is_some() => Value::Lit(lit),
                Some(lit) => Value::Str(Cow::Borrowed(&lit.text)),
                None => Value::empty(),
            },
            Op::PushEmpty => Value::empty(),
            Op::Neg => {
                let a = self.pop();
                self.negate(a)
            }
            Op::Not => {
                let a = self.pop();
                complement(a)
            }
            Op::Bin(bin) => {
                let b = self.pop();
                let a = self.pop();
                self.binary(*bin, a, b)
            }
            Op::Match { anchored, cache } => {
                let b = self.pop();
                let a = self.pop();
                self.matching(a, b, *anchored, *cache)
            }
            Op::Cond => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                self.cond(a, b, c)
            }
            Op::Call { name, argc } => {
                let argc = (*argc as usize).min(self.stack.len());
                let args = self.stack.split_off(self.stack.len() - argc);
                let name = match self.program.lits.get(*name as usize) {
                    Some(lit) => match lit.slot {
                        Some(n) => self.filled.get(n as usize).map_or("", |f| f.text.as_ref()),
                        None => &lit.text,
                    },
                    None => "",
                };
                self.call(name, args)
            }
        };
        self.stack.push(res);
    }

    fn binary(&mut self, bin: Bin, a: Value<'a>, b: Value<'a>) -> Value<'a> {
        match bin {
            Bin::Or => self.or(a, b),
            Bin::And => self.and(a, b),
            Bin::Eq => self.compare(a, b, |o| o == Some(Ordering::Equal)),
            Bin::Ne => self.compare(a, b, |o| o != Some(Ordering::Equal)),
            Bin::Lt => self.compare(a, b, |o| o == Some(Ordering::Less)),
            Bin::Gt => self.compare(a, b, |o| o == Some(Ordering::Greater)),
            Bin::Le => self.compare(a, b, |o| {
                matches!(o, Some(Ordering::Less | Ordering::Equal))
            }),
            Bin::Ge => self.compare(a, b, |o| {
                matches!(o, Some(Ordering::Greater | Ordering::Equal))
            }),
            Bin::Add => self.plus(a, b),
            Bin::Sub => self.minus(a, b),
            Bin::Mul => self.times(a, b),
            Bin::Div => self.divide(a, b),
            Bin::Rem => self.remainder(a, b),
            Bin::Concat => concat(a, b),
        }
    }

    /// `a | b`: `b` if `a` is zero or null, else `a` (as tested, so converted).
    fn or(&mut self, mut a: Value<'a>, b: Value<'a>) -> Value<'a> {
        if a.is_zero_or_null(&mut self.warnings) {
            b
        } else {
            a
        }
    }

    /// `a & b`: `0` if either is zero or null (`b` untested when `a` is), else `a`.
    fn and(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if a.is_zero_or_null(&mut self.warnings) || b.is_zero_or_null(&mut self.warnings) {
            Value::Num(Ld::ZERO)
        } else {
            a
        }
    }

    /// The comparisons: byte-wise on texts when either side is a string, else numeric.
    fn compare(
        &mut self,
        mut a: Value<'a>,
        mut b: Value<'a>,
        test: fn(Option<Ordering>) -> bool,
    ) -> Value<'a> {
        let ordering = if a.is_string() || b.is_string() {
            let (a, b) = (a.into_text(), b.into_text());
            Some(a.as_bytes().cmp(b.as_bytes()))
        } else {
            a.coerce_to_number(&mut self.warnings);
            b.coerce_to_number(&mut self.warnings);
            a.number().cmp(b.number())
        };
        Value::Num(Ld::from_bool(test(ordering)))
    }

    fn plus(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return if b.coerce_to_number(&mut self.warnings) {
                b
            } else {
                Value::Num(Ld::ZERO)
            };
        }
        if !b.coerce_to_number(&mut self.warnings) {
            return a;
        }
        let (x, y) = (a.number(), b.number());
        let r = x.add(y);
        if check_plus(x, y, r) {
            self.warn("overflow");
        }
        Value::Num(r)
    }

    fn minus(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return if b.coerce_to_number(&mut self.warnings) {
                Value::Num(Ld::ZERO.sub(b.number()))
            } else {
                Value::Num(Ld::ZERO)
            };
        }
        if !b.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return a;
        }
        let (x, y) = (a.number(), b.number());
        let r = x.sub(y);
        if check_minus(x, y, r) {
            self.warn("overflow");
        }
        Value::Num(r)
    }

    fn negate(&mut self, mut a: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return Value::Num(Ld::ZERO);
        }
        let x = a.number();
        let r = x.neg();
        if check_minus(Ld::ZERO, x, r) {
            self.warn("overflow");
        }
        Value::Num(r)
    }

    fn times(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) || !b.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return Value::Num(Ld::ZERO);
        }
        let (x, y) = (a.number(), b.number());
        let r = x.mul(y);
        // `chk_times`: the product divided by the first factor must give back the second,
        // which fails for most inexact products (`0.1 * 0.1` warns).
        if !x.is_zero() && !r.div(x).eq(y) {
            self.warn("overflow");
        }
        Value::Num(r)
    }

    fn divide(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return Value::Num(Ld::ZERO);
        }
        if !b.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return Value::Num(int_max());
        }
        let (x, y) = (a.number(), b.number());
        if y.is_zero() {
            self.warn("division by zero");
            return Value::Num(int_max());
        }
        if x.eq(quad_min()) && y.eq(Ld::from_i64(-1)) {
            self.warn("overflow");
        }
        Value::Num(x.div(y))
    }

    fn remainder(&mut self, mut a: Value<'a>, mut b: Value<'a>) -> Value<'a> {
        if !a.coerce_to_number(&mut self.warnings) || !b.coerce_to_number(&mut self.warnings) {
            self.warn("non-numeric argument");
            return Value::Num(Ld::ZERO);
        }
        let (x, y) = (a.number(), b.number());
        if y.is_zero() {
            // Asterisk returns the divisor itself, so `% -0` gives `-0`.
            self.warn("div by zero");
            return b;
        }
        Value::Num(x.fmod(y))
    }

    /// `c ? x :: y`.
    fn cond(&mut self, mut a: Value<'a>, b: Value<'a>, c: Value<'a>) -> Value<'a> {
        let truth = match &a {
            Value::Str(text) => !text.is_empty() && text != "\"\"" && text != "0",
            _ => {
                a.coerce_to_number(&mut self.warnings);
                !a.number().is_zero()
            }
        };
        if truth {
            b
        } else {
            c
        }
    }

    /// `a : re` (anchored) and `a =~ re`.
    fn matching(
        &mut self,
        a: Value<'a>,
        b: Value<'a>,
        anchored: bool,
        cache: Option<u32>,
    ) -> Value<'a> {
        let subject = strip_quotes(a.into_text());
        let compiled;
        let pattern: &Result<Pattern, String> =
            match cache.and_then(|i| self.program.patterns.get(i as usize)) {
                Some((text, slot)) => slot.get_or_init(|| Pattern::compile(text)),
                None => {
                    compiled = Pattern::compile(&strip_quotes(b.into_text()));
                    &compiled
                }
            };
        let pattern = match pattern {
            Ok(pattern) => pattern,
            Err(message) => {
                self.warnings
                    .push(format!("regcomp() error : {}", lower_first(message)));
                return Value::empty();
            }
        };
        match pattern.exec(&subject, anchored) {
            Some(found) => match found.group {
                Some((start, end)) => {
                    let text = match subject {
                        Cow::Borrowed(s) => Cow::Borrowed(&s[start..end]),
                        Cow::Owned(s) => Cow::Owned(s[start..end].to_string()),
                    };
                    Value::classify(text)
                }
                None => Value::Num(Ld::from_i64((found.end - found.start) as i64)),
            },
            None if pattern.has_groups() => Value::empty(),
            None => Value::Num(Ld::ZERO),
        }
    }

    /// `NAME(args)`: a built-in maths function, or a dialplan function.
    fn call(&mut self, name: &str, mut args: Vec<Value<'a>>) -> Value<'a> {
        let possible = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !possible {
            self.warnings
                .push(format!("'{name}' is not possibly a function name"));
            return Value::Num(Ld::ZERO);
        }
        if let Some(builtin) = Builtin::by_name(name) {
            if args.len() != builtin.arity() {
                self.warnings
                    .push(format!("wrong args to {name}() function"));
                return Value::Num(Ld::ZERO);
            }
            let mut numbers = [Ld::ZERO; 2];
            for (slot, arg) in numbers.iter_mut().zip(args.iter_mut()) {
                if !arg.coerce_to_number(&mut self.warnings) && arg.is_string() {
                    // Undefined behaviour in Asterisk (it reads a pointer as a number).
                    self.warnings
                        .push(format!("non-numeric argument to {name}() function"));
                }
                *slot = arg.number();
            }
            return Value::Num(builtin.apply(numbers[0], numbers[1]));
        }
        let mut joined = String::new();
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                joined.push(',');
            }
            arg.write_to(&mut joined);
        }
        match self.functions.call(name, &joined) {
            Some(result) => function_result(result),
            None => {
                self.warnings.push(format!(
                    "'{name}' doesn't appear to be an available function"
                ));
                Value::Num(Ld::ZERO)
            }
        }
    }
}

/// A dialplan function's result: cut like Asterisk's 512-byte buffer, then a number when it
/// holds only `-0123456789.`, blanks and tabs (so the empty result is 0), else a text.
fn function_result<'a>(mut result: String) -> Value<'a> {
    if let Some(nul) = result.find('\0') {
        result.truncate(nul);
    }
    if result.len() > MAX_FUNCTION_RESULT {
        let mut cut = MAX_FUNCTION_RESULT;
        while !result.is_char_boundary(cut) {
            cut -= 1;
        }
        result.truncate(cut);
    }
    if result
        .bytes()
        .all(|b| matches!(b, b'-' | b'0'..=b'9' | b'.' | b' ' | b'\t'))
    {
        let (Conv::Ok(v) | Conv::Range(v)) = Ld::parse_prefix(&result);
        return Value::Num(v);
    }
    Value::classify(Cow::Owned(result))
}

/// `!a`: for a number, whether it is 0; for a text, whether it is empty, `0`, or `atoi` of it
/// is 0.
fn complement(a: Value<'_>) -> Value<'_> {
    let truth = match (&a, a.text()) {
        (Value::Num(v), _) => !v.is_zero(),
        (_, Some(text)) => !(text.is_empty() || text == "0") && atoi(text) != 0,
        (_, None) => false,
    };
    Value::Num(Ld::from_bool(!truth))
}

/// `a ~~ b`: the texts joined after quote removal.
fn concat<'a>(a: Value<'a>, b: Value<'a>) -> Value<'a> {
    let a = strip_quotes(a.into_text());
    let b = strip_quotes(b.into_text());
    let mut joined = String::with_capacity(a.len() + b.len());
    joined.push_str(&a);
    joined.push_str(&b);
    Value::classify(Cow::Owned(joined))
}

/// `chk_plus`: two positive operands must give a positive sum, two negative a negative one
/// (a NaN sum compares false both ways).
fn check_plus(a: Ld, b: Ld, r: Ld) -> bool {
    let r_le_zero = !r.is_nan() && !r.is_above_zero();
    let r_ge_zero = !r.is_nan() && !r.is_below_zero();
    (a.is_above_zero() && b.is_above_zero() && r_le_zero)
        || (a.is_below_zero() && b.is_below_zero() && r_ge_zero)
}

/// `chk_minus`: subtracting `QUAD_MIN` overflows for a non-negative `a`; else as `a + -b`.
fn check_minus(a: Ld, b: Ld, r: Ld) -> bool {
    if b.eq(quad_min()) {
        return a.ge(Ld::ZERO);
    }
    check_plus(a, b.neg(), r)
}

/// Warnings are lowercase: `regerror` texts start with a capital.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
