//! `ecmo-unload`: the dashboard (default) and the headless CLI over the same engine.

mod cli;

use clap::Parser;
use cli::{Cli, CliError, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(args) => args,
        // Help and version go to stdout as usual; a usage error is one line, exit 2.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first} (see ecmo-unload --help)");
            return ExitCode::from(2);
        }
    };
    let result: Result<(), CliError> = match args.command {
        Some(Command::Run {
            preset,
            seconds,
            sets,
            fluid,
            bolus,
            json,
            csv,
            every_ms,
        }) => cli::run(
            &preset,
            &sets,
            cli::RunOptions {
                seconds,
                json,
                csv: csv.as_deref().map(|p| (p, every_ms)),
                fluid: fluid.as_deref(),
                boluses: &bolus,
            },
        ),
        Some(Command::Params { preset }) => cli::params(&preset),
        Some(Command::Presets) => {
            cli::list_presets();
            Ok(())
        }
        Some(Command::Bench { seconds }) => cli::bench(seconds),
        #[cfg(feature = "gui")]
        Some(Command::Gui {
            preset,
            sets,
            screenshot,
        }) => gui(&preset, &sets, screenshot),
        #[cfg(feature = "gui")]
        None => gui("cardiogenic-shock", &[], None),
        #[cfg(not(feature = "gui"))]
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            Ok(())
        }
    };
    finish(result)
}

#[cfg(feature = "gui")]
fn gui(
    preset: &str,
    sets: &[String],
    screenshot: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    let patient = cli::patient_with_overrides(preset, sets)?;
    ecmo_unload::app::run(patient, screenshot).map_err(|e| CliError::Usage(e.to_string()))
}

fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
