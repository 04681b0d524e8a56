//! The simulation thread's protocol under load: a UI that reads slowly never slows the
//! simulation or loses a command or a trend point, and a failure is reported, not silent.

use ecmo_unload::{Engine, presets};
use ecmo_unload_ui::sim::{Command, Event, SimThread, TREND_INTERVAL_S};
use std::time::{Duration, Instant};

fn thread() -> SimThread {
    let engine = Engine::new(presets::load("healthy").unwrap()).unwrap();
    SimThread::spawn(engine, || {}).unwrap()
}

/// Drain events for `wall`, reading one event every `pause` (a slow UI).
fn drain(t: &SimThread, wall: Duration, pause: Duration) -> Vec<Event> {
    let end = Instant::now() + wall;
    let mut got = Vec::new();
    while Instant::now() < end {
        if let Ok(ev) = t.events.recv_timeout(Duration::from_millis(50)) {
            got.push(ev);
        }
        std::thread::sleep(pause);
    }
    got
}

#[test]
fn a_slow_ui_loses_no_command_and_no_trend_point() {
    let t = thread();
    t.commands.send(Command::Speed(60.0)).unwrap();
    for rate in [70, 75, 80, 85, 90] {
        t.commands
            .send(Command::Set {
                key: "rhythm.rate_bpm".into(),
                value: rate.to_string(),
            })
            .unwrap();
    }
    // The UI reads one event per 40 ms while the thread produces one per 15 ms.
    let events = drain(&t, Duration::from_secs(3), Duration::from_millis(40));
    let replies = events
        .iter()
        .filter(|e| matches!(e, Event::Patient(_)))
        .count();
    assert_eq!(replies, 5, "every command answered");
    let mut trend_t: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Frame { out, .. } => Some(out.trend.iter().map(|p| p.t_s)),
            _ => None,
        })
        .flatten()
        .collect();
    trend_t.dedup();
    assert!(trend_t.len() >= 5, "{} trend points", trend_t.len());
    for w in trend_t.windows(2) {
        assert!(
            (w[1] - w[0] - TREND_INTERVAL_S).abs() < 0.01,
            "a gap in the trends: {} -> {}",
            w[0],
            w[1]
        );
    }
}

#[test]
fn jump_ahead_and_failure_are_reported() {
    let t = thread();
    t.commands.send(Command::JumpAhead(120.0)).unwrap();
    let events = drain(&t, Duration::from_millis(1500), Duration::ZERO);
    let jumped = events.iter().any(|e| match e {
        Event::Frame { out, .. } => out.samples.last().is_some_and(|s| s.t_s > 120.0),
        _ => false,
    });
    assert!(jumped, "a frame from after the jump");
    t.commands.send(Command::Crash).unwrap();
    let events = drain(&t, Duration::from_millis(800), Duration::ZERO);
    assert!(
        events.iter().any(|e| matches!(e, Event::Failed(_))),
        "the failure is reported"
    );
    assert!(t.is_finished());
    // The UI got a checkpoint to restart from.
    let first = drain(&thread(), Duration::from_millis(300), Duration::ZERO);
    assert!(first.iter().any(|e| matches!(e, Event::Checkpoint(_))));
}

/// Far longer than any machine jumps in the few seconds of these tests.
const ENDLESS_JUMP_S: f64 = 1e7;

#[test]
fn a_long_jump_shows_its_progress_and_can_be_cancelled() {
    let t = thread();
    t.commands.send(Command::JumpAhead(ENDLESS_JUMP_S)).unwrap();
    let events = drain(&t, Duration::from_millis(600), Duration::ZERO);
    let progress: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Frame { out, .. } => out.jumping.map(|j| j.done_s),
            _ => None,
        })
        .collect();
    assert!(progress.len() >= 2, "progress frames: {progress:?}");
    assert!(
        progress.windows(2).all(|w| w[1] > w[0]),
        "the jump moves on: {progress:?}"
    );
    t.commands.send(Command::CancelJump).unwrap();
    let after = drain(&t, Duration::from_millis(600), Duration::ZERO);
    let last = after
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Frame { out, .. } => Some((out.jumping, out.samples.last()?.t_s)),
            _ => None,
        })
        .expect("paced frames after the cancel");
    assert_eq!(last.0, None, "no jump under way after the cancel");
    assert!(
        last.1 < ENDLESS_JUMP_S,
        "stopped where it had got to: {}",
        last.1
    );
}

#[test]
fn closing_during_a_long_jump_or_at_a_fine_step_does_not_wait_for_it() {
    let mut patient = presets::load("cardiogenic-shock").unwrap();
    patient.numerics.dt_ms = 0.05;
    let t = SimThread::spawn(Engine::new(patient).unwrap(), || {}).unwrap();
    t.commands.send(Command::JumpAhead(ENDLESS_JUMP_S)).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Dropping the UI's end is what closing the window does: it joins the thread, which must
    // stop within a slice (a test that hangs here is the failure).
    drop(t);
}
