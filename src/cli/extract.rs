//! `formsift extract`: files in, JSON Lines out.

use formsift::{emit, ingest, IngestError};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExtractArgs {
    /// Input files or directories (searched recursively for .md .markdown
    /// .txt .html .htm, in sorted order); `-` reads stdin. Tables may be
    /// tab-flattened, HTML, GFM pipe or space-aligned, mixed in one file.
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

    /// Decode every input as ENCODING (a WHATWG label: utf-8, gb18030, gbk,
    /// big5, utf-16le, …) instead of detecting it. Detection reads a BOM,
    /// then UTF-8, then GB18030/GBK/Big5; a file that decodes in none is
    /// reported with the line of its first bad byte. Example:
    /// `formsift extract --encoding gb18030 archive/`.
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    encoding: Option<&'static formsift::encoding_rs::Encoding>,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
}

fn parse_encoding(label: &str) -> Result<&'static formsift::encoding_rs::Encoding, String> {
    ingest::encoding_for_label(label).ok_or_else(|| {
        format!("unknown encoding `{label}` (try utf-8, gb18030, gbk, big5, utf-16le)")
    })
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> ExitCode {
    let template = match super::load_template(args.template.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
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
        .map(|p| formsift::run_file_encoded(p, &template, args.encoding))
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
