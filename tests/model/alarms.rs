//! The bedside alarms on real patients: quiet when all is well, each firing in the situation it
//! describes.

use ecmo_unload::Engine;
use ecmo_unload::alarms::{self, Alarm, Priority, Running};
use ecmo_unload::{presets, settings};

fn alarms_after(preset: &str, sets: &[&str], seconds: f64) -> Vec<Alarm> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let mut e =
        Engine::new(settings::apply_all(&presets::load(preset).unwrap(), &sets).unwrap()).unwrap();
    e.run_for(seconds);
    e.alarms().into_iter().map(|x| x.alarm).collect()
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
    let on_ecmo = Running {
        ecmo: true,
        ventilated: true,
        beating: true,
        ..Running::default()
    };
    assert!(
        Alarm::UpperBodyDesaturation
            .explanation(on_ecmo)
            .contains("north-south")
    );
}

fn engine_after(preset: &str, sets: &[&str], seconds: f64) -> Engine {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let mut e =
        Engine::new(settings::apply_all(&presets::load(preset).unwrap(), &sets).unwrap()).unwrap();
    e.run_for(seconds);
    e
}

fn priority_of(e: &Engine, alarm: Alarm) -> Option<Priority> {
    e.alarms()
        .into_iter()
        .find(|x| x.alarm == alarm)
        .map(|x| x.priority)
}

/// Priorities rise with severity: the same PCWP alarm is low at 27 mmHg, medium 10 mmHg above
/// its limit and high 20 above (the limit moved to reach each band on one patient), and a PCWP
/// near 50 on a real patient is high.
#[test]
fn a_pcwp_alarm_rises_with_the_pressure() {
    let at = |limit: f64| {
        let e = engine_after(
            "cardiogenic-shock",
            &[&format!("alarms.pcwp_high_mmhg={limit}")],
            60.0,
        );
        let pcwp = e.summary().unwrap().beat.pcwp_mmhg;
        (pcwp - limit, priority_of(&e, Alarm::HighPcwp))
    };
    for limit in [20.0, 15.0, 10.0, 5.0] {
        let (above, p) = at(limit);
        let expected = if above >= alarms::PCWP_HIGH_ABOVE_LIMIT_MMHG {
            Priority::High
        } else if above >= alarms::PCWP_MEDIUM_ABOVE_LIMIT_MMHG {
            Priority::Medium
        } else {
            Priority::Low
        };
        assert_eq!(p, Some(expected), "{above:.1} mmHg above the limit {limit}");
    }
    let e = engine_after(
        "cardiogenic-shock",
        &[
            "ecmo.enabled=true",
            "ecmo.rpm=4000",
            "blood_volume_ml=6500",
            "heart.lv.ees_mmhg_per_ml=0.4",
        ],
        120.0,
    );
    let pcwp = e.summary().unwrap().beat.pcwp_mmhg;
    assert!(pcwp > 40.0, "{pcwp}");
    assert_eq!(
        priority_of(&e, Alarm::HighPcwp),
        Some(Priority::High),
        "PCWP {pcwp:.0}"
    );
    // Most urgent first, by the priority each has now.
    let ps: Vec<Priority> = e.alarms().iter().map(|x| x.priority).collect();
    assert!(ps.windows(2).all(|w| w[0] <= w[1]), "{ps:?}");
}

/// A pump too slow for the arterial pressure runs backwards, and a flow target the pump cannot
/// reach runs low: both alarm as consoles do.
#[test]
fn reversed_and_low_ecmo_flow_alarm() {
    let slow = engine_after(
        "cardiogenic-shock",
        &["ecmo.enabled=true", "ecmo.rpm=1000"],
        60.0,
    );
    assert!(slow.summary().unwrap().beat.ecmo_flow_l_min < 0.0);
    assert_eq!(
        priority_of(&slow, Alarm::EcmoFlowReversed),
        Some(Priority::High)
    );
    // The considerations name what turns the flow forward again.
    let settled = ecmo_unload::forecast::Options {
        hours: 0,
        ..Default::default()
    };
    let forecasts: Vec<_> = ["now:", "pump 3000 rpm:ecmo.rpm=3000"]
        .iter()
        .map(|s| {
            let s = ecmo_unload::forecast::Strategy::parse(s).unwrap();
            ecmo_unload::forecast::forecast_with(&slow, &s, &settled).unwrap()
        })
        .collect();
    let lines = ecmo_unload::advice::considerations(
        &slow.alarms(),
        &forecasts,
        ecmo_unload::alarms::Running::of(slow.patient()),
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ECMO flow reversed") && l.contains("with pump 3000 rpm")),
        "{lines:#?}"
    );
    let starved = engine_after(
        "cardiogenic-shock",
        &[
            "ecmo.enabled=true",
            "ecmo.mode=flow",
            "ecmo.flow_target_l_min=7",
            "blood_volume_ml=4000",
        ],
        90.0,
    );
    let flow = starved.summary().unwrap().beat.ecmo_flow_l_min;
    assert!(flow < 0.75 * 7.0, "{flow}");
    assert!(
        priority_of(&starved, Alarm::EcmoFlowLow).is_some(),
        "{flow}"
    );
    let fine = engine_after("cardiogenic-shock", &["ecmo.enabled=true"], 60.0);
    let a: Vec<Alarm> = fine.alarms().into_iter().map(|x| x.alarm).collect();
    assert!(
        !a.contains(&Alarm::EcmoFlowLow) && !a.contains(&Alarm::EcmoFlowReversed),
        "{a:?}"
    );
}

