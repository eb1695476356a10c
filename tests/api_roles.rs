//! The role matrix over real HTTP (DESIGN.md §4): two regional subtrees R1 and
//! R2; ADMIN, CHAIR, AUDITOR and ANALYST over R1 and a CHAIR of R1's primary,
//! each asked for every resource and every mutation kind of R1 (allowed or
//! FORBIDDEN as the role says) and of R2 (always FORBIDDEN: nothing leaks
//! across subtrees); personal-data reads are logged and shown to ADMIN and
//! AUDITOR; a revoked token stops at once; without a token only the public
//! operations work.

mod support;

use serde_json::json;
use support::matrix::{Probe, read, reads, subtree, write, writes};
use support::{Server, grant, started, started_unlimited};

/// The roles over R1, each with the letter the probes name it by: ADMIN,
/// CHAIR, AUDITOR, ANALYST, and P for the CHAIR of R1's primary.
const ROLES: [(&str, char); 5] = [
    ("ADMIN", 'A'),
    ("CHAIR", 'C'),
    ("AUDITOR", 'U'),
    ("ANALYST", 'N'),
    ("CHAIR of the primary", 'P'),
];

/// Makes `probe` as the holder of `token` (`letter` of [`ROLES`]) and checks
/// the answer: FORBIDDEN (appending nothing) unless the role is allowed.
async fn check(server: &Server, root: &str, probe: &Probe, role: (&str, char), token: &str) {
    let (query, variables) = (probe.query.as_str(), probe.variables.clone());
    let what = format!("{} as {} ", probe.name, role.0);
    if probe.allowed.contains(role.1) {
        let answer = server.graphql(query, variables, Some(token)).await;
        let code = &answer["errors"][0]["extensions"]["code"];
        let fine = code.is_null() || (probe.write && code == "RULE_VIOLATION");
        assert!(fine, "{what}should be allowed: {answer}");
    } else {
        let error = server.refused(query, variables, Some(token), root).await;
        assert_eq!(
            error["extensions"]["code"], "FORBIDDEN",
            "{what}should be FORBIDDEN: {error}"
        );
    }
}

