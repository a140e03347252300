//! A month of informational interviews lived through the command line, one process per step,
//! with the clock set for each (`RAPPORT_NOW`): the rough edges a person meets within days of
//! real use (issue 17), each checked where it happens.

use serde_json::Value;

use super::Vault;

/// Runs `args` at `now`; the output (which must be a success).
fn at(v: &Vault, now: &str, args: &[&str]) -> String {
    let out = v.command(args).env("RAPPORT_NOW", now).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} at {now} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `args` at `now`, which must fail with `code`; its standard error.
fn fails_at(v: &Vault, now: &str, code: i32, args: &[&str]) -> String {
    let out = v.command(args).env("RAPPORT_NOW", now).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?} at {now}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn json_at(v: &Vault, now: &str, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    serde_json::from_str(&at(v, now, &a)).unwrap()
}

const CONNECTIONS: &str = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nZoë,Okonkwo,https://www.linkedin.com/in/zoe-okonkwo,zoe@greenharbor.example,Green Harbor,Energy Modeller,12 Mar 2024\nOmar,Haddad,https://www.linkedin.com/in/omar-haddad,,Grid Co,Planner,02 Feb 2023\nLena,Fischer,https://www.linkedin.com/in/lena-fischer,,Green Harbor,Analyst,05 May 2022\n";

