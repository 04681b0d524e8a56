//! The bedside alarms on real patients: quiet when all is well, each firing in the situation it
//! describes.

use ecmo_unload::alarms::{Alarm, Priority};
use ecmo_unload::{Engine, presets, settings};

fn alarms_after(preset: &str, sets: &[&str], seconds: f64) -> Vec<Alarm> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let mut e =
        Engine::new(settings::apply_all(&presets::load(preset).unwrap(), &sets).unwrap()).unwrap();
    e.run_for(seconds);
    e.alarms().into_iter().map(|(a, _)| a).collect()
}

#[test]
fn a_healthy_patient_raises_none() {
    assert!(alarms_after("healthy", &[], 60.0).is_empty());
}

#[test]
fn the_shock_patient_is_congested() {
    let a = alarms_after("cardiogenic-shock", &[], 60.0);
    assert!(a.contains(&Alarm::HighPcwp), "{a:?}");
    assert!(a.contains(&Alarm::RisingLungWater), "{a:?}");
    assert!(!a.contains(&Alarm::AorticValveClosed));
}

#[test]
fn a_stone_heart_on_ecmo_alarms_a_closed_valve() {
    let a = alarms_after(
        "cardiogenic-shock",
        &["ecmo.enabled=true", "rhythm.kind=vf"],
        60.0,
    );
    assert!(a.contains(&Alarm::AorticValveClosed), "{a:?}");
    assert!(
        !a.contains(&Alarm::Hypotension),
        "ECMO holds the pressure: {a:?}"
    );
    // Most urgent first.
    let priorities: Vec<Priority> = a.iter().map(|x| x.priority()).collect();
    assert!(priorities.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn hypovolaemia_and_north_south_alarm() {
    let a = alarms_after("healthy", &["blood_volume_ml=3000"], 60.0);
    assert!(a.contains(&Alarm::Hypotension), "{a:?}");
    let a = alarms_after(
        "cardiogenic-shock",
        &[
            "ecmo.enabled=true",
            "lungs.shunt_fraction=0.6",
            "heart.lv.ees_mmhg_per_ml=2.0",
        ],
        300.0,
    );
    assert!(a.contains(&Alarm::UpperBodyDesaturation), "{a:?}");
    assert!(
        Alarm::UpperBodyDesaturation
            .explanation()
            .contains("north-south")
    );
}

#[test]
fn an_overdriven_pump_chatters() {
    let a = alarms_after(
        "cardiogenic-shock",
        &["ecmo.enabled=true", "ecmo.rpm=5000", "blood_volume_ml=4000"],
        60.0,
    );
    assert!(a.contains(&Alarm::EcmoChatter), "{a:?}");
}

/// A beating LV emptied by a pump is not in arrest: its flat pulse is the pump's, and the shut
/// valve is named as such. A stone heart behind the same pump is (PEA), and so is pulseless VT.
#[test]
fn a_contracting_heart_behind_a_pump_is_not_pea_but_a_stone_heart_is() {
    let impella = alarms_after(
        "cardiogenic-shock",
        &[
            "impella.enabled=true",
            "impella.model=5.5",
            "impella.p_level=9",
        ],
        120.0,
    );
    assert!(!impella.contains(&Alarm::CardiacArrest), "{impella:?}");
    assert!(impella.contains(&Alarm::AorticValveClosed), "{impella:?}");
    let high_flow = alarms_after(
        "cardiogenic-shock",
        &["ecmo.enabled=true", "ecmo.rpm=4000"],
        120.0,
    );
    assert!(!high_flow.contains(&Alarm::CardiacArrest), "{high_flow:?}");
    let stone = alarms_after(
        "cardiogenic-shock",
        &[
            "ecmo.enabled=true",
            "ecmo.mode=flow",
            "ecmo.flow_target_l_min=4",
            "heart.lv.ees_mmhg_per_ml=0.2",
        ],
        120.0,
    );
    assert_eq!(stone.first(), Some(&Alarm::CardiacArrest), "{stone:?}");
}

/// Across the whole LV contractility range behind ECMO, the arrest alarm is monotone: once the
/// LV contracts enough not to be in arrest, a stronger LV never is.
#[test]
fn behind_ecmo_a_stronger_lv_is_never_in_arrest_where_a_weaker_one_is_not() {
    let mut was_arrest = true;
    for ees in [0.05, 0.2, 0.3, 0.35, 0.4, 0.6, 1.0, 2.0, 4.0, 6.0] {
        let ees_set = format!("heart.lv.ees_mmhg_per_ml={ees}");
        let alarms = alarms_after(
            "cardiogenic-shock",
            &[
                "ecmo.enabled=true",
                "ecmo.mode=flow",
                "ecmo.flow_target_l_min=4",
                &ees_set,
            ],
            90.0,
        );
        let arrest = alarms.contains(&Alarm::CardiacArrest);
        assert!(
            was_arrest || !arrest,
            "Ees {ees}: arrest after a weaker LV was not"
        );
        was_arrest = arrest;
    }
    assert!(!was_arrest, "the strongest LV is not in arrest");
}

#[test]
fn alarm_limits_are_the_patients_own() {
    use crate::patients::settled;
    use ecmo_unload::alarms::Alarm;
    // The shock patient's MAP of about 72 does not alarm at the usual 65, and does at 75.
    let usual = settled("cardiogenic-shock", &[], 60.0);
    assert!(usual.beat.map_mmhg > 65.0 && usual.beat.map_mmhg < 75.0);
    assert!(!usual.alarms.contains(&Alarm::Hypotension));
    let strict = settled("cardiogenic-shock", &["alarms.map_low_mmhg=75"], 60.0);
    assert!(
        strict.alarms.contains(&Alarm::Hypotension),
        "{:?}",
        strict.alarms
    );
    // A wedge limit raised above the patient's silences its alarm.
    let loose = settled("cardiogenic-shock", &["alarms.pcwp_high_mmhg=40"], 60.0);
    assert!(usual.alarms.contains(&Alarm::HighPcwp));
    assert!(!loose.alarms.contains(&Alarm::HighPcwp));
    // Limits outside their range are refused like any setting.
    assert!(
        ecmo_unload::settings::set(
            &ecmo_unload::presets::load("healthy").unwrap(),
            "alarms.ph_low",
            "8"
        )
        .is_err()
    );
}
