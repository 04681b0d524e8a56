//! The session's stream without a window: the stepper the dashboard drives, and the one
//! waveform schema its recording and `run --csv` share.

use ecmo_unload::session::recording::{self, MONITOR_COLUMNS, StateRow, state_header};
use ecmo_unload::session::{Output, Stepper, WaveSample};
use ecmo_unload::{Engine, presets};

/// The dashboard runs the engine in frame-sized chunks at its speed setting; x60 must give the
/// numbers real time gives (issue 4: "the same numerical results as real time").
#[test]
fn accelerated_time_gives_the_real_time_numbers() {
    let run = |frame_s: f64, frames: usize| {
        let mut s = Stepper::new(
            Engine::new(
                ecmo_unload::settings::apply_all(
                    &presets::load("cardiogenic-shock").unwrap(),
                    &["drugs.dobutamine_mcg_kg_min=5", "ecmo.enabled=true"],
                )
                .unwrap(),
            )
            .unwrap(),
        );
        for _ in 0..frames {
            s.advance(frame_s, &mut Output::default());
        }
        serde_json::to_value(s.engine.summary().unwrap()).unwrap()
    };
    // 10 simulated minutes: 60 fps at x1, and 60 fps at x60 (one second per frame).
    let real_time = run(1.0 / 60.0, 36_000);
    let x60 = run(1.0, 600);
    assert_eq!(real_time, x60);
}

#[test]
fn the_recording_and_run_csv_share_one_schema() {
    let state = state_header();
    // The recording's header is WaveSample's serialised names.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(WaveSample::default()).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    for c in &header {
        assert!(
            state.iter().any(|s| s == c) || MONITOR_COLUMNS.contains(c),
            "{c}: a column outside the schema"
        );
    }
    assert!(MONITOR_COLUMNS.iter().all(|m| header.contains(m)));
    // A legacy name maps into the schema; a current name maps to itself.
    for c in [
        "arch_mmhg",
        "cvp_mmhg",
        "spo2_lower_pct",
        "balloon_pressure_mmhg",
    ] {
        let now = recording::canonical_column(c);
        assert!(header.contains(&now), "{c} -> {now}");
    }
    assert_eq!(recording::canonical_column("p_la_mmhg"), "p_la_mmhg");
    // Written with the schema's decimals, as run --csv writes them.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(WaveSample {
        t_s: 5.939_500_000_000_001,
        arch_mmhg: 81.234_56,
        ..WaveSample::default()
    })
    .unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.starts_with("5.9395,81.235,"), "{row}");
}

#[test]
fn a_state_row_has_one_field_per_column_and_the_engines_values() {
    let mut e = Engine::new(presets::load("cardiogenic-shock").unwrap()).unwrap();
    for _ in 0..2000 {
        e.step();
    }
    let s = e.snapshot();
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.serialize(StateRow {
        snapshot: &s,
        r_wave: true,
    })
    .unwrap();
    let row = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let fields: Vec<&str> = row.trim_end().split(',').collect();
    let header = state_header();
    assert_eq!(fields.len(), header.len());
    let at = |name: &str| fields[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(at("t_s"), format!("{:.4}", s.t_s));
    assert_eq!(
        at("p_lv_mmhg"),
        format!("{:.3}", s.p_mmhg[ecmo_unload::Node::Lv.index()])
    );
    assert_eq!(at("r_wave"), "1");
}
