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
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    // Columns count characters, as the RON parser's own errors do.
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Every `"..."` string literal in RON text whose comments are blanked ([`masked`]): its
/// offset and its value, escapes decoded (`\u{61}` is `a`).
pub fn string_literals(code: &str) -> Vec<(usize, String)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            if let Some(literal) = code.get(start..(i + 1).min(code.len()))
                && let Ok(value) = ron::from_str::<String>(literal)
            {
                out.push((start, value));
            }
        }
        i += 1;
    }
    out
}

/// RON text with its comments blanked (`//` to the line's end, `/* */` nested), and a second
/// copy with the insides of its strings blanked too, every byte at its offset (newlines kept):
/// searching them finds a field or a string where the file holds it, not in a comment or a
/// note that mentions it.
pub fn masked(text: &str) -> (String, String) {
    let b = text.as_bytes();
    let (mut code, mut bare) = (b.to_vec(), b.to_vec());
    let blank = |v: &mut Vec<u8>, i: usize| {
        if v[i] != b'\n' {
            v[i] = b' ';
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    let escaped = b[i] == b'\\' && i + 1 < b.len();
                    blank(&mut bare, i);
                    if escaped {
                        blank(&mut bare, i + 1);
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    blank(&mut code, i);
                    blank(&mut bare, i);
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        for k in [i, i + 1] {
                            blank(&mut code, k);
                            blank(&mut bare, k);
                        }
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                        continue;
                    }
                    blank(&mut code, i);
                    blank(&mut bare, i);
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were written over whole characters' bytes: still UTF-8.
    let text_of = |v: Vec<u8>| String::from_utf8(v).unwrap_or_default();
    (text_of(code), text_of(bare))
}

/// The offset of the first field `name` (an identifier followed by `:`) at or after `from`
/// in RON text with its comments and strings blanked ([`masked`]).
pub fn field_offset(bare: &str, name: &str, from: usize) -> Option<usize> {
    let b = bare.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    bare.get(from..)?
        .match_indices(name)
        .map(|(i, _)| from + i)
        .find(|&at| {
            let before_ok = at == 0 || !ident(b[at - 1]);
            let after = &bare[at + name.len()..];
            let after_ok = !after.as_bytes().first().is_some_and(|&c| ident(c));
            before_ok && after_ok && after.trim_start().starts_with(':')
        })
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
