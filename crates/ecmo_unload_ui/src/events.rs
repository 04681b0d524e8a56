//! The dashboard's side of the simulation: commands sent (and logged in words), events
//! received and applied to what the screen shows, and a restart after a failure.

use super::*;
use ecmo_unload::units::{min_from_s, s_from_min};

impl Dashboard {
    /// Draw a panel from a read-only view of the dashboard, then carry out what it asked for.
    pub(crate) fn controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        panel: impl FnOnce(&mut egui::Ui, &mut consoles::Controls),
    ) {
        let mut controls = consoles::Controls::new(
            &self.patient,
            &self.values,
            self.status.as_ref(),
            &self.beats,
        );
        panel(ui, &mut controls);
        for action in controls.into_actions() {
            match action {
                consoles::Action::Command(cmd) => self.send(cmd),
                consoles::Action::CaptureBaselineLoop => self.ghost = Some(self.loop_points()),
            }
        }
    }

    pub(crate) fn send(&mut self, cmd: Command) {
        // A slider shows the value asked for at once; the patient the simulation sends back
        // (or its refusal) settles it.
        if let Command::Set { key, value } = &cmd
            && let (Some(shown), Ok(x)) = (self.values.get_mut(key), value.parse::<f64>())
        {
            *shown = x;
        }
        if let Some(what) = describe(&cmd) {
            // What starts a new session opens that session's log too.
            if matches!(cmd, Command::Load(_) | Command::LoadScenario(_)) {
                self.restart_note = Some(what.clone());
            }
            self.note("user", what);
        }
        match &mut self.backend {
            Backend::Thread(t) => {
                if t.commands.send(cmd).is_err() {
                    self.message = Some("the simulation thread has stopped".into());
                }
            }
            Backend::Inline {
                stepper,
                paused,
                speed,
            } => match cmd {
                Command::Pause(p) => *paused = p,
                Command::Speed(s) => *speed = s,
                other => {
                    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        stepper.apply(&other)
                    }));
                    match applied {
                        Ok(Some(ev)) => self.handle(ev),
                        Ok(None) => {}
                        Err(payload) => {
                            self.handle(Event::Failed(sim::panic_message(payload.as_ref())))
                        }
                    }
                }
            },
        }
    }

    /// Start the simulation again from the last checkpoint (after a failure).
    pub fn restart_from_checkpoint(&mut self) {
        let Some(engine) = self.checkpoint.clone() else {
            return;
        };
        let t = engine.t_s();
        self.backend = match &self.backend {
            Backend::Thread(_) => {
                let ctx = self.ctx.clone().unwrap_or_default();
                match SimThread::spawn(*engine, move || ctx.request_repaint_after(Duration::ZERO)) {
                    Ok(t) => Backend::Thread(t),
                    Err(e) => {
                        self.message = Some(format!("could not restart: {e}"));
                        return;
                    }
                }
            }
            Backend::Inline { speed, .. } => Backend::Inline {
                stepper: Box::new(Stepper::new(*engine)),
                paused: false,
                speed: *speed,
            },
        };
        if self.lab.is_some() {
            self.send(Command::ServeBedside(true));
        }
        self.failed = None;
        self.message = None;
        self.paused = false;
        self.waves.clear();
        self.now_s = t;
        self.note(
            "system",
            format!("restarted from the checkpoint at {t:.0} s"),
        );
    }

    /// Drain what the simulation produced; called once per frame before drawing.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let notices = self.lab.as_ref().map(|l| l.notices()).unwrap_or_default();
        for n in notices {
            self.note("lab", n);
        }
        let mut events = Vec::new();
        match &mut self.backend {
            Backend::Thread(t) => {
                events.extend(t.events.try_iter());
                let silent_stop = t.is_finished() && t.events.is_empty();
                if silent_stop && self.failed.is_none() && events.is_empty() {
                    events.push(Event::Failed("the simulation thread stopped".into()));
                }
            }
            Backend::Inline {
                stepper,
                paused,
                speed,
            } => {
                if (!*paused || stepper.is_jumping()) && self.failed.is_none() {
                    let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut out = Output::default();
                        if stepper.is_jumping() {
                            stepper.finish_jump(&mut out);
                        } else {
                            stepper.advance(INLINE_FRAME_S * *speed, &mut out);
                        }
                        stepper.frame(out)
                    }));
                    // The inline backend checkpoints every frame (it is cheap at test scale),
                    // a finite state only: a restart resumes from the last one.
                    match frame {
                        Ok(f) if stepper.engine.is_finite() => {
                            events.push(f);
                            self.checkpoint = Some(Box::new(stepper.engine.clone()));
                        }
                        Ok(_) => events.push(Event::Failed(format!(
                            "the simulation became non-finite at {:.1} s",
                            stepper.engine.t_s()
                        ))),
                        Err(payload) => {
                            events.push(Event::Failed(sim::panic_message(payload.as_ref())))
                        }
                    }
                }
            }
        }
        for ev in events {
            self.handle(ev);
        }
        if let Some(r) = &mut self.recorder
            && let Err(e) = r.flush()
        {
            self.recording_failed(e.to_string());
        }
        if !self.paused {
            ctx.request_repaint_after(FRAME);
        }
    }

    pub(crate) fn handle(&mut self, ev: Event) {
        match ev {
            Event::Frame {
                mut out,
                status,
                picture,
                patient,
                bedside,
            } => {
                if let (Some(b), Some(lab)) = (bedside, &mut self.lab) {
                    lab.offer(*b);
                }
                self.jumping = out.jumping;
                self.now_s = out.t_s;
                self.engine_alarms = std::mem::take(&mut out.alarms);
                self.alarm_onsets = std::mem::take(&mut out.onsets);
                // The log's alarm rows come from the session, each at its own time: an alarm
                // that began and cleared inside a jump ahead is recorded as it happened.
                for c in std::mem::take(&mut out.alarm_changes) {
                    let text = match &c.raised {
                        Some(reading) => format!("{}: {reading}", c.alarm.title()),
                        None => format!("{} cleared", c.alarm.title()),
                    };
                    self.note_at(c.t_s, "alarm", text);
                }
                self.status = Some(*status);
                self.picture = *picture;
                if let Some(p) = patient {
                    self.patient = *p;
                    self.refresh_values();
                }
                for f in &out.fired {
                    let hidden = self.scenario.is_hidden(f);
                    let source = if hidden {
                        log::HIDDEN_SOURCE
                    } else {
                        "scenario"
                    };
                    let outcome = f
                        .failed
                        .as_ref()
                        .map_or(String::new(), |why| format!(", failed: {why}"));
                    let text = format!("{} (at {:.0} s{outcome})", f.name, f.t_s);
                    self.note_at(f.t_s, source, text);
                    self.scenario.record(f);
                }
                if let Some(r) = &mut self.recorder {
                    let written = r
                        .waves(&out.samples)
                        .and_then(|()| out.beats.iter().try_for_each(|b| r.beat(b)));
                    if let Err(e) = written {
                        self.recording_failed(e.to_string());
                    }
                }
                self.waves.extend(out.samples);
                for b in out.beats {
                    self.push_beat(b);
                }
                for p in out.trend {
                    self.trends.push(p);
                }
                self.check_alarms();
                if let Some(last) = self.waves.back().map(|s| s.t_s) {
                    while self.waves.front().is_some_and(|s| s.t_s < last - SWEEP_S) {
                        self.waves.pop_front();
                    }
                }
            }
            Event::Patient(p) => {
                self.patient = *p;
                self.refresh_values();
            }
            Event::Restarted(p) => {
                // A new session from t = 0: its log starts afresh (its times begin again), and
                // says what it started from.
                self.log = log::EventLog::default();
                if let Some(what) = self.restart_note.take() {
                    self.note_at(0.0, "user", what);
                }
                self.note_at(0.0, "system", format!("new session: patient '{}'", p.name));
                self.waves.clear();
                self.now_s = 0.0;
                self.beats.clear();
                self.trends.clear();
                self.blood_gas.clear();
                self.alarms.clear();
                self.ghost = None;
                self.message = None;
                self.patient = *p;
                self.refresh_values();
            }
            Event::Rejected(msg) => {
                // The slider showed a value the simulation refused: put the real one back.
                self.note("system", format!("rejected: {msg}"));
                self.message = Some(msg);
                self.refresh_values();
            }
            Event::Checkpoint(e) => self.checkpoint = Some(e),
            Event::ScenarioStarted { patient, scenario } => {
                self.handle(Event::Restarted(patient));
                self.note("system", format!("scenario: {}", scenario.title));
                self.scenario.start(*scenario);
            }
            Event::Forecasts(results) => {
                self.what_if.pending = false;
                match &results {
                    Ok(f) => self.note("system", format!("forecast {} strategies", f.len())),
                    Err(e) => self.note("system", format!("forecast failed: {e}")),
                }
                self.what_if.results = Some(results);
            }
            Event::Fitted(result) => {
                self.calibrate.pending = false;
                match result.as_ref() {
                    Ok(f) => self.note("system", format!("fitted ({} evaluations)", f.evaluations)),
                    Err(e) => self.note("system", format!("fit failed: {e}")),
                }
                self.calibrate.result = Some(*result);
            }
            Event::Cohort(outcomes) => {
                self.what_if.cohort_pending = false;
                match &outcomes {
                    Ok(o) => self.note("system", format!("virtual cohort of {} patients", o.len())),
                    Err(e) => self.note("system", format!("virtual cohort failed: {e}")),
                }
                self.what_if.cohort = Some(outcomes);
            }
            Event::Failed(msg) => {
                self.note("system", format!("simulation failed: {msg}"));
                self.failed = Some(msg);
            }
        }
    }
}

