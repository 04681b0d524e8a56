//! The scenario library: every case loads, plays its whole timeline headless without breaking
//! an invariant, and reaches its documented teaching state at each checkpoint; bad files say
//! where they are wrong.

use ecmo_unload::scenario::{self, LIBRARY, Run, Scenario};

#[test]
fn every_library_scenario_reaches_its_teaching_state() {
    assert!(LIBRARY.len() >= 8);
    for (name, _) in LIBRARY {
        let sc = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !sc.objectives.is_empty() && !sc.instructor_notes.is_empty(),
            "{name}"
        );
        assert!(
            !sc.checkpoints.is_empty(),
            "{name}: a documented teaching state"
        );
        let mut run = Run::start(sc.clone()).unwrap();
        let start = run.engine.body_fluid_ml();
        let mut checkpoints = sc.checkpoints.clone();
        checkpoints.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        for cp in &checkpoints {
            run.advance(cp.at_s - run.engine.t_s()).unwrap();
            let unmet = run.unmet(cp);
            assert!(unmet.is_empty(), "{name} at {} s: {unmet:?}", cp.at_s);
            assert!(
                run.engine
                    .volumes_ml()
                    .iter()
                    .all(|v| *v >= 0.0 && v.is_finite())
            );
        }
        let timed = sc.events.iter().filter(|e| e.at_s.is_some()).count();
        assert!(
            run.fired().len() >= timed,
            "{name}: every timed event fired"
        );
        let drift =
            run.engine.body_fluid_ml() - start - run.engine.summary().unwrap().fluid_given_ml;
        assert!(drift.abs() < 0.01, "{name}: volume drift {drift}");
    }
}

#[test]
fn events_fire_in_time_and_conditions_wait_for_a_settled_patient() {
    let sc = Scenario::load("ami-shock").unwrap();
    let mut run = Run::start(sc).unwrap();
    run.advance(59.0).unwrap();
    assert!(
        run.fired().is_empty(),
        "nothing before 1 min: {:?}",
        run.fired()
    );
    run.advance(2.0).unwrap();
    assert_eq!(run.fired()[0].name, "infarct extension");
    assert!((run.fired()[0].t_s - 60.0).abs() < 0.01);
    run.advance(240.0).unwrap();
    assert!(
        run.fired()
            .iter()
            .any(|f| f.name.starts_with("pressure falls"))
    );
    assert!(run.engine.patient().drugs.norepinephrine_mcg_kg_min > 0.0);
    // The instructor's "next event now" on a fresh run.
    let mut run = Run::start(Scenario::load("inotrope-escalation").unwrap()).unwrap();
    let k = run.next_event().unwrap();
    run.fire(k).unwrap();
    assert_eq!(run.engine.patient().drugs.dobutamine_mcg_kg_min, 5.0);
    assert_eq!(run.next_event(), Some(1));
}

fn error_of(text: &str) -> String {
    Scenario::parse(text, "case.ron").unwrap_err().to_string()
}

