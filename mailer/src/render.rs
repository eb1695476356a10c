//! A mailing's text: Markdown to HTML (pulldown-cmark; raw HTML in the source
//! is escaped, never passed on) and to plain text, with the footer in Russian
//! and the recipient's unsubscribe link; and the whole message (lettre).

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// A mailing's subject and body, rendered once for every recipient.
#[derive(Clone, Debug)]
pub struct Content {
    /// The subject line.
    pub subject: String,
    /// The body as HTML.
    pub html: String,
    /// The body as plain text.
    pub text: String,
}

/// Why a message could not be built (an address the SMTP envelope refuses).
#[derive(Debug, thiserror::Error)]
#[error("invalid address: {0}")]
pub struct BadAddress(String);

fn parser(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    )
    .map(|event| match event {
        // Raw HTML is shown as text: a sender writes Markdown, and no
        // script or tracking pixel reaches a member's mailbox.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    })
}

impl Content {
    /// Renders `body` (Markdown) as HTML and as plain text.
    pub fn render(subject: &str, body: &str) -> Content {
        let mut html = String::new();
        html::push_html(&mut html, parser(body));
        Content {
            subject: subject.to_string(),
            html,
            text: plain_text(body),
        }
    }

    /// The message to `to` from `from`, with `Message-ID` `message_id` (the
    /// same for every attempt, so a resent copy is recognisably the same
    /// message) and, for a member, the unsubscribe link in the footer and in
    /// `List-Unsubscribe` (RFC 2369, one-click per RFC 8058).
    ///
    /// # Errors
    /// [`BadAddress`] when `to` is no address.
    pub fn message(
        &self,
        from: &Mailbox,
        to: &str,
        name: Option<&str>,
        message_id: String,
        unsubscribe: Option<&str>,
    ) -> Result<Message, BadAddress> {
        let address = to.trim().parse().map_err(|_| BadAddress(to.to_string()))?;
        let to = Mailbox::new(name.map(str::to_string), address);
        let mut text = self.text.clone();
        let mut html = self.html.clone();
        if let Some(link) = unsubscribe {
            text.push_str(&format!(
                "\n\n--\nВы получили это письмо как член профсоюза. Отказаться от рассылок: {link}\n"
            ));
            html.push_str(&format!(
                "<hr><p style=\"font-size:small\">Вы получили это письмо как член профсоюза. \
                 <a href=\"{}\">Отказаться от рассылок</a></p>",
                escape(link)
            ));
        }
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&self.subject)
            .message_id(Some(message_id));
        if let Some(link) = unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{link}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )
            .map_err(|e| BadAddress(e.to_string()))
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown as plain text: paragraphs and headings apart, items with a dash,
/// a link's address after its text.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut links = vec![];
    for event in parser(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                out.push_str("\n\n")
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::Rule => out.push_str("----\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_and_text_and_raw_html_is_escaped() {
        let content = Content::render(
            "Тема",
            "# Собрание\n\nПриходите **в среду**, [адрес](https://example.org).\n\n<script>x</script>\n",
        );
        assert!(
            content.html.contains("<h1>Собрание</h1>"),
            "{}",
            content.html
        );
        assert!(content.html.contains("<strong>в среду</strong>"));
        assert!(!content.html.contains("<script>"), "{}", content.html);
        assert!(
            content
                .text
                .contains("Приходите в среду, адрес (https://example.org)."),
            "{}",
            content.text
        );
    }

    #[test]
    fn a_members_message_carries_the_unsubscribe_link_in_a_header() {
        let content = Content::render("Тема", "Текст");
        let from: Mailbox = "Профсоюз <noreply@reestr.test>".parse().unwrap();
        let message = content
            .message(
                &from,
                "ivanova@mail.ru",
                Some("Анна Иванова"),
                "<a.b@reestr>".into(),
                Some("http://r.test/unsubscribe/t"),
            )
            .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <http://r.test/unsubscribe/t>"),
            "{raw}"
        );
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(
            content
                .message(&from, "not an address", None, "<x@y>".into(), None)
                .is_err()
        );
    }
}
