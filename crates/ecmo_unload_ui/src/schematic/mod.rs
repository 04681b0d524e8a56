//! The circulation schematic: a live picture of where the blood goes. Drawn with egui's painter
//! (no image assets) on a 100 x 100 unit canvas, patient's right on the viewer's left:
//!
//! - chambers whose drawn area follows their live volume, valves that open and close;
//! - every vessel of the circuit with particles that move with its flow (speed and direction from
//!   the instantaneous flow, thickness from its recent mean), so ECMO's retrograde stream up the
//!   aorta is seen running against the heart's;
//! - blood coloured by O2 saturation (or, switched, by the share that came from the ECMO return),
//!   graded along each vessel from its source to its destination, so the mixing zone shows where
//!   the colours meet;
//! - the devices where they sit, animated with their state; lungs shaded by lung water; a warning
//!   on an LV that has stopped ejecting.
//!
//! Every chamber, device and the lungs is an accessible button: clicking one selects it (the
//! dashboard opens its console or indicator). Data arrive once per frame ([`Picture`]); the
//! animation advances with the frame time.

mod layout;

use crate::sim::Picture;
use ecmo_unload::alarms::AV_CLOSED_BEATS;
use ecmo_unload::circulation::{Connection, N_CONNECTIONS, Node};
use ecmo_unload::engine::Status;
use ecmo_unload::oxygen::MixingZone;
use ecmo_unload::patient::Patient;
use egui::{
    Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2, pos2, vec2,
};
use layout::*;

/// Canvas size in drawing units (both axes).
const CANVAS_UNITS: f32 = 100.0;
/// Drawn chamber radius per sqrt(mL): area follows volume (150 mL -> 9 units).
const CHAMBER_UNITS_PER_SQRT_ML: f32 = 0.75;
const CHAMBER_MIN_RADIUS: f32 = 1.5;
const CHAMBER_MAX_RADIUS: f32 = 14.0;
/// Particle speed (units/s) saturates toward this for large flows, so a systolic jet and a
/// coronary trickle both stay readable: v = V_MAX (1 - exp(-|q| / Q_REF)).
const PARTICLE_MAX_SPEED: f32 = 40.0;
const PARTICLE_FLOW_REF_ML_S: f32 = 100.0;
/// Distance between particles along a vessel (units).
const PARTICLE_SPACING: f32 = 4.0;
/// Below this flow (mL/s) a vessel is drawn still.
const STILL_FLOW_ML_S: f32 = 0.5;
/// Vessel width (units) = MIN + K sqrt(mean |q| in mL/s).
const VESSEL_MIN_WIDTH: f32 = 0.4;
const VESSEL_WIDTH_PER_SQRT_ML_S: f32 = 0.22;
/// Time constant of the mean flow that sets vessel width.
const WIDTH_SMOOTHING_S: f32 = 0.5;
/// Pieces per polyline leg for the colour gradient.
const GRADIENT_PIECES: usize = 6;
/// Lung water index (mL/kg) drawn as dry lung (the model's normal), and the one drawn fully
/// flooded (half again above the oedema threshold).
const LUNG_DRY_ML_KG: f64 = ecmo_unload::lungs::NORMAL_WATER_ML_KG;
const LUNG_FLOODED_ML_KG: f64 = 1.5 * ecmo_unload::lungs::OEDEMA_WATER_ML_KG;
/// Drawn pump rotor turns per second per rpm (a stroboscopic 1/50 of the real speed).
const ROTOR_TURNS_PER_S_PER_RPM: f32 = 1.0 / 3000.0;
/// Drawn Impella rotor turns per second per P-level (a slow stroboscopic stand-in).
const IMPELLA_TURNS_PER_S_PER_LEVEL: f32 = 0.25;
/// Frames longer than this (a stalled window) do not make particles jump.
const MAX_FRAME_S: f32 = 0.1;

/// What can be clicked on the schematic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Chamber(Node),
    Lungs,
    Ecmo,
    LvVent,
    Septostomy,
    Impella,
    Iabp,
}

