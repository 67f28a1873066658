//! Number and string literal decoding, with the TCK's syntax error detail codes.
//!
//! The grammar lets a number run on to the end of its word (`0x1A2b3j`), so that a
//! malformed number is reported here as `InvalidNumberLiteral` rather than as a stray
//! name after a number. Integers are decoded together with an optional leading minus so
//! that `-9223372036854775808` is in range while `9223372036854775808` overflows.

use crate::error::{Error, Result};

/// Decodes an integer literal (decimal, `0x` hex or `0o` octal); `negative` when a unary
/// minus was written directly before it.
pub fn decode_integer(text: &str, negative: bool) -> Result<i64> {
    let lower = text.to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (rest, 8)
    } else {
        (lower.as_str(), 10)
    };
    let valid_digit = |c: char| c.is_digit(radix);
    if digits.is_empty() || !digits.chars().all(valid_digit) {
        return Err(Error::syntax(
            "InvalidNumberLiteral",
            format!("'{text}' is not a valid number"),
        ));
    }
    let magnitude = u128::from_str_radix(digits, radix).ok();
    let value = magnitude.and_then(|m| {
        let signed = i128::try_from(m).ok()?;
        let signed = if negative { -signed } else { signed };
        i64::try_from(signed).ok()
    });
    value.ok_or_else(|| {
        let sign = if negative { "-" } else { "" };
        Error::syntax(
            "IntegerOverflow",
            format!("the integer {sign}{text} does not fit in 64 bits"),
        )
    })
}

/// Decodes a float literal (`1.5`, `.5`, `1e3`, `1.5E-3`).
pub fn decode_float(text: &str) -> Result<f64> {
    let well_formed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    let value = if well_formed {
        text.parse::<f64>().ok()
    } else {
        None
    };
    match value {
        None => Err(Error::syntax(
            "InvalidNumberLiteral",
            format!("'{text}' is not a valid number"),
        )),
        Some(v) if v.is_infinite() => Err(Error::syntax(
            "FloatingPointOverflow",
            format!("the number {text} is too large for a 64-bit float"),
        )),
        Some(v) => Ok(v),
    }
}

/// Decodes the body of a quoted string (without its quotes). On error, the second value
/// is the byte offset of the bad escape within `body`.
pub fn decode_string(body: &str) -> std::result::Result<String, (Error, usize)> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escaped)) = chars.next() else {
            return Err((
                Error::syntax("InvalidSyntax", "a string ends with a lone backslash"),
                at,
            ));
        };
        match escaped {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            '`' => out.push('`'),
            'b' | 'B' => out.push('\u{8}'),
            'f' | 'F' => out.push('\u{c}'),
            'n' | 'N' => out.push('\n'),
            'r' | 'R' => out.push('\r'),
            't' | 'T' => out.push('\t'),
            'u' | 'U' => {
                let width = if escaped == 'u' { 4 } else { 8 };
                let hex: String = chars.clone().take(width).map(|(_, h)| h).collect();
                if hex.chars().count() != width || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err((
                        Error::syntax(
                            "InvalidUnicodeLiteral",
                            format!("'\\{escaped}' must be followed by {width} hexadecimal digits"),
                        ),
                        at,
                    ));
                }
                for _ in 0..width {
                    chars.next();
                }
                let mut code = u32::from_str_radix(&hex, 16).ok();
                // A UTF-16 surrogate pair written as two escapes (`\uD83D\uDE00`) is one
                // character, as in the Java strings the TCK was written against.
                if let Some(high @ 0xD800..=0xDBFF) = code {
                    let rest = chars.as_str();
                    let low = rest
                        .strip_prefix("\\u")
                        .and_then(|r| r.get(..4))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .filter(|low| (0xDC00..=0xDFFF).contains(low));
                    if let Some(low) = low {
                        for _ in 0..6 {
                            chars.next();
                        }
                        code = Some(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
                    }
                }
                match code.and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err((
                            Error::syntax(
                                "InvalidUnicodeCharacter",
                                format!("'\\{escaped}{hex}' is not a valid unicode character"),
                            ),
                            at,
                        ))
                    }
                }
            }
            other => {
                return Err((
                    Error::syntax(
                        "InvalidSyntax",
                        format!("'\\{other}' is not a valid escape sequence in a string"),
                    ),
                    at,
                ))
            }
        }
    }
    Ok(out)
}

/// Decodes a backtick-quoted name: the quotes removed and doubled backticks made single.
pub fn decode_escaped_name(text: &str) -> String {
    let inner = text
        .strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .unwrap_or(text);
    inner.replace("``", "`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_every_radix() {
        assert_eq!(decode_integer("42", false), Ok(42));
        assert_eq!(decode_integer("0x1F", false), Ok(31));
        assert_eq!(decode_integer("0o17", true), Ok(-15));
        assert_eq!(
            decode_integer("9223372036854775808", true),
            Ok(i64::MIN),
            "the most negative integer is in range when written with a minus"
        );
    }

    #[test]
    fn integer_errors_carry_tck_codes() {
        let detail = |t: &str, neg: bool| decode_integer(t, neg).err().map(|e| e.detail);
        assert_eq!(
            detail("9223372036854775808", false).as_deref(),
            Some("IntegerOverflow")
        );
        assert_eq!(detail("0x", false).as_deref(), Some("InvalidNumberLiteral"));
        assert_eq!(
            detail("0x1A2b3j4D", false).as_deref(),
            Some("InvalidNumberLiteral")
        );
        assert_eq!(
            detail("9223372h54775808", false).as_deref(),
            Some("InvalidNumberLiteral")
        );
    }

    #[test]
    fn floats_and_overflow() {
        assert_eq!(decode_float(".5"), Ok(0.5));
        assert_eq!(decode_float("1.5E-3"), Ok(0.0015));
        assert_eq!(
            decode_float("1.34E999").err().map(|e| e.detail).as_deref(),
            Some("FloatingPointOverflow")
        );
    }

    #[test]
    fn string_escapes() {
        assert_eq!(
            decode_string(r"a\tb\u00e9\\\'").map_err(|e| e.1),
            Ok("a\tbé\\'".to_string())
        );
        let err = decode_string(r"x\uH").err();
        assert_eq!(
            err.map(|(e, at)| (e.detail, at)),
            Some(("InvalidUnicodeLiteral".to_string(), 1))
        );
    }

    #[test]
    fn surrogate_pairs_make_one_character() {
        assert_eq!(
            decode_string(r"\uD83D\uDE00!").map_err(|e| e.1),
            Ok("\u{1F600}!".to_string())
        );
        let lone = decode_string(r"\uD83D").err();
        assert_eq!(
            lone.map(|(e, _)| e.detail),
            Some("InvalidUnicodeCharacter".to_string())
        );
    }

    #[test]
    fn escaped_names_undouble_backticks() {
        assert_eq!(decode_escaped_name("`a``b`"), "a`b");
    }
}
