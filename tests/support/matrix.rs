//! The role matrix's fixture and probes (tests/api_roles.rs): a regional
//! subtree with a member, a card and applications; a read of each resource and
//! a mutation of each kind in it, with the roles allowed to make them.

use serde_json::{Value, json};

use super::{Server, admission, passport, today};

/// One subtree: regional > territorial > primary, with a member (with a
/// card), a member to erase and two pending applications.
pub struct Subtree {
    pub regional: String,
    pub territorial: String,
    pub primary: String,
    pub member: String,
    pub card: String,
    pub erasable: String,
    pub applications: [String; 2],
}

pub async fn subtree(server: &Server, admin: &str, central: &str, n: i32) -> Subtree {
    let (regional, territorial, primary) = super::branch(server, admin, central, n).await;
    passport(server, admin, &primary, 30, 300).await;
    let mut input = admission(&primary, &format!("Член {n}"), "1980-03-03", "2025-01-10");
    input["issueCard"] = json!("PLASTIC");
    let member = super::admit(server, admin, input).await;
    let input = admission(
        &primary,
        &format!("Стираемая {n}"),
        "1981-04-04",
        "2025-01-10",
    );
    let erasable = super::admit(server, admin, input).await;
    let submit = "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
    let mut ids = Vec::new();
    for i in 0..2 {
        let input = json!({ "orgId": primary, "lastName": format!("Заявитель {n}.{i}"),
            "firstName": "Пётр", "gender": "MALE", "birthDate": "1990-01-01",
            "category": "WORKER", "consent": true });
        let data = server.ok(submit, json!({ "input": input }), None).await;
        ids.push(
            data["submitApplication"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    Subtree {
        card: member["card"]["number"].as_str().unwrap().to_string(),
        member: id(&member),
        erasable: id(&erasable),
        applications: [ids[0].clone(), ids[1].clone()],
        regional,
        territorial,
        primary,
    }
}

/// A request and the roles allowed to make it, by letter: A (ADMIN), C
/// (CHAIR), U (AUDITOR), N (ANALYST), P (CHAIR of the primary).
pub struct Probe {
    pub name: &'static str,
    pub query: String,
    pub variables: Value,
    pub allowed: &'static str,
    pub write: bool,
}

pub fn read(name: &'static str, query: &str, variables: Value, allowed: &'static str) -> Probe {
    let query = query.to_string();
    Probe {
        name,
        query,
        variables,
        allowed,
        write: false,
    }
}

pub fn write(name: &'static str, query: &str, variables: Value, allowed: &'static str) -> Probe {
    Probe {
        write: true,
        ..read(name, query, variables, allowed)
    }
}

/// The reads of one subtree; `allowed` as for R1 (the caller clears it for R2).
pub fn reads(s: &Subtree) -> Vec<Probe> {
    let org = json!({ "id": s.primary });
    let member = json!({ "id": s.member });
    let period = json!({ "id": s.primary, "from": "2025-01-01", "to": today().to_string() });
    vec![
        read(
            "organization",
            "query($id: ID!) { organization(id: $id) { id name memberCount } }",
            org.clone(),
            "ACUNP",
        ),
        read(
            "statistics of the primary",
            "query($id: ID!) { statistics(orgId: $id) { members byGender { key count } } }",
            org.clone(),
            "ACUNP",
        ),
        read(
            "statistics of the regional",
            "query($id: ID!) { statistics(orgId: $id) { members } }",
            json!({ "id": s.regional }),
            "ACUN",
        ),
        read(
            "movement",
            "query($id: ID!, $from: Date!, $to: Date!) { movement(orgId: $id, from: $from, to: $to) { admitted } }",
            period,
            "ACUNP",
        ),
        read(
            "member",
            "query($id: ID!) { member(id: $id) { id status gender } }",
            member.clone(),
            "ACUP",
        ),
        read(
            "member's personal data",
            "query($id: ID!) { member(id: $id) { lastName birthDate snils email } }",
            member.clone(),
            "ACUP",
        ),
        read(
            "members",
            "query($id: ID!) { members(orgId: $id) { totalCount edges { node { id lastName } } } }",
            org.clone(),
            "ACUP",
        ),
        read(
            "memberByCard",
            "query($n: String!) { memberByCard(number: $n) { id } }",
            json!({ "n": s.card }),
            "ACUP",
        ),
        read(
            "application",
            "query($id: ID!) { application(id: $id) { id status lastName } }",
            json!({ "id": s.applications[0] }),
            "ACUP",
        ),
        read(
            "applications",
            "query($id: ID!) { applications(orgId: $id) { totalCount } }",
            org.clone(),
            "ACUP",
        ),
        read(
            "events of a person",
            "query($s: String) { events(stream: $s) { totalCount edges { node { type data } } } }",
            json!({ "s": format!("person-{}", s.member) }),
            "AU",
        ),
        read(
            "events of an organisation",
            "query($s: String) { events(stream: $s) { totalCount } }",
            json!({ "s": format!("org-{}", s.primary) }),
            "AU",
        ),
        read(
            "personalDataReads",
            "query($id: ID) { personalDataReads(memberId: $id) { totalCount } }",
            member,
            "AU",
        ),
    ]
}

/// A mutation of each kind in one subtree: each either takes effect or is
/// refused by a charter rule when its role may make it.
pub fn writes(s: &Subtree, tag: &str) -> Vec<Probe> {
    let today = today().to_string();
    let member = s.member.as_str();
    vec![
        write(
            "registerOrganization",
            "mutation($p: ID!, $n: String!) { registerOrganization(input: { parentId: $p, name: $n, level: PRIMARY }) { id } }",
            json!({ "p": s.territorial, "n": format!("Новая {tag}") }),
            "A",
        ),
        write(
            "renameOrganization",
            "mutation($id: ID!) { renameOrganization(id: $id, name: \"Школа (новое имя)\") { id } }",
            json!({ "id": s.primary }),
            "A",
        ),
        write(
            "moveOrganization",
            "mutation($id: ID!, $p: ID!) { moveOrganization(id: $id, newParentId: $p) { id } }",
            json!({ "id": s.primary, "p": s.territorial }),
            "A",
        ),
        write(
            "dissolveOrganization",
            "mutation($id: ID!, $on: Date!) { dissolveOrganization(id: $id, effectiveOn: $on) { id } }",
            json!({ "id": s.primary, "on": today }),
            "A",
        ),
        write(
            "updatePassport",
            "mutation($id: ID!) { updatePassport(id: $id, input: { sector: SCHOOL, employees: 31 }) { id } }",
            json!({ "id": s.primary }),
            "ACP",
        ),
        write(
            "admitMember",
            super::ADMIT,
            json!({ "input": admission(&s.primary, "Юная", &today, &today) }),
            "ACP",
        ),
        write(
            "transferMember",
            "mutation($id: ID!, $to: ID!, $on: Date!) { transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on) { id } }",
            json!({ "id": member, "to": s.primary, "on": today }),
            "ACP",
        ),
        write(
            "endMembership",
            "mutation($id: ID!, $on: Date!) { endMembership(memberId: $id, reason: EXPULSION, effectiveOn: $on) { id } }",
            json!({ "id": member, "on": today }),
            "ACP",
        ),
        write(
            "updateMember",
            "mutation($id: ID!) { updateMember(memberId: $id, input: { position: \"учитель\" }) { id } }",
            json!({ "id": member }),
            "ACP",
        ),
        write(
            "blockCard",
            "mutation($n: String!) { blockCard(number: $n, reason: \"утерян\") { number } }",
            json!({ "n": s.card }),
            "ACP",
        ),
        write(
            "issueCard",
            "mutation($id: ID!) { issueCard(memberId: $id, kind: VIRTUAL) { number } }",
            json!({ "id": member }),
            "ACP",
        ),
        write(
            "erasePersonalData",
            "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"заявление\") { id } }",
            json!({ "id": s.erasable }),
            "ACP",
        ),
        write(
            "approveApplication",
            "mutation($id: ID!) { approveApplication(id: $id) { id } }",
            json!({ "id": s.applications[0] }),
            "ACP",
        ),
        write(
            "rejectApplication",
            "mutation($id: ID!) { rejectApplication(id: $id, reason: \"не работает\") { id } }",
            json!({ "id": s.applications[1] }),
            "ACP",
        ),
        write(
            "grantRole",
            super::GRANT,
            json!({ "input": { "role": "ANALYST", "orgId": s.territorial, "holder": tag } }),
            "A",
        ),
    ]
}
