//! `formsift golden check` / `bless` end to end: the project's own samples,
//! and temp copies where one golden value, file or form is changed.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE_NAME: &str = "bazhong-2019-perf-targets.md";

fn sample() -> PathBuf {
    Path::new("samples").join(SAMPLE_NAME)
}

fn golden_file() -> PathBuf {
    Path::new("golden").join(format!("{SAMPLE_NAME}.jsonl"))
}

/// Runs formsift in `dir` (the crate root when `None`), colours on auto.
fn formsift_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_formsift"));
    cmd.args(args).env_remove("NO_COLOR");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.output().expect("run formsift")
}

/// A confidence of the repository's golden file for the sample, as the
/// reports print it: form `form`'s `annual_total`, or the record's own
/// when `field` is `None`. Read, not written here, so a refitted
/// calibration table does not break the report tests.
fn golden_confidence(form: usize, field: Option<&str>) -> String {
    let text = std::fs::read_to_string(golden_file()).expect("golden file");
    let line = text.lines().nth(form).expect("golden form");
    let record: Value = serde_json::from_str(line).expect("golden json");
    let c = match field {
        Some(f) => &record["fields"][f]["confidence"],
        None => &record["confidence"],
    };
    c.to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// A temp project: `samples/<SAMPLE_NAME>` and its golden file, copied from
/// the repository; `edit` changes the golden text first.
fn project(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("samples")).unwrap();
    std::fs::create_dir_all(dir.path().join("golden")).unwrap();
    std::fs::copy(sample(), dir.path().join(sample())).unwrap();
    let golden = std::fs::read_to_string(golden_file()).unwrap();
    let edited = edit(golden.clone());
    std::fs::write(dir.path().join(golden_file()), edited).unwrap();
    dir
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from} must occur once");
    text.replacen(from, to, 1)
}

