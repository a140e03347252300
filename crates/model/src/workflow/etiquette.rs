//! The etiquette check of an outreach message: short, personal, a connection first, the ask as
//! a question with times to choose from, and never a résumé, a job request or a referral request.
//!
//! How it reads a message: the text is cut into sentences and words (lower case, accents and
//! curly apostrophes folded, "I'd" read as "i" + "'d", "don't" as "do" + "n't", punctuation marks
//! as words of their own). Each rule is a short list of phrase patterns (the little language is
//! described at `Pattern`). Words alone never make a finding: "job" in "I left my job", or
//! "position" in "your position on solar", is not a request. A request is a phrase that asks
//! for something (most patterns only count in a sentence that asks: a question, "I'd like…",
//! "please…", "could you…", "in case…", "let me know if…"), whose object is a job, an opening, an
//! interview, a referral, or the writer's résumé. Before the rules run, words used in another
//! sense ("the opening of the plant", "a role model", "the hiring process", "attached to the
//! planning unit") are set aside, and a phrase right after a "not" or "never" does not count.
//!
//! Each rule reports at most one finding per message, pointing at the first words that broke it.

use std::collections::HashMap;
use std::sync::OnceLock;

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

// ---------------------------------------------------------------------------------------------
// The rules, as phrase patterns (see `Pattern` for the notation).
// ---------------------------------------------------------------------------------------------

/// Whether a pattern counts anywhere, or only in a sentence that asks for something.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// The phrase is a request by itself ("hire me", "refer me", "my CV").
    Anywhere,
    /// The phrase names what is asked for, and counts only in a sentence that asks.
    Ask,
}
use Need::{Anywhere, Ask};

/// Words used in another sense than the one the rules look for. The word marked `=` (the first
/// one when none is) is set aside for the rest of the sentence.
const OTHER_SENSES: &[&str] = &[
    // A stance, a paper, a place, an ability: "your position on community solar".
    "=position on|paper|papers|statement|statements|of",
    "in|into a|the|no|any =position to",
    "=positions on|papers",
    "close|closing|closed|hedge|hedging|hedged|short|long|cash|net *1 =position|positions",
    // "A role model", "the role of nurses", "role-play".
    "=role|roles model|models|of|play|playing",
    // The event or the adjective, not a vacancy: "the opening of the wind farm", "opening night".
    "=opening !for|on|in|at|with|within|that|which|there|and|or|to|is|are|was|as|you|here|soon|now|up|coming|available|,|.|?|!|;|:|)|-|—|–",
    // A job done well, and words about jobs that are not a job: "a job posting", "job title".
    "=job well|posting|postings|title|titles|market|markets|description|descriptions|board|boards|fair|fairs|security|satisfaction|ad|ads|advert|adverts|search|searches|searching|interview|interviews|offer|offers|site|sites|shadowing|done",
    "=vacancy rate|rates",
    // A chance, not a job: "the opportunity to hear more", "opportunities for growth".
    "=opportunity|opportunities to",
    "=opportunity|opportunities for growth|learning|development|progression|advancement|collaboration|improvement|feedback|mentoring|connection|networking",
    // Someone's own job, past or present: "my first job", "your role", "her position".
    "my|our|his|her|their|your [first|current|last|previous|old|former|own|present|day|main|earlier|early|summer|teaching|part-time|full-time|actual|usual] =@JOB",
    // Roles talked about, not asked for: "which positions suit…", "the roles on your team",
    // "any advice on roles in climate tech".
    "the|these|those|different|various|which|what|how|kinds|kind|types|type|sorts|sort *1 =@JOB",
    "advice|tips|thoughts|suggestions|pointers|guidance|ideas|insight|insights|views|questions|information|resources|reading|books|courses|training|skills|experience|path|paths|route|routes *2 =@JOB",
    // Their own story, not a request: "how did you get an interview there?"
    "how|when|where|did|do|does *2 you|they|people|others|someone *1 =get|land|secure|got|landed|secured",
    // The writer's own interview elsewhere: "I'm about to interview for a role at another firm".
    "'m|am|'ll|will|about|preparing|going|due|set *2 =interview for",
    // The hiring process, the hiring manager: something to learn about, not an ask.
    "=hiring process|processes|manager|managers|panel|panels|committee|committees|practice|practices|decision|decisions|freeze|criteria|season|seasons|policy|policies|trends|data|bar|pipeline|pipelines|approach|guide|advice|side|team|teams",
    // The writer's own hiring (employers hold these conversations too): "I'm hiring for my team".
    "i|we 'm|am|'re|are *1 =hiring|recruiting",
    "=recruiting|recruitment participants|volunteers|patients|subjects|respondents|students|people|families|trial|trials|for",
    // Interviews that are not job interviews, and someone else's interview.
    "informational|informal|information|info|research|podcast|media|radio|tv|television|exit|user|customer|structured|qualitative|press|recorded =interview|interviews",
    "your|his|her|their *1 =interview|interviews",
    // Hire as in rental: "the bike hire scheme".
    "bike|car|van|equipment|tool|boat|venue|room|cycle|scooter =hire",
    // Attached as in belonging: "attached to the planning unit" (but not "attached to this email").
    "=attached to [the|a|an|your|my|this|these|that] !email|e-mail|mail|message|note|letter|invitation|invite|file|the|a|an|your|my|this|these|that",
    "=enclosed garden|gardens|courtyard|courtyards|space|spaces|area|areas|yard|yards|porch|balcony|balconies|bay|sea|land|room|rooms|stairwell|corridor|market|markets|system|systems",
    "=attachment theory|theories|style|styles|parenting|disorder|disorders|to",
    // CV as computer vision: "CV models".
    "=cv model|models|pipeline|pipelines|research|researcher|researchers|engineer|engineers|engineering|team|teams|task|tasks|dataset|datasets|lab|labs|algorithm|algorithms|system|systems|work|conference|conferences|paper|papers|library|libraries|startup|start-up",
    // Asking to be pointed to people or things, not recommended for a job.
    "=refer me to someone|anyone|somebody|anybody|others|other|people|colleagues|a|an|some|any|resources|reading|books",
    "=recommend me a|an|some|any|books|book|reading|resources|courses|course|people|someone",
    "=take|taking|took me on a|an|the|through|around|along",
    "=place|spot|way for me to",
    // Free time, not a vacancy: "if anything opens up in your diary".
    "=anything|something|time|slot|slots *1 open|opens|opened|opening|frees|free up in|on your|my|the diary|calendar|schedule|agenda|week|month",
    // A portfolio of things held: "a portfolio of terraced houses", "my investment portfolio".
    "=portfolio|portfolios of",
    "investment|bond|bonds|stock|stocks|property|loan|loans|client|product|project|projects|energy|asset|housing|rental|equity|credit =portfolio|portfolios",
    // Health care's referrals: "GP referral pathways".
    "=referral|referrals pathway|pathways|data|process|processes|system|systems|rate|rates|letter|letters|chain|chains|network|networks|scheme|schemes|programme|programmes|program|programs|bonus|bonuses|route|routes|criteria|form|forms|pattern|patterns",
];

