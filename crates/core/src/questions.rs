//! The built-in question bank, written for Rapport. Each question has a category (where it sits
//! in a conversation), a TIARA tag and the kinds of goal it suits.

use rapport_model::{
    GoalFocus, Meta, Question, QuestionCategory as C, Record, RecordId, Tiara as T, Timestamp,
};

use GoalFocus::{Any, Industry as Ind, Organization as Org, Role};

type Entry = (C, T, &'static [GoalFocus], &'static str);

/// Every built-in question, in conversation order within each category.
pub const BANK: &[Entry] = &[
    // Small talk: a warm start.
    (
        C::SmallTalk,
        T::Insights,
        &[Any],
        "What has kept you busiest these last few weeks?",
    ),
    (
        C::SmallTalk,
        T::Insights,
        &[Any],
        "How did your week start — anything interesting on your plate?",
    ),
    (
        C::SmallTalk,
        T::Insights,
        &[Org],
        "How long have you been with the team now, and what drew you here?",
    ),
    (
        C::SmallTalk,
        T::Insights,
        &[Any],
        "Is this a busy season for your line of work?",
    ),
    // The day-to-day.
    (
        C::DayToDay,
        T::Insights,
        &[Role],
        "What does an ordinary day look like for you, from the first hour to the last?",
    ),
    (
        C::DayToDay,
        T::Insights,
        &[Role],
        "Which parts of your week take the most time, and which the most energy?",
    ),
    (
        C::DayToDay,
        T::Insights,
        &[Role],
        "Who do you work with most closely, inside and outside the team?",
    ),
    (
        C::DayToDay,
        T::Insights,
        &[Role],
        "What part of the job would surprise someone who has only read the job description?",
    ),
    (
        C::DayToDay,
        T::Insights,
        &[Role],
        "Which tools or methods could you not do without?",
    ),
    (
        C::DayToDay,
        T::Insights,
        &[Role, Org],
        "How is success measured in your role?",
    ),
    // How they got there.
    (
        C::Path,
        T::Insights,
        &[Role],
        "How did you end up in this line of work?",
    ),
    (
        C::Path,
        T::Insights,
        &[Role],
        "Which earlier job or experience prepared you best for this one?",
    ),
    (
        C::Path,
        T::Insights,
        &[Role],
        "Looking back, was there a turning point that set your direction?",
    ),
    (
        C::Path,
        T::Insights,
        &[Role, Ind],
        "Is your route into the field a common one, or are there others that work as well?",
    ),
    (
        C::Path,
        T::Insights,
        &[Role],
        "What would you do differently if you were starting out again?",
    ),
    // Skills and training.
    (
        C::Skills,
        T::Insights,
        &[Role],
        "Which skills matter most for doing this job well?",
    ),
    (
        C::Skills,
        T::Advice,
        &[Role],
        "Which of those skills are hardest to pick up, and how did you learn them?",
    ),
    (
        C::Skills,
        T::Assignments,
        &[Role],
        "Is there a small project I could do to test whether I enjoy this kind of work?",
    ),
    (
        C::Skills,
        T::Insights,
        &[Role],
        "What separates someone who is good at this from someone who is excellent?",
    ),
    (
        C::Skills,
        T::Advice,
        &[Role, Ind],
        "Which personal qualities suit people who thrive in this field?",
    ),
    // Trends and the future.
    (
        C::Trends,
        T::Trends,
        &[Ind],
        "What is changing fastest in your industry right now?",
    ),
    (
        C::Trends,
        T::Trends,
        &[Ind],
        "Where do you think the field will be in five years?",
    ),
    (
        C::Trends,
        T::Trends,
        &[Ind, Role],
        "How is new technology changing the way your team works?",
    ),
    (
        C::Trends,
        T::Trends,
        &[Ind],
        "Which companies or groups are doing the most interesting work in this space?",
    ),
    (
        C::Trends,
        T::Trends,
        &[Role],
        "Which skills will matter more in this role over the next few years?",
    ),
    (
        C::Trends,
        T::Trends,
        &[Ind],
        "Are there regulations or market shifts everyone in the field is watching?",
    ),
    // Challenges.
    (
        C::Challenges,
        T::Insights,
        &[Role],
        "What is the hardest part of your job?",
    ),
    (
        C::Challenges,
        T::Insights,
        &[Ind],
        "What problems keep people in your industry up at night?",
    ),
    (
        C::Challenges,
        T::Insights,
        &[Org],
        "What is your team trying to solve this year?",
    ),
    (
        C::Challenges,
        T::Insights,
        &[Role],
        "What frustrates you about the work, and how do you deal with it?",
    ),
    // Culture.
    (
        C::Culture,
        T::Insights,
        &[Org],
        "How would you describe the culture here to a friend?",
    ),
    (
        C::Culture,
        T::Insights,
        &[Org],
        "How are decisions made, and how much say does someone new have?",
    ),
    (
        C::Culture,
        T::Insights,
        &[Org, Role],
        "How do people here balance work with the rest of their lives?",
    ),
    (
        C::Culture,
        T::Insights,
        &[Org],
        "What kind of person does well here, and who tends to struggle?",
    ),
    (
        C::Culture,
        T::Insights,
        &[Org],
        "How does the organization support people who want to grow?",
    ),
    // Hiring.
    (
        C::Hiring,
        T::Insights,
        &[Org],
        "How do people usually join your team — postings, referrals, internal moves?",
    ),
    (
        C::Hiring,
        T::Insights,
        &[Org, Role],
        "What stands out to you when you look at a candidate for a role like yours?",
    ),
    (
        C::Hiring,
        T::Advice,
        &[Role],
        "Which experience would make someone like me a stronger candidate in a year?",
    ),
    (
        C::Hiring,
        T::Insights,
        &[Ind],
        "What is the job market in your field like at the moment?",
    ),
    (
        C::Hiring,
        T::Insights,
        &[Role],
        "Which entry points into this work are open to someone changing careers?",
    ),
    // Going back to school.
    (
        C::Education,
        T::Advice,
        &[Role],
        "Is a particular degree or certificate expected, or does experience count as much?",
    ),
    (
        C::Education,
        T::Advice,
        &[Role, Ind],
        "Which courses or programmes would you recommend, and which would you skip?",
    ),
    (
        C::Education,
        T::Advice,
        &[Role],
        "How did you fit studying around work, if you did both?",
    ),
    (
        C::Education,
        T::Resources,
        &[Role],
        "Are there scholarships, employer programmes or grants worth knowing about?",
    ),
    (
        C::Education,
        T::Advice,
        &[Any],
        "If I could only afford one qualification, which would move the needle most?",
    ),
    // Changing careers.
    (
        C::CareerChange,
        T::Advice,
        &[Role],
        "What from my current background would carry over well into this field?",
    ),
    (
        C::CareerChange,
        T::Advice,
        &[Role],
        "What gaps would people see first in someone coming from where I am?",
    ),
    (
        C::CareerChange,
        T::Insights,
        &[Role, Ind],
        "Do you know people who moved into this work mid-career? How did they manage it?",
    ),
    (
        C::CareerChange,
        T::Advice,
        &[Any],
        "Would you start with a stepping-stone role, or aim straight for the target?",
    ),
    // Advice.
    (
        C::Advice,
        T::Advice,
        &[Any],
        "If you were in my place, what would you do in the next three months?",
    ),
    (
        C::Advice,
        T::Advice,
        &[Any],
        "What do you wish someone had told you before you started?",
    ),
    (
        C::Advice,
        T::Advice,
        &[Any],
        "Is there anything in my plan that worries you?",
    ),
    (
        C::Advice,
        T::Advice,
        &[Role],
        "What is a common mistake newcomers make in this role?",
    ),
    (
        C::Advice,
        T::Advice,
        &[Any],
        "How would you suggest I describe myself to people in this field?",
    ),
    // Resources and events.
    (
        C::Resources,
        T::Resources,
        &[Ind],
        "Which newsletters, podcasts or books keep you up to date?",
    ),
    (
        C::Resources,
        T::Resources,
        &[Ind],
        "Are there associations or meet-ups worth joining?",
    ),
    (
        C::Resources,
        T::Resources,
        &[Ind, Role],
        "Which conferences or events would be worth my time?",
    ),
    (
        C::Resources,
        T::Resources,
        &[Role],
        "Is there an online community where people in this role help each other?",
    ),
    (
        C::Resources,
        T::Assignments,
        &[Any],
        "Is there anything you would suggest I read or try before we speak again?",
    ),
    // Who else.
    (
        C::Referrals,
        T::Resources,
        &[Any],
        "Who else would you suggest I talk to?",
    ),
    (
        C::Referrals,
        T::Resources,
        &[Any],
        "Would you be comfortable introducing me, or may I mention your name?",
    ),
    (
        C::Referrals,
        T::Resources,
        &[Org],
        "Is there someone in another team here who sees the work from a different angle?",
    ),
    (
        C::Referrals,
        T::Resources,
        &[Ind],
        "Who in the field do you admire, and why?",
    ),
    (
        C::Referrals,
        T::Advice,
        &[Any],
        "May I keep you posted on how things go?",
    ),
];

