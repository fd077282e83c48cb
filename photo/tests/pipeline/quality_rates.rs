//! The quality checks against the targets on both labelled sets together (a moderate subset,
//! small enough for the debug build): each check flags at least 95 % of the photos with its
//! defect and at most 1 % of the good ones. `make bench` prints the same rates on larger sets.

use crate::rates::{counts, judge_field, judge_labelled, percent, Judged, CHECKS};
use taxicert_testkit::field::field_set;
use taxicert_testkit::photos::labelled_set;

#[test]
fn each_check_flags_its_defect_and_spares_good_photos_on_both_sets() {
    let first = labelled_set(&[800, 1200], 2);
    let second = field_set(&[1024, 1400], 2);
    let judged: Vec<Judged> = first.iter().map(judge_labelled).chain(second.iter().map(judge_field)).collect();
    let mut failures = Vec::new();
    for check in CHECKS {
        let (hit, with, alarm, good) = counts(&judged, check);
        // At most 1 % of the good photos: none at all on a set of fewer than 100.
        if hit * 100 < with * 95 || alarm * 100 > good {
            failures.push(format!(
                "{check}: flags {} of {with} with the defect (target ≥ 95 %), {} of {good} good ones (target ≤ 1 %)",
                percent(hit, with),
                percent(alarm, good)
            ));
            for j in &judged {
                if (j.has(check) && !j.flagged(check)) || (j.good() && j.flagged(check)) {
                    failures.push(format!("  {} set, {} {}: warnings {:?}, measured {:?}", j.set, j.kind, j.name, j.warnings, j.measured));
                }
            }
        }
    }
    // Whatever else, a good photo gets no quality warning of any kind (the portrait's own rules
    // aside: a blue background is the portrait's to refuse).
    for j in judged.iter().filter(|j| j.good()) {
        let quality: Vec<&String> = j.warnings.iter().filter(|w| !w.starts_with("portrait_")).collect();
        if !quality.is_empty() {
            failures.push(format!("good photo warned: {} set, {}: {quality:?}, measured {:?}", j.set, j.name, j.measured));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