#[test]
fn a_month_of_informational_interviews_through_the_command_line() {
    let v = Vault::new();
    // Tuesday 27 October 2026: London is on GMT already, New York still on daylight time.
    let day0 = "2026-10-27T09:00:00Z";
    at(
        &v,
        day0,
        &[
            "profile",
            "set",
            "--name",
            "Sam",
            "--background",
            "a data analyst moving into energy",
            "--time-zone",
            "Europe/London",
            "--hours",
            "09:00-17:00",
        ],
    );
    at(
        &v,
        day0,
        &[
            "goal",
            "add",
            "--name",
            "Grid planning roles",
            "--role",
            "Grid planner",
        ],
    );
    let file = v.path().join("Connections.csv");
    std::fs::write(&file, CONNECTIONS).unwrap();
    let imported = at(&v, day0, &["import", "linkedin", file.to_str().unwrap()]);
    assert!(imported.contains("3 people created"), "{imported}");
    let zoe = json_at(&v, day0, &["person", "show", "Zoë Okonkwo"]);
    let zoe_id = zoe["id"].as_str().unwrap().to_string();
    at(
        &v,
        day0,
        &[
            "person",
            "edit",
            &zoe_id,
            "--goal",
            "Grid planning roles",
            "--time-zone",
            "America/New_York",
        ],
    );
    // LinkedIn exported again a week later: an update, never a failure on the goal link.
    let again = at(
        &v,
        "2026-11-03T09:00:00Z",
        &["import", "linkedin", file.to_str().unwrap()],
    );
    assert!(again.contains("0 people created"), "{again}");

    // Drafting: a preview stores nothing; --save keeps it; times in both zones.
    let preview = at(&v, day0, &["outreach", "draft", "--person", "Zoë Okonkwo"]);
    assert!(preview.contains("nothing was saved"), "{preview}");
    assert!(preview.contains("for me in London"), "{preview}");
    assert!(
        preview.contains("I came across your profile on LinkedIn"),
        "{preview}"
    );
    assert_eq!(
        v.items(&["outreach", "list"]).as_array().unwrap().len(),
        0,
        "a preview was stored"
    );
    let saved = json_at(
        &v,
        day0,
        &["outreach", "draft", "--person", "Zoë Okonkwo", "--save"],
    );
    let msg = saved["outreach"]["id"].as_str().unwrap().to_string();
    let body = saved["outreach"]["body"].as_str().unwrap();
    let check = v
        .command(&["outreach", "check", "--text", body])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "Rapport's own draft fails its check"
    );
    // A message that asks for a job is stopped with the documented status 3, not 2.
    let bad = v
        .command(&[
            "outreach",
            "check",
            "--text",
            "Hi Zoë, Bea suggested I write. Are you hiring on your team? I've attached my CV.",
        ])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
    at(&v, day0, &["outreach", "sent", &msg]);

    // 3B7 on business days: after three (Friday), try someone else at Green Harbor; after
    // seven (the Thursday after), a follow-up. Counted in the user's zone.
    let friday = at(&v, "2026-10-30T10:00:00Z", &["today"]);
    assert!(
        friday.contains("try someone else at the same organization"),
        "{friday}"
    );
    let thursday = at(&v, "2026-11-05T10:00:00Z", &["today"]);
    assert!(thursday.contains("send a polite follow-up"), "{thursday}");

    // The reply came on Monday; it is logged on Friday with --at.
    at(
        &v,
        "2026-11-06T12:00:00Z",
        &["outreach", "replied", &msg, "--at", "2026-11-02T14:00:00Z"],
    );
    let stats = json_at(&v, "2026-11-06T12:00:00Z", &["stats"]);
    let median = stats["reply_days_median"].as_f64().unwrap();
    assert!((median - 6.2).abs() < 0.1, "reply speed {median}");

    // The meeting: 10:00 in New York on 10 November, after the US clocks went back; shown in
    // both zones.
    let meeting = at(
        &v,
        "2026-11-06T12:00:00Z",
        &[
            "meeting",
            "add",
            "--title",
            "Call with Zoë",
            "--person",
            "Zoë Okonkwo",
            "--start",
            "2026-11-10T10:00:00-05:00",
            "--time-zone",
            "America/New_York",
            "--minutes",
            "20",
            "--medium",
            "video",
            "--status",
            "confirmed",
        ],
    )
    .trim()
    .to_string();
    let shown = at(&v, "2026-11-06T12:00:00Z", &["meeting", "show", &meeting]);
    assert!(
        shown.contains("Tue 10 Nov 10:00 America/New_York (15:00 Europe/London, your time)"),
        "{shown}"
    );
    at(
        &v,
        "2026-11-06T12:00:00Z",
        &[
            "meeting",
            "questions",
            "add",
            &meeting,
            "end up in this line of work",
        ],
    );
    let many = fails_at(
        &v,
        "2026-11-06T12:00:00Z",
        2,
        &["meeting", "questions", "add", &meeting, "you"],
    );
    assert!(many.contains("questions have the words"), "{many}");
    let brief = at(&v, "2026-11-10T14:50:00Z", &["brief", &meeting]);
    assert!(brief.contains("How: video · 20 minutes"), "{brief}");
    assert!(brief.contains(" 1. "), "questions are numbered: {brief}");

    // Meeting mode.
    let start = "2026-11-10T15:00:00Z";
    at(&v, start, &["meeting", "start", &meeting]);
    let twice = fails_at(
        &v,
        "2026-11-10T15:05:00Z",
        2,
        &["meeting", "start", &meeting],
    );
    assert!(twice.contains("under way"), "{twice}");
    // The timer stays live with --watch (a line a second) until the meeting stops.
    let mut c = v.command(&["meeting", "timer", &meeting, "--watch", "--json"]);
    c.env("RAPPORT_NOW", "2026-11-10T15:05:00Z");
    let watching = super::running::Running::start(c);
    for _ in 0..2 {
        let tick = watching
            .wait_for(std::time::Duration::from_secs(10), |t| {
                t.get("elapsed_secs").is_some()
            })
            .expect("a line a second");
        assert_eq!(tick["elapsed_secs"], 300);
    }
    drop(watching);
    let answered = at(
        &v,
        "2026-11-10T15:06:00Z",
        &["meeting", "answer", &meeting, "1", "Started in consulting."],
    );
    assert!(answered.contains("Started in consulting"), "{answered}");
    at(
        &v,
        "2026-11-10T15:10:00Z",
        &[
            "meeting",
            "takeaway",
            &meeting,
            "Learn power-flow basics first",
            "--topic",
            "skills",
        ],
    );
    // A referral of someone already in the vault links them.
    let referral = at(
        &v,
        "2026-11-10T15:15:00Z",
        &["referral", "--meeting", &meeting, "--name", "Omar Haddad"],
    );
    assert!(
        referral.contains("already in the vault (same name)"),
        "{referral}"
    );
    assert_eq!(v.names("person").len(), 3, "nobody was made twice");
    at(&v, "2026-11-10T15:21:00Z", &["meeting", "stop", &meeting]);

    // The thank-you: drafted, refused while it holds a prompt, sent, and the due is gone.
    let due = at(&v, "2026-11-10T16:00:00Z", &["today"]);
    assert!(due.contains("Thank-yous due"), "{due}");
    let thanks = json_at(
        &v,
        "2026-11-10T16:00:00Z",
        &[
            "outreach",
            "draft",
            "--person",
            "Zoë Okonkwo",
            "--purpose",
            "thank_you",
            "--save",
        ],
    );
    let thanks_id = thanks["outreach"]["id"].as_str().unwrap().to_string();
    let text = thanks["outreach"]["body"].as_str().unwrap().to_string();
    assert!(text.contains("your time today"), "{text}");
    let refused = fails_at(
        &v,
        "2026-11-10T16:05:00Z",
        2,
        &["outreach", "sent", &thanks_id],
    );
    assert!(refused.contains("before sending"), "{refused}");
    let written = text.replace(
        "[one thing you learned from them, and what you will do with it]",
        "Starting with power-flow basics is exactly what I will do.",
    );
    at(
        &v,
        "2026-11-10T16:05:00Z",
        &["outreach", "edit", &thanks_id, "--body", &written],
    );
    at(
        &v,
        "2026-11-10T16:06:00Z",
        &["outreach", "sent", &thanks_id],
    );
    let after = at(
        &v,
        "2026-11-10T16:10:00Z",
        &["today", "--tz", "America/New_York"],
    );
    assert!(!after.contains("Thank-yous due"), "{after}");
    // Due lines in the zone asked for: Omar's task, due two days after the referral.
    let ny = at(
        &v,
        "2026-11-12T20:00:00Z",
        &["today", "--tz", "America/New_York"],
    );
    assert!(
        ny.contains("Thu 12 Nov 10:15  Write to Omar Haddad"),
        "{ny}"
    );

    // A task due on a day: due all that day, not overdue at midnight UTC.
    at(
        &v,
        "2026-11-13T09:00:00Z",
        &[
            "task",
            "add",
            "--title",
            "Read the grid report",
            "--due",
            "2026-11-13",
        ],
    );
    let that_day = at(&v, "2026-11-13T09:30:00Z", &["today"]);
    assert!(
        that_day.contains("Fri 13 Nov  Read the grid report"),
        "{that_day}"
    );
    assert!(!that_day.contains("OVERDUE Fri 13 Nov  Read"), "{that_day}");

    // Deleting a person takes their open tasks off Today.
    let omar = json_at(
        &v,
        "2026-11-13T09:30:00Z",
        &["person", "show", "Omar Haddad"],
    );
    at(
        &v,
        "2026-11-13T09:30:00Z",
        &["person", "rm", omar["id"].as_str().unwrap()],
    );
    let gone = at(&v, "2026-11-13T09:31:00Z", &["today"]);
    assert!(!gone.contains("Omar"), "{gone}");

    // A check-in once the cadence has run out since the last interaction.
    at(
        &v,
        "2026-11-13T09:40:00Z",
        &["person", "edit", &zoe_id, "--cadence", "14"],
    );
    let later = at(&v, "2026-11-25T09:00:00Z", &["today"]);
    assert!(later.contains("Check in with Zoë Okonkwo"), "{later}");

    // The lists people look at: stage and how found, as words; takeaways in stats.
    let people = at(&v, "2026-11-25T09:00:00Z", &["person", "list"]);
    assert!(
        people.contains("thanked") && people.contains("linkedin"),
        "{people}"
    );
    let stats = at(&v, "2026-11-25T09:00:00Z", &["stats"]);
    assert!(
        stats.contains("skills: Learn power-flow basics first"),
        "{stats}"
    );
    // Search finds Zoë by where she works, and says who she is.
    let found = at(&v, "2026-11-25T09:00:00Z", &["search", "green harbor"]);
    assert!(
        found.contains("Zoë Okonkwo  (Energy Modeller · Green Harbor)"),
        "{found}"
    );
    // JSON lists carry the cursor of the next page.
    let page = json_at(
        &v,
        "2026-11-25T09:00:00Z",
        &["question", "list", "--limit", "5"],
    );
    assert!(page["next"].is_string(), "{page}");
    let next = json_at(
        &v,
        "2026-11-25T09:00:00Z",
        &[
            "question",
            "list",
            "--limit",
            "5",
            "--after",
            page["next"].as_str().unwrap(),
        ],
    );
    assert_ne!(page["items"][0]["id"], next["items"][0]["id"]);
}
