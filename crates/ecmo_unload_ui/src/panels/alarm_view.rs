//! The alarm bar: which alarms hold (from `ecmo_unload::alarms`), since when, and what the user did
//! about them. Acknowledging keeps an alarm listed but quiet (no flashing); silencing hides it
//! for a while; an alarm that clears and returns is new again.

use ecmo_unload::alarms::{Alarm, Priority};
use egui::{Color32, RichText};
use std::collections::BTreeMap;

/// How long "Silence" hides the alarms (simulated seconds, as a console's 2-minute silence).
pub const SILENCE_S: f64 = 120.0;

#[derive(Clone, Debug)]
struct State {
    since_s: f64,
    detail: String,
    acknowledged: bool,
}

#[derive(Default)]
pub struct AlarmPanel {
    active: BTreeMap<Alarm, State>,
    silenced_until_s: f64,
}

/// What changed, for the event log.
pub enum Change {
    Raised(Alarm, String),
    Cleared(Alarm),
}

pub fn priority_color(p: Priority) -> Color32 {
    match p {
        Priority::High => Color32::from_rgb(255, 60, 60),
        Priority::Medium => Color32::from_rgb(255, 200, 40),
        Priority::Low => Color32::from_rgb(80, 200, 255),
    }
}

impl AlarmPanel {
    /// Take up the alarms that hold at `t_s`; returns what rose and what cleared.
    pub fn update(&mut self, now: Vec<(Alarm, String)>, t_s: f64) -> Vec<Change> {
        let mut changes = Vec::new();
        let holding: Vec<Alarm> = now.iter().map(|(a, _)| *a).collect();
        self.active.retain(|a, _| {
            let keep = holding.contains(a);
            if !keep {
                changes.push(Change::Cleared(*a));
            }
            keep
        });
        for (a, detail) in now {
            match self.active.get_mut(&a) {
                Some(s) => s.detail = detail,
                None => {
                    changes.push(Change::Raised(a, detail.clone()));
                    self.active.insert(
                        a,
                        State {
                            since_s: t_s,
                            detail,
                            acknowledged: false,
                        },
                    );
                }
            }
        }
        changes
    }

    pub fn clear(&mut self) {
        self.active.clear();
        self.silenced_until_s = 0.0;
    }

    /// Active alarms, most urgent first.
    pub fn active(&self) -> Vec<Alarm> {
        let mut a: Vec<Alarm> = self.active.keys().copied().collect();
        a.sort_by_key(|x| (x.priority(), *x));
        a
    }

    /// Active alarms with their readings, most urgent first.
    pub fn active_with_readings(&self) -> Vec<(Alarm, String)> {
        self.active()
            .into_iter()
            .map(|a| (a, self.active[&a].detail.clone()))
            .collect()
    }

    pub fn is_acknowledged(&self, a: Alarm) -> bool {
        self.active.get(&a).is_some_and(|s| s.acknowledged)
    }

    pub fn silenced(&self, t_s: f64) -> bool {
        t_s < self.silenced_until_s
    }

    /// The bar: one line per alarm (priority colour, title, reading, since when, why and what
    /// helps), with Acknowledge per alarm and Silence for all.
    pub fn alarms_ui(&mut self, ui: &mut egui::Ui, t_s: f64) -> Vec<String> {
        let mut log = Vec::new();
        if self.active.is_empty() {
            ui.label(RichText::new("No alarms").color(Color32::GRAY));
            return log;
        }
        if self.silenced(t_s) {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{} alarm(s) silenced for {:.0} s",
                        self.active.len(),
                        self.silenced_until_s - t_s
                    ))
                    .color(Color32::GRAY),
                );
            });
            return log;
        }
        // Unacknowledged alarms blink, as on a monitor (1 Hz on the simulated clock).
        let blink_on = (t_s * 2.0) as i64 % 2 == 0;
        for a in self.active() {
            let s = self.active[&a].clone();
            ui.horizontal(|ui| {
                let color = priority_color(a.priority());
                let shown = if s.acknowledged || blink_on {
                    color
                } else {
                    color.gamma_multiply(0.4)
                };
                // Monitor convention: *** high, ** medium, * low priority.
                let stars = match a.priority() {
                    Priority::High => "***",
                    Priority::Medium => "**",
                    Priority::Low => "*",
                };
                ui.label(
                    RichText::new(format!("{stars} {}", a.title()))
                        .color(shown)
                        .strong(),
                );
                ui.label(RichText::new(&s.detail).color(color));
                ui.label(
                    RichText::new(format!("since {:.0} s", s.since_s))
                        .small()
                        .color(Color32::GRAY),
                );
                if !s.acknowledged && ui.button(format!("Acknowledge {}", a.title())).clicked() {
                    if let Some(st) = self.active.get_mut(&a) {
                        st.acknowledged = true;
                    }
                    log.push(format!("acknowledged alarm: {}", a.title()));
                }
                ui.label(RichText::new(a.explanation()).small());
            });
        }
        if ui.button("Silence alarms 2 min").clicked() {
            self.silenced_until_s = t_s + SILENCE_S;
            log.push("silenced alarms for 2 min".into());
        }
        log
    }
}
