//! The whole pipeline on arbitrary bytes: decode (with detection), segment,
//! every table builder, extract, score, emit. Nothing may panic, and every
//! record must serialize to one line of valid JSON with confidences in [0, 1],
//! byte for byte what serde_json prints for it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn extractor() -> &'static formsift::Extractor {
    static E: OnceLock<formsift::Extractor> = OnceLock::new();
    E.get_or_init(formsift::Extractor::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Ok(records) = extractor().extract_bytes("fuzz", data.to_vec()) else {
        return;
    };
    for r in &records {
        let line = r.to_json_line();
        assert!(!line.contains('\n'));
        // The hand-written writer prints exactly what serde_json prints.
        assert_eq!(line, serde_json::to_string(r).expect("serde"));
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        let c = v["confidence"].as_f64().expect("record confidence");
        assert!((0.0..=1.0).contains(&c));
        assert_eq!(r.fields.len(), extractor().template().field_keys().count());
    }
});
