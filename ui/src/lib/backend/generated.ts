// Generated from the Rust enums by crates/core/src/typescript.rs. Do not edit:
// `UPDATE_TS=1 cargo test -p rapport-core typescript` rewrites it, and CI fails when it is stale.

export type Kind = 'person' | 'organization' | 'goal' | 'meeting' | 'outreach' | 'task' | 'question' | 'template' | 'profile' | 'device';
export const KINDS: readonly Kind[] = ['person', 'organization', 'goal', 'meeting', 'outreach', 'task', 'question', 'template', 'profile', 'device'];

export type Source = 'friend' | 'family' | 'alumni' | 'association' | 'linkedin' | 'job_board' | 'meetup' | 'professor' | 'recruiter' | 'article' | 'referral' | 'event' | 'colleague' | 'other';
export const SOURCES: readonly Source[] = ['friend', 'family', 'alumni', 'association', 'linkedin', 'job_board', 'meetup', 'professor', 'recruiter', 'article', 'referral', 'event', 'colleague', 'other'];

export type Warmth = 'cold' | 'acquaintance' | 'warm' | 'close';
export const WARMTHS: readonly Warmth[] = ['cold', 'acquaintance', 'warm', 'close'];

export type Postings = 'unknown' | 'none' | 'unrelated' | 'relevant';
export const POSTINGS: readonly Postings[] = ['unknown', 'none', 'unrelated', 'relevant'];

export type GoalStatus = 'active' | 'paused' | 'reached' | 'dropped';
export const GOAL_STATUSES: readonly GoalStatus[] = ['active', 'paused', 'reached', 'dropped'];

export type Medium = 'phone' | 'video' | 'coffee' | 'lunch' | 'office' | 'other';
export const MEDIUMS: readonly Medium[] = ['phone', 'video', 'coffee', 'lunch', 'office', 'other'];

export type MeetingStatus = 'proposed' | 'confirmed' | 'held' | 'cancelled';
export const MEETING_STATUSES: readonly MeetingStatus[] = ['proposed', 'confirmed', 'held', 'cancelled'];

export type Channel = 'email' | 'linkedin' | 'phone' | 'text' | 'in_person' | 'other';
export const CHANNELS: readonly Channel[] = ['email', 'linkedin', 'phone', 'text', 'in_person', 'other'];

export type OutreachStatus = 'draft' | 'sent' | 'replied' | 'declined';
export const OUTREACH_STATUSES: readonly OutreachStatus[] = ['draft', 'sent', 'replied', 'declined'];

export type TaskKind = 'follow_up' | 'loose_end' | 'give_back' | 'check_in' | 'outreach' | 'confirm' | 'thank_you' | 'research' | 'other';
export const TASK_KINDS: readonly TaskKind[] = ['follow_up', 'loose_end', 'give_back', 'check_in', 'outreach', 'confirm', 'thank_you', 'research', 'other'];

export type QuestionCategory = 'small_talk' | 'day_to_day' | 'path' | 'skills' | 'trends' | 'challenges' | 'culture' | 'hiring' | 'education' | 'career_change' | 'advice' | 'resources' | 'referrals';
export const QUESTION_CATEGORIES: readonly QuestionCategory[] = ['small_talk', 'day_to_day', 'path', 'skills', 'trends', 'challenges', 'culture', 'hiring', 'education', 'career_change', 'advice', 'resources', 'referrals'];

export type Tiara = 'trends' | 'insights' | 'advice' | 'resources' | 'assignments';
export const TIARAS: readonly Tiara[] = ['trends', 'insights', 'advice', 'resources', 'assignments'];

export type GoalFocus = 'role' | 'industry' | 'organization' | 'any';
export const GOAL_FOCUSES: readonly GoalFocus[] = ['role', 'industry', 'organization', 'any'];

export type TemplatePurpose = 'outreach' | 'follow_up' | 'thank_you' | 'check_in' | 'update';
export const TEMPLATE_PURPOSES: readonly TemplatePurpose[] = ['outreach', 'follow_up', 'thank_you', 'check_in', 'update'];

export type TakeawayTopic = 'skills' | 'trends' | 'culture' | 'hiring' | 'education' | 'other';
export const TAKEAWAY_TOPICS: readonly TakeawayTopic[] = ['skills', 'trends', 'culture', 'hiring', 'education', 'other'];

export type Stage = 'identified' | 'researching' | 'outreach_drafted' | 'requested' | 'scheduled' | 'confirmed' | 'met' | 'thanked' | 'keeping_in_touch' | 'declined' | 'no_reply';
export const STAGES: readonly Stage[] = ['identified', 'researching', 'outreach_drafted', 'requested', 'scheduled', 'confirmed', 'met', 'thanked', 'keeping_in_touch', 'declined', 'no_reply'];

export type ErrorCode = 'validation' | 'not_found' | 'already_open' | 'storage' | 'refused' | 'network' | 'internal';
export const ERROR_CODES: readonly ErrorCode[] = ['validation', 'not_found', 'already_open', 'storage', 'refused', 'network', 'internal'];
