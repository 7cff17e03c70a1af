//! The `formsift` command: a thin shell over the library (see `src/cli/`).

mod cli;

// Every cell and value is a small allocation: mimalloc spends fewer
// instructions per malloc/free than the system allocator
// (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Interrupted (Ctrl-C, SIGTERM from a scheduler): drop the temporary
    // output files, leave the previous outputs as they are, exit 130.
    let _ = ctrlc::set_handler(|| {
        formsift::remove_temp_files();
        eprintln!("formsift: interrupted; previous outputs are left as they were");
        std::process::exit(130);
    });
    cli::run()
}
