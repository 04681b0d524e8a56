//! The instructor-monitor contract over loopback: numbers arrive with the keys of `run --json`,
//! a wrong code is refused, hidden scenario events never reach a monitor, several monitors
//! connect and are listed, and a dropped connection comes back by itself.

use ecmo_unload::scenario::Scenario;
use ecmo_unload::session::{Command, Event, Output, Stepper};
use ecmo_unload::{Engine, presets};
use ecmo_unload_lab::{BedsideLink, Instructor, LabError, LinkEvent, ToBedside, connect_once};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Simulated seconds the feeder advances a wall slice, and the slice (a fast session).
const FEED_SIM_S: f64 = 0.5;
const FEED_WALL: Duration = Duration::from_millis(10);
/// The longest any wait in these tests may take before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// A session on its own thread, served by `lab` until `stop`: its stepper is returned at the
/// end, with what it did.
fn feed(
    mut lab: Instructor,
    mut stepper: Stepper,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(Stepper, Instructor)> {
    stepper.serve_bedside = true;
    std::thread::spawn(move || {
        let start = Instant::now();
        while !stop.load(Ordering::SeqCst) && start.elapsed() < PATIENCE {
            let mut out = Output::default();
            stepper.advance(FEED_SIM_S, &mut out);
            if let Event::Frame {
                bedside: Some(b), ..
            } = stepper.frame(out)
            {
                lab.offer(*b);
            }
            std::thread::sleep(FEED_WALL);
        }
        (stepper, lab)
    })
}

fn shock() -> Stepper {
    Stepper::new(Engine::new(presets::load("cardiogenic-shock").unwrap()).unwrap())
}

/// Wait for the first event `pick` accepts.
fn wait_for<T>(link: &BedsideLink, mut pick: impl FnMut(LinkEvent) -> Option<T>) -> T {
    let end = Instant::now() + PATIENCE;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let ev = link
            .events()
            .recv_timeout(left)
            .expect("the link reported nothing in time");
        if let Some(x) = pick(ev) {
            return x;
        }
    }
}

#[test]
fn numbers_arrive_with_the_run_json_keys_and_a_wrong_code_is_refused() {
    let lab = Instructor::listen("127.0.0.1:0", "s3cret", "Bed 4").unwrap();
    let addr = lab.local_addr().to_string();
    assert!(lab.local_addr().ip().is_loopback());
    let stop = Arc::new(AtomicBool::new(false));
    let session = feed(lab, shock(), stop.clone());

    match connect_once(&addr, "guess", "Eve") {
        Err(LabError::WrongCode { code, .. }) => assert_eq!(code, "guess"),
        other => panic!("a wrong code was not refused: {:?}", other.map(|_| ())),
    }
    let link = BedsideLink::spawn(&addr, "s3cret", "Alex", || {}).unwrap();
    let bed = wait_for(&link, |e| match e {
        LinkEvent::Connected { bed } => Some(bed),
        _ => None,
    });
    assert_eq!(bed, "Bed 4");
    let frame = wait_for(&link, |e| match e {
        // Past the first 30 s, when alarms may sound.
        LinkEvent::Frame(f) if f.numbers.is_some() && !f.samples.is_empty() && f.t_s > 40.0 => {
            Some(f)
        }
        _ => None,
    });
    stop.store(true, Ordering::SeqCst);
    let (_, lab) = session.join().unwrap();

    let numbers = frame.numbers.as_ref().unwrap();
    let keys: Vec<&String> = numbers.keys().collect();
    let expected: Vec<&String> = ecmo_unload::engine::summary_keys().iter().collect();
    assert_eq!(
        keys, expected,
        "the monitor's numbers are run --json's keys"
    );
    // Keys the bedside does not measure arrive empty: the volumes, EF and drug effects would
    // tell the trainee the cause.
    for k in [
        "lvef_pct",
        "lvedv_ml",
        "rvedv_ml",
        "dobutamine_effect",
        "edema_reason",
        "edema_risk",
        "ph",
        "lactate_mmol_l",
        "total_flow_l_min",
    ] {
        assert_eq!(numbers[k], serde_json::Value::Null, "{k}");
    }
    for k in ecmo_unload::session::bedside::BEDSIDE_KEYS {
        assert!(numbers.contains_key(*k), "{k}");
    }
    // Only the alarms a bedside raises itself: no blood-gas or echo alarm without the test.
    let listed = numbers["alarms"].as_array().unwrap();
    assert!(!listed.is_empty(), "the shock patient alarms");
    for a in listed {
        let id = a.as_str().unwrap();
        let alarm = ecmo_unload::alarms::Alarm::ALL
            .into_iter()
            .find(|x| x.key() == id)
            .unwrap();
        assert!(alarm.at_bedside(), "{id}");
    }
    assert!(
        frame.alarms.iter().all(|a| !a.id.contains("lung_water")),
        "{:?}",
        frame.alarms
    );
    let map = frame.number("map_mmhg").unwrap();
    assert!((20.0..150.0).contains(&map), "MAP {map}");
    assert!(frame.samples.windows(2).all(|w| w[1].t_s > w[0].t_s));
    // The instructor saw the trainee by name, and the refused guess.
    let seen = lab.trainees();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].name, "Alex");
    let notices = lab.notices().join("\n");
    assert!(notices.contains("wrong session code"), "{notices}");
    assert!(notices.contains("'Alex' connected"), "{notices}");
}