/// When the built-in questions were written: their ids carry this time.
const BANK_TIME: Timestamp = Timestamp::from_millis(1_767_225_600_000); // 2026-01-01

/// The stable id of the n-th built-in question: the same on every device, so two devices that
/// each start a vault do not end up with the bank twice once they sync.
pub fn builtin_id(n: usize) -> RecordId {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(BANK_TIME.as_millis() as u64).to_be_bytes()[2..]);
    b[6] = 0x70; // version 7
    b[8] = 0x80; // RFC 4122 variant
    b[9..11].copy_from_slice(b"QB");
    b[12..16].copy_from_slice(&(n as u32).to_be_bytes());
    RecordId::from_bytes(b)
}

/// The bank as records, ready to write into a new vault.
pub fn bank_records() -> Vec<Record> {
    BANK.iter()
        .enumerate()
        .map(|(n, (category, tiara, suits, text))| Record {
            meta: Meta {
                id: builtin_id(n),
                created_at: BANK_TIME,
                updated_at: BANK_TIME,
                deleted_at: None,
            },
            body: rapport_model::Body::Question(Question {
                title: (*text).to_string(),
                category: Some(*category),
                tiara: Some(*tiara),
                suits: suits.to_vec(),
                hidden: false,
                builtin: true,
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bank_is_large_varied_and_unique() {
        assert!(
            BANK.len() >= 60,
            "at least 60 questions, got {}",
            BANK.len()
        );
        for c in C::ALL {
            assert!(
                BANK.iter().any(|q| q.0 == *c),
                "no question in category {c}"
            );
        }
        for t in T::ALL {
            assert!(BANK.iter().any(|q| q.1 == *t), "no question tagged {t}");
        }
        let mut texts: Vec<_> = BANK.iter().map(|q| q.3).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), BANK.len(), "no question twice");
        assert!(BANK.iter().all(|q| q.3.ends_with('?')));
        let ids: std::collections::HashSet<_> = (0..BANK.len()).map(builtin_id).collect();
        assert_eq!(ids.len(), BANK.len());
        assert_eq!(builtin_id(3).as_uuid().get_version_num(), 7);
    }
}