#[tokio::test]
async fn each_role_reads_and_writes_what_it_may_in_its_subtree_and_nothing_of_another() {
    // Hundreds of probes in a few seconds from one address: past its pace.
    let (_dir, server, central, root) = started_unlimited().await;
    let r1 = subtree(&server, &root, &central, 11).await;
    let r2 = subtree(&server, &root, &central, 22).await;
    let (r2_auditor, _) = grant(&server, &root, "AUDITOR", &r2.regional, "auditor of R2").await;
    let mut tokens = Vec::new();
    let mut users = Vec::new();
    for (role, letter) in ROLES {
        let org = if letter == 'P' {
            &r1.primary
        } else {
            &r1.regional
        };
        let name = if letter == 'P' { "CHAIR" } else { role };
        let (user, token) = grant(&server, &root, name, org, role).await;
        users.push(user);
        tokens.push(token);
    }
    let token_of =
        |letter: char| tokens[ROLES.iter().position(|r| r.1 == letter).unwrap()].as_str();

    // Reads of R1 as the role allows; of R2, none.
    let foreign: Vec<Probe> = reads(&r2)
        .into_iter()
        .map(|p| Probe { allowed: "", ..p })
        .collect();
    for probe in reads(&r1).iter().chain(&foreign) {
        for (role, token) in ROLES.iter().zip(&tokens) {
            check(&server, &root, probe, *role, token).await;
        }
    }

    // No list shows anything of R2.
    let r2_ids = [
        &r2.regional,
        &r2.territorial,
        &r2.primary,
        &r2.member,
        &r2.erasable,
        &r2.applications[0],
        &r2.applications[1],
        &r2_auditor,
    ];
    let lists = [
        "{ organizations(first: 1000) { totalCount edges { node { id } } } }",
        "{ organizations(level: PRIMARY, first: 1000) { totalCount edges { node { id } } } }",
        "{ organizations(search: \"Школа\", first: 1000) { totalCount edges { node { id } } } }",
    ];
    for ((role, letter), token) in ROLES.iter().zip(&tokens) {
        for (i, list) in lists.iter().enumerate() {
            let data = server.ok(list, json!({}), Some(token)).await;
            let listed = data["organizations"]["edges"].as_array().unwrap();
            assert_eq!(
                data["organizations"]["totalCount"],
                listed.len(),
                "{role}: {data}"
            );
            // Without a filter: the children of the role's organisation.
            let own = match (i, letter) {
                (0, 'P') => None,
                (0, _) => Some(&r1.territorial),
                _ => Some(&r1.primary),
            };
            if let Some(own) = own {
                let found = listed.iter().any(|e| e["node"]["id"] == own.as_str());
                assert!(found, "{role}, {list}: {data}");
            }
            for edge in listed {
                let id = edge["node"]["id"].as_str().unwrap();
                assert!(
                    !r2_ids.iter().any(|r2| r2.as_str() == id),
                    "{role} sees {id} of R2"
                );
            }
        }
    }
    let journal = "{ events(first: 1000) { edges { node { stream } } } }";
    for letter in ['A', 'U'] {
        let data = server.ok(journal, json!({}), Some(token_of(letter))).await;
        let streams: Vec<&str> = data["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["stream"].as_str().unwrap())
            .collect();
        assert!(
            streams.contains(&format!("person-{}", r1.member).as_str()),
            "{streams:?}"
        );
        for stream in &streams {
            let leaked =
                r2_ids.iter().any(|id| stream.ends_with(id.as_str())) || stream.ends_with(&r2.card);
            assert!(!leaked, "{letter}: the journal shows {stream} of R2");
        }
    }

    // Each read of personal data is logged; ADMIN and AUDITOR see who read.
    let chair = users[1].as_str();
    server
        .ok(
            "query($id: ID!) { member(id: $id) { lastName } }",
            json!({ "id": r1.member }),
            Some(token_of('C')),
        )
        .await;
    let trail = "query($m: ID, $v: ID) { personalDataReads(memberId: $m, viewerId: $v) {
        totalCount hasNextPage endCursor nodes { viewerId memberId readAt position } } }";
    for letter in ['A', 'U'] {
        let data = server
            .ok(trail, json!({ "m": r1.member }), Some(token_of(letter)))
            .await;
        let reads = &data["personalDataReads"];
        let nodes = reads["nodes"].as_array().unwrap();
        assert!(
            nodes
                .iter()
                .any(|n| n["viewerId"] == chair && n["memberId"] == r1.member.as_str()),
            "{letter}: {reads}"
        );
        assert!(
            nodes
                .iter()
                .all(|n| n["position"].as_i64().unwrap() > 0 && n["readAt"].is_string()),
            "{reads}"
        );
        assert_eq!(reads["totalCount"], nodes.len(), "{reads}");
        let data = server
            .ok(trail, json!({ "v": chair }), Some(token_of(letter)))
            .await;
        let by_chair = data["personalDataReads"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert!(
            !by_chair.is_empty() && by_chair.iter().all(|n| n["viewerId"] == chair),
            "{data}"
        );
    }

    // Writes: each kind in R1 as the role allows; in R2, none.
    let foreign: Vec<Probe> = writes(&r2, "R2")
        .into_iter()
        .map(|p| Probe { allowed: "", ..p })
        .collect();
    for probe in writes(&r1, "R1").iter().chain(&foreign) {
        for (role, token) in ROLES.iter().zip(&tokens) {
            check(&server, &root, probe, *role, token).await;
        }
    }
    let above = json!({ "input": { "role": "AUDITOR", "orgId": central, "holder": "x" } });
    let error = server
        .refused(support::GRANT, above, Some(token_of('A')), &root)
        .await;
    assert_eq!(
        error["extensions"]["code"], "FORBIDDEN",
        "an ADMIN of R1 grants over the root: {error}"
    );
    let revoke = "mutation($id: ID!) { revokeRole(userId: $id) }";
    let error = server
        .refused(
            revoke,
            json!({ "id": r2_auditor }),
            Some(token_of('A')),
            &root,
        )
        .await;
    assert_eq!(
        error["extensions"]["code"], "FORBIDDEN",
        "an ADMIN of R1 revokes in R2: {error}"
    );

    // A revocation takes effect at once, by the root or by an ADMIN of R1.
    let viewer = "{ viewer { role } }";
    for (by, letter) in [(token_of('A'), 'N'), (root.as_str(), 'C')] {
        let user = &users[ROLES.iter().position(|r| r.1 == letter).unwrap()];
        server.ok(viewer, json!({}), Some(token_of(letter))).await;
        let revoked = server.ok(revoke, json!({ "id": user }), Some(by)).await;
        assert_eq!(revoked["revokeRole"], true);
        let refused = server
            .graphql(viewer, json!({}), Some(token_of(letter)))
            .await;
        assert_eq!(
            support::error_code(&refused),
            "UNAUTHENTICATED",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn without_a_token_only_applications_card_checks_and_health_are_served() {
    let (_dir, server, central, root) = started().await;
    let s = subtree(&server, &root, &central, 33).await;

    let health = reqwest::get(format!("{}/health", server.url))
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    let check = "query($n: String!) { verifyCard(number: $n) { result organizationName } }";
    let valid = server.ok(check, json!({ "n": s.card }), None).await;
    assert_eq!(
        valid["verifyCard"],
        json!({ "result": "VALID", "organizationName": "Школа 33" })
    );
    let number = domain::card_number::CardNumber::new(33, 999_999)
        .unwrap()
        .to_string();
    let unknown = server.ok(check, json!({ "n": number }), None).await;
    assert_eq!(unknown["verifyCard"]["result"], "UNKNOWN", "{unknown}");
    let submit =
        "mutation($input: ApplicationInput!) { submitApplication(input: $input) { status } }";
    let input = json!({ "orgId": s.primary, "lastName": "Публичная", "firstName": "Ольга",
        "gender": "FEMALE", "birthDate": "1991-01-01", "category": "STUDENT", "consent": true });
    let submitted = server.ok(submit, json!({ "input": input }), None).await;
    assert_eq!(submitted["submitApplication"]["status"], "PENDING");

    let mut everything = reads(&s);
    everything.extend(writes(&s, "anonymous"));
    everything.push(read(
        "organizations",
        "{ organizations { totalCount } }",
        json!({}),
        "",
    ));
    everything.push(read("journal", "{ events { totalCount } }", json!({}), ""));
    everything.push(write(
        "revokeRole",
        "mutation($id: ID!) { revokeRole(userId: $id) }",
        json!({ "id": central }),
        "",
    ));
    for probe in everything {
        let error = server
            .refused(&probe.query, probe.variables, None, &root)
            .await;
        assert_eq!(
            error["extensions"]["code"], "UNAUTHENTICATED",
            "{} without a token: {error}",
            probe.name
        );
    }
}
