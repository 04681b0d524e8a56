//! The dashboard driven as a user drives it: widgets found by their accessible labels, values
//! set, frames run. Headless backend: no thread, no clock, the engine advances per frame.

use crate::common;

use ecmo_unload::patient::RhythmKind;
use ecmo_unload::{Engine, presets};
use ecmo_unload_ui::Dashboard;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness(preset: &str) -> Harness<'static, Dashboard> {
    harness_for(presets::load(preset).unwrap())
}

fn harness_for(patient: ecmo_unload::Patient) -> Harness<'static, Dashboard> {
    let app = Dashboard::headless(Engine::new(patient).unwrap());
    common::harness(app, 1600.0, 1000.0)
}

#[test]
fn shows_the_disclaimer_and_live_numbers() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(240); // 4 s of simulation
    h.get_by_label_contains("not a medical device");
    assert!(h.state().beats().len() >= 3, "beats reach the view");
    tile(&h, "PCWP");
    h.get_by_label("LV pressure-volume loop");
}

#[test]
fn a_slider_change_reaches_the_engine() {
    // Without the baroreflex, so the beats show exactly the rate that was set.
    let mut p = presets::load("healthy").unwrap();
    p.reflex.baroreflex = false;
    let mut h = harness_for(p);
    h.run_steps(60);
    h.get_by_label("Heart rate").set_value_accesskit(100.0);
    h.run_steps(300);
    assert_eq!(h.state().patient().rhythm.rate_bpm, 100.0);
    let last = h.state().beats().back().copied().unwrap();
    assert!(
        (last.hr_bpm - 100.0).abs() < 0.5,
        "the beats follow: {}",
        last.hr_bpm
    );
}

#[test]
fn pause_stops_the_simulation() {
    let mut h = harness("healthy");
    h.run_steps(120);
    h.get_by_label("Pause").click();
    h.run_steps(5);
    let n = h.state().beats().back().map(|b| b.t_start_s);
    h.run_steps(120);
    assert_eq!(
        h.state().beats().back().map(|b| b.t_start_s),
        n,
        "no new beats while paused"
    );
    h.get_by_label("Run").click();
    h.run_steps(120);
    assert_ne!(h.state().beats().back().map(|b| b.t_start_s), n);
}

#[test]
fn device_consoles_switch_devices_on_and_show_their_flows() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(30);
    h.get_by_label("VA ECMO").click();
    h.run_steps(600); // 10 s
    assert!(h.state().patient().ecmo.enabled);
    let last = h.state().beats().back().copied().unwrap();
    assert!(
        last.ecmo_flow_l_min > 2.0,
        "ECMO flow {}",
        last.ecmo_flow_l_min
    );
    tile(&h, "ECMO");
    tile(&h, "Total flow");
    h.get_by_label("IABP").click();
    h.run_steps(300);
    assert!(h.state().patient().iabp.enabled);
    h.get_by_label("1:2").click();
    h.run_steps(60);
    assert_eq!(h.state().patient().iabp.ratio, 2);
    // The five console readings, on the IABP console.
    for reading in [
        "IABP aug",
        "AEDP",
        "UAEDP",
        "Assisted sys",
        "Unassisted sys",
    ] {
        assert_eq!(
            h.get_all_by_label(reading).count(),
            1,
            "{reading} on the console"
        );
    }
    // Every trigger a console offers; the internal one brings its rate.
    for trigger in [
        "ECG trigger",
        "Pressure trigger",
        "Pacer trigger",
        "AF trigger",
    ] {
        h.get_by_label(trigger);
    }
    h.get_by_label("Internal trigger").click();
    h.run_steps(30);
    assert_eq!(
        h.state().patient().iabp.trigger,
        ecmo_unload::iabp::Trigger::Internal
    );
    h.get_by_label("Internal rate");
}

#[test]
fn the_rhythm_buttons_fibrillate_the_heart() {
    let mut h = harness("healthy");
    h.run_steps(120);
    h.get_by_label("VF").click();
    h.run_steps(300); // 5 s: the monitor closes 1-s windows without beats
    assert_eq!(
        h.state().patient().rhythm.kind,
        ecmo_unload::patient::RhythmKind::Vf
    );
    assert_eq!(h.state().beats().back().unwrap().hr_bpm, 0.0);
}

