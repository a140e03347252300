//! The etiquette check of an outreach message: short, personal, a connection first, the ask as
//! a question with times to choose from, and never a résumé or a job request.

use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Breaks the etiquette of an informational interview: fix before sending.
    Error,
}

/// One thing the check found. `start` and `end` are character offsets (Unicode scalar values)
/// of the part of the text it is about; `excerpt` is that part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
}

/// The word counts the check uses.
pub const IDEAL_WORDS: usize = 75;
pub const MAX_WORDS: usize = 150;

const CONNECTION: &[&str] = &[
    "referred",
    "suggested i",
    "suggested that i",
    "recommended",
    "mentioned you",
    "introduced",
    "introduction",
    "we met",
    "met you",
    "i met",
    "saw your",
    "read your",
    "your article",
    "your talk",
    "your post",
    "your podcast",
    "your interview",
    "your work on",
    "quoted",
    "fellow",
    "alumni",
    "alumnus",
    "alumna",
    "graduate of",
    "also studied",
    "friend",
    "colleague",
    "heard you",
    "heard your",
    "told me",
    "pointed me",
    "gave me your",
    "same university",
    "same school",
    "member of",
];
const ASK: &[&str] = &[
    "would you",
    "could you",
    "could we",
    "would it be",
    "might you",
    "are you open",
    "are you available",
    "do you have",
    "may i",
    "can we",
    "could i",
    "would you be",
    "would you have",
    "be willing",
    "be open",
];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "tomorrow",
    "next week",
    "this week",
    "mon ",
    "tue ",
    "wed ",
    "thu ",
    "fri ",
];
const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may ", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const RESUME: &[&str] = &[
    "résumé",
    "resume",
    " cv",
    "cv ",
    "cv.",
    "cv,",
    "curriculum vitae",
    "attached",
    "attachment",
    "enclosed",
    "i attach",
];
const JOB: &[&str] = &[
    "job",
    "position",
    "opening",
    "vacancy",
    "vacancies",
    "hire me",
    "hiring me",
    "employ me",
    "employment",
    "role for me",
    "any roles",
    "open roles",
    "openings",
    "work for you",
    "refer me for",
];

struct Text<'a> {
    raw: &'a str,
    lower: String,
}

impl<'a> Text<'a> {
    fn new(raw: &'a str) -> Self {
        // Lower-casing can change byte lengths (e.g. 'İ'); build the lower form char by char so
        // char offsets stay aligned with the original.
        let lower = raw
            .chars()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect();
        Self { raw, lower }
    }

    fn char_range(&self, byte_start: usize, byte_end: usize) -> (usize, usize) {
        let start = self.lower[..byte_start].chars().count();
        let len = self.lower[byte_start..byte_end].chars().count();
        (start, start + len)
    }

    fn excerpt(&self, start: usize, end: usize) -> String {
        self.raw.chars().skip(start).take(end - start).collect()
    }

    fn finding(
        &self,
        rule: &str,
        severity: Severity,
        message: String,
        (start, end): (usize, usize),
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message,
            start,
            end,
            excerpt: self.excerpt(start, end),
        }
    }

    /// Sentences as byte ranges of `lower`, ending after `.`, `!`, `?` or a blank line.
    fn sentences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = self.lower.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            let end_here = matches!(c, b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
                || (c == b'\n' && bytes.get(i + 1) == Some(&b'\n'));
            if end_here {
                push_trimmed(&self.lower, &mut out, start, i + 1);
                start = i + 1;
            }
            i += 1;
        }
        push_trimmed(&self.lower, &mut out, start, bytes.len());
        out
    }

    fn find_any(&self, range: (usize, usize), words: &[&str]) -> Option<(usize, usize)> {
        let hay = &self.lower[range.0..range.1];
        words
            .iter()
            .filter_map(|w| {
                hay.match_indices(w)
                    .map(|(i, _)| (i, w.len()))
                    .find(|(i, len)| whole_word(hay, *i, *len))
            })
            .min()
            .map(|(i, len)| (range.0 + i, range.0 + i + len))
    }
}

