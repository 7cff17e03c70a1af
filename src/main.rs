//! The `formsift` command: a thin shell over the library (see `src/cli/`).

mod cli;

fn main() -> std::process::ExitCode {
    // Interrupted (Ctrl-C, SIGTERM from a scheduler): drop the temporary
    // output files, leave the previous outputs as they are, exit 130.
    let _ = ctrlc::set_handler(|| {
        formsift::emit::remove_temp_files();
        eprintln!("formsift: interrupted; previous outputs are left as they were");
        std::process::exit(130);
    });
    cli::run()
}
