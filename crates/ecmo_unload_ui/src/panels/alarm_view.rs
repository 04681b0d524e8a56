//! The alarm area, as a bedside monitor has one (the dashboard's and the trainee's monitor's):
//! which alarms hold, since when (simulated time), their tones by priority and what the user did
//! about them.
//!
//! - The area has a fixed height: alarms coming and going never move the screen under the
//!   pointer; more alarms than rows show as "+N more" (most urgent first).
//! - Unacknowledged alarms flash on the wall clock at their priority's rate (IEC 60601-1-8:
//!   high 2 Hz, medium 0.6 Hz, low steady), whatever the simulation's speed.
//! - "Silence 2 min" pauses the sound of the alarms on now; they stay listed. An alarm that
//!   begins during the pause sounds.
//! - An alarm that clears and returns is new again.

use crate::bedside::sound::{self, AudioPause, Scheduler, Speaker};
use ecmo_unload::alarms::{Active, Alarm, Priority, Running};
use ecmo_unload::session::bedside::BedsideAlarm;
use egui::{Color32, RichText};

/// Rows the alarm area always has room for.
pub const ALARM_ROWS: usize = 3;
/// One row's height (points): a button's height and spacing.
const ROW_HEIGHT: f32 = 24.0;
/// The label of the sound pause's button (tests click it by this).
pub const SILENCE_LABEL: &str = "Silence 2 min";

#[derive(Clone, Debug)]
struct Shown {
    alarm: BedsideAlarm,
    /// Why it fires and what helps (the dashboard; none on a trainee's monitor).
    explanation: Option<String>,
    acknowledged: bool,
}

/// An alarm as raised, with its explanation for screens that teach.
pub struct Raised {
    pub alarm: BedsideAlarm,
    pub explanation: Option<String>,
}

impl Raised {
    /// The dashboard's alarm (the engine's), on since `since_s` (simulated), explained for what
    /// is `running`.
    pub fn of(x: &Active, since_s: f64, running: Running) -> Self {
        Self {
            alarm: BedsideAlarm {
                id: x.alarm.key().to_string(),
                priority: x.priority,
                title: x.alarm.title().to_string(),
                reading: x.reading.clone(),
                since_s,
            },
            explanation: Some(x.alarm.explanation(running)),
        }
    }
}

pub struct AlarmPanel {
    /// Most urgent first.
    active: Vec<Shown>,
    pause: AudioPause,
    scheduler: Scheduler,
    speaker: Speaker,
}

impl Default for AlarmPanel {
    fn default() -> Self {
        Self::new(Speaker::quiet())
    }
}

pub fn priority_color(p: Priority) -> Color32 {
    match p {
        Priority::High => Color32::from_rgb(255, 60, 60),
        Priority::Medium => Color32::from_rgb(255, 200, 40),
        Priority::Low => Color32::from_rgb(80, 200, 255),
    }
}