/// Issue 15: every rhythm has its button, CPR its switch and sliders, the atrial rate its slider
/// while the atria beat on their own, and a stone heart on ECMO shows no SpO2 (no pulse to read)
/// while the cardiac-arrest alarm leads.
#[test]
fn rhythms_cpr_and_a_pleth_without_a_pulse() {
    let p = presets::load("cardiogenic-shock").unwrap();
    let p = ecmo_unload::settings::apply_all(
        &p,
        &[
            "ecmo.enabled=true",
            "ecmo.mode=flow",
            "ecmo.flow_target_l_min=4",
            "rhythm.kind=asystole",
        ],
    )
    .unwrap();
    let mut h = harness_for(p);
    h.get_by_label("x5").click();
    h.run_steps(480); // 40 s: alarms wait 30 s for the circulation to settle
    assert!(
        h.query_all_by_label_contains("--- %").count() >= 2,
        "SpO2 tiles should read ---"
    );
    h.get_by_label("Acknowledge Cardiac arrest");
    assert!(h.query_by_label("Atrial rate (AV dissociation)").is_none());
    h.get_by_label("CPR (chest compressions)").click();
    h.run_steps(10);
    assert!(h.state().patient().cpr.enabled);
    h.get_by_label("Compression depth")
        .set_value_accesskit(30.0);
    h.run_steps(10);
    assert_eq!(h.state().patient().cpr.depth_mm, 30.0);
    for (label, kind) in [
        ("Paced VVI", RhythmKind::Paced),
        ("Paced DDD", RhythmKind::PacedAv),
        ("AF", RhythmKind::Af),
        ("VT", RhythmKind::Vt),
        ("Sinus", RhythmKind::Sinus),
    ] {
        h.get_by_label(label).click();
        h.run_steps(10);
        assert_eq!(h.state().patient().rhythm.kind, kind, "{label}");
        let dissociated = matches!(kind, RhythmKind::Paced | RhythmKind::Vt);
        assert_eq!(
            h.query_by_label("Atrial rate (AV dissociation)").is_some(),
            dissociated,
            "{label}"
        );
    }
}

#[test]
fn the_drugs_panel_starts_infusions_and_shows_their_effect() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(30);
    h.get_by_label("Dobutamine").set_value_accesskit(10.0);
    h.get_by_label("x60").click();
    h.run_steps(300); // 5 simulated minutes
    assert_eq!(h.state().patient().drugs.dobutamine_mcg_kg_min, 10.0);
    let effect = h.state().status().unwrap().drug_effects[0];
    assert!(effect > 0.4, "dobutamine effect {effect}");
    h.get_by_label_contains("Dobutamine effect");
    // At the foot of the patient panel: scrolled into view first, as a user scrolls.
    h.get_by_label("Milrinone load 50 mcg/kg").scroll_to_me();
    h.run_steps(30);
    h.get_by_label("Milrinone load 50 mcg/kg").click();
    h.run_steps(120);
    assert!(h.state().status().unwrap().drug_effects[1] > 0.05);
    // The oxygen and lung tiles are there.
    h.get_by_label_contains("SpO2 upper ");
    h.get_by_label_contains("SvO2 ");
    assert!(h.query_all_by_label_contains("EVLWI").count() >= 1);
    h.get_by_label_contains("Lungs:");
}

#[test]
fn jump_ahead_fills_the_trends_and_the_log_records_it() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(30);
    h.get_by_label("+10 min").click();
    h.run_steps(10);
    let t = h.state().t_s();
    assert!(t > 600.0, "t = {t}");
    // One trend point per 5 s of the jump, none lost.
    let n = h.state().trends().len();
    assert!((115..=125).contains(&n), "{n} trend points");
    let last = h.state().event_log().entries().last().unwrap().clone();
    assert!(
        last.text.contains("jumped ahead 10 min")
            || h.state()
                .event_log()
                .entries()
                .any(|e| e.text.contains("jumped ahead 10 min"))
    );
    h.get_by_label("Trends").click();
    h.run_steps(5);
    h.get_by_label("Event log").click();
    h.run_steps(5);
    h.get_by_label_contains("jumped ahead 10 min");
}

#[test]
fn the_screen_shows_the_alarms_the_run_summary_reports() {
    let mut h = harness("cardiogenic-shock");
    h.get_by_label("x5").click();
    // The dashboard holds its alarms for the first 30 s (a circulation starting from rest).
    h.run_steps(400);
    for _ in 0..4 {
        h.run_steps(200);
        let engine = h.state().checkpoint().expect("a checkpoint each frame");
        let reported = engine.summary().expect("beats by now").alarms;
        assert!(!reported.is_empty(), "the shock patient alarms");
        assert_eq!(
            h.state().active_alarms(),
            reported,
            "at {:.0} s",
            engine.t_s()
        );
    }
}

