//! `fill` and `expand_rows` on hand-written Word XML.
use super::read::read_blocks;
use super::*;

fn body(paragraphs: &str) -> Vec<Event<'static>> {
    parse(&format!(
        r#"<w:document xmlns:w="w"><w:body>{paragraphs}</w:body></w:document>"#
    ))
    .unwrap()
}

#[test]
fn a_placeholder_split_over_runs_is_filled_in_its_first_run() {
    let mut events = body(
        "<w:p><w:r><w:t>Прошу принять {</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>\
         <w:t>{member.</w:t></w:r><w:r><w:t>last_name}} в профсоюз, {{ today }}.</w:t></w:r></w:p>",
    );
    let values = HashMap::from([
        ("member.last_name".to_string(), "Иванову".to_string()),
        ("today".to_string(), "01.09.2025".to_string()),
    ]);
    fill_paragraphs(&mut events, &|n| values.get(n).cloned()).unwrap();
    let blocks = read_blocks(&events).unwrap();
    assert_eq!(
        blocks,
        [Block::Paragraph(
            "Прошу принять Иванову в профсоюз, 01.09.2025.".into()
        )]
    );
}

#[test]
fn a_row_naming_a_list_is_repeated_per_item_and_goes_when_it_is_empty() {
    let table = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>№</w:t></w:r></w:p></w:tc></w:tr>\
        <w:tr><w:tc><w:p><w:r><w:t>{{cards.n</w:t></w:r><w:r><w:t>umber}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
    let item = |n: &str| HashMap::from([("number".to_string(), n.to_string())]);
    let lists = HashMap::from([("cards".to_string(), vec![item("1"), item("2")])]);
    let events = expand_rows(body(table), &lists).unwrap();
    assert_eq!(
        read_blocks(&events).unwrap(),
        [Block::Table(vec![
            vec!["№".into()],
            vec!["1".into()],
            vec!["2".into()]
        ])]
    );
    let none = HashMap::from([("cards".to_string(), Vec::new())]);
    let events = expand_rows(body(table), &none).unwrap();
    assert_eq!(
        read_blocks(&events).unwrap(),
        [Block::Table(vec![vec!["№".into()]])]
    );
}
