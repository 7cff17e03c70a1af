//! The `formsift` command: a thin shell over the library.

use clap::{Parser, Subcommand};
use formsift::template::Template;
use formsift::{emit, ingest, IngestError};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// Turn noisy OCR'd form tables into clean JSON Lines records.
///
/// Each record is one form: every template field with its value, a
/// confidence (the probability the value is exactly right), where it came
/// from, what was repaired, and any text that went nowhere.
#[derive(Parser)]
#[command(name = "formsift", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    Extract(ExtractArgs),
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Input files or directories (searched recursively for .md .markdown
    /// .txt .html .htm, in sorted order); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,

    /// Write JSON Lines to FILE instead of stdout. The file is replaced
    /// atomically: a temporary file in the same directory, then a rename.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Use the template in FILE (TOML, see templates/perf-target.toml)
    /// instead of the built-in `perf-target`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
}

fn main() -> ExitCode {
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
        Command::Extract(args) => extract(args),
    }
}

fn extract(args: ExtractArgs) -> ExitCode {
    let template = match &args.template {
        Some(p) => match Template::load(p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("formsift: {e}");
                return ExitCode::from(1);
            }
        },
        None => Template::builtin(),
    };
    if let Some(n) = args.jobs {
        // Only fails if a pool was already built; the default pool is then used.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let (inputs, mut errors) = ingest::discover(&args.paths);
    if inputs.is_empty() && errors.is_empty() {
        eprintln!("formsift: no input files found in the given paths");
        return ExitCode::from(2);
    }
    let results: Vec<Result<Vec<formsift::Record>, IngestError>> = inputs
        .par_iter()
        .map(|p| formsift::run_file(p, &template))
        .collect();
    let mut out = String::new();
    let mut forms = 0usize;
    for result in results {
        match result {
            Ok(records) => {
                for r in &records {
                    out.push_str(&emit::to_json_line(r));
                    out.push('\n');
                }
                forms += records.len();
            }
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("formsift: {e}");
    }
    let written = match &args.output {
        Some(path) => emit::write_atomic(path, out.as_bytes()).map_err(|e| {
            eprintln!("formsift: cannot write {}: {e}", path.display());
        }),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        eprintln!("formsift: cannot write stdout: {e}");
                    }
                })
        }
    };
    if written.is_err() {
        return ExitCode::from(1);
    }
    if !errors.is_empty() {
        eprintln!(
            "formsift: {} input(s) failed, {} form(s) extracted from {} input(s)",
            errors.len(),
            forms,
            inputs.len()
        );
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