#[test]
fn alarms_fire_explain_and_can_be_acknowledged_and_silenced() {
    let mut h = harness("cardiogenic-shock");
    // Alarms wait for the first 30 simulated seconds (the model starts from rest).
    h.get_by_label("x5").click();
    h.run_steps(600);
    let active = h.state().active_alarms();
    assert!(
        active.contains(&ecmo_unload::alarms::Alarm::HighPcwp),
        "{active:?}"
    );
    h.get_by_label_contains("pushes water into the lungs");
    h.get_by_label("Acknowledge PCWP high").click();
    h.run_steps(5);
    assert!(h.query_by_label("Acknowledge PCWP high").is_none());
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.source == "alarm" && e.text.starts_with("PCWP high"))
    );
    h.get_by_label(ecmo_unload_ui::alarm_view::SILENCE_LABEL)
        .click();
    h.run_steps(5);
    h.get_by_label_contains("sound paused");
    // Silence pauses the sound only: the alarm stays listed with its reading.
    h.get_by_label_contains("* PCWP high");
}

#[test]
fn the_unloading_screen_shows_the_lv_and_the_lungs() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(120);
    h.get_by_label("Unloading").click();
    h.run_steps(5);
    h.get_by_label("Aortic valve, beat by beat:");
    h.get_by_label("Lung water (EVLWI)");
    h.get_by_label("Coronary perfusion");
}

#[test]
fn a_failed_simulation_says_so_and_restarts_from_its_last_state() {
    let mut h = harness("healthy");
    h.run_steps(120);
    let before = h.state().t_s();
    h.state_mut().command(ecmo_unload_ui::sim::Command::Crash);
    h.run_steps(5);
    assert!(h.state().failure().is_some());
    h.get_by_label_contains("The simulation stopped");
    let t = h.state().t_s();
    h.run_steps(30);
    assert_eq!(h.state().t_s(), t, "stopped means stopped");
    h.get_by_label_contains("Restart from the last state")
        .click();
    h.run_steps(60);
    assert!(h.state().failure().is_none());
    assert!(
        h.state().t_s() > before,
        "resumed from where it was, not from 0"
    );
}

#[test]
fn a_recording_is_readable_while_it_runs() {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-rec-{}", std::process::id()));
    let mut h = harness("healthy");
    h.state_mut().start_recording(&dir);
    h.run_steps(120); // 2 s
    h.get_by_label("Heart rate").set_value_accesskit(90.0);
    h.run_steps(60);
    // Not stopped: what is on disk is already complete rows (a crash loses < 1 frame).
    let waves = std::fs::read_to_string(dir.join("waves.csv")).unwrap();
    let rows: Vec<&str> = waves.lines().collect();
    assert!(rows[0].starts_with("t_s,p_arch_mmhg"));
    assert!(rows.len() > 400, "{} wave rows", rows.len());
    let width = rows[0].split(',').count();
    assert!(rows.iter().all(|r| r.split(',').count() == width));
    let beats = std::fs::read_to_string(dir.join("beats.csv")).unwrap();
    assert!(beats.lines().count() >= 2 && beats.contains("map_mmhg"));
    let events = std::fs::read_to_string(dir.join("events.csv")).unwrap();
    assert!(events.contains("set rhythm.rate_bpm = 90"), "{events}");
    h.state_mut().stop_recording();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn presets_save_and_open_from_the_top_bar() {
    let path = std::env::temp_dir().join(format!("ecmo-unload-{}.ron", std::process::id()));
    let mut h = harness("healthy");
    h.run_steps(30);
    h.get_by_label("Dobutamine").set_value_accesskit(5.0);
    h.run_steps(5);
    let field = h.get_by_role(egui::accesskit::Role::TextInput);
    field.click();
    h.run_steps(2);
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text(path.to_str().unwrap());
    h.run_steps(2);
    h.get_by_label("Save").click();
    h.run_steps(2);
    let saved = ecmo_unload::presets::load(path.to_str().unwrap()).unwrap();
    assert_eq!(saved.drugs.dobutamine_mcg_kg_min, 5.0);
    h.get_by_label("Open").click();
    h.run_steps(10);
    assert_eq!(h.state().patient().drugs.dobutamine_mcg_kg_min, 5.0);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn ecmo_speed_and_iabp_timing_sliders_reach_the_engine_and_move_the_numbers() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(30);
    h.get_by_label("VA ECMO").click();
    h.run_steps(2);
    h.get_by_label("IABP").click();
    h.run_steps(300);
    assert!(h.state().patient().iabp.enabled);
    let before = *h.state().beats().back().unwrap();
    h.get_by_label("ECMO pump speed")
        .set_value_accesskit(3800.0);
    h.run_steps(600);
    assert_eq!(h.state().patient().ecmo.rpm, 3800.0);
    let faster = *h.state().beats().back().unwrap();
    assert!(
        faster.ecmo_flow_l_min > before.ecmo_flow_l_min + 0.3,
        "{} -> {}",
        before.ecmo_flow_l_min,
        faster.ecmo_flow_l_min
    );
    // Early inflation: the balloon meets the ejecting ventricle.
    h.get_by_label("Inflation timing")
        .set_value_accesskit(-150.0);
    h.run_steps(300);
    assert_eq!(h.state().patient().iabp.inflate_offset_ms, -150.0);
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.text == "set iabp.inflate_offset_ms = -150")
    );
}

