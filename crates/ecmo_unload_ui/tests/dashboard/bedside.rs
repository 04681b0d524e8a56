//! The trainee's bedside monitor, fed as the link feeds it: what it shows (numbers with units,
//! strips, consoles, alarms), what it never shows (the case, its hidden events, settings), a
//! layout that does not move under the pointer at 1600x1000 and 1280x800, and "Silence 2 min"
//! pausing the sound only.

use crossbeam_channel::{Sender, unbounded};
use ecmo_unload::alarms::Priority;
use ecmo_unload::scenario::Scenario;
use ecmo_unload::session::bedside::{BedsideAlarm, BedsideFrame};
use ecmo_unload::session::{Command, Event, Output, Stepper};
use ecmo_unload::{Engine, presets, settings};
use ecmo_unload_lab::LinkEvent;
use ecmo_unload_ui::BedsideMonitor;
use ecmo_unload_ui::alarm_view::SILENCE_LABEL;
use ecmo_unload_ui::bedside::sound::{self, Speaker};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const SIZES: [(f32, f32); 2] = [(1600.0, 1000.0), (1280.0, 800.0)];

fn monitor(w: f32, h: f32) -> (Harness<'static, BedsideMonitor>, Sender<LinkEvent>) {
    let (tx, rx) = unbounded();
    let m = BedsideMonitor::new(rx, "127.0.0.1:7411", Speaker::quiet());
    let h = Harness::builder()
        .with_size(egui::vec2(w, h))
        .build_ui_state(|ui, m: &mut BedsideMonitor| m.monitor_ui(ui), m);
    (h, tx)
}

/// Run `stepper` for `seconds` and send what a served session would.
fn feed(stepper: &mut Stepper, seconds: f64, tx: &Sender<LinkEvent>) {
    stepper.serve_bedside = true;
    let mut left = seconds;
    while left > 0.0 {
        let mut out = Output::default();
        stepper.advance(left.min(1.0), &mut out);
        left -= 1.0;
        if let Event::Frame {
            bedside: Some(b), ..
        } = stepper.frame(out)
        {
            tx.send(LinkEvent::Frame(b)).unwrap();
        }
    }
}

fn stepper(sets: &[&str]) -> Stepper {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let p = settings::apply_all(&presets::load("cardiogenic-shock").unwrap(), &sets).unwrap();
    Stepper::new(Engine::new(p).unwrap())
}

#[test]
fn the_monitor_shows_numbers_with_units_and_nothing_of_the_case() {
    for (w, h) in SIZES {
        let (mut hn, tx) = monitor(w, h);
        let sc = Scenario::load("iabp-late-deflation").unwrap();
        let mut s = stepper(&[]);
        s.apply(&Command::LoadScenario(Box::new(sc.clone())));
        tx.send(LinkEvent::Connected {
            bed: "Bed 3".into(),
        })
        .unwrap();
        feed(&mut s, 75.0, &tx);
        hn.run_steps(3);
        assert!(
            s.timeline
                .as_ref()
                .unwrap()
                .fired
                .iter()
                .any(|f| f.name.contains("deflation")),
            "the hidden event fired on the instructor's side"
        );
        hn.get_by_label("Bed 3");
        hn.get_by_label("connected");
        // Every tile says its unit.
        for (name, unit) in [
            ("HR", "bpm"),
            ("ART", "mmHg"),
            ("PA", "mmHg"),
            ("CVP", "mmHg"),
            ("PCWP", "mmHg"),
            ("SpO2 hand", "%"),
            ("SpO2 foot", "%"),
            ("SvO2", "%"),
            ("EVLWI", "mL/kg"),
        ] {
            let prefix = format!("{name} ");
            // The tile: the node whose label begins with its name (an alarm may mention it).
            let tile = hn
                .query_all_by_label_contains(&prefix)
                .find(|n| format!("{n:?}").contains(&format!("\"{prefix}")))
                .unwrap_or_else(|| panic!("{w}x{h}: no tile {name}"));
            let label = format!("{tile:?}");
            assert!(
                label.contains(&format!(" {unit}\"")),
                "{w}x{h}: '{label}' has no unit {unit}"
            );
            let r = tile.rect();
            assert!(
                r.max.x <= w + 0.5 && r.max.y <= h + 0.5,
                "{w}x{h}: '{label}' is cut off at {r:?}"
            );
        }
        // The IABP console's readings, as its screen shows them.
        hn.get_by_label_contains("Ratio 1:2");
        // Nothing of the case: no title, no event, no setting, no instructor control.
        for secret in [
            sc.title.as_str(),
            "deflation moved",
            "deflate_offset",
            "Trainee view",
            "Fire next event",
            "Preset",
        ] {
            assert!(
                hn.query_by_label_contains(secret).is_none(),
                "{w}x{h}: the monitor shows '{secret}'"
            );
        }
    }
}

