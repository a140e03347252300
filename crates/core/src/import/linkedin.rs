//! LinkedIn's connections export: a few lines of notes, then the header
//! `First Name,Last Name,URL,Email Address,Company,Position,Connected On`.

use rapport_model::{ContactPoint, Link, Source};

use super::table::Table;
use super::{Contact, RowError, Rows, some};
use crate::ApiError;

/// "05 Mar 2024" → "2024-03-05" (LinkedIn's export), or the text as it is.
fn linkedin_date(s: &str) -> String {
    jiff::civil::Date::strptime("%d %b %Y", s.trim())
        .map(|d| d.to_string())
        .unwrap_or_else(|_| s.trim().to_string())
}

pub(super) fn read(text: &str) -> Result<Rows, ApiError> {
    // The table begins at its header; the lines before it are LinkedIn's notes.
    let mut offset = 0u64;
    let mut start = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().to_lowercase().starts_with("first name,") {
            start = Some(pos);
            break;
        }
        pos += line.len();
        offset += 1;
    }
    let Some(start) = start else {
        return Err(ApiError::validation(
            "file",
            "no header line 'First Name,Last Name,URL,Email Address,Company,Position,Connected On' found: is this LinkedIn's Connections.csv?",
        ));
    };
    let table = Table::read(&text[start..], offset)?;
    let (Some(first), Some(last)) = (table.col("First Name"), table.col("Last Name")) else {
        return Err(ApiError::validation(
            "file",
            "the header needs First Name and Last Name columns",
        ));
    };
    let (url_c, email_c, company_c, position_c, connected_c) = (
        table.col("URL"),
        table.col("Email Address"),
        table.col("Company"),
        table.col("Position"),
        table.col("Connected On"),
    );
    Ok(table
        .rows
        .into_iter()
        .map(|row| {
            let row = row?;
            let get = |c: Option<usize>| row.get(c);
            let name = format!("{} {}", get(Some(first)), get(Some(last)))
                .trim()
                .to_string();
            let url = get(url_c);
            let email = get(email_c);
            let connected = get(connected_c);
            Ok::<_, RowError>(Contact {
                line: row.line,
                name,
                role: some(get(position_c)),
                company: some(get(company_c)),
                emails: some(email).map(ContactPoint::new).into_iter().collect(),
                links: some(url)
                    .map(|url| Link {
                        url,
                        label: Some("LinkedIn".into()),
                    })
                    .into_iter()
                    .collect(),
                source: Some(Source::LinkedIn),
                source_detail: some(connected)
                    .map(|c| format!("Connected on LinkedIn on {}", linkedin_date(&c))),
                ..Default::default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn linkedin_dates_normalize() {
        assert_eq!(super::linkedin_date("05 Mar 2024"), "2024-03-05");
        assert_eq!(super::linkedin_date("soon"), "soon");
    }
}