impl Target {
    /// Accessible label (what a test or a screen reader finds).
    pub fn label(self) -> &'static str {
        match self {
            Target::Chamber(Node::La) => "Left atrium",
            Target::Chamber(Node::Lv) => "Left ventricle",
            Target::Chamber(Node::Ra) => "Right atrium",
            Target::Chamber(Node::Rv) => "Right ventricle",
            Target::Chamber(other) => other.label(),
            Target::Lungs => "Lungs",
            Target::Ecmo => "ECMO circuit",
            Target::LvVent => "LV vent cannula",
            Target::Septostomy => "Septal defect",
            Target::Impella => "Impella pump",
            Target::Iabp => "Intra-aortic balloon",
        }
    }
}

/// How blood is coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Colouring {
    /// By O2 saturation: dark blue-purple (desaturated) to bright red.
    #[default]
    Oxygen,
    /// By origin: native blood blue, ECMO-return blood orange.
    EcmoBlood,
}

/// Everything the schematic reads in a frame.
pub struct View<'a> {
    pub picture: &'a Picture,
    pub patient: &'a Patient,
    pub status: Option<&'a Status>,
    /// The latest beats in a row in which the aortic valve stayed shut.
    pub av_shut_beats: usize,
    /// The ECMO pump speed of the last beat (the rotor's animation).
    pub pump_rpm: f64,
}

/// The schematic's own state: animation phases and what the user picked.
#[derive(Default)]
pub struct Schematic {
    /// Distance (units) the particles of each track have travelled.
    phase: [f32; N_TRACKS],
    /// Recent mean |flow| per path (vessel width).
    mean_q: [f32; N_CONNECTIONS],
    rotor_turns: f32,
    impella_turns: f32,
    /// Seconds of animation (the stagnation warning pulses with it).
    clock_s: f32,
    pub selected: Option<Target>,
    pub colouring: Colouring,
}

/// Blood colour at saturation `sat` (0-1): the range that matters clinically (80-100 %) spread
/// over most of the scale.
pub fn oxygen_colour(sat: f64) -> Color32 {
    let t = ((sat - 0.5) / 0.5).clamp(0.0, 1.0).powi(2) as f32;
    lerp_colour(
        Color32::from_rgb(70, 45, 125),
        Color32::from_rgb(225, 30, 40),
        t,
    )
}

/// Blood colour by origin: `fraction` (0-1) of it came from the ECMO return.
pub fn origin_colour(fraction: f64) -> Color32 {
    lerp_colour(
        Color32::from_rgb(60, 130, 210),
        Color32::from_rgb(250, 160, 30),
        fraction.clamp(0.0, 1.0) as f32,
    )
}

fn lerp_colour(a: Color32, b: Color32, t: f32) -> Color32 {
    let mix = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    Color32::from_rgb(mix(a.r(), b.r()), mix(a.g(), b.g()), mix(a.b(), b.b()))
}

/// Particle speed (units/s, signed) for a flow (mL/s).
fn particle_speed(q_ml_s: f32) -> f32 {
    q_ml_s.signum() * PARTICLE_MAX_SPEED * (1.0 - (-q_ml_s.abs() / PARTICLE_FLOW_REF_ML_S).exp())
}

/// Drawn radius (units) of a chamber holding `v_ml`.
pub fn chamber_radius(v_ml: f64) -> f32 {
    (CHAMBER_UNITS_PER_SQRT_ML * (v_ml.max(0.0) as f32).sqrt())
        .clamp(CHAMBER_MIN_RADIUS, CHAMBER_MAX_RADIUS)
}

/// Share (0-1) of the way from a dry to a flooded lung.
pub fn lung_wetness(lung_water_ml_kg: f64) -> f32 {
    ((lung_water_ml_kg - LUNG_DRY_ML_KG) / (LUNG_FLOODED_ML_KG - LUNG_DRY_ML_KG)).clamp(0.0, 1.0)
        as f32
}

