//! The `tessera` binary: parse the command line, then serve or run an admin command.

use std::process::ExitCode;

use clap::Parser as _;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tessera_server::config::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(&cli.serve),
        Some(Command::Serve(args)) => serve(&args),
        Some(command) => tessera_server::admin::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tessera: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &tessera_server::config::ServeArgs) -> Result<(), String> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|e| format!("cannot handle signals: {e}"))?;
    let running = tessera_server::start(args).map_err(|e| e.to_string())?;
    println!(
        "tessera listening on http://{} (data: {})",
        running.addr(),
        running.data_dir().display()
    );
    signals.forever().next();
    eprintln!("tessera: shutting down");
    running.shutdown();
    Ok(())
}
