//! The alarm tones as IEC 60601-1-8 encodes them, the visual flashing on the wall clock, and
//! the sound pause's rules, without a sound device.

use ecmo_unload::alarms::Priority;
use ecmo_unload_ui::bedside::sound::{self, AudioPause, Scheduler};

#[test]
fn bursts_have_the_standards_pulse_counts_and_timing() {
    let high = sound::tone(Priority::High);
    let medium = sound::tone(Priority::Medium);
    let low = sound::tone(Priority::Low);
    assert_eq!(high.pulses.len(), 10);
    assert_eq!(medium.pulses.len(), 3);
    assert!((1..=2).contains(&low.pulses.len()));
    // Table 4: pulse duration 75-200 ms (high), 125-250 ms (medium and low).
    assert!(high.pulses.iter().all(|(_, d)| (0.075..=0.2).contains(d)));
    for t in [&medium, &low] {
        assert!(t.pulses.iter().all(|(_, d)| (0.125..=0.25).contains(d)));
    }
    // Table 3: pulse spacing 50-125 ms (high) and 125-250 ms (medium, low) between the end
    // of one pulse and the start of the next within a group; the high burst's 3 + 2 groups.
    let gaps = |t: &sound::Tone| -> Vec<f64> {
        t.pulses
            .windows(2)
            .map(|w| w[1].0 - (w[0].0 + w[0].1))
            .collect()
    };
    let g = gaps(&high);
    for k in [0, 1, 3, 5, 6, 8] {
        assert!((0.05..=0.125).contains(&g[k]), "high gap {k}: {}", g[k]);
    }
    assert!(g[2] > g[1] && g[4] > g[2], "3 + 2, a pause, 3 + 2: {g:?}");
    assert!(
        (0.35..=1.3).contains(&g[4]),
        "the pause between the halves: {}",
        g[4]
    );
    assert!(gaps(&medium).iter().all(|x| (0.125..=0.25).contains(x)));
    // Inter-burst intervals: high 2.5-15 s, medium 2.5-30 s, low 15 s or more.
    assert!((2.5..=15.0).contains(&high.repeat_s));
    assert!((2.5..=30.0).contains(&medium.repeat_s));
    assert!(low.repeat_s >= 15.0);
}

/// The pulse has its fundamental in 150-1000 Hz and at least four harmonics (Goertzel power at
/// each, against a frequency between them).
#[test]
fn a_pulse_has_its_fundamental_and_harmonics() {
    assert!((150.0..=1000.0).contains(&sound::FUNDAMENTAL_HZ));
    let s = sound::samples(&sound::tone(Priority::Medium));
    let rate = f64::from(sound::SAMPLE_RATE_HZ);
    let n = (0.15 * rate) as usize;
    let pulse: Vec<f64> = s[..n].iter().map(|&x| f64::from(x)).collect();
    let power = |f: f64| {
        let w = std::f64::consts::TAU * f / rate;
        let (mut re, mut im) = (0.0, 0.0);
        for (k, x) in pulse.iter().enumerate() {
            re += x * (w * k as f64).cos();
            im += x * (w * k as f64).sin();
        }
        re * re + im * im
    };
    let between = power(1.5 * sound::FUNDAMENTAL_HZ);
    for h in 1..=4 {
        let p = power(h as f64 * sound::FUNDAMENTAL_HZ);
        assert!(p > 20.0 * between, "harmonic {h}: {p:e} vs {between:e}");
    }
    let peak = s.iter().map(|x| x.unsigned_abs()).max().unwrap();
    assert!(
        peak > i16::MAX as u16 / 4 && peak < i16::MAX as u16,
        "{peak}"
    );
}

#[test]
fn high_flashes_fast_medium_slowly_and_low_is_steady() {
    let toggles = |p: Priority| {
        (0..1000)
            .map(|k| sound::lit(p, k as f64 * 0.01))
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0] != w[1])
            .count()
    };
    // Ten seconds of wall clock (to 9.99 s): a change every half period.
    let expected = |hz: f64| (9.99 * 2.0 * hz).floor() as usize;
    assert_eq!(toggles(Priority::High), expected(2.0));
    assert_eq!(toggles(Priority::Medium), expected(0.6));
    assert_eq!(toggles(Priority::Low), 0);
    // IEC 60601-1-8 table 1: high 1.4-2.8 Hz, medium 0.4-0.8 Hz.
    assert!((1.4..=2.8).contains(&sound::flash_hz(Priority::High).unwrap()));
    assert!((0.4..=0.8).contains(&sound::flash_hz(Priority::Medium).unwrap()));
}

#[test]
fn the_pause_silences_what_was_heard_for_two_minutes_and_no_longer() {
    let mut pause = AudioPause::default();
    assert!(pause.may_sound("hypotension", 0.0));
    pause.silence(100.0, &["hypotension"]);
    assert!(!pause.may_sound("hypotension", 101.0));
    assert!(!pause.may_sound("hypotension", 100.0 + sound::SILENCE_S - 0.1));
    // A new alarm during the pause sounds.
    assert!(pause.may_sound("oxygenator_failure", 150.0));
    // And the pause ends by itself.
    assert!(pause.may_sound("hypotension", 100.0 + sound::SILENCE_S + 0.1));
    assert_eq!(pause.remaining_s(100.0 + sound::SILENCE_S + 0.1), None);
}

#[test]
fn bursts_repeat_at_their_interval_and_a_higher_priority_does_not_wait() {
    let mut s = Scheduler::default();
    assert_eq!(s.due(Some(Priority::Medium), 0.0), Some(Priority::Medium));
    assert_eq!(s.due(Some(Priority::Medium), 1.0), None);
    let again = sound::tone(Priority::Medium).repeat_s;
    assert_eq!(s.due(Some(Priority::Medium), again), Some(Priority::Medium));
    assert_eq!(
        s.due(Some(Priority::High), again + 0.5),
        Some(Priority::High)
    );
    assert_eq!(s.due(Some(Priority::High), again + 1.0), None);
    assert_eq!(s.due(None, again + 2.0), None);
    // Quiet resets: the next alarm starts at once.
    assert_eq!(s.due(Some(Priority::Low), again + 3.0), Some(Priority::Low));
}
