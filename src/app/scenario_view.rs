//! The Scenario tab, for the instructor: choose a case from the library, see its objectives,
//! notes and timeline, fire the next event now, annotate, and switch to the trainee's view
//! (instructor notes and hidden events' causes out of sight).

use crate::scenario::{Fired, LIBRARY, Scenario};
use egui::{Color32, RichText};

/// What the user asked this frame.
pub enum Ask {
    Load(Scenario),
    FireNext,
    Annotate(String),
}

#[derive(Default)]
pub struct ScenarioPanel {
    pub scenario: Option<Scenario>,
    pub fired: Vec<Fired>,
    /// The trainee's view: no instructor notes, hidden events unnamed.
    pub trainee: bool,
    annotation: String,
    error: Option<String>,
}

impl ScenarioPanel {
    pub fn start(&mut self, s: Scenario) {
        self.scenario = Some(s);
        self.fired.clear();
    }

    /// Is this event one the trainee must not see named?
    pub fn is_hidden(&self, name: &str) -> bool {
        self.scenario
            .as_ref()
            .is_some_and(|s| s.events.iter().any(|e| e.hidden && e.name == name))
    }

    pub fn scenario_ui(&mut self, ui: &mut egui::Ui, t_s: f64) -> Vec<Ask> {
        let mut asks = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.label("Library:");
            for (name, _) in LIBRARY {
                if ui.button(name).clicked() {
                    match Scenario::load(name) {
                        Ok(s) => asks.push(Ask::Load(s)),
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(255, 120, 120), e);
        }
        ui.checkbox(&mut self.trainee, "Trainee view");
        let Some(s) = self.scenario.clone() else {
            ui.label("Choose a case to start it from t = 0.");
            return asks;
        };
        ui.heading(&s.title);
        ui.label(RichText::new("Learning objectives").strong());
        for o in &s.objectives {
            ui.label(format!("- {o}"));
        }
        if !self.trainee {
            ui.label(RichText::new("Instructor notes").strong());
            ui.label(RichText::new(&s.instructor_notes).color(Color32::from_rgb(255, 200, 80)));
        }
        ui.separator();
        ui.label(RichText::new("Timeline").strong());
        egui::Grid::new("scenario_timeline")
            .striped(true)
            .show(ui, |ui| {
                for h in ["event", "when", "fired"] {
                    ui.strong(h);
                }
                ui.end_row();
                for ev in &s.events {
                    let masked = self.trainee && ev.hidden;
                    ui.label(if masked { "(hidden)" } else { ev.name.as_str() });
                    let when = match (ev.at_s, &ev.when) {
                        (Some(t), _) => format!("at {t:.0} s"),
                        (None, Some(c)) if !masked => format!("when {c}"),
                        _ => "on a condition".into(),
                    };
                    ui.label(when);
                    match self.fired.iter().find(|f| f.name == ev.name) {
                        Some(f) => ui.label(format!("{:.0} s", f.t_s)),
                        None => ui.label("-"),
                    };
                    ui.end_row();
                }
            });
        if ui.button("Trigger the next event now").clicked() {
            asks.push(Ask::FireNext);
        }
        if !self.trainee && !s.checkpoints.is_empty() {
            ui.label(RichText::new("Checkpoints (the teaching state)").strong());
            for cp in &s.checkpoints {
                ui.label(format!(
                    "at {:.0} s: {} ({})",
                    cp.at_s,
                    cp.expect.join(", "),
                    cp.note
                ));
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            let l = ui.label("Annotation");
            ui.add(egui::TextEdit::singleline(&mut self.annotation).desired_width(360.0))
                .labelled_by(l.id);
            if ui.button("Add to the log").clicked() && !self.annotation.trim().is_empty() {
                asks.push(Ask::Annotate(format!(
                    "{} (at {t_s:.0} s)",
                    std::mem::take(&mut self.annotation).trim()
                )));
            }
        });
        asks
    }
}
