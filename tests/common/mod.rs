//! Helpers shared by the integration tests: run the binary, read its JSON
//! Lines. (Each test crate uses a subset, hence the allow.)
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Runs the `formsift` binary with `args` (no stdin), capturing its output.
pub fn formsift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(args)
        .output()
        .expect("run formsift")
}

/// One JSON value per line of `bytes`.
pub fn json_lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// `formsift extract PATH`, which must succeed: its stdout and records.
pub fn extract_ok(path: &str) -> (String, Vec<Value>) {
    let out = formsift(&["extract", path]);
    assert!(
        out.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = json_lines(&out.stdout);
    (String::from_utf8(out.stdout).expect("utf-8"), recs)
}
