//! `ecmo-unload`: the dashboard (default) and the headless CLI over the same engine.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_sigpipe();
    let args = match Cli::try_parse() {
        Ok(args) => args,
        // Help and version go to stdout as usual; a usage error is one line, exit 2.
        Err(e) if !e.use_stderr() => {
            // Written, not `e.exit()`: a full disk under the help is an error like any output's.
            return finish(cli::emit(&e.render().to_string()));
        }
        Err(e) => {
            // The message without clap's usage block, its lines joined (a missing argument's
            // name is on the second line).
            let rendered = e.render().to_string();
            let message = rendered
                .split("\n\n")
                .next()
                .unwrap_or("error: bad arguments")
                .trim_end()
                .replace(":\n  ", ": ")
                .replace("\n  [", " [")
                .replace("\n  ", ", ");
            cli::say(&format!(
                "{} (see ecmo-unload --help)\n",
                cli::one_line(&message)
            ));
            return ExitCode::from(2);
        }
    };
    #[cfg(feature = "gui")]
    let prints = !matches!(args.command, None | Some(Command::Gui { .. }));
    #[cfg(not(feature = "gui"))]
    let prints = true;
    if prints && !stdout_writable() {
        // Rust's stdout swallows writes to a closed descriptor: say so rather than lose it.
        cli::say("error: standard output is closed or read-only: nothing could be printed\n");
        return ExitCode::from(2);
    }
    let result: anyhow::Result<()> = match args.command {
        Some(Command::Run {
            preset,
            seconds,
            sets,
            fluid,
            bolus,
            scenario,
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
                scenario: scenario.as_deref(),
            },
        ),
        Some(Command::Compare {
            preset,
            sets,
            strategies,
            json,
        }) => cli::compare(&preset, &sets, &strategies, json),
        Some(Command::Fit {
            preset,
            sets,
            measured,
            measurements,
            json,
            out,
        }) => cli::fit(
            &preset,
            &sets,
            cli::FitOptions {
                measured: &measured,
                file: measurements.as_deref(),
                json,
                out: out.as_deref(),
            },
        ),
        Some(Command::Cohort {
            merge: Some(cli::CohortCommand::Merge { dirs, out, parquet }),
            ..
        }) => cli::merge(&dirs, &out, parquet),
        Some(Command::Cohort {
            preset,
            sets,
            n,
            seed,
            strategies,
            out,
            shard,
            shards,
            horizon_h,
            parquet,
            merge: None,
        }) => cli::cohort(
            &preset,
            &sets,
            cli::CohortOptions {
                n: n.expect("clap requires --n"),
                seed,
                strategies: &strategies,
                out: &out.expect("clap requires --out"),
                shard: shard.as_deref(),
                shards,
                horizon_h: horizon_h as usize,
                parquet,
            },
        ),
        Some(Command::Serve {
            preset,
            sets,
            scenario,
            speed,
            listen,
            code,
            bed,
            seconds,
        }) => cli::serve(
            &preset,
            &sets,
            cli::ServeOptions {
                scenario: scenario.as_deref(),
                speed,
                listen: &listen,
                code: code.as_deref(),
                bed: &bed,
                seconds,
            },
        ),
        Some(Command::Monitor {
            connect,
            code,
            name,
            print_json,
            after_s,
            #[cfg(feature = "gui")]
            screenshot,
            #[cfg(feature = "gui")]
            window,
        }) => {
            if print_json {
                cli::monitor_print_json(&connect, &code, &name, after_s)
            } else {
                #[cfg(feature = "gui")]
                {
                    bedside(
                        &connect,
                        &code,
                        &name,
                        screenshot.map(|p| (p, after_s)),
                        window,
                    )
                }
                #[cfg(not(feature = "gui"))]
                {
                    Err(cli::usage(
                        "monitor: this binary was built without the GUI; use --print-json",
                    ))
                }
            }
        }
        Some(Command::Params { preset }) => cli::params(&preset),
        Some(Command::Scenarios) => cli::list_scenarios(),
        Some(Command::Presets) => cli::list_presets(),
        Some(Command::Bench {
            seconds,
            what_if_only,
        }) => cli::bench(seconds, what_if_only),
        #[cfg(feature = "gui")]
        Some(Command::BenchUi { frames }) => cli::bench_ui(frames),
        #[cfg(feature = "gui")]
        Some(Command::Gui { dashboard }) => gui(&dashboard),
        #[cfg(feature = "gui")]
        None => gui(&args.dashboard),
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
fn gui(d: &cli::DashboardArgs) -> anyhow::Result<()> {
    if !(d.after_s.is_finite() && (0.0..=cli::MAX_RUN_S).contains(&d.after_s)) {
        return Err(cli::usage(format!(
            "--after-s {}: expected 0 to {} seconds (30 simulated days)",
            ecmo_unload::units::Short(d.after_s),
            cli::MAX_RUN_S
        )));
    }
    if d.listen.is_some() {
        cli::check_bed(&d.bed)?;
    }
    let patient = cli::patient_with_overrides(&d.preset, &d.sets)?;
    // A target that cannot be a PNG file is refused before the window opens.
    if let Some(path) = &d.screenshot {
        ecmo_unload::files::check_target(path)?;
    }
    let screenshot = d.screenshot.clone().map(|p| (p, d.after_s));
    let scenario = d
        .scenario
        .as_deref()
        .map(ecmo_unload::scenario::Scenario::load)
        .transpose()?;
    ecmo_unload_ui::run(
        patient,
        screenshot,
        d.tab,
        d.window,
        scenario,
        d.replay.clone(),
        d.listen.as_ref().map(|listen| ecmo_unload_ui::Serve {
            listen: listen.clone(),
            code: d.code.clone().unwrap_or_else(cli::fresh_code),
            bed: d.bed.clone(),
        }),
    )
    .map_err(cli::usage)
}

/// The trainee's bedside monitor window.
#[cfg(feature = "gui")]
fn bedside(
    addr: &str,
    code: &str,
    name: &str,
    screenshot: Option<(std::path::PathBuf, f64)>,
    window: [f32; 2],
) -> anyhow::Result<()> {
    if let Some((path, _)) = &screenshot {
        ecmo_unload::files::check_target(path)?;
    }
    // A code no header can carry is refused before the window opens.
    ecmo_unload_lab::wire::check_code(code)?;
    ecmo_unload_ui::run_bedside(addr, code, name, screenshot, window).map_err(cli::usage)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli::say(&format!("error: {}\n", cli::one_line(&e.to_string())));
            ExitCode::from(2)
        }
    }
}

/// Is standard output open for writing? (`1>&-` closes it, `1</dev/null` opens it read-only.)
fn stdout_writable() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: F_GETFL only reads descriptor 1's flags; -1 means it is not open.
        let flags = unsafe { libc::fcntl(1, libc::F_GETFL) };
        flags != -1 && (flags & libc::O_ACCMODE) != libc::O_RDONLY
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Rust ignores SIGPIPE, so printing into a pipe whose reader has gone (`| head`) panics. A
/// command-line tool should end quietly there, as Unix tools do: take the default action back.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
