//! Presets: patients in RON. The built-in ones are embedded in the binary so it runs anywhere;
//! any other name is read as a file path. Errors name the file, line, column and field.

use crate::error::Error;
use crate::patient::Patient;
use crate::settings;

/// Built-in presets: (name, file name, RON text).
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "healthy",
        "presets/healthy.ron",
        include_str!("../../../../presets/healthy.ron"),
    ),
    (
        "cardiogenic-shock",
        "presets/cardiogenic-shock.ron",
        include_str!("../../../../presets/cardiogenic-shock.ron"),
    ),
];

pub fn names() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(n, _, _)| *n)
}

/// A built-in preset by name, or a RON file by path.
pub fn load(name_or_path: &str) -> Result<Patient, Error> {
    if let Some((_, file, text)) = BUILT_IN.iter().find(|(n, _, _)| *n == name_or_path) {
        return parse(text, file);
    }
    let path = std::path::Path::new(name_or_path);
    if !path.exists() {
        return Err(Error::UnknownPreset {
            name: name_or_path.to_string(),
            known: names().collect::<Vec<_>>().join(", "),
        });
    }
    let bytes = crate::files::read_settings_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        Error::Parse {
            file: name_or_path.to_string(),
            line,
            column,
            message: "not valid UTF-8".to_string(),
        }
    })?;
    parse(&text, name_or_path)
}

/// Parse and validate a preset's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Patient, Error> {
    let patient: Patient = ron::from_str(text).map_err(|e| {
        let (line, column) = (e.span.start.line, e.span.start.col);
        let field = field_at(text, line, column)
            .map(|f| format!(" (field `{f}`)"))
            .unwrap_or_default();
        Error::Parse {
            file: file.to_string(),
            line,
            column,
            message: format!("{}{field}", e.code),
        }
    })?;
    settings::validate(&patient).map_err(|e| {
        let (line, column) = match &e {
            Error::OutOfRange { key, .. }
            | Error::UnknownKey { key }
            | Error::Invalid { key, .. } => locate(text, key).unwrap_or((1, 1)),
            _ => (1, 1),
        };
        Error::in_file(file, (line, column), e)
    })?;
    Ok(patient)
}

/// Where a dotted key's value sits in RON text: each segment searched for as `name:` after the
/// previous one. Good enough for presets as written (one field a line).
pub fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    for segment in key.split('.') {
        let mut search = from;
        loop {
            let at = search + text[search..].find(segment)?;
            let end = at + segment.len();
            let before_ok = at == 0 || !is_ident(text.as_bytes()[at - 1]);
            let after = text[end..].trim_start();
            if before_ok && after.starts_with(':') {
                from = end;
                break;
            }
            search = end;
        }
    }
    let start = from - key.rsplit('.').next()?.len();
    Some(line_col(text, start))
}

/// The field whose value sits at (line, column): the last `name:` before that column on the
/// line (or on an earlier line). The reverse of [`locate`], for parse errors.
fn field_at(text: &str, line: usize, column: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = column.saturating_sub(1);
    for l in (0..line.min(lines.len())).rev() {
        // Columns count characters: cut by chars, never inside a UTF-8 sequence.
        let upto: String = lines[l].chars().take(end).collect();
        if let Some(colon) = upto.rfind(':') {
            let name: String = upto[..colon]
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
        end = usize::MAX;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// 1-based line and column of a byte offset (every file error names its place this way).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// A patient as RON text (round-trips through [`parse`]).
pub fn to_ron(p: &Patient) -> String {
    ron::ser::to_string_pretty(p, ron::ser::PrettyConfig::default())
        .expect("a Patient always serialises")
}

/// Write a patient to a preset file (the file is written whole, then renamed over the old one,
/// so a crash never leaves half a preset).
pub fn save(p: &Patient, path: &std::path::Path) -> Result<(), Error> {
    crate::files::write_bytes(path, to_ron(p).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_presets_parse_and_validate() {
        for name in names() {
            let p = load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!p.name.is_empty());
        }
    }

    #[test]
    fn locate_finds_nested_fields() {
        let text =
            "(\n  heart: (\n    la: (ees_mmhg_per_ml: 1),\n    lv: (\n      ees_mmhg_per_ml: 2,\n";
        assert_eq!(locate(text, "heart.lv.ees_mmhg_per_ml"), Some((5, 7)));
        assert_eq!(locate(text, "heart.la.ees_mmhg_per_ml"), Some((3, 10)));
    }

    #[test]
    fn round_trips_through_ron() {
        let p = load("healthy").unwrap();
        assert_eq!(parse(&to_ron(&p), "x.ron").unwrap(), p);
    }
}
