//! The module graph of the pipeline crate, checked: data flows one way.
//!
//! Every top-level module has a layer; a module may use only modules of a
//! lower layer (never a peer, never a later stage), so the graph has no
//! cycle. `segment` may use nothing of `table` but `table::sniff`. Test
//! code (`#[cfg(test)]` modules, `tests.rs` files) is exempt: a test may
//! build a whole template to exercise a primitive. ARCHITECTURE.md shows
//! the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (module, layer), lowest first. A module missing here fails the test.
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("fast", 0),
    ("record", 0),
    ("text", 1),
    ("ingest", 1),
    ("vocab", 2),
    ("table", 2),
    ("template", 3),
    ("segment", 4),
    ("extract", 5),
    ("score", 6),
    ("emit", 6),
    ("extractor", 7),
    ("batch", 8),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`None` for lib.rs).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// Non-test code of a file, comments dropped.
fn code_of(file: &Path) -> String {
    if file.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(file).expect("read file");
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Paths `crate::a::b` used by `code`, as (a, b) with b possibly empty;
/// `use crate::{a, b::c}` groups are expanded one level.
fn crate_paths(code: &str) -> Vec<(String, String)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let item = item.trim();
                let (a, b) = item.split_once("::").unwrap_or((item, ""));
                out.push((ident(a), ident(b)));
            }
            continue;
        }
        let a = ident(rest);
        let b = rest[a.len()..]
            .strip_prefix("::")
            .map(ident)
            .unwrap_or_default();
        out.push((a, b));
    }
    out.retain(|(a, _)| !a.is_empty());
    out
}

fn graph() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut g: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for f in files {
        let Some(m) = module_of(&f) else { continue };
        let uses = crate_paths(&code_of(&f));
        let entry = g.entry(m.clone()).or_default();
        entry.extend(uses.into_iter().filter(|(a, _)| *a != m));
    }
    g
}

#[test]
fn every_module_uses_only_lower_layers() {
    let layer: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    let g = graph();
    let mut wrong = Vec::new();
    for (m, uses) in &g {
        let Some(&own) = layer.get(m.as_str()) else {
            wrong.push(format!("module `{m}` has no layer in LAYERS"));
            continue;
        };
        for (used, sub) in uses {
            // Items of the crate root (re-exports, test helpers) are not
            // modules.
            let Some(&other) = layer.get(used.as_str()) else {
                continue;
            };
            if other >= own {
                wrong.push(format!(
                    "`{m}` (layer {own}) uses `{used}::{sub}` (layer {other})"
                ));
            }
            if m == "segment" && used == "table" && sub != "sniff" {
                wrong.push(format!(
                    "`segment` uses `table::{sub}`: only `table::sniff` is allowed"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "upward or sideways imports:\n{}",
        wrong.join("\n")
    );
    // The check saw the real graph.
    assert!(g["extract"].iter().any(|(u, _)| u == "vocab"), "{g:?}");
    assert!(
        g["segment"].contains(&("table".into(), "sniff".into())),
        "{g:?}"
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph();
    // Depth-first search for a back edge.
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, BTreeSet<(String, String)>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(1) => {
                let at = path.iter().position(|p| *p == m).unwrap_or(0);
                return Some(path[at..].iter().map(|s| s.to_string()).collect());
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(m, 1);
        path.push(m);
        for (used, _) in g.get(m).into_iter().flatten() {
            if g.contains_key(used) {
                if let Some(cycle) = visit(used, g, state, path) {
                    return Some(cycle);
                }
            }
        }
        path.pop();
        state.insert(m, 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        let cycle = visit(m, &g, &mut state, &mut Vec::new());
        assert!(cycle.is_none(), "import cycle: {cycle:?}");
    }
}

#[test]
fn the_parser_of_paths_reads_groups_and_paths() {
    let code = "use crate::text::lines::Line;\nuse crate::{vocab::Word, record};\nlet x = crate::fast::search::find(y);";
    let got = crate_paths(code);
    assert_eq!(
        got,
        vec![
            ("text".into(), "lines".into()),
            ("vocab".into(), "Word".into()),
            ("record".into(), "".into()),
            ("fast".into(), "search".into()),
        ]
    );
}
