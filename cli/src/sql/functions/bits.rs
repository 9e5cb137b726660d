//! AE's bit functions ("Bit functions" page) with ClickHouse's semantics (ClickHouse docs,
//! bit-functions: "The result type is an integer with bits equal to the maximum bits of its
//! arguments. If at least one of the arguments is signed, the result is a signed number. If an
//! argument is a floating-point number, it is cast to Int64"). SQLite's values do not carry that
//! type, so `typed.rs` passes it as the last argument (`UInt8`, `Int64`, `Float64`…; `''` when
//! it cannot be told, read as `Int64`).

use super::{float, integer, text, Scalar};
use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Result};

/// An integer type's width in bits and sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Width {
    bits: u32,
    signed: bool,
}

impl Width {
    /// The width a value of ClickHouse type `ty` is computed in: floats (and unknown types) as
    /// Int64, Bool as UInt8.
    fn of(ty: &str) -> Width {
        let (bits, signed) = crate::sql::types::integer_type(ty).unwrap_or((64, true));
        Width { bits, signed }
    }

    fn mask(self) -> u64 {
        if self.bits == 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        }
    }

    /// The value of `raw`'s low bits in this type (as SQLite stores it: a UInt64 above
    /// `i64::MAX` wraps, and the output prints it unsigned).
    fn value(self, raw: u64) -> i64 {
        let low = raw & self.mask();
        if self.signed && self.bits < 64 && (low >> (self.bits - 1)) & 1 == 1 {
            (low | !self.mask()) as i64
        } else {
            low as i64
        }
    }
}

/// Argument `i` as the two's-complement bits of an Int64 (floats truncated toward zero).
fn operand(ctx: &Context<'_>, i: usize) -> Result<Option<u64>> {
    Ok(integer(ctx, i)?.map(|n| n as u64))
}

/// The type passed after the arguments.
fn type_at(ctx: &Context<'_>) -> String {
    text(ctx, ctx.len() - 1).unwrap_or_default()
}

/// `f(a, b)` in the width of the passed type.
fn binary(ctx: &Context<'_>, f: fn(u64, u64, Width) -> u64) -> Result<Value> {
    let width = Width::of(&type_at(ctx));
    Ok(match (operand(ctx, 0)?, operand(ctx, 1)?) {
        (Some(a), Some(b)) => Value::Integer(width.value(f(a, b, width))),
        _ => Value::Null,
    })
}

/// Shifts (ClickHouse: the result has the type of `a`); shifting by the width or more, or by a
/// negative count, leaves no bits.
fn shift_left(a: u64, n: u64, width: Width) -> u64 {
    if n >= u64::from(width.bits) {
        0
    } else {
        a << n
    }
}

fn shift_right(a: u64, n: u64, width: Width) -> u64 {
    let value = width.value(a);
    if n >= u64::from(width.bits) {
        return if value < 0 { u64::MAX } else { 0 };
    }
    if width.signed {
        (value >> n) as u64
    } else {
        (a & width.mask()) >> n
    }
}

/// Rotations within the type's width (ClickHouse: bitRotateLeft(128, 1) = 1 for a UInt8).
fn rotate(a: u64, n: u64, width: Width, left: bool) -> u64 {
    let bits = u64::from(width.bits);
    let n = n % bits;
    let a = a & width.mask();
    if n == 0 {
        return a;
    }
    let (first, second) = if left { (n, bits - n) } else { (bits - n, n) };
    ((a << first) | (a >> second)) & width.mask()
}

/// Registers the bit functions on `connection`.
pub(super) fn register(connection: &Connection) -> Result<()> {
    let scalars: &[(&str, i32, Scalar)] = &[
        ("ch_bit_and", 3, |c| binary(c, |a, b, _| a & b)),
        ("ch_bit_or", 3, |c| binary(c, |a, b, _| a | b)),
        ("ch_bit_xor", 3, |c| binary(c, |a, b, _| a ^ b)),
        ("ch_bit_shift_left", 3, |c| binary(c, shift_left)),
        ("ch_bit_shift_right", 3, |c| binary(c, shift_right)),
        ("ch_bit_rotate_left", 3, |c| {
            binary(c, |a, n, w| rotate(a, n, w, true))
        }),
        ("ch_bit_rotate_right", 3, |c| {
            binary(c, |a, n, w| rotate(a, n, w, false))
        }),
        // bitTest(a, n): bit n of a, counted from 0 at the right (ClickHouse docs: bitTest(43, 1)
        // = 1, bitTest(43, 2) = 0).
        ("ch_bit_test", 3, |c| {
            binary(c, |a, n, w| {
                let value = w.value(a);
                u64::from(if n >= 64 {
                    value < 0
                } else {
                    (value >> n) & 1 == 1
                })
            })
        }),
        ("ch_bit_not", 2, |c| {
            let width = Width::of(&type_at(c));
            Ok(operand(c, 0)?.map_or(Value::Null, |a| Value::Integer(width.value(!a))))
        }),
        ("ch_bit_count", 2, bit_count),
        ("ch_bit_hamming_distance", 2, |c| {
            Ok(match (operand(c, 0)?, operand(c, 1)?) {
                (Some(a), Some(b)) => Value::Integer(i64::from((a ^ b).count_ones())),
                _ => Value::Null,
            })
        }),
    ];
    super::register_scalars(connection, scalars)?;
    Ok(())
}

/// bitCount(a): the bits set in `a`'s own type, without widening it ("bitCount(toUInt8(-1)) =
/// 8"); a float's are the bits of its representation (AE: "the binary representation of the
/// float `double1`").
fn bit_count(ctx: &Context<'_>) -> Result<Value> {
    let ty = type_at(ctx);
    if matches!(ctx.get_raw(0), ValueRef::Null) {
        return Ok(Value::Null);
    }
    let ones = match ty.as_str() {
        "Float64" => float(ctx, 0)?.unwrap_or(0.0).to_bits().count_ones(),
        "Float32" => (float(ctx, 0)?.unwrap_or(0.0) as f32)
            .to_bits()
            .count_ones(),
        _ => {
            let width = Width::of(&ty);
            (operand(ctx, 0)?.unwrap_or(0) & width.mask()).count_ones()
        }
    };
    Ok(Value::Integer(i64::from(ones)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_wrap_and_sign_as_the_type() {
        let uint8 = Width::of("UInt8");
        assert_eq!(uint8.value(256), 0);
        assert_eq!(uint8.value(!1), 254);
        assert_eq!(Width::of("Int8").value(!1), -2);
        assert_eq!(Width::of("Float64"), Width::of("Int64"));
        assert_eq!(rotate(128, 1, uint8, true), 1);
        assert_eq!(rotate(1, 1, uint8, false), 128);
        assert_eq!(shift_right(-8i64 as u64, 1, Width::of("Int8")) as i64, -4);
    }
}