impl Schematic {
    /// The schematic in a square that fills `ui`'s width or height; a click selects a target
    /// (`selected`).
    pub fn schematic_ui(&mut self, ui: &mut egui::Ui, view: &View) {
        let dt = ui.input(|i| i.stable_dt).min(MAX_FRAME_S);
        self.advance(view, dt);
        ui.horizontal_wrapped(|ui| {
            ui.label("Blood colour:");
            ui.radio_value(&mut self.colouring, Colouring::Oxygen, "O2 saturation");
            ui.radio_value(&mut self.colouring, Colouring::EcmoBlood, "ECMO blood");
            self.legend_ui(ui);
            ui.weak("Patient's right on the left");
        });
        // The square fits the space this view was given (a wide legend row must not widen it).
        let side = ui.max_rect().width().min(ui.available_height()).max(200.0);
        let (response, painter) = ui.allocate_painter(Vec2::splat(side), Sense::hover());
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, "Circulation schematic")
        });
        let c = Canvas {
            origin: response.rect.min,
            scale: side / CANVAS_UNITS,
        };
        painter.rect_filled(response.rect, 4.0, Color32::from_rgb(18, 20, 26));
        self.draw_beds(&painter, &c, view);
        self.draw_lungs(&painter, &c, view);
        for (k, vessel) in VESSELS.iter().enumerate() {
            self.draw_vessel(&painter, &c, view, vessel, k);
        }
        self.draw_devices_behind(&painter, &c, view);
        self.draw_chambers(&painter, &c, view);
        self.draw_valves(&painter, &c, view);
        self.draw_devices_in_front(&painter, &c, view);
        self.draw_mixing_zone(&painter, &c, view);
        self.draw_stagnation(&painter, &c, view);
        let small = FontId::proportional(c.len(2.0).clamp(9.0, 13.0));
        for (at, name) in [((49.0, 36.0), "Ao"), ((44.0, 57.0), "PA")] {
            painter.text(
                c.pt(at),
                Align2::CENTER_CENTER,
                name,
                small.clone(),
                Color32::GRAY,
            );
        }
        self.targets_ui(ui, &c, view)
    }

    /// Advance the animation by `dt` seconds of display time.
    fn advance(&mut self, view: &View, dt: f32) {
        let q = &view.picture.q_ml_s;
        let keep = (-dt / WIDTH_SMOOTHING_S).exp();
        for (m, &qj) in self.mean_q.iter_mut().zip(q) {
            *m = keep * *m + (1.0 - keep) * qj.abs() as f32;
        }
        for (k, vessel) in Self::tracks().enumerate() {
            let flow = Self::track_flow(view, vessel);
            // Wrapped by the track's own particle period, so the wrap is invisible.
            self.phase[k] = (self.phase[k] + particle_speed(flow) * dt).rem_euclid(period(vessel));
        }
        let p = view.patient;
        let pump_rpm = if p.ecmo.enabled {
            view.pump_rpm as f32
        } else {
            0.0
        };
        self.rotor_turns = (self.rotor_turns + pump_rpm * ROTOR_TURNS_PER_S_PER_RPM * dt).fract();
        if p.impella.enabled {
            let level = p.impella.p_level as f32;
            self.impella_turns =
                (self.impella_turns + level * IMPELLA_TURNS_PER_S_PER_LEVEL * dt).fract();
        }
        self.clock_s += dt;
    }

    /// The particle tracks: every vessel, then the devices' (at the `TRACK_*` indices).
    fn tracks() -> impl Iterator<Item = &'static Vessel> {
        VESSELS.iter().chain(DEVICE_TRACKS)
    }

    /// The flow (mL/s) a drawn vessel carries now: its share of the path's; the pump and the
    /// arterial limb carry the whole pump flow (drainage and vent).
    fn track_flow(view: &View, vessel: &Vessel) -> f32 {
        let q = &view.picture.q_ml_s;
        let flow = if std::ptr::eq(vessel, &ECMO_ARTERIAL)
            || std::ptr::eq(vessel, &ECMO_PUMP_TO_OXYGENATOR)
        {
            ecmo_unload::ecmo::pump_flow_ml_s(q)
        } else {
            q[vessel.path.index()]
        };
        flow as f32 * vessel.share
    }

    fn hue_colour(&self, view: &View, hue: Hue) -> Color32 {
        let pic = view.picture;
        match (self.colouring, hue) {
            (Colouring::Oxygen, Hue::Node(n)) => oxygen_colour(pic.sat[n.index()]),
            (Colouring::Oxygen, Hue::Oxygenator) => oxygen_colour(pic.oxygenator_out_sat),
            (Colouring::EcmoBlood, Hue::Node(n)) => origin_colour(pic.ecmo_fraction[n.index()]),
            (Colouring::EcmoBlood, Hue::Oxygenator) => origin_colour(1.0),
        }
    }

    fn node_colour(&self, view: &View, n: Node) -> Color32 {
        self.hue_colour(view, Hue::Node(n))
    }

    /// A vessel: a stroke graded from its source's colour to its sink's, width from its mean
    /// flow, and particles moving with its flow now.
    fn draw_vessel(
        &self,
        painter: &egui::Painter,
        c: &Canvas,
        view: &View,
        vessel: &Vessel,
        k: usize,
    ) {
        let mean = self.mean_q[vessel.path.index()] * vessel.share;
        let width = VESSEL_MIN_WIDTH + VESSEL_WIDTH_PER_SQRT_ML_S * mean.sqrt();
        let (a, b) = (
            self.hue_colour(view, vessel.from),
            self.hue_colour(view, vessel.to),
        );
        let total = length(vessel.points).max(f32::EPSILON);
        let pieces = GRADIENT_PIECES * (vessel.points.len() - 1);
        for i in 0..pieces {
            let (s0, s1) = (
                total * i as f32 / pieces as f32,
                total * (i + 1) as f32 / pieces as f32,
            );
            let colour = lerp_colour(a, b, (s0 + s1) / (2.0 * total)).gamma_multiply(0.8);
            painter.line_segment(
                [
                    c.at(along(vessel.points, s0)),
                    c.at(along(vessel.points, s1)),
                ],
                Stroke::new(c.len(width), colour),
            );
        }
        let flow = Self::track_flow(view, vessel);
        if flow.abs() < STILL_FLOW_ML_S {
            return;
        }
        let dot = c.len((0.35 * width).max(0.35));
        let n = (total / PARTICLE_SPACING).ceil() as usize;
        for i in 0..n {
            let s = (self.phase[k] + i as f32 * PARTICLE_SPACING).rem_euclid(period(vessel));
            if s > total {
                continue;
            }
            let colour = lerp_colour(a, b, s / total);
            painter.circle_filled(
                c.at(along(vessel.points, s)),
                dot,
                lerp_colour(colour, Color32::WHITE, 0.35),
            );
        }
    }

    fn draw_beds(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let font = FontId::proportional(c.len(2.2).clamp(9.0, 14.0));
        for (bed, artery, vein, label) in [
            (UPPER_BED, Node::Arch, Node::UpperVeins, "Head and arms"),
            (
                LOWER_BED,
                Node::Descending,
                Node::LowerVeins,
                "Trunk and legs",
            ),
        ] {
            let r = c.rect(bed);
            // Capillary bed: arterial colour on the artery's side fading to venous.
            let steps = 12;
            for i in 0..steps {
                let t = i as f32 / (steps - 1) as f32;
                let colour = lerp_colour(
                    self.node_colour(view, vein),
                    self.node_colour(view, artery),
                    t,
                );
                let x0 = r.min.x + r.width() * i as f32 / steps as f32;
                let x1 = r.min.x + r.width() * (i + 1) as f32 / steps as f32;
                painter.rect_filled(
                    Rect::from_min_max(pos2(x0, r.min.y), pos2(x1, r.max.y)),
                    0.0,
                    colour.gamma_multiply(0.55),
                );
            }
            painter.rect_stroke(r, 3.0, Stroke::new(1.0, Color32::GRAY), StrokeKind::Middle);
            painter.text(
                r.center(),
                Align2::CENTER_CENTER,
                label,
                font.clone(),
                Color32::WHITE,
            );
        }
    }

    fn draw_lungs(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let water = view.status.map_or(LUNG_DRY_ML_KG, |s| s.lung_water_ml_kg);
        let wet = lung_wetness(water);
        let fill = lerp_colour(
            Color32::from_rgb(200, 130, 140),
            Color32::from_rgb(110, 135, 175),
            wet,
        );
        for (centre, radius) in [LUNG_RIGHT, LUNG_LEFT] {
            painter.add(Shape::ellipse_filled(
                c.at(centre),
                radius * c.scale,
                fill.gamma_multiply(0.55),
            ));
            painter.add(Shape::ellipse_stroke(
                c.at(centre),
                radius * c.scale,
                Stroke::new(1.0, Color32::from_gray(150)),
            ));
            // Oedema collects in the dependent (lower) lung first: droplets there, more of them
            // as the water builds.
            let drops = (wet * 14.0).round() as usize;
            for i in 0..drops {
                let x = centre.x + radius.x * (((i * 37) % 13) as f32 / 13.0 * 1.4 - 0.7);
                let y = centre.y + radius.y * (0.25 + ((i * 23) % 7) as f32 / 7.0 * 0.5);
                painter.circle_filled(
                    c.at(pos2(x, y)),
                    c.len(0.7),
                    Color32::from_rgb(170, 210, 255),
                );
            }
        }
        let font = FontId::proportional(c.len(2.0).clamp(9.0, 13.0));
        let (risk, colour) = match view.status {
            Some(s) => (
                crate::style::serde_plain(&s.edema_risk),
                crate::style::risk_color(s.edema_risk),
            ),
            None => (String::from("-"), Color32::GRAY),
        };
        painter.text(
            c.at(pos2(1.5, 11.5)),
            Align2::LEFT_CENTER,
            format!("Lung water {water:.1} mL/kg"),
            font.clone(),
            Color32::WHITE,
        );
        painter.text(
            c.at(pos2(1.5, 14.5)),
            Align2::LEFT_CENTER,
            format!("oedema risk {risk}"),
            font,
            colour,
        );
    }

    fn draw_chambers(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let font = FontId::proportional(c.len(2.3).clamp(9.0, 15.0));
        for n in [Node::Ra, Node::Rv, Node::La, Node::Lv] {
            let v_ml = view.picture.v_ml[n.index()];
            let r = chamber_radius(v_ml);
            let centre = c.at(chamber_centre(n));
            painter.circle(
                centre,
                c.len(r),
                self.node_colour(view, n).gamma_multiply(0.9),
                Stroke::new(1.5, Color32::from_gray(220)),
            );
            painter.text(
                centre,
                Align2::CENTER_CENTER,
                format!("{}\n{v_ml:.0} mL", n.key().to_uppercase()),
                font.clone(),
                Color32::WHITE,
            );
        }
    }

    fn draw_valves(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        for path in [
            Connection::Mitral,
            Connection::Aortic,
            Connection::Tricuspid,
            Connection::Pulmonic,
        ] {
            let vessel = VESSELS
                .iter()
                .find(|v| v.path == path)
                .expect("valve drawn");
            let (a, b) = (vessel.points[0], vessel.points[vessel.points.len() - 1]);
            let (a, b) = (pos2(a.0, a.1), pos2(b.0, b.1));
            let mid = a + (b - a) * 0.5;
            let along_dir = (b - a).normalized();
            let across = along_dir.rot90();
            let half = 2.2;
            let open = view.picture.valve_open[path.index()];
            let colour = if open {
                Color32::from_gray(235)
            } else {
                Color32::from_rgb(255, 230, 120)
            };
            let stroke = Stroke::new(c.len(0.55), colour);
            if open {
                // Two leaflets swung downstream, a gap between them.
                for side in [-1.0, 1.0] {
                    let hinge = mid + across * half * side;
                    let tip = hinge - across * 0.6 * side + along_dir * 1.6;
                    painter.line_segment([c.at(hinge), c.at(tip)], stroke);
                }
            } else {
                painter.line_segment(
                    [c.at(mid - across * half), c.at(mid + across * half)],
                    stroke,
                );
            }
        }
    }

    /// Cannulae and circuit drawn behind the chambers.
    fn draw_devices_behind(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let p = view.patient;
        if p.ecmo.enabled {
            for (i, vessel) in DEVICE_TRACKS[..3].iter().enumerate() {
                self.draw_vessel(painter, c, view, vessel, TRACK_ECMO_VENOUS + i);
            }
            if p.lv_vent.enabled {
                self.draw_vessel(painter, c, view, &LV_VENT, TRACK_LV_VENT);
            }
        }
        if p.septostomy.diameter_mm > 0.0 {
            self.draw_vessel(painter, c, view, &SEPTOSTOMY, TRACK_SEPTOSTOMY);
        }
    }

    /// Pump, oxygenator, Impella, balloon and septal hole, in front of the chambers.
    fn draw_devices_in_front(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let p = view.patient;
        let font = FontId::proportional(c.len(2.0).clamp(9.0, 13.0));
        if p.ecmo.enabled {
            let centre = c.at(PUMP_CENTRE);
            painter.circle(
                centre,
                c.len(PUMP_RADIUS),
                Color32::from_gray(60),
                Stroke::new(1.5, Color32::LIGHT_GRAY),
            );
            let angle = self.rotor_turns * std::f32::consts::TAU;
            for k in 0..3 {
                let a = angle + k as f32 * std::f32::consts::TAU / 3.0;
                let tip = centre + Vec2::angled(a) * c.len(PUMP_RADIUS * 0.85);
                painter.line_segment([centre, tip], Stroke::new(2.0, Color32::WHITE));
            }
            painter.rect(
                c.rect(OXYGENATOR),
                2.0,
                Color32::from_rgb(60, 70, 90),
                Stroke::new(1.5, Color32::LIGHT_GRAY),
                StrokeKind::Middle,
            );
            // Membrane fibres.
            for i in 1..6 {
                let x = OXYGENATOR.min.x + OXYGENATOR.width() * i as f32 / 6.0;
                painter.line_segment(
                    [
                        c.at(pos2(x, OXYGENATOR.min.y + 0.8)),
                        c.at(pos2(x, OXYGENATOR.max.y - 0.8)),
                    ],
                    Stroke::new(1.0, Color32::from_gray(150)),
                );
            }
            let flow = ecmo_unload::units::l_min_from_ml_s(ecmo_unload::ecmo::pump_flow_ml_s(
                &view.picture.q_ml_s,
            ));
            painter.text(
                c.at(pos2(PUMP_CENTRE.x + PUMP_RADIUS + 0.8, 91.0)),
                Align2::RIGHT_CENTER,
                format!("VA ECMO {flow:.1} L/min"),
                font.clone(),
                Color32::WHITE,
            );
            painter.text(
                c.at(pos2(OXYGENATOR.min.x, 91.0)),
                Align2::LEFT_CENTER,
                format!("oxygenator, sweep {:.1} L/min", p.ecmo.sweep_l_min),
                font.clone(),
                Color32::LIGHT_GRAY,
            );
        }
        if p.septostomy.diameter_mm > 0.0 {
            let r = c.len((0.25 * p.septostomy.diameter_mm as f32).clamp(0.6, 3.0));
            painter.circle_stroke(
                c.at(SEPTUM_HOLE),
                r,
                Stroke::new(2.0, Color32::from_rgb(255, 220, 120)),
            );
        }
        if p.impella.enabled {
            let pts: Vec<Pos2> = IMPELLA.points.iter().map(|&q| c.pt(q)).collect();
            painter.add(Shape::line(
                pts.clone(),
                Stroke::new(c.len(1.1), Color32::from_gray(170)),
            ));
            // Inlet in the LV, outlet with its spinning rotor above the valve.
            let outlet = pts[pts.len() - 1];
            painter.circle_filled(pts[0], c.len(0.9), Color32::from_gray(200));
            let angle = self.impella_turns * std::f32::consts::TAU;
            let d = Vec2::angled(angle) * c.len(1.4);
            painter.line_segment([outlet - d, outlet + d], Stroke::new(2.0, Color32::WHITE));
            self.draw_vessel(painter, c, view, &IMPELLA, TRACK_IMPELLA);
            painter.text(
                pts[0] + vec2(0.0, c.len(1.5)),
                Align2::CENTER_TOP,
                format!("Impella P{}", p.impella.p_level),
                font.clone(),
                Color32::WHITE,
            );
        }
        if p.iabp.enabled {
            // Catheter from the femoral artery, balloon whose width follows its gas volume.
            painter.line_segment(
                [c.at(BALLOON_BOTTOM), c.at(pos2(76.0, 99.0))],
                Stroke::new(c.len(0.4), Color32::from_gray(200)),
            );
            let fill = (view.picture.balloon_ml / p.iabp.volume_ml.max(1.0)).clamp(0.0, 1.0) as f32;
            let half = 0.4 + (BALLOON_MAX_HALF_WIDTH - 0.4) * fill;
            let centre = BALLOON_TOP + (BALLOON_BOTTOM - BALLOON_TOP) * 0.5;
            let radius = vec2(half, (BALLOON_BOTTOM.y - BALLOON_TOP.y) * 0.5);
            painter.add(Shape::ellipse_filled(
                c.at(centre),
                radius * c.scale,
                Color32::from_rgba_unmultiplied(235, 240, 255, (90.0 + 150.0 * fill) as u8),
            ));
            painter.add(Shape::ellipse_stroke(
                c.at(centre),
                radius * c.scale,
                Stroke::new(1.0, Color32::WHITE),
            ));
            painter.text(
                c.at(pos2(BALLOON_TOP.x + 3.5, centre.y)),
                Align2::LEFT_CENTER,
                format!(
                    "IABP 1:{} {}",
                    p.iabp.ratio,
                    if fill > 0.5 { "inflated" } else { "deflated" }
                ),
                font,
                Color32::WHITE,
            );
        }
    }

    /// Where the ECMO stream meets the native output (the status' segment), marked on the aorta.
    fn draw_mixing_zone(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        let Some(zone) = view.status.and_then(|s| s.mixing_zone) else {
            return;
        };
        let at = match zone {
            MixingZone::AorticRoot => pos2(52.5, 48.0),
            MixingZone::Arch => pos2(60.0, 19.0),
            MixingZone::Descending => pos2(72.0, 29.0),
        };
        painter.circle_stroke(
            c.at(at),
            c.len(3.2),
            Stroke::new(2.0, Color32::from_rgb(255, 255, 255)),
        );
        painter.text(
            c.at(at + vec2(-3.5, -3.0)),
            Align2::RIGHT_BOTTOM,
            "mixing zone",
            FontId::proportional(c.len(2.0).clamp(9.0, 13.0)),
            Color32::WHITE,
        );
    }

    /// An LV that has not ejected for [`AV_CLOSED_BEATS`] beats: blood stagnates (thrombus).
    fn draw_stagnation(&self, painter: &egui::Painter, c: &Canvas, view: &View) {
        if view.av_shut_beats < AV_CLOSED_BEATS {
            return;
        }
        let lv = Node::Lv;
        let r = chamber_radius(view.picture.v_ml[lv.index()]) + 1.2;
        let pulse = 0.5 + 0.5 * (self.clock_s * std::f32::consts::TAU).sin();
        let amber = Color32::from_rgb(255, 170, 0);
        painter.circle_stroke(
            c.at(chamber_centre(lv)),
            c.len(r),
            Stroke::new(2.0 + 2.0 * pulse, amber),
        );
        painter.text(
            c.at(pos2(98.5, 11.0)),
            Align2::RIGHT_TOP,
            format!(
                "LV not ejecting\nfor {}:\nblood stagnates",
                ecmo_unload::alarms::beats_text(view.av_shut_beats)
            ),
            FontId::proportional(c.len(2.2).clamp(10.0, 14.0)),
            amber,
        );
    }

    /// A colour legend for the current colouring.
    fn legend_ui(&self, ui: &mut egui::Ui) {
        let (left, right, stops): (&str, &str, Vec<Color32>) = match self.colouring {
            Colouring::Oxygen => (
                "SO2 50 %",
                "100 %",
                (0..=10)
                    .map(|i| oxygen_colour(0.5 + 0.05 * i as f64))
                    .collect(),
            ),
            Colouring::EcmoBlood => (
                "native",
                "ECMO",
                (0..=10).map(|i| origin_colour(0.1 * i as f64)).collect(),
            ),
        };
        ui.label(left);
        let (r, painter) = ui.allocate_painter(vec2(110.0, 12.0), Sense::hover());
        let w = r.rect.width() / stops.len() as f32;
        for (i, colour) in stops.iter().enumerate() {
            let x = r.rect.min.x + i as f32 * w;
            painter.rect_filled(
                Rect::from_min_size(pos2(x, r.rect.min.y), vec2(w + 0.5, r.rect.height())),
                0.0,
                *colour,
            );
        }
        ui.label(right);
    }

    /// Invisible buttons over the chambers, lungs and devices; a click selects one.
    fn targets_ui(&mut self, ui: &mut egui::Ui, c: &Canvas, view: &View) {
        let p = view.patient;
        let mut targets: Vec<(Target, &str, Rect)> = [Node::Ra, Node::Rv, Node::La, Node::Lv]
            .into_iter()
            .map(|n| {
                let r = chamber_radius(view.picture.v_ml[n.index()]).max(3.0);
                (
                    Target::Chamber(n),
                    Target::Chamber(n).label(),
                    Rect::from_center_size(chamber_centre(n), Vec2::splat(1.4 * r)),
                )
            })
            .collect();
        for ((centre, radius), name) in [(LUNG_RIGHT, "Right lung"), (LUNG_LEFT, "Left lung")] {
            targets.push((
                Target::Lungs,
                name,
                Rect::from_center_size(centre, radius * 1.2),
            ));
        }
        if p.ecmo.enabled {
            targets.push((
                Target::Ecmo,
                Target::Ecmo.label(),
                OXYGENATOR.union(Rect::from_center_size(
                    PUMP_CENTRE,
                    Vec2::splat(2.0 * PUMP_RADIUS),
                )),
            ));
            if p.lv_vent.enabled {
                targets.push((
                    Target::LvVent,
                    Target::LvVent.label(),
                    Rect::from_center_size(pos2(50.0, 87.5), vec2(6.0, 3.0)),
                ));
            }
        }
        if p.septostomy.diameter_mm > 0.0 {
            targets.push((
                Target::Septostomy,
                Target::Septostomy.label(),
                Rect::from_center_size(SEPTUM_HOLE, Vec2::splat(3.0)),
            ));
        }
        if p.impella.enabled {
            targets.push((
                Target::Impella,
                Target::Impella.label(),
                Rect::from_center_size(pos2(52.5, 51.0), Vec2::splat(3.0)),
            ));
        }
        if p.iabp.enabled {
            targets.push((
                Target::Iabp,
                Target::Iabp.label(),
                Rect::from_min_max(
                    BALLOON_TOP - vec2(3.0, 0.0),
                    BALLOON_BOTTOM + vec2(3.0, 0.0),
                ),
            ));
        }
        for (i, (target, name, rect)) in targets.into_iter().enumerate() {
            let id = ui.make_persistent_id(("schematic_target", i));
            let r = ui.interact(c.rect(rect), id, Sense::click());
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
            if r.hovered() {
                ui.painter().rect_stroke(
                    c.rect(rect),
                    3.0,
                    Stroke::new(1.0, Color32::from_white_alpha(120)),
                    StrokeKind::Outside,
                );
            }
            if r.on_hover_text(format!("{name}: click for details"))
                .clicked()
            {
                self.selected = Some(target);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_native_path_and_device_is_drawn() {
        let drawn: Vec<Connection> = Schematic::tracks().map(|v| v.path).collect();
        assert_eq!(drawn.len(), N_TRACKS);
        for path in Connection::ALL {
            // The bronchial circulation (1-2 % of the output) is left out of the picture.
            if *path != Connection::Bronchial {
                assert!(drawn.contains(path), "{path:?} is not drawn");
            }
        }
        for v in Schematic::tracks() {
            assert!(v.points.len() >= 2 && length(v.points) > 0.0);
        }
    }

    #[test]
    fn particles_run_with_the_flow_and_against_it_when_it_reverses() {
        assert!(particle_speed(80.0) > 0.0 && particle_speed(-80.0) < 0.0);
        assert!(particle_speed(400.0) > particle_speed(80.0));
        assert!(particle_speed(1e6) <= PARTICLE_MAX_SPEED);
        assert_eq!(particle_speed(0.0), 0.0);
    }

    #[test]
    fn retrograde_aortic_flow_runs_the_particles_backward() {
        let patient = ecmo_unload::presets::load("healthy").unwrap();
        let mut picture = Picture::default();
        let ascending = Connection::RootToArch.index();
        let k = Schematic::tracks()
            .position(|v| v.path == Connection::RootToArch)
            .unwrap();
        let mut s = Schematic::default();
        for (q, forward) in [(80.0, true), (-60.0, false)] {
            picture.q_ml_s[ascending] = q;
            let view = View {
                picture: &picture,
                patient: &patient,
                status: None,
                av_shut_beats: 0,
                pump_rpm: 0.0,
            };
            let before = s.phase[k];
            s.advance(&view, 0.02);
            assert_eq!(s.phase[k] > before, forward, "flow {q} mL/s");
        }
    }

    #[test]
    fn drawn_sizes_and_colours_follow_the_state() {
        assert!(chamber_radius(200.0) > chamber_radius(100.0));
        // Area, not radius, follows the volume.
        let ratio = chamber_radius(200.0) / chamber_radius(50.0);
        assert!((ratio - 2.0).abs() < 1e-5, "{ratio}");
        assert_eq!(chamber_radius(f64::NAN), CHAMBER_MIN_RADIUS);
        assert_eq!(lung_wetness(LUNG_DRY_ML_KG), 0.0);
        assert_eq!(lung_wetness(LUNG_FLOODED_ML_KG + 5.0), 1.0);
        let red = |sat: f64| oxygen_colour(sat).r();
        assert!(red(0.98) > red(0.86) && red(0.86) > red(0.6));
        assert!(origin_colour(1.0).r() > origin_colour(0.0).r());
    }
}
