//! `bench` and `bench-ui`: real-time factors, what-if and dashboard frame times.

use super::*;

/// Every device on, for the benchmark's second row per preset.
const ALL_DEVICES: [&str; 7] = [
    "ecmo.enabled=true",
    "ecmo.mode=flow",
    "lv_vent.enabled=true",
    "septostomy.diameter_mm=5",
    "impella.enabled=true",
    "impella.p_level=4",
    "iabp.enabled=true",
];

/// Every drug at a usual dose: with [`ALL_DEVICES`], the engine's heaviest load (issue 4:
/// >= 2000x real time).
const ALL_DRUGS: [&str; 4] = [
    "drugs.dobutamine_mcg_kg_min=5",
    "drugs.milrinone_mcg_kg_min=0.375",
    "drugs.epinephrine_mcg_kg_min=0.05",
    "drugs.norepinephrine_mcg_kg_min=0.1",
];

/// The benchmark times each row in this many passes over all rows, each of this many chunks;
/// the median chunk is reported.
const BENCH_PASSES: usize = 3;
const BENCH_CHUNKS_PER_PASS: usize = 5;
/// Simulated seconds each row runs untimed at the start of a pass (caches and branch
/// predictors warm to this engine again).
const BENCH_WARM_S: f64 = 1.0;

pub fn bench(seconds: f64, what_if_only: bool) -> anyhow::Result<()> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(usage(format!(
            "--seconds {seconds}: expected a positive number"
        )));
    }
    if what_if_only {
        return bench_what_if();
    }
    outln!(
        "{:<20} {:<12} {:>10} {:>14} {:>10}",
        "preset",
        "devices",
        "sim_s",
        "realtime_x",
        "ns/step"
    )?;
    let everything: Vec<&str> = ALL_DEVICES.iter().chain(&ALL_DRUGS).copied().collect();
    let mut rows = Vec::new();
    for name in presets::names() {
        for (label, sets) in [
            ("none", &[][..]),
            ("all", &ALL_DEVICES[..]),
            ("all+drugs", &everything[..]),
        ] {
            let mut engine = Engine::new(settings::apply_all(&presets::load(name)?, sets)?)?;
            engine.run_for(2.0);
            let chunks = BENCH_PASSES * BENCH_CHUNKS_PER_PASS;
            let chunk_steps = (seconds / engine.dt_s() / chunks as f64).round() as u64;
            rows.push((name, label, engine, chunk_steps, Vec::with_capacity(chunks)));
        }
    }
    // BENCH_PASSES passes over the rows, each row running its chunks back to back (as one
    // simulation runs): a slow spell of a shared machine (seconds long) then costs a row one pass's
    // chunks, not all of them, and the median drops them.
    for _ in 0..BENCH_PASSES {
        for (_, _, engine, chunk_steps, ns_per_step) in rows.iter_mut() {
            engine.run_for(BENCH_WARM_S);
            for _ in 0..BENCH_CHUNKS_PER_PASS {
                let start = Instant::now();
                // Count the beats rather than black-boxing each step's Option<Beat>: that
                // would copy half a kilobyte per step, which no caller does.
                let mut beats = 0usize;
                for _ in 0..*chunk_steps {
                    beats += usize::from(engine.step().is_some());
                }
                std::hint::black_box((beats, &*engine));
                ns_per_step.push(start.elapsed().as_secs_f64() * 1e9 / *chunk_steps as f64);
            }
        }
    }
    for (name, label, engine, _, mut ns_per_step) in rows {
        ns_per_step.sort_by(f64::total_cmp);
        let ns = ns_per_step[ns_per_step.len() / 2];
        outln!(
            "{name:<20} {label:<12} {seconds:>10.0} {:>14.0} {:>10.1}",
            engine.dt_s() * 1e9 / ns,
            ns
        )?;
    }
    bench_what_if()
}

