//! Teaching scenarios: a patient (a preset plus settings), a timeline of events at simulated
//! times or on conditions, learning objectives, instructor notes, and checkpoints that state the
//! teaching state the case must reach. Files are RON (`presets/scenarios/*.ron`, the library
//! built in); errors name the file, line and column.
//!
//! Actions: `KEY=VALUE` (a setting), `KEY*=FACTOR` (scale a setting: "contractility x 0.7"),
//! `fluid ML:MINUTES`, `bolus DRUG:MCG_KG`. Conditions and checkpoint expectations:
//! `SUMMARY_KEY < NUMBER` or `SUMMARY_KEY > NUMBER` (`<=`, `>=` too), on the means of the last
//! beats.

use crate::drugs::Drug;
use crate::engine::Engine;
use crate::error::Error;
use crate::fluids;
use crate::patient::Patient;
use crate::presets;
use crate::settings;
use serde::{Deserialize, Serialize};

/// Built-in scenarios: `presets/scenarios/NAME.ron`, embedded.
macro_rules! library {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../../presets/scenarios/", $name, ".ron")))),*]
    };
}

/// The built-in library: (name, RON text).
pub const LIBRARY: [(&str, &str); 15] = library![
    "ami-shock",
    "ecmo-lv-distension",
    "iabp-early-inflation",
    "iabp-late-inflation",
    "iabp-early-deflation",
    "iabp-late-deflation",
    "myocarditis-stone-heart",
    "aortic-regurgitation-ecmo",
    "north-south",
    "inotrope-escalation",
    "weaning-ecmo-iabp",
    "rv-failure",
    "ecmo-sweep",
    "epinephrine-lactate",
    "ecpr",
];

/// Conditions are checked at this simulated interval...
pub const CONDITION_CHECK_S: f64 = 1.0;
/// ...once the patient has settled from its start at rest (a MAP condition must not fire on the
/// first beats of a circulation starting up).
pub const CONDITIONS_FROM_S: f64 = 30.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub title: String,
    /// Built-in preset name or preset file path.
    pub preset: String,
    /// Settings at the start (devices, drugs, disease), as `--set`.
    #[serde(default)]
    pub set: Vec<String>,
    #[serde(default)]
    pub events: Vec<TimelineEvent>,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub instructor_notes: String,
    /// Teaching states the case reaches: at a time, expectations that must hold.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEvent {
    pub name: String,
    /// Fire at this simulated time...
    #[serde(default)]
    pub at_s: Option<f64>,
    /// ...or when this holds (first time only), e.g. "map_mmhg < 50".
    #[serde(default)]
    pub when: Option<String>,
    pub actions: Vec<String>,
    /// Hidden from the trainee's view (the instructor sees it).
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub at_s: f64,
    pub expect: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// A parsed condition: key, comparison, and a number or another key (`iabp_aedp_mmhg >
/// iabp_uaedp_mmhg`).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    pub rhs: Rhs,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    Number(f64),
    Key(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Less,
    LessEq,
    Greater,
    GreaterEq,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        for (sym, op) in [
            ("<=", Op::LessEq),
            (">=", Op::GreaterEq),
            ("<", Op::Less),
            (">", Op::Greater),
        ] {
            if let Some((k, v)) = text.split_once(sym) {
                let v = v.trim();
                let rhs = match v.parse::<f64>() {
                    // A comparison with NaN never holds, and one with infinity always or never.
                    Ok(x) if !x.is_finite() => {
                        return Err(format!("'{text}': '{v}' is not a finite number"));
                    }
                    Ok(x) => Rhs::Number(x),
                    Err(_)
                        if !v.is_empty()
                            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                    {
                        Rhs::Key(v.to_string())
                    }
                    Err(_) => return Err(format!("'{text}': '{v}' is neither a number nor a key")),
                };
                return Ok(Condition {
                    key: k.trim().to_string(),
                    op,
                    rhs,
                });
            }
        }
        Err(format!(
            "'{text}': expected KEY < NUMBER (or KEY > OTHER_KEY)"
        ))
    }

    /// Every summary key the condition names.
    pub fn keys(&self) -> Vec<&str> {
        match &self.rhs {
            Rhs::Number(_) => vec![&self.key],
            Rhs::Key(k) => vec![&self.key, k],
        }
    }

    /// Does it hold on this summary? (A key the summary lacks, or null, never holds.)
    pub fn holds(&self, s: &serde_json::Value) -> bool {
        let Some(x) = s[&self.key].as_f64() else {
            return false;
        };
        let y = match &self.rhs {
            Rhs::Number(y) => *y,
            Rhs::Key(k) => match s[k].as_f64() {
                Some(y) => y,
                None => return false,
            },
        };
        match self.op {
            Op::Less => x < y,
            Op::LessEq => x <= y,
            Op::Greater => x > y,
            Op::GreaterEq => x >= y,
        }
    }
}

