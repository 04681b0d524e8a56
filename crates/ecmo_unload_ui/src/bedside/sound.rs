//! Alarm tones as IEC 60601-1-8 encodes them by priority, and the "Silence 2 min" that pauses
//! them.
//!
//! IEC 60601-1-8:2006+A1:2012, table 3 (the burst) and table 4 (the pulse): a high-priority
//! burst is 10 pulses (3 + 2, a pause, 3 + 2) with pulses 50-125 ms apart, repeated every
//! 2.5-15 s; a medium one 3 pulses 125-250 ms apart, every 2.5-30 s; a low one 1 or 2 pulses,
//! every 15 s or more. A pulse is 75-200 ms long (high) or 125-250 ms (medium, low), rises in
//! 10-20 % of it, and has a fundamental of 150-1000 Hz with at least four harmonics. Visual
//! signals: high flashes at 1.4-2.8 Hz, medium at 0.4-0.8 Hz, low is steady (table 1).
//!
//! The tones are written as WAV files once and played by the machine's own player
//! (`pw-play`, `paplay` or `aplay` on Linux, `afplay` on macOS, PowerShell on Windows), so
//! the project needs no audio library or system package to build. A machine with no player
//! (a server, CI) plays nothing: the alarms still show and blink.

use ecmo_unload::alarms::Priority;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Samples per second of the tone files.
pub const SAMPLE_RATE_HZ: u32 = 22_050;
/// The pulse's fundamental (C5, inside 150-1000 Hz) and the harmonics added to it (table 4:
/// at least four, for a sound that is located and heard over noise).
pub const FUNDAMENTAL_HZ: f64 = 523.25;
pub const HARMONICS: usize = 5;
/// The pause between the two halves of a high-priority burst (table 3: 0.35-1.30 s).
pub const HIGH_BURST_PAUSE_S: f64 = 0.7;
/// "Silence 2 min": how long a pause of the sound lasts (wall clock).
pub const SILENCE_S: f64 = 120.0;

/// One priority's tone: its pulses (start, duration in s, within the burst) and how often the
/// burst repeats.
#[derive(Clone, Debug, PartialEq)]
pub struct Tone {
    pub pulses: Vec<(f64, f64)>,
    pub repeat_s: f64,
}

/// The tone of a priority (IEC 60601-1-8 tables 3 and 4).
pub fn tone(p: Priority) -> Tone {
    match p {
        Priority::High => {
            // x-x-x---x-x, a pause, x-x-x---x-x: 10 pulses of 150 ms, 100 ms apart.
            let (td, ts) = (0.150, 0.100);
            let group = [0.0, 1.0, 2.0, 4.0, 5.0];
            let half = 5.0 * (td + ts) + td + HIGH_BURST_PAUSE_S;
            let pulses = [0.0, half]
                .into_iter()
                .flat_map(|start| group.map(|k| (start + k * (td + ts), td)))
                .collect();
            Tone {
                pulses,
                repeat_s: 8.0,
            }
        }
        Priority::Medium => Tone {
            pulses: (0..3).map(|k| (f64::from(k) * 0.4, 0.2)).collect(),
            repeat_s: 15.0,
        },
        Priority::Low => Tone {
            pulses: vec![(0.0, 0.2), (0.4, 0.2)],
            repeat_s: 30.0,
        },
    }
}

/// The visual signal's flash frequency (Hz; none: steady).
pub fn flash_hz(p: Priority) -> Option<f64> {
    match p {
        Priority::High => Some(2.0),
        Priority::Medium => Some(0.6),
        Priority::Low => None,
    }
}

/// Whether the alarm's indicator is lit at wall time `now_s` (half the period on).
pub fn lit(p: Priority, now_s: f64) -> bool {
    flash_hz(p).is_none_or(|f| (now_s * f).fract() < 0.5)
}

/// The burst's samples, 16-bit mono at [`SAMPLE_RATE_HZ`]: each pulse a fundamental and its
/// harmonics (falling 3 dB each), rising over 15 % of the pulse and falling over 20 %.
pub fn samples(t: &Tone) -> Vec<i16> {
    let rate = f64::from(SAMPLE_RATE_HZ);
    let end_s = t.pulses.iter().map(|(s, d)| s + d).fold(0.0, f64::max);
    let n = (end_s * rate).ceil() as usize;
    let mut out = vec![0.0f64; n];
    for &(start, dur) in &t.pulses {
        let (rise, fall) = (0.15 * dur, 0.2 * dur);
        let first = (start * rate) as usize;
        let count = (dur * rate) as usize;
        for (i, slot) in out.iter_mut().skip(first).take(count).enumerate() {
            let x = i as f64 / rate;
            let env = (x / rise).min(1.0).min((dur - x) / fall).max(0.0);
            let wave: f64 = (1..=HARMONICS)
                .map(|h| {
                    let h = h as f64;
                    (std::f64::consts::TAU * FUNDAMENTAL_HZ * h * x).sin()
                        * 10f64.powf(-3.0 * (h - 1.0) / 20.0)
                })
                .sum();
            *slot += env * wave;
        }
    }
    let peak = out.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-9);
    // Half of full scale: loud enough over a room, with headroom on any player.
    out.iter()
        .map(|x| (x / peak * 0.5 * f64::from(i16::MAX)) as i16)
        .collect()
}

