//! The top bar: presets and files, pause and speed, jump ahead, recording, Save PNG and the debrief.

use crate::*;

impl Dashboard {
    pub(crate) fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("ecmo-unload");
            ui.label(
                RichText::new("Simulation for education and research: not a medical device")
                    .color(Color32::from_rgb(255, 200, 80)),
            );
            ui.separator();
            let mut chosen = None;
            egui::ComboBox::from_label("Preset")
                .selected_text(self.patient.name.clone())
                .show_ui(ui, |ui| {
                    for name in presets::names() {
                        if ui
                            .selectable_label(self.patient.name == name, name)
                            .clicked()
                        {
                            chosen = Some(name);
                        }
                    }
                });
            if let Some(name) = chosen {
                match presets::load(name) {
                    Ok(p) => self.send(Command::Load(Box::new(p))),
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            let label = if self.paused { "Run" } else { "Pause" };
            if ui.button(label).clicked() {
                self.paused = !self.paused;
                self.send(Command::Pause(self.paused));
            }
            for s in SPEEDS {
                if ui
                    .selectable_label(self.speed == s, format!("x{s}"))
                    .clicked()
                {
                    self.speed = s;
                    self.send(Command::Speed(s));
                }
            }
            let t = self.t_s();
            ui.label(format!("t = {t:.0} s"));
        });
        ui.horizontal(|ui| {
            ui.label("Jump ahead");
            for (label, minutes) in JUMPS {
                if ui.button(label).clicked() {
                    self.send(Command::JumpAhead(minutes * 60.0));
                }
            }
            if let Some(j) = self.jumping {
                ui.add(
                    egui::ProgressBar::new(j.fraction() as f32)
                        .desired_width(JUMP_BAR_WIDTH)
                        .text(format!(
                            "jumping: {:.0} of {:.0} min",
                            j.done_s / 60.0,
                            j.total_s / 60.0
                        )),
                );
                if ui.button("Cancel jump").clicked() {
                    self.send(Command::CancelJump);
                }
            }
            ui.separator();
            let recording = self.recorder.is_some();
            if ui
                .selectable_label(recording, if recording { "Recording" } else { "Record" })
                .clicked()
            {
                if recording {
                    self.stop_recording();
                } else {
                    let dir = std::path::PathBuf::from(format!(
                        "recording-{}",
                        chrono::Local::now().format("%Y%m%d-%H%M%S")
                    ));
                    self.start_recording(&dir);
                }
            }
            if ui.button("Save PNG").clicked() {
                self.export_png = true;
            }
            if ui.button("Debrief").clicked() {
                let dir = std::path::PathBuf::from(format!(
                    "debrief-{}",
                    chrono::Local::now().format("%Y%m%d-%H%M%S")
                ));
                self.write_debrief(&dir);
            }
            ui.separator();
            let label = ui.label("Preset file");
            ui.add(
                egui::TextEdit::singleline(&mut self.preset_path)
                    .hint_text("path/to/patient.ron")
                    .desired_width(PRESET_PATH_WIDTH),
            )
            .labelled_by(label.id);
            if ui.button("Open").clicked() {
                self.open_preset();
            }
            if ui.button("Save").clicked() {
                self.save_preset();
            }
        });
        if let Some(lab) = &self.lab {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "Serving the bedside monitor on {} - code {}",
                        lab.local_addr(),
                        lab.code()
                    ))
                    .color(Color32::from_rgb(120, 220, 120)),
                );
                let trainees = lab.trainees();
                let who = if trainees.is_empty() {
                    "no trainee connected".to_string()
                } else {
                    format!(
                        "{} connected: {}",
                        trainees.len(),
                        trainees
                            .iter()
                            .map(|t| format!("{} ({})", t.name, t.peer.ip()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                ui.label(who);
            });
        }
        if let Some(msg) = &self.message {
            ui.colored_label(Color32::from_rgb(255, 120, 120), msg);
        }
    }
}