#[test]
fn hidden_scenario_events_never_reach_a_monitor() {
    let sc = Scenario::load("iabp-late-deflation").unwrap();
    let hidden: Vec<_> = sc.events.iter().filter(|e| e.hidden).cloned().collect();
    assert!(!hidden.is_empty(), "the scenario has a hidden event");
    let fire_by_s = hidden.iter().filter_map(|e| e.at_s).fold(0.0, f64::max);
    let mut stepper = shock();
    stepper.apply(&Command::LoadScenario(Box::new(sc.clone())));

    let lab = Instructor::listen("127.0.0.1:0", "code", "Bed 1").unwrap();
    let addr = lab.local_addr().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let session = feed(lab, stepper, stop.clone());
    // A raw client: every byte the monitor is sent.
    let mut ws = connect_once(&addr, "code", "raw").unwrap();
    ws.get_mut()
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut texts = Vec::new();
    let mut last_t = 0.0;
    let end = Instant::now() + PATIENCE;
    while last_t < fire_by_s + 20.0 && Instant::now() < end {
        if let Ok(tungstenite::Message::Text(t)) = ws.read() {
            if let Ok(ToBedside::Frame(f)) = serde_json::from_str::<ToBedside>(&t) {
                last_t = f.t_s;
            }
            texts.push(t.to_string());
        }
    }
    stop.store(true, Ordering::SeqCst);
    let (stepper, _) = session.join().unwrap();
    assert!(
        last_t > fire_by_s,
        "the session ran past the event ({last_t} s)"
    );
    let fired = &stepper.timeline.as_ref().unwrap().fired;
    assert!(
        hidden
            .iter()
            .all(|h| fired.iter().any(|f| f.name == h.name)),
        "the hidden event fired on the instructor's side"
    );
    let wire = texts.join("\n");
    let mut secrets = vec![sc.title.clone(), sc.instructor_notes.clone()];
    for h in &hidden {
        secrets.push(h.name.clone());
        secrets.extend(h.actions.iter().cloned());
        // The setting's key itself: a monitor is sent no settings.
        secrets.extend(
            h.actions
                .iter()
                .filter_map(|a| a.split('=').next())
                .map(str::to_string),
        );
    }
    secrets.extend(sc.objectives.iter().cloned());
    for s in secrets.iter().filter(|s| s.len() > 3) {
        assert!(!wire.contains(s.as_str()), "the wire carried '{s}'");
    }
    assert!(!wire.contains("events_fired"));
}

