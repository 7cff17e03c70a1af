//! A record written as one JSON line by hand, byte for byte what
//! `serde_json::to_string(&record)` prints (a test holds the two together).
//!
//! Why not serde: serde_json escapes strings a byte at a time and goes
//! through generic map machinery, a visible share of the time per form
//! (`docs/performance.md`). Here strings are escaped eight bytes at a time
//! and keys are written as the constants they are.

use crate::record::{FieldValue, Indicator, Record, Repair, Value};

/// Appends the JSON line of `record` (no newline) to `out`.
pub fn write_record(out: &mut String, r: &Record) {
    out.push_str("{\"schema\":");
    string(out, &r.schema);
    out.push_str(",\"template\":");
    string(out, &r.template);
    out.push_str(",\"source\":{\"path\":");
    string(out, &r.source.path);
    out.push_str(",\"form_index\":");
    uint(out, r.source.form_index);
    out.push_str(",\"line_start\":");
    uint(out, r.source.line_start);
    out.push_str(",\"line_end\":");
    uint(out, r.source.line_end);
    out.push_str(",\"format\":");
    string(out, r.source.format);
    out.push_str("},\"confidence\":");
    confidence(out, r.confidence);
    out.push_str(",\"fields\":{");
    for (i, (key, fv)) in r.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, key);
        out.push(':');
        field(out, fv);
    }
    out.push_str("},\"indicators\":[");
    for (i, ind) in r.indicators.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        indicator(out, ind);
    }
    out.push_str("],\"unmapped\":[");
    for (i, u) in r.unmapped.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"line\":");
        uint(out, u.line);
        out.push_str(",\"text\":");
        string(out, &u.text);
        out.push('}');
    }
    out.push_str("],\"warnings\":[");
    for (i, w) in r.warnings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"kind\":");
        string(out, &w.kind);
        out.push_str(",\"path\":");
        string(out, &w.path);
        out.push_str(",\"message\":");
        string(out, &w.message);
        out.push('}');
    }
    out.push_str("]}");
}

fn field(out: &mut String, fv: &FieldValue) {
    out.push_str("{\"value\":");
    value(out, &fv.value);
    out.push_str(",\"confidence\":");
    confidence(out, fv.confidence);
    if let Some(raw) = &fv.raw {
        out.push_str(",\"raw\":");
        string(out, raw);
    }
    if !fv.repairs.is_empty() {
        out.push_str(",\"repairs\":");
        repairs(out, &fv.repairs);
    }
    if let Some(line) = fv.line {
        out.push_str(",\"line\":");
        uint(out, line);
    }
    out.push('}');
}

fn indicator(out: &mut String, ind: &Indicator) {
    out.push_str("{\"horizon\":");
    string(out, &ind.horizon);
    for (key, v) in [
        (",\"level1\":", ind.level1.as_deref()),
        (",\"level2\":", ind.level2.as_deref()),
        (",\"level3\":", ind.level3.as_deref()),
        (",\"value\":", ind.value.as_deref()),
    ] {
        out.push_str(key);
        match v {
            Some(s) => string(out, s),
            None => out.push_str("null"),
        }
    }
    out.push_str(",\"confidence\":");
    confidence(out, ind.confidence);
    out.push_str(",\"line\":");
    uint(out, ind.line);
    if !ind.repairs.is_empty() {
        out.push_str(",\"repairs\":");
        repairs(out, &ind.repairs);
    }
    out.push('}');
}

fn repairs(out: &mut String, repairs: &[Repair]) {
    out.push('[');
    for (i, rep) in repairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"kind\":\"");
        out.push_str(rep.kind.as_str());
        out.push('"');
        if let Some(from) = &rep.from {
            out.push_str(",\"from\":");
            string(out, from);
        }
        if let Some(to) = &rep.to {
            out.push_str(",\"to\":");
            string(out, to);
        }
        out.push('}');
    }
    out.push(']');
}

fn value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Text(t) => string(out, t),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => int(out, *n as i64),
        Value::Number(n) => float(out, *n),
        Value::List(items) => {
            out.push('[');
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, s);
            }
            out.push(']');
        }
    }
}

