//! The windows: the dashboard's (`run`), the one every window opens through (`run_window`:
//! dark, its app's failure its error), the PNG a screenshot saves, and the dashboard's frame
//! timing for `bench-ui`.

use crate::*;

/// Encode the screen as a PNG and save it atomically (`files::write_bytes`).
pub(crate) fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut encoded = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut encoded, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    }
    ecmo_unload::files::write_bytes(path, &encoded).map_err(|e| e.to_string())
}

/// Where a `--screenshot`'s failure is written from the window.
pub(crate) type ScreenshotFailure = std::sync::Arc<std::sync::Mutex<Option<String>>>;

/// Where and how the dashboard serves its session to bedside monitors (`--listen`).
#[derive(Clone, Debug)]
pub struct Serve {
    pub listen: String,
    pub code: String,
    pub bed: String,
}

/// Open the dashboard window on a patient. `screenshot`: run that many simulated seconds, save a
/// PNG of the window to the path and quit.
pub fn run(
    patient: Patient,
    screenshot: Option<(std::path::PathBuf, f64)>,
    tab: Tab,
    window: [f32; 2],
    scenario: Option<ecmo_unload::scenario::Scenario>,
    replay: Option<std::path::PathBuf>,
    serve: Option<Serve>,
) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(patient)?;
    run_window("ecmo-unload", window, move |ctx| {
        let mut d = Dashboard::new(engine, ctx)?;
        if screenshot.is_none() {
            d = d.with_sound();
        }
        if let Some(s) = &serve {
            d.serve(&s.listen, &s.code, &s.bed)?;
        }
        if let Some(s) = scenario {
            d.command(Command::LoadScenario(Box::new(s)));
        }
        d.set_tab(tab);
        if let Some(dir) = &replay {
            d.open_replay(dir);
        }
        let failure = d.screenshot_failed.clone();
        let d = match screenshot {
            Some((path, after_s)) => d.screenshot_at(path, after_s),
            None => d,
        };
        Ok((d, failure))
    })
}

/// What makes a window's app: the app, and the slot where it leaves why it failed (a
/// screenshot that could not be saved, a refused session code).
type AppBuilder<A> = Box<
    dyn FnOnce(
        &egui::Context,
    ) -> Result<(A, ScreenshotFailure), Box<dyn std::error::Error + Send + Sync>>,
>;

/// Open a window titled `title` on the app `build` makes, dark; when it closes, the app's failure
/// (if it left one) is the error.
pub(crate) fn run_window<A: eframe::App + 'static>(
    title: &str,
    window: [f32; 2],
    build: impl FnOnce(
        &egui::Context,
    ) -> Result<(A, ScreenshotFailure), Box<dyn std::error::Error + Send + Sync>>
    + 'static,
) -> Result<(), Box<dyn std::error::Error>> {
    let build: AppBuilder<A> = Box::new(build);
    // The app's failure slot, handed out of the window's closure.
    let failed: std::sync::Arc<std::sync::Mutex<Option<ScreenshotFailure>>> = Default::default();
    let failed_slot = failed.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size(window)
            .with_title(title),
        ..Default::default()
    };
    eframe::run_native(
        title,
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_visuals(egui::Visuals::dark());
            let (app, failure) = build(&cc.egui_ctx)?;
            if let Ok(mut slot) = failed_slot.lock() {
                *slot = Some(failure);
            }
            Ok(Box::new(app))
        }),
    )?;
    let failed = failed
        .lock()
        .ok()
        .and_then(|slot| slot.as_ref().and_then(|f| f.lock().ok()?.clone()));
    match failed {
        Some(why) => Err(why.into()),
        None => Ok(()),
    }
}

/// CPU time of the dashboard's frames (layout, plots and tessellation: all a frame costs
/// before the GPU) at `size` points, with every panel drawn: `frames` timed after `warmup`.
/// The headless backend steps the engine inside each frame, as the thread would beside it.
pub fn frame_times(
    patient: Patient,
    size: [f32; 2],
    tab: Tab,
    warmup: usize,
    frames: usize,
) -> Result<Vec<Duration>, ecmo_unload::Error> {
    let ctx = egui::Context::default();
    ctx.set_visuals(egui::Visuals::dark());
    let mut app = Dashboard::headless(Engine::new(patient)?);
    app.set_tab(tab);
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(size[0], size[1]),
        )),
        ..Default::default()
    };
    let mut times = Vec::with_capacity(frames);
    for i in 0..warmup + frames {
        let start = std::time::Instant::now();
        let out = ctx.run_ui(input.clone(), |ui| {
            app.poll(ui.ctx());
            app.dashboard_ui(ui);
        });
        let primitives = ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(primitives);
        if i >= warmup {
            times.push(start.elapsed());
        }
    }
    Ok(times)
}
