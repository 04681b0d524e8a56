//! The dashboard driven as a user drives it: widgets found by their accessible labels, values
//! set, frames run. Headless backend: no thread, no clock, the engine advances per frame.
#![cfg(feature = "gui")]

use ecmo_unload::app::Dashboard;
use ecmo_unload::{Engine, presets};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness(preset: &str) -> Harness<'static, Dashboard> {
    harness_for(presets::load(preset).unwrap())
}

fn harness_for(patient: ecmo_unload::Patient) -> Harness<'static, Dashboard> {
    let engine = Engine::new(patient).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(
            |ui, app: &mut Dashboard| {
                app.poll(ui.ctx());
                app.dashboard_ui(ui);
            },
            Dashboard::headless(engine),
        )
}

#[test]
fn shows_the_disclaimer_and_live_numbers() {
    let mut h = harness("cardiogenic-shock");
    h.run_steps(240); // 4 s of simulation
    h.get_by_label_contains("not a medical device");
    assert!(h.state().beats().len() >= 3, "beats reach the view");
    h.get_by_label("PCWP");
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
    h.get_by_label("ECMO");
    h.get_by_label("Total flow");
    h.get_by_label("IABP").click();
    h.run_steps(300);
    assert!(h.state().patient().iabp.enabled);
    h.get_by_label("1:2").click();
    h.run_steps(60);
    assert_eq!(h.state().patient().iabp.ratio, 2);
    h.get_by_label("IABP aug");
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
    h.get_by_label("Milrinone load 50 mcg/kg").click();
    h.run_steps(120);
    assert!(h.state().status().unwrap().drug_effects[1] > 0.05);
    // The oxygen and lung tiles are there.
    h.get_by_label("SpO2 upper");
    h.get_by_label("SvO2");
    h.get_by_label_contains("EVLWI");
    h.get_by_label_contains("Lungs:");
}
