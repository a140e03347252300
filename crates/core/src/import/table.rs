//! CSV tables as address books export them (read with the `csv` crate): rows keep the line
//! they start on, so errors can point at it.

use super::RowError;
use crate::ApiError;

pub(super) struct Row {
    pub line: u64,
    fields: csv::StringRecord,
}

impl Row {
    /// The trimmed field in column `c`, or "" when there is no such column or field.
    pub fn get(&self, c: Option<usize>) -> &str {
        c.and_then(|c| self.fields.get(c)).unwrap_or("").trim()
    }
}

pub(super) struct Table {
    headers: csv::StringRecord,
    pub rows: Vec<Result<Row, RowError>>,
}

impl Table {
    /// Reads `text`, whose header is on line `lines_before + 1` of the file.
    pub fn read(text: &str, lines_before: u64) -> Result<Self, ApiError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| ApiError::validation("file", format!("line {}: {e}", lines_before + 1)))?
            .clone();
        let rows = rdr
            .records()
            .map(|r| match r {
                Ok(fields) => Ok(Row {
                    line: fields.position().map_or(0, |p| p.line()) + lines_before,
                    fields,
                }),
                Err(e) => Err(RowError {
                    line: e.position().map_or(0, |p| p.line()) + lines_before,
                    reason: e.to_string(),
                }),
            })
            .collect();
        Ok(Self { headers, rows })
    }

    /// The column whose header is `name` (ignoring case and surrounding spaces).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    /// The first of `names` that is a column.
    pub fn any_col(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.col(n))
    }
}