/// Action prefixes: a fluid order and a loading dose (anything else is a setting).
const FLUID_PREFIX: &str = "fluid ";
const BOLUS_PREFIX: &str = "bolus ";

/// An action's error: the action as written, and why.
fn bad_action(action: &str, why: &str) -> Error {
    Error::Invalid {
        key: "action".into(),
        value: action.into(),
        reason: why.into(),
    }
}

/// One action, applied to a running engine.
pub fn apply_action(e: &mut Engine, action: &str) -> Result<(), Error> {
    let a = action.trim();
    if let Some(rest) = a.strip_prefix(FLUID_PREFIX) {
        let (ml, s) = fluids::parse_order(rest)
            .ok_or_else(|| bad_action(action, "expected fluid ML:MINUTES"))?;
        return e.give_fluid(ml, s);
    }
    if let Some(rest) = a.strip_prefix(BOLUS_PREFIX) {
        let (drug, dose) = Drug::parse_bolus(rest)?
            .ok_or_else(|| bad_action(action, "expected bolus DRUG:MCG_KG"))?;
        return e.give_bolus(drug, dose);
    }
    let (key, value) = setting_of(e.patient(), action)?;
    e.set(key, &value)
}

/// Whether an action changes a setting (`KEY=VALUE`, `KEY*=FACTOR`) rather than giving fluid
/// or a drug.
fn is_setting(action: &str) -> bool {
    let a = action.trim();
    !(a.starts_with(FLUID_PREFIX) || a.starts_with(BOLUS_PREFIX))
}

/// A setting action as the key and the value it sets on `p`.
fn setting_of<'a>(p: &Patient, action: &'a str) -> Result<(&'a str, String), Error> {
    let bad = |why: &str| bad_action(action, why);
    let a = action.trim();
    if let Some((key, factor)) = a.split_once("*=") {
        let key = key.trim();
        let factor: f64 = factor
            .trim()
            .parse()
            .map_err(|_| bad("factor is not a number"))?;
        let now = *settings::numbers(p)
            .get(key)
            .ok_or_else(|| Error::UnknownKey { key: key.into() })?;
        if !factor.is_finite() {
            return Err(bad("factor is not a finite number"));
        }
        // Scaling stops at the key's range ("contractility x 0.7" twice more is its floor):
        // what a timeline reaches after earlier events cannot be known at load.
        let scaled = settings::spec_of(key).map_or(now * factor, |spec| {
            (now * factor).clamp(spec.min, spec.max)
        });
        return Ok((key, scaled.to_string()));
    }
    let (key, value) = settings::parse_assignment(a)?;
    Ok((key, value.to_string()))
}