/// The sound pause of "Silence 2 min", on the wall clock: it silences the alarms that were on
/// when it was pressed; an alarm that begins during the pause sounds (it has not been heard).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AudioPause {
    until_s: Option<f64>,
    heard: Vec<String>,
}

impl AudioPause {
    /// Pause the sound of `active` (alarm ids) for [`SILENCE_S`] from `now_s`.
    pub fn silence(&mut self, now_s: f64, active: &[&str]) {
        self.until_s = Some(now_s + SILENCE_S);
        self.heard = active.iter().map(|s| s.to_string()).collect();
    }

    /// Seconds of pause left at `now_s`.
    pub fn remaining_s(&self, now_s: f64) -> Option<f64> {
        self.until_s.map(|u| u - now_s).filter(|r| *r > 0.0)
    }

    /// Whether `alarm` may sound at `now_s`.
    pub fn may_sound(&self, alarm: &str, now_s: f64) -> bool {
        self.remaining_s(now_s).is_none() || !self.heard.iter().any(|h| h == alarm)
    }

    /// End the pause (a new session).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Decides when a burst is due: the most urgent sounding priority, repeated at its interval;
/// a higher priority starts its burst at once.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    last: Option<(Priority, f64)>,
}

impl Scheduler {
    /// The burst to start at `now_s` for the most urgent priority that may sound (none: quiet).
    pub fn due(&mut self, sounding: Option<Priority>, now_s: f64) -> Option<Priority> {
        let Some(p) = sounding else {
            self.last = None;
            return None;
        };
        let start = match self.last {
            None => true,
            // A more urgent alarm does not wait for the quieter one's interval.
            Some((q, _)) if p < q => true,
            Some((_, t)) => now_s - t >= tone(p).repeat_s,
        };
        if start {
            self.last = Some((p, now_s));
        }
        start.then_some(p)
    }
}

/// Plays the tones through the machine's player, if it has one.
pub struct Speaker {
    player: Option<Vec<String>>,
    files: Vec<(Priority, PathBuf)>,
    playing: Vec<Child>,
}

impl Speaker {
    /// Find a player and write the tones; with none, a speaker that stays quiet.
    pub fn new() -> Self {
        let player = find_player();
        let files = if player.is_some() {
            write_tones().unwrap_or_default()
        } else {
            Vec::new()
        };
        Self {
            player: if files.is_empty() { None } else { player },
            files,
            playing: Vec::new(),
        }
    }

    /// A speaker that never plays (tests, screenshots).
    pub fn quiet() -> Self {
        Self {
            player: None,
            files: Vec::new(),
            playing: Vec::new(),
        }
    }

    /// The player in use, for the screen ("sound: paplay"), or none.
    pub fn player(&self) -> Option<&str> {
        self.player
            .as_ref()
            .and_then(|p| p.first())
            .map(String::as_str)
    }

    /// Start the burst of `p` (without waiting for it).
    pub fn play(&mut self, p: Priority) {
        // Finished players are reaped, so none is left a zombie.
        self.playing
            .retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        let (Some(player), Some((_, file))) =
            (&self.player, self.files.iter().find(|(q, _)| *q == p))
        else {
            return;
        };
        let mut cmd = Command::new(&player[0]);
        cmd.args(&player[1..]);
        if player[0] == "powershell" {
            cmd.arg(format!(
                "(New-Object Media.SoundPlayer '{}').PlaySync()",
                file.display()
            ));
        } else {
            cmd.arg(file);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(c) => self.playing.push(c),
            // A player that cannot start (no device any more): quiet from now on.
            Err(_) => self.player = None,
        }
    }
}

impl Default for Speaker {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        for c in &mut self.playing {
            let _ = c.kill();
            let _ = c.wait();
        }
        for (_, f) in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// The first player on the PATH, with its arguments before the file.
fn find_player() -> Option<Vec<String>> {
    let candidates: &[&[&str]] = if cfg!(target_os = "macos") {
        &[&["afplay"]]
    } else if cfg!(windows) {
        &[&["powershell", "-NoProfile", "-Command"]]
    } else {
        &[&["pw-play"], &["paplay"], &["aplay", "-q"]]
    };
    let path = std::env::var_os("PATH")?;
    candidates
        .iter()
        .find(|c| {
            std::env::split_paths(&path).any(|dir| {
                let exe = dir.join(c[0]);
                exe.is_file() || exe.with_extension("exe").is_file()
            })
        })
        .map(|c| c.iter().map(|s| s.to_string()).collect())
}

/// Write each priority's burst as a WAV file in the temporary folder.
fn write_tones() -> Option<Vec<(Priority, PathBuf)>> {
    let dir = std::env::temp_dir();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE_HZ,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    [Priority::High, Priority::Medium, Priority::Low]
        .into_iter()
        .map(|p| {
            let path = dir.join(format!(
                "ecmo-unload-{}-{}.wav",
                std::process::id(),
                crate::style::serde_plain(&p)
            ));
            let mut w = hound::WavWriter::create(&path, spec).ok()?;
            for s in samples(&tone(p)) {
                w.write_sample(s).ok()?;
            }
            w.finalize().ok()?;
            Some((p, path))
        })
        .collect()
}
