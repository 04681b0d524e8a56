//! `serve` and `monitor`: the simulation lab from the command line. `serve` runs an
//! instructor's session headless and serves its bedside feed; `monitor` is the trainee's
//! bedside monitor (a window, or `--print-json` for scripts).

use super::*;
use ecmo_unload::session::{Command as SessionCommand, Event, Output, Stepper};
use ecmo_unload_lab::{BedsideLink, Instructor, LinkEvent};
use std::io::BufRead;
use std::time::Duration;

/// The headless session's wall-clock slice (it paces the simulation and reads commands).
const SLICE: Duration = Duration::from_millis(20);
/// The most simulated time one slice may run (a stalled machine catches up gradually).
const MAX_SIM_PER_SLICE_S: f64 = 60.0;
/// `--speed` bounds: from slow motion to an hour a minute.
pub const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.1..=60.0;
/// The longest `monitor --after-s` (an hour of listening).
const MAX_LISTEN_S: f64 = 3600.0;
/// The neutral name a trainee's monitor shows (never the case's title).
pub const DEFAULT_BED: &str = "Bed 1";

/// What `serve` is asked to do besides the patient.
pub struct ServeOptions<'a> {
    pub scenario: Option<&'a str>,
    pub speed: f64,
    pub listen: &'a str,
    pub code: Option<&'a str>,
    pub bed: &'a str,
    /// Stop after this much simulated time (none: until `quit` or an interrupt).
    pub seconds: Option<f64>,
}

/// A session code when none is given: six digits, new each session, read out to the room.
pub fn fresh_code() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = ecmo_unload::random::Rng::for_patient(nanos, u64::from(std::process::id()));
    format!("{:06}", rng.next_u64() % 1_000_000)
}

/// Check a speed (`--speed`, the `speed` command); the error names the value, the caller
/// the option.
pub fn check_speed(speed: f64) -> anyhow::Result<f64> {
    if speed.is_finite() && SPEED_RANGE.contains(&speed) {
        Ok(speed)
    } else {
        Err(usage(format!(
            "{}: expected {} to {} (simulated seconds per wall second)",
            Short(speed),
            SPEED_RANGE.start(),
            SPEED_RANGE.end()
        )))
    }
}

/// The longest bed name (characters): it heads the trainee's screen beside the clock.
pub const MAX_BED_CHARS: usize = 40;

/// Check `--bed`: a name a screen can show in one line.
pub fn check_bed(bed: &str) -> anyhow::Result<()> {
    let bad = |why: &str| Err(usage(format!("--bed '{}': {why}", one_line(bed))));
    if bed.trim().is_empty() {
        return bad("a bed needs a name");
    }
    if bed.chars().count() > MAX_BED_CHARS {
        return bad("at most 40 characters");
    }
    if bed.chars().any(char::is_control) {
        return bad("one line, without control characters");
    }
    Ok(())
}

