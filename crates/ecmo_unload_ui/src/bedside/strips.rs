//! Waveform strips as a bedside monitor draws them: one trace a strip, each on its own scale
//! with a readable axis, all over the same seconds (aligned in time), named in a column to the
//! left so no label ever covers the newest samples on the right.

use ecmo_unload::session::bedside::BedsideSample;
use egui::{Color32, RichText};
use egui_plot::{AxisHints, GridInput, GridMark, Line, Plot, PlotPoints};
use std::collections::VecDeque;

/// Width of the name column left of each strip (points): at most this, and this share of the
/// strips' width on a narrow screen.
pub const LABEL_WIDTH: f32 = 92.0;
const LABEL_SHARE: f32 = 0.12;
/// Width kept for each strip's axis numbers, the same for every strip so their time axes line up.
const AXIS_WIDTH: f32 = 36.0;
/// A strip is never drawn shorter than this (points): a waveform must stay readable.
pub const MIN_STRIP_HEIGHT: f32 = 44.0;
/// Axis numbers show when this far apart (points) and are full strength from the upper end.
const AXIS_LABEL_SPACING: std::ops::RangeInclusive<f32> = 10.0..=16.0;
const AXIS_FONT: f32 = 10.0;
/// The time axis's numbers show this far apart (points): a second's mark on a narrow strip.
const TIME_LABEL_SPACING: std::ops::RangeInclusive<f32> = 24.0..=40.0;
/// Share of a strip's range left empty above and below its trace.
const STRIP_MARGIN: f64 = 0.12;
/// The time axis under the last strip (points).
const TIME_AXIS_HEIGHT: f32 = 18.0;

/// How a strip's vertical range is chosen.
#[derive(Clone, Copy, Debug)]
pub enum Scale {
    /// A fixed range (the ECG's millivolts).
    Fixed(f64, f64),
    /// The data's range, widened to at least `min_span` and rounded out to `step`.
    Auto { min_span: f64, step: f64 },
    /// The data scaled to 0-1 (a pleth has no unit), over at least `min_span` of the data's own
    /// unit: a pulse smaller than that is drawn small, and no pulse flat, as an oximeter's
    /// pleth is (no gain turns a flat line into a wave).
    Normalised { min_span: f64 },
}

/// One trace: its name, unit, colour, value and scale.
#[derive(Clone, Copy)]
pub struct Trace {
    pub name: &'static str,
    pub unit: &'static str,
    pub color: Color32,
    pub value: fn(&BedsideSample) -> f64,
    pub scale: Scale,
}

/// The range a trace is drawn over.
pub fn range(trace: &Trace, samples: &VecDeque<BedsideSample>) -> (f64, f64) {
    match trace.scale {
        Scale::Fixed(lo, hi) => (lo, hi),
        Scale::Normalised { .. } => (-0.05, 1.05),
        Scale::Auto { min_span, step } => {
            let (lo, hi) = data_range(trace, samples);
            if !lo.is_finite() {
                return (0.0, min_span);
            }
            let mid = 0.5 * (lo + hi);
            let (lo, hi) = (lo.min(mid - 0.5 * min_span), hi.max(mid + 0.5 * min_span));
            ((lo / step).floor() * step, (hi / step).ceil() * step)
        }
    }
}

/// Three marks on the axis (bottom, middle, top): readable on a short strip.
fn three_marks(lo: f64, hi: f64) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |_| {
        let step = (hi - lo) / 2.0;
        (0..3)
            .map(|k| GridMark {
                value: lo + f64::from(k) * step,
                step_size: step,
            })
            .collect()
    }
}

