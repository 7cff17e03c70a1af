//! The hand-written JSON line writer (`Record::to_json_line`) prints exactly
//! what serde_json prints for the same record, on every sample and every
//! form of the noisy corpus (all renderings, repairs, warnings, unmapped
//! text, null and list values).

use formsift::Extractor;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_none_or(|x| x != "jsonl") {
            out.push(p);
        }
    }
}

#[test]
fn hand_written_lines_equal_serde_json_on_samples_and_corpus() {
    let extractor = Extractor::builtin();
    // The samples and corpus live at the repository root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    files_under(&root.join("samples"), &mut files);
    files_under(&root.join("corpus"), &mut files);
    files.sort();
    let mut records = 0;
    let mut with_repairs = 0;
    for f in &files {
        let path = f.to_str().expect("utf-8 path");
        let Ok(recs) = extractor.extract_file(path) else {
            continue;
        };
        for r in &recs {
            let ours = r.to_json_line();
            let serde = serde_json::to_string(r).expect("serde");
            assert_eq!(ours, serde, "{path} form {}", r.source.form_index);
            records += 1;
            with_repairs += usize::from(ours.contains("\"repairs\""));
        }
    }
    // The comparison covered real variety, not an empty directory.
    assert!(records >= 300, "only {records} records compared");
    assert!(
        with_repairs >= 50,
        "only {with_repairs} records with repairs"
    );
}