/// What makes a sentence an ask (besides ending with a question mark, or starting with an
/// imperative from `IMPERATIVES`).
const ASKS: &[&str] = &[
    "please|kindly",
    "let me know",
    "i|we 'd|would|will|should *3 like|love|welcome|appreciate|value|grateful|glad|thankful|delighted|thrilled|keen|interested|happy|honoured|honored|pleased",
    "'d|would [really|very|so|also|much] love|like|welcome|appreciate|value",
    "hope|hoped|hoping|wonder|wondered|wondering|want|wanted|wish|whether",
    "appreciate|appreciated|grateful",
    "mean a lot",
    "mean the world",
    "could|can|would|will|might|may you|your",
    "could|can|may|might|shall i|we",
    "in case",
    "if there|anything|something|you|your|i",
    "keep|bear|consider me",
    "to ask",
];

/// A sentence starting with one of these words is an imperative, so an ask: "Keep me in mind".
const IMPERATIVES: &[&str] = &[
    "please",
    "let",
    "keep",
    "consider",
    "send",
    "pass",
    "forward",
    "refer",
    "put",
    "find",
    "see",
    "feel",
    "do",
    "kindly",
    "bear",
    "remember",
    "tell",
    "give",
    "introduce",
    "mention",
    "any",
];

/// `resume`: a résumé, CV, portfolio or other attachment sent, offered, or put up for review.
const RESUME: &[(&str, Need)] = &[
    // Any attachment: "I've attached…", "…is enclosed", "see attached".
    ("@ATTACH", Anywhere),
    // The writer's own résumé, whatever is done with it: sent, linked, offered, to be reviewed.
    ("my *1 @DOC", Anywhere),
    ("cover letter|letters", Anywhere),
    // A portfolio by another name.
    ("my *1 case study|studies|showreel|reel|samples", Ask),
    // "Happy to send a CV", "can I share a résumé".
    (
        "send|share|forward|attach|include|email|see|review|check|read *3 a|the|an @DOC",
        Anywhere,
    ),
];

/// `referral_request`: asking to be referred, recommended or passed on to the people who hire.
/// ("Who else should I talk to?" is what to ask instead, so it is not in here.)
const REFERRAL: &[(&str, Need)] = &[
    ("refer|referring me|us", Anywhere),
    ("good word", Anywhere),
    ("vouch for me|us", Anywhere),
    ("put|putting me|my|us *2 forward", Anywhere),
    ("recommend|recommending me", Anywhere),
    (
        "pass|passing|forward|forwarding|mention|mentioning|flag|flagging *2 my name|names|details|cv|cvs|resume|resumes|application|profile|portfolio",
        Anywhere,
    ),
    (
        "introduce|connect|put me *4 recruiter|recruiters|hr|talent|recruitment|manager|managers",
        Ask,
    ),
    ("a|an|employee|internal|your referral", Ask),
    // The CV (named just before) passed on: "forward it to your HR department", "pass it to
    // whoever is hiring".
    (
        "forward|pass|send|give|show it|them *2 to *3 hr|recruiter|recruiters|recruitment|recruiting|talent|hiring|whoever",
        Anywhere,
    ),
    // A reference is a recommendation too: "would you act as a referee for me?"
    ("referee|reference for me", Anywhere),
    ("my|a referee", Ask),
    ("be my reference", Anywhere),
    ("provide|write|give *2 reference|references", Ask),
    (
        "let|tell them|him|her *1 know *4 fit|qualified|suitable|candidate|applied|applying",
        Ask,
    ),
];

