//! Google Contacts' CSV export, in both layouts Google has used: the current one
//! (`First Name`, `Organization Name`, `E-mail 1 - Label`, `Labels`) and the older "Google CSV"
//! (`Given Name`, `Organization 1 - Name`, `E-mail 1 - Type`, `Group Membership`). A cell may
//! hold several values separated by ` ::: `.

use rapport_model::{ContactPoint, Link};

use super::table::{Row, Table};
use super::{Contact, Rows, some};
use crate::ApiError;

const SEP: &str = ":::";

/// Google's system labels, which say nothing about the person.
const SYSTEM_LABELS: [&str; 2] = ["myContacts", "starred"];

/// `* Work` → `work`: Google marks the primary value with a star.
fn label(s: &str) -> Option<String> {
    some(s.trim_start_matches('*')).map(|l| l.to_lowercase())
}

fn split(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(SEP).filter_map(some)
}

/// The numbered value columns of one property (`E-mail 1 - Value`, `E-mail 2 - Value`…), each
/// with its label column.
fn numbered(table: &Table, prefix: &str) -> Vec<(usize, Option<usize>)> {
    (1..)
        .map_while(|n| {
            let value = table.col(&format!("{prefix} {n} - Value"))?;
            let label = table.any_col(&[
                &format!("{prefix} {n} - Label"),
                &format!("{prefix} {n} - Type"),
            ]);
            Some((value, label))
        })
        .collect()
}

fn points(row: &Row, cols: &[(usize, Option<usize>)]) -> Vec<ContactPoint> {
    cols.iter()
        .flat_map(|&(v, l)| {
            let label = label(row.get(l));
            split(row.get(Some(v)))
                .map(move |value| ContactPoint {
                    value,
                    label: label.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

pub(super) fn read(text: &str) -> Result<Rows, ApiError> {
    let table = Table::read(text, 0)?;
    let name = table.col("Name");
    let first = table.any_col(&["First Name", "Given Name"]);
    let middle = table.any_col(&["Middle Name", "Additional Name"]);
    let last = table.any_col(&["Last Name", "Family Name"]);
    let file_as = table.any_col(&["File As", "Nickname"]);
    let emails = numbered(&table, "E-mail");
    if name.is_none() && first.is_none() && last.is_none() && emails.is_empty() {
        return Err(ApiError::validation(
            "file",
            "no name or e-mail columns in the header (First Name, Last Name, E-mail 1 - Value…): is this a Google Contacts CSV export?",
        ));
    }
    let phones = numbered(&table, "Phone");
    let websites = numbered(&table, "Website");
    let company = table.any_col(&["Organization Name", "Organization 1 - Name"]);
    let title = table.any_col(&["Organization Title", "Organization 1 - Title"]);
    let city = table.any_col(&["Address 1 - City"]);
    let region = table.any_col(&["Address 1 - Region"]);
    let country = table.any_col(&["Address 1 - Country"]);
    let location = table.col("Location");
    let notes = table.col("Notes");
    let labels = table.any_col(&["Labels", "Group Membership"]);

    Ok(table
        .rows
        .into_iter()
        .map(|row| {
            let row = row?;
            let full = [first, middle, last]
                .iter()
                .map(|&c| row.get(c))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let name = some(row.get(name))
                .or_else(|| some(&full))
                .or_else(|| some(row.get(file_as)))
                .unwrap_or_default();
            let place = [city, region, country]
                .iter()
                .map(|&c| row.get(c))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Ok(Contact {
                line: row.line,
                name,
                role: some(row.get(title)),
                company: some(row.get(company)),
                emails: points(&row, &emails),
                phones: points(&row, &phones),
                links: points(&row, &websites)
                    .into_iter()
                    .map(|p| Link {
                        url: p.value,
                        label: p.label,
                    })
                    .collect(),
                location: some(&place).or_else(|| some(row.get(location))),
                note: some(row.get(notes)),
                tags: split(row.get(labels))
                    .map(|t| t.trim_start_matches('*').trim().to_string())
                    .filter(|t| !t.is_empty() && !SYSTEM_LABELS.contains(&t.as_str()))
                    .collect(),
                ..Default::default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_the_primary_star() {
        assert_eq!(label("* Work").as_deref(), Some("work"));
        assert_eq!(label("  "), None);
        assert_eq!(
            split("a@x.org ::: b@y.org").collect::<Vec<_>>(),
            ["a@x.org", "b@y.org"]
        );
    }
}