fn push_trimmed(s: &str, out: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    let piece = &s[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if piece.trim().is_empty() {
        return;
    }
    out.push((start + lead, end - trail));
}

/// A match must not sit inside a longer word ("job" not in "jobsite"), though a plural `s` may
/// follow it ("jobs").
fn whole_word(hay: &str, i: usize, len: usize) -> bool {
    let before = hay[..i].chars().next_back();
    let mut after = hay[i + len..].chars();
    let inner_start = hay[i..].chars().next().is_some_and(char::is_alphanumeric);
    let inner_end = hay[..i + len]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    let next = match after.next() {
        Some('s') => after.next(),
        other => other,
    };
    let glued_before = inner_start && before.is_some_and(char::is_alphanumeric);
    let glued_after = inner_end && next.is_some_and(char::is_alphanumeric);
    !(glued_before || glued_after)
}

/// A greeting line ("Hi Ana,") is not a sentence of the message.
fn is_greeting(s: &str) -> bool {
    let t = s.trim();
    let first = t.split_whitespace().next().unwrap_or("");
    matches!(first, "hi" | "hello" | "dear" | "hey" | "good") && t.len() < 40 && !t.contains('.')
}

fn has_time(lower: &str) -> bool {
    let b = lower.as_bytes();
    let clock = (0..b.len()).any(|i| {
        b[i].is_ascii_digit()
            && ((b.get(i + 1) == Some(&b':') && b.get(i + 2).is_some_and(u8::is_ascii_digit))
                || lower[i + 1..].trim_start().starts_with("am")
                || lower[i + 1..].trim_start().starts_with("pm")
                || lower[i + 1..].starts_with("h00"))
    });
    let date = MONTHS.iter().any(|m| {
        lower.match_indices(m).any(|(i, _)| {
            let around = &lower[i.saturating_sub(4)..(i + m.len() + 4).min(lower.len())];
            around.chars().any(|c| c.is_ascii_digit())
        })
    });
    clock || date || WEEKDAYS.iter().any(|d| lower.contains(d))
}

/// Checks a draft. Findings come in the order of the rules above, errors and warnings mixed.
pub fn check(text: &str) -> Vec<Finding> {
    let t = Text::new(text);
    let mut out = Vec::new();
    let total_chars = text.chars().count();
    let words: Vec<(usize, &str)> = t
        .lower
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - t.lower.as_ptr() as usize, w))
        .collect();

    if words.len() > IDEAL_WORDS {
        let (severity, limit, message) = if words.len() > MAX_WORDS {
            (
                Severity::Error,
                MAX_WORDS,
                format!(
                    "{} words: keep it under {MAX_WORDS} (ideally {IDEAL_WORDS}); busy people skim",
                    words.len()
                ),
            )
        } else {
            (
                Severity::Warning,
                IDEAL_WORDS,
                format!(
                    "{} words: {IDEAL_WORDS} or fewer reads best on a phone",
                    words.len()
                ),
            )
        };
        let from = words[limit].0;
        out.push(t.finding(
            "length",
            severity,
            message,
            t.char_range(from, t.lower.len()),
        ));
    }

    let sentences: Vec<(usize, usize)> = t
        .sentences()
        .into_iter()
        .filter(|(s, e)| !is_greeting(&t.lower[*s..*e]))
        .collect();
    if let Some(first) = sentences.first() {
        let opening = (first.0, sentences.get(1).map_or(first.1, |s| s.1));
        if t.find_any(opening, CONNECTION).is_none() {
            out.push(t.finding(
                "connection_first",
                Severity::Warning,
                "say how you are connected (who referred you, where you saw their work) in the first two sentences".into(),
                t.char_range(opening.0, opening.1),
            ));
        }
    }

    let ask_sentence = sentences
        .iter()
        .find(|(s, e)| t.find_any((*s, *e), ASK).is_some() || t.lower[*s..*e].contains("minutes"));
    let question = sentences
        .iter()
        .any(|(s, e)| t.lower[*s..*e].ends_with('?'));
    if !question {
        let range = ask_sentence.copied().unwrap_or((0, t.lower.len()));
        out.push(t.finding(
            "ask_as_question",
            Severity::Warning,
            "phrase the ask as a question (\"Would you have 20 minutes…?\"), so it is easy to say yes".into(),
            t.char_range(range.0, range.1),
        ));
    }

    if !has_time(&t.lower) {
        let range = ask_sentence.map_or((0, total_chars), |(s, e)| t.char_range(*s, *e));
        out.push(t.finding(
            "proposed_times",
            Severity::Warning,
            "offer two or three times they can pick from (e.g. \"Tuesday at 10:00 or Thursday at 16:00\")".into(),
            range,
        ));
    }

    let forbidden: [(&[&str], &str, &str); 2] = [
        (
            RESUME,
            "resume",
            "leave out the résumé and attachments: you are asking for advice, not applying",
        ),
        (
            JOB,
            "job_request",
            "do not ask for a job, position or opening: ask to learn from their experience",
        ),
    ];
    for (words, rule, message) in forbidden {
        let mut from = 0;
        while let Some((a, b)) = t.find_any((from, t.lower.len()), words) {
            out.push(t.finding(rule, Severity::Error, message.into(), t.char_range(a, b)));
            from = b;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "Hi Ana,\n\nBea Costa suggested I write to you: she said you know grid storage better than anyone. \
        I'm a data analyst moving into energy. Would you have 20 minutes for a call? \
        Tuesday at 10:00 or Thursday at 16:00 would suit me.\n\nThanks,\nSam";

    fn rules(text: &str) -> Vec<(String, Severity)> {
        check(text)
            .into_iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    #[test]
    fn a_good_draft_passes() {
        assert_eq!(rules(GOOD), vec![]);
    }

    #[test]
    fn a_table_of_bad_drafts() {
        let long = format!(
            "{} Would you have 20 minutes on Tuesday at 10:00?",
            "Bea referred me to you. ".repeat(20)
        );
        let very_long = format!(
            "{} Would you have 20 minutes on Tuesday at 10:00?",
            "Bea referred me to you. ".repeat(40)
        );
        let cases: Vec<(String, Vec<(&str, Severity)>)> = vec![
            (long, vec![("length", Severity::Warning)]),
            (very_long, vec![("length", Severity::Error)]),
            (
                "I am a data analyst. I like energy. Would you have 20 minutes on Tuesday at 10:00?".into(),
                vec![("connection_first", Severity::Warning)],
            ),
            (
                "Bea referred me to you. Please give me 20 minutes on Tuesday at 10:00.".into(),
                vec![("ask_as_question", Severity::Warning)],
            ),
            (
                "Bea referred me to you. Would you have 20 minutes for a call sometime?".into(),
                vec![("proposed_times", Severity::Warning)],
            ),
            (
                "Bea referred me to you. Would you have 20 minutes on Friday at 3pm? I attached my CV.".into(),
                vec![("resume", Severity::Error), ("resume", Severity::Error)],
            ),
            (
                "Bea referred me to you. Do you have any openings on your team? Could we talk on Monday at 9:30?".into(),
                vec![("job_request", Severity::Error)],
            ),
        ];
        for (text, want) in cases {
            let got = rules(&text);
            let want: Vec<(String, Severity)> =
                want.into_iter().map(|(r, s)| (r.to_string(), s)).collect();
            assert_eq!(got, want, "for {text:?}");
        }
    }

    #[test]
    fn spans_point_at_the_words() {
        let text =
            "Zoë referred me. Would you have 20 minutes on Nov 12 at 10:00? I enclosed my résumé.";
        let f = check(text);
        let resume: Vec<_> = f.iter().filter(|f| f.rule == "resume").collect();
        assert_eq!(resume.len(), 2);
        assert_eq!(resume[0].excerpt, "enclosed");
        assert_eq!(resume[1].excerpt, "résumé");
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[resume[1].start..resume[1].end].iter().collect();
        assert_eq!(s, "résumé", "offsets count characters, not bytes");
    }

    #[test]
    fn words_inside_other_words_are_not_flagged() {
        assert!(
            check(
                "Bea referred me. Would you share how your jobsite tooling works, Tuesday at 10:00?"
            )
            .iter()
            .all(|f| f.rule != "job_request")
        );
    }
}
