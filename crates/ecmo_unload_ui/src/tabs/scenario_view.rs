//! The Scenario tab, for the instructor: choose a case from the library, see its objectives,
//! notes and timeline, fire the next event now, annotate, and switch to the trainee's view
//! (instructor notes and hidden events' causes out of sight).

use crate::table;
use ecmo_unload::scenario::{Fired, LIBRARY, Scenario};
use egui::{Color32, RichText};

/// What the user asked this frame.
pub enum Ask {
    Load(Scenario),
    FireNext,
    Annotate(String),
}

/// Rows of the timeline shown at once; more scroll (only the visible rows are laid out, so a
/// timeline of thousands of events costs what a short one does).
const TIMELINE_VISIBLE_ROWS: f32 = 12.0;
/// Column widths (points) of the event and its time; when it fired takes the rest.
const TIMELINE_COLUMN_WIDTHS: [f32; 2] = [280.0, 240.0];

#[derive(Default)]
pub struct ScenarioPanel {
    pub scenario: Option<Scenario>,
    /// When each event fired (simulated s), by its index in the scenario.
    fired_at_s: Vec<Option<f64>>,
    /// The trainee's view: no instructor notes, hidden events unnamed.
    pub trainee: bool,
    annotation: String,
    error: Option<String>,
    /// A library case chosen while another runs: it starts once the instructor confirms.
    confirm: Option<&'static str>,
}

impl ScenarioPanel {
    pub fn start(&mut self, s: Scenario) {
        self.fired_at_s = vec![None; s.events.len()];
        self.scenario = Some(s);
    }

    /// Note an event that fired.
    pub fn record(&mut self, f: &Fired) {
        if let Some(slot) = self.fired_at_s.get_mut(f.event) {
            *slot = Some(f.t_s);
        }
    }

    /// Is this event one the trainee must not see named?
    pub fn is_hidden(&self, f: &Fired) -> bool {
        self.scenario
            .as_ref()
            .and_then(|s| s.events.get(f.event))
            .is_some_and(|e| e.hidden)
    }

    fn load(&mut self, name: &str, asks: &mut Vec<Ask>) {
        match Scenario::load(name) {
            Ok(s) => asks.push(Ask::Load(s)),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn scenario_ui(&mut self, ui: &mut egui::Ui, t_s: f64) -> Vec<Ask> {
        let mut asks = Vec::new();
        ui.horizontal_wrapped(|ui| {
            ui.label("Library:");
            for (name, _) in LIBRARY {
                if ui.button(name).clicked() {
                    // A running case is not replaced on one click: the instructor confirms.
                    if self.scenario.is_some() {
                        self.confirm = Some(name);
                    } else {
                        self.load(name, &mut asks);
                    }
                }
            }
        });
        if let Some(name) = self.confirm {
            ui.horizontal(|ui| {
                let running = self.scenario.as_ref().map_or("", |s| s.title.as_str());
                ui.colored_label(
                    Color32::from_rgb(255, 200, 80),
                    format!("Start '{name}' from t = 0? '{running}' ends."),
                );
                if ui.button(format!("Start {name}")).clicked() {
                    self.confirm = None;
                    self.load(name, &mut asks);
                }
                if ui.button("Keep the running case").clicked() {
                    self.confirm = None;
                }
            });
        }
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(255, 120, 120), e);
        }
        ui.checkbox(&mut self.trainee, "Trainee view");
        // Borrowed, not cloned: a timeline may hold thousands of events.
        let Some(s) = &self.scenario else {
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
        ui.label(RichText::new(format!("Timeline ({} events)", s.events.len())).strong());
        table::header(ui, &TIMELINE_COLUMN_WIDTHS, &["event", "when", "fired"]);
        let h = table::row_height(ui);
        table::rows(
            ui,
            "scenario_timeline",
            h * TIMELINE_VISIBLE_ROWS,
            s.events.len(),
            |ui, k| {
                let ev = &s.events[k];
                let masked = self.trainee && ev.hidden;
                let when = match (ev.at_s, &ev.when) {
                    (Some(t), _) => format!("at {t:.0} s"),
                    (None, Some(c)) if !masked => format!("when {c}"),
                    _ => "on a condition".into(),
                };
                let fired = match self.fired_at_s.get(k).copied().flatten() {
                    Some(t) => format!("{t:.0} s"),
                    None => "-".into(),
                };
                let name = if masked { "(hidden)" } else { ev.name.as_str() };
                table::row(
                    ui,
                    &TIMELINE_COLUMN_WIDTHS,
                    h,
                    [name.into(), when.into(), fired.into()],
                );
            },
        );
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
