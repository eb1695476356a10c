//! The library's search over 10,000 generated documents: Russian-ish texts of
//! the union's words in their many forms (about 400 words each), indexed as
//! the read model indexes them; a query in one form of a word, two words,
//! and two words with filters, each with its highlights. The target is
//! ≤ 50 ms a query (issue 16).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::ids::{DocumentId, OrgId};
use domain::library::{Audience, DocumentKind, Readers};
use projections::library::index::{Indexed, LibraryIndex, LibraryQuery};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Documents in the corpus.
const DOCUMENTS: usize = 10_000;
/// Words per document.
const WORDS: usize = 400;

/// Stems of the union's words with endings they take, so the corpus has
/// «договор», «договора», «договором», … as Russian texts do.
const STEMS: &[(&str, &[&str])] = &[
    ("договор", &["", "а", "у", "ом", "е", "ы", "ов", "ам"]),
    ("соглашени", &["е", "я", "ю", "ем", "и", "й"]),
    ("работник", &["", "а", "у", "ом", "и", "ов", "ам"]),
    ("профсоюз", &["", "а", "у", "ом", "е", "ы", "ов"]),
    ("организаци", &["я", "и", "ю", "ей", "й"]),
    ("оплат", &["а", "ы", "е", "у", "ой"]),
    ("труд", &["", "а", "у", "ом", "е"]),
    ("охран", &["а", "ы", "е", "у", "ой"]),
    ("премировани", &["е", "я", "ю", "ем", "и"]),
    ("отпуск", &["", "а", "у", "ом", "е", "и", "ов"]),
    ("педагог", &["", "а", "у", "ом", "и", "ов"]),
    ("учител", &["ь", "я", "ю", "ем", "и", "ей"]),
    ("школ", &["а", "ы", "е", "у", "ой"]),
    ("нагрузк", &["а", "и", "е", "у", "ой"]),
    ("комисси", &["я", "и", "ю", "ей", "й"]),
    ("положени", &["е", "я", "ю", "ем", "и"]),
    ("устав", &["", "а", "у", "ом", "е"]),
    ("председател", &["ь", "я", "ю", "ем", "и", "ей"]),
    ("выплат", &["а", "ы", "е", "у", "ой"]),
    ("стаж", &["", "а", "у", "ем", "е"]),
    ("заработн", &["ая", "ой", "ую", "ые"]),
    ("плат", &["а", "ы", "е", "у", "ой"]),
    ("гаранти", &["я", "и", "ю", "ей", "й"]),
    ("компенсаци", &["я", "и", "ю", "ей", "й"]),
    ("аттестаци", &["я", "и", "ю", "ей"]),
    ("рабоч", &["ее", "его", "ему", "им", "ие", "их"]),
    ("врем", &["я", "ени", "енем"]),
    ("социальн", &["ый", "ого", "ому", "ым", "ые", "ых"]),
    ("партнёрств", &["о", "а", "у", "ом", "е"]),
    ("образовани", &["е", "я", "ю", "ем", "и"]),
    ("стороны", &[""]),
    ("обязуется", &[""]),
    ("устанавливает", &["", "ся"]),
    ("в", &[""]),
    ("и", &[""]),
    ("на", &[""]),
    ("по", &[""]),
    ("с", &[""]),
    ("о", &[""]),
    ("не", &[""]),
];

fn word(rng: &mut StdRng) -> String {
    let (stem, endings) = STEMS[rng.random_range(0..STEMS.len())];
    format!("{stem}{}", endings[rng.random_range(0..endings.len())])
}

fn corpus() -> LibraryIndex {
    let mut rng = StdRng::seed_from_u64(16);
    let mut index = LibraryIndex::new().unwrap();
    for n in 0..DOCUMENTS {
        let title: Vec<String> = (0..5).map(|_| word(&mut rng)).collect();
        let body: Vec<String> = (0..WORDS).map(|_| word(&mut rng)).collect();
        let issued_on = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
            + chrono::Duration::days(rng.random_range(0..9000));
        index
            .put(Indexed {
                document_id: DocumentId(Uuid::from_u128(n as u128 + 1)),
                title: &title.join(" "),
                body: &body.join(" "),
                kind: DocumentKind::ALL[n % DocumentKind::ALL.len()],
                issuer: [
                    "Профсоюз",
                    "Минпросвещения России",
                    "Региональная организация",
                ][n % 3],
                issued_on,
                audience: Audience {
                    org_id: OrgId(Uuid::from_u128((n % 80) as u128 + 2)),
                    readers: if n % 5 == 0 {
                        Readers::Chairs
                    } else {
                        Readers::Everyone
                    },
                },
            })
            .unwrap();
        if n % 2000 == 1999 {
            index.commit().unwrap();
        }
    }
    index.commit().unwrap();
    index
}

fn search(c: &mut Criterion) {
    let index = corpus();
    // What a holder of the whole union reads: every audience.
    let audiences: Vec<Audience> = (0..80u128)
        .flat_map(|n| {
            [Readers::Everyone, Readers::Chairs].map(|readers| Audience {
                org_id: OrgId(Uuid::from_u128(n + 2)),
                readers,
            })
        })
        .collect();
    let query = |text: &str| LibraryQuery {
        text: Some(text.into()),
        audiences: audiences.clone(),
        limit: 21,
        ..LibraryQuery::default()
    };
    let mut group = c.benchmark_group("library_search_10k");
    group.sample_size(30);
    let one = query("договора");
    group.bench_function("one_word", |b| b.iter(|| index.search(&one).unwrap()));
    let two = query("коллективного договора");
    group.bench_function("two_words", |b| b.iter(|| index.search(&two).unwrap()));
    let filtered = LibraryQuery {
        kind: Some(DocumentKind::CollectiveAgreement),
        issuer: Some("Профсоюз".into()),
        from: NaiveDate::from_ymd_opt(2010, 1, 1),
        to: NaiveDate::from_ymd_opt(2020, 12, 31),
        ..query("оплаты труда")
    };
    group.bench_function("two_words_filtered", |b| {
        b.iter(|| index.search(&filtered).unwrap())
    });
    // One region's holder: two audiences of eighty.
    let region = LibraryQuery {
        audiences: audiences[..2].to_vec(),
        ..query("премирование работников")
    };
    group.bench_function("one_region", |b| b.iter(|| index.search(&region).unwrap()));
    let newest = LibraryQuery {
        text: None,
        ..query("")
    };
    group.bench_function("newest_first", |b| {
        b.iter(|| index.search(&newest).unwrap())
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
