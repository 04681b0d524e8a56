//! `cohort --parquet` (cargo feature `parquet`): the patients table also as Parquet, for large
//! cohorts read by analysis tools. The CSV stays the source the run streams, resumes and merges
//! from; the Parquet file is written from it at the end, a row group at a time (memory flat).

use super::*;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: a few MB of columns, read back a group at a time.
const ROWS_PER_GROUP: usize = 16_384;

/// A column's Parquet type, by its name: the patient index, the true/false columns and the
/// words; every other column is a number (empty: null).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Index,
    Flag,
    Text,
    Number,
}

const FLAGS: [&str; 3] = ["steady", "ecmo_chatter", "impella_suction"];
const TEXTS: [&str; 6] = [
    "strategy",
    "edema_risk",
    "edema_reason",
    "mixing_zone",
    "alarms",
    "error",
];

fn kind(name: &str) -> Kind {
    if name == "patient" {
        Kind::Index
    } else if FLAGS.contains(&name) {
        Kind::Flag
    } else if TEXTS.contains(&name) {
        Kind::Text
    } else {
        Kind::Number
    }
}

/// The non-empty cells of a column, parsed (`bad` names a cell that does not parse).
fn present_values<T: std::str::FromStr>(
    rows: &[csv::StringRecord],
    cell: impl Fn(&csv::StringRecord) -> String,
    bad: impl Fn(&str) -> anyhow::Error,
) -> anyhow::Result<Vec<T>> {
    rows.iter()
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<T>().map_err(|_| bad(&s)))
        .collect()
}

/// Write the patients table `csv_path` as Parquet (Snappy) to `out` (atomically).
pub fn write_parquet(csv_path: &Path, out: &Path) -> anyhow::Result<()> {
    let shown = csv_path.display().to_string();
    let mut r = csv::Reader::from_path(csv_path).map_err(|e| io_error(&shown, e))?;
    let header = r.headers().map_err(|e| io_error(&shown, e))?.clone();
    let kinds: Vec<Kind> = header.iter().map(kind).collect();
    let fields = header
        .iter()
        .zip(&kinds)
        .map(|(name, k)| {
            let (physical, logical, repetition) = match k {
                Kind::Index => (Physical::INT64, None, Repetition::REQUIRED),
                Kind::Flag => (Physical::BOOLEAN, None, Repetition::OPTIONAL),
                Kind::Text => (
                    Physical::BYTE_ARRAY,
                    Some(LogicalType::String),
                    Repetition::OPTIONAL,
                ),
                Kind::Number => (Physical::DOUBLE, None, Repetition::OPTIONAL),
            };
            Type::primitive_type_builder(name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(
        Type::group_type_builder("patients")
            .with_fields(fields)
            .build()?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    // Streamed into a file beside the target, renamed over it when complete (as every save).
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".ecmo-unload-")
        .suffix(".partial")
        .tempfile_in(&folder)
        .map_err(|e| io_error(out.display(), e))?;
    let file = tmp.reopen().map_err(|e| io_error(out.display(), e))?;
    {
        let mut writer = SerializedFileWriter::new(std::io::BufWriter::new(file), schema, props)?;
        let mut rows: Vec<csv::StringRecord> = Vec::with_capacity(ROWS_PER_GROUP);
        let mut records = r.records().enumerate();
        loop {
            rows.clear();
            for (line, record) in records.by_ref() {
                rows.push(record.map_err(|e| io_error(format!("{shown}:{}", line + 2), e))?);
                if rows.len() == ROWS_PER_GROUP {
                    break;
                }
            }
            if rows.is_empty() {
                break;
            }
            let mut group = writer.next_row_group()?;
            let mut c = 0;
            while let Some(mut column) = group.next_column()? {
                let cell = |row: &csv::StringRecord| row.get(c).unwrap_or("").to_string();
                let present: Vec<i16> = rows
                    .iter()
                    .map(|r| i16::from(!cell(r).is_empty()))
                    .collect();
                let bad = |value: &str| {
                    io_error(
                        &shown,
                        format!(
                            "column '{}': '{value}' is not a {}",
                            &header[c],
                            match kinds[c] {
                                Kind::Flag => "true/false",
                                _ => "number",
                            }
                        ),
                    )
                };
                match kinds[c] {
                    Kind::Index => {
                        let v = rows
                            .iter()
                            .map(|r| cell(r).parse::<i64>().map_err(|_| bad(&cell(r))))
                            .collect::<Result<Vec<_>, _>>()?;
                        column.typed::<Int64Type>().write_batch(&v, None, None)?;
                    }
                    Kind::Flag => {
                        let v = present_values(&rows, cell, bad)?;
                        column
                            .typed::<BoolType>()
                            .write_batch(&v, Some(&present), None)?;
                    }
                    Kind::Text => {
                        let v: Vec<ByteArray> = rows
                            .iter()
                            .map(&cell)
                            .filter(|s| !s.is_empty())
                            .map(|s| ByteArray::from(s.as_str()))
                            .collect();
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(&v, Some(&present), None)?;
                    }
                    Kind::Number => {
                        let v = present_values(&rows, cell, bad)?;
                        column
                            .typed::<DoubleType>()
                            .write_batch(&v, Some(&present), None)?;
                    }
                }
                column.close()?;
                c += 1;
            }
            group.close()?;
        }
        writer
            .into_inner()?
            .flush()
            .map_err(|e| io_error(out.display(), e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| io_error(out.display(), e))?;
    tmp.persist(out).map_err(|e| io_error(out.display(), e))?;
    Ok(())
}
