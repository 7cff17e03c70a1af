//! Command-line layer: flag parsing and one module per subcommand. Each
//! subcommand only wires flags to the library and reports; no extraction
//! logic lives here.

pub mod extract;
pub mod golden;

use clap::{Parser, Subcommand};
use formsift::template::Template;
use std::path::Path;
use std::process::ExitCode;

/// Loads `--template FILE`, or the built-in template. On error the message
/// is printed and the exit code to return is given back.
pub fn load_template(path: Option<&Path>) -> Result<Template, ExitCode> {
    match path {
        Some(p) => Template::load(p).map_err(|e| {
            eprintln!("formsift: {e}");
            ExitCode::from(1)
        }),
        None => Ok(Template::builtin()),
    }
}

/// Turn noisy OCR'd form tables into clean JSON Lines records.
///
/// Each record is one form: every template field with its value, a
/// confidence (the probability the value is exactly right), where it came
/// from, what was repaired, and any text that went nowhere.
#[derive(Parser)]
#[command(name = "formsift", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Extract one record per form from OCR output files.
    ///
    /// Examples:
    ///   formsift extract samples/bazhong-2019-perf-targets.md
    ///   formsift extract samples/ -o out.jsonl
    ///   cat scan.md | formsift extract - > out.jsonl
    ///   formsift extract --template my-form.toml scans/
    ///
    /// Exit status: 0 when every input gave records; 2 when some inputs
    /// failed (each is named on stderr, the others still run); 1 on a usage
    /// error or when the output or template cannot be used.
    #[command(verbatim_doc_comment)]
    Extract(extract::ExtractArgs),

    /// Golden-file regression: compare sample output with approved records.
    ///
    /// `golden check` extracts every document in samples/ and compares it,
    /// field by field, with golden/<sample path>.jsonl; `golden bless`
    /// rewrites the golden files that changed.
    ///
    /// Examples:
    ///   formsift golden check
    ///   formsift golden check --format json
    ///   formsift golden bless --only samples/new-scan.md
    #[command(verbatim_doc_comment)]
    Golden(golden::GoldenArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; a usage error exits 1
            // (2 is kept for "some inputs failed").
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Golden(args) => golden::run(args),
    }
}
