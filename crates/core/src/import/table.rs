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
    /// Each header (trimmed, lower case) and its first column: looked up, not searched, since
    /// a file can have thousands of columns.
    columns: std::collections::HashMap<String, usize>,
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
        // The csv crate's line numbers do not count newlines inside quoted fields, so lines are
        // counted here from the byte offsets, which are exact.
        let mut lines = LineCounter {
            text,
            at: 0,
            line: lines_before + 1,
        };
        let rows = rdr
            .records()
            .map(|r| match r {
                Ok(fields) => Ok(Row {
                    line: lines.at(fields.position().map_or(0, |p| p.byte())),
                    fields,
                }),
                Err(e) => Err(RowError {
                    line: lines.at(e.position().map_or(0, |p| p.byte())),
                    reason: e.to_string(),
                }),
            })
            .collect();
        let mut columns = std::collections::HashMap::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            columns.entry(h.trim().to_lowercase()).or_insert(i);
        }
        Ok(Self { columns, rows })
    }

    /// The column whose header is `name` (ignoring case and surrounding spaces).
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(&name.trim().to_lowercase()).copied()
    }

    /// The first of `names` that is a column.
    pub fn any_col(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.col(n))
    }
}

/// The line of byte offsets met in increasing order, counting each newline once.
struct LineCounter<'a> {
    text: &'a str,
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn at(&mut self, byte: u64) -> u64 {
        let bytes = self.text.as_bytes();
        // csv may report a record as starting on the newline that ends the previous one.
        let mut byte = (byte as usize).min(bytes.len());
        while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte > self.at {
            self.line += bytes[self.at..byte].iter().filter(|&&b| b == b'\n').count() as u64;
            self.at = byte;
        }
        self.line
    }
}