/// `job_request`: asking for a job, an opening, an internship, a job interview, or to be hired,
/// considered or kept in mind.
const JOB: &[(&str, Need)] = &[
    // Whether they hire: "are you hiring?", "is Meridian recruiting?", "who's hiring".
    ("@BE *3 hiring|recruiting", Ask),
    // "Do you know anyone hiring?"
    (
        "know|knows *2 anyone|anybody|someone|somebody|anywhere|places|companies|teams *2 hiring|recruiting",
        Ask,
    ),
    // A vacancy that may come: "my CV, in case a vacancy arises".
    ("@JOB arises|arise|appears|appear", Anywhere),
    (
        "in case *4 @JOB *2 comes|come|opens|open|arises|arise",
        Anywhere,
    ),
    // "If you're ever short-handed, I'd jump at the chance to help."
    (
        "if you|your|they *3 short-handed|short-staffed|shorthanded|understaffed",
        Anywhere,
    ),
    (
        "are|is|were|will *2 you|your *2 [be] looking for *2 @PEOPLE",
        Ask,
    ),
    ("you|your *2 're|are|is *1 looking for *2 @PEOPLE", Ask),
    ("@BE *3 taking on", Ask),
    (
        "take|takes|taking|accept|accepts|accepting [on] interns|trainees|apprentices|graduates|grads|juniors|freelancers|contractors",
        Ask,
    ),
    // Whether they need someone: "if your team needs another developer".
    (
        "you|your *4 need|needs|needed [an] extra|another|anyone|someone|more|staff|people|freelancers|contractors",
        Ask,
    ),
    // Openings: "any open roles", "are there openings", "anything available", "do you have…".
    ("any *2 @JOB", Ask),
    ("open|available|upcoming|vacant|future @JOB", Ask),
    (
        "@BE|might|could|would|will|may there [be] *2 openings|opening|vacancies|vacancy|positions|position|internships|internship|placements|posts",
        Ask,
    ),
    ("anything|something available|going|suitable|open", Ask),
    ("chance of|for a|an *1 @JOB", Ask),
    ("do|does|would|will|might you|your *3 have *3 @JOB", Ask),
    (
        "anything|something|@JOB *2 open|opens|opened|opening up",
        Ask,
    ),
    (
        "anything|something|@JOB *2 become|becomes|comes|come available",
        Ask,
    ),
    ("@JOB *2 come|comes|coming up", Ask),
    ("hear of anything|something", Ask),
    // A job at their place, or for me: "a job at your firm", "a role there", "something for me".
    (
        "something|anything|@JOB at|with|on|in|within|inside|into your|yours",
        Ask,
    ),
    // "A role there", but not "what roles there are".
    (
        "@JOB there !are|is|were|was|'s|'re|be|might|may|could|would|will|exist|exists|seem|seems",
        Ask,
    ),
    ("something|anything|room|spot|place|space|@JOB for me", Ask),
    // Wanting a job at a named place: "I would like a job at Acme."
    ("'d|would like|love a|an @JOB at|with|in", Ask),
    (
        "something|anything|room|spot|place|space|@JOB for someone|people like me",
        Ask,
    ),
    // Wanting to work for them, or to be one of them.
    ("to work for|at you|your", Ask),
    ("work for|at|on|in|with your *1 @ORG", Ask),
    ("to work for|at|on|in|with your *1 @ORG", Anywhere),
    (
        "be|become [one] [of] your *2 hire|hires|employee|employees|recruit|recruits|colleague|colleagues",
        Ask,
    ),
    (
        "looking|searching|hoping|seeking *4 @JOB *3 like yours",
        Anywhere,
    ),
    ("be|become [a] part of your|what", Ask),
    // Room for someone: "do you have room for a junior analyst?"
    ("room|space|spot|place for someone|anyone|another", Ask),
    (
        "room|space|spot|place for a|an junior|new|extra|trainee|graduate|entry-level|part-time|full-time",
        Ask,
    ),
    ("join your|the *1 @ORG", Ask),
    (
        "help me [to] get|land|find|secure|obtain *3 @JOB|interview|place|work|employment",
        Ask,
    ),
    ("my foot in the door", Ask),
    ("i|me *3 foot in the door", Ask),
    // Being considered, kept in mind, hired, taken on.
    ("be|being considered", Ask),
    ("consider me", Anywhere),
    ("consider my application|candidacy", Anywhere),
    ("consider *1 taking|hiring|employing me", Anywhere),
    ("keep|bear me *2 in mind", Anywhere),
    ("keep|bear me *2 on file", Anywhere),
    (
        "keep|bear my name|details|cv|resume|application *1 in mind",
        Anywhere,
    ),
    (
        "keep|bear my name|details|cv|resume|application *1 on file",
        Anywhere,
    ),
    ("keep it|this|them on file", Anywhere),
    (
        "keep|bear me|my *2 on|in your list|books|radar|records",
        Anywhere,
    ),
    ("hire|hiring|employ|employing|recruit me", Anywhere),
    ("take|taking|took me on", Anywhere),
    (
        "of|to|me|i being|be|get|getting hired|employed|recruited",
        Ask,
    ),
    // "How I could get hired onto your next project."
    ("i|me *2 get|be hired|employed|recruited|taken", Ask),
    // A job interview of the writer: "would you be open to interviewing me for one of the posts?"
    ("interview|interviewing me *3 for", Ask),
    ("apply *2 through|via you", Ask),
    // A job interview: "an interview for the UX role", "help me get an interview".
    ("interview for", Ask),
    (
        "get|arrange|set|land|secure|offer|give|schedule|organise|organize *3 interview|interviews",
        Ask,
    ),
];

/// A job request in two steps: saying one is looking for work, and asking for help with it,
/// in the same sentence or the next ("I'm looking for work as an installer. Can you help me?").
const SEEKING: &[&str] = &[
    "looking|searching|hunting for *2 @JOB|work|employment",
    "seeking *2 @JOB|work|employment",
    "job hunting|seeking",
    "keen|hoping|trying|aiming|eager|want|wanting|looking to get|find|land|secure|start *3 +@JOB",
];
const HELP: &[&str] = &[
    "you *2 help [me|us|out] [with] [that|this|it] .|?|!|;|,|$",
    "any|your help",
];

/// Where the writer says how they are connected: who referred them, where they saw the reader.
const CONNECTION: &[&str] = &[
    "referred|recommended|suggested|mentioned|introduced|introduction|pointed|told|gave|passed|shared|forwarded",
    "met|meet|spoke|talked|talking|chatted|chat|conversation|sat|overlapped|taught|answered|replied|said|both",
    "see|saw you",
    "saw|read|heard|watched|listened|attended|enjoyed|loved|admire|admired|follow|following|noticed|found",
    "came|come across",
    "your talk|article|post|podcast|interview|work|paper|book|essay|column|report|blog|newsletter|thread|study|research|lecture|keynote|webinar|session|workshop|presentation|comments|comment|piece|profile|demo|case|video|episode|panel|guide|editorial|name|opening|production|redesign|portfolio|crate|project|projects|team|studio|agency|school|firm|lab|colleague|former|cousin|deputy|analysis|review|company|evidence|open-source|linkedin",
    "quoted|featured|cited",
    "fellow|alumni|alumnus|alumna|same",
    "graduate of",
    "also studied",
    "friend|friends|colleague|colleagues|cousin|uncle|aunt|mum|mums|mom|dad|father|fathers|mother|sister|brother|pastor|neighbour|neighbor|lecturer|professor|supervisor|mentor|mentored|adviser|advisor|student",
    "member of",
    "thanks|thank for the introduction",
];

/// Where the ask usually is (the warnings point at it).
const ASK_SENTENCE: &[&str] = &[
    "would|could|might|can you",
    "could|can|may i|we",
    "are you open|available",
    "do you have",
    "be willing|open",
    "minutes",
];

const NEGATIONS: &[&str] = &["not", "n't", "never", "no", "nor"];
/// Words after a negation that make it negate nothing after them ("I'm not sure my CV…").
const NOT_NEGATING: &[&str] = &["sure", "certain", "only", "just", "quite"];

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
];
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