/// A confidence, rounded to 3 decimals as the contract says. `k / 1000`
/// prints as its shortest decimal, which is what serde_json prints for the
/// double nearest it (`0.5`, `0.999`, `1.0`).
fn confidence(out: &mut String, c: f64) {
    let k = (c * 1000.0).round();
    if !(0.0..=1000.0).contains(&k) || k.is_sign_negative() {
        return float(out, crate::record::round3(c));
    }
    let k = k as u32;
    out.push(char::from(b'0' + (k / 1000) as u8));
    out.push('.');
    let frac = k % 1000;
    if frac == 0 {
        out.push('0');
        return;
    }
    let digits = [
        char::from(b'0' + (frac / 100) as u8),
        char::from(b'0' + (frac / 10 % 10) as u8),
        char::from(b'0' + (frac % 10) as u8),
    ];
    let len = 3 - digits.iter().rev().take_while(|&&d| d == '0').count();
    out.extend(&digits[..len]);
}

/// Any other float: serde_json's own formatting (rare: non-integer values).
fn float(out: &mut String, x: f64) {
    if x.is_finite() {
        // A finite f64 always serializes.
        if let Ok(text) = serde_json::to_string(&x) {
            out.push_str(&text);
        }
    } else {
        out.push_str("null");
    }
}

fn uint(out: &mut String, n: usize) {
    out.push_str(itoa::Buffer::new().format(n));
}

fn int(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// A JSON string: `"`, `\` and control characters escaped as serde_json
/// escapes them, everything else (all of UTF-8) as is. Text is copied in
/// runs cut only at the ASCII bytes escaped, so every cut is a character
/// boundary.
fn string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs escaping (a short tail is
        // padded with a byte that needs none).
        let chunk = bytes.get(i..).unwrap_or(&[]);
        let take = chunk.len().min(8);
        // A whole word is read as one load; only the tail is copied (a
        // copy of variable length is a call to memcpy).
        let word = match chunk.first_chunk::<8>() {
            Some(w) => *w,
            None => {
                let mut w = [b'a'; 8];
                w[..take].copy_from_slice(&chunk[..take]);
                w
            }
        };
        if !crate::fast::swar::needs_escape(u64::from_le_bytes(word)) {
            i += take;
            continue;
        }
        let b = bytes[i];
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0x00..=0x1F => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str(s.get(run..i).unwrap_or(""));
                out.push_str("\\u00");
                out.push(char::from(HEX[(b >> 4) as usize]));
                out.push(char::from(HEX[(b & 0xF) as usize]));
                i += 1;
                run = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(s.get(run..i).unwrap_or(""));
        out.push_str(esc);
        i += 1;
        run = i;
    }
    out.push_str(s.get(run..).unwrap_or(""));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RepairKind;

    fn json(s: &str) -> String {
        let mut out = String::new();
        string(&mut out, s);
        out
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        let mut all_bytes = String::new();
        for c in (0u32..0x80).chain([0xA0, 0x3000, 0x4E2D, 0x1F5F9]) {
            all_bytes.push(char::from_u32(c).unwrap());
        }
        for s in [
            "",
            "a",
            "\"",
            "\\",
            "项目名称\t\"x\"\n\\末尾",
            "12345678\"12345678\\",
            "\u{1}\u{1f}\u{7f}",
            all_bytes.as_str(),
        ] {
            assert_eq!(json(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
        // Every position of a special byte inside and across 8-byte words.
        for at in 0..20 {
            for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '中'] {
                let mut s: String = "x".repeat(at);
                s.push(special);
                s.push_str("yyyyyyyyy");
                assert_eq!(json(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    #[test]
    fn confidences_print_as_serde_json_prints_them() {
        for k in 0..=1000 {
            let c = k as f64 / 1000.0;
            let mut out = String::new();
            confidence(&mut out, c);
            let want = serde_json::to_string(&crate::record::round3(c)).unwrap();
            assert_eq!(out, want, "{k}");
        }
        for c in [0.99949, 0.0004, -0.0004, -0.5, 2.5, f64::NAN] {
            let mut out = String::new();
            confidence(&mut out, c);
            let want = serde_json::to_string(&crate::record::round3(c)).unwrap();
            assert_eq!(out, want, "{c}");
        }
    }

    #[test]
    fn numbers_and_repair_kinds_print_as_serde_json_prints_them() {
        for n in [
            0.0,
            8.0,
            -3.0,
            1e15,
            10.92,
            -0.5,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ] {
            let mut out = String::new();
            value(&mut out, &Value::Number(n));
            let want = serde_json::to_string(&Value::Number(n)).unwrap();
            assert_eq!(out, want, "{n}");
        }
        for n in [0usize, 7, 10, 99, 1_000_000, usize::MAX] {
            let mut out = String::new();
            uint(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        for k in RepairKind::ALL {
            assert_eq!(
                format!("\"{}\"", k.as_str()),
                serde_json::to_string(&k).unwrap()
            );
        }
    }
}