/// `serve`: run the session headless, serve it, take the instructor's commands on stdin.
pub fn serve(preset: &str, sets: &[String], o: ServeOptions) -> anyhow::Result<()> {
    let speed = check_speed(o.speed).map_err(|e| usage(format!("--speed {e}")))?;
    check_bed(o.bed)?;
    if let Some(s) = o.seconds
        && !(s.is_finite() && s > 0.0 && s <= MAX_RUN_S)
    {
        return Err(usage(format!(
            "--seconds {}: expected a positive number up to {MAX_RUN_S}",
            Short(s)
        )));
    }
    let mut stepper = match o.scenario {
        Some(name) => {
            let mut sc = Scenario::load(name)?;
            sc.set.extend(sets.iter().cloned());
            // Checked (every action, every key) before anything listens.
            scenario::Run::start(sc.clone())?;
            let mut s = Stepper::new(Engine::new(presets::load("healthy")?)?);
            if let Some(Event::Rejected(e)) = s.apply(&SessionCommand::LoadScenario(Box::new(sc))) {
                return Err(usage(format!("--scenario {name}: {e}")));
            }
            s
        }
        None => Stepper::new(Engine::new(patient_with_overrides(preset, sets)?)?),
    };
    stepper.serve_bedside = true;
    let code = o.code.map_or_else(fresh_code, str::to_string);
    let mut lab = Instructor::listen(o.listen, &code, o.bed)?;
    let addr = lab.local_addr();
    outln!(
        "serving '{}' on ws://{addr}/bedside, session code {code}",
        o.bed
    )?;
    outln!("trainees connect with: ecmo-unload monitor --connect {addr} --code {code}")?;
    outln!(
        "commands: set KEY=VALUE, fluid ML:MINUTES, bolus DRUG:MCG_KG, fire, pause, resume, speed X, who, quit"
    )?;
    let lines = stdin_lines();
    let mut speed = speed;
    let mut paused = false;
    let mut last = Instant::now();
    let mut line_no = 0usize;
    loop {
        for notice in lab.notices() {
            outln!("{}", one_line(&notice))?;
        }
        while let Ok(line) = lines.try_recv() {
            line_no += 1;
            match instructor_command(&line, &mut stepper, &lab, &mut paused, &mut speed) {
                Ok(Flow::Go) => {}
                Ok(Flow::Quit) => return Ok(()),
                Err(e) => say(&format!(
                    "error: standard input line {line_no}: {}\n",
                    one_line(&e.to_string())
                )),
            }
        }
        let wall = last.elapsed().as_secs_f64();
        last = Instant::now();
        if !paused {
            let mut out = Output::default();
            stepper.advance((wall * speed).min(MAX_SIM_PER_SLICE_S), &mut out);
            if let Event::Frame { out, bedside, .. } = stepper.frame(out) {
                if let Some(b) = bedside {
                    lab.offer(*b);
                }
                for f in &out.fired {
                    let hidden = stepper
                        .timeline
                        .as_ref()
                        .and_then(|t| t.scenario.events.get(f.event))
                        .is_some_and(|e| e.hidden);
                    let note = if hidden {
                        " (hidden from the trainee)"
                    } else {
                        ""
                    };
                    outln!(
                        "t = {:.0} s: event '{}' fired{note}",
                        f.t_s,
                        one_line(&f.name)
                    )?;
                }
            }
            if !stepper.engine.is_finite() {
                return Err(usage(format!(
                    "the simulation became non-finite at {:.1} s",
                    stepper.engine.t_s()
                )));
            }
        }
        if o.seconds.is_some_and(|s| stepper.engine.t_s() >= s) {
            outln!("t = {:.0} s: session ended", stepper.engine.t_s())?;
            return Ok(());
        }
        std::thread::sleep(SLICE.saturating_sub(last.elapsed()));
    }
}

enum Flow {
    Go,
    Quit,
}

/// Standard input, line by line, on its own thread (the session never waits for it). Its end
/// (a closed or absent stdin) leaves the session running.
fn stdin_lines() -> crossbeam_channel::Receiver<String> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let _ = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
    rx
}