const RESUME_MESSAGE: &str = "leave out your résumé, CV or portfolio and any attachment: you are asking to learn from them, not applying. If they want to see it, they will ask";
const JOB_MESSAGE: &str = "leave out the job request: ask about their work and their advice instead. A good conversation is what makes people think of you when something opens up";
const REFERRAL_MESSAGE: &str = "leave out the request for a referral: ask for their advice, and at the end of the call ask who else you could talk to";

// ---------------------------------------------------------------------------------------------
// Words and sentences.
// ---------------------------------------------------------------------------------------------

/// A word or a punctuation mark: byte range in the folded text, character range in both.
#[derive(Clone, Copy)]
struct Token {
    bytes: (usize, usize),
    start: usize,
    end: usize,
    word: bool,
    space_after: bool,
    blank_after: bool,
}

/// Lower case, common accents dropped, curly apostrophes straightened: one char for one char,
/// so character offsets are the same as in the original text.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => '\'',
        _ => c,
    }
}

/// Contractions read as two words: "you're" → "you" "'re", "don't" → "do" "n't".
const CONTRACTIONS: &[&str] = &["'s", "'re", "'m", "'d", "'ll", "'ve"];

fn tokenize(folded: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = folded.char_indices().peekable();
    let mut ci = 0usize; // character index of the next char from `chars`
    let push = |out: &mut Vec<Token>, bytes: (usize, usize), start: usize, word: bool| {
        out.push(Token {
            bytes,
            start,
            end: start + folded[bytes.0..bytes.1].chars().count(),
            word,
            space_after: false,
            blank_after: false,
        });
    };
    while let Some((b, c)) = chars.next() {
        let here = ci;
        ci += 1;
        if c.is_whitespace() {
            if let Some(last) = out.last_mut() {
                last.space_after = true;
                if c == '\n' && folded[last.bytes.1..b].contains('\n') {
                    last.blank_after = true;
                }
            }
            continue;
        }
        if !c.is_alphanumeric() {
            push(&mut out, (b, b + c.len_utf8()), here, false);
            continue;
        }
        let mut end = b + c.len_utf8();
        while let Some(&(nb, nc)) = chars.peek() {
            let joins = (nc == '\'' || nc == '-')
                && folded[nb + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if nc.is_alphanumeric() || joins {
                chars.next();
                ci += 1;
                end = nb + nc.len_utf8();
            } else {
                break;
            }
        }
        let w = &folded[b..end];
        let split = if w.len() > 3 && w.ends_with("n't") {
            Some(end - 3)
        } else {
            w.rfind('\'')
                .filter(|&i| i > 0 && CONTRACTIONS.contains(&&w[i..]))
                .map(|i| b + i)
        };
        match split {
            Some(s) => {
                push(&mut out, (b, s), here, true);
                let start = out.last().map_or(here, |t| t.end);
                push(&mut out, (s, end), start, true);
            }
            None => push(&mut out, (b, end), here, true),
        }
    }
    out
}

/// Titles and abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "prof", "mr", "mrs", "ms", "mx", "st", "sr", "jr", "vs",
];