#[test]
fn bad_scenarios_name_the_file_line_and_problem() {
    let good = include_str!("../../presets/scenarios/rv-failure.ron");
    let e = error_of(&good.replace("heart.rv.ees_mmhg_per_ml*=0.35", "heart.rv.nope*=0.35"));
    assert!(
        e.starts_with("case.ron:") && e.contains("heart.rv.nope"),
        "{e}"
    );
    let line = good
        .lines()
        .position(|l| l.contains("heart.rv.ees_mmhg_per_ml*="))
        .unwrap()
        + 1;
    assert!(e.starts_with(&format!("case.ron:{line}:")), "{e}");
    let e = error_of(&good.replace("at_s: Some(60.0)", "at_s: Some(-5.0)"));
    assert!(e.contains("at_s -5 is outside 0 to 2592000 s"), "{e}");
    let e = error_of(&good.replace("at_s: Some(60.0)", "at_s: Some(1e300)"));
    assert!(e.contains("at_s 1e300 is outside"), "{e}");
    let text = good.replace("at_s: 300.0", "at_s: 1e300");
    let e = error_of(&text);
    let line = line_of(&text, "at_s: 1e300", 1);
    assert!(
        e.starts_with(&format!("case.ron:{line}:")) && e.contains("checkpoint 1: at_s 1e300"),
        "{e}"
    );
    let e = error_of(&good.replace("\"cvp_mmhg > 14\"", "\"cvp_mm > 14\""));
    assert!(e.contains("unknown summary key 'cvp_mm'"), "{e}");
    let e = error_of(&good.replace("title:", "titel:"));
    assert!(e.starts_with("case.ron:2:"), "{e}");
    let two = good.replace(
        "events: [",
        "events: [\n        (name: \"late\", at_s: Some(200.0), actions: [\"rhythm.rate_bpm=90\"]),",
    );
    let e = error_of(&two);
    assert!(e.contains("'RV infarction' at 60 s is in the past"), "{e}");
    assert!(
        Scenario::load("no-such-case")
            .unwrap_err()
            .to_string()
            .contains("ami-shock")
    );
    assert!(scenario::Condition::parse("map_mmhg << 3").is_err());
}

/// The line of the first line of `text` holding `needle` at or after line `from` (1-based).
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from - 1)
        .find(|(_, l)| l.contains(needle))
        .unwrap()
        .0
        + 1
}

#[test]
fn an_error_is_located_where_it_is_even_when_its_text_occurs_before() {
    let good = include_str!("../../presets/scenarios/rv-failure.ron");
    // The second of two start settings is out of range.
    let text = good.replace(
        "set: [\"heart.lv.ees_mmhg_per_ml=1.2\"],",
        "set: [\n        \"heart.lv.ees_mmhg_per_ml=1.2\",\n        \"heart.lv.ees_mmhg_per_ml=1e9\",\n    ],",
    );
    let e = error_of(&text);
    let line = line_of(&text, "=1e9", 1);
    assert!(e.starts_with(&format!("case.ron:{line}:")), "{e}");
    // Two events of one name, the second one in the past, and the same action in both.
    let text = good.replace(
        "hidden: true),",
        "hidden: true),\n        (name: \"RV infarction\", at_s: Some(30.0), actions: [\"heart.rv.ees_mmhg_per_ml*=0.35\"]),",
    );
    let e = error_of(&text);
    let first = line_of(&text, "\"RV infarction\"", 1);
    let second = line_of(&text, "\"RV infarction\"", first + 1);
    assert!(e.contains("in the past"), "{e}");
    assert!(e.starts_with(&format!("case.ron:{second}:")), "{e}");
    // An action repeated: the second event's copy is the one that fails (its factor scales a
    // key the first one left alone... here: an unknown key in the second event only).
    let text = good.replace(
        "hidden: true),",
        "hidden: true),\n        (name: \"again\", at_s: Some(90.0), actions: [\"rhythm.rate_bpm=80\", \"heart.rv.ees_mmhg_per_ml*=x\"]),",
    );
    let e = error_of(&text);
    let line = line_of(&text, "*=x", 1);
    assert!(e.starts_with(&format!("case.ron:{line}:")), "{e}");
    // A checkpoint expectation: the second checkpoint's copy of a key the first one spells right.
    let text = good.replace(
        "note: \"a failing right ventricle\"),",
        "note: \"a failing right ventricle\"),\n        (at_s: 400.0, expect: [\"cvp_mmhg > 14\", \"ci_l_min_m3 < 2.2\"]),",
    );
    let e = error_of(&text);
    let line = line_of(&text, "ci_l_min_m3", 1);
    assert!(e.starts_with(&format!("case.ron:{line}:")), "{e}");
}