/// Advice knows what runs: no Impella offered beside a running one, no ECMO afterload or ECMO
/// flow without ECMO, no north-south without ECMO, ventilation first in apnoea.
#[test]
fn explanations_know_what_is_running() {
    let all_off = Running {
        ventilated: true,
        beating: true,
        ..Running::default()
    };
    let impella = Running {
        impella: true,
        ..all_off
    };
    for a in Alarm::ALL {
        let text = a.explanation(all_off);
        if !matches!(
            a,
            Alarm::OxygenatorFailure
                | Alarm::EcmoFlowReversed
                | Alarm::EcmoFlowLow
                | Alarm::EcmoChatter
                | Alarm::UpperBodyDesaturation
                | Alarm::Hypotension
                | Alarm::RisingLactate
                | Alarm::CardiacArrest
        ) {
            assert!(!text.contains("ECMO"), "{a:?} without ECMO: {text}");
        }
        assert!(
            !text.contains("V-AV") && !text.contains("PEEP"),
            "{a:?}: {text}"
        );
        assert!(!a.explanation(impella).contains("an Impella"), "{a:?}");
    }
    let shut = Alarm::AorticValveClosed.explanation(all_off);
    assert!(
        !shut.contains("afterload") && shut.contains("an Impella"),
        "{shut}"
    );
    let low_sat = Alarm::UpperBodyDesaturation.explanation(all_off);
    assert!(!low_sat.contains("north-south"), "{low_sat}");
    let apnoea = Alarm::UpperBodyDesaturation.explanation(Running::default());
    assert!(apnoea.contains("ventilate"), "{apnoea}");
    // Arrest behind ECMO: never "less ECMO flow"; an Impella: never "compressions now".
    let arrest_on_ecmo = Running {
        ecmo: true,
        ventilated: true,
        ..Running::default()
    };
    let shut = Alarm::AorticValveClosed.explanation(arrest_on_ecmo);
    assert!(!shut.contains("less ECMO flow"), "{shut}");
    let impella_arrest = Alarm::CardiacArrest.explanation(impella);
    assert!(
        !impella_arrest.contains("compressions now"),
        "{impella_arrest}"
    );
    let emptied = Alarm::AorticValveClosed.explanation(impella);
    assert!(emptied.contains("Impella empties the LV"), "{emptied}");
}

/// An LV an Impella sucks empty is not in arrest: its suction is named, and the MAP the pump
/// holds is not called PEA.
#[test]
fn an_impella_sucking_the_lv_empty_is_not_an_arrest() {
    let e = engine_after(
        "cardiogenic-shock",
        &[
            "impella.enabled=true",
            "impella.model=5.5",
            "impella.p_level=9",
            "blood_volume_ml=4000",
        ],
        120.0,
    );
    let a: Vec<Alarm> = e.alarms().into_iter().map(|x| x.alarm).collect();
    assert!(a.contains(&Alarm::ImpellaSuction), "{a:?}");
    assert!(!a.contains(&Alarm::CardiacArrest), "{a:?}");
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

/// An Impella that has emptied a circulation with no volume left to move holds no pressure:
/// that is an arrest, suction or not; and a circuit running backwards has no mixing zone.
#[test]
fn an_empty_circulation_behind_an_impella_is_an_arrest_and_a_reversed_circuit_mixes_nothing() {
    let empty = engine_after(
        "cardiogenic-shock",
        &["impella.enabled=true", "blood_volume_ml=3000"],
        60.0,
    );
    let map = empty.summary().unwrap().beat.map_mmhg;
    assert!(map < 20.0, "MAP {map}");
    assert_eq!(
        priority_of(&empty, Alarm::CardiacArrest),
        Some(Priority::High)
    );
    let reversed = engine_after(
        "cardiogenic-shock",
        &["ecmo.enabled=true", "ecmo.rpm=1000"],
        60.0,
    );
    let s = reversed.summary().unwrap();
    assert!(s.beat.ecmo_flow_l_min < 0.0);
    assert_eq!(s.mixing_zone, None);
}

/// An alarm that begins and clears inside one jump ahead is recorded as it happened: the
/// stepper notes alarms stride by stride and hands the frame each change at its time.
#[test]
fn an_alarm_episode_inside_a_jump_keeps_its_times() {
    use ecmo_unload::scenario::{Scenario, TimelineEvent};
    use ecmo_unload::session::{Command, Event, Output, Stepper};
    let sc = Scenario {
        title: "reversed, then mended".into(),
        preset: "cardiogenic-shock".into(),
        set: vec!["ecmo.enabled=true".into(), "ecmo.rpm=1000".into()],
        events: vec![TimelineEvent {
            name: "speed up".into(),
            at_s: Some(100.0),
            when: None,
            actions: vec!["ecmo.rpm=3000".into()],
            hidden: false,
        }],
        objectives: vec![],
        instructor_notes: String::new(),
        checkpoints: vec![],
    };
    let mut st = Stepper::new(Engine::new(presets::load("healthy").unwrap()).unwrap());
    st.apply(&Command::LoadScenario(Box::new(sc)));
    st.start_jump(200.0);
    let mut out = Output::default();
    st.finish_jump(&mut out);
    let Event::Frame { out, .. } = st.frame(out) else {
        panic!("a frame")
    };
    let reversed: Vec<_> = out
        .alarm_changes
        .iter()
        .filter(|c| c.alarm == Alarm::EcmoFlowReversed)
        .collect();
    assert_eq!(reversed.len(), 2, "{:?}", out.alarm_changes);
    assert!(reversed[0].raised.is_some() && (30.0..32.0).contains(&reversed[0].t_s));
    assert!(reversed[1].raised.is_none() && (100.0..110.0).contains(&reversed[1].t_s));
    assert!(
        !out.alarms
            .iter()
            .any(|x| x.alarm == Alarm::EcmoFlowReversed)
    );
}