/// The What-if tab's set: "now" and its six offered strategies, from the shock patient on
/// ECMO at 4 L/min, each settled and projected 6 h (issue 21: at most ten times one plain 600-s
/// run).
const WHAT_IF: [&str; 7] = [
    "now:",
    "ecmo -1 L/min:ecmo.flow_target_l_min=3",
    "iabp 1:1:iabp.enabled=true",
    "impella cp p6:impella.enabled=true,impella.p_level=6",
    "dobutamine 5:drugs.dobutamine_mcg_kg_min=5",
    "septostomy 8 mm:septostomy.diameter_mm=8",
    "lv vent:lv_vent.enabled=true",
];
/// Repeats of the what-if timing (the median is reported).
const WHAT_IF_REPEATS: usize = 5;
/// The plain run the What-if is measured against (simulated seconds).
const PLAIN_RUN_S: f64 = 600.0;

/// Wall time of the What-if (every strategy settled and projected, on every core) against one
/// plain 600-s run of the same patient from t = 0.
fn bench_what_if() -> anyhow::Result<()> {
    let strategies: Vec<Strategy> = WHAT_IF
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let p = settings::apply_all(
        &presets::load("cardiogenic-shock")?,
        &["ecmo.enabled=true", "ecmo.mode=flow"],
    )?;
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut plain = Vec::new();
    for _ in 0..WHAT_IF_REPEATS {
        let start = Instant::now();
        let mut e = Engine::new(p.clone())?;
        e.run_for(PLAIN_RUN_S);
        std::hint::black_box(e.summary());
        plain.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let mut base = Engine::new(p)?;
    forecast::settle(&mut base);
    let mut times = Vec::new();
    let mut simulated = 0.0;
    for _ in 0..WHAT_IF_REPEATS {
        let start = Instant::now();
        let f = ecmo_unload::batch::forecast_all(&base, &strategies, &Default::default())?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        simulated = f
            .iter()
            .map(|f| f.settle_s + f.projection_circulation_s)
            .sum::<f64>();
    }
    let (plain, what_if) = (median(plain), median(times));
    outln!(
        "what-if: {} strategies settled and projected {} h ({simulated:.0} circulation s) on {} \
         threads: median {what_if:.0} ms; one plain {PLAIN_RUN_S:.0}-s run {plain:.0} ms; \
         ratio {:.1} (budget 10)",
        strategies.len(),
        forecast::LUNG_PROJECTION_H,
        ecmo_unload::batch::threads(),
        what_if / plain
    )?;
    Ok(())
}

/// Window sizes the dashboard is timed at (the two).
#[cfg(feature = "gui")]
const UI_SIZES: [[f32; 2]; 2] = [[1600.0, 1000.0], [1280.0, 800.0]];
/// Frames drawn before timing (font atlas, first layout, the waveforms filling).
#[cfg(feature = "gui")]
const UI_WARMUP_FRAMES: usize = 120;

#[cfg(feature = "gui")]
pub fn bench_ui(frames: usize) -> anyhow::Result<()> {
    if frames == 0 {
        return Err(usage("--frames 0: expected at least one frame"));
    }
    outln!(
        "{:<20} {:<12} {:<10} {:>8} {:>12} {:>10}",
        "preset",
        "tab",
        "window",
        "frames",
        "median_ms",
        "p99_ms"
    )?;
    for name in presets::names() {
        // Every device on: every trace, console and device drawing is drawn.
        let p = settings::apply_all(&presets::load(name)?, &ALL_DEVICES)?;
        for (tab, tab_name) in [
            (ecmo_unload_ui::Tab::Monitor, "monitor"),
            (ecmo_unload_ui::Tab::Circulation, "circulation"),
        ] {
            for size in UI_SIZES {
                let mut t =
                    ecmo_unload_ui::frame_times(p.clone(), size, tab, UI_WARMUP_FRAMES, frames)?;
                t.sort();
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                let p99 = t[((t.len() as f64 * 0.99) as usize).min(t.len() - 1)];
                outln!(
                    "{name:<20} {tab_name:<12} {:<10} {frames:>8} {:>12.2} {:>10.2}",
                    format!("{}x{}", size[0], size[1]),
                    ms(t[t.len() / 2]),
                    ms(p99)
                )?;
            }
        }
    }
    Ok(())
}