/// One instructor command from standard input.
fn instructor_command(
    line: &str,
    stepper: &mut Stepper,
    lab: &Instructor,
    paused: &mut bool,
    speed: &mut f64,
) -> anyhow::Result<Flow> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let apply = |stepper: &mut Stepper, c: SessionCommand| -> anyhow::Result<()> {
        match stepper.apply(&c) {
            Some(Event::Rejected(e)) => Err(usage(e)),
            _ => Ok(()),
        }
    };
    // A command that takes no argument refuses one ("quit now" is a typo, not a quit).
    let bare = |word: &str| {
        if rest.is_empty() {
            Ok(())
        } else {
            Err(usage(format!(
                "{word} takes nothing after it, got '{rest}'"
            )))
        }
    };
    let t = stepper.engine.t_s();
    match word {
        "" => return Ok(Flow::Go),
        "set" | "s" => {
            let (key, value) = rest
                .split_once('=')
                .ok_or_else(|| usage(format!("set: expected KEY=VALUE, got '{rest}'")))?;
            apply(
                stepper,
                SessionCommand::Set {
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                },
            )?;
        }
        "fluid" => {
            let (volume_ml, duration_s) = fluids::parse_order(rest).ok_or_else(|| {
                usage(format!(
                    "fluid: expected ML:MINUTES, e.g. 500:10, got '{rest}'"
                ))
            })?;
            apply(
                stepper,
                SessionCommand::Fluid {
                    volume_ml,
                    duration_s,
                },
            )?;
        }
        "bolus" => {
            let (drug, mcg_kg) = Drug::parse_bolus(rest)?.ok_or_else(|| {
                usage(format!(
                    "bolus: expected DRUG:MCG_KG, e.g. milrinone:50, got '{rest}'"
                ))
            })?;
            apply(stepper, SessionCommand::Bolus { drug, mcg_kg })?;
        }
        "fire" => {
            bare("fire")?;
            let Some(tl) = &stepper.timeline else {
                return Err(usage("fire: no scenario is playing"));
            };
            if tl.next_event().is_none() {
                return Err(usage("fire: every event of the scenario has fired"));
            }
            apply(stepper, SessionCommand::FireNextEvent)?;
            // The event itself is reported when the next frame fires it.
            return Ok(Flow::Go);
        }
        "pause" => {
            bare("pause")?;
            *paused = true;
        }
        "resume" => {
            bare("resume")?;
            *paused = false;
        }
        "speed" => {
            let s: f64 = rest
                .parse()
                .map_err(|_| usage(format!("speed: expected a number, got '{rest}'")))?;
            *speed = check_speed(s).map_err(|e| usage(format!("speed {e}")))?;
        }
        "who" => {
            bare("who")?;
            let list = lab.trainees();
            outln!("t = {t:.0} s: {} connected", list.len())?;
            for t in list {
                outln!("  {} from {}", one_line(&t.name), t.peer)?;
            }
            return Ok(Flow::Go);
        }
        "quit" | "exit" => {
            bare(word)?;
            outln!("t = {t:.0} s: session ended")?;
            return Ok(Flow::Quit);
        }
        "help" => {
            outln!(
                "set KEY=VALUE | fluid ML:MINUTES | bolus DRUG:MCG_KG | fire | pause | resume | speed X | who | quit"
            )?;
            return Ok(Flow::Go);
        }
        other => return Err(usage(format!("unknown command '{other}' (try help)"))),
    }
    // Done: said back with its time, as a log would.
    outln!("t = {t:.0} s: {}", one_line(line))?;
    Ok(Flow::Go)
}

/// `monitor --print-json`: listen for `after_s` wall seconds, then print the last numbers
/// received (the keys of `run --json`).
pub fn monitor_print_json(addr: &str, code: &str, name: &str, after_s: f64) -> anyhow::Result<()> {
    if !(after_s.is_finite() && after_s > 0.0 && after_s <= MAX_LISTEN_S) {
        return Err(usage(format!(
            "--after-s {}: expected a positive number of seconds up to {MAX_LISTEN_S}",
            Short(after_s)
        )));
    }
    let link = BedsideLink::spawn(addr, code, name, || {})?;
    let end = Instant::now() + Duration::from_secs_f64(after_s);
    let mut last = None;
    let mut trouble = None;
    let mut connected = false;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match link.events().recv_timeout(left) {
            Ok(LinkEvent::Frame(f)) => {
                if let Some(n) = f.numbers {
                    last = Some(n);
                }
            }
            Ok(LinkEvent::Refused(e)) => return Err(e.into()),
            Ok(LinkEvent::Disconnected(why)) => {
                trouble = Some(why);
                connected = false;
            }
            Ok(LinkEvent::Connected { .. }) => {
                trouble = None;
                connected = true;
            }
            Err(_) => break,
        }
    }
    match last {
        Some(numbers) => {
            // Numbers from a session no longer heard from are printed, and said to be old.
            if !connected {
                let t = numbers.get("t_s").and_then(serde_json::Value::as_f64);
                say(&format!(
                    "warning: {}\n",
                    one_line(&format!(
                        "the connection to {addr} was lost ({}): these are the last numbers, from t = {:.1} s",
                        trouble.as_deref().unwrap_or("no reason given"),
                        t.unwrap_or(f64::NAN)
                    ))
                ));
            }
            let text = serde_json::to_string_pretty(&numbers).expect("numbers serialise");
            outln!("{text}")
        }
        None => Err(usage(match trouble {
            Some(why) => format!("no numbers from {addr} in {} s: {why}", Short(after_s)),
            None => format!(
                "no numbers from {addr} in {} s (no complete beat yet?)",
                Short(after_s)
            ),
        })),
    }
}
