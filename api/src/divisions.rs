//! China's administrative divisions (GB/T 2260 codes) down to the county level: the province →
//! city → district choice of every address form. The data is `api/data/divisions.tsv` (its
//! header names the source and date); the server embeds it, the app fetches the same file as a
//! static asset when an address form opens, so that it never weighs on the first screen.
//!
//! A code is six digits: `PP0000` a province, `PPCC00` a prefecture-level division, `PPCCDD` a
//! county-level one. A postal region is a county-level code, or a prefecture-level one that has
//! no county-level divisions (东莞市, 中山市, 儋州市, 嘉峪关市).

/// One division.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Division {
    /// Six digits, e.g. `150102`.
    pub code: String,
    /// As published, e.g. `新城区`.
    pub name: String,
}

/// Every division, indexed by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Divisions {
    /// Sorted by code.
    all: Vec<Division>,
}

impl Divisions {
    /// Parses `code<TAB>name` lines; `#` lines and blank lines are comments.
    /// Errors name the line that is not a six-digit code and a name, or that gives a code
    /// another name than an earlier line.
    pub fn parse(text: &str) -> Result<Divisions, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines: Vec<(usize, Division)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (code, name) = line.split_once('\t').ok_or_else(|| format!("line {}: no tab", n + 1))?;
            let (code, name) = (code.trim(), name.trim());
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
                return Err(format!("line {}: not a six-digit code and a name", n + 1));
            }
            lines.push((n + 1, Division { code: code.to_owned(), name: name.to_owned() }));
        }
        // Stable: of two lines with one code, the first is kept (when they agree).
        lines.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        for pair in lines.windows(2) {
            if pair[0].1.code == pair[1].1.code && pair[0].1.name != pair[1].1.name {
                return Err(format!("line {}: {} is already {} (line {})", pair[1].0, pair[1].1.code, pair[0].1.name, pair[0].0));
            }
        }
        let mut all: Vec<Division> = lines.into_iter().map(|(_, d)| d).collect();
        all.dedup_by(|a, b| a.code == b.code);
        Ok(Divisions { all })
    }

    pub fn get(&self, code: &str) -> Option<&Division> {
        self.all.binary_search_by(|d| d.code.as_str().cmp(code)).ok().map(|i| &self.all[i])
    }

    /// The divisions whose code starts with `prefix`: a contiguous run of the sorted list,
    /// found by binary search.
    fn starting_with(&self, prefix: &str) -> &[Division] {
        let from = self.all.partition_point(|d| d.code.as_str() < prefix);
        let len = self.all[from..].partition_point(|d| d.code.starts_with(prefix));
        &self.all[from..from + len]
    }

    /// The provinces, by code.
    pub fn provinces(&self) -> Vec<&Division> {
        self.all.iter().filter(|d| level(&d.code) == Level::Province).collect()
    }

    /// The divisions one level below `code`, by code: a province's prefecture-level divisions,
    /// a prefecture's county-level ones; empty for a county-level code or an unknown one.
    /// A county-level division whose prefecture-level code is not in the data counts as a
    /// child of its province (the file carries GB/T 2260's 市辖区 and 省直辖县级行政区划 rows,
    /// so this does not happen with it).
    pub fn children(&self, code: &str) -> Vec<&Division> {
        if code.len() != 6 || self.get(code).is_none() {
            return Vec::new();
        }
        match level(code) {
            Level::Province => self
                .starting_with(&code[..2])
                .iter()
                .filter(|d| match level(&d.code) {
                    Level::Prefecture => true,
                    Level::County => self.get(&format!("{}00", &d.code[..4])).is_none(),
                    Level::Province => false,
                })
                .collect(),
            Level::Prefecture => self.starting_with(&code[..4]).iter().filter(|d| level(&d.code) == Level::County).collect(),
            Level::County => Vec::new(),
        }
    }

    /// The province, prefecture and county of `code` that exist, from the top.
    pub fn path(&self, code: &str) -> Vec<&Division> {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Vec::new();
        }
        let mut path = Vec::new();
        for candidate in [format!("{}0000", &code[..2]), format!("{}00", &code[..4]), code.to_owned()] {
            if let Some(d) = self.get(&candidate) {
                if path.last().is_none_or(|last: &&Division| last.code != d.code) {
                    path.push(d);
                }
            }
        }
        path
    }

    /// The name of `code` as written on an envelope: province, prefecture and county joined,
    /// without the placeholders 市辖区, 县 and …直辖县级行政区划. `None` for an unknown code.
    pub fn full_name(&self, code: &str) -> Option<String> {
        self.get(code)?;
        Some(self.path(code).into_iter().filter(|d| !is_placeholder(&d.name)).map(|d| d.name.as_str()).collect())
    }

    /// Why `code` is not a complete postal region: the field to choose next (`province`,
    /// `city` or `district`) and what to do, in Chinese; `None` when it is complete: a
    /// county-level division, or a division with nothing below it (东莞市).
    pub fn region_problem(&self, code: &str) -> Option<(&'static str, String)> {
        if code.is_empty() {
            return Some(("province", "请选择省份。".into()));
        }
        if self.get(code).is_none() {
            return Some(("province", "所选地区已调整或不存在，请重新选择省份、城市和区县。".into()));
        }
        match level(code) {
            Level::Province if !self.children(code).is_empty() => Some(("city", "请选择城市。".into())),
            Level::Prefecture if !self.children(code).is_empty() => Some(("district", "请选择区县。".into())),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Province,
    Prefecture,
    County,
}

/// The level a six-digit code names by its digits.
fn level(code: &str) -> Level {
    if code.ends_with("0000") {
        Level::Province
    } else if code.ends_with("00") {
        Level::Prefecture
    } else {
        Level::County
    }
}

/// The prefecture-level rows that only group counties: not part of a written address.
fn is_placeholder(name: &str) -> bool {
    name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# sample\n110000\t北京市\n110100\t市辖区\n110101\t东城区\n150000\t内蒙古自治区\n150100\t呼和浩特市\n150102\t新城区\n441900\t东莞市\n440000\t广东省\n";

    /// The real file; only the tests include it: the app fetches it, the server embeds it.
    const REAL: &str = include_str!("../data/divisions.tsv");

    fn real() -> Divisions {
        Divisions::parse(REAL).expect("api/data/divisions.tsv parses")
    }

    fn names<'a>(divisions: &[&'a Division]) -> Vec<&'a str> {
        divisions.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn codes_nest_by_their_digits() {
        let d = Divisions::parse(SAMPLE).unwrap();
        assert_eq!(d.provinces().len(), 3);
        assert_eq!(d.children("150000").iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["呼和浩特市"]);
        assert_eq!(d.full_name("150102").as_deref(), Some("内蒙古自治区呼和浩特市新城区"));
        assert_eq!(d.full_name("110101").as_deref(), Some("北京市东城区"));
        assert_eq!(d.region_problem("441900"), None, "a city without counties is complete");
        assert_eq!(d.region_problem("150100").unwrap().0, "district");
        assert_eq!(d.region_problem("150000").unwrap().0, "city");
        assert_eq!(d.region_problem("").unwrap().0, "province");
        assert_eq!(d.region_problem("999999").unwrap().0, "province");
        assert!(Divisions::parse("15010\t新城区").is_err());
    }

    #[test]
    fn parse_rejects_what_is_not_a_division_and_names_the_line() {
        assert_eq!(Divisions::parse("# x\n110000 北京市\n").unwrap_err(), "line 2: no tab");
        assert!(Divisions::parse("11000a\t北京市").is_err());
        assert!(Divisions::parse("110000\t  ").is_err());
        let conflict = Divisions::parse("110000\t北京市\n120000\t天津市\n110000\t北平\n").unwrap_err();
        assert!(conflict.starts_with("line 3:"), "{conflict}");
        // A repeated identical line, CRLF line ends and a BOM are harmless.
        let d = Divisions::parse("\u{feff}110000\t北京市\r\n110000\t北京市\r\n\r\n").unwrap();
        assert_eq!(d.provinces().len(), 1);
        assert_eq!(d.get("110000").unwrap().name, "北京市");
    }

    #[test]
    fn odd_codes_give_nothing_and_do_not_panic() {
        let d = real();
        for code in ["", "1", "15010", "1501020", "东东", "15东0", "abcdef"] {
            assert!(d.children(code).is_empty(), "{code}");
            assert!(d.path(code).is_empty(), "{code}");
            assert_eq!(d.full_name(code), None, "{code}");
            assert!(d.region_problem(code).is_some(), "{code}");
        }
    }

    #[test]
    fn a_county_without_its_prefecture_row_hangs_from_its_province() {
        let d = Divisions::parse("420000\t湖北省\n420100\t武汉市\n420102\t江岸区\n429004\t仙桃市\n").unwrap();
        assert_eq!(names(&d.children("420000")), ["武汉市", "仙桃市"]);
        assert_eq!(d.region_problem("429004"), None);
        assert_eq!(d.full_name("429004").as_deref(), Some("湖北省仙桃市"));
        // A province with nothing below it is complete by itself.
        let d = Divisions::parse("710000\t台湾省\n").unwrap();
        assert_eq!(d.region_problem("710000"), None);
    }

    #[test]
    fn the_real_file_is_sorted_unique_and_says_where_it_comes_from() {
        let header: Vec<&str> = REAL.lines().take_while(|l| l.starts_with('#')).collect();
        let header = header.join("\n");
        for needed in ["民政部", "中华人民共和国县以上行政区划代码", "mca.gov.cn", "2026-09-11", "update-divisions", "CC BY 4.0"] {
            assert!(header.contains(needed), "the header names {needed}");
        }
        let codes: Vec<&str> =
            REAL.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(|l| l.split('\t').next().unwrap()).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted by code, each code once");
        let d = real();
        assert_eq!(d.all.len(), codes.len());
        assert!((3000..3500).contains(&codes.len()), "{} divisions", codes.len());
        assert!(d.all.iter().all(|x| !x.name.contains(char::is_whitespace)));
    }

    #[test]
    fn the_real_file_has_the_known_divisions() {
        let d = real();
        let provinces = d.provinces();
        assert_eq!(provinces.len(), 31, "the mainland's 31 provinces; 香港, 澳门 and 台湾 are left out");
        assert_eq!(provinces.first().unwrap().name, "北京市");
        assert!(d.get("710000").is_none() && d.get("810000").is_none() && d.get("820000").is_none());

        assert!(names(&d.children("150000")).contains(&"呼和浩特市"));
        assert_eq!(d.get("150102").unwrap().name, "新城区");
        assert!(d.children("150100").iter().any(|c| c.code == "150102"));
        assert_eq!(names(&d.path("150102")), ["内蒙古自治区", "呼和浩特市", "新城区"]);

        assert_eq!(d.get("441900").unwrap().name, "东莞市");
        assert!(d.children("441900").is_empty(), "东莞市 has no county-level divisions");
        for city in ["442000", "460400", "620200"] {
            assert!(d.children(city).is_empty(), "{city} (中山, 儋州, 嘉峪关) has no county-level divisions");
        }

        assert_eq!(d.get("110100").unwrap().name, "市辖区");
        assert_eq!(names(&d.children("110000")), ["市辖区"]);
        assert!(d.children("110100").iter().any(|c| c.code == "110101" && c.name == "东城区"));
        assert_eq!(d.children("110100").len(), 16);

        assert_eq!(d.get("429000").unwrap().name, "省直辖县级行政区划");
        assert!(d.children("429000").iter().any(|c| c.code == "429004" && c.name == "仙桃市"));
        assert_eq!(names(&d.path("429004")), ["湖北省", "省直辖县级行政区划", "仙桃市"]);
    }

    #[test]
    fn every_division_sits_under_its_province_and_prefecture() {
        let d = real();
        let mut seen_as_child = std::collections::BTreeMap::new();
        for parent in d.all.iter().filter(|x| level(&x.code) != Level::County) {
            for child in d.children(&parent.code) {
                assert!(child.code.starts_with(&parent.code[..2]), "{} under {}", child.code, parent.code);
                *seen_as_child.entry(child.code.as_str()).or_insert(0) += 1;
            }
        }
        for x in &d.all {
            let province = format!("{}0000", &x.code[..2]);
            assert!(d.get(&province).is_some(), "{} {} has its province", x.code, x.name);
            match level(&x.code) {
                Level::Province => assert!(!seen_as_child.contains_key(x.code.as_str())),
                Level::Prefecture => assert_eq!(seen_as_child.get(x.code.as_str()), Some(&1), "{} {}", x.code, x.name),
                Level::County => {
                    assert_eq!(seen_as_child.get(x.code.as_str()), Some(&1), "{} {} is one division's child", x.code, x.name);
                    let prefecture = format!("{}00", &x.code[..4]);
                    let path = d.path(&x.code);
                    if d.get(&prefecture).is_some() {
                        assert_eq!(path.len(), 3, "{} {}", x.code, x.name);
                        assert_eq!(path[1].code, prefecture);
                    } else {
                        // Only a county directly under a province-level 直辖 entry may skip it.
                        assert_eq!(path.len(), 2, "{} {}", x.code, x.name);
                        assert!(d.children(&province).iter().any(|c| c.code == x.code));
                    }
                    assert_eq!(d.region_problem(&x.code), None, "{} {} is complete", x.code, x.name);
                }
            }
        }
        // Every province has something to choose below it.
        for p in d.provinces() {
            assert!(!d.children(&p.code).is_empty(), "{}", p.name);
        }
    }

    #[test]
    fn full_names_leave_out_the_placeholders() {
        let d = real();
        assert_eq!(d.full_name("150102").as_deref(), Some("内蒙古自治区呼和浩特市新城区"));
        assert_eq!(d.full_name("110101").as_deref(), Some("北京市东城区"));
        assert_eq!(d.full_name("429004").as_deref(), Some("湖北省仙桃市"));
        assert_eq!(d.full_name("441900").as_deref(), Some("广东省东莞市"));
        assert_eq!(d.full_name("659001").as_deref(), Some("新疆维吾尔自治区石河子市"));
        assert_eq!(d.full_name("440000").as_deref(), Some("广东省"));
        assert_eq!(d.full_name("440300").as_deref(), Some("广东省深圳市"));
        let chongqing_county = d.children("500200").first().map(|c| c.code.clone()).expect("重庆 has counties");
        assert_eq!(d.full_name(&chongqing_county).unwrap(), format!("重庆市{}", d.get(&chongqing_county).unwrap().name));
        assert_eq!(d.full_name("999999"), None);
    }

    #[test]
    fn region_problem_names_the_next_field_to_choose() {
        let d = real();
        assert_eq!(d.region_problem(""), Some(("province", "请选择省份。".to_owned())));
        assert_eq!(d.region_problem("150000"), Some(("city", "请选择城市。".to_owned())));
        assert_eq!(d.region_problem("150100"), Some(("district", "请选择区县。".to_owned())));
        assert_eq!(d.region_problem("110100").unwrap().0, "district");
        assert_eq!(d.region_problem("150102"), None);
        assert_eq!(d.region_problem("429004"), None);
        assert_eq!(d.region_problem("441900"), None, "东莞市 is complete without a district");
        let (field, message) = d.region_problem("150199").unwrap();
        assert_eq!(field, "province", "an unknown code starts again from the province");
        assert!(message.contains("重新选择"));
        assert_eq!(d.region_problem("710000").unwrap().0, "province", "台湾 is not in the file");
    }
}
