//! Linking two records by id: which field a link from one kind to another lives in.

use crate::records::Body;
use crate::{Kind, RecordId, ValidationError};

/// The field of `from` that holds a link to a record of kind `to`, if such a link exists.
pub fn link_field(from: Kind, to: Kind) -> Option<&'static str> {
    use Kind::*;
    Some(match (from, to) {
        (Person, Organization) => "organization_id",
        (Person, Person) => "referred_by_id",
        (Person, Goal) | (Organization, Goal) => "goal_ids",
        (Goal, Organization) => "target_organization_id",
        (Meeting, Person) | (Outreach, Person) | (Task, Person) => "person_id",
        (Meeting, Question) => "question_ids",
        (Task, Meeting) => "meeting_id",
        (Outreach, Template) => "template_id",
        _ => return None,
    })
}

fn no_link(from: Kind, to: Kind) -> ValidationError {
    ValidationError::new("to", format!("{} cannot be linked to {}", from.a(), to.a()))
}

impl Body {
    /// Points this record at `to` (a record of kind `to_kind`); lists gain the id, single links
    /// are replaced. Returns the field that changed.
    pub fn link(&mut self, to: RecordId, to_kind: Kind) -> Result<&'static str, ValidationError> {
        let field =
            link_field(self.kind(), to_kind).ok_or_else(|| no_link(self.kind(), to_kind))?;
        let add = |v: &mut Vec<RecordId>| {
            if !v.contains(&to) {
                v.push(to);
            }
        };
        match (self, field) {
            (Body::Person(p), "organization_id") => p.organization_id = Some(to),
            (Body::Person(p), "referred_by_id") => p.referred_by_id = Some(to),
            (Body::Person(p), "goal_ids") => add(&mut p.goal_ids),
            (Body::Organization(o), "goal_ids") => add(&mut o.goal_ids),
            (Body::Goal(g), _) => g.target_organization_id = Some(to),
            (Body::Meeting(m), "person_id") => m.person_id = Some(to),
            (Body::Meeting(m), "question_ids") => add(&mut m.question_ids),
            (Body::Outreach(o), "person_id") => o.person_id = Some(to),
            (Body::Outreach(o), "template_id") => o.template_id = Some(to),
            (Body::Task(t), "person_id") => t.person_id = Some(to),
            (Body::Task(t), "meeting_id") => t.meeting_id = Some(to),
            (b, _) => return Err(no_link(b.kind(), to_kind)),
        }
        Ok(field)
    }

    /// Removes a link to `to` wherever it appears. Returns whether anything changed.
    pub fn unlink(&mut self, to: RecordId) -> bool {
        let before = self.clone();
        let clear = |o: &mut Option<RecordId>| {
            if *o == Some(to) {
                *o = None;
            }
        };
        match self {
            Body::Person(p) => {
                clear(&mut p.organization_id);
                clear(&mut p.referred_by_id);
                p.goal_ids.retain(|g| *g != to);
            }
            Body::Organization(o) => o.goal_ids.retain(|g| *g != to),
            Body::Goal(g) => clear(&mut g.target_organization_id),
            Body::Meeting(m) => {
                clear(&mut m.person_id);
                m.question_ids.retain(|q| *q != to);
                m.answers.retain(|a| a.question_id != to);
            }
            Body::Outreach(o) => {
                clear(&mut o.person_id);
                clear(&mut o.template_id);
                clear(&mut o.follows_up_id);
            }
            Body::Task(t) => {
                clear(&mut t.person_id);
                clear(&mut t.meeting_id);
            }
            Body::Question(_) | Body::Template(_) | Body::Profile(_) | Body::Device(_) => {}
        }
        *self != before
    }

    /// Tidies what people type: removes control characters (which could drive a terminal;
    /// newline and tab stay), trims names and short fields, drops repeated tags, treats empty
    /// optional strings as absent. An empty tag stays, for validation to refuse: it is a
    /// mistake to point out, not to hide.
    pub fn normalize(&mut self) {
        crate::text::strip_controls(self);
        fn opt(o: &mut Option<String>) {
            if let Some(s) = o {
                let t = s.trim();
                if t.is_empty() {
                    *o = None;
                } else if t.len() != s.len() {
                    *o = Some(t.to_string());
                }
            }
        }
        fn trim(s: &mut String) {
            let t = s.trim();
            if t.len() != s.len() {
                *s = t.to_string();
            }
        }
        fn tags(v: &mut Vec<String>) {
            let mut seen = std::collections::HashSet::new();
            v.retain_mut(|t| {
                trim(t);
                t.is_empty() || seen.insert(t.to_lowercase())
            });
        }
        fn points(v: &mut [crate::ContactPoint]) {
            for p in v {
                trim(&mut p.value);
                opt(&mut p.label);
            }
        }
        match self {
            Body::Person(p) => {
                trim(&mut p.name);
                for o in [
                    &mut p.role,
                    &mut p.location,
                    &mut p.source_detail,
                    &mut p.time_zone,
                ] {
                    opt(o);
                }
                points(&mut p.emails);
                points(&mut p.phones);
                for l in &mut p.links {
                    trim(&mut l.url);
                }
                tags(&mut p.tags);
            }
            Body::Organization(o) => {
                trim(&mut o.name);
                for f in [&mut o.industry, &mut o.website, &mut o.location] {
                    opt(f);
                }
                tags(&mut o.tags);
            }
            Body::Goal(g) => {
                trim(&mut g.name);
                opt(&mut g.target_role);
                opt(&mut g.target_industry);
            }
            Body::Meeting(m) => {
                trim(&mut m.title);
                opt(&mut m.place);
                opt(&mut m.time_zone);
            }
            Body::Outreach(o) => {
                trim(&mut o.title);
                opt(&mut o.subject);
            }
            Body::Task(t) => trim(&mut t.title),
            Body::Question(q) => trim(&mut q.title),
            Body::Template(t) => {
                trim(&mut t.title);
                opt(&mut t.subject);
            }
            Body::Profile(p) => {
                p.relays = p
                    .relays
                    .iter()
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect();
                trim(&mut p.name);
                opt(&mut p.background);
                opt(&mut p.ask);
                opt(&mut p.time_zone);
            }
            Body::Device(d) => {
                trim(&mut d.name);
                d.key = d.key.trim().to_ascii_lowercase();
                d.addresses.retain(|a| !a.trim().is_empty());
                d.relays.retain(|r| !r.trim().is_empty());
            }
        }
    }
}
