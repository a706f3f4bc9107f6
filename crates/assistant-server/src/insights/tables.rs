//! The insights page's tables, each the data behind one chart: the page renders them as HTML tables
//! (for screen-reader users, and anyone who wants the numbers) and `/admin/insights.csv` as CSV, from
//! the same rows, so the download always matches what the page shows.

use super::summary::{Insights, IntentRow, worst_rated};

pub struct Table {
    /// Stable name: the CSV's `table=` and the HTML table's id.
    pub name: &'static str,
    pub caption: String,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// The tables, in page order.
pub const NAMES: [&str; 5] = ["days", "intents", "worst", "handoffs", "reasons"];

/// How many intents the "worst not helpful" chart and table show.
pub const WORST: usize = 10;

pub fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".into(), |r| format!("{:.1}%", r * 100.0))
}

pub fn intent_name(i: &str) -> String {
    if i.is_empty() {
        "(no intent: not answered)".into()
    } else {
        i.to_owned()
    }
}

fn opt(v: Option<i64>) -> String {
    v.map_or_else(|| "–".into(), |v| v.to_string())
}

fn intent_row(i: &IntentRow) -> Vec<String> {
    vec![
        intent_name(&i.intent),
        i.questions.to_string(),
        i.settled_in_browser.to_string(),
        i.settled_by_server.to_string(),
        i.did_you_mean.to_string(),
        i.person_offered.to_string(),
        i.unanswered.to_string(),
        i.helpful.to_string(),
        i.not_helpful.to_string(),
    ]
}

pub fn table(name: &str, s: &Insights) -> Option<Table> {
    Some(match name {
        "days" => Table {
            name: "days",
            caption: "Questions and containment per day".into(),
            head: vec![
                "Day",
                "Questions",
                "Settled in the browser",
                "Settled by the server",
                "Did you mean",
                "Unanswered",
                "Handed to a person",
                "Containment",
            ],
            rows: s
                .days
                .iter()
                .map(|d| {
                    vec![
                        d.day.clone(),
                        d.questions.to_string(),
                        d.settled_in_browser.to_string(),
                        d.settled_by_server.to_string(),
                        d.did_you_mean.to_string(),
                        d.unanswered.to_string(),
                        d.handed_to_person.to_string(),
                        percent(d.containment),
                    ]
                })
                .collect(),
        },
        "intents" => Table {
            name: "intents",
            caption: "Outcomes by intent, most asked first".into(),
            head: vec![
                "Intent",
                "Questions",
                "Settled in the browser",
                "Settled by the server",
                "Did you mean",
                "Person offered",
                "Unanswered",
                "Helpful",
                "Not helpful",
            ],
            rows: s.intents.iter().map(intent_row).collect(),
        },
        "worst" => Table {
            name: "worst",
            caption: format!("Intents with the worst “not helpful” rate (top {WORST})"),
            head: vec!["Intent", "Rated", "Not helpful", "Not helpful rate"],
            rows: worst_rated(&s.intents, WORST)
                .iter()
                .map(|i| {
                    vec![
                        intent_name(&i.intent),
                        (i.helpful + i.not_helpful).to_string(),
                        i.not_helpful.to_string(),
                        percent(i.not_helpful_rate),
                    ]
                })
                .collect(),
        },
        "handoffs" => Table {
            name: "handoffs",
            caption: "Hand-offs to a person and waits per day".into(),
            head: vec![
                "Day",
                "Hand-offs",
                "Left before an agent joined",
                "Median wait (s)",
                "90th percentile wait (s)",
            ],
            rows: s
                .days
                .iter()
                .map(|d| {
                    vec![
                        d.day.clone(),
                        d.handed_to_person.to_string(),
                        d.abandoned.to_string(),
                        opt(d.wait_median_s),
                        opt(d.wait_p90_s),
                    ]
                })
                .collect(),
        },
        "reasons" => Table {
            name: "reasons",
            caption: "Why: hand-off reasons and “not helpful” reasons".into(),
            head: vec!["Kind", "Reason", "Count"],
            rows: s
                .handoff_reasons
                .iter()
                .map(|r| ("Hand-off", r))
                .chain(s.not_helpful_reasons.iter().map(|r| ("Not helpful", r)))
                .map(|(k, r)| vec![k.into(), r.reason.replace('_', " "), r.count.to_string()])
                .collect(),
        },
        _ => return None,
    })
}

/// RFC 4180 CSV. A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is
/// prefixed with `'`; none of ours should be, but labels may change.
pub fn csv(t: &Table) -> String {
    let cell = |c: &str| {
        let c = if c.starts_with(['=', '+', '@']) || (c.starts_with('-') && c.len() > 1) {
            format!("'{c}")
        } else {
            c.to_owned()
        };
        if c.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c
        }
    };
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(t.head.iter().map(|h| (*h).to_owned()).collect()));
    out.push_str("\r\n");
    for r in &t.rows {
        out.push_str(&line(r.clone()));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let t = Table {
            name: "x",
            caption: String::new(),
            head: vec!["a", "b"],
            rows: vec![vec!["=1+1".into(), "say \"hi\", then".into()]],
        };
        assert_eq!(csv(&t), "a,b\r\n'=1+1,\"say \"\"hi\"\", then\"\r\n");
        assert_eq!(percent(Some(0.75)), "75.0%");
        assert_eq!(percent(None), "–");
    }
}
