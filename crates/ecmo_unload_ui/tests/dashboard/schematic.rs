//! The circulation schematic (Circulation tab): its teaching states as pixel snapshots, and its
//! chambers and devices as buttons that open their indicator or console. Snapshots render with
//! wgpu (on the CPU through lavapipe here); `UPDATE_SNAPSHOTS=1 cargo test --test schematic`
//! rewrites them after an intended change of the picture.

use crate::common;

use ecmo_unload::oxygen::MixingZone;
use ecmo_unload::scenario::Scenario;
use ecmo_unload::{Engine, Patient, presets, settings};
use ecmo_unload_ui::sim::Command;
use ecmo_unload_ui::{Dashboard, Tab};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Frames run after a jump: the waveforms, beats and animation fill in (2 s).
const SETTLE_FRAMES: usize = 120;

fn circulation(patient: Patient) -> Harness<'static, Dashboard> {
    let mut app = Dashboard::headless(Engine::new(patient).unwrap());
    app.set_tab(Tab::Circulation);
    common::harness(app, 1280.0, 800.0)
}

fn preset(name: &str, sets: &[&str]) -> Harness<'static, Dashboard> {
    circulation(settings::apply_all(&presets::load(name).unwrap(), sets).unwrap())
}

/// A library scenario played headless to `seconds`.
fn scenario(name: &str, seconds: f64) -> Harness<'static, Dashboard> {
    let mut h = preset("healthy", &[]);
    let sc = Scenario::load(name).unwrap();
    h.state_mut().command(Command::LoadScenario(Box::new(sc)));
    h.run_steps(2);
    jump(&mut h, seconds);
    h
}

fn jump(h: &mut Harness<'static, Dashboard>, seconds: f64) {
    h.state_mut().command(Command::JumpAhead(seconds));
    h.run_steps(SETTLE_FRAMES);
}

fn shut_beats(h: &Harness<'static, Dashboard>) -> usize {
    ecmo_unload::alarms::av_shut_beats(h.state().beats().iter())
}

#[test]
fn healthy() {
    let mut h = preset("healthy", &[]);
    jump(&mut h, 20.0);
    assert_eq!(shut_beats(&h), 0, "a healthy LV ejects every beat");
    h.get_by_label("Circulation schematic");
    h.snapshot("circulation_healthy");
}

#[test]
fn shock_on_ecmo_with_a_closed_aortic_valve() {
    let mut h = scenario("myocarditis-stone-heart", 900.0);
    assert!(
        shut_beats(&h) >= ecmo_unload::alarms::AV_CLOSED_BEATS,
        "the stone heart has stopped ejecting: the stagnation warning shows"
    );
    h.get_by_label("ECMO circuit");
    h.snapshot("circulation_stone_heart_on_ecmo");
}

#[test]
fn north_south_syndrome() {
    let mut h = scenario("north-south", 600.0);
    let status = h.state().status().cloned().unwrap();
    assert_eq!(
        status.mixing_zone,
        Some(MixingZone::Descending),
        "the native output reaches past the arch: the colours meet in the descending aorta"
    );
    h.snapshot("circulation_north_south");
}

#[test]
fn iabp_one_to_two() {
    let mut h = preset("cardiogenic-shock", &["iabp.enabled=true", "iabp.ratio=2"]);
    jump(&mut h, 30.0);
    h.get_by_label("Intra-aortic balloon");
    h.snapshot("circulation_iabp_1_2");
}

#[test]
fn a_click_opens_the_chamber_indicator_or_the_device_console() {
    let mut h = preset(
        "cardiogenic-shock",
        &[
            "ecmo.enabled=true",
            "ecmo.mode=flow",
            "impella.enabled=true",
        ],
    );
    h.run_steps(120);
    assert!(
        h.query_by_label("LV pressure-volume loop").is_none(),
        "no PV loop until the LV is opened"
    );
    h.get_by_label("Left ventricle").click();
    h.run_steps(2);
    h.get_by_label("LV pressure-volume loop");
    h.get_by_label_contains("Aortic valve opened in");

    // A device opens its console: the same controls as the support panel, and they act.
    let in_panel = h.query_all_by_label("ECMO flow target").count();
    assert!(in_panel > 0);
    h.get_by_label("ECMO circuit").click();
    h.run_steps(2);
    assert_eq!(
        h.query_all_by_label("ECMO flow target").count(),
        2 * in_panel,
        "the console beside the schematic and the support panel's"
    );
    let in_panel = h.query_all_by_label("Impella P-level").count();
    h.get_by_label("Impella pump").click();
    h.run_steps(2);
    assert_eq!(
        h.query_all_by_label("Impella P-level").count(),
        2 * in_panel
    );
    // The card is drawn after the side panels: its slider is the last.
    h.query_all_by_label("Impella P-level")
        .last()
        .unwrap()
        .set_value_accesskit(8.0);
    h.run_steps(30);
    assert_eq!(h.state().patient().impella.p_level, 8.0);

    h.get_by_label("Right lung").click();
    h.run_steps(2);
    h.get_by_label_contains("Oedema risk");
    h.get_by_label("Close").click();
    h.run_steps(2);
    h.get_by_label("Where the blood goes");
}

#[test]
fn devices_appear_on_the_schematic_only_when_on() {
    let mut h = preset("cardiogenic-shock", &[]);
    h.run_steps(30);
    for device in [
        "ECMO circuit",
        "Impella pump",
        "Intra-aortic balloon",
        "Septal defect",
    ] {
        assert!(
            h.query_by_label(device).is_none(),
            "{device} drawn while off"
        );
    }
    h.get_by_label("Right atrium");
    h.get_by_label("Right ventricle");
    h.get_by_label("Left atrium");
    h.get_by_label("Left ventricle");
    h.get_by_label("IABP").click();
    h.run_steps(10);
    h.get_by_label("Intra-aortic balloon");
}