#[test]
fn a_preset_from_the_menu_restarts_the_patient() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(120);
    h.get_by_label("Preset").click();
    h.run_steps(2);
    h.get_by_label("healthy").click();
    h.run_steps(120);
    assert_eq!(h.state().patient().name, "healthy");
    assert!(h.state().t_s() < 3.0, "started again from t = 0");
}

#[test]
fn a_malformed_preset_file_shows_a_dialog_and_keeps_the_session() {
    let path = std::env::temp_dir().join(format!("ecmo-unload-bad-{}.ron", std::process::id()));
    let good = ecmo_unload::presets::to_ron(&presets::load("healthy").unwrap());
    std::fs::write(
        &path,
        good.replace("weight_kg: 70.0", "weight_kg: \"heavy\""),
    )
    .unwrap();
    let mut h = harness("cardiogenic-shock");
    h.run_steps(60);
    let t = h.state().t_s();
    h.get_by_role(egui::accesskit::Role::TextInput).click();
    h.run_steps(2);
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text(path.to_str().unwrap());
    h.run_steps(2);
    h.get_by_label("Open").click();
    h.run_steps(30);
    let err = h.state().file_error().unwrap().to_string();
    assert!(
        err.contains(path.to_str().unwrap()) && err.contains("weight_kg"),
        "{err}"
    );
    h.get_by_label_contains("weight_kg");
    assert_eq!(
        h.state().patient().name,
        "cardiogenic-shock",
        "session kept"
    );
    assert!(h.state().t_s() > t, "and still running");
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(h.state().file_error().is_none());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn the_what_if_tab_forecasts_strategies_side_by_side() {
    let mut p = presets::load("cardiogenic-shock").unwrap();
    p.ecmo.enabled = true;
    let mut h = harness_for(p);
    h.get_by_label("x10").click();
    h.run_steps(300);
    h.get_by_label("What-if").click();
    h.run_steps(2);
    h.get_by_label("+ LV vent").click();
    h.run_steps(2);
    h.get_by_label("Forecast").click();
    h.run_steps(5);
    let results = h.state().forecasts().unwrap().as_ref().unwrap();
    let names: Vec<&str> = results.iter().map(|f| f.strategy.as_str()).collect();
    assert_eq!(
        names,
        [
            "now",
            "ECMO flow -1 L/min",
            "+ IABP 1:1",
            "+ Impella CP P6",
            "+ dobutamine 5",
            "+ septostomy 8 mm",
            "+ LV vent"
        ]
    );
    let now = &results[0];
    let vent = &results[6];
    assert!(vent.summary.beat.pcwp_mmhg < now.summary.beat.pcwp_mmhg);
    // The checkbox, the table row and the two plots' legends.
    assert!(h.query_all_by_label("+ Impella CP P6").count() >= 3);
    // The notice and the considerations, both saying they are model output.
    assert_eq!(h.query_all_by_label_contains("not orders").count(), 2);
    h.get_by_label_contains("the model predicts PCWP");
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.text.starts_with("forecast: now, ECMO flow -1 L/min"))
    );
}

#[test]
fn a_virtual_cohort_runs_from_the_what_if_tab() {
    let mut p = presets::load("cardiogenic-shock").unwrap();
    p.ecmo.enabled = true;
    let mut h = harness_for(p);
    h.run_steps(300);
    h.get_by_label("What-if").click();
    h.run_steps(2);
    for strategy in ["ECMO flow -1 L/min", "+ dobutamine 5", "+ septostomy 8 mm"] {
        h.get_by_label(strategy).click();
    }
    h.run_steps(2);
    h.get_by_label("Virtual cohort (40 patients)").click();
    h.run_steps(5);
    let outcomes = h.state().cohort().unwrap().as_ref().unwrap();
    assert_eq!(outcomes.len(), 40);
    let names: Vec<&str> = outcomes[0]
        .forecasts
        .iter()
        .map(|f| f.strategy.as_str())
        .collect();
    assert_eq!(names, ["now", "+ IABP 1:1", "+ Impella CP P6"]);
    // The Impella unloads most patients more than the balloon does.
    let better = outcomes
        .iter()
        .filter(|o| o.forecasts[2].summary.beat.pcwp_mmhg < o.forecasts[1].summary.beat.pcwp_mmhg)
        .count();
    assert!(better > 30, "{better} of 40");
    h.get_by_label_contains("Virtual cohort: 40 patients");
}

