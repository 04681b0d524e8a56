//! Soak: a simulated day through the real simulation thread and its channels, at full speed,
//! with random setting changes and a deliberately slow reader. Memory stays flat, the pace holds,
//! no command goes unanswered. Slow (about half a minute of wall time in release), so ignored in
//! CI; run it with:
//!   cargo test --release --test soak -- --ignored --nocapture

use ecmo_unload::{Engine, presets};
use ecmo_unload_ui::sim::{Command, Event, SimThread};
use std::time::{Duration, Instant};

/// Simulated seconds in a day, and the speed asked for (the thread caps what one slice may run).
const DAY_S: f64 = 86_400.0;
const SPEED: f64 = 10_000.0;

/// Resident memory of this process, from /proc (Linux); None elsewhere.
fn rss_kb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

#[test]
#[ignore]
fn a_simulated_day_with_a_slow_reader() {
    let engine = Engine::new(presets::load("cardiogenic-shock").unwrap()).unwrap();
    let t = SimThread::spawn(engine, || {}).unwrap();
    t.commands.send(Command::Speed(SPEED)).unwrap();
    let start = Instant::now();
    let (mut sent, mut answered, mut sim_t) = (0u64, 0u64, 0.0f64);
    let mut rss = Vec::new();
    // A small LCG picks the changes (reproducible).
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    let changes: [(&str, f64, f64); 5] = [
        ("heart.lv.ees_mmhg_per_ml", 0.3, 1.5),
        ("rhythm.rate_bpm", 60.0, 130.0),
        ("ecmo.rpm", 2000.0, 4000.0),
        ("drugs.dobutamine_mcg_kg_min", 0.0, 20.0),
        ("systemic.lower_body_r_mmhg_s_per_ml", 1.0, 3.0),
    ];
    let mut last_command = Instant::now();
    while sim_t < DAY_S {
        if last_command.elapsed() > Duration::from_millis(50) {
            let (key, lo, hi) = changes[(next() * changes.len() as f64) as usize % changes.len()];
            let value = lo + (hi - lo) * next();
            t.commands
                .send(Command::Set {
                    key: key.into(),
                    value: value.to_string(),
                })
                .unwrap();
            if next() < 0.2 {
                t.commands
                    .send(Command::Set {
                        key: "ecmo.enabled".into(),
                        value: (next() < 0.5).to_string(),
                    })
                    .unwrap();
                sent += 1;
            }
            sent += 1;
            last_command = Instant::now();
        }
        // The slow reader: one event every 20 ms, while frames come every 15 ms.
        if let Ok(ev) = t.events.recv_timeout(Duration::from_millis(100)) {
            match ev {
                Event::Patient(_) | Event::Rejected(_) => answered += 1,
                Event::Frame { out, .. } => {
                    if let Some(s) = out.samples.last() {
                        sim_t = s.t_s;
                    }
                }
                Event::Failed(why) => panic!("the simulation failed: {why}"),
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(20));
        if rss.len() < 1000 && start.elapsed().as_secs() as usize >= rss.len() {
            rss.extend(rss_kb());
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the day took too long"
        );
    }
    // Drain the replies still on their way.
    let drain_until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < drain_until {
        if let Ok(Event::Patient(_) | Event::Rejected(_)) =
            t.events.recv_timeout(Duration::from_millis(50))
        {
            answered += 1;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    println!(
        "soak: {sim_t:.0} s simulated in {wall:.1} s wall ({:.0}x), {sent} commands, {answered} answered, RSS {:?} -> {:?} kB",
        sim_t / wall,
        rss.get(5),
        rss.last()
    );
    assert_eq!(answered, sent, "every command answered");
    if let (Some(early), Some(late)) = (rss.get(5), rss.last()) {
        let grew = late.saturating_sub(*early);
        assert!(grew < 20_000, "memory grew {grew} kB");
    }
}
