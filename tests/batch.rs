//! Batch-run behaviour of `formsift extract`: ordering across thread counts,
//! dead letter, exit codes, atomic outputs under kill, incremental state,
//! sharding, input lists, hostile trees.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const SAMPLE: &str = "samples/bazhong-2019-perf-targets.md";

mod common;
use common::formsift;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Writes `n` files; file i holds the sample's forms with their project
/// names made unique, so any reordering shows in the output.
fn corpus(dir: &Path, n: usize) -> Vec<PathBuf> {
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let mut paths = Vec::new();
    for i in 0..n {
        let sub = dir.join(format!("batch{}", i % 3));
        std::fs::create_dir_all(&sub).unwrap();
        let p = sub.join(format!("doc{i:03}.md"));
        // Vary size too: some files hold the sample several times.
        let copies = 1 + i % 4;
        let body: String = (0..copies)
            .map(|c| sample.replace("项目名称\t\t", &format!("项目名称\t\tF{i}C{c}-")))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&p, body).unwrap();
        paths.push(p);
    }
    paths
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn output_is_identical_for_one_and_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 40);
    let a = dir.path().join("j1.jsonl");
    let b = dir.path().join("j4.jsonl");
    let root = dir.path().to_str().unwrap();
    assert!(formsift(&["extract", root, "-j", "1", "-q", "-o", s(&a)])
        .status
        .success());
    assert!(formsift(&["extract", root, "-j", "4", "-q", "-o", s(&b)])
        .status
        .success());
    let (la, lb) = (lines(&a), lines(&b));
    assert_eq!(la.len(), 6 * (10 * (1 + 2 + 3 + 4)));
    assert!(la == lb, "output differs between -j 1 and -j 4");
    // And it is in input order: sorted paths, forms in file order.
    let keys: Vec<(String, u64)> = la
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["source"]["path"].as_str().unwrap().to_string(),
                v["source"]["form_index"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn dead_letter_summary_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(SAMPLE, d.join("a.md")).unwrap();
    std::fs::write(d.join("b.md"), "").unwrap();
    std::fs::write(d.join("c.md"), "nothing to see\n").unwrap();
    std::fs::write(d.join("d.md"), vec![b'x'; 20_000]).unwrap();
    std::fs::write(d.join("e.md"), b"ok\n\xff\xfe\xff").unwrap();
    let dead = dir.path().join("dead.jsonl");
    let summary = dir.path().join("summary.json");
    let out = formsift(&[
        "extract",
        s(&d),
        "--errors",
        s(&dead),
        "--summary-json",
        s(&summary),
        "--max-file-size",
        "16K",
        "-o",
        s(&dir.path().join("out.jsonl")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let kinds: Vec<(String, String)> = lines(&dead)
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let src = v["source"].as_str().unwrap();
            let name = Path::new(src)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            assert!(v["error"]["message"].as_str().unwrap().contains(&name));
            (name, v["error"]["kind"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("b.md".to_string(), "empty".to_string()),
            ("c.md".to_string(), "no_form".to_string()),
            ("d.md".to_string(), "too_large".to_string()),
            ("e.md".to_string(), "undecodable".to_string()),
        ]
    );
    let sum: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(sum["files"], 5);
    assert_eq!(sum["forms"], 6);
    assert_eq!(sum["failed_files"], 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 files, 6 forms, 4 failed files"), "{err}");

    // All good: exit 0. Usage error: exit 1.
    assert_eq!(formsift(&["extract", SAMPLE, "-q"]).status.code(), Some(0));
    assert_eq!(
        formsift(&["extract", "--shard", "4/4", SAMPLE])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(formsift(&["extract"]).status.code(), Some(1));
    assert_eq!(
        formsift(&["extract", "--bogus", SAMPLE]).status.code(),
        Some(1)
    );
}

/// A run over 300 files writing over an existing output (`previous\n`),
/// long enough to be stopped mid-way: (dir, input dir, output, process).
fn start_long_run() -> (tempfile::TempDir, PathBuf, PathBuf, Child) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, 300);
    let out_path = dir.path().join("out.jsonl");
    std::fs::write(&out_path, "previous\n").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", s(&input), "-j", "1", "-q", "-o", s(&out_path)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (dir, input, out_path, child)
}

/// Temporary output files in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Waits (up to 2 s) until the run has started writing its temp file.
fn wait_for_temp_file(dir: &Path) -> bool {
    (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        !temp_files(dir).is_empty()
    })
}

#[test]
fn killed_run_leaves_previous_output_intact() {
    let (dir, input, out_path, mut child) = start_long_run();
    // Let it write part of the output, then kill it hard.
    let tmp_seen = wait_for_temp_file(dir.path());
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(tmp_seen, "the run never started writing");
    assert!(!status.success(), "the run finished before it was killed");
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "previous\n");

    // The next run completes, replaces the output and cleans up the dead temp file.
    let out = formsift(&["extract", s(&input), "-q", "-o", s(&out_path)]);
    assert!(out.status.success());
    assert_eq!(lines(&out_path).len(), 6 * (75 * (1 + 2 + 3 + 4)));
    let leftovers = temp_files(dir.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn interrupted_run_removes_its_temp_files_and_exits_130() {
    let (dir, _input, out_path, child) = start_long_run();
    assert!(
        wait_for_temp_file(dir.path()),
        "the run never started writing"
    );
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "previous\n");
    let leftovers = temp_files(dir.path());
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn incremental_run_reprocesses_only_changes_and_equals_a_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let files = corpus(&input, 12);
    let state = dir.path().join("state.jsonl");
    let out1 = dir.path().join("out1.jsonl");
    let summary = dir.path().join("sum.json");
    let run = |out: &Path| {
        formsift(&[
            "extract",
            s(&input),
            "--state",
            s(&state),
            "--summary-json",
            s(&summary),
            "-q",
            "-o",
            s(out),
        ])
    };
    assert!(run(&out1).status.success());
    let reused = || -> u64 {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        v["reused_files"].as_u64().unwrap()
    };
    assert_eq!(reused(), 0);

    // Change one file, delete one, add one.
    let changed = std::fs::read_to_string(&files[3])
        .unwrap()
        .replace("F3C", "G3C");
    std::fs::write(&files[3], changed).unwrap();
    std::fs::remove_file(&files[5]).unwrap();
    std::fs::copy(SAMPLE, input.join("new.md")).unwrap();
    let out2 = dir.path().join("out2.jsonl");
    assert!(run(&out2).status.success());
    assert_eq!(reused(), 10);

    let full = dir.path().join("full.jsonl");
    assert!(formsift(&["extract", s(&input), "-q", "-o", s(&full)])
        .status
        .success());
    assert!(
        lines(&out2) == lines(&full),
        "incremental output differs from a full run"
    );
    assert!(lines(&out2).iter().any(|l| l.contains("G3C")));

    // A different template invalidates everything.
    let tpl = dir.path().join("t.toml");
    let builtin = std::fs::read_to_string("crates/formsift/templates/perf-target.toml").unwrap();
    std::fs::write(&tpl, builtin + "\n# edited\n").unwrap();
    let out3 = dir.path().join("out3.jsonl");
    let o = formsift(&[
        "extract",
        s(&input),
        "--state",
        s(&state),
        "--template",
        s(&tpl),
        "--summary-json",
        s(&summary),
        "-o",
        s(&out3),
    ]);
    assert!(o.status.success());
    assert_eq!(reused(), 0);
    assert!(String::from_utf8_lossy(&o.stderr).contains("the template changed"));
}

#[test]
fn shards_split_the_corpus_and_files_from_reads_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(&dir.path().join("in"), 30);
    let list = dir.path().join("list.txt");
    let text: Vec<&str> = files.iter().map(|p| s(p)).collect();
    std::fs::write(&list, text.join("\n") + "\n\n").unwrap();
    let full = dir.path().join("full.jsonl");
    assert!(
        formsift(&["extract", "--files-from", s(&list), "-q", "-o", s(&full)])
            .status
            .success()
    );
    let mut all = Vec::new();
    for k in 0..3 {
        let o = dir.path().join(format!("s{k}.jsonl"));
        let shard = format!("{k}/3");
        assert!(formsift(&[
            "extract",
            "--files-from",
            s(&list),
            "--shard",
            &shard,
            "-q",
            "-o",
            s(&o)
        ])
        .status
        .success());
        let part = lines(&o);
        assert!(!part.is_empty());
        all.extend(part);
    }
    let mut want = lines(&full);
    want.sort();
    all.sort();
    assert!(all == want, "shards do not partition the corpus");
}

#[cfg(unix)]
#[test]
fn hostile_tree_symlink_loop_binary_and_one_huge_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(&d, d.join("sub/loop")).unwrap();
    std::fs::copy(SAMPLE, d.join("sub/good.md")).unwrap();
    std::fs::write(
        d.join("bin.md"),
        (0u8..=255).cycle().take(100_000).collect::<Vec<u8>>(),
    )
    .unwrap();
    // 8 MB on one line, no newline.
    std::fs::write(d.join("line.txt"), "数".repeat(8 * 1024 * 1024 / 3)).unwrap();
    let dead = dir.path().join("dead.jsonl");
    let out = formsift(&["extract", s(&d), "--errors", s(&dead), "-q"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(2));
    let recs = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(recs, 6);
    let kinds: Vec<String> = lines(&dead)
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["error"]["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, vec!["undecodable", "no_form"]);
}