#[test]
fn several_monitors_connect_and_come_back_after_a_drop() {
    let lab = Instructor::listen("127.0.0.1:0", "lab", "Bed 2").unwrap();
    let addr = lab.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let session = feed(lab, shock(), stop.clone());
    let names = ["Ana", "Ben", "Cat"];
    let links: Vec<BedsideLink> = names
        .iter()
        .map(|n| BedsideLink::spawn(&addr.to_string(), "lab", n, || {}).unwrap())
        .collect();
    for l in &links {
        wait_for(l, |e| matches!(e, LinkEvent::Frame(_)).then_some(()));
    }
    stop.store(true, Ordering::SeqCst);
    let (stepper, lab) = session.join().unwrap();
    let mut seen: Vec<String> = lab.trainees().into_iter().map(|t| t.name).collect();
    seen.sort();
    assert_eq!(seen, names);

    // The instructor's machine drops the session; the monitors notice...
    drop(lab);
    for l in &links {
        wait_for(l, |e| matches!(e, LinkEvent::Disconnected(_)).then_some(()));
    }
    // ...and come back by themselves when it serves again on the same address.
    let lab = Instructor::listen(&addr.to_string(), "lab", "Bed 2").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let session = feed(lab, stepper, stop.clone());
    for l in &links {
        wait_for(l, |e| {
            matches!(e, LinkEvent::Connected { .. }).then_some(())
        });
        let f = wait_for(l, |e| match e {
            LinkEvent::Frame(f) if f.numbers.is_some() => Some(f),
            _ => None,
        });
        assert!(f.number("hr_bpm").is_some());
    }
    stop.store(true, Ordering::SeqCst);
    let (_, lab) = session.join().unwrap();
    assert_eq!(lab.trainees().len(), names.len());
}

#[test]
fn a_monitor_cannot_change_the_patient() {
    let lab = Instructor::listen("127.0.0.1:0", "c", "Bed 1").unwrap();
    let addr = lab.local_addr().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let session = feed(lab, shock(), stop.clone());
    let mut ws = connect_once(&addr, "c", "mallory").unwrap();
    for text in [
        "set ecmo.enabled=true",
        r#"{"type":"set","key":"ecmo.enabled"}"#,
    ] {
        ws.send(tungstenite::Message::text(text)).unwrap();
    }
    // The connection stays open and frames keep coming.
    ws.get_mut()
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut frames = 0;
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end {
        if let Ok(tungstenite::Message::Text(_)) = ws.read() {
            frames += 1;
        }
    }
    stop.store(true, Ordering::SeqCst);
    let (stepper, _) = session.join().unwrap();
    assert!(frames > 3, "{frames} messages");
    assert!(!stepper.engine.patient().ecmo.enabled);
}

#[test]
fn a_malformed_address_is_refused_at_once() {
    for bad in ["127.0.0.1", "127.0.0.1:99999", "", ":7411", "127.0.0.1:0"] {
        assert!(
            matches!(
                BedsideLink::spawn(bad, "c", "n", || {}),
                Err(LabError::BadInput { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(BedsideLink::spawn("ws://127.0.0.1:7411/bedside", "c", "n", || {}).is_ok());
}

#[test]
fn nothing_listens_beyond_loopback_by_default_and_a_bad_code_is_refused_before() {
    assert!(ecmo_unload_lab::DEFAULT_LISTEN.starts_with("127.0.0.1:"));
    for bad in ["", "has space", "tab\there", &"x".repeat(65)] {
        assert!(
            matches!(
                Instructor::listen("127.0.0.1:0", bad, "Bed"),
                Err(LabError::BadInput { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Instructor::listen("not an address", "c", "Bed"),
        Err(LabError::Listen { .. })
    ));
}
