//! The hand-written JSON line writer (`emit::to_json_line`) prints exactly
//! what serde_json prints for the same record, on every sample and every
//! form of the noisy corpus (all renderings, repairs, warnings, unmapped
//! text, null and list values).

use formsift::{emit, template::Template};
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
    let template = Template::builtin();
    let mut files = Vec::new();
    files_under(Path::new("samples"), &mut files);
    files_under(Path::new("corpus"), &mut files);
    files.sort();
    let mut records = 0;
    let mut with_repairs = 0;
    for f in &files {
        let path = f.to_str().expect("utf-8 path");
        let Ok(recs) = formsift::run_file(path, &template) else {
            continue;
        };
        for r in &recs {
            let ours = emit::to_json_line(r);
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