#[test]
fn the_calibrate_tab_fits_and_loads_the_patient() {
    use egui::accesskit::Role;
    let mut h = harness("cardiogenic-shock");
    h.run_steps(60);
    h.get_by_label("Calibrate").click();
    h.run_steps(2);
    for (label, value) in [
        ("MAP (mmHg)", "70"),
        ("PCWP (mmHg)", "26"),
        ("CVP (mmHg)", "12"),
    ] {
        h.get_by_role_and_label(Role::TextInput, label).click();
        h.run_steps(1);
        h.get_by_role_and_label(Role::TextInput, label)
            .type_text(value);
        h.run_steps(1);
    }
    h.get_by_label("Fit to these measurements").click();
    h.run_steps(3);
    h.get_by_label_contains("residual");
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.text.starts_with("fit to map_mmhg = 70"))
    );
    h.get_by_label("Load the fitted patient").click();
    h.run_steps(240);
    assert_eq!(h.state().patient().name, "cardiogenic-shock (fitted)");
    let last = h.state().beats().back().copied().unwrap();
    // Four seconds in from rest: near the fitted state, not yet settled.
    assert!((last.map_mmhg - 70.0).abs() < 15.0, "MAP {}", last.map_mmhg);
    // Loading the fitted patient starts a new session, and a new log with it.
    let log: Vec<String> = h
        .state()
        .event_log()
        .entries()
        .map(|e| e.text.clone())
        .collect();
    assert!(log[0].starts_with("loaded patient"), "{log:?}");
    assert!(!log.iter().any(|t| t.starts_with("fit to")), "{log:?}");
}

#[test]
fn an_instructor_runs_a_scenario_and_the_trainee_sees_no_causes() {
    let mut h = harness("healthy");
    h.run_steps(10);
    h.get_by_label("Scenario").click();
    h.run_steps(2);
    h.get_by_label("rv-failure").click();
    h.run_steps(5);
    assert_eq!(
        h.state().patient().heart.lv.ees_mmhg_per_ml,
        1.2,
        "the case's patient"
    );
    h.get_by_label("RV failure");
    h.get_by_label_contains("An RV infarct at 1 min");
    // The instructor fires the (hidden) event early.
    h.get_by_label("Trigger the next event now").click();
    h.run_steps(5);
    assert!((h.state().patient().heart.rv.ees_mmhg_per_ml - 0.105).abs() < 1e-9);
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.source == "scenario (hidden)" && e.text.starts_with("RV infarction"))
    );
    // The trainee's view: no notes, the cause unnamed.
    h.get_by_label("Trainee view").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("An RV infarct at 1 min")
            .is_none()
    );
    assert!(h.query_by_label("RV infarction").is_none());
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Annotation")
        .click();
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Annotation")
        .type_text("trainee gave fluids");
    h.run_steps(2);
    h.get_by_label("Add to the log").click();
    h.run_steps(2);
    assert!(
        h.state()
            .event_log()
            .entries()
            .any(|e| e.source == "instructor" && e.text.starts_with("trainee gave fluids"))
    );
}

