//! What the dashboard tests share: the headless dashboard in a kittest harness.

use ecmo_unload_ui::Dashboard;
use egui_kittest::Harness;

/// `app` (a headless dashboard: no thread, the engine advances per frame) in a window of
/// `width` x `height`, polled and drawn each frame as the real window does.
pub fn harness(app: Dashboard, width: f32, height: f32) -> Harness<'static, Dashboard> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_ui_state(
            |ui, app: &mut Dashboard| {
                app.poll(ui.ctx());
                app.dashboard_ui(ui);
            },
            app,
        )
}
