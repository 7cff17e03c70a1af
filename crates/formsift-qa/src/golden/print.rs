//! The terminal side of golden-file regression: reports as text for
//! people (optionally coloured) or one JSON object for CI.

use super::{
    BlessAction, Blessed, DiffKind, Difference, FileReport, FileStatus, GoldenError, Options,
    Report,
};
use serde_json::Value as Json;
use std::path::Path;

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const DIM: &str = "2";

/// Width of the first column (the kind of line).
const KIND_WIDTH: usize = 10;

fn pad(kind: &str) -> String {
    format!("{kind:<KIND_WIDTH$}")
}

/// Renders reports as text (optionally coloured) or JSON.
pub struct Printer {
    color: bool,
    /// Flags to repeat in suggested commands (`--samples X` when not the default…).
    flags: Vec<String>,
    tolerance: f64,
}

impl Printer {
    /// A printer for `opts`'s report; `color` paints text output with ANSI
    /// colours; `template` is the `--template` given, repeated in the
    /// commands the report suggests.
    pub fn new(color: bool, opts: &Options, template: Option<&Path>) -> Self {
        let mut flags = Vec::new();
        if opts.samples_dir.as_os_str() != "samples" {
            flags.push(format!(
                "--samples {}",
                quote(&opts.samples_dir.to_string_lossy())
            ));
        }
        if opts.golden_dir.as_os_str() != "golden" {
            flags.push(format!(
                "--golden {}",
                quote(&opts.golden_dir.to_string_lossy())
            ));
        }
        if let Some(t) = template {
            flags.push(format!("--template {}", quote(&t.to_string_lossy())));
        }
        Printer {
            color,
            flags,
            tolerance: opts.tolerance,
        }
    }

    /// The report of `golden check`: text, or one JSON object.
    pub fn check(&self, report: &Report, json: bool) -> String {
        if json {
            let mut doc = self.report_json(report);
            doc["command"] = Json::from("check");
            return format!("{doc}\n");
        }
        let mut s = String::new();
        for f in &report.files {
            s.push_str(&self.file(f, false));
        }
        s.push_str(&self.walk_errors(report));
        s.push_str(&self.summary(report));
        if report.ok {
            s.push_str(&format!("golden check: {}\n", self.paint(GREEN, "ok")));
        } else {
            s.push_str(&format!(
                "golden check: {} — review the lines above; if the changes are intended: {}\n",
                self.paint(RED, "FAILED"),
                self.paint(CYAN, &self.bless_cmd(&[])),
            ));
        }
        s
    }