/// A user command in words, for the event log (`None`: not worth logging).
pub(crate) fn describe(cmd: &Command) -> Option<String> {
    Some(match cmd {
        Command::Set { key, value } => format!("set {key} = {value}"),
        Command::Load(p) => format!("loaded patient '{}'", p.name),
        Command::Fluid {
            volume_ml,
            duration_s,
        } => format!(
            "fluid {volume_ml:+.0} mL over {:.0} min",
            min_from_s(*duration_s)
        ),
        Command::Bolus { drug, mcg_kg } => format!("{} bolus {mcg_kg} mcg/kg", drug.name()),
        // A screenshot's run-up is seconds; the buttons' jumps are whole minutes.
        Command::JumpAhead(s) if *s < s_from_min(1.0) => format!("jumped ahead {s:.0} s"),
        Command::JumpAhead(s) => format!("jumped ahead {:.0} min", min_from_s(*s)),
        Command::CancelJump => "cancelled the jump ahead".into(),
        Command::Fit(ms) => format!(
            "fit to {}",
            ms.iter()
                .map(|m| format!("{} = {}", m.key, m.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Command::LoadScenario(sc) => format!("started scenario '{}'", sc.title),
        Command::FireNextEvent => "fired the next scenario event".into(),
        Command::Cohort { n, seed, .. } => format!("virtual cohort of {n} patients (seed {seed})"),
        Command::Forecast(strategies) => format!(
            "forecast: {}",
            strategies
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Command::Pause(true) => "paused".into(),
        Command::Pause(false) => "resumed".into(),
        Command::Speed(x) => format!("speed x{x}"),
        Command::ServeBedside(true) => "serving the bedside monitor".into(),
        Command::Shutdown | Command::Crash | Command::ServeBedside(false) => return None,
    })
}
