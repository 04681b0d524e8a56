//! Long tables (the event log, a scenario's timeline) drawn a screenful at a time: rows of one
//! height in a scroll area that lays out only the rows in view, so ten thousand rows cost what
//! ten do. Columns have fixed widths (the last takes what is left), so they line up as rows
//! scroll in and out; a cell too long for its column is cut short and shown whole on hover.

use egui::{Align, Layout, RichText, Ui, WidgetText};

/// One row's height: a line of body text and the spacing between rows.
pub fn row_height(ui: &Ui) -> f32 {
    ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y
}

/// A header row: the column names, bold.
pub fn header(ui: &mut Ui, widths: &[f32], names: &[&str]) {
    let h = row_height(ui);
    row(
        ui,
        widths,
        h,
        names.iter().map(|n| RichText::new(*n).strong().into()),
    );
}

/// One row of cells, left-aligned in their columns; cells past `widths` take what is left.
pub fn row(ui: &mut Ui, widths: &[f32], height: f32, cells: impl IntoIterator<Item = WidgetText>) {
    ui.horizontal(|ui| {
        for (k, text) in cells.into_iter().enumerate() {
            let width = widths
                .get(k)
                .copied()
                .unwrap_or_else(|| ui.available_width());
            ui.allocate_ui_with_layout(
                egui::vec2(width, height),
                Layout::left_to_right(Align::Center),
                |ui| {
                    ui.set_width(width);
                    ui.add(egui::Label::new(text).truncate());
                },
            );
        }
    });
}

/// `n` rows in a scroll area at most `max_height` tall, `draw(ui, k)` called for the rows in
/// view only.
pub fn rows(
    ui: &mut Ui,
    id: &str,
    max_height: f32,
    n: usize,
    mut draw: impl FnMut(&mut Ui, usize),
) {
    let h = row_height(ui);
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(max_height)
        .auto_shrink([false, true])
        .show_rows(ui, h, n, |ui, range| {
            for k in range {
                draw(ui, k);
            }
        });
}