#[test]
fn project_samples_match_their_golden_files() {
    let out = formsift_in(None, &["golden", "check"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    // Nothing but the summary and the verdict: no difference of any kind.
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains(" compared; 0 changed, 0 new, 0 missing, 0 confidence drifts beyond ±0.05 (0 within), 0 details; 0 new samples, 0 orphan golden files, 0 errors"),
        "{text}"
    );
    assert_eq!(lines[1], "golden check: ok");
    // Every sample has its golden file and holds exactly what extract writes.
    let out = formsift_in(None, &["golden", "check", "--format", "json"]);
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert!(files
        .iter()
        .any(|f| f["sample"] == "samples/bazhong-2019-perf-targets.md"));
    for f in files {
        assert_eq!(f["status"], "unchanged", "{f}");
        assert!(f["compared"]["fields"].as_u64().unwrap() > 0, "{f}");
    }
    assert_eq!(doc["summary"]["files"].as_u64(), Some(files.len() as u64));
}

#[test]
fn one_changed_golden_value_gives_the_exact_diff_line_and_exit_1() {
    let dir = project(|g| {
        replace_once(
            &g,
            r#""annual_total":{"value":13,"#,
            r#""annual_total":{"value":14,"#,
        )
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("changed    samples/bazhong-2019-perf-targets.md form 2 (综合调研经费): annual_total: 14 → 13 (confidence {c} → {c})", c = golden_confidence(2, Some("annual_total")))
    );
    assert_eq!(
        lines[1],
        "           if intended, run: formsift golden bless --only samples/bazhong-2019-perf-targets.md"
    );
    assert!(
        lines[2].ends_with("indicators compared; 1 changed, 0 new, 0 missing, 0 confidence drifts beyond ±0.05 (0 within), 0 details; 0 new samples, 0 orphan golden files, 0 errors"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "golden check: FAILED — review the lines above; if the changes are intended: formsift golden bless"
    );
    assert_eq!(lines.len(), 4, "{text}");
    // Piped stdout: no colour codes.
    assert!(!text.contains('\x1b'));
}

#[test]
fn confidence_drift_fails_only_beyond_the_tolerance() {
    let now = golden_confidence(2, Some("annual_total"));
    let was = format!("{:.3}", now.parse::<f64>().unwrap() - 0.08);
    let dir = project(|g| {
        replace_once(
            &g,
            &format!(r#""annual_total":{{"value":13,"confidence":{now},"#),
            &format!(r#""annual_total":{{"value":13,"confidence":{was},"#),
        )
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        format!("confidence samples/bazhong-2019-perf-targets.md form 2 (综合调研经费): annual_total: 13 (confidence {was} → {now}, drift 0.08 beyond ±0.05)")
    );
    let out = formsift_in(
        Some(dir.path()),
        &["golden", "check", "--confidence-tolerance", "0.1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        format!("confidence samples/bazhong-2019-perf-targets.md form 2 (综合调研经费): annual_total: 13 (confidence {was} → {now}, drift 0.08 within ±0.1)")
    );
    assert!(text.contains("(1 within)"), "{text}");
    assert_eq!(text.lines().last().unwrap(), "golden check: ok");
}

#[test]
fn json_format_for_ci() {
    let dir = project(|g| {
        replace_once(
            &g,
            r#""annual_total":{"value":13,"#,
            r#""annual_total":{"value":14,"#,
        )
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["command"], "check");
    assert_eq!(doc["summary"]["changed"], 1);
    assert_eq!(doc["summary"]["forms"], 6);
    assert_eq!(doc["summary"]["fields"], 180);
    assert_eq!(doc["summary"]["indicators"], 52);
    let f = &doc["files"][0];
    let c: f64 = golden_confidence(2, Some("annual_total")).parse().unwrap();
    assert_eq!(f["sample"], "samples/bazhong-2019-perf-targets.md");
    assert_eq!(f["golden"], "golden/bazhong-2019-perf-targets.md.jsonl");
    assert_eq!(f["status"], "changed");
    assert_eq!(
        f["fix"],
        "formsift golden bless --only samples/bazhong-2019-perf-targets.md"
    );
    assert_eq!(
        f["differences"],
        serde_json::json!([{
            "kind": "changed", "fails": true, "form_index": 2, "form_name": "综合调研经费",
            "item": "annual_total", "old": 14, "new": 13,
            "old_confidence": c, "new_confidence": c
        }])
    );
}

#[test]
fn bless_rewrites_only_the_changed_golden_file() {
    let dir = project(|g| {
        replace_once(
            &g,
            r#""annual_total":{"value":13,"#,
            r#""annual_total":{"value":14,"#,
        )
    });
    // A second sample whose golden file is up to date must not be touched.
    let other = dir.path().join("samples/sub/copy.md");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::copy(sample(), &other).unwrap();
    let out = formsift_in(Some(dir.path()), &["golden", "bless", "--only", "sub/*"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "new sample samples/sub/copy.md: no golden file golden/sub/copy.md.jsonl (6 forms)\n\
         created    golden/sub/copy.md.jsonl (6 forms)\n\
         golden bless: 0 rewritten, 1 created, 0 removed, 0 already up to date\n"
    );
    // Blessing again has nothing to do; JSON says so too.
    let again = formsift_in(
        Some(dir.path()),
        &["golden", "bless", "--only", "sub/*", "--format", "json"],
    );
    assert_eq!(again.status.code(), Some(0));
    let doc: Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(doc["command"], "bless");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["blessed"], serde_json::json!([]));
    assert_eq!(doc["files"][0]["status"], "unchanged");
    let copy_golden = dir.path().join("golden/sub/copy.md.jsonl");
    let before = std::fs::metadata(&copy_golden).unwrap().modified().unwrap();
    let stale = std::fs::read_to_string(dir.path().join(golden_file())).unwrap();
    assert!(stale.contains(r#""annual_total":{"value":14,"#));

    let out = formsift_in(Some(dir.path()), &["golden", "bless"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        format!(
            "changed    samples/bazhong-2019-perf-targets.md form 2 (综合调研经费): annual_total: 14 → 13 (confidence {c} → {c})\n\
             blessed    golden/bazhong-2019-perf-targets.md.jsonl (1 difference)\n\
             golden bless: 1 rewritten, 0 created, 0 removed, 1 already up to date\n",
            c = golden_confidence(2, Some("annual_total"))
        )
    );
    // The rewrite is exactly the repository's golden file.
    let blessed = std::fs::read_to_string(dir.path().join(golden_file())).unwrap();
    assert_eq!(blessed, std::fs::read_to_string(golden_file()).unwrap());
    // The up-to-date one was left alone (an atomic rewrite would replace it).
    let after = std::fs::metadata(&copy_golden).unwrap().modified().unwrap();
    assert_eq!(before, after);
    // Its source.path names the sample inside the project, not the temp dir.
    let copy = std::fs::read_to_string(&copy_golden).unwrap();
    assert!(copy.contains(r#""path":"samples/sub/copy.md""#));
    let check = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

#[test]
fn golden_paths_never_hold_the_machine_specific_samples_path() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    std::fs::create_dir_all(&samples).unwrap();
    std::fs::copy(sample(), samples.join(SAMPLE_NAME)).unwrap();
    let gold = dir.path().join("out");
    // Absolute --samples, run from elsewhere.
    let out = formsift_in(
        None,
        &[
            "golden",
            "bless",
            "--samples",
            samples.to_str().unwrap(),
            "--golden",
            gold.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let written = std::fs::read_to_string(gold.join(format!("{SAMPLE_NAME}.jsonl"))).unwrap();
    // Byte-identical to the golden file blessed from the repository root.
    assert_eq!(written, std::fs::read_to_string(golden_file()).unwrap());
    assert!(!written.contains(dir.path().to_str().unwrap()));
}

#[test]
fn new_sample_without_golden_names_the_command_that_fixes_it() {
    let dir = project(|g| g);
    std::fs::copy(sample(), dir.path().join("samples/second.md")).unwrap();
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..2],
        &[
            "new sample samples/second.md: no golden file golden/second.md.jsonl (6 forms)",
            "           create it: formsift golden bless --only samples/second.md",
        ]
    );
    assert!(
        text.contains("; 1 new sample, 0 orphan golden files, 0 errors"),
        "{text}"
    );
    // Running the suggested command fixes it.
    let fix = formsift_in(
        Some(dir.path()),
        &["golden", "bless", "--only", "samples/second.md"],
    );
    assert_eq!(fix.status.code(), Some(0));
    assert!(dir.path().join("golden/second.md.jsonl").exists());
    assert_eq!(
        formsift_in(Some(dir.path()), &["golden", "check"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn golden_without_sample_names_the_command_that_fixes_it() {
    let dir = project(|g| g);
    std::fs::write(dir.path().join("golden/gone.html.jsonl"), "{}\n").unwrap();
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..2],
        &[
            "orphan     golden/gone.html.jsonl: its sample samples/gone.html is gone",
            "           restore the sample, or delete it: formsift golden bless --prune --only samples/gone.html",
        ]
    );
    // bless without --prune keeps it and still says how to remove it.
    let keep = formsift_in(Some(dir.path()), &["golden", "bless"]);
    assert_eq!(keep.status.code(), Some(0));
    assert!(dir.path().join("golden/gone.html.jsonl").exists());
    let fix = formsift_in(
        Some(dir.path()),
        &["golden", "bless", "--prune", "--only", "samples/gone.html"],
    );
    assert_eq!(
        stdout(&fix),
        "orphan     golden/gone.html.jsonl: its sample samples/gone.html is gone\n\
         \x20          restore the sample, or delete it: formsift golden bless --prune --only samples/gone.html\n\
         removed    golden/gone.html.jsonl\n\
         golden bless: 0 rewritten, 0 created, 1 removed, 0 already up to date\n"
    );
    assert!(!dir.path().join("golden/gone.html.jsonl").exists());
    assert_eq!(
        formsift_in(Some(dir.path()), &["golden", "check"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn removed_form_is_reported_with_its_name() {
    // Golden holds a seventh form the sample no longer gives.
    let dir = project(|g| {
        let last = g.lines().last().unwrap().to_string();
        let extra = replace_once(&last, r#""form_index":5"#, r#""form_index":6"#);
        format!("{g}{extra}\n")
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..2],
        &[
            &format!("missing    samples/bazhong-2019-perf-targets.md form 6 (市政府网站集约化平台内容保障服务外包): form in golden, no longer extracted (confidence {})", golden_confidence(5, None)),
            "           if intended, run: formsift golden bless --only samples/bazhong-2019-perf-targets.md",
        ]
    );
    assert!(text.contains(" 0 changed, 0 new, 1 missing,"), "{text}");
}

#[test]
fn added_form_is_reported_with_its_name() {
    // Golden lacks the last form.
    let dir = project(|g| {
        let kept: Vec<&str> = g.lines().take(5).collect();
        format!("{}\n", kept.join("\n"))
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        format!("new        samples/bazhong-2019-perf-targets.md form 5 (市政府网站集约化平台内容保障服务外包): form not in golden (confidence {})", golden_confidence(5, None))
    );
    assert!(text.contains(" 0 changed, 1 new, 0 missing,"), "{text}");
}

#[test]
fn sample_that_fails_to_extract_is_a_difference() {
    let dir = project(|g| g);
    std::fs::write(dir.path().join("samples/blank.md"), "").unwrap();
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        "error      samples/blank.md: file is empty"
    );
    assert!(text.contains(", 1 error\n"), "{text}");
    // bless writes nothing for it and exits 1.
    let out = formsift_in(Some(dir.path()), &["golden", "bless"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("golden/blank.md.jsonl").exists());
}

#[test]
fn corrupt_golden_file_names_its_line() {
    let dir = project(|g| {
        let mut lines: Vec<String> = g.lines().map(String::from).collect();
        lines[2] = "<<<<<<< HEAD".into();
        lines.join("\n") + "\n"
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        "error      golden/bazhong-2019-perf-targets.md.jsonl:3: not a formsift record: expected value at line 1 column 1"
    );
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "           rewrite it from today's output: formsift golden bless --only samples/bazhong-2019-perf-targets.md"
    );
    let out = formsift_in(Some(dir.path()), &["golden", "bless"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "error      golden/bazhong-2019-perf-targets.md.jsonl:3: not a formsift record: expected value at line 1 column 1\n\
         blessed    golden/bazhong-2019-perf-targets.md.jsonl (replaced the unreadable file)\n\
         golden bless: 1 rewritten, 0 created, 0 removed, 0 already up to date\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(golden_file())).unwrap(),
        std::fs::read_to_string(golden_file()).unwrap()
    );
}

#[test]
fn colours_only_on_request_or_terminal_and_never_with_no_color() {
    let dir = project(|g| {
        replace_once(
            &g,
            r#""annual_total":{"value":13,"#,
            r#""annual_total":{"value":14,"#,
        )
    });
    let out = formsift_in(Some(dir.path()), &["golden", "check", "--color", "always"]);
    assert!(stdout(&out).starts_with("\x1b[31mchanged   \x1b[0m samples/"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_formsift"));
    let out = cmd
        .args(["golden", "check"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!stdout(&out).contains('\x1b'));
    let out = formsift_in(
        Some(dir.path()),
        &["golden", "check", "--color", "always", "--format", "json"],
    );
    assert!(!stdout(&out).contains('\x1b'), "JSON is never coloured");
}

#[test]
fn usage_errors_exit_1_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = formsift_in(Some(dir.path()), &["golden", "check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "formsift: samples: samples directory not found (give another with --samples DIR)\n"
    );
    let out = formsift_in(None, &["golden", "check", "--confidence-tolerance", "-0.1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a number between 0 and 1"));
    let out = formsift_in(None, &["golden", "check", "--only", "a[b"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("formsift: --only `a[b`: "));
}

#[test]
fn help_teaches_the_workflow() {
    let out = formsift_in(None, &["golden", "check", "--help"]);
    let help = stdout(&out);
    for needle in [
        "golden/x.md.jsonl",
        "--confidence-tolerance",
        "--only",
        "--format",
        "Examples:",
        "Exit status: 0",
    ] {
        assert!(
            help.contains(needle),
            "check --help lacks {needle}:\n{help}"
        );
    }
    let help = stdout(&formsift_in(None, &["golden", "bless", "--help"]));
    for needle in ["--prune", "Examples:", "git diff golden/"] {
        assert!(
            help.contains(needle),
            "bless --help lacks {needle}:\n{help}"
        );
    }
}
