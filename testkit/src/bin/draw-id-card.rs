//! `draw-id-card DIR [expired]`: writes `portrait.png` and `emblem.png` of the sample card
//! (or of an expired one) into DIR, for the end-to-end tests.

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: draw-id-card DIR [expired]"));
    let mut card = taxicert_testkit::CardData::sample();
    if args.next().as_deref() == Some("expired") {
        card.validity = "2006.05.20-2016.05.20".into();
    }
    std::fs::create_dir_all(&dir).expect("the folder");
    std::fs::write(dir.join("portrait.png"), taxicert_testkit::portrait_side(&card)).expect("portrait.png");
    std::fs::write(dir.join("emblem.png"), taxicert_testkit::emblem_side(&card)).expect("emblem.png");
}