/// Sentences as token ranges: ending after `.`, `!`, `?` or `…` followed by a space (or the
/// end), or at a blank line.
fn sentences(folded: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let text = &folded[t.bytes.0..t.bytes.1];
        let last = i + 1 == tokens.len();
        // "Prof. Lovelace", "J. K. Rowling", "e.g. this" go on.
        let after_abbreviation =
            text == "." && i > start && tokens[i - 1].word && !tokens[i - 1].space_after && {
                let prev = &folded[tokens[i - 1].bytes.0..tokens[i - 1].bytes.1];
                prev.chars().count() == 1 || ABBREVIATIONS.contains(&prev)
            };
        let stop = !t.word
            && matches!(text, "." | "!" | "?" | "…")
            && (t.space_after || last)
            && !after_abbreviation;
        if stop || t.blank_after || last {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Patterns.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A job noun in its job sense: job, role, position, opening, vacancy, internship…
    Job,
    /// A form of "to be".
    Be,
    /// A résumé, CV or portfolio.
    Doc,
    /// Attached, enclosed, attachment.
    Attach,
    /// A workplace: team, company, firm, lab, practice…
    Org,
    /// People one might hire, in the plural: engineers, testers, nurses, staff…
    People,
}

enum El {
    /// One word from the list, or of one of the classes; `true` if set-aside words count too.
    Words(Vec<&'static str>, Vec<Class>, bool),
    Optional(Vec<&'static str>),
    Not(Vec<&'static str>),
    Gap(usize),
    End,
}

fn class(name: &str) -> Option<Class> {
    match name {
        "@JOB" => Some(Class::Job),
        "@BE" => Some(Class::Be),
        "@DOC" => Some(Class::Doc),
        "@ATTACH" => Some(Class::Attach),
        "@ORG" => Some(Class::Org),
        "@PEOPLE" => Some(Class::People),
        _ => None,
    }
}

/// A phrase pattern: elements separated by spaces, matched against the words of one sentence.
///
/// - `job|role`: one word from the list (punctuation marks are words: `?`, `,`);
/// - `[to]`: an optional word;
/// - `!for|on`: followed by a word or mark not in the list (which is not part of the match);
/// - `@JOB`, `@BE`, `@DOC`, `@ATTACH`, `@ORG`, `@PEOPLE`: a word of a class (see `Class`), alone or in a list
///   (`something|@JOB`);
/// - `*3`: up to three words (never across punctuation);
/// - `$`: the end of the sentence (also as one of a list: `.|?|$`);
/// - `+job|@JOB`: a word even if it was set aside ("my first role" is someone's own job, unless
///   they are hoping to get it);
/// - `=`: in `OTHER_SENSES`, the word the pattern sets aside.
struct Pattern {
    els: Vec<El>,
    target: usize,
}

fn compile(src: &'static str) -> Pattern {
    let mut els = Vec::new();
    let mut target = 0;
    for (n, part) in src.split_whitespace().enumerate() {
        let part = match part.strip_prefix('=') {
            Some(p) if !p.is_empty() => {
                target = n;
                p
            }
            _ => part,
        };
        let el = if let Some(n) = part.strip_prefix('*') {
            El::Gap(n.parse().unwrap_or(1))
        } else if part == "$" {
            El::End
        } else if let Some(rest) = part.strip_prefix('!').filter(|r| !r.is_empty()) {
            El::Not(rest.split('|').collect())
        } else if let Some(inner) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            El::Optional(inner.split('|').collect())
        } else {
            let (any_sense, part) = match part.strip_prefix('+') {
                Some(p) if !p.is_empty() => (true, p),
                _ => (false, part),
            };
            let (classes, words): (Vec<&'static str>, Vec<&'static str>) =
                part.split('|').partition(|w| class(w).is_some());
            El::Words(
                words,
                classes.into_iter().filter_map(class).collect(),
                any_sense,
            )
        };
        els.push(el);
    }
    Pattern { els, target }
}

/// A pattern compiled with what it needs.
struct Rule {
    pattern: Pattern,
    need: Need,
}

/// A list of patterns, indexed by their first word so that only a few are tried at each word.
struct Set {
    rules: Vec<Rule>,
    by_first: HashMap<&'static str, Vec<usize>>,
    always: Vec<usize>,
}

impl Set {
    fn new<'a>(list: impl IntoIterator<Item = &'a (&'static str, Need)>) -> Self {
        let mut set = Set {
            rules: Vec::new(),
            by_first: HashMap::new(),
            always: Vec::new(),
        };
        for (src, need) in list {
            let pattern = compile(src);
            let n = set.rules.len();
            match pattern.els.first() {
                Some(El::Words(words, classes, _))
                    if classes.is_empty() && !words.contains(&"$") =>
                {
                    for w in words {
                        set.by_first.entry(w).or_default().push(n);
                    }
                }
                _ => set.always.push(n),
            }
            set.rules.push(Rule {
                pattern,
                need: *need,
            });
        }
        set
    }

    fn plain(list: &[&'static str]) -> Self {
        let list: Vec<(&'static str, Need)> = list.iter().map(|s| (*s, Anywhere)).collect();
        Self::new(&list)
    }

    /// The patterns that may match from a word.
    fn candidates(&self, word: &str) -> impl Iterator<Item = &Rule> {
        let keyed = self.by_first.get(word).map_or(&[][..], Vec::as_slice);
        keyed.iter().chain(&self.always).map(|&k| &self.rules[k])
    }
}

struct Compiled {
    other_senses: Set,
    asks: Set,
    resume: Set,
    referral: Set,
    job: Set,
    seeking: Set,
    help: Set,
    connection: Set,
    ask_sentence: Set,
}

fn compiled() -> &'static Compiled {
    static RULES: OnceLock<Compiled> = OnceLock::new();
    RULES.get_or_init(|| {
        let plain = Set::plain;
        let rules = Set::new;
        Compiled {
            other_senses: plain(OTHER_SENSES),
            asks: plain(ASKS),
            resume: rules(RESUME),
            referral: rules(REFERRAL),
            job: rules(JOB),
            seeking: plain(SEEKING),
            help: plain(HELP),
            connection: plain(CONNECTION),
            ask_sentence: plain(ASK_SENTENCE),
        }
    })
}

/// One sentence being read: its tokens, and which words are set aside as another sense.
struct Sentence<'a> {
    folded: &'a str,
    tokens: &'a [Token],
    other_sense: Vec<bool>,
}

impl Sentence<'_> {
    fn text(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.folded[t.bytes.0..t.bytes.1]
    }

    fn is_class(&self, class: Class, i: usize) -> bool {
        let w = self.text(i);
        let prev = i.checked_sub(1).map(|p| self.text(p));
        let next = (i + 1 < self.tokens.len()).then(|| self.text(i + 1));
        match class {
            Class::Be => matches!(
                w,
                "am" | "is"
                    | "are"
                    | "was"
                    | "were"
                    | "be"
                    | "being"
                    | "been"
                    | "'s"
                    | "'re"
                    | "'m"
            ),
            Class::Org => matches!(
                w,
                "team"
                    | "teams"
                    | "company"
                    | "firm"
                    | "lab"
                    | "staff"
                    | "organisation"
                    | "organization"
                    | "department"
                    | "practice"
                    | "studio"
                    | "agency"
                    | "crew"
                    | "office"
                    | "group"
                    | "school"
                    | "unit"
                    | "clinic"
                    | "business"
                    | "startup"
                    | "start-up"
                    | "newsroom"
            ),
            Class::People => {
                const NOT_PEOPLE: &[&str] = &[
                    "answers",
                    "others",
                    "papers",
                    "members",
                    "customers",
                    "users",
                    "partners",
                    "donors",
                    "investors",
                    "sponsors",
                    "volunteers",
                    "speakers",
                    "readers",
                    "listeners",
                    "followers",
                    "subscribers",
                    "suppliers",
                    "vendors",
                    "buyers",
                    "numbers",
                    "letters",
                    "offers",
                    "orders",
                    "matters",
                    "centers",
                    "waters",
                    "borders",
                    "chapters",
                    "layers",
                    "folders",
                    "computers",
                    "servers",
                    "containers",
                    "sensors",
                    "factors",
                    "errors",
                    "motors",
                    "participants",
                    "ideas",
                    "mentors",
                    "advisors",
                    "advisers",
                    "collaborators",
                    "co-founders",
                    "cofounders",
                    "founders",
                    "funders",
                    "leaders",
                    "teachers'",
                ];
                let hireable_suffix = ["ers", "ors", "ists", "ians", "ants", "ents"]
                    .iter()
                    .any(|x| w.len() > x.len() + 2 && w.ends_with(x));
                (hireable_suffix && !NOT_PEOPLE.contains(&w))
                    || matches!(
                        w,
                        "staff"
                            | "people"
                            | "nurses"
                            | "graduates"
                            | "grads"
                            | "interns"
                            | "trainees"
                            | "apprentices"
                            | "juniors"
                            | "hires"
                            | "freelancers"
                            | "contractors"
                            | "anyone"
                            | "someone"
                            | "somebody"
                            | "anybody"
                    )
            }
            Class::Attach => matches!(
                w,
                "attached"
                    | "attach"
                    | "attaching"
                    | "attachment"
                    | "attachments"
                    | "enclosed"
                    | "enclose"
                    | "enclosing"
            ),
            Class::Doc => {
                matches!(
                    w,
                    "resume" | "resumes" | "cv" | "cvs" | "portfolio" | "portfolios"
                ) || (w == "curriculum" && i + 1 < self.tokens.len() && self.text(i + 1) == "vitae")
            }
            Class::Job => {
                matches!(
                    w,
                    "job"
                        | "jobs"
                        | "role"
                        | "roles"
                        | "position"
                        | "positions"
                        | "opening"
                        | "openings"
                        | "vacancy"
                        | "vacancies"
                        | "internship"
                        | "internships"
                        | "placement"
                        | "placements"
                        | "apprenticeship"
                        | "apprenticeships"
                        | "traineeship"
                        | "traineeships"
                        | "opportunity"
                        | "opportunities"
                        | "employment"
                ) || (matches!(w, "post" | "posts")
                    && (prev.is_some_and(|p| {
                        matches!(
                            p,
                            "teaching"
                                | "ta"
                                | "lecturing"
                                | "research"
                                | "permanent"
                                | "junior"
                                | "senior"
                                | "academic"
                                | "nursing"
                                | "vacant"
                                | "advertised"
                        )
                    }) || next.is_some_and(|n| {
                        matches!(
                            n,
                            "coming" | "going" | "available" | "open" | "vacant" | "advertised"
                        )
                    })))
                    || (w == "work"
                        && prev.is_some_and(|p| {
                            matches!(
                                p,
                                "contract"
                                    | "freelance"
                                    | "paid"
                                    | "temp"
                                    | "temporary"
                                    | "casual"
                                    | "seasonal"
                                    | "part-time"
                                    | "full-time"
                                    | "shift"
                                    | "permanent"
                            )
                        }))
            }
        }
    }

    /// Matches `els` from token `i`; returns the end of the match and the token at `target`.
    fn match_from(
        &self,
        els: &[El],
        i: usize,
        n: usize,
        target: usize,
        senses: bool,
    ) -> Option<(usize, usize)> {
        let Some(el) = els.first() else {
            return Some((i, usize::MAX));
        };
        let rest = &els[1..];
        let len = self.tokens.len();
        let usable = |i: usize| i < len && (senses || !self.other_sense[i]);
        let found = |end_and_target: Option<(usize, usize)>, at: usize| {
            end_and_target.map(|(end, t)| (end, if n == target { at } else { t }))
        };
        match el {
            El::Words(words, classes, any_sense) => {
                if i == len && words.contains(&"$") {
                    return self.match_from(rest, i, n + 1, target, senses);
                }
                if (usable(i) || (*any_sense && i < len))
                    && (words.contains(&self.text(i))
                        || classes.iter().any(|c| self.is_class(*c, i)))
                {
                    return found(self.match_from(rest, i + 1, n + 1, target, senses), i);
                }
                None
            }
            El::Not(words) => {
                if i < len && !words.contains(&self.text(i)) {
                    return self.match_from(rest, i, n + 1, target, senses);
                }
                None
            }
            El::Optional(words) => {
                if usable(i)
                    && words.contains(&self.text(i))
                    && let Some(m) = self.match_from(rest, i + 1, n + 1, target, senses)
                {
                    return found(Some(m), i);
                }
                found(self.match_from(rest, i, n + 1, target, senses), i)
            }
            El::Gap(max) => {
                for k in 0..=*max {
                    if k > 0 && !(i + k - 1 < len && self.tokens[i + k - 1].word) {
                        break;
                    }
                    if let Some(m) = self.match_from(rest, i + k, n + 1, target, senses) {
                        return Some(m);
                    }
                }
                None
            }
            El::End => {
                if i == len {
                    return self.match_from(rest, i, n + 1, target, senses);
                }
                None
            }
        }
    }

    /// The earliest (then shortest) match of a pattern of `set` that applies (a pattern that
    /// needs an ask only counts if `ask`) and is not negated: token range.
    fn first_in(&self, set: &Set, ask: bool, senses: bool) -> Option<(usize, usize)> {
        (0..self.tokens.len()).find_map(|i| {
            set.candidates(self.text(i))
                .filter(|r| r.need == Anywhere || ask)
                .filter_map(|r| {
                    let (end, _) =
                        self.match_from(&r.pattern.els, i, 0, r.pattern.target, senses)?;
                    (end > i && (senses || !self.negated(i, end))).then_some((i, end))
                })
                .min()
        })
    }

    /// Sets aside the words that `OTHER_SENSES` finds in another sense.
    fn mark_other_senses(&mut self, set: &Set) {
        let mut marks = Vec::new();
        for i in 0..self.tokens.len() {
            for r in set.candidates(self.text(i)) {
                if let Some((_, target)) =
                    self.match_from(&r.pattern.els, i, 0, r.pattern.target, true)
                {
                    marks.push(target);
                }
            }
        }
        for t in marks {
            if let Some(m) = self.other_sense.get_mut(t) {
                *m = true;
            }
        }
    }

    /// A "not" (or "n't", "never", "no") inside the match or in the three words before it.
    fn negated(&self, start: usize, end: usize) -> bool {
        // "Not sure my CV…", "not only…": these negate nothing that follows.
        let neg = |i: usize| {
            NEGATIONS.contains(&self.text(i))
                && !(i + 1 < self.tokens.len() && NOT_NEGATING.contains(&self.text(i + 1)))
        };
        if (start..end).any(neg) {
            return true;
        }
        let mut i = start;
        for _ in 0..3 {
            let Some(p) = i.checked_sub(1) else { break };
            if !self.tokens[p].word {
                break;
            }
            if neg(p) {
                return true;
            }
            i = p;
        }
        false
    }

    fn any(&self, set: &Set) -> bool {
        self.first_in(set, true, false).is_some()
    }

    /// Like `any`, with every word in every sense ("your interview" is a connection).
    fn mentions(&self, set: &Set) -> bool {
        self.first_in(set, true, true).is_some()
    }

    fn is_question(&self) -> bool {
        (0..self.tokens.len())
            .rev()
            .find(|&i| !matches!(self.text(i), ")" | "\"" | "'" | "”"))
            .is_some_and(|i| self.text(i) == "?")
    }

    fn is_imperative(&self) -> bool {
        (0..self.tokens.len())
            .map(|i| self.text(i))
            .find(|w| {
                !matches!(
                    *w,
                    "and" | "so" | "but" | "also" | "or" | "then" | "," | "-"
                )
            })
            .is_some_and(|w| IMPERATIVES.contains(&w))
    }

    fn is_ask(&self, c: &Compiled) -> bool {
        self.is_question() || self.is_imperative() || self.any(&c.asks)
    }

    fn first_match(&self, set: &Set, ask: bool) -> Option<(usize, usize)> {
        self.first_in(set, ask, false)
    }
}

// ---------------------------------------------------------------------------------------------
// Concrete times.
// ---------------------------------------------------------------------------------------------

fn is_number(w: &str, max: u32) -> bool {
    w.len() <= 2 && w.parse::<u32>().is_ok_and(|n| n <= max)
}

fn is_ordinal(w: &str) -> bool {
    ["st", "nd", "rd", "th"]
        .iter()
        .any(|s| w.strip_suffix(s).is_some_and(|n| is_number(n, 31)))
}

/// "4pm", "10am", "16h", "16h30".
fn is_compact_clock(w: &str) -> bool {
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return false;
    }
    let rest = &w[digits..];
    matches!(rest, "am" | "pm" | "h")
        || rest
            .strip_prefix('h')
            .is_some_and(|m| m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()))
}