/// Simulated seconds as a monitor says a duration: "45 s", "12 min", "2 h 05 min".
pub fn duration_text(s: f64) -> String {
    let s = s.max(0.0);
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        let m = (s / 60.0) as u64;
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

impl AlarmPanel {
    /// A panel that plays its tones through `speaker`.
    pub fn new(speaker: Speaker) -> Self {
        Self {
            active: Vec::new(),
            pause: AudioPause::default(),
            scheduler: Scheduler::default(),
            speaker,
        }
    }

    /// Take up the alarms that hold now (the event log's rows come from the session, not from
    /// here: `session::Output::alarm_changes`).
    pub fn update(&mut self, now: Vec<Raised>) {
        self.active
            .retain(|s| now.iter().any(|r| r.alarm.id == s.alarm.id));
        for r in now {
            match self.active.iter_mut().find(|s| s.alarm.id == r.alarm.id) {
                Some(s) => {
                    // Its onset stays; its reading and priority follow the patient.
                    s.alarm.reading = r.alarm.reading;
                    s.alarm.priority = r.alarm.priority;
                }
                None => {
                    self.active.push(Shown {
                        alarm: r.alarm,
                        explanation: r.explanation,
                        acknowledged: false,
                    });
                }
            }
        }
        self.active.sort_by_key(|s| s.alarm.priority);
    }

    /// Forget every alarm and the pause (a new session).
    pub fn clear(&mut self) {
        self.active.clear();
        self.pause.reset();
        self.scheduler = Scheduler::default();
    }

    /// The engine's alarms among those listed, most urgent first (the dashboard's).
    pub fn active(&self) -> Vec<Alarm> {
        self.active_with_readings()
            .into_iter()
            .map(|x| x.alarm)
            .collect()
    }

    /// The engine's alarms with their priorities and readings, most urgent first.
    pub fn active_with_readings(&self) -> Vec<Active> {
        self.active
            .iter()
            .filter_map(|s| {
                let alarm = Alarm::ALL.into_iter().find(|a| a.key() == s.alarm.id)?;
                Some(Active {
                    alarm,
                    priority: s.alarm.priority,
                    reading: s.alarm.reading.clone(),
                })
            })
            .collect()
    }

    /// The alarms listed now, most urgent first.
    pub fn listed(&self) -> Vec<&BedsideAlarm> {
        self.active.iter().map(|s| &s.alarm).collect()
    }

    pub fn is_acknowledged(&self, id: &str) -> bool {
        self.active
            .iter()
            .any(|s| s.alarm.id == id && s.acknowledged)
    }

    /// Seconds of sound pause left at wall time `now_s`.
    pub fn silenced_for_s(&self, now_s: f64) -> Option<f64> {
        self.pause.remaining_s(now_s)
    }

    /// Pause the sound of the alarms on now, for [`sound::SILENCE_S`].
    pub fn silence(&mut self, now_s: f64) {
        let ids: Vec<&str> = self.active.iter().map(|s| s.alarm.id.as_str()).collect();
        self.pause.silence(now_s, &ids);
    }

    /// The most urgent alarm that may sound at `now_s` (none: quiet).
    pub fn sounding(&self, now_s: f64) -> Option<Priority> {
        self.active
            .iter()
            .filter(|s| self.pause.may_sound(&s.alarm.id, now_s))
            .map(|s| s.alarm.priority)
            .min()
    }

    /// Start a burst if one is due (call every frame with the wall clock); returns it.
    pub fn sound(&mut self, now_s: f64) -> Option<Priority> {
        let due = self.scheduler.due(self.sounding(now_s), now_s);
        if let Some(p) = due {
            self.speaker.play(p);
        }
        due
    }

    /// The speaker's player, if the machine has one.
    pub fn player(&self) -> Option<&str> {
        self.speaker.player()
    }

    /// The area: a fixed-height list (priority marks and colour, title, reading, since when,
    /// why and what helps where the screen teaches), with Acknowledge per alarm and the sound
    /// pause for all. `t_s`: simulated time now; `now_s`: the wall clock (flashing, the pause).
    /// Returns what the user did, for the event log.
    pub fn alarms_ui(&mut self, ui: &mut egui::Ui, t_s: f64, now_s: f64) -> Vec<String> {
        let mut log = Vec::new();
        let width = ui.available_width();
        let height = ALARM_ROWS as f32 * ROW_HEIGHT;
        ui.allocate_ui_with_layout(
            egui::vec2(width, height),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                ui.set_min_size(egui::vec2(width, height));
                ui.set_max_height(height);
                self.rows_ui(ui, t_s, now_s, &mut log);
            },
        );
        log
    }

    fn rows_ui(&mut self, ui: &mut egui::Ui, t_s: f64, now_s: f64, log: &mut Vec<String>) {
        // The first row always holds the sound control, so it never moves.
        ui.horizontal(|ui| {
            let button = ui.add_enabled(!self.active.is_empty(), egui::Button::new(SILENCE_LABEL));
            if button.clicked() {
                self.silence(now_s);
                log.push("paused the alarm sound for 2 min".into());
            }
            if let Some(left) = self.pause.remaining_s(now_s) {
                ui.label(RichText::new(format!("sound paused {left:.0} s")).color(Color32::GRAY));
            }
            if self.active.is_empty() {
                ui.label(RichText::new("No alarms").color(Color32::GRAY));
            }
            if let Some(first) = self.active.first().cloned() {
                self.row_ui(ui, &first, t_s, now_s, log);
            }
        });
        let rest: Vec<Shown> = self.active.iter().skip(1).cloned().collect();
        let shown = rest.len().min(ALARM_ROWS - 1);
        for (i, s) in rest.iter().take(shown).enumerate() {
            ui.horizontal(|ui| {
                let hidden = rest.len() - shown;
                if i + 1 == shown && hidden > 0 {
                    ui.label(
                        RichText::new(format!("+{hidden} more"))
                            .color(Color32::GRAY)
                            .small(),
                    );
                }
                self.row_ui(ui, s, t_s, now_s, log);
            });
        }
    }

    fn row_ui(
        &mut self,
        ui: &mut egui::Ui,
        s: &Shown,
        t_s: f64,
        now_s: f64,
        log: &mut Vec<String>,
    ) {
        let a = &s.alarm;
        let color = priority_color(a.priority);
        let shown = if s.acknowledged || sound::lit(a.priority, now_s) {
            color
        } else {
            color.gamma_multiply(0.3)
        };
        ui.label(
            RichText::new(format!("{} {}", a.priority.marks(), a.title))
                .color(shown)
                .strong(),
        );
        ui.label(RichText::new(&a.reading).color(color));
        ui.label(
            RichText::new(format!(
                "since t = {} ({})",
                duration_text(a.since_s),
                duration_text(t_s - a.since_s)
            ))
            .small()
            .color(Color32::GRAY),
        );
        if !s.acknowledged
            && ui
                .small_button(format!("Acknowledge {}", a.title))
                .clicked()
        {
            if let Some(st) = self.active.iter_mut().find(|x| x.alarm.id == a.id) {
                st.acknowledged = true;
            }
            log.push(format!("acknowledged alarm: {}", a.title));
        }
        if let Some(why) = &s.explanation {
            ui.add(egui::Label::new(RichText::new(why).small()).truncate());
        }
    }
}
