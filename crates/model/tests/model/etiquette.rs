//! The etiquette check against labelled outreach emails: precision and recall of the error-level
//! findings over (email, rule) pairs, with every false positive and false negative listed. Two
//! files, the same format (described at the top of the corpus): `tests/etiquette_corpus.txt`,
//! and `tests/etiquette_heldout.txt`, written by someone who never saw the checker (its figures
//! before the checker was changed for it are recorded at its top).
//!
//! `cargo test -p rapport-model --test model etiquette -- --nocapture` prints the figures.

use std::collections::{BTreeMap, BTreeSet};

use rapport_model::workflow::etiquette::{Severity, check};

const CORPUS: &str = include_str!("../etiquette_corpus.txt");
const HELD_OUT: &str = include_str!("../etiquette_heldout.txt");

/// The rules that may report an error: labels must name one of them.
const ERROR_RULES: &[&str] = &["length", "resume", "job_request", "referral_request"];

const MIN_PRECISION: f64 = 0.97;
const MIN_RECALL: f64 = 0.95;

struct Email {
    id: String,
    want: BTreeSet<String>,
    note: String,
    text: String,
}

fn corpus() -> Vec<Email> {
    emails(CORPUS)
}

/// The emails of a file in the corpus format (`-` or `none` for no error).
fn emails(source: &str) -> Vec<Email> {
    let mut out: Vec<Email> = Vec::new();
    let mut body: Vec<&str> = Vec::new();
    let flush = |out: &mut Vec<Email>, body: &mut Vec<&str>| {
        if let Some(last) = out.last_mut() {
            last.text = body.join("\n").trim().to_string();
        }
        body.clear();
    };
    for line in source.lines() {
        if let Some(header) = line.strip_prefix("=== ") {
            flush(&mut out, &mut body);
            let mut fields = header.splitn(3, '|').map(str::trim);
            let id = fields.next().unwrap_or_default().to_string();
            let rules = fields.next().unwrap_or_default();
            let note = fields.next().unwrap_or_default().to_string();
            let want: BTreeSet<String> = if rules == "-" || rules == "none" {
                BTreeSet::new()
            } else {
                rules.split(',').map(|r| r.trim().to_string()).collect()
            };
            for r in &want {
                assert!(
                    ERROR_RULES.contains(&r.as_str()),
                    "{id}: unknown rule {r:?} in the label"
                );
            }
            out.push(Email {
                id,
                want,
                note,
                text: String::new(),
            });
        } else if line == "#" || line.starts_with("# ") {
            // A comment, anywhere in the file.
        } else if !out.is_empty() {
            body.push(line);
        } else {
            assert!(line.is_empty(), "text before the first email: {line:?}");
        }
    }
    flush(&mut out, &mut body);
    out
}

#[test]
fn the_corpus_is_well_formed() {
    for emails in [corpus(), emails(HELD_OUT)] {
        well_formed(&emails);
    }
}

fn well_formed(emails: &[Email]) {
    let mut ids = BTreeSet::new();
    for e in emails {
        assert!(ids.insert(e.id.clone()), "{} appears twice", e.id);
        assert!(!e.text.is_empty(), "{} has no text", e.id);
        let words = e.text.split_whitespace().count();
        assert_eq!(
            e.want.contains("length"),
            words > 150,
            "{}: {words} words, label {:?}",
            e.id,
            e.want
        );
    }
}

#[test]
fn error_findings_match_the_labelled_corpus() {
    let emails = corpus();
    assert!(emails.len() >= 150, "{} emails", emails.len());
    score("etiquette corpus", &emails);
}

#[test]
fn error_findings_match_the_held_out_emails() {
    score("held-out emails", &emails(HELD_OUT));
}

/// Scores `check` on `emails`, prints the figures, and asserts the bounds.
fn score(name: &str, emails: &[Email]) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut per_rule: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut false_pos = Vec::new();
    let mut false_neg = Vec::new();
    let mut repeated = Vec::new();
    for e in emails {
        let findings = check(&e.text);
        let chars: Vec<char> = e.text.chars().collect();
        let mut seen = BTreeSet::new();
        for f in &findings {
            if !seen.insert(f.rule.clone()) {
                repeated.push(format!("{}: {} twice", e.id, f.rule));
            }
            assert!(f.start <= f.end && f.end <= chars.len(), "{}: {f:?}", e.id);
            let at: String = chars[f.start..f.end].iter().collect();
            assert_eq!(
                at, f.excerpt,
                "{}: the excerpt is the text at the offsets",
                e.id
            );
        }
        let got: BTreeMap<&str, &str> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.rule.as_str(), f.excerpt.as_str()))
            .collect();
        for rule in ERROR_RULES {
            let want = e.want.contains(*rule);
            let entry = per_rule.entry((*rule).to_string()).or_default();
            match (want, got.get(rule)) {
                (true, Some(_)) => {
                    tp += 1;
                    entry.0 += 1;
                }
                (false, Some(excerpt)) => {
                    fp += 1;
                    entry.1 += 1;
                    false_pos.push(format!("{} {rule} on {excerpt:?} ({})", e.id, e.note));
                }
                (true, None) => {
                    fn_ += 1;
                    entry.2 += 1;
                    false_neg.push(format!("{} {rule} missed ({})", e.id, e.note));
                }
                (false, None) => {}
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let good = emails.iter().filter(|e| e.want.is_empty()).count();
    println!(
        "{name}: {} emails ({good} without errors, {} with), {tp} true positives, {fp} false positives, {fn_} false negatives",
        emails.len(),
        emails.len() - good
    );
    println!("precision {precision:.3}, recall {recall:.3}");
    for (rule, (t, p, n)) in &per_rule {
        println!(
            "  {rule:<17} precision {:.3} recall {:.3} ({t} tp, {p} fp, {n} fn)",
            ratio(*t, t + p),
            ratio(*t, t + n)
        );
    }
    for line in &false_pos {
        println!("false positive: {line}");
    }
    for line in &false_neg {
        println!("false negative: {line}");
    }
    assert!(
        repeated.is_empty(),
        "one finding per rule per message: {repeated:?}"
    );
    assert!(
        precision >= MIN_PRECISION,
        "precision {precision:.3} < {MIN_PRECISION}: {false_pos:#?}"
    );
    assert!(
        recall >= MIN_RECALL,
        "recall {recall:.3} < {MIN_RECALL}: {false_neg:#?}"
    );
}