fn alarm(id: &str, title: &str, priority: Priority, since_s: f64) -> BedsideAlarm {
    BedsideAlarm {
        id: id.into(),
        priority,
        title: title.into(),
        reading: format!("{title} reading"),
        since_s,
    }
}

/// A frame like `last` (numbers, samples) with these alarms.
fn with_alarms(last: &BedsideFrame, alarms: Vec<BedsideAlarm>) -> Box<BedsideFrame> {
    let mut f = last.clone();
    f.alarms = alarms;
    Box::new(f)
}

#[test]
fn the_layout_does_not_move_as_alarms_come_and_go() {
    for (w, h) in SIZES {
        let (mut hn, tx) = monitor(w, h);
        let mut s = stepper(&["ecmo.enabled=true"]);
        feed(&mut s, 40.0, &tx);
        hn.run_steps(2);
        let base = hn.state().latest().clone();
        let place = |hn: &Harness<'static, BedsideMonitor>| {
            (
                hn.get_by_label("II").rect(),
                hn.get_by_label_contains("HR ").rect(),
                hn.get_by_label_contains("Pump ").rect(),
            )
        };
        tx.send(LinkEvent::Frame(with_alarms(&base, vec![])))
            .unwrap();
        hn.run_steps(2);
        let quiet = place(&hn);
        let many: Vec<BedsideAlarm> = (0..6)
            .map(|k| {
                alarm(
                    &format!("a{k}"),
                    &format!("Alarm {k}"),
                    Priority::Medium,
                    30.0,
                )
            })
            .collect();
        tx.send(LinkEvent::Frame(with_alarms(&base, many))).unwrap();
        hn.run_steps(2);
        assert_eq!(
            place(&hn),
            quiet,
            "{w}x{h}: the screen moved under six alarms"
        );
        // Three rows: the three most urgent, and how many more.
        hn.get_by_label_contains("+3 more");
        // Each strip keeps a readable height at either size.
        let ii = hn.get_by_label("II").rect();
        assert!(ii.height() > 0.0);
        let pleth = hn.get_by_label("Pleth").rect();
        assert!(
            pleth.top() - ii.top() >= 4.0 * ecmo_unload_ui::bedside::strips::MIN_STRIP_HEIGHT,
            "{w}x{h}: strips squeezed"
        );
    }
}

#[test]
fn silence_pauses_the_sound_and_keeps_the_alarms_on_screen() {
    let (mut hn, tx) = monitor(1600.0, 1000.0);
    let mut s = stepper(&[]);
    feed(&mut s, 40.0, &tx);
    hn.run_steps(2);
    let base = hn.state().latest().clone();
    let pcwp = alarm("test_pcwp", "PCWP high", Priority::Medium, 31.0);
    tx.send(LinkEvent::Frame(with_alarms(&base, vec![pcwp.clone()])))
        .unwrap();
    hn.run_steps(2);
    let now = |hn: &Harness<'static, BedsideMonitor>| hn.ctx.input(|i| i.time);
    assert_eq!(
        hn.state().alarm_panel().sounding(now(&hn)),
        Some(Priority::Medium)
    );
    hn.get_by_label(SILENCE_LABEL).click();
    hn.run_steps(3);
    // The sound is paused; the alarm is still listed, with its reading and onset.
    assert_eq!(hn.state().alarm_panel().sounding(now(&hn)), None);
    let left = hn.state().alarm_panel().silenced_for_s(now(&hn)).unwrap();
    assert!(
        left > sound::SILENCE_S - 5.0 && left <= sound::SILENCE_S,
        "{left}"
    );
    hn.get_by_label_contains("** PCWP high");
    hn.get_by_label_contains("PCWP high reading");
    hn.get_by_label_contains("since t = 31 s");
    hn.get_by_label_contains("sound paused");
    // A new alarm during the pause sounds: nobody has heard it yet.
    let map = alarm("test_map", "MAP low", Priority::High, 40.0);
    tx.send(LinkEvent::Frame(with_alarms(&base, vec![map, pcwp])))
        .unwrap();
    hn.run_steps(2);
    assert_eq!(
        hn.state().alarm_panel().sounding(now(&hn)),
        Some(Priority::High)
    );
}

#[test]
fn a_dropped_link_says_so_and_recovers() {
    let (mut hn, tx) = monitor(1280.0, 800.0);
    tx.send(LinkEvent::Connected {
        bed: "Bed 1".into(),
    })
    .unwrap();
    let mut s = stepper(&[]);
    feed(&mut s, 20.0, &tx);
    hn.run_steps(2);
    tx.send(LinkEvent::Disconnected("connection lost (reset)".into()))
        .unwrap();
    hn.run_steps(2);
    hn.get_by_label_contains("connection lost, reconnecting");
    // What it had stays on screen while it reconnects.
    hn.get_by_label_contains("HR ");
    tx.send(LinkEvent::Connected {
        bed: "Bed 1".into(),
    })
    .unwrap();
    feed(&mut s, 2.0, &tx);
    hn.run_steps(2);
    hn.get_by_label("connected");
}