impl Scenario {
    /// Parse and check a scenario; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, Error> {
        let s: Scenario = ron::from_str(text).map_err(|e| Error::from_ron(file, &e))?;
        s.check().map_err(|(site, message)| {
            let (line, column) = s.locate(text, site);
            Error::Parse {
                file: file.to_string(),
                line,
                column,
                message,
            }
        })?;
        Ok(s)
    }

    /// Everything a run would trip over, found before it starts: (where, message).
    fn check(&self) -> Result<(), (Site, String)> {
        let patient =
            presets::load(&self.preset).map_err(|e| (Site::Preset, format!("preset: {e}")))?;
        let mut started = patient;
        for (i, a) in self.set.iter().enumerate() {
            started = settings::apply_all(&started, std::slice::from_ref(a))
                .map_err(|e| (Site::Set(i), format!("set: {e}")))?;
        }
        // Actions are tried in order on a scratch patient, and fluids and drugs on a scratch
        // engine brought up to that patient only when one comes (an engine's setting change
        // rebuilds its circuit: thousands of them would make loading slow).
        let mut probe = Engine::new(started.clone()).map_err(|e| (Site::Preset, e.to_string()))?;
        let mut patient = started;
        let mut probe_current = true;
        let known = crate::engine::summary_keys();
        let check_key = |key: &str| {
            if known.iter().any(|k| k == key) {
                Ok(())
            } else {
                Err(format!("unknown summary key '{key}' in a condition"))
            }
        };
        let mut last_at = 0.0_f64;
        for (k, ev) in self.events.iter().enumerate() {
            match (ev.at_s, &ev.when) {
                (Some(t), None) => {
                    if !in_time_range(t) {
                        return Err((
                            Site::Event(k),
                            format!("event '{}': {}", ev.name, time_range_error(t)),
                        ));
                    }
                    if t < last_at {
                        return Err((
                            Site::Event(k),
                            format!(
                                "event '{}' at {t} s is in the past: the one before it is at {last_at} s",
                                ev.name
                            ),
                        ));
                    }
                    last_at = t;
                }
                (None, Some(c)) => {
                    let c = Condition::parse(c)
                        .map_err(|m| (Site::Event(k), format!("event '{}': {m}", ev.name)))?;
                    for key in c.keys() {
                        check_key(key).map_err(|m| (Site::Event(k), m))?;
                    }
                }
                _ => {
                    return Err((
                        Site::Event(k),
                        format!("event '{}': give at_s or when (one of them)", ev.name),
                    ));
                }
            }
            for (j, a) in ev.actions.iter().enumerate() {
                // Unknown keys and bad values show now.
                let at = |e: Error| (Site::Action(k, j), format!("event '{}': {e}", ev.name));
                if is_setting(a) {
                    let (key, value) = setting_of(&patient, a).map_err(at)?;
                    patient = settings::set(&patient, key, &value).map_err(at)?;
                    probe_current = false;
                } else {
                    if !probe_current {
                        probe.set_patient(patient.clone()).map_err(at)?;
                        probe_current = true;
                    }
                    apply_action(&mut probe, a).map_err(at)?;
                }
            }
        }
        for (i, cp) in self.checkpoints.iter().enumerate() {
            if !in_time_range(cp.at_s) {
                return Err((
                    Site::Checkpoint(i),
                    format!("checkpoint {}: {}", i + 1, time_range_error(cp.at_s)),
                ));
            }
            for (j, x) in cp.expect.iter().enumerate() {
                let c = Condition::parse(x).map_err(|m| (Site::Expect(i, j), m))?;
                for key in c.keys() {
                    check_key(key).map_err(|m| (Site::Expect(i, j), m))?;
                }
            }
        }
        Ok(())
    }

    /// 1-based line and column of `site` in `text`, the file this scenario was parsed from.
    /// Strings are found in the order the file holds them (an event's name after the one
    /// before it, its actions after its name), so a name or action that occurs twice is
    /// located where it is at fault. Falls back to 1:1.
    fn locate(&self, text: &str, site: Site) -> (usize, usize) {
        // Searched with comments blanked (strings too, for field names): a note or a comment
        // that mentions a field or a string is not where it is.
        let (code, bare) = presets::masked(text);
        // String literals with their escapes decoded: a name written `"\u{61}"` is found as `a`.
        let literals = presets::string_literals(&code);
        // Each string's next literal after the one before (else its text as it stands, for a
        // raw string); the last one's start.
        let walk = |from: usize, strings: &[&str]| -> Option<usize> {
            strings
                .iter()
                .try_fold(None, |last: Option<usize>, s| {
                    let at = last.map_or(from, |l| l + 1);
                    // Literals are in file order: start at the first one past `at`.
                    let first = literals.partition_point(|(offset, _)| *offset < at);
                    let literal = literals[first..]
                        .iter()
                        .find(|(_, value)| value == s)
                        .map(|(offset, _)| *offset);
                    let found = literal.or_else(|| Some(at + code.get(at..)?.find(*s)?))?;
                    Some(Some(found))
                })
                .flatten()
        };
        let events_from = presets::field_offset(&bare, "events", 0).unwrap_or(0);
        let at = match site {
            Site::Preset => walk(0, &[&self.preset]),
            Site::Set(i) => walk(
                presets::field_offset(&bare, "set", 0).unwrap_or(0),
                &self.set[..=i]
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
            Site::Event(k) => walk(
                events_from,
                &self.events[..=k]
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>(),
            ),
            Site::Action(k, j) => {
                let names: Vec<&str> = self.events[..=k].iter().map(|e| e.name.as_str()).collect();
                walk(events_from, &names).and_then(|at| {
                    let actions: Vec<&str> = self.events[k].actions[..=j]
                        .iter()
                        .map(String::as_str)
                        .collect();
                    walk(at, &actions)
                })
            }
            Site::Checkpoint(i) => {
                let from = presets::field_offset(&bare, "checkpoints", 0).unwrap_or(0);
                (0..=i).try_fold(from, |at, k| {
                    presets::field_offset(&bare, "at_s", at + usize::from(k > 0))
                })
            }
            Site::Expect(i, j) => {
                let all: Vec<&str> = self.checkpoints[..i]
                    .iter()
                    .flat_map(|c| c.expect.iter().map(String::as_str))
                    .chain(self.checkpoints[i].expect[..=j].iter().map(String::as_str))
                    .collect();
                walk(
                    presets::field_offset(&bare, "checkpoints", 0).unwrap_or(0),
                    &all,
                )
            }
        };
        at.map_or((1, 1), |at| presets::line_col(text, at))
    }

    /// A built-in scenario by name, or a scenario file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, Error> {
        if let Some((name, text)) = LIBRARY.iter().find(|(n, _)| *n == name_or_path) {
            return Scenario::parse(text, &format!("scenarios/{name}.ron"));
        }
        let path = std::path::Path::new(name_or_path);
        if !path.exists() {
            return Err(Error::Io {
                path: name_or_path.to_string(),
                message: format!(
                    "no such scenario file, and no built-in scenario of that name (built in: {})",
                    LIBRARY.map(|(n, _)| n).join(", ")
                ),
            });
        }
        let bytes = crate::files::read_settings_file(path)?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Io {
            path: name_or_path.to_string(),
            message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        Scenario::parse(&text, name_or_path)
    }
}