#[test]
fn comments_and_notes_that_mention_a_field_do_not_move_an_error() {
    let text = "(\n    title: \"T\", preset: \"cardiogenic-shock\",\n    objectives: [], instructor_notes: \"\", checkpoints: [\n      // (at_s: 1.0, expect: []),\n      /* (at_s: 1.0, expect: []), */\n      (at_s: 1.0, expect: [], note: \"then (at_s: 2.0)\"),\n      (expect: [], note: \"at_s: 9\", at_s: -1.0),\n    ],\n)\n";
    let e = error_of(text);
    assert!(e.starts_with("case.ron:7:37:"), "{e}");
    assert!(e.contains("checkpoint 2"), "{e}");
    // Strings with escapes are matched by their value; columns count characters.
    let text = "(\n    title: \"T\", preset: \"cardiogenic-shock\",\n    set: [\"rhythm.rate_bpm=\\u{38}0\", /* é é */ \"rhythm.rate_bpm=999\"],\n    events: [\n        (name: \"\\u{61}\", at_s: Some(1.0), actions: []),\n        (name: \"a\", at_s: Some(-1.0), actions: []),\n    ],\n)\n";
    let e = error_of(text);
    assert!(e.starts_with("case.ron:3:48:"), "{e}");
    let e = error_of(&text.replace("999", "90"));
    assert!(e.starts_with("case.ron:6:16:"), "{e}");
}

#[test]
fn a_timeline_of_twenty_thousand_events_plays_every_one_at_its_step() {
    use ecmo_unload::scenario::TimelineEvent;
    const N: usize = 20_000;
    const SPACING_S: f64 = 0.005;
    let mut sc = Scenario::load("rv-failure").unwrap();
    sc.checkpoints.clear();
    sc.events = (0..N)
        .map(|k| TimelineEvent {
            name: format!("rate {k}"),
            at_s: Some(1.0 + k as f64 * SPACING_S),
            when: None,
            actions: vec![format!("rhythm.rate_bpm={}", 70 + k % 20)],
            hidden: false,
        })
        .chain((0..50).map(|k| TimelineEvent {
            name: format!("settled {k}"),
            at_s: None,
            when: Some("map_mmhg > 1".into()),
            actions: vec![],
            hidden: false,
        }))
        .collect();
    let mut run = Run::start(sc).unwrap();
    let dt = run.engine.dt_s();
    let end_s = 1.0 + N as f64 * SPACING_S + 35.0;
    run.advance(end_s).unwrap();
    let fired = run.fired();
    assert_eq!(fired.len(), N + 50, "every event fired once");
    let (timed, conditional): (Vec<_>, Vec<_>) =
        fired.iter().partition(|f| f.name.starts_with("rate "));
    assert_eq!(timed.len(), N);
    for (k, f) in timed.iter().enumerate() {
        assert_eq!(f.name, format!("rate {k}"), "in time order");
        let due = 1.0 + k as f64 * SPACING_S;
        assert!(
            f.t_s >= due - 1e-9 && f.t_s < due + dt + 1e-9,
            "{} fired at {} for {due}",
            f.name,
            f.t_s
        );
    }
    // Conditions wait for a settled patient, then all hold together.
    assert!(
        conditional
            .iter()
            .all(|f| f.t_s >= scenario::CONDITIONS_FROM_S)
    );
    assert_eq!(
        run.engine.patient().rhythm.rate_bpm,
        (70 + (N - 1) % 20) as f64
    );
}

#[test]
fn the_library_page_names_every_case_and_its_checkpoints() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIOS.md")).unwrap();
    for (name, _) in LIBRARY {
        let row = page
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("docs/SCENARIOS.md has no row for {name}"));
        let sc = Scenario::load(name).unwrap();
        assert!(row.contains(&sc.title), "{name}: title");
        for cp in &sc.checkpoints {
            for x in &cp.expect {
                assert!(
                    row.contains(x.as_str()),
                    "{name}: '{x}' missing from its row"
                );
            }
        }
    }
}