#[test]
fn a_debrief_is_one_self_contained_page_with_the_csvs_beside_it() {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-debrief-{}", std::process::id()));
    let mut h = harness("healthy");
    h.run_steps(5);
    h.get_by_label("Scenario").click();
    h.run_steps(2);
    h.get_by_label("rv-failure").click();
    h.run_steps(5);
    h.get_by_label("+1 min").click();
    h.run_steps(60);
    h.get_by_label("Capture baseline loop").click();
    h.run_steps(2);
    h.state_mut().write_debrief(&dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Debrief: RV failure") && html.contains("not a medical device"));
    assert_eq!(
        html.matches("<figure role=\"img\"").count(),
        6,
        "five trend plots and the PV loops"
    );
    assert_eq!(html.matches("<svg").count(), 6, "inline SVG plots");
    assert!(
        html.contains("LV volume (mL)") && html.contains("minutes"),
        "axes named"
    );
    assert!(html.contains("RV infarction"), "the event log");
    let events = std::fs::read_to_string(dir.join("events.csv")).unwrap();
    assert!(events.contains("started scenario 'RV failure'"));
    let trends = std::fs::read_to_string(dir.join("trends.csv")).unwrap();
    assert!(trends.lines().count() > 10);
    if std::env::var_os("KEEP_DEBRIEF").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_recording_replays_with_scrubbing_even_when_cut_short() {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-replay-{}", std::process::id()));
    let mut h = harness("healthy");
    h.state_mut().start_recording(&dir);
    h.run_steps(120);
    h.get_by_label("Heart rate").set_value_accesskit(100.0);
    h.run_steps(240); // 6 s in all
    h.state_mut().stop_recording();
    // A crash mid-write: the last row torn in half.
    let waves = dir.join("waves.csv");
    let text = std::fs::read_to_string(&waves).unwrap();
    std::fs::write(&waves, &text[..text.len() - 20]).unwrap();
    let mut r = harness("healthy");
    r.state_mut().open_replay(&dir);
    // The recording loads on its own thread while the dashboard keeps drawing.
    for _ in 0..500 {
        r.run_steps(1);
        if r.state().replay().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (rec, t) = r
        .state()
        .replay()
        .unwrap_or_else(|| panic!("not loaded: {:?}", r.state().replay_error()));
    assert!(t > 5.5 && t <= 6.1, "scrubbed to the end: {t}");
    assert!(rec.waves.len() > 1000);
    assert!(
        rec.events
            .iter()
            .any(|(_, _, e)| e == "set rhythm.rate_bpm = 100")
    );
    r.get_by_label("Replay time").set_value_accesskit(1.0);
    r.run_steps(3);
    let (rec, t) = r.state().replay().unwrap();
    assert_eq!(t, 1.0);
    // Before the change, the rate change is not yet in the events shown.
    assert!(
        r.query_by_label_contains("set rhythm.rate_bpm = 100")
            .is_none()
    );
    assert!(!rec.trace("p_arch_mmhg", 1.0).is_empty());
    // Replay reads recordings made before the one schema by their old names.
    let old = dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(
        old.join("waves.csv"),
        "t_s,arch_mmhg,cvp_mmhg,spo2_upper_pct\n0.004,80.5,9.1,98.0\n0.008,81.0,9.2,98.0\n",
    )
    .unwrap();
    let legacy = ecmo_unload_ui::tabs::replay::Recording::load(&old).unwrap();
    assert_eq!(
        legacy.trace("p_ra_mmhg", 0.008),
        vec![[0.004, 9.1], [0.008, 9.2]]
    );
    assert_eq!(legacy.trace("sao2_upper_pct", 0.008).len(), 2);
    assert!(legacy.is_folder && legacy.notice.is_none());
    // A file, not a folder: a foreign row stops the reading, and the replay says where.
    let torn = dir.join("torn.csv");
    std::fs::write(
        &torn,
        "t_s,p_arch_mmhg\n0.004,80\n0.008,81\n1,abc\n0.012,82\n",
    )
    .unwrap();
    let read = ecmo_unload_ui::tabs::replay::Recording::load(&torn).unwrap();
    assert!(!read.is_folder);
    assert_eq!(read.waves.len(), 2);
    assert_eq!(
        read.notice.as_deref(),
        Some("read up to line 4, which is not all finite numbers")
    );
    std::fs::write(&torn, "t_s,p_arch_mmhg\n0.004,80\nhello\n0.008,81\n").unwrap();
    let read = ecmo_unload_ui::tabs::replay::Recording::load(&torn).unwrap();
    assert_eq!(read.waves.len(), 1);
    assert_eq!(
        read.notice.as_deref(),
        Some("read up to line 3, which does not have the header's 2 fields")
    );
    std::fs::write(&torn, "t_s,foo\n0.004,80\n0.008,81\n").unwrap();
    let read = ecmo_unload_ui::tabs::replay::Recording::load(&torn).unwrap();
    assert!(
        read.notice
            .as_deref()
            .unwrap()
            .contains("none of the pressures"),
        "{:?}",
        read.notice
    );
    let foreign = dir.join("foreign.csv");
    std::fs::write(&foreign, "a,b\n1,2\n").unwrap();
    let refused = ecmo_unload_ui::tabs::replay::Recording::load(&foreign).unwrap_err();
    assert!(refused.contains("not t_s"), "{refused}");
    if std::env::var_os("KEEP_REPLAY").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_rv_loop_can_join_the_lv_loop() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(120);
    assert!(h.query_by_label("RV loop").is_some(), "the switch");
    assert_eq!(
        h.query_all_by_label("RV loop").count(),
        1,
        "no loop drawn yet"
    );
    h.get_by_label("RV loop").click();
    h.run_steps(5);
    assert_eq!(
        h.query_all_by_label("RV loop").count(),
        2,
        "the switch and the legend entry"
    );
}

#[test]
fn a_timeline_of_thousands_of_events_and_a_full_log_lay_out_only_their_visible_rows() {
    use ecmo_unload::scenario::{Scenario, TimelineEvent};
    use ecmo_unload_ui::sim::Command;
    const N: usize = 5_000;
    let mut sc = Scenario::load("rv-failure").unwrap();
    sc.events = (0..N)
        .map(|k| TimelineEvent {
            name: format!("step {k}"),
            at_s: Some(0.5 + k as f64 * 0.01),
            when: None,
            actions: vec![format!("rhythm.rate_bpm={}", 70 + k % 10)],
            hidden: false,
        })
        .collect();
    let mut h = harness("healthy");
    h.state_mut().command(Command::LoadScenario(Box::new(sc)));
    h.get_by_label("Scenario").click();
    h.run_steps(3);
    h.get_by_label_contains(&format!("Timeline ({N} events)"));
    let shown = h.query_all_by_label_contains("step ").count();
    assert!((5..200).contains(&shown), "{shown} timeline rows laid out");
    // Every event fires (60 s at x5) and is logged; the log lays out a screenful.
    h.get_by_label("x5").click();
    h.run_steps(700);
    let logged = h
        .state()
        .event_log()
        .entries()
        .filter(|e| e.text.starts_with("step "))
        .count();
    assert_eq!(logged, N, "every event in the log");
    h.get_by_label("Event log").click();
    h.run_steps(3);
    let shown = h.query_all_by_label_contains("step ").count();
    assert!((5..200).contains(&shown), "{shown} log rows laid out");
}

/// A console reads the patient and returns commands; it changes nothing itself (its view is
/// read-only), so the same console can sit in the side panel and on the schematic's card.
#[test]
fn a_console_returns_commands_and_writes_nothing() {
    use ecmo_unload_ui::panels::consoles::{Action, Controls, ecmo_console, iabp_console};
    use ecmo_unload_ui::sim::Command;
    use std::collections::{BTreeMap, VecDeque};
    let patient = ecmo_unload::presets::load("cardiogenic-shock").unwrap();
    let values: BTreeMap<String, f64> = ecmo_unload::settings::leaves(&patient)
        .into_iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
        .collect();
    let beats = VecDeque::new();
    let mut h = egui_kittest::Harness::new_ui_state(
        |ui, asked: &mut Vec<String>| {
            let mut c = Controls::new(&patient, &values, None, &beats);
            ecmo_console(ui, &mut c);
            iabp_console(ui, &mut c);
            for a in c.into_actions() {
                if let Action::Command(Command::Set { key, value }) = a {
                    asked.push(format!("{key}={value}"));
                }
            }
        },
        Vec::new(),
    );
    h.run();
    assert!(h.state().is_empty(), "drawing asks for nothing");
    h.get_by_label("VA ECMO").click();
    h.run();
    h.get_by_label("IABP").click();
    h.run();
    assert_eq!(h.state(), &["ecmo.enabled=true", "iabp.enabled=true"]);
    // The patient is as it was: the simulation, not the console, changes it.
    assert!(!patient.ecmo.enabled && !patient.iabp.enabled);
}

#[test]
fn a_blood_gas_is_drawn_on_request_printed_and_logged() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(120);
    h.get_by_label("Blood gas").click();
    h.run_steps(2);
    h.get_by_label_contains("No sample yet");
    assert!(
        h.state().blood_gases_taken().is_empty(),
        "drawn only when asked"
    );
    h.get_by_label("Take a blood gas").click();
    h.run_steps(2);
    let taken = h.state().blood_gases_taken().to_vec();
    assert_eq!(taken.len(), 1);
    // The printout: its heading, the sites and the analytes.
    h.get_by_label_contains("BLOOD GAS ANALYSIS");
    h.get_by_label_contains("Sampled at 0:00:02");
    h.get_by_label_contains("Arterial, right radial, flagged");
    h.get_by_label_contains("Lactate (mmol/L)");
    // Without ECMO the circuit ports are not drawn, and the printout says so.
    assert!(taken[0].post_oxygenator.is_none());
    h.get_by_label_contains("ECMO post-oxygenator  (no ECMO running: not drawn)");
    let entry = h.state().event_log().entries().last().unwrap().clone();
    assert!(
        entry.text.starts_with("blood gas taken: right radial pH"),
        "{}",
        entry.text
    );
    assert_eq!(entry.sim_s, taken[0].t_s);
    // A second sample later is listed and shown.
    h.run_steps(60);
    h.get_by_label("Take a blood gas").click();
    h.run_steps(2);
    assert_eq!(h.state().blood_gases_taken().len(), 2);
    h.get_by_label_contains("Sampled at 0:00:03");
}

/// Asserts a monitor tile named `name` is shown (its label is "NAME VALUE UNIT"; an alarm line
/// may mention the name too).
fn tile(h: &egui_kittest::Harness<'static, ecmo_unload_ui::Dashboard>, name: &str) {
    let prefix = format!("{name} ");
    let quoted = format!("\"{prefix}");
    assert!(
        h.query_all_by_label_contains(&prefix)
            .any(|n| format!("{n:?}").contains(&quoted)),
        "no tile {name}"
    );
}

/// An alarm that begins during a jump ahead keeps the simulated time it began, in the alarm
/// area and in the event log; a new session starts a new log at t = 0.
#[test]
fn alarms_raised_during_a_jump_keep_their_times_and_a_new_session_a_new_log() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(10);
    h.get_by_label("+10 min").click();
    h.run_steps(10);
    assert!(h.state().t_s() > 600.0);
    let alarm_times: Vec<f64> = h
        .state()
        .event_log()
        .entries()
        .filter(|e| e.source == "alarm" && e.text.starts_with("PCWP high"))
        .map(|e| e.sim_s)
        .collect();
    assert!(!alarm_times.is_empty());
    // The congestion alarms begin as soon as alarms may (30 s), not at the jump's end.
    assert!(alarm_times[0] < 40.0, "{alarm_times:?}");
    // Every alarm row in time order, none dated past the jump's end.
    let rows: Vec<f64> = h
        .state()
        .event_log()
        .entries()
        .filter(|e| e.source == "alarm")
        .map(|e| e.sim_s)
        .collect();
    assert!(rows.windows(2).all(|w| w[0] <= w[1]), "{rows:?}");
    assert!(rows.iter().all(|t| *t <= h.state().t_s()), "{rows:?}");
    assert!(h.query_all_by_label_contains("since t = 30 s").count() >= 1);
    h.get_by_label("Preset").click();
    h.run_steps(2);
    h.get_by_label("healthy").click();
    h.run_steps(5);
    let log: Vec<(f64, String)> = h
        .state()
        .event_log()
        .entries()
        .map(|e| (e.sim_s, e.text.clone()))
        .collect();
    assert!(log[0].1.starts_with("loaded patient 'healthy'"), "{log:?}");
    assert!(log.iter().all(|(t, _)| *t < 60.0), "{log:?}");
}

/// A library case chosen while another runs waits for the instructor's word.
#[test]
fn a_running_case_is_not_replaced_without_asking() {
    let mut h = harness("healthy");
    h.run_steps(5);
    h.get_by_label("Scenario").click();
    h.run_steps(2);
    h.get_by_label("rv-failure").click();
    h.run_steps(5);
    h.get_by_label("RV failure");
    h.get_by_label("north-south").click();
    h.run_steps(3);
    h.get_by_label_contains("Start 'north-south' from t = 0?");
    h.get_by_label("Keep the running case").click();
    h.run_steps(3);
    h.get_by_label("RV failure");
    h.get_by_label("north-south").click();
    h.run_steps(3);
    h.get_by_label("Start north-south").click();
    h.run_steps(5);
    assert!(h.query_by_label("RV failure").is_none());
}

/// The Monitor tab at 1600x1000 and 1280x800 with ECMO and the IABP on (the most strips): every
/// strip and tile on screen, strips of one height and left edge (aligned in time), and alarms
/// coming never move them.
#[test]
fn the_monitor_tab_fits_at_both_sizes_with_every_strip() {
    for (w, h) in [(1600.0, 1000.0), (1280.0, 800.0)] {
        let p = ecmo_unload::settings::apply_all(
            &presets::load("cardiogenic-shock").unwrap(),
            &["ecmo.enabled=true", "iabp.enabled=true"],
        )
        .unwrap();
        let app = Dashboard::headless(Engine::new(p).unwrap());
        let mut hn = common::harness(app, w, h);
        hn.run_steps(120);
        let strips = [
            "II",
            "ART",
            "LVP",
            "PA",
            "CVP",
            "Pleth",
            "ECMO flow",
            "Balloon",
        ];
        let before: Vec<egui::Rect> = strips.iter().map(|s| hn.get_by_label(s).rect()).collect();
        for (name, r) in strips.iter().zip(&before) {
            assert!(
                r.bottom() <= h + 0.5,
                "{w}x{h}: strip {name} cut off at {r:?}"
            );
            assert!(
                (r.left() - before[0].left()).abs() < 0.5,
                "{w}x{h}: {name} not aligned"
            );
        }
        let gaps: Vec<f32> = before.windows(2).map(|r| r[1].top() - r[0].top()).collect();
        assert!(
            gaps.iter().all(|g| (g - gaps[0]).abs() < 1.0 && *g >= 40.0),
            "{w}x{h}: strips of unequal or unreadable height {gaps:?}"
        );
        // Past 30 s the congestion alarms come; nothing moves.
        hn.get_by_label("x5").click();
        hn.run_steps(480);
        assert!(!hn.state().active_alarms().is_empty());
        let after: Vec<egui::Rect> = strips.iter().map(|s| hn.get_by_label(s).rect()).collect();
        assert_eq!(before, after, "{w}x{h}: the strips moved when alarms came");
    }
}