/// Marks drawn over a strip besides its trace (the IABP's timing marks): called with the
/// strip's index, its plot, and its range (low, high).
pub type Overlay<'a> = &'a dyn Fn(usize, &mut egui_plot::PlotUi<'_>, (f64, f64));

/// The strips over the last `sweep_s` of `samples`, sharing `height` (points) between them.
pub fn strips_ui(
    ui: &mut egui::Ui,
    id: &str,
    samples: &VecDeque<BedsideSample>,
    traces: &[Trace],
    sweep_s: f64,
    height: f32,
) {
    strips_with_marks_ui(ui, id, samples, traces, sweep_s, height, &|_, _, _| {});
}

/// [`strips_ui`] with marks of its own over each strip.
pub fn strips_with_marks_ui(
    ui: &mut egui::Ui,
    id: &str,
    samples: &VecDeque<BedsideSample>,
    traces: &[Trace],
    sweep_s: f64,
    height: f32,
    overlay: Overlay<'_>,
) {
    let t_end = samples.back().map_or(sweep_s, |s| s.t_s.max(sweep_s));
    let t_start = t_end - sweep_s;
    let label_width = (LABEL_SHARE * ui.available_width()).min(LABEL_WIDTH);
    let n = traces.len().max(1) as f32;
    let spacing = ui.spacing().item_spacing.y;
    let each = ((height - TIME_AXIS_HEIGHT) / n - spacing).max(MIN_STRIP_HEIGHT);
    for (i, trace) in traces.iter().enumerate() {
        let last = i + 1 == traces.len();
        let (lo, hi) = range(trace, samples);
        ui.horizontal(|ui| {
            ui.allocate_ui_with_layout(
                egui::vec2(label_width, each),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_min_size(egui::vec2(label_width, each));
                    ui.set_max_width(label_width);
                    ui.label(RichText::new(trace.name).color(trace.color).strong());
                    ui.label(RichText::new(trace.unit).small().color(Color32::GRAY));
                },
            );
            let points: Vec<[f64; 2]> = match trace.scale {
                Scale::Normalised { min_span } => {
                    let (lo, hi) = data_range(trace, samples);
                    let span = (hi - lo).max(min_span).max(1e-9);
                    // A small pulse sits mid-strip.
                    let base = 0.5 * (lo + hi) - 0.5 * span;
                    samples
                        .iter()
                        .map(|s| [s.t_s, ((trace.value)(s) - base) / span])
                        .collect()
                }
                _ => samples.iter().map(|s| [s.t_s, (trace.value)(s)]).collect(),
            };
            let strip_h = if last { each + TIME_AXIS_HEIGHT } else { each };
            // Every strip's axis has one width, so the strips line up in time; its numbers show
            // on a short strip too. A pleth has no unit and no numbers.
            let mut axis = AxisHints::new_y()
                .min_thickness(AXIS_WIDTH)
                .label_spacing(AXIS_LABEL_SPACING)
                .tick_label_font(egui::FontId::proportional(AXIS_FONT));
            if matches!(trace.scale, Scale::Normalised { .. }) {
                axis = axis.formatter(|_, _| String::new());
            }
            Plot::new((id, i))
                .height(strip_h)
                .width(ui.available_width())
                .show_axes([last, true])
                .custom_y_axes(vec![axis])
                .custom_x_axes(vec![
                    AxisHints::new_x()
                        .label_spacing(TIME_LABEL_SPACING)
                        .tick_label_font(egui::FontId::proportional(AXIS_FONT)),
                ])
                .y_grid_spacer(three_marks(lo, hi))
                .show_x(false)
                .show_y(false)
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .allow_boxed_zoom(false)
                .allow_double_click_reset(false)
                .show(ui, |plot| {
                    plot.set_plot_bounds_x(t_start..=t_end);
                    // A margin above and below: the top and bottom axis numbers stay inside
                    // their own strip.
                    let m = STRIP_MARGIN * (hi - lo);
                    plot.set_plot_bounds_y(lo - m..=hi + m);
                    plot.line(
                        Line::new(trace.name, PlotPoints::from(points))
                            .color(trace.color)
                            .width(1.5),
                    );
                    overlay(i, plot, (lo, hi));
                });
        });
    }
}

/// The lowest and highest finite value of `trace` over `samples` (infinite when none is).
fn data_range(trace: &Trace, samples: &VecDeque<BedsideSample>) -> (f64, f64) {
    samples
        .iter()
        .map(trace.value)
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        })
}