/// Event and checkpoint times: from the start to [`settings::MAX_SIMULATED_S`].
fn in_time_range(t_s: f64) -> bool {
    t_s.is_finite() && (0.0..=settings::MAX_SIMULATED_S).contains(&t_s)
}

/// Why a time is refused.
fn time_range_error(t_s: f64) -> String {
    format!(
        "at_s {} is outside 0 to {} s (30 simulated days)",
        crate::units::Short(t_s),
        settings::MAX_SIMULATED_S
    )
}

/// Where in a scenario a problem lies (located in the file's text by [`Scenario::locate`]).
#[derive(Clone, Copy, Debug)]
enum Site {
    Preset,
    /// The i-th start setting.
    Set(usize),
    /// The k-th event (its name).
    Event(usize),
    /// Action j of event k.
    Action(usize, usize),
    /// Checkpoint i (its time).
    Checkpoint(usize),
    /// Expectation j of checkpoint i.
    Expect(usize, usize),
}

/// An event that fired: its name and when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fired {
    /// Its index in the scenario's `events` (names need not be unique).
    #[serde(skip)]
    pub event: usize,
    pub name: String,
    pub t_s: f64,
    /// Why an action of the event could not be applied (actions are checked at load, so this
    /// is rare); the event still counts as fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// A scenario's timeline being played against an engine (the engine lives elsewhere: the
/// dashboard's stepper, or [`Run`]).
///
/// A step costs O(1) whatever the number of events: timed events are in time order (checked at
/// load), so one cursor finds the next; conditions are parsed once and only the pending ones
/// are evaluated, once a [`CONDITION_CHECK_S`].
#[derive(Clone, Debug)]
pub struct Timeline {
    pub scenario: Scenario,
    /// Which events have fired, by index.
    done: Vec<bool>,
    pub fired: Vec<Fired>,
    since_check_s: f64,
    /// Indices of the timed events, in time order, and the first of them not yet fired.
    timed: Vec<usize>,
    next_timed: usize,
    /// Conditional events not yet fired, with their parsed condition.
    pending_conditions: Vec<(usize, Condition)>,
}

impl Timeline {
    pub fn new(scenario: Scenario) -> Self {
        let timed = (0..scenario.events.len())
            .filter(|&k| scenario.events[k].at_s.is_some())
            .collect();
        // A condition that does not parse never fires (`Scenario::parse` refuses it first).
        let pending_conditions = scenario
            .events
            .iter()
            .enumerate()
            .filter(|(_, ev)| ev.at_s.is_none())
            .filter_map(|(k, ev)| Some((k, Condition::parse(ev.when.as_deref()?).ok()?)))
            .collect();
        Timeline {
            done: vec![false; scenario.events.len()],
            scenario,
            fired: Vec::new(),
            since_check_s: 0.0,
            timed,
            next_timed: 0,
            pending_conditions,
        }
    }

    /// The engine the scenario starts with.
    pub fn engine(&self) -> Result<Engine, Error> {
        let s = &self.scenario;
        Engine::new(settings::apply_all(&presets::load(&s.preset)?, &s.set)?)
    }

    pub fn is_done(&self, k: usize) -> bool {
        self.done.get(k).copied().unwrap_or(true)
    }

