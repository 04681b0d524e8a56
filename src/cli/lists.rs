//! `params`, `presets` and `scenarios`: what can be set and chosen.

use super::*;

pub fn params(preset: &str) -> anyhow::Result<()> {
    let patient = presets::load(preset)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(
        out,
        "{:<44} {:>12} {:<12} {:<22} meaning",
        "key", "value", "unit", "range"
    )
    .map_err(stdout_error)?;
    for (key, value) in settings::leaves(&patient) {
        let spec = settings::spec_of(&key);
        let (unit, range, help) = match spec {
            Some(s) if s.min.is_finite() => {
                (s.unit, format!("[{}, {}]", s.min, s.max), s.meaning())
            }
            Some(s) => (s.unit, "text".to_string(), s.meaning()),
            None => ("", String::new(), String::new()),
        };
        let shown = match &value {
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        writeln!(out, "{key:<44} {shown:>12} {unit:<12} {range:<22} {help}")
            .map_err(stdout_error)?;
    }
    Ok(())
}

pub fn list_presets() -> anyhow::Result<()> {
    for (name, file, text) in presets::BUILT_IN {
        let description = presets::parse(text, file)
            .map(|p| p.description)
            .unwrap_or_default();
        outln!("{name:<20} {description}")?;
    }
    Ok(())
}

/// `scenarios`: the library, one name a line, then its title.
pub fn list_scenarios() -> anyhow::Result<()> {
    for (name, _) in scenario::LIBRARY {
        let s = Scenario::load(name)?;
        outln!("{name:<28} {}", s.title)?;
    }
    Ok(())
}