    /// The report of `golden bless`: what was written (`done`), what could
    /// not be (`errors`), whether all is up to date (`ok`).
    pub fn bless(
        &self,
        report: &Report,
        done: &[Blessed],
        errors: &[GoldenError],
        ok: bool,
        json: bool,
    ) -> String {
        if json {
            let mut doc = self.report_json(report);
            doc["command"] = Json::from("bless");
            doc["blessed"] = serde_json::to_value(done).unwrap_or(Json::Null);
            doc["write_errors"] =
                Json::Array(errors.iter().map(|e| Json::from(e.to_string())).collect());
            doc["ok"] = Json::Bool(ok);
            return format!("{doc}\n");
        }
        let mut s = String::new();
        for f in &report.files {
            s.push_str(&self.file(f, true));
            if let Some(b) = done.iter().find(|b| b.golden == f.golden) {
                s.push_str(&self.blessed(b, f));
            }
        }
        s.push_str(&self.walk_errors(report));
        for e in errors {
            s.push_str(&format!("{} {e}\n", self.paint(RED, &pad("error"))));
        }
        let count = |a: BlessAction| done.iter().filter(|b| b.action == a).count();
        let untouched = (report.files.iter())
            .filter(|f| f.status == FileStatus::Unchanged)
            .count();
        s.push_str(&format!(
            "golden bless: {} rewritten, {} created, {} removed, {} already up to date{}\n",
            count(BlessAction::Rewritten),
            count(BlessAction::Created),
            count(BlessAction::Removed),
            untouched,
            if ok {
                String::new()
            } else {
                format!("; {}", self.paint(RED, "some files could not be blessed"))
            }
        ));
        s
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// `formsift golden bless [flags] [extra…]`.
    fn bless_cmd(&self, extra: &[String]) -> String {
        let mut parts = vec!["formsift golden bless".to_string()];
        parts.extend(self.flags.iter().cloned());
        parts.extend(extra.iter().cloned());
        parts.join(" ")
    }

    /// The command that fixes a file's state, if there is one.
    fn fix(&self, f: &FileReport) -> Option<String> {
        let only = format!("--only {}", quote(&f.sample));
        match f.status {
            FileStatus::Unchanged => None,
            FileStatus::Changed | FileStatus::NewSample | FileStatus::GoldenUnreadable => {
                Some(self.bless_cmd(&[only]))
            }
            FileStatus::OrphanGolden => Some(self.bless_cmd(&["--prune".into(), only])),
            FileStatus::SampleFailed => Some(format!(
                "repair {}, or remove it and run: {}",
                f.sample,
                self.bless_cmd(&["--prune".into(), only])
            )),
        }
    }

    fn fix_line(&self, label: &str, cmd: &str) -> String {
        format!(
            "{} {label}: {}\n",
            " ".repeat(KIND_WIDTH),
            self.paint(CYAN, cmd)
        )
    }

    /// All lines of one file: its differences or its state, then the fix.
    fn file(&self, f: &FileReport, blessing: bool) -> String {
        let mut s = String::new();
        let fix = self.fix(f).unwrap_or_default();
        match f.status {
            FileStatus::Unchanged => {}
            FileStatus::Changed => {
                for d in &f.differences {
                    s.push_str(&self.difference(&f.sample, d));
                    s.push('\n');
                }
                if !blessing {
                    let label = if f.fails {
                        "if intended, run"
                    } else {
                        "nothing fails; to record it, run"
                    };
                    s.push_str(&self.fix_line(label, &fix));
                }
            }
            FileStatus::NewSample => {
                s.push_str(&format!(
                    "{} {}: no golden file {} ({} form{})\n",
                    self.paint(YELLOW, &pad("new sample")),
                    f.sample,
                    f.golden,
                    f.forms,
                    plural(f.forms)
                ));
                if !blessing {
                    s.push_str(&self.fix_line("create it", &fix));
                }
            }
            FileStatus::OrphanGolden => {
                s.push_str(&format!(
                    "{} {}: its sample {} is gone\n",
                    self.paint(RED, &pad("orphan")),
                    f.golden,
                    f.sample
                ));
                s.push_str(&self.fix_line("restore the sample, or delete it", &fix));
            }
            FileStatus::SampleFailed | FileStatus::GoldenUnreadable => {
                s.push_str(&format!(
                    "{} {}\n",
                    self.paint(RED, &pad("error")),
                    f.error.as_deref().unwrap_or("unknown error")
                ));
                if !(blessing && f.status == FileStatus::GoldenUnreadable) {
                    let label = if f.status == FileStatus::SampleFailed {
                        "fix"
                    } else {
                        "rewrite it from today's output"
                    };
                    s.push_str(&self.fix_line(label, &fix));
                }
            }
        }
        s
    }

    /// One difference as one line (no newline).
    fn difference(&self, sample: &str, d: &Difference) -> String {
        let (word, color) = match (d.kind, d.fails) {
            (DiffKind::Changed, _) => ("changed", RED),
            (DiffKind::Missing, _) => ("missing", RED),
            (DiffKind::New, _) => ("new", YELLOW),
            (DiffKind::Confidence, true) => ("confidence", YELLOW),
            (DiffKind::Confidence, false) => ("confidence", DIM),
            (DiffKind::Detail, _) => ("detail", DIM),
        };
        let mut where_ = sample.to_string();
        if let Some(i) = d.form_index {
            where_.push_str(&format!(" form {i}"));
            if let Some(name) = &d.form_name {
                where_.push_str(&format!(" ({name})"));
            }
        }
        let conf = match (d.old_confidence, d.new_confidence) {
            (Some(a), Some(b)) if d.kind == DiffKind::Confidence => {
                let drift = ((a - b).abs() * 1000.0).round() / 1000.0;
                let verdict = if d.fails { "beyond" } else { "within" };
                format!(
                    " (confidence {a} → {b}, drift {drift} {verdict} ±{})",
                    self.tolerance
                )
            }
            (Some(a), Some(b)) => format!(" (confidence {a} → {b})"),
            (Some(a), None) => format!(" (confidence {a})"),
            (None, Some(b)) => format!(" (confidence {b})"),
            (None, None) => String::new(),
        };
        let what = match (d.kind, &d.old, &d.new) {
            (DiffKind::New, _, _) if d.item == "form" => "form not in golden".to_string(),
            (DiffKind::Missing, _, _) if d.item == "form" => {
                "form in golden, no longer extracted".to_string()
            }
            (_, Some(o), Some(n)) => format!("{}: {} → {}", d.item, show(o), show(n)),
            (DiffKind::Confidence, None, Some(n)) => format!("{}: {}", d.item, show(n)),
            (_, None, Some(n)) => format!("{}: {}", d.item, show(n)),
            (_, Some(o), None) => format!("{}: {}", d.item, show(o)),
            (_, None, None) => d.item.clone(),
        };
        format!("{} {where_}: {what}{conf}", self.paint(color, &pad(word)))
    }

    fn blessed(&self, b: &Blessed, f: &FileReport) -> String {
        let line = match b.action {
            BlessAction::Created => format!(
                "{} {} ({} form{})",
                self.paint(GREEN, &pad("created")),
                b.golden,
                f.forms,
                plural(f.forms)
            ),
            BlessAction::Rewritten if f.status == FileStatus::GoldenUnreadable => format!(
                "{} {} (replaced the unreadable file)",
                self.paint(GREEN, &pad("blessed")),
                b.golden
            ),
            BlessAction::Rewritten => format!(
                "{} {} ({} difference{})",
                self.paint(GREEN, &pad("blessed")),
                b.golden,
                f.differences.len(),
                plural(f.differences.len())
            ),
            BlessAction::Removed => format!("{} {}", self.paint(GREEN, &pad("removed")), b.golden),
        };
        format!("{line}\n")
    }

    fn walk_errors(&self, report: &Report) -> String {
        report
            .errors
            .iter()
            .map(|e| format!("{} {e}\n", self.paint(RED, &pad("error"))))
            .collect()
    }

    fn summary(&self, report: &Report) -> String {
        let s = &report.summary;
        format!(
            "summary: {} file{}, {} form{}, {} field{}, {} indicator{} compared; \
             {} changed, {} new, {} missing, {} confidence drift{} beyond ±{} ({} within), \
             {} detail{}; {} new sample{}, {} orphan golden file{}, {} error{}\n",
            s.files,
            plural(s.files),
            s.forms,
            plural(s.forms),
            s.fields,
            plural(s.fields),
            s.indicators,
            plural(s.indicators),
            s.changed,
            s.new,
            s.missing,
            s.confidence_beyond_tolerance,
            plural(s.confidence_beyond_tolerance),
            report.tolerance,
            s.confidence_within_tolerance,
            s.details,
            plural(s.details),
            s.new_samples,
            plural(s.new_samples),
            s.orphan_goldens,
            plural(s.orphan_goldens),
            s.errors,
            plural(s.errors),
        )
    }

    /// The report as JSON, each file with the command that fixes it.
    fn report_json(&self, report: &Report) -> Json {
        let mut doc = serde_json::to_value(report).unwrap_or(Json::Null);
        if let Some(files) = doc.get_mut("files").and_then(Json::as_array_mut) {
            for (j, f) in files.iter_mut().zip(&report.files) {
                j["fix"] = self.fix(f).map(Json::from).unwrap_or(Json::Null);
            }
        }
        doc
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A value as compact JSON (strings quoted, so `null` and `"null"` differ).
fn show(v: &Json) -> String {
    v.to_string()
}

/// Quotes a shell word when it needs it.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