/// A weekday, a date or a clock time: something concrete to say yes to. "Next week" or
/// "sometime" are not.
fn has_concrete_time(folded: &str, tokens: &[Token]) -> bool {
    let text = |i: usize| &folded[tokens[i].bytes.0..tokens[i].bytes.1];
    let glued = |i: usize| i + 1 < tokens.len() && !tokens[i].space_after;
    (0..tokens.len()).any(|i| {
        let w = text(i);
        let next = (i + 1 < tokens.len()).then(|| text(i + 1));
        let after = (i + 2 < tokens.len()).then(|| text(i + 2));
        let prev = i.checked_sub(1).map(text);
        let clock = is_number(w, 24)
            && ((next == Some(":")
                && glued(i)
                && glued(i + 1)
                && after.is_some_and(|a| a.len() == 2 && is_number(a, 59)))
                || next.is_some_and(|n| matches!(n, "am" | "pm"))
                || (next.is_some_and(|n| matches!(n, "a" | "p")) && after == Some(".")));
        let numeric_date = is_number(w, 31)
            && next == Some("/")
            && glued(i)
            && glued(i + 1)
            && after.is_some_and(|a| is_number(a, 31));
        let iso_date = w.len() == 10
            && w.char_indices().all(|(k, c)| {
                if k == 4 || k == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        let day_number = |x: Option<&str>| x.is_some_and(|x| is_number(x, 31) || is_ordinal(x));
        let month = MONTHS.contains(&w) && (day_number(prev) || day_number(next));
        clock
            || numeric_date
            || iso_date
            || month
            || is_compact_clock(w)
            || WEEKDAYS.contains(&w)
            || matches!(w, "noon" | "midday")
            || (w == "the" && next.is_some_and(is_ordinal))
    })
}

// ---------------------------------------------------------------------------------------------
// The check.
// ---------------------------------------------------------------------------------------------

struct Text<'a> {
    raw: &'a str,
}

impl Text<'_> {
    fn excerpt(&self, start: usize, end: usize) -> String {
        self.raw.chars().skip(start).take(end - start).collect()
    }

    fn finding(
        &self,
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        (start, end): (usize, usize),
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            start,
            end,
            excerpt: self.excerpt(start, end),
        }
    }
}

