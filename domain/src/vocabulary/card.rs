//! Union cards: kinds and why a card was blocked.

use serde::{Deserialize, Serialize};

/// What a card is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardKind {
    /// A printed plastic card.
    Plastic,
    /// An electronic card in the member's phone.
    Virtual,
}

/// Why a card was blocked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", content = "text", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardBlockReason {
    /// A new card was issued to the same member.
    Replaced,
    /// The membership ended.
    MembershipEnded,
    /// Blocked on request (lost, stolen, damaged…), in the requester's words.
    Requested(String),
}

impl CardBlockReason {
    /// The reason in plain words, as the API shows it.
    pub fn describe(&self) -> &str {
        match self {
            CardBlockReason::Replaced => "REPLACED",
            CardBlockReason::MembershipEnded => "MEMBERSHIP_ENDED",
            CardBlockReason::Requested(text) => text,
        }
    }
}
