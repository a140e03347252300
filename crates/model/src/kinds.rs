//! The closed vocabularies of the records (how a person was found, a meeting's medium…).
//! Each is a string in JSON and in the document, so other Automerge readers see words, not numbers.

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $s,)* }
            }
            /// The accepted words, for error messages and help texts.
            pub fn choices() -> String {
                [$($s),*].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match wanted.as_str() {
                    $($s => Ok($name::$variant),)*
                    _ => Err(format!("'{s}' is not one of: {}", Self::choices())),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Reconcile for $name {
            type Key<'a> = NoKey;
            fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        $crate::named_ts!($name, stringify!($name), [$(concat!("'", $s, "'")),*].join(" | "));

        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
                s.parse().map_err(|e: String| HydrateError::unexpected(stringify!($name), e))
            }
        }
    };
}

string_enum! {
    /// Where the user came across a person.
    Source {
        Friend => "friend", Family => "family", Alumni => "alumni", Association => "association",
        LinkedIn => "linkedin", JobBoard => "job_board", Meetup => "meetup", Professor => "professor",
        Recruiter => "recruiter", Article => "article", Referral => "referral", Event => "event",
        Colleague => "colleague", Other => "other",
    }
}

string_enum! {
    /// How well the user knows a person.
    Warmth { Cold => "cold", Acquaintance => "acquaintance", Warm => "warm", Close => "close" }
}

string_enum! {
    /// LAMP's "postings": does the organization advertise openings relevant to the user?
    Postings { Unknown => "unknown", None => "none", Unrelated => "unrelated", Relevant => "relevant" }
}

string_enum! {
    /// Whether the user is still working towards a goal.
    GoalStatus { Active => "active", Paused => "paused", Reached => "reached", Dropped => "dropped" }
}

string_enum! {
    /// How a meeting happens.
    Medium { Phone => "phone", Video => "video", Coffee => "coffee", Lunch => "lunch", Office => "office", Other => "other" }
}

string_enum! {
    /// Where a meeting stands.
    MeetingStatus { Proposed => "proposed", Confirmed => "confirmed", Held => "held", Cancelled => "cancelled" }
}

string_enum! {
    /// The channel an outreach message goes through.
    Channel { Email => "email", LinkedIn => "linkedin", Phone => "phone", Text => "text", InPerson => "in_person", Other => "other" }
}

string_enum! {
    /// Where an outreach message stands.
    OutreachStatus { Draft => "draft", Sent => "sent", Replied => "replied", Declined => "declined" }
}

string_enum! {
    /// What a task is for.
    TaskKind {
        FollowUp => "follow_up", LooseEnd => "loose_end", GiveBack => "give_back", CheckIn => "check_in",
        Outreach => "outreach", Confirm => "confirm", ThankYou => "thank_you", Research => "research",
        Other => "other",
    }
}

string_enum! {
    /// The part of a conversation a question belongs to, in the order a conversation runs.
    QuestionCategory {
        SmallTalk => "small_talk", DayToDay => "day_to_day", Path => "path", Skills => "skills",
        Trends => "trends", Challenges => "challenges", Culture => "culture", Hiring => "hiring",
        Education => "education", CareerChange => "career_change", Advice => "advice",
        Resources => "resources", Referrals => "referrals",
    }
}

string_enum! {
    /// TIARA: Trends, Insights, Advice, Resources, Assignments.
    Tiara { Trends => "trends", Insights => "insights", Advice => "advice", Resources => "resources", Assignments => "assignments" }
}

string_enum! {
    /// The kind of goal a question suits.
    GoalFocus { Role => "role", Industry => "industry", Organization => "organization", Any => "any" }
}

string_enum! {
    /// What a message template is for.
    TemplatePurpose { Outreach => "outreach", FollowUp => "follow_up", ThankYou => "thank_you", CheckIn => "check_in", Update => "update" }
}

string_enum! {
    /// The subject a takeaway is about, for roll-ups per goal and industry.
    TakeawayTopic { Skills => "skills", Trends => "trends", Culture => "culture", Hiring => "hiring", Education => "education", Other => "other" }
}

string_enum! {
    /// Where a person stands in the informational-interview pipeline, in order.
    Stage {
        Identified => "identified", Researching => "researching", OutreachDrafted => "outreach_drafted",
        Requested => "requested", Scheduled => "scheduled", Confirmed => "confirmed", Met => "met",
        Thanked => "thanked", KeepingInTouch => "keeping_in_touch", Declined => "declined",
        NoReply => "no_reply",
    }
}

impl Stage {
    /// Position along the pipeline (declined and no-reply end it early).
    pub fn rank(&self) -> u8 {
        *self as u8
    }
    /// Declined and no-reply end the pipeline without a meeting.
    pub fn is_dead_end(&self) -> bool {
        matches!(self, Stage::Declined | Stage::NoReply)
    }
}