/// A greeting line ("Hi Ana,") is not a sentence of the message.
fn is_greeting(s: &Sentence<'_>) -> bool {
    let Some(first) = s.tokens.first() else {
        return true;
    };
    let chars = s.tokens.last().map_or(0, |l| l.end) - first.start;
    matches!(
        s.text(0),
        "hi" | "hello" | "dear" | "hey" | "hiya" | "good" | "greetings"
    ) && chars < 40
        && !matches!(s.text(s.tokens.len() - 1), "." | "!" | "?")
}

/// Checks a draft. Findings come in this order, at most one per rule: length, connection_first,
/// ask_as_question, proposed_times (warnings; length over `MAX_WORDS` words is an error), then
/// resume, job_request, referral_request (errors).
pub fn check(text: &str) -> Vec<Finding> {
    let t = Text { raw: text };
    let rules = compiled();
    let mut out = Vec::new();

    let words: Vec<usize> = text
        .split_whitespace()
        .map(|w| w.as_ptr() as usize - text.as_ptr() as usize)
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
        let from = text[..words[limit]].chars().count();
        let total = from + text[words[limit]..].chars().count();
        out.push(t.finding("length", severity, message, (from, total)));
    }

    let folded: String = text.chars().map(fold).collect();
    let tokens = tokenize(&folded);
    let sentences: Vec<Sentence<'_>> = sentences(&folded, &tokens)
        .into_iter()
        .map(|(a, b)| {
            let mut s = Sentence {
                folded: &folded,
                tokens: &tokens[a..b],
                other_sense: vec![false; b - a],
            };
            s.mark_other_senses(&rules.other_senses);
            s
        })
        .filter(|s| !is_greeting(s))
        .collect();
    let span = |s: &Sentence<'_>, (a, b): (usize, usize)| (s.tokens[a].start, s.tokens[b - 1].end);
    let whole = |s: &Sentence<'_>| span(s, (0, s.tokens.len()));

    if let Some(first) = sentences.first() {
        let opening = &sentences[..sentences.len().min(2)];
        if !opening.iter().any(|s| s.mentions(&rules.connection)) {
            let (a, _) = whole(first);
            let (_, b) = whole(&opening[opening.len() - 1]);
            out.push(t.finding(
                "connection_first",
                Severity::Warning,
                "say how you are connected (who referred you, where you saw their work) in the first two sentences",
                (a, b),
            ));
        }
    }

    let total_chars = tokens.last().map_or(0, |l| l.end);
    let ask_sentence = sentences
        .iter()
        .find(|s| s.any(&rules.ask_sentence))
        .map(whole);
    if !sentences.iter().any(Sentence::is_question) {
        out.push(t.finding(
            "ask_as_question",
            Severity::Warning,
            "phrase the ask as a question (\"Would you have 20 minutes…?\"), so it is easy to say yes",
            ask_sentence.unwrap_or((0, total_chars)),
        ));
    }
    if !has_concrete_time(&folded, &tokens) {
        out.push(t.finding(
            "proposed_times",
            Severity::Warning,
            "offer two or three times they can pick from (e.g. \"Tuesday at 10:00 or Thursday at 16:00\"), not just \"next week\"",
            ask_sentence.unwrap_or((0, total_chars)),
        ));
    }

    // The errors: at most one finding per rule, at its first match.
    let mut resume = None;
    let mut job = None;
    let mut referral = None;
    let first = |slot: &mut Option<(usize, usize)>, found: (usize, usize)| {
        if slot.is_none_or(|s| found < s) {
            *slot = Some(found);
        }
    };
    let seeking_help: Vec<(Option<(usize, usize)>, bool)> = sentences
        .iter()
        .map(|s| (s.first_match(&rules.seeking, true), s.any(&rules.help)))
        .collect();
    for (n, s) in sentences.iter().enumerate() {
        let ask = s.is_ask(rules);
        if let Some(m) = s.first_match(&rules.resume, ask) {
            first(&mut resume, span(s, m));
        }
        let referred = s.first_match(&rules.referral, ask);
        if let Some(m) = referred {
            first(&mut referral, span(s, m));
        } else {
            // A referral request names the job it is for; that is not a second request.
            if let Some(m) = s.first_match(&rules.job, ask) {
                first(&mut job, span(s, m));
            }
            if let (Some(m), _) = seeking_help[n]
                && (seeking_help[n].1 || seeking_help.get(n + 1).is_some_and(|h| h.1))
            {
                first(&mut job, span(s, m));
            }
        }
    }
    if let Some(r) = resume {
        out.push(t.finding("resume", Severity::Error, RESUME_MESSAGE, r));
    }
    if let Some(r) = job {
        out.push(t.finding("job_request", Severity::Error, JOB_MESSAGE, r));
    }
    if let Some(r) = referral {
        out.push(t.finding("referral_request", Severity::Error, REFERRAL_MESSAGE, r));
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
                "Bea referred me to you. Would you have 20 minutes next week?".into(),
                vec![("proposed_times", Severity::Warning)],
            ),
            (
                "Bea referred me to you. Would you have 20 minutes on Friday at 3pm? I attached my CV.".into(),
                vec![("resume", Severity::Error)],
            ),
            (
                "Bea referred me to you. Do you have any openings on your team? Could we talk on Monday at 9:30?".into(),
                vec![("job_request", Severity::Error)],
            ),
            (
                "Bea referred me to you. Would you be willing to refer me for the analyst role? Could we talk on Monday at 9:30?".into(),
                vec![("referral_request", Severity::Error)],
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
        assert_eq!(resume.len(), 1, "one finding per rule: {f:?}");
        assert_eq!(resume[0].excerpt, "enclosed", "the first offending words");

        let text =
            "Zoë referred me. Would you have 20 minutes on Nov 12 at 10:00? Here is my résumé.";
        let f = check(text);
        let resume: Vec<_> = f.iter().filter(|f| f.rule == "resume").collect();
        assert_eq!(resume.len(), 1);
        assert_eq!(resume[0].excerpt, "my résumé");
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[resume[0].start..resume[0].end].iter().collect();
        assert_eq!(s, "my résumé", "offsets count characters, not bytes");
    }

    #[test]
    fn a_title_in_the_greeting_is_still_a_greeting() {
        let text = "Hi Prof. Lovelace,\n\nBea Costa suggested I get in touch with you. \
            Would you have 20 minutes on Tuesday at 10:00?";
        assert_eq!(rules(text), vec![]);
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

    /// Asserts `check` finds no error in any of `texts`.
    fn no_errors(texts: &[&str]) {
        for text in texts {
            let errors: Vec<_> = check(text)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{text:?}: {errors:?}");
        }
    }

    #[test]
    fn ordinary_english_is_not_a_job_request() {
        no_errors(&[
            "Bea referred me. Would Tuesday at 10:00 work for you?",
            "Bea referred me. I left my job in logistics. Would Tuesday at 10:00 suit you?",
            "I read your position on community solar. Would Tuesday at 10:00 suit you?",
            "We met in Lisbon. I'd love to resume our conversation on Tuesday at 10:00?",
            "I read your paper on the opening of the Tarn wind farm. Could we talk on Friday at 9:00?",
            "Bea referred me. I'm not looking for a job; could we talk on Friday at 9:00?",
        ]);
    }

    #[test]
    fn learning_about_roles_is_not_asking_for_one() {
        no_errors(&[
            "Bea referred me. I'd like to understand what kinds of roles there are in energy policy.",
            "Bea referred me. Would you have any advice on roles in climate tech?",
            "Bea referred me. How are the roles on your team divided?",
            "Bea referred me. I'm about to interview for a role at another utility; could we talk on Friday at 9:00?",
            "Bea referred me. Could you refer me to someone who knows grid storage?",
            "Bea referred me. Are you looking for feedback on the survey?",
            "Bea referred me. I'm hiring for my own team and would love your view on Tuesday at 10:00?",
            "Bea referred me. How did you get an interview at the Met Office?",
        ]);
    }

    #[test]
    fn requests_in_many_phrasings_are_found() {
        for (text, rule) in [
            ("Are you hiring on your team?", "job_request"),
            ("I would like a job at Acme.", "job_request"),
            ("Do you know of any open roles?", "job_request"),
            ("I'd like to be considered for a position.", "job_request"),
            ("Can you help me get an interview?", "job_request"),
            ("Please keep me in mind.", "job_request"),
            ("Let me know if anything opens up!", "job_request"),
            ("Could you put in a good word for me?", "referral_request"),
            (
                "I've enclosed my résumé in case your team has something for me.",
                "resume",
            ),
            (
                "I've enclosed my résumé in case your team has something for me.",
                "job_request",
            ),
            ("Could you look over my CV?", "resume"),
        ] {
            assert!(
                check(text).iter().any(|f| f.rule == rule),
                "{text:?} should raise {rule}"
            );
        }
    }

    #[test]
    fn odd_input_is_harmless() {
        for text in [
            "",
            "Hi",
            "?",
            "'",
            "n't",
            "x".repeat(100_000).as_str(),
            "é’—…",
        ] {
            let _ = check(text);
        }
    }
}