    /// Fire event `k` now (also the instructor's "trigger the next event now").
    pub fn fire(&mut self, e: &mut Engine, k: usize) -> Result<(), Error> {
        if self.is_done(k) {
            return Ok(());
        }
        self.done[k] = true;
        // Recorded before its actions, so a failing one is this event's outcome.
        self.fired.push(Fired {
            event: k,
            name: self.scenario.events[k].name.clone(),
            t_s: e.t_s(),
            failed: None,
        });
        for a in self.scenario.events[k].actions.clone() {
            if let Err(err) = apply_action(e, &a) {
                if let Some(f) = self.fired.last_mut() {
                    f.failed = Some(err.to_string());
                }
                return Err(err);
            }
        }
        Ok(())
    }

    /// The next event not yet fired, in timeline order.
    pub fn next_event(&self) -> Option<usize> {
        self.done.iter().position(|d| !d)
    }

    /// Fire what is due: timed events whose time has come, and conditions that hold (on the
    /// summary before any of them fires), in the timeline's order.
    pub fn check(&mut self, e: &mut Engine) -> Result<(), Error> {
        let t = e.t_s();
        let done = &self.done;
        self.pending_conditions.retain(|(k, _)| !done[*k]);
        let mut due: Vec<usize> = Vec::new();
        let mut cursor = self.next_timed;
        while let Some(&k) = self.timed.get(cursor) {
            let at = self.scenario.events[k].at_s.unwrap_or(f64::INFINITY);
            if t + 1e-9 < at {
                break;
            }
            due.push(k);
            cursor += 1;
        }
        if !self.pending_conditions.is_empty()
            && t >= CONDITIONS_FROM_S
            && let Some(s) = e.summary().and_then(|s| serde_json::to_value(s).ok())
        {
            due.extend(
                self.pending_conditions
                    .iter()
                    .filter(|(_, c)| c.holds(&s))
                    .map(|(k, _)| *k),
            );
            due.sort_unstable();
        }
        // A failing action (a fluid order past the blood-volume range) is this event's
        // recorded outcome (`events_fired`, the event log); the run goes on.
        for k in due {
            let _ = self.fire(e, k);
        }
        Ok(())
    }

    /// When the next timed event is due (infinite when none is left).
    fn next_timed_s(&mut self) -> f64 {
        while let Some(&k) = self.timed.get(self.next_timed) {
            if !self.done[k] {
                return self.scenario.events[k].at_s.unwrap_or(f64::INFINITY);
            }
            self.next_timed += 1;
        }
        f64::INFINITY
    }

    /// After each engine step: fire timed events at their step, conditions every
    /// [`CONDITION_CHECK_S`].
    pub fn after_step(&mut self, e: &mut Engine) -> Result<(), Error> {
        self.since_check_s += e.dt_s();
        if e.t_s() + 1e-9 >= self.next_timed_s() || self.since_check_s >= CONDITION_CHECK_S {
            self.since_check_s = 0.0;
            self.check(e)?;
        }
        Ok(())
    }

    /// The checkpoint expectations that do not hold now (empty: the teaching state is reached).
    pub fn unmet(&self, e: &Engine, cp: &Checkpoint) -> Vec<String> {
        let s = e
            .summary()
            .and_then(|s| serde_json::to_value(s).ok())
            .unwrap_or_default();
        cp.expect
            .iter()
            .filter(|x| Condition::parse(x).map_or(true, |c| !c.holds(&s)))
            .map(|x| {
                let shown: Vec<String> = Condition::parse(x)
                    .map(|c| {
                        c.keys()
                            .iter()
                            .map(|k| format!("{k} = {}", s[*k]))
                            .collect()
                    })
                    .unwrap_or_default();
                format!("{x} (model: {})", shown.join(", "))
            })
            .collect()
    }
}

/// A scenario played headless: its engine and its timeline together.
pub struct Run {
    pub engine: Engine,
    pub timeline: Timeline,
}

impl Run {
    pub fn start(scenario: Scenario) -> Result<Run, Error> {
        let timeline = Timeline::new(scenario);
        Ok(Run {
            engine: timeline.engine()?,
            timeline,
        })
    }

    pub fn fired(&self) -> &[Fired] {
        &self.timeline.fired
    }

    pub fn next_event(&self) -> Option<usize> {
        self.timeline.next_event()
    }

    pub fn fire(&mut self, k: usize) -> Result<(), Error> {
        self.timeline.fire(&mut self.engine, k)
    }

    /// Run `seconds`, firing events as they come due.
    pub fn advance(&mut self, seconds: f64) -> Result<(), Error> {
        let steps = (seconds / self.engine.dt_s()).round() as u64;
        for _ in 0..steps {
            self.engine.step();
            self.timeline.after_step(&mut self.engine)?;
        }
        Ok(())
    }

    pub fn unmet(&self, cp: &Checkpoint) -> Vec<String> {
        self.timeline.unmet(&self.engine, cp)
    }
}
